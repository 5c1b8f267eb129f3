package listenbrainz

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/closedport"
	"github.com/lastfmd/lastfmd/daemon/redact"
	"github.com/lastfmd/lastfmd/daemon/upstream"
	"github.com/lastfmd/lastfmd/signer"
)

const token = "0b3d5e8a-1c2f-4a6b-9d7e-8f9a0b1c2d3e"

// request is what the test server saw.
type request struct {
	method, path, auth, contentType, userAgent string
	body                                       []byte
}

// server is a tiny stand-in for ListenBrainz at /apis/listenbrainz/ (as
// Maloja serves it): it records each request and answers with answer.
type server struct {
	mu     sync.Mutex
	seen   []request
	answer func(w http.ResponseWriter, r *http.Request)
	*httptest.Server
}

func newServer(t *testing.T, answer func(w http.ResponseWriter, r *http.Request)) *server {
	s := &server{answer: answer}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.seen = append(s.seen, request{r.Method, r.URL.RequestURI(), r.Header.Get("Authorization"), r.Header.Get("Content-Type"), r.Header.Get("User-Agent"), body})
		s.mu.Unlock()
		s.answer(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *server) requests() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]request(nil), s.seen...)
}

// reply answers with a status, JSON body and rate-limit headers.
func reply(status int, body string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Limit", "30")
		w.Header().Set("X-RateLimit-Remaining", "29")
		w.Header().Set("X-RateLimit-Reset-In", "8")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func newClient(t *testing.T, root string, o Options) *Client {
	t.Helper()
	o.APIRoot = root
	o.UserAgent = "lastfmd-test"
	c, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func play(t *testing.T, artist string, ts int64) Listen {
	t.Helper()
	l, err := ListenFromScrobble(map[string]string{"artist": artist, "track": "T", "album": "R", "duration": "200"}, ts, version)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// assertNoToken fails if the token shows anywhere in texts.
func assertNoToken(t *testing.T, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if strings.Contains(s, token) {
			t.Errorf("the token leaked: %s", s)
		}
	}
}

func TestSubmit(t *testing.T) {
	tests := []struct {
		name       string
		answer     func(http.ResponseWriter, *http.Request)
		listenType string
		listens    int
		failed     bool
		class      signer.Class
		message    string
	}{
		{"single", reply(200, `{"status": "ok"}`), ListenTypeSingle, 1, false, 0, ""},
		{"import", reply(200, `{"status": "ok"}`), ListenTypeImport, 3, false, 0, ""},
		{"playing now", reply(200, `{"status": "ok"}`), ListenTypePlayingNow, 1, false, 0, ""},
		{"bad listen", reply(400, `{"code": 400, "error": "Value for key listened_at is too high."}`), ListenTypeImport, 3, true, signer.ClassBadItem, "Value for key listened_at is too high."},
		{"unknown token", reply(401, `{"code": 401, "error": "Invalid authorization token."}`), ListenTypeSingle, 1, true, signer.ClassReauth, "Invalid authorization token."},
		{"rate limited", reply(429, `{"code": 429, "error": "Too Many Requests"}`), ListenTypeSingle, 1, true, signer.ClassRateLimited, "Too Many Requests"},
		{"server error", reply(503, `<html>down</html>`), ListenTypeImport, 2, true, signer.ClassTransient, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, tt.answer)
			c := newClient(t, s.URL+"/apis/listenbrainz", Options{})
			var listens []Listen
			for i := range tt.listens {
				l := play(t, "A", when+int64(i))
				if tt.listenType == ListenTypePlayingNow {
					l.ListenedAt = 0
				}
				listens = append(listens, l)
			}
			a, err := c.Submit(context.Background(), token, tt.listenType, listens)
			if err != nil {
				t.Fatal(err)
			}
			if a.Failed() != tt.failed || (tt.failed && a.Class != tt.class) || a.Message != tt.message {
				t.Errorf("answer %+v, want failed=%v class=%v message=%q", a, tt.failed, tt.class, tt.message)
			}
			if a.RateLimit != (RateLimit{Limit: 30, Remaining: 29, ResetIn: 8 * time.Second}) {
				t.Errorf("RateLimit = %+v", a.RateLimit)
			}
			reqs := s.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			r := reqs[0]
			if r.method != "POST" || r.path != "/apis/listenbrainz/1/submit-listens" || r.auth != "Token "+token ||
				r.contentType != "application/json" || r.userAgent != "lastfmd-test" {
				t.Errorf("request %+v", r)
			}
			var doc struct {
				ListenType string   `json:"listen_type"`
				Payload    []Listen `json:"payload"`
			}
			if err := json.Unmarshal(r.body, &doc); err != nil {
				t.Fatal(err)
			}
			if doc.ListenType != tt.listenType || len(doc.Payload) != len(listens) || doc.Payload[0] != listens[0] {
				t.Errorf("body %s", r.body)
			}
			if tt.listenType == ListenTypePlayingNow && strings.Contains(string(r.body), "listened_at") {
				t.Errorf("playing_now with listened_at: %s", r.body)
			}
		})
	}
}

