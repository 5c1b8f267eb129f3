package journal

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/signer"
)

// journalTruth is what a journal held before it was damaged.
type journalTruth struct {
	// pending: an id on a lane -> the lane's record and the play as
	// stored: both found in the damaged file, it must come back there.
	pending map[laneID][2][]byte
	settled map[laneID]bool // ids sent, dead or dropped on the lane: never pending there again
	results map[laneID]bool // ids the lane's destination answered (a test prunes none)
	mirrors []string        // the mirrors' lanes the file has
}

// manyStates writes a closed journal with every state in it, in many small
// transactions, so that its free pages hold out-of-date copies of records:
// scrobbles sent (results), dead letters (too old to send), dead letters
// retried (pending again), pending items dropped, and pending items.
func manyStates(t *testing.T) (dir string, truth journalTruth) {
	t.Helper()
	e := newEnv(t, Tuning{})
	var tickets []Ticket
	for i := range 12 {
		tk, err := e.j.Submit("alice", scrobbles(10, "sent"+strconv.Itoa(i)+"-"))
		if err != nil {
			t.Fatal(err)
		}
		tickets = append(tickets, tk...)
	}
	tickets = append(tickets, submitAged(t, e.j, "alice", oldScrobbles(8))...)
	e.j.Start()
	waitAll(e.j, tickets)
	if err := e.j.Close(); err != nil {
		t.Fatal(err)
	}
	// Not started: what is submitted now stays pending.
	j := e.open(Tuning{})
	var pending []uint64
	for i := range 30 {
		tk, err := j.Submit("alice", scrobbles(10, "pending"+strconv.Itoa(i)+"-"))
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range tk {
			pending = append(pending, x.ID)
		}
	}
	q, err := j.List(0, "")
	if err != nil || len(q.DeadLetters) != 8 {
		t.Fatalf("dead letters %d: %v", len(q.DeadLetters), err)
	}
	if _, err := j.Retry([]uint64{q.DeadLetters[0].ID, q.DeadLetters[1].ID}, false, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Drop(pending[100:105], ""); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Submit("alice", scrobbles(5, "last")); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	return e.dir, readTruth(t, filepath.Join(e.dir, FileName))
}

// oldScrobbles are n scrobbles played 20 days ago: the sender dead-letters
// them unsent (older than max_age).
func oldScrobbles(n int) []Scrobble {
	base := time.Now().Add(-20 * 24 * time.Hour).Unix()
	out := make([]Scrobble, n)
	for i := range out {
		sc, problems := signer.ParseScrobble(map[string]string{"artist": "Artist", "track": "old" + strconv.Itoa(i),
			"timestamp": strconv.FormatInt(base+int64(i)*60, 10)})
		if len(problems) > 0 {
			panic(problems)
		}
		out[i] = sc
	}
	return out
}

// readTruth reads a good journal with bbolt itself.
func readTruth(t *testing.T, path string) journalTruth {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	truth := journalTruth{pending: map[laneID][2][]byte{}, settled: map[laneID]bool{}, results: map[laneID]bool{}}
	err = db.View(func(tx *bolt.Tx) error {
		lanes := []string{accounts.LastFM}
		_ = tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			if lane, what := bucketLane(string(name)); lane != accounts.LastFM && what == "items" {
				truth.mirrors = append(truth.mirrors, lane)
				lanes = append(lanes, lane)
			}
			return nil
		})
		for _, lane := range lanes {
			_ = tx.Bucket(bucketsOf(lane).items).ForEach(func(k, v []byte) error {
				truth.pending[laneID{lane, keyID(k)}] = [2][]byte{bytes.Clone(v), bytes.Clone(tx.Bucket(bPlays).Get(k))}
				return nil
			})
			_ = tx.Bucket(bucketsOf(lane).results).ForEach(func(k, _ []byte) error {
				truth.results[laneID{lane, keyID(k)}] = true
				return nil
			})
			// Every id below the sequence that is not pending on the
			// lane was settled (sent, dead), dropped, or never there.
			for id := uint64(1); id <= tx.Bucket(bItems).Sequence(); id++ {
				if _, ok := truth.pending[laneID{lane, id}]; !ok {
					truth.settled[laneID{lane, id}] = true
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return truth
}

// salvageCopy salvages a damaged copy of the journal at src and checks
// the promise, on each lane: every pending item whose record and play are
// still in the file comes back pending or answer unknown there, nothing
// settled comes back pending, nothing comes back sent where its
// destination did not answer it,
// nothing comes back pending that was not, and the report counts what the
// new journal holds. It returns the report and the new journal's states;
// damaged false when the check passed the damaged file.
func salvageCopy(t *testing.T, src string, truth journalTruth, damage func(path string)) (rep SalvageReport, states map[laneID]State, damaged bool) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, FileName)
	raw, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	damage(path)
	left, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rep, err = Salvage(dir, time.Date(2026, 12, 4, 16, 0, 0, 0, time.UTC))
	if errors.Is(err, ErrNotDamaged) {
		return rep, nil, false
	}
	if err != nil {
		t.Fatal(err)
	}
	states = exportedStates(t, dir, truth.mirrors...)
	count := map[State]int{}
	for id, st := range states {
		count[st]++
		if _, was := truth.pending[id]; st == Pending && !was {
			t.Errorf("id %d of lane %s came back pending; it was not (settled: %v)", id.id, id.lane, truth.settled[id])
		}
		if st == Sent && !truth.results[id] {
			t.Errorf("id %d came back sent on lane %s, which never answered it", id.id, id.lane)
		}
	}
	for id, v := range truth.pending {
		if st := states[id]; st != Pending && st != AnswerUnknown && bytes.Contains(left, v[0]) && bytes.Contains(left, v[1]) {
			t.Errorf("pending id %d of lane %s is still in the file (its record and its play) but came back %q", id.id, id.lane, st)
		}
	}
	if count[Pending] != rep.Pending || count[Dead] != rep.Dead || count[AnswerUnknown] != rep.AnswerUnknown || count[Sent] != rep.Results {
		t.Errorf("report %+v, the new journal holds %v", rep, count)
	}
	return rep, states, true
}

// exportedStates opens the journal in dir, with the lanes of mirrors
// besides Last.fm's, and returns each id's state on each lane.
func exportedStates(t *testing.T, dir string, mirrors ...string) map[laneID]State {
	t.Helper()
	states := map[laneID]State{}
	for _, l := range exported(t, dir, mirrors...) {
		var id laneID
		if l.Item != nil {
			id = laneID{laneName(l.Item.Lane), l.Item.ID}
		} else {
			id = laneID{laneName(l.Result.Lane), l.Result.ID}
		}
		if prev, twice := states[id]; twice {
			t.Errorf("id %d of lane %s is both %q and %q", id.id, id.lane, prev, l.State)
		}
		states[id] = l.State
	}
	return states
}

// exported opens the journal in dir, with the lanes of mirrors besides
// Last.fm's, and returns what it exports.
func exported(t *testing.T, dir string, mirrors ...string) []ExportLine {
	t.Helper()
	o := Options{Dir: dir}
	for _, m := range mirrors {
		o.Mirrors = append(o.Mirrors, Mirror{Name: m})
	}
	j, err := Open(o)
	if err != nil {
		t.Fatalf("the new journal: %v", err)
	}
	defer j.Close()
	var buf bytes.Buffer
	if err := j.Export(&buf, ""); err != nil {
		t.Fatal(err)
	}
	if buf.Len() == 0 {
		return nil // ReadExport refuses a file without lines
	}
	_, lines, err := ReadExport(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return lines
}

// Salvage over generated damage (issue 21, must-show 1): the journal cut
// short at every page boundary, each page overwritten in turn, the header
// pages destroyed. salvageCopy checks each outcome.
func TestSalvageOverGeneratedDamage(t *testing.T) {
	dir, truth := manyStates(t)
	src := filepath.Join(dir, FileName)
	st, err := os.Stat(src)
	if err != nil {
		t.Fatal(err)
	}
	pages := st.Size() / 4096
	t.Logf("a journal of %d pages: %d pending, %d settled or dropped", pages, len(truth.pending), len(truth.settled))
	t.Run("cut short at every page boundary", func(t *testing.T) {
		var sum [4]int
		for n := pages - 1; n >= 0; n-- {
			rep, _, damaged := salvageCopy(t, src, truth, func(path string) {
				if err := os.Truncate(path, n*4096); err != nil {
					t.Fatal(err)
				}
			})
			if damaged {
				sum[0] += rep.Pending
				sum[1] += rep.AnswerUnknown
				sum[2]++
				sum[3] += rep.Lost
			}
		}
		t.Logf("%d damaging cuts: on average %d pending, %d answer unknown, %d lost with their play", sum[2], sum[0]/max(sum[2], 1), sum[1]/max(sum[2], 1), sum[3]/max(sum[2], 1))
	})
	t.Run("each page overwritten", func(t *testing.T) {
		for id := int64(2); id < pages; id++ {
			salvageCopy(t, src, truth, func(path string) { overwrite(t, path, uint64(id), 0) })
		}
	})
	t.Run("both header pages destroyed", func(t *testing.T) {
		_, states, damaged := salvageCopy(t, src, truth, func(path string) {
			overwrite(t, path, 0, 0)
			overwrite(t, path, 1, 0)
		})
		if !damaged {
			t.Fatal("not damaged")
		}
		n := 0
		for id := range truth.pending {
			if states[id] == AnswerUnknown {
				n++
			}
		}
		if n != len(truth.pending) {
			t.Errorf("%d of %d pending items came back answer unknown, want all (no header: every page may be out of date)", n, len(truth.pending))
		}
	})
	t.Run("the older header page destroyed and the file cut", func(t *testing.T) {
		for _, cut := range []int64{1, 3} {
			salvageCopy(t, src, truth, func(path string) {
				f, _ := os.Open(path)
				cur, prev, err := bothMetas(f)
				f.Close()
				if err != nil || prev == nil {
					t.Fatalf("metas %v %v", err, prev)
				}
				overwrite(t, path, prev.txid%2, 0)
				if err := os.Truncate(path, (int64(cur.hwm)-cut)*4096); err != nil {
					t.Fatal(err)
				}
			})
		}
	})
}
