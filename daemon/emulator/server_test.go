package emulator

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestURLsAndDefaults(t *testing.T) {
	s := newTestServer(t, Options{})
	if s.APIKey() != DefaultAPIKey || s.Secret() != DefaultSecret {
		t.Errorf("defaults: %s %s", s.APIKey(), s.Secret())
	}
	if !strings.HasPrefix(s.Addr(), "127.0.0.1:") || s.URL() != "http://"+s.Addr()+"/2.0/" ||
		s.AuthURL() != "http://"+s.Addr()+"/api/auth/" {
		t.Errorf("addresses: %s %s %s", s.Addr(), s.URL(), s.AuthURL())
	}
	s2 := newTestServer(t, Options{APIKey: "k", Secret: "sec"})
	r := do(t, s2, "GET", signed(s2, P{"method": "auth.getToken"}))
	if r.status != 200 {
		t.Errorf("custom key: %s", r.body)
	}
	// /2.0 without the slash works too.
	resp, err := http.Get("http://" + s.Addr() + "/2.0?method=chart.getTopTags&api_key=" + s.APIKey())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("/2.0: %d", resp.StatusCode)
	}
}

func TestRecordAndDateHeader(t *testing.T) {
	when := time.Date(2026, time.March, 1, 12, 0, 0, 0, time.UTC)
	var logged atomic.Int32
	s := newTestServer(t, Options{Now: func() time.Time { return when }, Logf: func(string, ...any) { logged.Add(1) }})
	sk := s.NewSession("rj")
	r := do(t, s, "GET", P{"method": "artist.getInfo", "artist": "Cher", "api_key": "bad"})
	if r.header.Get("Date") != "Sun, 01 Mar 2026 12:00:00 GMT" {
		t.Errorf("Date %q", r.header.Get("Date"))
	}
	do(t, s, "POST", signed(s, P{"method": "track.love", "artist": "A", "track": "B", "sk": sk}))
	do(t, s, "GET", unsignedP(s, P{"method": "TRACK.LOVE", "artist": "A", "track": "B"}))
	reqs := s.Requests()
	if len(reqs) != 3 || s.Count("") != 3 || s.Count("track.love") != 2 || s.Count("artist.getInfo") != 1 {
		t.Fatalf("recorded %d, counts %d %d", len(reqs), s.Count("track.love"), s.Count("artist.getInfo"))
	}
	p := reqs[1]
	if p.HTTPMethod != "POST" || p.Path != "/2.0/" || p.Method != "track.love" || p.Params["sk"] != sk ||
		!strings.Contains(p.Body, "api_sig=") || !p.At.Equal(when) || p.Header.Get("Content-Type") == "" {
		t.Errorf("request: %+v", p)
	}
	if reqs[2].Method != "track.love" || reqs[2].RawQuery == "" {
		t.Errorf("method canonicalised: %+v", reqs[2])
	}
	if logged.Load() == 0 {
		t.Error("Logf never called")
	}
	s.Reset()
	if len(s.Requests()) != 0 || s.Count("") != 0 {
		t.Error("Reset")
	}
	if len(s.Loved("rj")) != 1 {
		t.Error("Reset dropped state")
	}
}