// TestSubmitNotAnswer: what is not ListenBrainz answering is an error,
// never a success, and says so without the token.
func TestSubmitNotAnswer(t *testing.T) {
	tests := []struct {
		name   string
		answer func(http.ResponseWriter, *http.Request)
	}{
		{"captive portal", reply(200, `<html><body>Sign in to the Wi-Fi</body></html>`)},
		{"truncated", reply(200, `{"status": "o`)},
		{"wrong shape", reply(200, `{"scrobbles": {"@attr": {"accepted": 1}}}`)},
		{"no status", reply(200, `{}`)},
		{"401 html", reply(401, `<html>log in</html>`)},
		{"redirect", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://example.com/steal?token="+token, http.StatusFound)
		}},
		{"huge", reply(200, `{"status":"ok","pad":"`+strings.Repeat("x", MaxAnswer)+`"}`)},
		{"cut off", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "100")
			io.WriteString(w, `{"status":"ok"`)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, tt.answer)
			c := newClient(t, s.URL+"/", Options{Service: `mirror "maloja"`})
			a, err := c.Submit(context.Background(), token, ListenTypeSingle, []Listen{play(t, "A", when)})
			if err == nil {
				t.Fatalf("answer %+v taken", a)
			}
			if !upstream.IsTransport(err) || !MayHaveReached(err) {
				t.Errorf("%v: transport %v, may have reached %v", err, upstream.IsTransport(err), MayHaveReached(err))
			}
			if !strings.HasPrefix(err.Error(), `mirror "maloja"`) {
				t.Errorf("error %q does not name the service", err)
			}
			if len(s.requests()) != 1 {
				t.Errorf("%d requests: a redirect was followed?", len(s.requests()))
			}
			assertNoToken(t, err.Error())
		})
	}
}

// TestSubmitRefusedBeforeSending: a request ListenBrainz would refuse for
// its shape, or a token lastfmd would not send, never leaves.
func TestSubmitRefusedBeforeSending(t *testing.T) {
	s := newServer(t, reply(200, `{"status":"ok"}`))
	c := newClient(t, s.URL+"/", Options{})
	l := play(t, "A", when)
	many := make([]Listen, MaxListensPerImport+1)
	for i := range many {
		many[i] = l
	}
	old := l
	old.ListenedAt = MinListenedAt - 1
	empty := l
	empty.TrackMetadata.ArtistName = ""
	tests := []struct {
		name, token, listenType string
		listens                 []Listen
	}{
		{"two singles", token, ListenTypeSingle, []Listen{l, l}},
		{"no listen", token, ListenTypeImport, nil},
		{"too many", token, ListenTypeImport, many},
		{"unknown type", token, "scrobble", []Listen{l}},
		{"playing now with a time", token, ListenTypePlayingNow, []Listen{l}},
		{"too old", token, ListenTypeSingle, []Listen{old}},
		{"bad listen", token, ListenTypeImport, []Listen{l, empty}},
		{"no token", "", ListenTypeSingle, []Listen{l}},
		{"token with a space", "abc def", ListenTypeSingle, []Listen{l}},
		{"token with a newline", token + "\r\nX-Evil: 1", ListenTypeSingle, []Listen{l}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Submit(context.Background(), tt.token, tt.listenType, tt.listens)
			if !errors.Is(err, ErrNotSent) || MayHaveReached(err) {
				t.Errorf("err = %v", err)
			}
			assertNoToken(t, err.Error())
		})
	}
	if n := len(s.requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Submit(ctx, token, ListenTypeSingle, []Listen{l}); err == nil || MayHaveReached(err) {
		t.Errorf("cancelled context: %v", err)
	}
}

// TestSubmitTransport: no answer is an error without the token; a refused
// connection certainly did not reach the service, a timeout may have.
func TestSubmitTransport(t *testing.T) {
	c := newClient(t, "http://"+closedport.Addr(t)+"/", Options{})
	_, err := c.Submit(context.Background(), token, ListenTypeSingle, []Listen{play(t, "A", when)})
	if e := apperr.As(err); e.Kind != apperr.BadGateway || MayHaveReached(err) || !strings.Contains(e.Message, "ListenBrainz is unreachable") {
		t.Errorf("refused: %v (kind %v, may have reached %v)", err, e.Kind, MayHaveReached(err))
	}
	assertNoToken(t, err.Error())

	release := make(chan struct{})
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) { <-release })
	defer close(release)
	c = newClient(t, s.URL+"/", Options{Timeout: 50 * time.Millisecond})
	_, err = c.Submit(context.Background(), token, ListenTypeSingle, []Listen{play(t, "A", when)})
	if e := apperr.As(err); e.Kind != apperr.Timeout || !MayHaveReached(err) {
		t.Errorf("slow: %v (kind %v, may have reached %v)", err, e.Kind, MayHaveReached(err))
	}
	assertNoToken(t, err.Error())
}

