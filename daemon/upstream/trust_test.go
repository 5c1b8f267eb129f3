package upstream

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/redact"
)

// Only Last.fm's answer counts: anything else is no answer (a 502 for the
// caller, a retry for the journal), never a success.
func TestDoTrustsOnlyLastfmAnswers(t *testing.T) {
	okXML := `<?xml version="1.0" encoding="UTF-8"?><lfm status="ok"><artist><name>Cher</name></artist></lfm>`
	cases := []struct {
		name   string
		status int
		body   string
		format string
		ok     bool
	}{
		{"xml", 200, okXML, "", true},
		{"json", 200, `{"artist":{"name":"Cher"}}`, "json", true},
		{"html 200", 200, `<!DOCTYPE html><html><body>Wi-Fi login</body></html>`, "", false},
		{"html 200 on json", 200, `<html><body>Wi-Fi login</body></html>`, "json", false},
		{"truncated xml", 200, okXML[:40], "", false},
		{"truncated json", 200, `{"artist":{"na`, "json", false},
		{"empty", 200, ``, "json", false},
		{"wrong shape", 200, `["artist"]`, "json", false},
		{"bare 404", 404, `<html>not found</html>`, "json", false},
		{"redirect", 302, `<a href="/login">Found</a>`, "json", false},
		{"last.fm error 6", 400, `{"error":6,"message":"Artist not found"}`, "json", true},
		{"bare 503", 503, `<html>503</html>`, "json", true}, // a failed answer, class transient
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.status == 302 {
					w.Header().Set("Location", "http://portal.example/login")
				}
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			})
			c.limiter = nil
			r, err := c.Do(context.Background(), Call{Method: "artist.getInfo", Params: map[string]string{"format": tc.format}})
			if tc.ok {
				if err != nil {
					t.Fatalf("Last.fm's answer refused: %v", err)
				}
				return
			}
			var ae *apperr.Error
			if !errors.Is(err, ErrNotAnswer) || !errors.As(err, &ae) || ae.Kind != apperr.BadGateway || !IsTransport(err) {
				t.Fatalf("got %v %+v, want a BadGateway ErrNotAnswer", err, r)
			}
			if s := c.Stats().Snapshot(); s.Errors != 1 || !strings.HasPrefix(s.LastError, "artist.getInfo: ") || !strings.Contains(s.LastError, ae.Message) {
				t.Errorf("stats %+v", s)
			}
		})
	}
}

// An upstream that echoes the request hands back sk and api_sig: they are
// masked before anything else sees the body, with every known secret.
func TestDoMasksEchoedSecrets(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.WriteHeader(400)
		w.Write([]byte(`{"error":6,"message":"Invalid parameters: ` + r.Form.Encode() + ` listener-token-xyz"}`))
	}))
	t.Cleanup(srv.Close)
	red := redact.New(nil, "listener-token-xyz")
	c, err := New(Options{Endpoint: srv.URL + "/2.0/", APIKey: "KEY", Secret: "SECRET", Timeout: 5 * time.Second, Redact: red})
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Do(context.Background(), Call{Method: "track.love", Params: map[string]string{"format": "json"}, SessionKey: "SESSION-KEY-123", Post: true})
	if err != nil {
		t.Fatal(err)
	}
	body := string(r.Body) + r.APIError.Message + c.Stats().Snapshot().LastError
	for _, secret := range []string{"SESSION-KEY-123", "listener-token-xyz"} {
		if strings.Contains(body, secret) {
			t.Errorf("%s leaked: %s", secret, body)
		}
	}
	if !strings.Contains(body, "api_sig=REDACTED") || !strings.Contains(body, "sk=REDACTED") {
		t.Errorf("echo not masked as expected: %s", body)
	}
}

// Sixteen 10 MB answers at once: each is refused, none twice, and the
// bodies in flight never hold more than the stated bound.
func TestOversizedAnswersBoundMemory(t *testing.T) {
	const n = 16
	big := []byte(`{"artist":{"bio":"` + strings.Repeat("x", 10<<20) + `"}}`)
	var arrived sync.WaitGroup
	arrived.Add(n)
	all := make(chan struct{})
	go func() { arrived.Wait(); close(all) }()
	var hits sync.Map
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, dup := hits.LoadOrStore(r.URL.Query().Get("artist"), true); !dup {
			arrived.Done()
		}
		<-all // every call is reading at once
		f, _ := w.(http.Flusher)
		for off := 0; off < len(big); off += 64 << 10 {
			w.Write(big[off:min(off+64<<10, len(big))]) // chunked: no Content-Length to refuse early
			f.Flush()
		}
	}))
	t.Cleanup(srv.Close)
	c, err := New(Options{Endpoint: srv.URL + "/2.0/", APIKey: "KEY", Secret: "SECRET", Timeout: 60 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = c.Do(context.Background(), Call{Method: "artist.getInfo", Params: map[string]string{"artist": strconv.Itoa(i), "format": "json"}})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("call %d: %v, want ErrTooLarge", i, err)
		}
	}
	bound := int64(n*(smallBody+1) + maxLargeBodies*(MaxBody+1))
	if p := c.BodyPeak(); p > bound || p < MaxBody {
		t.Errorf("bodies in flight peaked at %d bytes; bound %d", p, bound)
	}
	if c.bodies.inFlight.Load() != 0 {
		t.Errorf("%d bytes still counted in flight", c.bodies.inFlight.Load())
	}
}

// A declared Content-Length over the bound is refused before reading.
func TestDeclaredOversizeRefusedUnread(t *testing.T) {
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(MaxBody+1))
		w.Write([]byte(`{`))
	})
	_, err := c.Do(context.Background(), Call{Method: "artist.getInfo", Params: map[string]string{"format": "json"}})
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("%v", err)
	}
	if c.BodyPeak() != 0 {
		t.Errorf("read %d bytes of an answer declared too large", c.BodyPeak())
	}
}

// A read with a long parameter goes by POST, never as a long URL.
func TestLongReadGoesByPOST(t *testing.T) {
	for _, n := range []int{10, MaxGetQuery, 1 << 20} {
		var method, query string
		var artist int
		c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
			method, query = r.Method, r.URL.RawQuery
			r.ParseForm()
			artist = len(r.Form.Get("artist"))
			w.Write([]byte(`{"artist":{}}`))
		})
		if _, err := c.Do(context.Background(), Call{Method: "artist.getInfo", Params: map[string]string{"artist": strings.Repeat("a", n), "format": "json"}}); err != nil {
			t.Fatal(err)
		}
		wantPost := n >= MaxGetQuery
		if (method == http.MethodPost) != wantPost || len(query) > MaxGetQuery || artist != n {
			t.Errorf("%d-byte parameter: %s with a %d-byte query, artist %d bytes", n, method, len(query), artist)
		}
	}
}
