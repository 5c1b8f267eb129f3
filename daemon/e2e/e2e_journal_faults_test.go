package e2e_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/emulator"
	"github.com/lastfmd/lastfmd/daemon/fakeclock"
	"github.com/lastfmd/lastfmd/daemon/journal"
)

// scrobbleTimes returns when the emulator received each track.scrobble.
func (h *harness) scrobbleTimes() []time.Time {
	var out []time.Time
	for _, r := range h.emu.Requests() {
		if r.Method == "track.scrobble" {
			out = append(out, r.At)
		}
	}
	return out
}

// Error 16 three times, then success: retried with a growing back-off,
// delivered once, nothing dead.
func TestJournalFault16ThreeTimes(t *testing.T) {
	h := newHarness(t, withJournal(fastJournal))
	h.emu.Fail(emulator.Fault{Method: "track.scrobble", Code: 16, Times: 3})
	its := items(2, "t", time.Now())
	a, v := h.scrobble(its, "Prefer", "wait=0")
	wantStatus(t, a, 202)
	if v.Queued != 2 {
		t.Fatalf("answer %s", a.body)
	}
	waitFor(t, "delivery", func() bool { return len(h.delivered("alice")) == 2 })
	h.settled()
	at := h.scrobbleTimes()
	if len(at) != 4 {
		t.Fatalf("%d track.scrobble calls, want 3 failures and 1 success", len(at))
	}
	// Back-off 100 ms, 200 ms, 400 ms (base doubling; jitter takes at most
	// a quarter off each).
	for i, min := range []time.Duration{75 * time.Millisecond, 150 * time.Millisecond, 300 * time.Millisecond} {
		if gap := at[i+1].Sub(at[i]); gap < min {
			t.Errorf("retry %d after %v, want at least %v", i+1, gap, min)
		}
	}
	if q := h.queue(); q.Pending != 0 || q.Dead != 0 {
		t.Errorf("queue %+v", q)
	}
	time.Sleep(50 * time.Millisecond)
	if n := len(h.scrobbleTimes()); n != 4 {
		t.Errorf("%d calls after delivery", n)
	}
}

// HTTP 503 for a minute, then success: the scrobble waits, backing off up
// to its cap, and goes as soon as Last.fm is back.
func TestJournalFault503ForAMinute(t *testing.T) {
	clock := fakeclock.Running(time.Now())
	h := newHarness(t, withJournal(fastJournal), withNow(clock.Now))
	h.emu.SetClock(clock.Now)
	h.emu.Fail(emulator.Fault{Method: "track.scrobble", HTTPStatus: 503, Until: clock.Now().Add(time.Minute)})
	a, _ := h.scrobble(items(1, "outage", clock.Now()), "Prefer", "wait=0")
	wantStatus(t, a, 202)
	// Wait for the journal's own record of a failure after the third
	// attempt, not for the emulator's count: the sender writes the attempt
	// and the next one's time just after Last.fm answers, and the answers
	// below are read in one moment between two attempts.
	var q queueDoc
	var s statusDoc
	waitFor(t, "three failed attempts, recorded", func() bool {
		if len(h.scrobbleTimes()) < 3 {
			return false
		}
		q, s = h.queue(), h.status()
		i, ok := q.account("alice")
		return q.Pending == 1 && q.Items[0].Attempts >= 3 && ok && q.Accounts[i].NextAttempt != "" && s.Queue.NextAttempt != ""
	})
	if q.Pending != 1 || q.Items[0].LastError != "HTTP 503 from Last.fm" {
		t.Fatalf("during the outage: %+v", q)
	}
	if i, ok := q.account("alice"); !ok || q.Accounts[i].LastError == "" {
		t.Errorf("account state during the outage: %+v", q.Accounts)
	}
	if s.Queue.Pending != 1 || !strings.Contains(s.Queue.LastError, "503") {
		t.Errorf("status during the outage: %+v", s.Queue)
	}
	clock.Advance(time.Minute) // the outage ends
	waitFor(t, "delivery", func() bool { return len(h.delivered("alice")) == 1 })
	h.settled()
	if q := h.queue(); q.Pending != 0 || q.Dead != 0 {
		t.Errorf("after: %+v", q)
	}
}

