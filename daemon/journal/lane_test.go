package journal

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/emulator"
	"github.com/lastfmd/lastfmd/daemon/upstream"
	"github.com/lastfmd/lastfmd/daemon/waitfor"
	"github.com/lastfmd/lastfmd/signer"
)

// withMirror reopens e's journal with a mirror "m": an emulator with opts,
// alice signed in there. It returns the emulator.
func (e *env) withMirror(opts emulator.Options) *emulator.Server {
	e.t.Helper()
	emu, m := e.mirror(opts)
	e.reopen(Tuning{}, m)
	return emu
}

// pendingOnMirror journals n scrobbles while the mirror "m" is down, so
// that its lane keeps them pending, and closes the journal, for a test to
// rewrite the file as an older schema held them.
func (e *env) pendingOnMirror(n int, tag string) []Scrobble {
	e.t.Helper()
	m := e.withMirror(libre)
	m.Stop()
	sc := scrobbles(n, tag)
	if _, err := e.j.Submit("alice", sc); err != nil {
		e.t.Fatal(err)
	}
	e.j.Close()
	return sc
}

// mirror starts an emulator as the mirror "m", alice signed in there.
func (e *env) mirror(opts emulator.Options) (*emulator.Server, Mirror) {
	e.t.Helper()
	emu, err := emulator.New(opts)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { emu.Close() })
	emu.AddUser("alice", "pw", false)
	if err := e.store.PutMirror("alice", "m", accounts.MirrorSession{Key: emu.NewSession("alice")}); err != nil {
		e.t.Fatal(err)
	}
	up, err := upstream.New(upstream.Options{Endpoint: emu.URL(), APIKey: emu.APIKey(), Secret: emu.Secret(),
		Timeout: waitfor.Bound, Limiter: upstream.NewLimiter(1000, 1000, time.Second, nil)})
	if err != nil {
		e.t.Fatal(err)
	}
	return emu, Mirror{Name: "m", Upstream: up, IgnoredCodes: map[int]int{3: signer.IgnoredTooNew, 4: signer.IgnoredTooOld}}
}

// reopen closes the journal and opens it again with mirrors.
func (e *env) reopen(tune Tuning, mirrors ...Mirror) {
	e.t.Helper()
	e.j.Close()
	e.j = e.open(tune, mirrors...)
}

// A mirror's sender gathers after a send that was not full
// (Tuning.MirrorGather) while Last.fm's lane, whose answer a caller may
// wait for, sends at once; what the mirror gathered goes in one call.
func TestMirrorGathersLastFMDoesNot(t *testing.T) {
	e := newEnv(t, Tuning{})
	emu, m := e.mirror(libre)
	e.reopen(Tuning{MirrorGather: time.Hour}, m)
	e.j.Start()
	plays := scrobbles(3, "gather")
	if _, err := e.j.Submit("alice", plays[:1]); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the first play on the mirror", func() bool { return len(emu.Scrobbles("alice")) == 1 })
	tk, err := e.j.Submit("alice", plays[1:])
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range waitAll(e.j, tk) {
		if o.State != Sent {
			t.Fatalf("Last.fm's lane: %+v", o)
		}
	}
	if n := len(emu.Scrobbles("alice")); n != 1 {
		t.Fatalf("the mirror has %d plays while it gathers, want 1", n)
	}
	e.reopen(Tuning{}, m) // Close ends the gathering at once
	e.j.Start()
	eventually(t, "the mirror has all three", func() bool { return len(emu.Scrobbles("alice")) == 3 })
	if n := emu.Count("track.scrobble"); n != 2 {
		t.Errorf("%d calls to the mirror, want 2: the first play, then the two gathered", n)
	}
}

// libre is the emulator as Libre.fm.
var libre = emulator.Options{Service: emulator.LibreFM}

func tracksOf(scs []emulator.Scrobble) []string {
	out := make([]string, len(scs))
	for i, s := range scs {
		out[i] = s.Track
	}
	return out
}

