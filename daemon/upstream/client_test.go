package upstream

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/closedport"
	"github.com/lastfmd/lastfmd/daemon/fakeclock"
	"github.com/lastfmd/lastfmd/daemon/waitfor"
	"github.com/lastfmd/lastfmd/signer"
)

func newTestClient(t *testing.T, h http.HandlerFunc) (*Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := New(Options{Endpoint: srv.URL + "/2.0/", APIKey: "KEY", Secret: "SECRET", Timeout: waitfor.Bound, UserAgent: "lastfmd/test (+https://example)"})
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

func TestDoSignsPOSTAndSendsUserAgent(t *testing.T) {
	var got http.Header
	var form map[string]string
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		got = r.Header
		form = map[string]string{}
		for k := range r.PostForm {
			form[k] = r.PostForm.Get(k)
		}
		if r.URL.RawQuery != "" {
			t.Errorf("POST had a query %q", r.URL.RawQuery)
		}
		w.Header().Set("Content-Type", "text/xml")
		w.Write([]byte(`<lfm status="ok"></lfm>`))
	})
	r, err := c.Do(context.Background(), Call{Method: "track.love", Params: map[string]string{"artist": "A & B", "track": "t+1=2"}, SessionKey: "SK", Post: true})
	if err != nil || r.Failed() {
		t.Fatalf("Do: %v %+v", err, r)
	}
	if got.Get("User-Agent") != "lastfmd/test (+https://example)" {
		t.Errorf("User-Agent %q", got.Get("User-Agent"))
	}
	want := signer.Sign(map[string]string{"method": "track.love", "api_key": "KEY", "sk": "SK", "artist": "A & B", "track": "t+1=2"}, "SECRET")
	if form["api_sig"] != want || form["artist"] != "A & B" || form["track"] != "t+1=2" {
		t.Errorf("form %v, want api_sig %s", form, want)
	}
}

func TestDoUnsignedGET(t *testing.T) {
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Query().Get("api_sig") != "" || r.URL.Query().Get("api_key") != "KEY" {
			t.Errorf("%s %s", r.Method, r.URL.RawQuery)
		}
		w.Write([]byte(`{"artist":{}}`))
	})
	if _, err := c.Do(context.Background(), Call{Method: "artist.getInfo", Params: map[string]string{"artist": "Cher", "format": "json"}}); err != nil {
		t.Fatal(err)
	}
}

func TestDoDecodesAndClassifiesErrors(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		sk     string
		code   int
		class  signer.Class
	}{
		{"json 6", 400, `{"error":6,"message":"Artist not found"}`, "", 6, signer.ClassBadItem},
		{"xml 16", 503, `<?xml version="1.0"?><lfm status="failed"><error code="16">try again</error></lfm>`, "", 16, signer.ClassTransient},
		{"29", 429, `{"error":29,"message":"Rate Limit Exceeded"}`, "", 29, signer.ClassRateLimited},
		{"9 with sk", 403, `{"error":9,"message":"Invalid session key"}`, "SK", 9, signer.ClassReauth},
		{"4 with sk", 403, `{"error":4,"message":"Authentication failed"}`, "SK", 4, signer.ClassReauth},
		{"bare 502", 502, `<html>bad gateway</html>`, "", 0, signer.ClassTransient},
		{"error in a 200", 200, `{"error":6,"message":"no such user"}`, "", 6, signer.ClassBadItem},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			})
			c.limiter = nil
			r, err := c.Do(context.Background(), Call{Method: "user.getInfo", SessionKey: tc.sk, Post: tc.sk != ""})
			if err != nil {
				t.Fatal(err)
			}
			if !r.Failed() || r.Class != tc.class {
				t.Fatalf("failed=%v class=%v, want %v", r.Failed(), r.Class, tc.class)
			}
			if tc.code != 0 && (r.APIError == nil || r.APIError.Code != tc.code) {
				t.Errorf("APIError %+v", r.APIError)
			}
			if r.Status != tc.status {
				t.Errorf("status %d", r.Status)
			}
		})
	}
}

func TestDoRefusesRedirectsAndHugeBodies(t *testing.T) {
	c, srv := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("big") != "" {
			w.Write([]byte(strings.Repeat("x", MaxBody+10)))
			return
		}
		http.Redirect(w, r, "https://elsewhere.example/", http.StatusFound)
	})
	_ = srv
	r, err := c.Do(context.Background(), Call{Method: "artist.getInfo"})
	if !errors.Is(err, ErrNotAnswer) || !IsTransport(err) {
		t.Errorf("redirect: %v %+v (must be no answer, not followed)", err, r)
	}
	_, err = c.Do(context.Background(), Call{Method: "artist.getInfo", Params: map[string]string{"big": "1"}})
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Kind != apperr.BadGateway || !errors.Is(err, ErrTooLarge) {
		t.Errorf("huge body: %v", err)
	}
}

