package journal

import (
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lastfmd/lastfmd/daemon/emulator"
)

// held makes the emulator hold the next track.scrobble until release is
// called, and returns release.
func (e *env) held() (release func()) {
	hold := make(chan struct{})
	e.emu.Fail(emulator.Fault{Method: MethodScrobble, Hold: hold, Times: 1})
	return func() { close(hold) }
}

// sendHeld submits n scrobbles and waits until their batch is in flight,
// held at the emulator. It returns the scrobbles too: scrobbles() stamps
// them from the clock, so a test resubmits these, not new ones.
func (e *env) sendHeld(n int) ([]Scrobble, []Ticket, []uint64, func()) {
	e.t.Helper()
	release := e.held()
	scs := scrobbles(n, "held")
	tk, err := e.j.Submit("alice", scs)
	if err != nil {
		e.t.Fatal(err)
	}
	ids := make([]uint64, len(tk))
	for i, x := range tk {
		ids[i] = x.ID
	}
	e.j.Start()
	eventually(e.t, "the batch in flight", func() bool {
		return e.emu.Count(MethodScrobble) == 1 && e.j.Stats().Accounts[0].InFlight == n
	})
	return scs, tk, ids, release
}

// A drop during a send waits for Last.fm's answer and says what happened:
// the scrobbles were sent, and stay counted and deduplicated (issue 21,
// point 3).
func TestDropDuringSendActsOnTheAnswer(t *testing.T) {
	e := newEnv(t, Tuning{})
	scs, tk, ids, release := e.sendHeld(2)
	l, err := e.j.List(0, "")
	if err != nil || len(l.Items) != 2 || !l.Items[0].InFlight {
		t.Fatalf("queue during the send: %+v %v", l.Items, err)
	}
	done := make(chan []Change)
	go func() {
		ch, err := e.j.Drop(ids, "")
		if err != nil {
			t.Error(err)
		}
		done <- ch
	}()
	release()
	ch := <-done
	for _, c := range ch {
		if c.Result != "sent" {
			t.Errorf("drop of %d during the send: %q, want sent", c.ID, c.Result)
		}
	}
	if got := len(e.emu.Scrobbles("alice")); got != 2 {
		t.Fatalf("Last.fm has %d scrobbles, want 2", got)
	}
	if st := e.j.Stats(); st.Pending != 0 || st.Accounts[0].ScrobblesToday != 2 {
		t.Errorf("after the drop: %+v", st)
	}
	again, err := e.j.Submit("alice", scs)
	if err != nil || !again[0].Duplicate || again[0].ID != tk[0].ID {
		t.Errorf("resubmitted after the drop: %+v %v", again, err)
	}
}

// A forced logout during a send buries only what was not sent: the batch
// Last.fm answered is settled as sent, never a dead letter "before it was
// sent" that a retry would send twice.
func TestForcedLogoutDuringSendBuriesNothingSent(t *testing.T) {
	e := newEnv(t, Tuning{})
	_, _, _, release := e.sendHeld(2)
	done := make(chan error)
	go func() { done <- e.j.BeforeLogout("alice", "", true) }()
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if st := e.j.Stats(); st.Dead != 0 || st.Pending != 0 {
		t.Fatalf("after a forced logout during the send: %+v", st)
	}
	if got := len(e.emu.Scrobbles("alice")); got != 2 {
		t.Fatalf("Last.fm has %d scrobbles, want 2", got)
	}
}

// An operator action that cannot wait long enough leaves the item alone
// and says so.
func TestDropOfAnItemStillInFlightSaysSo(t *testing.T) {
	e := newEnv(t, Tuning{FlightWait: 1}) // no wait: the answer is never in time
	_, _, ids, release := e.sendHeld(1)
	defer release()
	ch, err := e.j.Drop(ids, "")
	if err != nil || len(ch) != 1 || !strings.Contains(ch[0].Result, "being sent") {
		t.Fatalf("drop of an item in flight: %+v %v", ch, err)
	}
	if err := e.j.BeforeLogout("alice", "", true); err == nil || !strings.Contains(err.Error(), "try again") {
		t.Fatalf("forced logout during a send that does not end: %v", err)
	}
}

