package emulator

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/fakeclock"
	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

func TestFaultCodes(t *testing.T) {
	s := newTestServer(t, Options{})
	read := func(format string) reply {
		return do(t, s, "GET", unsignedP(s, P{"method": "artist.getInfo", "artist": "Cher", "format": format}))
	}
	for _, c := range []struct{ code, status int }{{2, 400}, {8, 500}, {9, 403}, {11, 503}, {13, 400}, {16, 503}, {26, 403}, {29, 429}} {
		for _, format := range []string{"xml", "json"} {
			s.Fail(Fault{Method: "artist.getinfo", Code: c.code, Times: 1})
			r := read(format)
			if r.status != c.status || errorCode(t, r) != c.code {
				t.Errorf("code %d %s: %d %s", c.code, format, r.status, r.body)
			}
			if r := read(format); r.status != 200 {
				t.Errorf("code %d: Times 1 not consumed: %s", c.code, r.body)
			}
		}
	}
	// Other methods are not affected; a Code with HTTPStatus overrides the status.
	s.Fail(Fault{Method: "track.getInfo", Code: 6, HTTPStatus: 200})
	if r := read("json"); r.status != 200 || errorCode(t, r) != 0 {
		t.Errorf("unrelated method faulted: %s", r.body)
	}
	r := do(t, s, "GET", unsignedP(s, P{"method": "track.getInfo", "artist": "A", "track": "B"}))
	if r.status != 200 || errorCode(t, r) != 6 {
		t.Errorf("Code+HTTPStatus: %d %s", r.status, r.body)
	}
	s.ClearFaults()
	if len(s.Faults()) != 0 {
		t.Error("ClearFaults")
	}
	// Times: 2 requests, then normal.
	s.Fail(Fault{Code: 16, Times: 2})
	for i, want := range []int{16, 16, 0} {
		if got := errorCode(t, read("json")); got != want {
			t.Errorf("request %d: code %d want %d", i, got, want)
		}
	}
	// FIFO: the first matching fault is consumed first.
	s.Fail(Fault{Code: 11, Times: 1})
	s.Fail(Fault{Code: 29, Times: 1})
	if a, b := errorCode(t, read("json")), errorCode(t, read("json")); a != 11 || b != 29 {
		t.Errorf("FIFO: %d %d", a, b)
	}
}

func TestFaultUntil(t *testing.T) {
	clock := fakeclock.New(time.Unix(1700000000, 0))
	s := newTestServer(t, Options{Now: clock.Now})
	s.Fail(Fault{Code: 11, Until: clock.Now().Add(time.Minute)})
	read := func() int {
		return errorCode(t, do(t, s, "GET", unsignedP(s, P{"method": "chart.getTopArtists", "format": "json"})))
	}
	if first, second := read(), read(); first != 11 || second != 11 {
		t.Error("fault not applied before Until")
	}
	clock.Advance(time.Minute)
	if got := read(); got != 0 {
		t.Errorf("fault applied after Until: %d", got)
	}
	if len(s.Faults()) != 0 {
		t.Error("expired fault kept")
	}
}

func TestFaultHTTPStatus(t *testing.T) {
	s := newTestServer(t, Options{})
	s.Fail(Fault{HTTPStatus: 502, Times: 1})
	r := do(t, s, "GET", unsignedP(s, P{"method": "chart.getTopArtists", "format": "json"}))
	if r.status != 502 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(r.body, "502 Bad Gateway") {
		t.Errorf("502: %d %q %s", r.status, r.header.Get("Content-Type"), r.body)
	}
}

// A delayed answer is held until the delay ends or the caller gives up.
// The delays are an hour, so "still held" cannot be a matter of timing; the
// release on cancellation is shown by Close, which waits for every handler.
func TestFaultDelay(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []int{0, 11} { // a delay alone, and before an error
		s.Fail(Fault{Delay: time.Hour, Code: code, Times: 1})
		ctx, cancel := context.WithCancel(context.Background())
		req, _ := http.NewRequestWithContext(ctx, "GET", s.URL()+"?method=chart.getTopArtists&api_key="+s.APIKey(), nil)
		answered := make(chan error, 1)
		before := s.Count("chart.getTopArtists")
		go func() {
			resp, err := http.DefaultClient.Do(req)
			if err == nil {
				resp.Body.Close()
			}
			answered <- err
		}()
		waitfor.True(t, "the request to arrive", func() bool { return s.Count("chart.getTopArtists") == before+1 })
		select {
		case err := <-answered:
			t.Fatalf("code %d: answered during the delay (err %v)", code, err)
		default:
		}
		cancel()
		if err := <-answered; err == nil {
			t.Errorf("code %d: a cancelled request got an answer", code)
		}
	}
	// No handler is still sleeping: Close waits for them all.
	closed := make(chan struct{})
	go func() { s.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(waitfor.Bound):
		t.Fatal("Close hung: a cancelled request is held for its whole delay")
	}
}

// A delay that ends answers normally.
func TestFaultShortDelayAnswers(t *testing.T) {
	s := newTestServer(t, Options{})
	s.Fail(Fault{Delay: time.Millisecond, Times: 1})
	if r := do(t, s, "GET", unsignedP(s, P{"method": "chart.getTopArtists"})); r.status != 200 {
		t.Errorf("after a delay: %d %s", r.status, r.body)
	}
}