// TestAnswerRedacted: an answer that echoes the token, or a known secret,
// hands neither on.
func TestAnswerRedacted(t *testing.T) {
	s := newServer(t, reply(400, `{"code":400,"error":"bad token `+token+` with secret-value-1"}`))
	c := newClient(t, s.URL+"/", Options{Redact: redact.New(nil, "secret-value-1")})
	a, err := c.Submit(context.Background(), token, ListenTypeSingle, []Listen{play(t, "A", when)})
	if err != nil {
		t.Fatal(err)
	}
	if a.Message != "bad token REDACTED with REDACTED" {
		t.Errorf("Message = %q", a.Message)
	}
}

// TestRateLimitStartsBackoff: a 429 starts the limiter's back-off, so
// every call to that service waits; an answer ends it.
func TestRateLimitStartsBackoff(t *testing.T) {
	now := time.Unix(when, 0)
	clock := func() time.Time { return now }
	s := newServer(t, reply(429, `{"code":429,"error":"slow down"}`))
	lim := upstream.NewLimiter(100, 10, time.Second, clock)
	c := newClient(t, s.URL+"/", Options{Limiter: lim, Now: clock})
	a, err := c.Submit(context.Background(), token, ListenTypeSingle, []Listen{play(t, "A", when)})
	if err != nil || a.Class != signer.ClassRateLimited || a.Pause() != 8*time.Second {
		t.Fatalf("answer %+v, %v", a, err)
	}
	if !lim.BackoffUntil().After(now) {
		t.Error("no back-off after a 429")
	}
	// Meanwhile the limiter refuses the next call: it never left.
	_, err = c.Submit(context.Background(), token, ListenTypeSingle, []Listen{play(t, "A", when)})
	if apperr.As(err).Kind != apperr.RateLimited || MayHaveReached(err) || len(s.requests()) != 1 {
		t.Errorf("during the back-off: %v, %d requests", err, len(s.requests()))
	}
}

func TestValidateToken(t *testing.T) {
	tests := []struct {
		name   string
		answer func(http.ResponseWriter, *http.Request)
		valid  bool
		user   string
		err    bool
	}{
		{"valid", reply(200, `{"code": 200, "message": "Token valid.", "valid": true, "user_name": "rob"}`), true, "rob", false},
		{"invalid", reply(200, `{"code": 200, "message": "Token invalid.", "valid": false}`), false, "", false},
		{"maloja invalid", reply(401, `{"code": 401, "error": "Incorrect Authorization"}`), false, "", false},
		{"rate limited", reply(429, `{"code": 429, "error": "slow down"}`), false, "", true},
		{"html", reply(200, `<html></html>`), false, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, tt.answer)
			c := newClient(t, s.URL+"/", Options{})
			valid, user, err := c.ValidateToken(context.Background(), token)
			if valid != tt.valid || user != tt.user || (err != nil) != tt.err {
				t.Errorf("ValidateToken = %v, %q, %v", valid, user, err)
			}
			r := s.requests()[0]
			if r.method != "GET" || r.path != "/1/validate-token" || r.auth != "Token "+token {
				t.Errorf("request %+v: the token goes in the header, not the URL", r)
			}
			if err != nil {
				assertNoToken(t, err.Error())
			}
		})
	}
	s := newServer(t, reply(429, `{"code": 429, "error": "slow down"}`))
	_, _, err := newClient(t, s.URL+"/", Options{}).ValidateToken(context.Background(), token)
	var f *Failure
	if !errors.As(err, &f) || f.Answer.Class != signer.ClassRateLimited || apperr.As(err).RetryAfter != 8*time.Second ||
		err.Error() != "ListenBrainz could not check the token: the answer was HTTP 429: slow down" {
		t.Errorf("429: %v", err)
	}
}

func TestNewChecksTheRoot(t *testing.T) {
	for _, root := range []string{"http://api.listenbrainz.org/", "https://user:pw@api.listenbrainz.org/", "api.listenbrainz.org"} {
		if _, err := New(Options{APIRoot: root}); err == nil {
			t.Errorf("New(%q) accepted", root)
		}
	}
}

func TestCheckToken(t *testing.T) {
	for _, ok := range []string{token, "malojaApiKey123", strings.Repeat("k", 256)} {
		if err := CheckToken(ok); err != nil {
			t.Errorf("CheckToken(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", " " + token, "a b", "tok\n", "tök", strings.Repeat("k", 257)} {
		if err := CheckToken(bad); err == nil {
			t.Errorf("CheckToken(%q) accepted", bad)
		}
	}
}