// Error 9: the account pauses (marked as needing sign-in, nothing more is
// sent for it) and resumes as soon as it signs in again.
func TestJournalFault9PausesUntilSignIn(t *testing.T) {
	h := newHarness(t, withJournal(fastJournal))
	h.emu.Fail(emulator.Fault{Method: "track.scrobble", Code: 9, Times: 1})
	first := items(1, "a", time.Now().Add(-time.Hour))
	a, _ := h.scrobble(first, "Prefer", "wait=0")
	wantStatus(t, a, 202)
	waitFor(t, "the account marked", func() bool {
		acct, _ := h.m.Accounts.Get("alice")
		return acct.NeedsSignin
	})
	// Still journalled while it waits, and nothing is sent.
	later := items(1, "b", time.Now())
	a, v := h.scrobble(later, "Prefer", "wait=0")
	wantStatus(t, a, 202)
	if v.Queued != 1 {
		t.Fatalf("while paused: %s", a.body)
	}
	steady(t, "track.scrobble calls while paused", 300*time.Millisecond, func() int { return len(h.scrobbleTimes()) })
	q := h.queue()
	if i, _ := q.account("alice"); q.Pending != 2 || !strings.Contains(q.Accounts[i].Paused, "sign in again") {
		t.Fatalf("while paused: %+v", q)
	}
	if s := h.status(); !s.Accounts[0].NeedsSignin {
		t.Errorf("status: %+v", s.Accounts)
	}
	// Sign in again: a new session key.
	h.storeAccount("alice", "alice", h.emu.NewSession("alice"))
	waitFor(t, "delivery after sign-in", func() bool { return len(h.delivered("alice")) == 2 })
	if got := h.delivered("alice"); !slices.Equal(got, []string{"a0", "b0"}) {
		t.Errorf("delivered %v", got)
	}
}

// Error 13 on one item of a 50-item batch: the batch is split and resent
// item by item; 49 are sent, the bad one alone is dead-lettered.
func TestJournalFault13OnOneItemOf50(t *testing.T) {
	h := newHarness(t, withJournal(fastJournal))
	its := items(50, "t", time.Now())
	its[17].Track = "Bad Track"
	h.emu.Fail(emulator.Fault{BadItem: "Bad Track"})
	a, v := h.scrobble(its)
	wantStatus(t, a, 200) // every item answered within the wait
	if v.Accepted != 49 || v.Failed != 1 || v.Scrobbles[17].Status != "failed" || !strings.Contains(v.Scrobbles[17].Error, "13") {
		t.Fatalf("answer: accepted %d failed %d, item 17 %+v", v.Accepted, v.Failed, v.Scrobbles[17])
	}
	if got := h.delivered("alice"); len(got) != 49 || slices.Contains(got, "Bad Track") {
		t.Fatalf("delivered %d: %v", len(got), got)
	}
	if n := len(h.scrobbleTimes()); n != 51 {
		t.Errorf("%d track.scrobble calls, want the batch and 50 single resends", n)
	}
	q := h.queue()
	if q.Pending != 0 || q.Dead != 1 || q.DeadLetters[0].Params["track"] != "Bad Track" || !strings.Contains(q.DeadLetters[0].Reason, "13") {
		t.Fatalf("queue %+v", q)
	}
	if h.status().Upstream.KeyProblem != "" {
		t.Error("a bad item was taken for a broken key")
	}
}

// 13 on every item resent alone, and on the signed probe that carries no
// scrobble: the secret is wrong, not the items. Everything pauses and
// nothing is dead-lettered.
func TestJournalFault13ProvenByTheProbePausesAll(t *testing.T) {
	h := newHarness(t, withJournal(fastJournal))
	h.emu.Fail(emulator.Fault{Code: 13}) // every method, as with a wrong secret
	a, _ := h.scrobble(items(3, "t", time.Now()), "Prefer", "wait=0")
	wantStatus(t, a, 202)
	// The journal's pause, not the upstream's note of the probe's 13,
	// which comes a moment before it.
	waitFor(t, "the key problem", func() bool { return h.queue().KeyProblem != "" })
	if p := h.status().Upstream.KeyProblem; p == "" {
		t.Error("status shows no key problem")
	}
	if n := len(h.scrobbleTimes()); n != 4 {
		t.Errorf("%d calls, want the batch and 3 single resends", n)
	}
	if n := h.emu.Count("auth.getToken"); n != 1 {
		t.Errorf("%d probes, want 1", n)
	}
	if q := h.queue(); q.Pending != 3 || q.Dead != 0 || !strings.Contains(q.KeyProblem, "secret") {
		t.Fatalf("queue %+v", q)
	}
}