// Each lane routes by its own rules, and a play is stored once whatever
// lanes hold it.
func TestLanesRouteAndStoreOnce(t *testing.T) {
	e := newEnv(t, Tuning{})
	e.withMirror(libre)
	fresh := scrobbles(2, "fresh")
	old := oldScrobbles(1)
	tk, err := e.j.Submit("alice", append(slices.Clone(fresh), old...))
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []struct {
		lastfm  bool
		ignored int
		mirror  string
	}{{true, 0, MirrorQueued}, {true, 0, MirrorQueued}, {false, signer.IgnoredTooOld, MirrorQueued}} {
		if (tk[i].ID != 0) != want.lastfm || tk[i].Ignored != want.ignored || tk[i].Mirrors["m"] != want.mirror {
			t.Errorf("ticket %d: %+v", i, tk[i])
		}
	}
	_ = e.j.db.View(func(tx *bolt.Tx) error {
		if n := tx.Bucket(bPlays).Stats().KeyN; n != 3 {
			t.Errorf("%d plays for 3 scrobbles on two lanes", n)
		}
		return nil
	})
	// bob has no session on the mirror: Last.fm only.
	if err := e.store.Put(accounts.Account{Name: "bob", Key: e.emu.NewSession("alice")}); err != nil {
		t.Fatal(err)
	}
	tk, _ = e.j.Submit("bob", scrobbles(1, "bob"))
	if tk[0].ID == 0 || tk[0].Mirrors["m"] != MirrorNoSession {
		t.Errorf("bob: %+v", tk[0])
	}
	// Each lane's deduplication is its own.
	tk, _ = e.j.Submit("alice", fresh[:1])
	if !tk[0].Duplicate || tk[0].Mirrors["m"] != MirrorDuplicate {
		t.Errorf("again: %+v", tk[0])
	}
}

// A service answering with counts only (Maloja's 2.0 endpoint) and failing
// the batched form is settled by its counts after one-per-call sends: every
// play reaches it once, and nothing is resent in a loop.
func TestMirrorLooseAnswersAndBatchRefusal(t *testing.T) {
	e := newEnv(t, Tuning{})
	m := e.withMirror(emulator.Options{Service: emulator.LastFM, LooseScrobbleAnswer: true, RefuseBatchForm: true})
	scs := scrobbles(5, "loose")
	if _, err := e.j.Submit("alice", scs); err != nil {
		t.Fatal(err)
	}
	e.j.Start()
	eventually(t, "both lanes drained", func() bool { return e.j.Stats().Pending == 0 })
	if got := tracksOf(m.Scrobbles("alice")); len(got) != 5 {
		t.Fatalf("the mirror has %q", got)
	}
	st := e.j.Stats()
	if st.Dead != 0 || !st.Destinations[1].Single {
		t.Errorf("dead %d, one by one %v", st.Dead, st.Destinations[1].Single)
	}
	if got := tracksOf(e.emu.Scrobbles("alice")); len(got) != 5 {
		t.Errorf("Last.fm has %q", got)
	}
}

// A mirror lacking track.scrobble (error 3) settles the lane's items as
// skipped, marks the method lacking, and takes no new ones.
func TestMirrorLackingScrobble(t *testing.T) {
	e := newEnv(t, Tuning{})
	e.withMirror(emulator.Options{Service: emulator.LibreFM, Lacks: []string{"track.scrobble"}})
	if _, err := e.j.Submit("alice", scrobbles(3, "lack")); err != nil {
		t.Fatal(err)
	}
	e.j.Start()
	eventually(t, "both lanes drained", func() bool { return e.j.Stats().Pending == 0 })
	st := e.j.Stats()
	if st.Dead != 0 || !slices.Equal(st.Destinations[1].Lacks, []string{MethodScrobble}) {
		t.Fatalf("dead %d, lacks %v", st.Dead, st.Destinations[1].Lacks)
	}
	tk, _ := e.j.Submit("alice", scrobbles(1, "after"))
	if tk[0].Mirrors["m"] != mirrorLacksScrob || tk[0].ID == 0 {
		t.Errorf("after: %+v", tk[0])
	}
}

