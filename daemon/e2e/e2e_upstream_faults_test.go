package e2e_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/emulator"
)

// notLastfm are the answers a captive portal or broken proxy gives.
var notLastfm = []emulator.AnswerFault{
	emulator.AnswerHTML, emulator.AnswerEmpty, emulator.AnswerTruncated,
	emulator.AnswerWrongShape, emulator.AnswerRedirect,
}

// A read answered by something that is not Last.fm gets a 502 in
// Last.fm's shape, in the request's format, and nothing is cached.
func TestNotLastfmAnswersAre502(t *testing.T) {
	h := newHarness(t, withFastRetries(0))
	for i, fault := range notLastfm {
		for j, ep := range []struct{ path, want string }{
			{"/2.0/?method=artist.getInfo&format=json&artist=", `{"error":11,"message":"`},
			{"/2.0/?method=artist.getInfo&artist=", `<lfm status="failed">` + "\n" + `<error code="11">`},
			{"/v1/artist.getInfo?artist=", `{"error":11,"message":"`},
		} {
			path := ep.path + url.QueryEscape(string(fault)) + string(rune('a'+i)) + string(rune('0'+j)) // a key of its own
			h.emu.Fail(emulator.Fault{Method: "artist.getInfo", Answer: fault})
			a := h.get(path)
			if a.status != 502 || !strings.Contains(a.body, ep.want) || a.header.Get("X-Lastfmd-Cache") == "HIT" {
				t.Errorf("%s %s: %d %s %.200q", fault, path, a.status, a.header.Get("X-Lastfmd-Cache"), a.body)
			}
			if strings.Contains(a.body, "internal error") {
				t.Errorf("%s: internal error: %s", fault, a.body)
			}
			h.emu.ClearFaults()
			before := h.emu.Count("artist.getInfo")
			a = h.get(path)
			if a.status != 200 || a.header.Get("X-Lastfmd-Cache") != "MISS" || h.emu.Count("artist.getInfo") != before+1 {
				t.Errorf("%s %s after the fault: %d %s (the bad answer was cached?)", fault, path, a.status, a.header.Get("X-Lastfmd-Cache"))
			}
		}
	}
	if !strings.Contains(h.logs.String(), "level=WARN msg=\"no usable answer from Last.fm\"") {
		t.Error("no warning logged")
	}
}

// An oversized answer is refused once: fetching it again would read as much again.
func TestOversizedAnswerNotRetried(t *testing.T) {
	h := newHarness(t, withFastRetries(0))
	h.emu.Fail(emulator.Fault{Method: "artist.getInfo", Answer: emulator.AnswerOversize})
	a := h.get("/2.0/?method=artist.getInfo&artist=Cher&format=json")
	if a.status != 502 || !strings.Contains(a.body, `"error":8`) || !strings.Contains(a.body, "larger than") {
		t.Errorf("oversize: %d %s", a.status, a.body)
	}
	if n := h.emu.Count("artist.getInfo"); n != 1 {
		t.Errorf("the oversized answer was fetched %d times", n)
	}
	h.emu.ClearFaults()
	wantStatus(t, h.get("/2.0/?method=artist.getInfo&artist=Cher&format=json"), 200)
}

