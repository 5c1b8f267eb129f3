package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/api"
)

// deadQueue is a journal with one dead letter on Last.fm's lane.
type deadQueue struct {
	fakeQueue
	retried, dropped []uint64
	force            bool
}

func (d *deadQueue) List(limit int, dest string) (api.Queue, error) {
	return api.Queue{Dead: 1, Accounts: []api.AccountQueue{{Destination: "lastfm", Account: "alice", Dead: 1}},
		DeadLetters: []api.QueueItem{{ID: 7, Destination: "lastfm", Account: "alice", Method: "track.scrobble",
			Params: map[string]string{"artist": "Cher", "track": "<b>Believe</b>"}, Reason: "Invalid parameters (error 6)"}}}, nil
}

func (d *deadQueue) Retry(ids []uint64, force bool, dest string) ([]api.QueueChange, error) {
	d.retried, d.force = append(d.retried, ids...), force
	return []api.QueueChange{{ID: ids[0], Destination: dest, Result: "retrying"}}, nil
}

func (d *deadQueue) Drop(ids []uint64, dest string) ([]api.QueueChange, error) {
	d.dropped = append(d.dropped, ids...)
	return []api.QueueChange{{ID: ids[0], Destination: dest, Result: "dropped"}}, nil
}

func pageServer(t *testing.T, token string) (*Server, *deadQueue) {
	t.Helper()
	q := &deadQueue{}
	s := New(Options{Token: token, Status: func() api.Status {
		return api.Status{Version: "test", Destinations: []api.DestinationStatus{{Name: "lastfm", Type: "lastfm", Dead: 1}}}
	}})
	s.HandlePage(PageOptions{Queue: q, StateDir: "/state", Recent: func(int, string) ([]api.RecentScrobble, error) {
		return []api.RecentScrobble{{ID: 7, Destination: "lastfm", Artist: "Cher", Track: "Believe", Outcome: "dead", Reason: "x", At: time.Now()}}, nil
	}})
	return s, q
}

func serve(s *Server, method, target, body string, hdr ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "http://127.0.0.1:7375"+target, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Add(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}

const pageOrigin = "http://127.0.0.1:7375"

// The page: its headers, the CSP of the issue, its parts escaped, the
// assets embedded, the weight under 100 KB; / leads to it.
func TestPageServed(t *testing.T) {
	s, _ := pageServer(t, "")
	if w := serve(s, "GET", "/", ""); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/ui/" {
		t.Fatalf("GET /: %d %s", w.Code, w.Header().Get("Location"))
	}
	w := serve(s, "GET", "/ui/", "")
	if w.Code != 200 {
		t.Fatalf("GET /ui/: %d %s", w.Code, w.Body)
	}
	h := w.Header()
	for k, want := range map[string]string{"Content-Security-Policy": PageCSP, "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin",
		"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"} {
		if h.Get(k) != want {
			t.Errorf("%s: %q, want %q", k, h.Get(k), want)
		}
	}
	body := w.Body.String()
	wantContains(t, body, `id="retry-lastfm-7"`, `id="drop-lastfm-7"`, `id="retry-all-lastfm-alice"`, "&lt;b&gt;Believe&lt;/b&gt;",
		`src="/ui/static/page.js"`, `href="/ui/static/page.css"`, "/state", `data-poll="2000"`)
	if strings.Contains(body, "<b>Believe") || strings.Contains(body, "style=") || strings.Contains(body, "<script>") {
		t.Error("unescaped text or inline style or script")
	}
	weight := len(body)
	for _, a := range []string{"page.css", "page.js"} {
		w := serve(s, "GET", "/ui/static/"+a, "")
		if w.Code != 200 || w.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: %d", a, w.Code)
		}
		weight += w.Body.Len()
	}
	if weight > 100<<10 {
		t.Errorf("page weight %d bytes, over 100 KB", weight)
	}
	t.Logf("page weight: %d bytes (HTML, CSS and JS)", weight)
	w = serve(s, "GET", "/ui/data", "")
	var d map[string]string
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &d) != nil || !strings.Contains(d["main"], `id="dead-lastfm-7"`) {
		t.Errorf("/ui/data: %d %.200s", w.Code, w.Body)
	}
	if w := serve(s, "GET", "/ui/static/nope.js", ""); w.Code != 404 {
		t.Errorf("unknown asset: %d", w.Code)
	}
}