// A mirror's lane in the file that is not configured keeps its plays: a
// play Last.fm's lane settles is not released while the dormant lane
// holds it.
func TestDormantLaneKeepsItsPlays(t *testing.T) {
	e := newEnv(t, Tuning{})
	m := e.withMirror(libre)
	m.Stop()
	if _, err := e.j.Submit("alice", scrobbles(2, "dormant")); err != nil {
		t.Fatal(err)
	}
	e.j.Close()
	e.j = e.open(Tuning{}) // without the mirror
	e.j.Start()
	eventually(t, "Last.fm's lane drained", func() bool { return e.j.Stats().Pending == 0 })
	_ = e.j.db.View(func(tx *bolt.Tx) error {
		if n := tx.Bucket(bPlays).Stats().KeyN; n != 2 {
			t.Errorf("%d plays kept for the dormant lane, want 2", n)
		}
		return nil
	})
	e.j.Close()
	m.Start()
	e.withMirror(libre) // configured again (a new emulator: its own sessions)
	e.j.Start()
	eventually(t, "the mirror's lane drained", func() bool { return e.j.Stats().Pending == 0 })
	_ = e.j.db.View(func(tx *bolt.Tx) error {
		if n := tx.Bucket(bPlays).Stats().KeyN; n != 0 {
			t.Errorf("%d plays left once every lane settled", n)
		}
		return nil
	})
}

// A passing trouble on a mirror's batch (error 11 on the batch and on its
// first item alone) is backed off as on Last.fm's lane: the lane keeps
// sending batches.
func TestMirrorPassingTroubleKeepsBatches(t *testing.T) {
	e := newEnv(t, Tuning{})
	m := e.withMirror(libre)
	m.Fail(emulator.Fault{Method: "track.scrobble", Code: 11, Times: 2})
	if _, err := e.j.Submit("alice", scrobbles(4, "trouble")); err != nil {
		t.Fatal(err)
	}
	e.j.Start()
	eventually(t, "both lanes drained", func() bool { return e.j.Stats().Pending == 0 })
	if st := e.j.Stats(); st.Destinations[1].Single || st.Dead != 0 {
		t.Errorf("one by one %v, dead %d after a passing error 11", st.Destinations[1].Single, st.Dead)
	}
	if n := len(m.Scrobbles("alice")); n != 4 {
		t.Errorf("the mirror has %d scrobbles, want 4", n)
	}
}