// Where the cache has an expired answer, a non-answer or a hang serves it
// stale; without one, a hang is a 504 in Last.fm's shape, logged as a
// warning, never "internal error".
func TestHangAndNonAnswerServeStaleElse504(t *testing.T) {
	clock := newFakeClock()
	h := newHarness(t, withClock(clock), withFastRetries(time.Second)) // a hang ends at 1 s; a busy machine still answers in it
	first := h.get("/v1/chart.getTopArtists")
	wantStatus(t, first, 200)
	clock.Advance(31 * time.Minute) // the medium tier (30 m) expired
	for _, f := range []emulator.Fault{
		{Method: "chart.getTopArtists", Answer: emulator.AnswerHTML},
		{Method: "chart.getTopArtists", Answer: emulator.AnswerTruncated},
		{Method: "chart.getTopArtists", Hang: true},
	} {
		h.emu.Fail(f)
		a := h.get("/v1/chart.getTopArtists")
		if a.status != 200 || a.header.Get("X-Lastfmd-Cache") != "STALE" || a.body != first.body {
			t.Errorf("%+v: %d %s %s", f, a.status, a.header.Get("X-Lastfmd-Cache"), a.body)
		}
		h.emu.ClearFaults()
	}
	h.emu.Fail(emulator.Fault{Hang: true})
	for _, path := range []string{"/v1/artist.getInfo?artist=Cher", "/2.0/?method=artist.getInfo&artist=Cher&format=json"} {
		a := h.get(path)
		if a.status != 504 || !strings.Contains(a.body, `"error":11`) || !strings.Contains(a.body, "did not answer in time") {
			t.Errorf("hang %s: %d %s", path, a.status, a.body)
		}
	}
	h.emu.ClearFaults()
	logs := h.logs.String()
	if strings.Contains(logs, "internal error") || strings.Contains(logs, "level=ERROR") {
		t.Errorf("a hang logged as an error:\n%s", logs)
	}
	if !strings.Contains(logs, "level=WARN msg=\"no usable answer from Last.fm\"") {
		t.Error("the hang was not logged as a warning")
	}
}

// Scrobbles answered by something that is not Last.fm stay queued and are
// retried with back-off until Last.fm answers: none is lost or dead-lettered.
func TestScrobblesSurviveNonAnswers(t *testing.T) {
	faults := append([]emulator.AnswerFault{emulator.AnswerUnexpected, emulator.AnswerOversize}, notLastfm...)
	for _, fault := range faults {
		t.Run(string(fault), func(t *testing.T) {
			h := newHarness(t, withJournal(fastJournal))
			h.emu.Fail(emulator.Fault{Method: "track.scrobble", Answer: fault, Times: 2})
			its := items(1, string(fault), time.Now())
			a, _ := h.scrobble(its, "Prefer", "wait=0")
			wantStatus(t, a, 202)
			waitFor(t, "the third attempt", func() bool { return h.emu.Count("track.scrobble") >= 3 })
			h.settled()
			q := h.queue()
			if q.Dead != 0 || q.Pending != 0 {
				t.Errorf("queue %+v", q)
			}
			got := h.delivered("alice")
			want := 1
			if fault == emulator.AnswerTruncated {
				want = 3 // at-least-once: each cut answer followed a recorded scrobble
			}
			if len(got) != want {
				t.Errorf("delivered %v, want %d", got, want)
			}
		})
	}
}

// A failed scrobble send records why, and the next attempt waits: the
// queue says so while the non-answers last.
func TestScrobbleNonAnswerShownInQueue(t *testing.T) {
	h := newHarness(t, withJournal(fastJournal))
	h.emu.Fail(emulator.Fault{Method: "track.scrobble", Answer: emulator.AnswerRedirect})
	a, _ := h.scrobble(items(1, "r", time.Now()), "Prefer", "wait=0")
	wantStatus(t, a, 202)
	waitFor(t, "two attempts", func() bool { return h.emu.Count("track.scrobble") >= 2 })
	q := h.queue()
	if q.Pending != 1 || q.Dead != 0 || !strings.Contains(q.Items[0].LastError, "redirect") {
		t.Errorf("queue during redirects: %+v", q)
	}
	h.emu.ClearFaults()
	h.settled()
	if q := h.queue(); q.Dead != 0 || len(h.delivered("alice")) != 1 {
		t.Errorf("after: %+v", q)
	}
}

