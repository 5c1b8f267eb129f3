package emulator

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestAnswerFaults(t *testing.T) {
	s := newTestServer(t, Options{})
	s.AddUser("rj", "pw", false)
	sk := s.NewSession("rj")
	read := func(format string) reply {
		return do(t, s, "GET", unsignedP(s, P{"method": "artist.getInfo", "artist": "Cher", "format": format}))
	}
	cases := []struct {
		answer AnswerFault
		format string
		check  func(r reply) bool
	}{
		{AnswerHTML, "json", func(r reply) bool {
			return r.status == 200 && strings.Contains(r.body, "<html>") && strings.HasPrefix(r.header.Get("Content-Type"), "text/html")
		}},
		{AnswerEmpty, "json", func(r reply) bool { return r.status == 200 && r.body == "" }},
		{AnswerWrongShape, "json", func(r reply) bool {
			return r.status == 200 && strings.HasPrefix(r.body, "[") && json.Valid([]byte(r.body))
		}},
		{AnswerWrongShape, "", func(r reply) bool { return r.status == 200 && strings.Contains(r.body, "<response") }},
		{AnswerUnexpected, "json", func(r reply) bool { return r.status == 200 && r.body == `{"status":"ok"}` }},
		{AnswerTruncated, "json", func(r reply) bool {
			return r.status == 200 && strings.HasPrefix(r.body, `{"artist"`) && !json.Valid([]byte(r.body))
		}},
		{AnswerOversize, "json", func(r reply) bool { return r.status == 200 && len(r.body) == 100_000 && json.Valid([]byte(r.body)) }},
	}
	for _, c := range cases {
		s.Fail(Fault{Method: "artist.getInfo", Answer: c.answer, Size: 100_000, Times: 1})
		if r := read(c.format); !c.check(r) {
			t.Errorf("%s %s: %d %q", c.answer, c.format, r.status, r.body[:min(len(r.body), 200)])
		}
		if r := read("json"); r.status != 200 || !json.Valid([]byte(r.body)) {
			t.Errorf("%s: Times 1 not consumed: %s", c.answer, r.body)
		}
	}

	// Echo: the error message carries what was sent, sk and api_sig too.
	s.Fail(Fault{Method: "track.love", Answer: AnswerEcho, Times: 1})
	r := do(t, s, "POST", signed(s, P{"method": "track.love", "artist": "A", "track": "B", "sk": sk, "format": "json"}))
	if r.status != 400 || errorCode(t, r) != 6 || !strings.Contains(r.body, "sk="+sk) || !strings.Contains(r.body, "api_sig=") {
		t.Errorf("echo: %d %s", r.status, r.body)
	}

	// Truncated: the scrobble is stored though the answer is cut.
	s.Fail(Fault{Method: "track.scrobble", Answer: AnswerTruncated, Times: 1})
	r = do(t, s, "POST", signed(s, P{"method": "track.scrobble", "artist": "A", "track": "T", "timestamp": strconv.FormatInt(time.Now().Unix()-60, 10), "sk": sk, "format": "json"}))
	if json.Valid([]byte(r.body)) || !strings.HasPrefix(r.body, `{"scrobbles"`) {
		t.Errorf("truncated scrobble answer: %s", r.body)
	}
	if n := len(s.Scrobbles("rj")); n != 1 {
		t.Errorf("%d scrobbles stored behind a truncated answer, want 1", n)
	}
}

func TestAnswerRedirectAndHang(t *testing.T) {
	s := newTestServer(t, Options{})
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	s.Fail(Fault{Answer: AnswerRedirect, Times: 1})
	resp, err := hc.Get(s.URL() + "?method=chart.getTopArtists&api_key=" + s.APIKey())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != RedirectTarget {
		t.Errorf("redirect: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	// Hang: no answer until the client gives up.
	s.Fail(Fault{Hang: true, Times: 1})
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", s.URL()+"?method=chart.getTopArtists&api_key="+s.APIKey(), nil)
	done := make(chan error, 1)
	go func() {
		resp, err := hc.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	waitRequests(t, s, 2)
	select {
	case err := <-done:
		t.Fatalf("a hung request was answered: %v", err)
	default:
	}
	cancel()
	select {
	case err := <-done:
		if err == nil {
			t.Error("hung request answered after cancel")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the hang did not end with the request")
	}
}

// waitRequests waits until the emulator recorded n requests.
func waitRequests(t *testing.T, s *Server, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for len(s.Requests()) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d requests recorded, want %d", len(s.Requests()), n)
		}
		time.Sleep(time.Millisecond)
	}
}