func wantContains(t *testing.T, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("missing %q", sub)
		}
	}
}

// The actions: only from the page's forms (an Origin of this page, or
// Sec-Fetch-Site: same-origin), never from another site; drop asks first;
// the answers are `lastfmd queue`'s words.
func TestPageActions(t *testing.T) {
	s, q := pageServer(t, "")
	form := url.Values{"id": {"7"}, "dest": {"lastfm"}}.Encode()
	for _, hdr := range [][]string{
		nil, // no mark of a form of this page (curl, a script)
		{"Origin", "http://evil.example"},
		{"Origin", "http://127.0.0.1:9999"},
		{"Sec-Fetch-Site", "cross-site"},
		{"Sec-Fetch-Site", "same-site", "Origin", pageOrigin},
		{"Origin", "null"},
	} {
		for _, path := range []string{"/ui/retry", "/ui/drop", "/ui/retry-all"} {
			if w := serve(s, "POST", path, form+"&account=alice&confirm=yes", hdr...); w.Code != http.StatusForbidden {
				t.Errorf("%s with %q: %d", path, hdr, w.Code)
			}
		}
	}
	if len(q.retried)+len(q.dropped) != 0 {
		t.Fatalf("a refused request acted: %v %v", q.retried, q.dropped)
	}
	w := serve(s, "POST", "/ui/retry", form, "Origin", pageOrigin)
	if w.Code != 200 || len(q.retried) != 1 || q.force {
		t.Fatalf("retry: %d %v", w.Code, q.retried)
	}
	wantContains(t, w.Body.String(), "7 on Last.fm: queued to be sent again")
	w = serve(s, "POST", "/ui/drop", form, "Sec-Fetch-Site", "same-origin")
	if w.Code != 200 || len(q.dropped) != 0 {
		t.Fatalf("drop without confirmation: %d %v", w.Code, q.dropped)
	}
	wantContains(t, w.Body.String(), "Drop 7 from Last.fm?", `name="confirm" value="yes"`, `id="confirm"`)
	w = serve(s, "POST", "/ui/drop", form+"&confirm=yes", "Origin", pageOrigin)
	if w.Code != 200 || len(q.dropped) != 1 {
		t.Fatalf("drop: %d %v", w.Code, q.dropped)
	}
	q.retried = nil
	w = serve(s, "POST", "/ui/retry-all", "dest=lastfm&account=alice", "Origin", pageOrigin)
	if w.Code != 200 || len(q.retried) != 1 {
		t.Fatalf("retry all: %d %v", w.Code, q.retried)
	}
	for _, bad := range []string{"id=x&dest=lastfm", "id=7", "id=7&id=8&dest=lastfm", "id=0&dest=lastfm"} {
		if w := serve(s, "POST", "/ui/retry", bad, "Origin", pageOrigin); w.Code != 400 {
			t.Errorf("%s: %d", bad, w.Code)
		}
	}
	// A page elsewhere cannot read the page or its data either.
	for _, path := range []string{"/ui/", "/ui/data", "/"} {
		if w := serve(s, "GET", path, "", "Sec-Fetch-Site", "cross-site"); w.Code != http.StatusForbidden {
			t.Errorf("cross-site GET %s: %d", path, w.Code)
		}
	}
}