// An upstream that echoes the request hands sk and api_sig back: neither
// reaches an answer, /v1/status, the queue, its export, a dead letter's
// reason or a log line.
func TestEchoedSecretsNeverReachClients(t *testing.T) {
	h := newHarness(t, withJournal(fastJournal), withFastRetries(0))
	h.emu.Fail(emulator.Fault{Answer: emulator.AnswerEcho})
	// A signed read: the echo is Last.fm's error 6, passed on.
	a := h.get("/2.0/?method=user.getInfo&format=json", "X-Lastfmd-Account", "alice")
	if a.status != 400 || !strings.Contains(a.body, `"error":6`) || !strings.Contains(a.body, "api_sig=REDACTED") || !strings.Contains(a.body, "sk=REDACTED") {
		t.Errorf("echoed read: %d %s", a.status, a.body)
	}
	// A scrobble: 6 alone is a bad item, dead-lettered with the echo as reason.
	sa, _ := h.scrobble(items(1, "echo", time.Now()), "Prefer", "wait=0")
	wantStatus(t, sa, 202)
	waitFor(t, "the dead letter", func() bool { return h.m.Journal.Stats().Dead == 1 })
	q := h.get("/v1/queue")
	st := h.get("/v1/status")
	exp := h.get("/v1/queue/export")
	wantContains(t, q.body, "REDACTED")
	wantContains(t, st.body, "REDACTED")
	texts := map[string]string{"answer": a.body, "queue": q.body, "status": st.body, "export": exp.body, "logs": h.logs.String()}
	for _, r := range h.emu.Requests() {
		sig := r.Params["api_sig"]
		if sig == "" {
			continue
		}
		for where, text := range texts {
			if strings.Contains(text, sig) {
				t.Errorf("an api_sig reached %s", where)
			}
		}
	}
	// h.get checked every body and header for the secret, session keys and token.
}

// A malformed query string is refused with a 400 naming the parameter; the
// write is never signed nor sent.
func TestMalformedQueryStringIs400(t *testing.T) {
	h := newHarness(t)
	for _, c := range []struct{ path, want string }{
		{"/2.0/?method=track.love&artist=%zz&track=T&format=json", `parameter \"artist\" has bad percent-encoding`},
		{"/2.0/?method=track.love&artist=A;track=T&format=json", `parameter \"artist\" holds a \";\"`},
		{"/v1/track.love?artist=%zz&track=T", `parameter \"artist\" has bad percent-encoding`},
		{"/2.0/?method=track.love&track=T&format=json&artist=%", `parameter \"artist\"`},
	} {
		a := h.post(c.path, "application/x-www-form-urlencoded", "")
		if a.status != 400 || !strings.Contains(a.body, `"error":6`) || !strings.Contains(a.body, c.want) {
			t.Errorf("%s: %d %s", c.path, a.status, a.body)
		}
	}
	if n := h.emu.Count("track.love"); n != 0 {
		t.Errorf("%d track.love sent from malformed requests", n)
	}
}

// A read with a huge parameter reaches Last.fm as a POST body, never as a
// megabyte URL.
func TestLongReadGoesByPOST(t *testing.T) {
	h := newHarness(t)
	artist := strings.Repeat("a", 500<<10)
	a := h.postForm("/2.0/", url.Values{"method": {"artist.getInfo"}, "artist": {artist}, "format": {"json"}})
	wantStatus(t, a, 200)
	r := h.last("artist.getInfo")
	if r.HTTPMethod != "POST" || r.RawQuery != "" || r.Params["artist"] != artist {
		t.Errorf("sent as %s with a %d-byte query", r.HTTPMethod, len(r.RawQuery))
	}
}

// A scrobble send that hangs ends at timeout, stays queued and goes again:
// delivered once Last.fm answers, /v1/status naming the hang meanwhile.
func TestScrobbleSurvivesHang(t *testing.T) {
	h := newHarness(t, withJournal(fastJournal), withFastRetries(time.Second)) // a hang ends at 1 s; a busy machine still answers in it
	h.emu.Fail(emulator.Fault{Method: "track.scrobble", Hang: true, Times: 2})
	a, _ := h.scrobble(items(1, "hang", time.Now()), "Prefer", "wait=0")
	wantStatus(t, a, 202)
	waitFor(t, "the second hung attempt", func() bool { return h.emu.Count("track.scrobble") >= 2 })
	h.settled()
	if q := h.queue(); q.Dead != 0 || len(h.delivered("alice")) != 1 {
		t.Errorf("after the hang: %+v, delivered %v", q, h.delivered("alice"))
	}
	if strings.Contains(h.logs.String(), "level=ERROR") {
		t.Errorf("a hang logged as an error:\n%s", h.logs.String())
	}
}