// One scrobble answered 13 on its own, with a key that works: that
// scrobble is a dead letter and nothing pauses; before, it paused every
// account and came back first at every start (issue 21, point 8).
func TestJournalFault13OnALoneScrobbleIsADeadLetter(t *testing.T) {
	h := newHarness(t, withJournal(fastJournal))
	h.emu.Fail(emulator.Fault{BadItem: "Bad Track"})
	its := items(1, "t", time.Now())
	its[0].Track = "Bad Track"
	a, v := h.scrobble(its)
	wantStatus(t, a, 200)
	if v.Failed != 1 || !strings.Contains(v.Scrobbles[0].Error, "13") {
		t.Fatalf("answer %s", a.body)
	}
	if n := h.emu.Count("auth.getToken"); n != 1 {
		t.Errorf("%d probes, want 1", n)
	}
	if p := h.status().Upstream.KeyProblem; p != "" {
		t.Fatalf("one bad scrobble was taken for a broken key: %s", p)
	}
	// Every account still sends.
	a, _ = h.scrobble(items(1, "bob", time.Now()), "X-Lastfmd-Account", "bob")
	wantStatus(t, a, 200)
	if q := h.queue(); q.Pending != 0 || q.Dead != 1 || q.KeyProblem != "" {
		t.Fatalf("queue %+v", q)
	}
}

// Error 26 (suspended key): every account pauses, nothing is dead-lettered,
// status shows the key problem; a retry resumes once the key works.
func TestJournalFault26PausesEverything(t *testing.T) {
	h := newHarness(t, withJournal(fastJournal))
	h.emu.Fail(emulator.Fault{Method: "track.scrobble", Code: 26})
	a, v := h.scrobble(items(2, "alice", time.Now()), "Prefer", "wait=0")
	wantStatus(t, a, 202)
	waitFor(t, "the key problem", func() bool { return h.status().Upstream.KeyProblem != "" })
	a, _ = h.scrobble(items(1, "bob", time.Now()), "Prefer", "wait=0", "X-Lastfmd-Account", "bob")
	wantStatus(t, a, 202)
	calls := func() int { return len(h.scrobbleTimes()) }
	steady(t, "track.scrobble calls while paused", 300*time.Millisecond, calls)
	s := h.status()
	if s.Queue.Pending != 3 || s.Queue.Dead != 0 || !strings.Contains(s.Upstream.KeyProblem, "26") || s.Queue.LastError == "" {
		t.Fatalf("status %+v", s)
	}
	q := h.queue()
	if i, ok := q.account("bob"); !ok || !strings.Contains(q.Accounts[i].Paused, "every account is paused") {
		t.Errorf("bob is not paused: %+v", q.Accounts)
	}
	if len(h.delivered("bob")) != 0 {
		t.Error("bob's scrobble went out during the pause")
	}
	// The operator fixes the key and asks for a retry.
	h.emu.ClearFaults()
	r := h.post("/v1/queue/retry", "application/json", idsJSON(v.Scrobbles[0].ID))
	wantStatus(t, r, 200)
	waitFor(t, "delivery after the retry", func() bool {
		return len(h.delivered("alice")) == 2 && len(h.delivered("bob")) == 1
	})
	h.settled()
	if q := h.queue(); q.KeyProblem != "" || q.Pending != 0 {
		t.Errorf("after: %+v", q)
	}
}

// Ignored code 5 (daily limit): the scrobble stays pending, the account
// pauses until 00:00 UTC, and it is sent after midnight.
func TestJournalDailyCapPausesUntilMidnightUTC(t *testing.T) {
	now := time.Now().UTC()
	start := time.Date(now.Year(), now.Month(), now.Day(), 23, 58, 0, 0, time.UTC)
	if start.After(now) {
		start = start.Add(-24 * time.Hour)
	}
	clock := fakeclock.Running(start)
	h := newHarness(t, withJournal(fastJournal), withNow(clock.Now))
	h.emu.SetClock(clock.Now)
	h.emu.Fail(emulator.Fault{Method: "track.scrobble", IgnoreCode: 5, Times: 1})
	a, v := h.scrobble(items(2, "late", clock.Now()), "Prefer", "wait=1")
	wantStatus(t, a, 202) // Last.fm answered, but with the cap: still queued
	if v.Queued != 2 {
		t.Fatalf("answer %s", a.body)
	}
	steady(t, "track.scrobble calls before midnight", 300*time.Millisecond, func() int { return len(h.scrobbleTimes()) })
	q := h.queue()
	i, _ := q.account("alice")
	if q.Pending != 2 || q.Dead != 0 || !strings.Contains(q.Accounts[i].Paused, "daily scrobble limit") ||
		!strings.Contains(q.Accounts[i].Paused, "T00:00:00Z") {
		t.Fatalf("before midnight: %+v", q)
	}
	clock.Advance(3 * time.Minute) // 00:01 UTC
	waitFor(t, "delivery after midnight", func() bool { return len(h.delivered("alice")) == 2 })
	if n := len(h.scrobbleTimes()); n != 2 {
		t.Errorf("%d calls, want the capped one and one after midnight", n)
	}
}