// With a listener token: the page says only how to get in; a one-time
// code from /v1/ui/open (Bearer) is traded once for an HttpOnly,
// SameSite=Strict cookie on Path=/ui/ holding no token; /v1/ never takes
// the cookie, and the /auth/ pages' cookie does not open /ui/.
func TestPageToken(t *testing.T) {
	const token = "the-listener-token"
	s, q := pageServer(t, token)
	w := serve(s, "GET", "/ui/", "")
	if w.Code != http.StatusUnauthorized || w.Header().Get("Content-Security-Policy") != PageCSP {
		t.Fatalf("locked page: %d %v", w.Code, w.Header())
	}
	wantContains(t, w.Body.String(), "lastfmd open")
	if strings.Contains(w.Body.String(), "Cher") {
		t.Error("the locked page shows the queue")
	}
	for _, path := range []string{"/ui/data", "/ui/retry"} {
		method := "GET"
		if path == "/ui/retry" {
			method = "POST"
		}
		if w := serve(s, method, path, "id=7&dest=lastfm", "Origin", pageOrigin); w.Code != http.StatusUnauthorized {
			t.Errorf("%s without the cookie: %d", path, w.Code)
		}
	}
	if w := serve(s, "GET", "/ui/static/page.css", ""); w.Code != 200 {
		t.Errorf("the locked page's CSS: %d", w.Code)
	}
	if w := serve(s, "POST", "/v1/ui/open", "{}"); w.Code != http.StatusUnauthorized {
		t.Errorf("/v1/ui/open without Bearer: %d", w.Code)
	}
	w = serve(s, "POST", "/v1/ui/open", "", "Authorization", "Bearer "+token)
	var open map[string]string
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &open) != nil || !strings.HasPrefix(open["url"], "http://127.0.0.1:7375/ui/?access=") {
		t.Fatalf("/v1/ui/open: %d %s", w.Code, w.Body)
	}
	target := strings.TrimPrefix(open["url"], "http://127.0.0.1:7375")
	w = serve(s, "GET", target, "")
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/ui/" {
		t.Fatalf("trading the code: %d %s", w.Code, w.Body)
	}
	cookies := w.Result().Cookies()
	if len(cookies) != 1 || !cookies[0].HttpOnly || cookies[0].SameSite != http.SameSiteStrictMode || cookies[0].Path != "/ui/" ||
		strings.Contains(cookies[0].Value, token) || cookies[0].Name != uiScope.cookie {
		t.Fatalf("cookie %+v", cookies)
	}
	ck := cookies[0].Name + "=" + cookies[0].Value
	if w := serve(s, "GET", target, ""); w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), "already used") {
		t.Errorf("a code twice: %d", w.Code)
	}
	if w := serve(s, "GET", "/ui/", "", "Cookie", ck); w.Code != 200 || !strings.Contains(w.Body.String(), "Cher") {
		t.Errorf("with the cookie: %d", w.Code)
	}
	if w := serve(s, "POST", "/ui/retry", "id=7&dest=lastfm", "Cookie", ck, "Origin", pageOrigin); w.Code != 200 || len(q.retried) != 1 {
		t.Errorf("retry with the cookie: %d", w.Code)
	}
	if w := serve(s, "GET", "/v1/status", "", "Cookie", ck); w.Code != http.StatusUnauthorized {
		t.Errorf("/v1/ took the page's cookie: %d", w.Code)
	}
	auth := newPageAccess(authScope, token, nil)
	if w := serve(s, "GET", "/ui/", "", "Cookie", accessCookie+"="+auth.cookie); w.Code != http.StatusUnauthorized {
		t.Errorf("the /auth/ cookie opened /ui/: %d", w.Code)
	}
	if auth.cookie == newPageAccess(uiScope, token, nil).cookie {
		t.Error("one cookie value for /auth/ and /ui/")
	}
}

// On a unix socket the page is not served and /v1/ui/open says why.
func TestPageNotServed(t *testing.T) {
	s := New(Options{})
	s.HandlePage(PageOptions{NotServed: "the daemon listens on a unix socket"})
	if w := serve(s, "GET", "/ui/", ""); w.Code != 404 {
		t.Errorf("GET /ui/: %d", w.Code)
	}
	if w := serve(s, "POST", "/v1/ui/open", ""); w.Code != 404 || !strings.Contains(w.Body.String(), "unix socket") {
		t.Errorf("/v1/ui/open: %d %s", w.Code, w.Body)
	}
}