// A send that got no answer marks its items: dropping one keeps its
// deduplication, a dead letter of it needs --force to be retried.
func TestUnansweredSendKeepsDeduplication(t *testing.T) {
	e := newEnv(t, Tuning{})
	e.emu.Fail(emulator.Fault{Method: MethodScrobble, Drop: true})
	cut := scrobbles(2, "cut")
	tk, err := e.j.Submit("alice", cut)
	if err != nil {
		t.Fatal(err)
	}
	e.j.Start()
	eventually(t, "an unanswered send", func() bool {
		l, _ := e.j.List(0, "")
		return len(l.Items) == 2 && l.Items[0].MaybeSent && l.Items[1].MaybeSent
	})
	ch, err := e.j.Drop([]uint64{tk[0].ID}, "")
	if err != nil || !strings.Contains(ch[0].Result, "Last.fm may have it") {
		t.Fatalf("drop of an item sent without an answer: %+v %v", ch, err)
	}
	again, err := e.j.Submit("alice", cut[:1])
	if err != nil || !again[0].Duplicate {
		t.Fatalf("resubmitted after dropping an item Last.fm may have: %+v %v", again, err)
	}
	// Its submitter learns it is not sent again, not "sent"; a second drop
	// finds nothing to drop, not an answer.
	if o := waitAll(e.j, again); o[0].State != AnswerUnknown || !strings.Contains(o[0].Reason, "may already have it") {
		t.Errorf("outcome of the resubmission: %+v", o[0])
	}
	if ch, _ := e.j.Drop([]uint64{tk[0].ID}, ""); ch[0].Result != "unknown" {
		t.Errorf("dropped twice: %+v", ch)
	}
	// The other one, buried by a forced logout, keeps its entry too and
	// asks for force to be sent again.
	if err := e.j.BeforeLogout("alice", "", true); err != nil {
		t.Fatal(err)
	}
	l, _ := e.j.List(0, "")
	if len(l.DeadLetters) != 1 || !strings.Contains(l.DeadLetters[0].Reason, "may have it") {
		t.Fatalf("dead letters: %+v", l.DeadLetters)
	}
	again, _ = e.j.Submit("alice", cut[1:])
	if !again[0].Duplicate {
		t.Error("a dead letter Last.fm may have lost its deduplication")
	}
	ch, _ = e.j.Retry([]uint64{tk[1].ID}, false, "")
	if !strings.Contains(ch[0].Result, "--force") {
		t.Fatalf("retry without force: %+v", ch)
	}
	e.emu.ClearFaults()
	ch, _ = e.j.Retry([]uint64{tk[1].ID}, true, "")
	if ch[0].Result != "retrying" {
		t.Fatalf("retry with force: %+v", ch)
	}
	eventually(t, "the forced retry sent", func() bool { return len(e.emu.Scrobbles("alice")) == 1 })
}

