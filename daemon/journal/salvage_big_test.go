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
// answer unknown. It takes about 10 s (40 s with -race), so `go test
// -short` skips it; .ci/run runs it in its own bounded step:
//
//	go test -count=1 -run '^TestSalvageOfABigJournalCutShort$' -timeout 10m ./daemon/journal/
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
	path := filepath.Join(dir, FileName)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	cur, _, err := bothMetas(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	// The cut takes the free-page list, which bbolt writes last, and the
	// top page of the newest tree, written just before it.
	size := int64(cur.root) * 4096
	if err := os.Truncate(path, size); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rep, err := Salvage(dir, time.Now())
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("a %d MiB file of %d pages in use, cut to its first %d pages: %d pending, %d answer unknown, salvaged in %v; damage %q; not readable %q",
		st.Size()>>20, cur.hwm, cur.root, rep.Pending, rep.AnswerUnknown, took.Round(time.Millisecond), rep.Damage, rep.Problems)
	states := exportedStates(t, dir)
	n := 0
	for _, s := range states {
		if s == Pending || s == AnswerUnknown {
			n++
		}
	}
	if n != 100000 || len(states) != 100000 || rep.Pending+rep.AnswerUnknown != 100000 || len(rep.Problems) == 0 {
		t.Errorf("%d of 100,000 pending items came back pending or answer unknown (%d records); report %+v", n, len(states), rep)
	}
}