// Recent lists the last scrobbles of each lane, newest first, with their
// outcomes.
func TestRecent(t *testing.T) {
	e := newEnv(t, Tuning{})
	m := e.withMirror(libre)
	m.Stop() // the mirror's lane keeps them queued
	first := scrobbles(2, "first")
	tk, err := e.j.Submit("alice", first)
	if err != nil {
		t.Fatal(err)
	}
	e.j.Start()
	waitAll(e.j, tk)
	if _, err := e.j.Submit("alice", scrobbles(1, "second")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "Last.fm answered", func() bool { return e.j.Pending("alice") == 0 })
	got, err := e.j.Recent(50, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 6 || got[0].Track != "second0" {
		t.Fatalf("recent: %+v", got)
	}
	outcomes := map[string]string{}
	for _, r := range got {
		outcomes[r.Destination+"/"+r.Track] = r.Outcome
	}
	for _, tr := range []string{"first0", "first1", "second0"} {
		if outcomes["lastfm/"+tr] != "accepted" || outcomes["m/"+tr] != "queued" {
			t.Errorf("%s: %v", tr, outcomes)
		}
	}
	if got, _ := e.j.Recent(2, "lastfm"); len(got) != 2 || got[0].Track != "second0" || got[1].Track != "first1" {
		t.Errorf("limited to Last.fm's two newest: %+v", got)
	}
}

// A schema 3 journal kept each mirror's deduplication and send order in
// buckets of its own; opened, the entries move into dedup and
// pending/ACCOUNT under the lane's keys (schemas 4 and 5): a scrobble the
// mirror's lane holds is still a duplicate there, and is still sent.
func TestOpensJournalOfSchema3(t *testing.T) {
	e := newEnv(t, Tuning{})
	sc := e.pendingOnMirror(1, "v3")
	// Rewrite the file as schema 3 wrote it: the mirror's entry in
	// lane/m/dedup under the bare key.
	writeRaw(t, e.dir, func(tx *bolt.Tx) error {
		dk := dedupKey("alice", sc[0])
		d := &dedupBucket{b: tx.Bucket(bDedup), suffix: laneSuffix("m")}
		v := bytes.Clone(d.Get(dk))
		if v == nil {
			t.Fatal("no entry of the mirror's lane")
		}
		if err := d.Delete(dk); err != nil {
			return err
		}
		old, err := tx.CreateBucket([]byte("lane/m/dedup"))
		if err != nil {
			return err
		}
		if err := old.Put(dk, v); err != nil {
			return err
		}
		// The send order as schema 3 kept it: lane/m/pending/alice.
		pk := pendingKey(&Item{ID: keyID(v), Method: MethodScrobble, Timestamp: sc[0].Timestamp})
		p := &pendingIndex{b: tx.Bucket(bPending).Bucket([]byte("alice")), prefix: lanePrefix("m")}
		if err := p.Delete(pk); err != nil {
			return err
		}
		lp, err := tx.CreateBucket([]byte("lane/m/pending"))
		if err != nil {
			return err
		}
		la, err := lp.CreateBucket([]byte("alice"))
		if err != nil {
			return err
		}
		if err := la.Put(pk, nil); err != nil {
			return err
		}
		return tx.Bucket(bMeta).Put(kVersion, []byte("3"))
	})
	m2 := e.withMirror(libre)
	_ = e.j.db.View(func(tx *bolt.Tx) error {
		for _, b := range []string{"lane/m/dedup", "lane/m/pending"} {
			if tx.Bucket([]byte(b)) != nil {
				t.Errorf("%s is still there", b)
			}
		}
		return nil
	})
	tk, err := e.j.Submit("alice", sc)
	if err != nil {
		t.Fatal(err)
	}
	if !tk[0].Duplicate || tk[0].Mirrors["m"] != MirrorDuplicate {
		t.Errorf("after the migration: %+v", tk[0])
	}
	e.j.Start()
	eventually(t, "the mirror's lane sends it", func() bool { return len(m2.Scrobbles("alice")) == 1 })
}

// A schema 5 journal kept a mirror's send-order keys beside Last.fm's (the
// key, a zero byte, the mirror's name); opened, they move to the mirror's
// own run (schema 6), where its sender reads them and nobody else's, and
// the play is still sent once.
func TestOpensJournalOfSchema5(t *testing.T) {
	e := newEnv(t, Tuning{})
	sc := e.pendingOnMirror(2, "v5")
	var old [][]byte
	writeRaw(t, e.dir, func(tx *bolt.Tx) error {
		b := tx.Bucket(bPending).Bucket([]byte("alice"))
		p := &pendingIndex{b: b, prefix: lanePrefix("m")}
		var pks [][]byte
		if err := p.each(nil, func(pk []byte) (bool, error) { pks = append(pks, bytes.Clone(pk)); return true, nil }); err != nil {
			return err
		}
		if len(pks) != len(sc) {
			t.Fatalf("the mirror's lane holds %d keys, want %d", len(pks), len(sc))
		}
		for _, pk := range pks {
			k := append(bytes.Clone(pk), laneSuffix("m")...) // schema 5's key
			if err := p.Delete(pk); err != nil {
				return err
			}
			if err := b.Put(k, nil); err != nil {
				return err
			}
			old = append(old, k)
		}
		return tx.Bucket(bMeta).Put(kVersion, []byte("5"))
	})
	m2 := e.withMirror(libre)
	_ = e.j.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bPending).Bucket([]byte("alice"))
		for _, k := range old {
			if b.Get(k) != nil {
				t.Errorf("schema 5's key %q is still there", k)
			}
		}
		n := 0
		_ = (&pendingIndex{b: b, prefix: lanePrefix("m")}).each(nil, func([]byte) (bool, error) { n++; return true, nil })
		if n != len(sc) {
			t.Errorf("the mirror's run holds %d keys, want %d", n, len(sc))
		}
		return nil
	})
	e.j.Start()
	eventually(t, "the mirror's lane sends them", func() bool { return len(m2.Scrobbles("alice")) == len(sc) })
	if got := len(m2.Scrobbles("alice")); got != len(sc) {
		t.Errorf("the mirror has %d, want %d", got, len(sc))
	}
}