// An item whose answer is unknown is never sent by itself: a retry asks
// for force, a drop keeps its deduplication.
func TestAnswerUnknownNeedsForce(t *testing.T) {
	e := newEnv(t, Tuning{})
	scs := scrobbles(2, "unsure")
	for i, sc := range scs {
		it := &Item{ID: uint64(100 + i), Account: "alice", Method: MethodScrobble, Params: sc.Params, Timestamp: sc.Timestamp,
			Reason: "found by salvage only on pages that may have been freed"}
		err := e.j.db.Update(func(tx *bolt.Tx) error {
			if err := tx.Bucket(bUnsure).Put(idKey(it.ID), encode(it)); err != nil {
				return err
			}
			return tx.Bucket(bDedup).Put(itemDedupKey(it), idKey(it.ID))
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	e.j.Close()
	e.j = e.open(Tuning{})
	e.j.Start()
	if st := e.j.Stats(); st.AnswerUnknown != 2 || st.Pending != 0 {
		t.Fatalf("stats %+v", st)
	}
	if tk, _ := e.j.Submit("alice", scs[:1]); !tk[0].Duplicate {
		t.Error("an item whose answer is unknown does not deduplicate")
	}
	ch, _ := e.j.Retry([]uint64{100}, false, "")
	if !strings.Contains(ch[0].Result, "--force") {
		t.Fatalf("retry without force: %+v", ch)
	}
	ch, _ = e.j.Drop([]uint64{101}, "")
	if !strings.Contains(ch[0].Result, "may have it") {
		t.Fatalf("drop: %+v", ch)
	}
	if tk, _ := e.j.Submit("alice", scs[1:]); !tk[0].Duplicate {
		t.Error("a dropped item whose answer is unknown lost its deduplication")
	}
	ch, _ = e.j.Retry([]uint64{100}, true, "")
	if ch[0].Result != "retrying" {
		t.Fatalf("forced retry: %+v", ch)
	}
	eventually(t, "the forced retry sent", func() bool { return len(e.emu.Scrobbles("alice")) == 1 })
	if len(e.emu.Scrobbles("alice")) != 1 {
		t.Error("the dropped item was sent")
	}
}

// Drops racing the sender, over many batches with slow and cut answers:
// whatever Drop answers is the truth. An item answered "dropped" never
// reached Last.fm; one answered "sent" reached it exactly once; one
// dropped while Last.fm may have it keeps its deduplication; and no
// scrobble reaches Last.fm twice (issue 21, point 3: no operator action
// loses a scrobble or sends one twice).
func TestDropRacingTheSender(t *testing.T) {
	e := newEnv(t, Tuning{})
	e.emu.Fail(emulator.Fault{Method: MethodScrobble, Delay: 2 * time.Millisecond, Chance: 0.5})
	e.emu.Fail(emulator.Fault{Method: MethodScrobble, Drop: true, Chance: 0.2})
	scs := scrobbles(300, "race")
	tk, err := e.j.Submit("alice", scs)
	if err != nil {
		t.Fatal(err)
	}
	e.j.Start()
	results := map[uint64]string{}
	for i := 0; i < len(tk); i += 7 {
		ch, err := e.j.Drop([]uint64{tk[i].ID}, "")
		if err != nil {
			t.Fatal(err)
		}
		results[ch[0].ID] = ch[0].Result
	}
	eventually(t, "the queue drained", func() bool { return e.j.Stats().Pending == 0 })
	t.Logf("drop results: %v", countValues(results))
	e.emu.ClearFaults()
	got := map[string]int{}
	for _, s := range e.emu.Scrobbles("alice") {
		got[s.Track]++
	}
	for i, x := range tk {
		track := scs[i].Track
		if got[track] > 1 {
			t.Errorf("%s reached Last.fm %d times", track, got[track])
		}
		r, dropped := results[x.ID]
		switch {
		case !dropped:
			continue
		case r == changeDropped && got[track] != 0:
			t.Errorf("%s: Drop said %q, but Last.fm has it", track, r)
		case r == "sent" && got[track] != 1:
			t.Errorf("%s: Drop said sent, but Last.fm has it %d times", track, got[track])
		case r == changeDroppedMay:
			again, err := e.j.Submit("alice", scs[i:i+1])
			if err != nil || !again[0].Duplicate {
				t.Errorf("%s: dropped while Last.fm may have it, but resubmitted it is journalled again: %+v %v", track, again, err)
			}
		case r != changeDropped && r != "sent":
			t.Errorf("%s: Drop answered %q", track, r)
		}
	}
}

func countValues(m map[uint64]string) map[string]int {
	out := map[string]int{}
	for _, v := range m {
		out[v]++
	}
	return out
}

// The probe after an error 13 answered with a bare HTTP error (no Last.fm
// error body) is no verdict on the key: nothing pauses, nothing crashes.
func TestThirteenWithAProbeAnsweredBareHTTP(t *testing.T) {
	for _, status := range []int{403, 503} {
		e := newEnv(t, Tuning{})
		e.emu.Fail(emulator.Fault{BadItem: "Bad Track"})
		e.emu.Fail(emulator.Fault{Method: "auth.getToken", HTTPStatus: status, Times: 1})
		sc := scrobbles(1, "x")
		sc[0].Track, sc[0].Params["track"] = "Bad Track", "Bad Track"
		if _, err := e.j.Submit("alice", sc); err != nil {
			t.Fatal(err)
		}
		e.j.Start()
		eventually(t, "the probe", func() bool { return e.emu.Count("auth.getToken") >= 1 })
		eventually(t, "the item settled or kept", func() bool {
			l, _ := e.j.List(0, "")
			return len(l.DeadLetters) == 1 || len(l.Items) == 1 && l.Items[0].Attempts > 0
		})
		if st := e.j.Stats(); st.KeyProblem != "" {
			t.Errorf("HTTP %d to the probe paused every account: %s", status, st.KeyProblem)
		}
		e.j.Close()
	}
}
