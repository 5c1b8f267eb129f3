package journal

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/accounts"
)

// twoLanes writes a closed journal with a mirror's lane ("m", as
// withMirror configures it) beside Last.fm's, one play shared by both
// lanes in every state: sent to Last.fm while the mirror was down (so
// pending there, tried), dead-lettered by Last.fm as too old while the
// mirror takes it (pending there), pending on both, dropped on one lane
// only.
func twoLanes(t *testing.T) (dir string, truth journalTruth) {
	t.Helper()
	e := newEnv(t, Tuning{})
	m := e.withMirror(libre)
	if err := m.Stop(); err != nil {
		t.Fatal(err)
	}
	var tickets []Ticket
	for i := range 4 {
		tk, err := e.j.Submit("alice", scrobbles(10, "sent"+strconv.Itoa(i)+"-"))
		if err != nil {
			t.Fatal(err)
		}
		tickets = append(tickets, tk...)
	}
	tickets = append(tickets, submitAged(t, e.j, "alice", oldScrobbles(3))...)
	e.j.Start()
	waitAll(e.j, tickets)
	eventually(t, "the mirror's lane tried", func() bool {
		q, err := e.j.List(0, "m")
		return err == nil && len(q.Items) == 43 && q.Items[0].Attempts > 0
	})
	if err := e.j.Close(); err != nil {
		t.Fatal(err)
	}
	// Not started: what is submitted now stays pending on both lanes.
	j, err := Open(Options{Dir: e.dir, Accounts: e.store, Upstream: e.up, MaxAge: 312 * time.Hour, Mirrors: []Mirror{{Name: "m"}}})
	if err != nil {
		t.Fatal(err)
	}
	var both []uint64
	for i := range 6 {
		tk, err := j.Submit("alice", scrobbles(10, "both"+strconv.Itoa(i)+"-"))
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range tk {
			if x.Mirrors["m"] != MirrorQueued {
				t.Fatalf("ticket %+v", x)
			}
			both = append(both, x.ID)
		}
	}
	if _, err := j.Drop(both[:5], "m"); err != nil {
		t.Fatal(err)
	}
	if _, err := j.Drop(both[5:8], accounts.LastFM); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	truth = readTruth(t, filepath.Join(e.dir, FileName))
	if !slices.Equal(truth.mirrors, []string{"m"}) || len(truth.pending) != 43+55+57 {
		t.Fatalf("mirrors %q, %d pending", truth.mirrors, len(truth.pending))
	}
	return e.dir, truth
}

