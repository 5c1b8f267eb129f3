package journal

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// The case (issue 21, must-show 1): 100,000 pending scrobbles,
// queued in transactions of 1,000, the file then cut short at its end by a
// few pages, down to the newest tree's top page. Salvage used to save
// none of them (`Saved 0 pending items`). Every one comes back pending or
// answer unknown. It takes minutes, so `go test -short` skips it; .ci/run
// runs it in its long step:
//
//	go test -race -run '^TestSalvageOfABigJournalCutShort$' -timeout 30m ./daemon/journal/
func TestSalvageOfABigJournalCutShort(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 scrobbles: the long run's")
	}
	dir := t.TempDir()
	j, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if _, err := j.Submit("alice", scrobbles(1000, "big"+strconv.Itoa(i)+"-")); err != nil {
			t.Fatal(err)
		}
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(dir, FileName)
	truth := readTruth(t, src)
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	cur, _, err := bothMetas(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	// The cut takes the free-page list, which bbolt writes last, and the
	// top page of the newest tree, written just before it.
	cut := int64(cur.hwm - cur.root)
	start := time.Now()
	rep, states, damaged := salvageCopy(t, src, truth, func(path string) {
		if err := os.Truncate(path, (int64(cur.hwm)-cut)*4096); err != nil {
			t.Fatal(err)
		}
	})
	if !damaged {
		t.Fatal("the cut journal passed the check")
	}
	t.Logf("cut by %d pages (%d KiB): %d pending, %d answer unknown, salvaged and checked in %v; problems %q",
		cut, cut*4, rep.Pending, rep.AnswerUnknown, time.Since(start).Round(time.Millisecond), rep.Problems)
	for id := range truth.pending {
		if st := states[id]; st != Pending && st != AnswerUnknown {
			t.Fatalf("pending id %d came back %q", id, st)
		}
	}
	if len(truth.pending) != 100000 || rep.Pending+rep.AnswerUnknown != 100000 || len(rep.Problems) == 0 {
		t.Errorf("report %+v for %d pending", rep, len(truth.pending))
	}
}