func TestHandler(t *testing.T) {
	s := newTestServer(t, Options{})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/2.0/?method=chart.getTopArtists&format=json&api_key=" + s.APIKey())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json; charset=UTF-8" {
		t.Errorf("Handler: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, err = http.Get(ts.URL + "/elsewhere")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("unknown path: %d", resp.StatusCode)
	}
}

func TestShapes(t *testing.T) {
	s := newTestServer(t, Options{})
	s.AddUser("rj", "pw", false)
	sk := s.NewSession("rj")
	// user.getInfo: registered #text is a number.
	r := do(t, s, "POST", signed(s, P{"method": "user.getInfo", "sk": sk, "format": "json"}))
	m := jsonOf(t, r)
	if path(m, "user", "name") != "rj" || path(m, "user", "registered", "#text") != float64(registeredAt.Unix()) ||
		path(m, "user", "registered", "unixtime") != fmt.Sprint(registeredAt.Unix()) || path(m, "user", "playcount") != "0" {
		t.Errorf("user.getInfo: %s", r.body)
	}
	// Names are echoed back, unicode included.
	r = do(t, s, "GET", unsignedP(s, P{"method": "album.getInfo", "artist": "坂本龍一", "album": "async & more", "format": "json"}))
	m = jsonOf(t, r)
	if path(m, "album", "artist") != "坂本龍一" || path(m, "album", "name") != "async & more" ||
		path(m, "album", "image", 0, "size") != "small" || path(m, "album", "tracks", "track", 0, "@attr", "rank") != "1" {
		t.Errorf("album.getInfo: %s", r.body)
	}
	// Search: opensearch names, "for" under @attr, no xmlns in JSON.
	r = do(t, s, "GET", unsignedP(s, P{"method": "artist.search", "artist": "Radio", "format": "json", "limit": "2"}))
	m = jsonOf(t, r)
	if path(m, "results", "@attr", "for") != "Radio" || path(m, "results", "opensearch:itemsPerPage") != "2" ||
		path(m, "results", "artistmatches", "artist", 0, "name") != "Radiohead" || strings.Contains(r.body, "xmlns") {
		t.Errorf("artist.search: %s", r.body)
	}
	// Charts page.
	r = do(t, s, "GET", unsignedP(s, P{"method": "chart.getTopArtists", "format": "json", "limit": "5", "page": "2"}))
	m = jsonOf(t, r)
	if a, _ := path(m, "artists", "artist").([]any); len(a) != 5 || path(m, "artists", "@attr", "page") != "2" ||
		path(m, "artists", "@attr", "totalPages") != "4" {
		t.Errorf("chart.getTopArtists: %s", r.body)
	}
	// JSONP ok body.
	r = do(t, s, "GET", unsignedP(s, P{"method": "tag.getInfo", "tag": "rock", "format": "json", "callback": "jsonp_1"}))
	if !strings.HasPrefix(r.body, `jsonp_1({"tag":{"name":"rock"`) || !strings.HasSuffix(r.body, ");") {
		t.Errorf("JSONP: %s", r.body)
	}
	// raw=true drops the <lfm> wrapper.
	r = do(t, s, "GET", unsignedP(s, P{"method": "tag.getInfo", "tag": "rock", "raw": "true"}))
	if strings.Contains(r.body, "<lfm") || !strings.Contains(r.body, "<tag>") {
		t.Errorf("raw: %s", r.body)
	}
}

// TestConcurrent hits the emulator from 50 goroutines.
func TestConcurrent(t *testing.T) {
	s := newTestServer(t, Options{})
	sk := s.NewSession("rj")
	s.Fail(Fault{Method: "user.getInfo", Code: 29, Times: 10})
	now := time.Now().Unix()
	var wg sync.WaitGroup
	var rateLimited atomic.Int32
	for g := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 4 {
				r := do(t, s, "POST", signed(s, P{"method": "track.scrobble", "artist": fmt.Sprint("G", g),
					"track": fmt.Sprint("T", i), "timestamp": fmt.Sprint(now - int64(g*10+i)), "sk": sk}))
				if errorCode(t, r) != 0 {
					t.Errorf("scrobble: %s", r.body)
				}
				r = do(t, s, "GET", unsignedP(s, P{"method": "user.getInfo", "user": "rj"}))
				if errorCode(t, r) == 29 {
					rateLimited.Add(1)
				}
				_ = s.Requests()
				_ = s.Scrobbles("rj")
			}
		}()
	}
	wg.Wait()
	if n := len(s.Scrobbles("rj")); n != 200 {
		t.Errorf("scrobbles %d", n)
	}
	if s.Count("track.scrobble") != 200 || s.Count("user.getInfo") != 200 || rateLimited.Load() != 10 {
		t.Errorf("counts %d %d, 29s %d", s.Count("track.scrobble"), s.Count("user.getInfo"), rateLimited.Load())
	}
}
