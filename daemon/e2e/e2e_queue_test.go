package e2e_test

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/emulator"
	"github.com/lastfmd/lastfmd/daemon/journal"
)

// GET /v1/queue, POST /v1/queue/retry|drop, /v1/queue/export, and the
// counts in /v1/status and /metrics.
func TestQueueEndpoints(t *testing.T) {
	h := newHarness(t, withJournal(fastJournal))
	h.emu.Stop()
	its := items(3, "q", time.Now())
	a, v := h.scrobble(its, "Prefer", "wait=0")
	wantStatus(t, a, 202)
	ids := []uint64{v.Scrobbles[0].ID, v.Scrobbles[1].ID, v.Scrobbles[2].ID}
	waitFor(t, "a failed attempt", func() bool { return h.queue().Items[0].Attempts > 0 })

	q := h.queue()
	i, ok := q.account("alice")
	if !ok || q.Pending != 3 || len(q.Items) != 3 || q.Accounts[i].Pending != 3 || q.Accounts[i].NextAttempt == "" ||
		!strings.Contains(q.Accounts[i].LastError, "unreachable") || q.Items[0].Params["track"] != "q0" {
		t.Fatalf("queue %+v", q)
	}
	s := h.status()
	if s.Queue.Pending != 3 || s.Queue.NextAttempt == "" || s.Queue.LastError == "" || s.Queue.OldestPendingSeconds < 0 {
		t.Errorf("status %+v", s.Queue)
	}
	m := h.get("/metrics")
	wantContains(t, m.body, `lastfmd_queue_pending{account="alice",destination="lastfm"} 3`, `lastfmd_queue_dead{account="alice",destination="lastfm"} 0`)

	// Drop one; a forced logout of bob dead-letters his pending scrobble.
	r := h.post("/v1/queue/drop", "application/json", idsJSON(ids[2], 424242))
	wantStatus(t, r, 200)
	wantContains(t, r.body, `"result":"dropped"`, `"result":"unknown"`)
	a, bv := h.scrobble(items(1, "bob", time.Now()), "Prefer", "wait=0", "X-Lastfmd-Account", "bob")
	wantStatus(t, a, 202)
	d := h.del("/v1/auth/accounts/bob")
	if d.status == 404 && strings.Contains(d.body, "no such endpoint") {
		t.Skip("no logout endpoint in this tree")
	}
	if d.status < 400 || !strings.Contains(d.body, "--force") {
		t.Fatalf("logout with a pending scrobble: %d %s", d.status, d.body)
	}
	d = h.del("/v1/auth/accounts/bob?force=1")
	wantStatus(t, d, 200)
	q = h.queue()
	if q.Pending != 2 || q.Dead != 1 || q.DeadLetters[0].ID != bv.Scrobbles[0].ID || !strings.Contains(q.DeadLetters[0].Reason, "logged out") {
		t.Fatalf("after drop and forced logout: %+v", q)
	}
	m = h.get("/metrics")
	wantContains(t, m.body, `lastfmd_queue_dead{account="bob",destination="lastfm"} 1`, `lastfmd_scrobbles_sent_total{account="bob",destination="lastfm",result="failed"} 1`)

	// Export: every journalled item as a JSON line.
	e := h.get("/v1/queue/export")
	wantStatus(t, e, 200)
	lines := strings.Split(strings.TrimSpace(e.body), "\n")
	if len(lines) != 3 || !strings.HasPrefix(e.header.Get("Content-Type"), "application/x-ndjson") {
		t.Fatalf("export %q", e.body)
	}
	for _, l := range lines {
		var x journal.ExportLine
		if err := json.Unmarshal([]byte(l), &x); err != nil || x.Item == nil {
			t.Errorf("export line %q: %v", l, err)
		}
	}

	// Bob signs in again and his dead letter is retried; alice's two go
	// when Last.fm is back.
	h.storeAccount("bob", "bob", h.skBob)
	r = h.post("/v1/queue/retry", "application/json", `{"ids":["`+itoa(bv.Scrobbles[0].ID)+`"]}`)
	wantStatus(t, r, 200)
	wantContains(t, r.body, `"result":"retrying"`)
	h.emu.Start()
	waitFor(t, "delivery", func() bool { return len(h.delivered("alice")) == 2 && len(h.delivered("bob")) == 1 })
	h.settled()
	if got := h.delivered("alice"); !slices.Equal(got, []string{"q0", "q1"}) {
		t.Errorf("alice's delivered %v", got)
	}

	// Bad requests get Last.fm-shaped 4xx answers.
	for _, c := range []struct{ path, body, msg string }{
		{"/v1/queue/retry", `{"ids":[]}`, "no ids"},
		{"/v1/queue/retry", `{"ids":[-1, "x", 0]}`, "ids[0]"},
		{"/v1/queue/drop", `{"id":[1]}`, "send a JSON object"},
		{"/v1/queue/drop", `nope`, "send a JSON object"},
	} {
		r := h.post(c.path, "application/json", c.body)
		wantStatus(t, r, 400)
		wantContains(t, r.body, `"error":6`, c.msg)
	}
	wantStatus(t, h.get("/v1/queue?limit=x"), 400)
	if a := h.post("/v1/queue", "application/json", `{}`); a.status < 400 || a.status > 499 {
		t.Errorf("POST /v1/queue: %d %s", a.status, a.body)
	}
}

