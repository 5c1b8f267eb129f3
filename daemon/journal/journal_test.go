package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lastfmd/lastfmd/daemon/emulator"
	"github.com/lastfmd/lastfmd/daemon/waitfor"
	"github.com/lastfmd/lastfmd/signer"
)

func TestSecondOpenIsRefusedNamingTheStateDir(t *testing.T) {
	e := newEnv(t, Tuning{})
	done := make(chan error, 1)
	go func() {
		_, err := Open(Options{Dir: e.dir, Accounts: e.store, Upstream: e.up, Tuning: Tuning{OpenTimeout: 200 * time.Millisecond}})
		done <- err
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(waitfor.Bound): // bbolt waits for the lock forever without the timeout
		t.Fatal("the second Open hung: the open timeout did not apply")
	}
	if err == nil {
		t.Fatal("a second journal opened on a locked file")
	}
	if !strings.Contains(err.Error(), e.dir) || !strings.Contains(err.Error(), "another lastfmd") {
		t.Errorf("error %q does not name the state dir and the cause", err)
	}
}

func TestSchemaVersions(t *testing.T) {
	t.Run("newer is refused", func(t *testing.T) {
		dir := t.TempDir()
		writeRaw(t, dir, func(tx *bolt.Tx) error {
			b, _ := tx.CreateBucket(bMeta)
			return b.Put(kVersion, []byte("99"))
		})
		_, err := Open(Options{Dir: dir})
		if err == nil || !strings.Contains(err.Error(), "schema version 99") || !strings.Contains(err.Error(), "upgrade lastfmd") {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("unversioned is migrated and keeps its items", func(t *testing.T) {
		dir := t.TempDir()
		it := &Item{ID: 7, Account: "alice", Method: MethodScrobble, Timestamp: 100,
			Params: map[string]string{"artist": "A", "track": "T", "timestamp": "100"}}
		writeRaw(t, dir, func(tx *bolt.Tx) error {
			items, _ := tx.CreateBucket(bItems)
			pend, _ := tx.CreateBucket(bPending)
			acct, _ := pend.CreateBucket([]byte("alice"))
			return putRawPending(items, acct, it)
		})
		j, err := Open(Options{Dir: dir})
		if err != nil {
			t.Fatal(err)
		}
		defer j.Close()
		if st := j.Stats(); st.Pending != 1 {
			t.Errorf("pending %d after migration", st.Pending)
		}
		_ = j.db.View(func(tx *bolt.Tx) error {
			if v := tx.Bucket(bMeta).Get(kVersion); string(v) != strconv.Itoa(SchemaVersion) {
				t.Errorf("version %q after migration", v)
			}
			return nil
		})
	})
}

func writeRaw(t *testing.T, dir string, f func(*bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(filepath.Join(dir, FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(f); err != nil {
		t.Fatal(err)
	}
	db.Close()
}

// A commit that fails claims nothing: no item, no dedup entry, no count.
func TestFailedCommitClaimsNothing(t *testing.T) {
	e := newEnv(t, Tuning{})
	e.j.SetCommitHook(func() error { return errors.New("disk full") })
	items := scrobbles(3, "t")
	if _, err := e.j.Submit("alice", items); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err %v", err)
	}
	if st := e.j.Stats(); st.Pending != 0 {
		t.Fatalf("pending %d after a failed commit", st.Pending)
	}
	e.j.SetCommitHook(nil)
	tickets, err := e.j.Submit("alice", items)
	if err != nil {
		t.Fatal(err)
	}
	for _, tk := range tickets {
		if tk.Duplicate {
			t.Fatal("the failed submission left a dedup entry")
		}
	}
}

// Concurrent submissions all land, in one group commit or several.
func TestConcurrentSubmissions(t *testing.T) {
	e := newEnv(t, Tuning{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	var ids []uint64
	for g := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tk, err := e.j.Submit("alice", scrobbles(4, "g"+string(rune('A'+g))))
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			for _, x := range tk {
				ids = append(ids, x.ID)
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(ids)
	if len(slices.Compact(ids)) != 128 {
		t.Fatalf("%d distinct ids for 128 scrobbles", len(ids))
	}
	if st := e.j.Stats(); st.Pending != 128 {
		t.Fatalf("pending %d", st.Pending)
	}
}

// Started senders deliver in timestamp order, in batches of at most 50,
// whatever the submission order; results and the daily count follow.
func TestSenderDeliversInTimestampOrder(t *testing.T) {
	e := newEnv(t, Tuning{})
	items := scrobbles(120, "t")
	shuffled := slices.Clone(items)
	rand.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
	var tickets []Ticket
	for i := 0; i < len(shuffled); i += 40 {
		tk, err := e.j.Submit("alice", shuffled[i:i+40])
		if err != nil {
			t.Fatal(err)
		}
		tickets = append(tickets, tk...)
	}
	e.j.Start()
	for _, o := range waitAll(e.j, tickets) {
		if o.State != Sent || o.Result.Status != StatusAccepted {
			t.Fatalf("outcome %+v", o)
		}
	}
	got := e.emu.Scrobbles("alice")
	if len(got) != 120 {
		t.Fatalf("%d scrobbles delivered", len(got))
	}
	for i := range got {
		if got[i].Timestamp != items[i].Timestamp {
			t.Fatalf("delivery %d has timestamp %d, want %d (timestamp order)", i, got[i].Timestamp, items[i].Timestamp)
		}
	}
	if n := e.emu.Count("track.scrobble"); n != 3 {
		t.Errorf("%d track.scrobble calls for 120 scrobbles, want 3", n)
	}
	st := e.j.Stats()
	if st.Pending != 0 || st.Results != 120 || len(st.Accounts) != 1 || st.Accounts[0].ScrobblesToday != 120 ||
		st.Accounts[0].Sent["accepted"] != 120 {
		t.Errorf("stats %+v", st)
	}
	// Sent within the results window: a resubmission is a duplicate.
	tk, err := e.j.Submit("alice", items[:1])
	if err != nil || !tk[0].Duplicate || tk[0].ID != tickets[slices.IndexFunc(shuffled, func(s Scrobble) bool { return s.Timestamp == items[0].Timestamp })].ID {
		t.Fatalf("resubmission: %+v %v", tk, err)
	}
	if o := e.j.Wait(t.Context(), tk, 0); o[0].State != Sent || !o[0].Duplicate {
		t.Errorf("duplicate's outcome %+v", o[0])
	}
}

// Results are kept at most ResultsMax entries and ResultsMaxAge; their
// dedup entries go with them.
func TestResultsArePruned(t *testing.T) {
	now := time.Now()
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := newEnv(t, Tuning{})
	e.j.Close()
	j, err := Open(Options{Dir: e.dir, Accounts: e.store, Upstream: e.up, Now: clock, MaxAge: 312 * time.Hour,
		Tuning: Tuning{ResultsMax: 30, Poll: 10 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	j.Start()
	items := scrobbles(50, "p")
	tk, err := j.Submit("alice", items)
	if err != nil {
		t.Fatal(err)
	}
	waitAll(j, tk)
	if st := j.Stats(); st.Results != 30 {
		t.Fatalf("%d results kept, want 30", st.Results)
	}
	// The 20 oldest are gone, so resubmitting them is not a duplicate
	// (and the emulator gets them twice: the window is the caller's to
	// size).
	again, err := j.Submit("alice", items[:1])
	if err != nil || again[0].Duplicate {
		t.Fatalf("after pruning: %+v %v", again, err)
	}
	waitAll(j, again)
	// Eight days later the next answer sweeps every old result.
	mu.Lock()
	now = now.Add(8 * 24 * time.Hour)
	mu.Unlock()
	j.mu.Lock()
	j.lastPrune = time.Time{}
	j.mu.Unlock()
	fresh := []Scrobble{scrobblesAt(now.Add(-time.Hour))}
	tk, err = j.Submit("alice", fresh)
	if err != nil {
		t.Fatal(err)
	}
	waitAll(j, tk)
	if st := j.Stats(); st.Results != 1 {
		t.Fatalf("%d results after 8 days, want only the newest", st.Results)
	}
}

func scrobblesAt(at time.Time) Scrobble {
	sc, _ := signer.ParseScrobble(map[string]string{"artist": "A", "track": "Fresh", "timestamp": strconv.FormatInt(at.Unix(), 10)})
	return sc
}

// Dead letters: retried, dropped, capped; exported with everything else.
func TestRetryDropExportAndCap(t *testing.T) {
	e := newEnv(t, Tuning{DeadMax: 3})
	tk, err := e.j.Submit("alice", scrobbles(5, "d"))
	if err != nil {
		t.Fatal(err)
	}
	var items []*Item
	for _, x := range tk {
		items = append(items, &Item{ID: x.ID})
	}
	e.j.bury(e.j.lastfm(), items, "test reason")
	st := e.j.Stats()
	if st.Pending != 0 || st.Dead != 3 {
		t.Fatalf("after burying 5 with a cap of 3: %+v", st)
	}
	l, err := e.j.List(0, "")
	if err != nil || len(l.DeadLetters) != 3 || l.DeadLetters[0].ID != tk[2].ID || l.DeadLetters[0].Reason != "test reason" {
		t.Fatalf("listing %+v %v", l, err)
	}
	// Retry one (it goes back to pending and is sent), drop another,
	// name an unknown one.
	ch, err := e.j.Retry([]uint64{tk[2].ID, 999}, false, "")
	if err != nil || ch[0].Result != "retrying" || ch[1].Result != "unknown" {
		t.Fatalf("retry %+v %v", ch, err)
	}
	ch, err = e.j.Drop([]uint64{tk[3].ID}, "")
	if err != nil || ch[0].Result != "dropped" {
		t.Fatalf("drop %+v %v", ch, err)
	}
	if st := e.j.Stats(); st.Pending != 1 || st.Dead != 1 {
		t.Fatalf("after retry and drop: %+v", st)
	}
	var buf bytes.Buffer
	if err := e.j.Export(&buf, ""); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("export: %q", buf.String())
	}
	var first ExportLine
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first.State != Pending || first.Item.ID != tk[2].ID {
		t.Errorf("export line %q: %v", lines[0], err)
	}
	e.j.Start()
	out := waitAll(e.j, []Ticket{{ID: tk[2].ID}})
	if out[0].State != Sent {
		t.Fatalf("retried item: %+v", out[0])
	}
	if got := e.emu.Scrobbles("alice"); len(got) != 1 || got[0].Track != "d2" {
		t.Errorf("delivered %+v", got)
	}
}

// Logout refuses while the account has pending items; forced, it
// dead-letters them with that reason.
func TestBeforeLogout(t *testing.T) {
	e := newEnv(t, Tuning{})
	if err := e.j.BeforeLogout("alice", "", false); err != nil {
		t.Fatalf("nothing pending: %v", err)
	}
	if _, err := e.j.Submit("alice", scrobbles(2, "l")); err != nil {
		t.Fatal(err)
	}
	err := e.j.BeforeLogout("alice", "", false)
	if err == nil || !strings.Contains(err.Error(), "2 scrobbles") || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("unforced: %v", err)
	}
	if err := e.j.BeforeLogout("alice", "", true); err != nil {
		t.Fatal(err)
	}
	l, _ := e.j.List(0, "")
	if l.Pending != 0 || l.Dead != 2 || !strings.Contains(l.DeadLetters[0].Reason, "logged out") {
		t.Fatalf("after forced logout: %+v", l)
	}
	// One item: "1 scrobble or write", not "1 scrobbles".
	if _, err := e.j.Submit("bob", scrobbles(1, "b")); err != nil {
		t.Fatal(err)
	}
	if err := e.j.BeforeLogout("bob", "", false); err == nil || !strings.Contains(err.Error(), `"bob" has 1 scrobble or write waiting`) {
		t.Errorf("one pending: %v", err)
	}
}

// Close lets a sender finish the batch it is sending.
func TestCloseFinishesInFlightBatch(t *testing.T) {
	e := newEnv(t, Tuning{})
	e.emu.Fail(emulator.Fault{Method: "track.scrobble", Delay: 300 * time.Millisecond, Times: 1})
	if _, err := e.j.Submit("alice", scrobbles(3, "c")); err != nil {
		t.Fatal(err)
	}
	e.j.Start()
	eventually(t, "the batch in flight", func() bool { return e.emu.Count("track.scrobble") == 1 })
	if err := e.j.Close(); err != nil {
		t.Fatal(err)
	}
	if got := e.emu.Scrobbles("alice"); len(got) != 3 {
		t.Fatalf("%d delivered", len(got))
	}
	j := e.open(Tuning{})
	if st := j.Stats(); st.Pending != 0 || st.Results != 3 {
		t.Errorf("after reopening: %+v", st)
	}
}
