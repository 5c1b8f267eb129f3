package emulator

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/fakeclock"
)

func getToken(t *testing.T, s *Server) string {
	t.Helper()
	r := do(t, s, "GET", signed(s, P{"method": "auth.getToken", "format": "json"}))
	tok, _ := path(jsonOf(t, r), "token").(string)
	if r.status != 200 || len(tok) != 32 {
		t.Fatalf("getToken: %d %s", r.status, r.body)
	}
	return tok
}

func TestDesktopFlow(t *testing.T) {
	clock := fakeclock.New(time.Unix(1700000000, 0))
	s := newTestServer(t, Options{Now: clock.Now})
	s.AddUser("RJ", "pw", false)
	tok := getToken(t, s)

	session := func(tok string) reply {
		return do(t, s, "POST", signed(s, P{"method": "auth.getSession", "token": tok}))
	}
	if r := session(tok); r.status != 403 || errorCode(t, r) != 14 {
		t.Errorf("before approval: %d %s", r.status, r.body)
	}
	if err := s.ApproveToken(tok, "rj"); err != nil {
		t.Fatal(err)
	}
	r := session(tok)
	l := xmlOf(t, r)
	if r.status != 200 || !strings.Contains(string(l.Inner), "<name>RJ</name>") || !strings.Contains(string(l.Inner), "<subscriber>0</subscriber>") {
		t.Fatalf("getSession: %d %s", r.status, r.body)
	}
	sk := between(r.body, "<key>", "</key>")
	if len(sk) != 32 {
		t.Fatalf("session key %q", sk)
	}
	if u, ok := s.SessionUser(sk); !ok || u != "RJ" {
		t.Errorf("SessionUser = %q %v", u, ok)
	}
	// The token is single use.
	if r := session(tok); r.status != 403 || errorCode(t, r) != 4 ||
		!strings.Contains(r.body, "Unauthorized Token - This token has not been issued") {
		t.Errorf("reused token: %d %s", r.status, r.body)
	}
	if r := session("neverissuedneverissuedneverissue"); errorCode(t, r) != 4 {
		t.Errorf("unknown token: %s", r.body)
	}
	// JSON session shape: subscriber is a number.
	tok2 := getToken(t, s)
	_ = s.ApproveToken(tok2, "rj")
	r = do(t, s, "POST", signed(s, P{"method": "auth.getSession", "token": tok2, "format": "json"}))
	m := jsonOf(t, r)
	if path(m, "session", "name") != "RJ" || path(m, "session", "key") != sk || path(m, "session", "subscriber") != float64(0) {
		t.Errorf("JSON session (same key reused): %s", r.body)
	}

	// Expiry: 60 minutes of emulator clock.
	tok3 := getToken(t, s)
	clock.Advance(59 * time.Minute)
	if err := s.ApproveToken(tok3, "rj"); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	if r := session(tok3); r.status != 403 || errorCode(t, r) != 15 {
		t.Errorf("expired: %d %s", r.status, r.body)
	}
	if err := s.ApproveToken(tok3, "rj"); err == nil {
		t.Error("approving an expired token worked")
	}
}

func between(s, a, b string) string {
	i := strings.Index(s, a)
	if i < 0 {
		return ""
	}
	s = s[i+len(a):]
	j := strings.Index(s, b)
	if j < 0 {
		return ""
	}
	return s[:j]
}