func TestTransportErrorsCarryNoURL(t *testing.T) {
	addr := closedport.Addr(t) // nothing listens: connection refused
	c, err := New(Options{Endpoint: "http://" + addr + "/2.0/", APIKey: "KEY", Secret: "SECRET"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Do(context.Background(), Call{Method: "artist.getInfo", Params: map[string]string{"artist": "SECRETISH"}})
	if err == nil || strings.Contains(err.Error(), "SECRETISH") || strings.Contains(err.Error(), "KEY") {
		t.Fatalf("err %v", err)
	}
	if !IsTransport(err) || !signer.NeverSent(err) {
		t.Errorf("IsTransport=%v NeverSent=%v", IsTransport(err), signer.NeverSent(err))
	}
}

func TestTimeoutIs504(t *testing.T) {
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never answers; the client's timeout ends it
	})
	c.timeout = 50 * time.Millisecond
	_, err := c.Do(context.Background(), Call{Method: "artist.getInfo"})
	var ae *apperr.Error
	if !errors.As(err, &ae) || ae.Kind != apperr.Timeout {
		t.Fatalf("err %v", err)
	}
}

func TestLimiterQueueWaitThen429(t *testing.T) {
	var calls atomic.Int32
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Write([]byte(`<lfm status="ok"></lfm>`))
	})
	// A stopped clock: however slow the machine, no token refills.
	c.limiter = NewLimiter(1, 2, 100*time.Millisecond, fakeclock.New(time.Time{}).Now)
	var limited int
	for i := 0; i < 5; i++ {
		_, err := c.Do(context.Background(), Call{Method: "artist.getInfo"})
		var ae *apperr.Error
		if errors.As(err, &ae) && ae.Kind == apperr.RateLimited {
			limited++
			if ae.Code != 29 || ae.RetryAfter < time.Second {
				t.Errorf("rate limited error %+v", ae)
			}
		}
	}
	if calls.Load() != 2 || limited != 3 {
		t.Errorf("calls %d limited %d: want the burst of 2 through and 3 refused", calls.Load(), limited)
	}
}

func TestLimiterBackoffDoubles(t *testing.T) {
	now := time.Unix(1700000000, 0)
	l := NewLimiter(10, 10, time.Second, func() time.Time { return now })
	l.Backoff(now)
	if got := l.BackoffUntil().Sub(now); got != 10*time.Second {
		t.Fatalf("first back-off %v", got)
	}
	for _, p := range []Priority{Interactive, Background} { // the back-off holds everyone
		err := l.Wait(context.Background(), p)
		var ae *apperr.Error
		if !errors.As(err, &ae) || ae.Kind != apperr.RateLimited || ae.RetryAfter != 10*time.Second {
			t.Fatalf("Wait (priority %d) during back-off: %v", p, err)
		}
	}
	now = now.Add(11 * time.Second)
	l.Backoff(now)
	if got := l.BackoffUntil().Sub(now); got != 20*time.Second {
		t.Errorf("second back-off %v, want 20s", got)
	}
	for i := 0; i < 10; i++ {
		now = l.BackoffUntil().Add(time.Second)
		l.Backoff(now)
	}
	if got := l.BackoffUntil().Sub(now); got != l.BackoffMax {
		t.Errorf("capped back-off %v", got)
	}
}

// suspendedKeyClient is a client of a Last.fm that answers error 26 (API
// key suspended) while suspended is true, and ok after.
func suspendedKeyClient(t *testing.T) (*Client, *atomic.Bool) {
	t.Helper()
	suspended := new(atomic.Bool)
	suspended.Store(true)
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		if suspended.Load() {
			w.WriteHeader(403)
			w.Write([]byte(`{"error":26,"message":"Suspended API key"}`))
			return
		}
		w.Write([]byte(`<lfm status="ok"></lfm>`))
	})
	return c, suspended
}

// A key problem (10, 26) shows in the stats until Last.fm accepts a call
// again.
func TestKeyProblemClearsOnSuccess(t *testing.T) {
	c, suspended := suspendedKeyClient(t)
	c.Do(context.Background(), Call{Method: "artist.getInfo"})
	if p := c.Stats().Snapshot().KeyProblem; !strings.Contains(p, "26") {
		t.Fatalf("key problem %q after error 26", p)
	}
	suspended.Store(false)
	c.Do(context.Background(), Call{Method: "artist.getInfo"})
	if p := c.Stats().Snapshot().KeyProblem; p != "" {
		t.Errorf("key problem %q after a success", p)
	}
}

func TestKeyProblemReportedOncePerEpisode(t *testing.T) {
	c, suspended := suspendedKeyClient(t)
	var reports atomic.Int32
	c.Stats().OnKeyProblem(func(string) { reports.Add(1) })
	for i := 0; i < 3; i++ {
		c.Do(context.Background(), Call{Method: "artist.getInfo"})
	}
	if reports.Load() != 1 {
		t.Fatalf("%d reports for one episode", reports.Load())
	}
	suspended.Store(false)
	c.Do(context.Background(), Call{Method: "artist.getInfo"})
	suspended.Store(true)
	c.Do(context.Background(), Call{Method: "artist.getInfo"})
	if reports.Load() != 2 {
		t.Errorf("%d reports after a second episode, want 2", reports.Load())
	}
}