func TestFaultDrop(t *testing.T) {
	s := newTestServer(t, Options{})
	s.Fail(Fault{Drop: true, Times: 1})
	resp, err := http.PostForm(s.URL(), form(unsignedP(s, P{"method": "chart.getTopArtists"})))
	if err == nil {
		resp.Body.Close()
		t.Fatalf("dropped connection answered %d", resp.StatusCode)
	}
	if s.Count("chart.getTopArtists") != 1 {
		t.Errorf("dropped request not recorded once: %d", s.Count("chart.getTopArtists"))
	}
	r := do(t, s, "POST", unsignedP(s, P{"method": "chart.getTopArtists"}))
	if r.status != 200 {
		t.Errorf("after drop: %d", r.status)
	}
}

func TestFaultIgnoreCode(t *testing.T) {
	s := newTestServer(t, Options{})
	sk := s.NewSession("rj")
	s.Fail(Fault{IgnoreCode: 5, Times: 1})
	// A request refused earlier (bad signature) does not consume the fault.
	bad := batch(2, time.Now().Unix()-600)
	bad["sk"] = sk
	bad["api_key"] = s.APIKey()
	bad["api_sig"] = "nope"
	if r := do(t, s, "POST", bad); errorCode(t, r) != 13 {
		t.Fatalf("bad sig: %s", r.body)
	}
	p := batch(2, time.Now().Unix()-600)
	p["sk"] = sk
	r := do(t, s, "POST", signed(s, p))
	if !strings.Contains(r.body, `<scrobbles accepted="0" ignored="2">`) ||
		strings.Count(r.body, `<ignoredMessage code="5">Daily scrobble limit exceeded</ignoredMessage>`) != 2 {
		t.Errorf("ignored: %s", r.body)
	}
	if len(s.Scrobbles("rj")) != 0 {
		t.Error("ignored scrobbles stored")
	}
	r = do(t, s, "POST", signed(s, p))
	if !strings.Contains(r.body, `accepted="2"`) {
		t.Errorf("after fault: %s", r.body)
	}
	// IgnoreCode on now playing, when named.
	s.Fail(Fault{Method: "track.updateNowPlaying", IgnoreCode: 2, Times: 1})
	r = do(t, s, "POST", signed(s, P{"method": "track.updateNowPlaying", "artist": "A", "track": "B", "sk": sk}))
	if !strings.Contains(r.body, `<ignoredMessage code="2">`) || s.NowPlaying("rj") != nil {
		t.Errorf("now playing ignored: %s", r.body)
	}
}

func TestFaultBadItem(t *testing.T) {
	s := newTestServer(t, Options{})
	sk := s.NewSession("rj")
	s.Fail(Fault{BadItem: "BAD"})
	ts := time.Now().Unix() - 3600
	p := batch(3, ts)
	p["track[1]"] = "BAD"
	p["sk"] = sk
	r := do(t, s, "POST", signed(s, p))
	if r.status != 400 || errorCode(t, r) != 13 {
		t.Fatalf("batch with BAD: %d %s", r.status, r.body)
	}
	// Item by item: the others pass, BAD fails every time.
	for i := range 3 {
		one := P{"method": "track.scrobble", "sk": sk, "artist": p[fmt.Sprintf("artist[%d]", i)],
			"track": p[fmt.Sprintf("track[%d]", i)], "timestamp": p[fmt.Sprintf("timestamp[%d]", i)]}
		want := 0
		if i == 1 {
			want = 13
		}
		if got := errorCode(t, do(t, s, "POST", signed(s, one))); got != want {
			t.Errorf("item %d: code %d, want %d", i, got, want)
		}
	}
	if got := s.Scrobbles("rj"); len(got) != 2 {
		t.Errorf("stored %+v", got)
	}
	if len(s.Faults()) != 1 {
		t.Error("BadItem fault consumed")
	}
	// With Code set, that code.
	s.ClearFaults()
	s.Fail(Fault{BadItem: "A0", Code: 6})
	if got := errorCode(t, do(t, s, "POST", signed(s, p))); got != 6 {
		t.Errorf("BadItem with Code: %d", got)
	}
}

// TestStopStart takes the emulator down and back up on the same port.
func TestStopStart(t *testing.T) {
	s := newTestServer(t, Options{})
	sk := s.NewSession("rj")
	url1 := s.URL()
	if r := do(t, s, "GET", unsignedP(s, P{"method": "chart.getTopArtists"})); r.status != 200 {
		t.Fatal(r.body)
	}
	// A request held by a delay is cut off by Stop.
	s.Fail(Fault{Delay: time.Hour, Times: 1})
	done := make(chan error, 1)
	go func() {
		resp, err := http.Get(s.URL() + "?method=chart.getTopArtists&api_key=" + s.APIKey())
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		done <- err
	}()
	waitfor.True(t, "the delayed request", func() bool { return s.Count("chart.getTopArtists") >= 2 })
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(waitfor.Bound):
		t.Fatal("delayed request not cut off by Stop")
	}
	tr := &http.Transport{DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 2 * time.Second}
	if resp, err := c.Get(url1); err == nil {
		resp.Body.Close()
		t.Fatal("stopped emulator answered")
	} else if !strings.Contains(err.Error(), "refused") {
		t.Logf("while down: %v", err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	if s.URL() != url1 {
		t.Errorf("URL changed: %s -> %s", url1, s.URL())
	}
	r := do(t, s, "POST", signed(s, P{"method": "track.love", "artist": "A", "track": "B", "sk": sk}))
	if r.status != 200 {
		t.Errorf("after Start (state kept): %d %s", r.status, r.body)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err == nil {
		t.Error("Start after Close worked")
	}
}
