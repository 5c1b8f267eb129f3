package e2e_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/emulator"
)

// holdScrobble makes the emulator hold the next track.scrobble until the
// returned release is called: a slow Last.fm whose answer the test times.
func (h *harness) holdScrobble() (release func()) {
	hold := make(chan struct{})
	h.emu.Fail(emulator.Fault{Method: "track.scrobble", Hold: hold, Times: 1})
	return func() { close(hold) }
}

// A forced sign-out and a drop during a send wait for Last.fm's answer and
// act on it: a batch Last.fm recorded is settled as sent and counted, never
// a dead letter "before it was sent" that a retry would send twice, nor
// "dropped" with its deduplication gone (issue 21, point 3).
func TestOperatorActionsDuringASendActOnTheAnswer(t *testing.T) {
	h := newHarness(t, withJournal(fastJournal))
	sentCalls := func() int { return h.emu.Count("track.scrobble") }

	// bob: two scrobbles held at Last.fm, then logout --force.
	release := h.holdScrobble()
	bobs := items(2, "bob", time.Now())
	a, _ := h.scrobble(bobs, "Prefer", "wait=0", "X-Lastfmd-Account", "bob")
	wantStatus(t, a, 202)
	waitFor(t, "bob's batch at Last.fm", func() bool { return sentCalls() == 1 })
	logout := make(chan answer, 1)
	go func() { logout <- h.del("/v1/auth/accounts/bob?force=1") }()
	release()
	wantStatus(t, <-logout, 200)
	q := h.queue()
	i, ok := q.account("bob")
	if q.Dead != 0 || q.Pending != 0 || !ok || q.Accounts[i].ScrobblesToday != 2 {
		t.Fatalf("after a forced logout during the send: %+v", q)
	}
	// bob signs in again: nothing is dead, nothing is sent again.
	h.storeAccount("bob", "bob", h.skBob)
	if got := h.delivered("bob"); len(got) != 2 {
		t.Fatalf("bob's scrobbles at Last.fm: %v", got)
	}

	// alice: one scrobble held, then queue drop.
	release = h.holdScrobble()
	its := items(1, "alice", time.Now())
	a, v := h.scrobble(its, "Prefer", "wait=0")
	wantStatus(t, a, 202)
	waitFor(t, "alice's batch at Last.fm", func() bool { return sentCalls() == 2 })
	drop := make(chan answer, 1)
	go func() { drop <- h.post("/v1/queue/drop", "application/json", idsJSON(v.Scrobbles[0].ID)) }()
	release()
	d := <-drop
	wantStatus(t, d, 200)
	if !strings.Contains(d.body, `"result":"sent"`) {
		t.Fatalf("drop during the send answered %s; Last.fm recorded the scrobble", d.body)
	}
	// Resubmitted, it is the same scrobble: not sent again.
	a, again := h.scrobble(its)
	wantStatus(t, a, 200)
	if !again.Scrobbles[0].Duplicate {
		t.Fatalf("resubmitted after the drop: %s", a.body)
	}
	h.settled()
	if got := h.delivered("alice"); len(got) != 1 || sentCalls() != 2 {
		t.Fatalf("alice's scrobbles at Last.fm: %v (%d calls)", got, sentCalls())
	}
	if q := h.queue(); q.Accounts[0].Account != "alice" || q.Accounts[0].ScrobblesToday != 1 {
		t.Errorf("scrobbles today: %+v", q.Accounts)
	}
}

// Two scrobbles whose names differ only in where a NUL falls are two
// scrobbles, on /v1/ and /2.0/ alike, and reach Last.fm as given
// (issue 21, point 5).
func TestScrobblesWithControlCharactersAreNotMerged(t *testing.T) {
	h := newHarness(t, withJournal(fastJournal))
	ts := time.Now().Add(-time.Hour).Unix()
	its := []scrobbleItem{{Artist: "A", Track: "B\x00C", Timestamp: ts}, {Artist: "A\x00B", Track: "C", Timestamp: ts}}
	a, v := h.scrobble(its)
	wantStatus(t, a, 200)
	if v.Accepted != 2 || v.Scrobbles[1].Duplicate {
		t.Fatalf("/v1/: %s", a.body)
	}
	ts2 := strconv.FormatInt(ts+60, 10)
	a = h.postForm("/2.0/", url.Values{"method": {"track.scrobble"}, "format": {"json"},
		"artist[0]": {"A"}, "track[0]": {"B\x01C"}, "timestamp[0]": {ts2},
		"artist[1]": {"A\x01B"}, "track[1]": {"C"}, "timestamp[1]": {ts2}})
	wantStatus(t, a, 200)
	wantContains(t, a.body, `"accepted":2`)
	h.settled()
	got := map[string]bool{}
	for _, s := range h.emu.Scrobbles("alice") {
		got[s.Artist+"|"+s.Track] = true
	}
	for _, want := range []string{"A|B\x00C", "A\x00B|C", "A|B\x01C", "A\x01B|C"} {
		if !got[want] {
			t.Errorf("Last.fm lacks %q; has %v", want, got)
		}
	}
}