// Each lane's send order is a run of its own in pending/ACCOUNT, even
// beside a mirror whose name begins another's: a lane's reading yields
// its keys alone, writes first, in order, from any key (schema 6).
func TestPendingIndexRuns(t *testing.T) {
	e := newEnv(t, Tuning{})
	_ = e.j.db.Update(func(tx *bolt.Tx) error {
		b, err := tx.Bucket(bPending).CreateBucket([]byte("zed"))
		if err != nil {
			return err
		}
		lanes := []string{accounts.LastFM, "lib", "librefm", "listenbrainz"}
		for i := range 30 {
			for _, l := range lanes {
				p := &pendingIndex{b: b, prefix: lanePrefix(l)}
				it := &Item{ID: uint64(100 - i), Method: MethodScrobble, Timestamp: int64(1000 + i%7)}
				if i%10 == 0 {
					it.Method = "track.love"
				}
				if err := p.Put(pendingKey(it)); err != nil {
					return err
				}
			}
		}
		for _, l := range lanes {
			p := &pendingIndex{b: b, prefix: lanePrefix(l)}
			var got [][]byte
			_ = p.each(nil, func(pk []byte) (bool, error) {
				got = append(got, bytes.Clone(pk))
				return true, nil
			})
			if len(got) != 30 {
				t.Errorf("%s: %d keys, want 30", l, len(got))
			}
			if !slices.IsSortedFunc(got, bytes.Compare) || got[0][0] != prefixWrite {
				t.Errorf("%s: not in send order, writes first", l)
			}
			from := pendingKey(&Item{Method: MethodScrobble, Timestamp: 1003})
			n := 0
			_ = p.each(from, func(pk []byte) (bool, error) {
				if bytes.Compare(pk, from) < 0 {
					t.Errorf("%s: %x before %x", l, pk, from)
				}
				n++
				return true, nil
			})
			if n == 0 || n >= 30 {
				t.Errorf("%s: %d keys from %x", l, n, from)
			}
		}
		return nil
	})
}

// testdata/journal-v5.db was written by the build of schema 5 (commit
// d7bc2c5): Last.fm answered two scrobbles of 2026-12-05 and the mirror
// "m", down, kept them pending, its send-order keys beside Last.fm's.
// Opened, they move to the mirror's run and both reach the mirror once.
func TestOpensJournalOfSchema5File(t *testing.T) {
	e := newEnv(t, Tuning{})
	e.j.Close()
	raw, err := os.ReadFile(filepath.Join("testdata", "journal-v5.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(e.dir, FileName), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	played := time.Unix(1796500000, 0) // the fixture's plays: the mirror's clock, so that it takes them
	m := e.withMirror(emulator.Options{Service: emulator.LibreFM, Now: func() time.Time { return played.Add(time.Hour) }})
	_ = e.j.db.View(func(tx *bolt.Tx) error {
		if v := string(tx.Bucket(bMeta).Get(kVersion)); v != strconv.Itoa(SchemaVersion) {
			t.Errorf("schema %s after opening", v)
		}
		b := tx.Bucket(bPending).Bucket([]byte("alice"))
		n := 0
		_ = b.ForEach(func(k, _ []byte) error {
			if !bytes.HasPrefix(k, lanePrefix("m")) {
				t.Errorf("a key outside the mirror's run: %q", k)
			}
			n++
			return nil
		})
		if n != 2 {
			t.Errorf("alice's send order holds %d keys, want the mirror's 2", n)
		}
		return nil
	})
	st := e.j.Stats()
	if st.Destinations[0].Pending != 0 || st.Destinations[1].Pending != 2 {
		t.Fatalf("pending after opening: lastfm %d, m %d; want 0 and 2", st.Destinations[0].Pending, st.Destinations[1].Pending)
	}
	e.j.Start()
	eventually(t, "the mirror has both plays", func() bool { return len(m.Scrobbles("alice")) == 2 })
	if got := tracksOf(m.Scrobbles("alice")); !slices.Equal(got, []string{"v5-0", "v5-1"}) {
		t.Errorf("the mirror has %v", got)
	}
}