func itoa(n uint64) string { return strings.TrimSpace(jsonOf(n)) }

// Idempotent writes Last.fm could not be reached for are journalled and
// replayed: 202 on /v1/, 200 with Last.fm's empty ok body and
// X-Lastfmd-Queued on /2.0/. Now playing is never journalled.
func TestQueueIdempotentWritesJournalled(t *testing.T) {
	h := newHarness(t, withJournal(fastJournal), noRetries)
	h.emu.Stop()
	a := h.post("/v1/track.love", "application/json", `{"artist":"Cher","track":"Believe"}`)
	wantStatus(t, a, 202)
	wantContains(t, a.body, `"queued":1`, `"method":"track.love"`)
	a = h.postForm("/2.0/", url.Values{"method": {"artist.addTags"}, "artist": {"Cher"}, "tags": {"diva"}, "sk": {"alice"}})
	wantStatus(t, a, 200)
	if a.header.Get("X-Lastfmd-Queued") != "1" || !strings.Contains(a.body, `<lfm status="ok"></lfm>`) {
		t.Fatalf("/2.0/ queued write: %v %s", a.header, a.body)
	}
	a = h.postForm("/2.0/", url.Values{"method": {"track.unlove"}, "artist": {"A"}, "track": {"B"}, "format": {"json"}})
	wantStatus(t, a, 200)
	if a.header.Get("X-Lastfmd-Queued") != "1" || strings.TrimSpace(a.body) != "{}" {
		t.Fatalf("/2.0/ queued json write: %s", a.body)
	}
	a = h.post("/v1/track.updateNowPlaying", "application/json", `{"artist":"Cher","track":"Believe"}`)
	if a.status < 500 {
		t.Fatalf("now playing with Last.fm down: %d %s", a.status, a.body)
	}
	q := h.queue()
	if q.Pending != 3 {
		t.Fatalf("queue %+v", q)
	}
	for _, it := range q.Items {
		if it.Method == "track.updateNowPlaying" {
			t.Error("now playing was journalled")
		}
		if _, leaked := it.Params["sk"]; leaked {
			t.Error("a journalled write kept sk")
		}
	}
	h.emu.Start()
	waitFor(t, "replay", func() bool {
		return slices.Contains(h.emu.Loved("alice"), "Cher - Believe") && len(h.emu.Tags("alice")) == 1
	})
	h.settled()
	if h.emu.NowPlaying("alice") != nil {
		t.Error("now playing was replayed")
	}
	// A Last.fm error is a verdict, not an outage: never journalled.
	h.emu.Fail(emulator.Fault{Method: "track.love", Code: 6, Times: 1})
	a = h.post("/v1/track.love", "application/json", `{"artist":"X","track":"Y"}`)
	wantContains(t, a.body, `"error":6`)
	if q := h.queue(); q.Pending != 0 {
		t.Errorf("a refused write was journalled: %+v", q)
	}
}

// A clock more than 2 minutes off Last.fm's Date is warned about once and
// shown in status.
func TestJournalClockSkewWarned(t *testing.T) {
	h := newHarness(t, withJournal(fastJournal))
	h.emu.SetClock(func() time.Time { return time.Now().Add(-5 * time.Minute) })
	for range 3 {
		wantStatus(t, h.get("/v1/artist.getInfo?artist=Cher", "Cache-Control", "no-cache"), 200)
	}
	if s := h.status(); s.Upstream.ClockSkewSeconds < 290 || s.Upstream.ClockSkewSeconds > 310 {
		t.Errorf("clock_skew_seconds %d", s.Upstream.ClockSkewSeconds)
	}
	if n := strings.Count(h.logs.String(), "clock is off"); n != 1 {
		t.Errorf("warned %d times, want once:\n%s", n, h.logs.String())
	}
}