func noRedirect() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func TestApprovalPageWebFlow(t *testing.T) {
	s := newTestServer(t, Options{AppName: "My Scrobbler"})
	s.AddUser("alice", "pw", false)
	s.AddUser("bob", "pw", false)
	c := noRedirect()

	// The page names the app and prefills the first user.
	resp, err := c.Get(s.AuthURL() + "?api_key=" + s.APIKey() + "&cb=" + url.QueryEscape("http://127.0.0.1:9/cb?state=xyz"))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"My Scrobbler", `id="approve"`, "Allow access", `value="alice"`, `method="post"`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("page lacks %s:\n%s", want, page)
		}
	}
	// Pressing the button: POST, redirect to cb with token appended with '&'.
	resp, err = c.PostForm(s.AuthURL(), url.Values{"api_key": {s.APIKey()}, "cb": {"http://127.0.0.1:9/cb?state=xyz"},
		"username": {"bob"}, "approve": {"1"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "http://127.0.0.1:9/cb?state=xyz&token=") {
		t.Fatalf("redirect: %d %q", resp.StatusCode, loc)
	}
	u, _ := url.Parse(loc)
	tok := u.Query().Get("token")
	r := do(t, s, "POST", signed(s, P{"method": "auth.getSession", "token": tok, "format": "json"}))
	if path(jsonOf(t, r), "session", "name") != "bob" {
		t.Errorf("web session: %s", r.body)
	}

	// cb without a query gets '?token='; a desktop token given is the one approved.
	tok = getToken(t, s)
	resp, err = c.PostForm(s.AuthURL(), url.Values{"api_key": {s.APIKey()}, "token": {tok}, "cb": {"http://x.test/back"}, "username": {"alice"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); loc != "http://x.test/back?token="+url.QueryEscape(tok) {
		t.Errorf("Location %q", loc)
	}

	// Desktop flow through the page, no cb: a closing message.
	tok = getToken(t, s)
	resp, err = c.PostForm(s.AuthURL(), url.Values{"api_key": {s.APIKey()}, "token": {tok}, "username": {"alice"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Application authorised, you can close this window") {
		t.Errorf("no-cb approval: %d %s", resp.StatusCode, body)
	}
	r = do(t, s, "POST", signed(s, P{"method": "auth.getSession", "token": tok, "format": "json"}))
	if path(jsonOf(t, r), "session", "name") != "alice" {
		t.Errorf("desktop session: %s", r.body)
	}

	// Bad key, unknown token, unknown user.
	for _, v := range []url.Values{
		{"api_key": {"bad"}, "token": {tok}, "username": {"alice"}},
		{"api_key": {s.APIKey()}, "token": {"nope"}, "username": {"alice"}},
		{"api_key": {s.APIKey()}, "token": {getToken(t, s)}, "username": {"carol"}},
	} {
		resp, err = c.PostForm(s.AuthURL(), v)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode < 400 {
			t.Errorf("%v: %d", v, resp.StatusCode)
		}
	}
	resp, err = c.Get(s.AuthURL() + "?api_key=" + s.APIKey() + "&token=nope")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Errorf("page for unknown token: %d", resp.StatusCode)
	}
}

func TestMobileSession(t *testing.T) {
	s := newTestServer(t, Options{})
	s.AddUser("RJ", "s3cret", false)
	mobile := func(p P) reply {
		p["method"] = "auth.getMobileSession"
		p["format"] = "json"
		return do(t, s, "POST", signed(s, p))
	}
	r := mobile(P{"username": "rj", "password": "s3cret"})
	sk, _ := path(jsonOf(t, r), "session", "key").(string)
	if r.status != 200 || path(jsonOf(t, r), "session", "name") != "RJ" || len(sk) != 32 {
		t.Fatalf("password: %d %s", r.status, r.body)
	}
	r = mobile(P{"username": "rj", "authToken": md5hex("rj" + md5hex("s3cret"))})
	if path(jsonOf(t, r), "session", "key") != sk {
		t.Errorf("authToken: %s", r.body)
	}
	for _, p := range []P{
		{"username": "rj", "password": "wrong"},
		{"username": "nobody", "password": "s3cret"},
		{"username": "rj", "authToken": md5hex("rj" + md5hex("wrong"))},
	} {
		r = mobile(p)
		if r.status != 403 || errorCode(t, r) != 4 ||
			!strings.Contains(r.body, "Authentication Failed - You do not have permissions to access the service") {
			t.Errorf("%v: %d %s", p, r.status, r.body)
		}
	}
	r = mobile(P{"username": "rj"})
	if r.status != 400 || errorCode(t, r) != 6 {
		t.Errorf("no password: %d %s", r.status, r.body)
	}
	// A revoked key is replaced by a new one.
	s.RevokeSession(sk)
	r = mobile(P{"username": "rj", "password": "s3cret"})
	if k := path(jsonOf(t, r), "session", "key"); k == sk || k == nil {
		t.Errorf("after revoke: %s", r.body)
	}
}