// A scrobble older than scrobble.max_age when it can finally be sent is
// dead-lettered unsent.
func TestJournalMaxAgeAtSendTime(t *testing.T) {
	clock := fakeclock.Running(time.Now())
	h := newHarness(t, withJournal(fastJournal), withNow(clock.Now))
	h.emu.Stop()
	maxAge := h.m.Config.Scrobble.MaxAge.Duration
	old := []scrobbleItem{{Artist: "A", Track: "almost too old", Timestamp: clock.Now().Add(-maxAge + time.Minute).Unix()},
		{Artist: "A", Track: "recent", Timestamp: clock.Now().Add(-time.Hour).Unix()}}
	a, _ := h.scrobble(old, "Prefer", "wait=0")
	wantStatus(t, a, 202)
	clock.Advance(2 * time.Minute)
	waitFor(t, "the dead letter", func() bool { return h.queue().Dead == 1 })
	q := h.queue()
	if q.Pending != 1 || q.DeadLetters[0].Params["track"] != "almost too old" || !strings.Contains(q.DeadLetters[0].Reason, "max_age") {
		t.Fatalf("queue %+v", q)
	}
	h.emu.Start()
	waitFor(t, "delivery", func() bool { return len(h.delivered("alice")) == 1 })
	if got := h.delivered("alice"); got[0] != "recent" {
		t.Errorf("delivered %v", got)
	}
}

// Error 29: the sender waits for the limiter's global back-off, then sends.
func TestJournalFault29WaitsForGlobalBackoff(t *testing.T) {
	h := newHarness(t, withJournal(fastJournal))
	h.m.Upstream.Limiter().BackoffBase = 300 * time.Millisecond
	h.emu.Fail(emulator.Fault{Method: "track.scrobble", Code: 29, Times: 1})
	a, _ := h.scrobble(items(1, "r", time.Now()), "Prefer", "wait=0")
	wantStatus(t, a, 202)
	waitFor(t, "delivery", func() bool { return len(h.delivered("alice")) == 1 })
	at := h.scrobbleTimes()
	if len(at) != 2 || at[1].Sub(at[0]) < 300*time.Millisecond {
		t.Errorf("calls at %v: the retry did not wait out the global back-off", at)
	}
}

// The rest of the table, one code at a time: what the sender does with
// each class (docs/design.md#reliability-rules, scrobbles column).
func TestJournalFaultTable(t *testing.T) {
	cases := []struct {
		name      string
		fault     emulator.Fault
		delivered bool   // eventually delivered
		dead      string // else dead-lettered with this in the reason
		signin    bool   // else paused for sign-in
	}{
		{"11 service offline: retried", emulator.Fault{Code: 11, Times: 2}, true, "", false},
		{"8 operation failed: retried", emulator.Fault{Code: 8, Times: 1}, true, "", false},
		{"2 twice: retried", emulator.Fault{Code: 2, Times: 2}, true, "", false},
		{"2 three times: permanent", emulator.Fault{Code: 2, Times: 3}, false, "error 2", false},
		{"27 deprecated: dead letter", emulator.Fault{Code: 27, Times: 1}, false, "error 27", false},
		{"6 on a lone scrobble: dead letter", emulator.Fault{Code: 6, Times: 1}, false, "error 6", false},
		{"4 with sk: sign in again", emulator.Fault{Code: 4, Times: 1}, false, "", true},
		{"dropped connection: retried", emulator.Fault{Drop: true, Times: 1}, true, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, withJournal(journal.Tuning{BackoffBase: 20 * time.Millisecond, BackoffMax: 100 * time.Millisecond, Poll: 10 * time.Millisecond}))
			c.fault.Method = "track.scrobble"
			h.emu.Fail(c.fault)
			a, _ := h.scrobble(items(1, "x", time.Now()), "Prefer", "wait=0")
			wantStatus(t, a, 202)
			switch {
			case c.delivered:
				waitFor(t, "delivery", func() bool { return len(h.delivered("alice")) == 1 })
				h.settled()
			case c.dead != "":
				waitFor(t, "the dead letter", func() bool { return h.queue().Dead == 1 })
				if q := h.queue(); !strings.Contains(q.DeadLetters[0].Reason, c.dead) || q.Pending != 0 {
					t.Errorf("queue %+v", q)
				}
			case c.signin:
				waitFor(t, "the sign-in pause", func() bool { acct, _ := h.m.Accounts.Get("alice"); return acct.NeedsSignin })
				if q := h.queue(); q.Pending != 1 || q.Dead != 0 {
					t.Errorf("queue %+v", q)
				}
			}
		})
	}
}