// copyJournal copies the journal file at path into a new state_dir.
func copyJournal(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	to := t.TempDir()
	if err := os.WriteFile(filepath.Join(to, FileName), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	return to
}

// overwriteFreelist puts garbage over the newest free-page list: the
// newest tree stays whole.
func overwriteFreelist(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	meta, err := latestMeta(f)
	f.Close()
	if err != nil || meta.freelist == noFreelist {
		t.Fatalf("meta %+v %v", meta, err)
	}
	overwrite(t, path, meta.freelist, 0)
}

// exportCopy is what the journal in a copy of dir exports, every lane's.
func exportCopy(t *testing.T, dir string, mirrors ...string) []ExportLine {
	t.Helper()
	return exported(t, copyJournal(t, filepath.Join(dir, FileName)), mirrors...)
}

// Salvage knows lanes (issue 23): each lane's record comes back on its
// lane, joined to the one play it shares with the others; a result
// settles the item on its own lane only; the new journal sends each lane's
// items to its destination.
func TestSalvageKeepsEachLane(t *testing.T) {
	src, truth := twoLanes(t)
	t.Run("the free-page list overwritten", func(t *testing.T) {
		// The newest tree is whole: the new journal holds exactly what the
		// damaged one held, lane by lane, field by field.
		want := exportCopy(t, src, "m")
		dir := copyJournal(t, filepath.Join(src, FileName))
		overwriteFreelist(t, filepath.Join(dir, FileName))
		rep, err := Salvage(dir, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if rep.Pending != 43+55+57 || rep.Dead != 3 || rep.Results != 40 || rep.Lost != 0 || rep.AnswerUnknown != 0 {
			t.Errorf("report %+v", rep)
		}
		got := exported(t, dir, "m")
		if !slices.EqualFunc(got, want, func(a, b ExportLine) bool { return bytes.Equal(encode(a), encode(b)) }) {
			t.Errorf("the new journal exports %d lines, the damaged one %d, not the same", len(got), len(want))
			for i := range min(len(got), len(want)) {
				if a, b := encode(got[i]), encode(want[i]); !bytes.Equal(a, b) {
					t.Fatalf("line %d: %s, want %s", i, a, b)
				}
			}
		}
		// Opened without the mirror, its lane stays (dormant); configured
		// again, each lane sends its own items to its destination.
		e := newEnvAt(t, dir)
		if st := e.j.Stats(); st.Pending != 57 {
			t.Errorf("Last.fm's lane alone: %d pending, want 57", st.Pending)
		}
		m := e.withMirror(libre)
		e.j.Start()
		eventually(t, "both lanes drained", func() bool { return e.j.Stats().Pending == 0 })
		if n := len(m.Scrobbles("alice")); n != 43+55 {
			t.Errorf("the mirror got %d scrobbles, want %d", n, 43+55)
		}
		if n := len(e.emu.Scrobbles("alice")); n != 57 {
			t.Errorf("Last.fm got %d scrobbles, want 57", n)
		}
	})
	t.Run("each page overwritten", func(t *testing.T) {
		pages := usedPages(t, filepath.Join(src, FileName))
		slices.Sort(pages)
		lost := 0
		for _, id := range pages {
			rep, _, _ := salvageCopy(t, filepath.Join(src, FileName), truth, func(path string) { overwrite(t, path, id, 0) })
			lost += rep.Lost
		}
		t.Logf("%d pages of the newest tree overwritten in turn: %d records lost with their play", len(pages), lost)
	})
	t.Run("both header pages destroyed", func(t *testing.T) {
		// Every record is told by its shape: the mirror's by its lane.
		_, states, damaged := salvageCopy(t, filepath.Join(src, FileName), truth, func(path string) {
			overwrite(t, path, 0, 0)
			overwrite(t, path, 1, 0)
		})
		if !damaged {
			t.Fatal("not damaged")
		}
		for id := range truth.pending {
			if states[id] != AnswerUnknown {
				t.Errorf("id %d of lane %s came back %q, want answer unknown", id.id, id.lane, states[id])
			}
		}
		// The 40 items Last.fm answered are sent there, and still due on
		// the mirror.
		sent := 0
		for id, st := range states {
			if st == Sent {
				sent++
				if id.lane != accounts.LastFM || states[laneID{"m", id.id}] != AnswerUnknown {
					t.Errorf("id %d of lane %s sent; on the mirror %q", id.id, id.lane, states[laneID{"m", id.id}])
				}
			}
		}
		if sent < 40 {
			t.Errorf("%d results, want Last.fm's 40", sent)
		}
	})
}

// A damaged journal of schema 2 (before lanes: the params inside each
// record) is salvaged into Last.fm's lane, as opening it would have
// migrated it.
func TestSalvageOfASchema2Journal(t *testing.T) {
	src := copyJournal(t, filepath.Join("testdata", "journal-v2.db"))
	want := exportCopy(t, src)
	if len(want) < 8 {
		t.Fatalf("the migrated journal exports %d lines", len(want))
	}
	states := func(lines []ExportLine) map[uint64]State {
		out := map[uint64]State{}
		for _, l := range lines {
			if l.Item != nil {
				out[l.Item.ID] = l.State
			}
		}
		return out
	}
	t.Run("the free-page list overwritten", func(t *testing.T) {
		dir := copyJournal(t, filepath.Join(src, FileName))
		overwriteFreelist(t, filepath.Join(dir, FileName))
		if _, err := Salvage(dir, time.Now()); err != nil {
			t.Fatal(err)
		}
		if got := exported(t, dir); !slices.EqualFunc(got, want, func(a, b ExportLine) bool { return bytes.Equal(encode(a), encode(b)) }) {
			t.Errorf("salvaged: %d lines, migrated: %d, not the same", len(got), len(want))
		}
	})
	t.Run("both header pages destroyed", func(t *testing.T) {
		// Told by their shape alone: a pending item of schema 2 looks like
		// a play, and is one here (the file has no plays); on pages that
		// may be out of date, it comes back answer unknown.
		dir := copyJournal(t, filepath.Join(src, FileName))
		path := filepath.Join(dir, FileName)
		overwrite(t, path, 0, 0)
		overwrite(t, path, 1, 0)
		rep, err := Salvage(dir, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		got := exported(t, dir)
		params := map[uint64]map[string]string{}
		for _, l := range got {
			if l.Item != nil {
				params[l.Item.ID] = l.Item.Params
			}
		}
		gotStates := states(got)
		for _, l := range want {
			if l.Item == nil {
				continue
			}
			st := gotStates[l.Item.ID]
			if l.State == Pending && st != AnswerUnknown || l.State != Pending && st != l.State {
				t.Errorf("%s %d came back %q", l.State, l.Item.ID, st)
			}
			if !maps.Equal(params[l.Item.ID], l.Item.Params) {
				t.Errorf("item %d: params %v, want %v", l.Item.ID, params[l.Item.ID], l.Item.Params)
			}
		}
		if rep.Lost != 0 {
			t.Errorf("report %+v", rep)
		}
	})
}
