package e2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/daemon/emulator"
	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// A client that hangs up before Last.fm answers is logged as that, at
// debug level, and is not counted against Last.fm: no warning blaming it,
// no failure in /v1/status, a "canceled" call in the metrics. Last.fm
// hangs and lastfmd's own timeout is the tests' longest wait, so only the
// client's hang-up ends each call.
func TestClientHangUpNotBlamedOnLastfm(t *testing.T) {
	h := newHarness(t, withTimeout(waitfor.Bound), withFastRetries(0))
	const hungUp = `level=DEBUG msg="client hung up before the answer"`

	// A direct write: the client's hang-up ends lastfmd's call to Last.fm.
	h.emu.Fail(emulator.Fault{Method: "track.updateNowPlaying", Hang: true, Times: 1})
	h.hangUp("/v1/track.updateNowPlaying", "track.updateNowPlaying", `{"artist":"A","track":"T"}`)
	if n := strings.Count(h.logs.String(), hungUp); n != 1 {
		t.Errorf("%d hang-up lines, want 1:\n%s", n, h.logs)
	}
	var st struct {
		Upstream struct {
			Errors      uint64 `json:"errors"`
			LastError   string `json:"last_error"`
			LastFailure string `json:"last_failure"`
		} `json:"upstream"`
	}
	a := h.get("/v1/status")
	wantStatus(t, a, 200)
	if err := json.Unmarshal([]byte(a.body), &st); err != nil {
		t.Fatal(err)
	}
	if u := st.Upstream; u.Errors != 0 || u.LastError != "" || u.LastFailure != "" {
		t.Errorf("the hang-up was counted against Last.fm: %+v", u)
	}
	fams := scrapeMetrics(t, h) // e2e_metrics_test.go
	for _, c := range []struct {
		fam    string
		labels map[string]string
		want   float64
	}{
		{"lastfmd_upstream_calls_total", map[string]string{"method": "track.updateNowPlaying", "outcome": "canceled"}, 1},
		{"lastfmd_upstream_calls_total", map[string]string{"method": "track.updateNowPlaying", "outcome": "transport"}, 0},
		{"lastfmd_requests_total", map[string]string{"route": "/v1/", "class": "4xx", "code": "499"}, 1},
		{"lastfmd_requests_total", map[string]string{"route": "/v1/", "class": "5xx", "code": "504"}, 0},
	} {
		got := 0.0
		if m := sample(fams[c.fam], c.labels); m != nil {
			got = value(m)
		}
		if got != c.want {
			t.Errorf("%s %v = %v, want %v", c.fam, c.labels, got, c.want)
		}
	}

	// A read: the fetch goes on for other callers, the client's wait ends.
	h.emu.Fail(emulator.Fault{Method: "artist.getInfo", Hang: true, Times: 1})
	h.hangUp("/v1/artist.getInfo?artist=Cher", "artist.getInfo", "")
	if n := strings.Count(h.logs.String(), hungUp); n != 2 {
		t.Errorf("%d hang-up lines, want 2:\n%s", n, h.logs)
	}
	if strings.Contains(h.logs.String(), "no usable answer from Last.fm") {
		t.Errorf("a hang-up blamed on Last.fm:\n%s", h.logs)
	}
	// Let the read's fetch end (Last.fm down, then back) so it does not
	// outlive the test; the next reader gets its answer.
	if err := h.emu.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := h.emu.Start(); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, h.get("/v1/artist.getInfo?artist=Cher"), 200)
}

// hangUp sends a request (a POST when body is set) and hangs up once
// Last.fm has received method, then waits for lastfmd to finish it.
func (h *harness) hangUp(path, method, body string) {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	verb, ctype := http.MethodGet, ""
	if body != "" {
		verb, ctype = http.MethodPost, "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, verb, h.url+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	before := h.emu.Count(method)
	done := make(chan error, 1)
	go func() {
		resp, err := h.hc.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	waitFor(h.t, "Last.fm to receive "+method, func() bool { return h.emu.Count(method) > before })
	requests := strings.Count(h.logs.String(), "msg=request ")
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		h.t.Fatalf("%s was answered before the hang-up: %v", path, err)
	}
	waitFor(h.t, "lastfmd to finish "+path, func() bool { return strings.Count(h.logs.String(), "msg=request ") > requests })
}
