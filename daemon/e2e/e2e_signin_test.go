package e2e_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// browser is a minimal browser for the /auth/ pages: it keeps cookies per
// host (as a cookie jar would, honouring Path) and sends the Origin and
// Sec-Fetch-Site headers a real browser sends.
type browser struct {
	t       testing.TB
	h       *harness
	cookies map[string]*http.Cookie // by name, for the daemon's host
}

func newBrowser(h *harness) *browser {
	return &browser{t: h.t, h: h, cookies: map[string]*http.Cookie{}}
}

// request sends one request to the daemon with the cookies whose Path
// matches, and records Set-Cookie.
func (b *browser) request(method, rawURL string, hdr ...string) answer {
	b.t.Helper()
	var body *strings.Reader
	if method == http.MethodPost {
		body = strings.NewReader("")
	}
	var req *http.Request
	var err error
	if body != nil {
		req, err = http.NewRequest(method, rawURL, body)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req, err = http.NewRequest(method, rawURL, nil)
	}
	if err != nil {
		b.t.Fatal(err)
	}
	for _, c := range b.cookies {
		if strings.HasPrefix(req.URL.Path, c.Path) {
			req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		}
	}
	setHeaders(req, hdr)
	a := b.h.do(req)
	for _, c := range (&http.Response{Header: a.header}).Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
			continue
		}
		b.cookies[c.Name] = c
	}
	return a
}

// startFlow presses Connect on the accounts page and returns the redirect
// to Last.fm.
func (b *browser) startFlow() *url.URL {
	b.t.Helper()
	a := b.request(http.MethodPost, b.h.url+"/auth/start", "Origin", b.h.url, "Sec-Fetch-Site", "same-origin")
	wantStatus(b.t, a, http.StatusSeeOther)
	u, err := url.Parse(a.header.Get("Location"))
	if err != nil {
		b.t.Fatal(err)
	}
	return u
}

// approveAt approves on the emulator's page and returns the callback URL
// Last.fm sends the browser to.
func approveAt(t testing.TB, lastfm *url.URL, user string) string {
	t.Helper()
	resp := approve(t, lastfm.String(), user)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("approval page answered %d, want a redirect", resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

// crossSite are the headers of Last.fm's redirect back: a cross-site
// navigation.
func crossSite(lastfm *url.URL) []string {
	return []string{"Sec-Fetch-Site", "cross-site", "Referer", lastfm.Scheme + "://" + lastfm.Host + "/"}
}

// The browser flow with an ordinary HTTP client behaving like a browser:
// every refusal the issue lists, then a real sign-in.
func TestSignInBrowserFlow(t *testing.T) {
	clock := newFakeClock()
	h := newHarnessAccount(t, noAccount, withClock(clock))
	b := newBrowser(h)

	page := b.request(http.MethodGet, h.url+"/auth/", "Sec-Fetch-Site", "none")
	wantStatus(t, page, 200)
	wantContains(t, page.body, `id="connect"`, `action="/auth/start"`, "No Last.fm account is signed in")
	for _, hd := range []string{"Content-Security-Policy", "X-Frame-Options", "Referrer-Policy"} {
		if page.header.Get(hd) == "" {
			t.Errorf("accounts page without %s", hd)
		}
	}
	if !strings.Contains(page.header.Get("Content-Security-Policy"), "form-action 'self' http://"+h.emu.Addr()) {
		t.Errorf("CSP %q", page.header.Get("Content-Security-Policy"))
	}

	// A cross-site POST /auth/start (a form on another site) is refused
	// and sets no cookie; so is a POST that did not come from a page.
	for _, hdr := range [][]string{
		{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"},
		{"Origin", "null"},
		{"Sec-Fetch-Site", "same-site", "Origin", "http://other.localhost:1"},
		{},
	} {
		a := b.request(http.MethodPost, h.url+"/auth/start", hdr...)
		wantStatus(t, a, http.StatusForbidden)
		if a.header.Get("Set-Cookie") != "" || a.header.Get("Location") != "" {
			t.Errorf("refused start %v set a cookie or redirected", hdr)
		}
	}

	// Connect: the state cookie and the redirect to Last.fm.
	raw := b.request(http.MethodPost, h.url+"/auth/start", "Origin", h.url, "Sec-Fetch-Site", "same-origin")
	wantStatus(t, raw, http.StatusSeeOther)
	sc := raw.header.Get("Set-Cookie")
	for _, attr := range []string{"lastfmd_signin=", "Path=/auth/callback", "Max-Age=600", "HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(sc, attr) {
			t.Errorf("Set-Cookie %q lacks %s", sc, attr)
		}
	}
	lastfm, _ := url.Parse(raw.header.Get("Location"))
	cb, _ := url.Parse(lastfm.Query().Get("cb"))
	state := cb.Query().Get("state")
	if lastfm.Scheme+"://"+lastfm.Host+lastfm.Path != h.emu.AuthURL() || lastfm.Query().Get("api_key") != testKey ||
		cb.String() != h.url+"/auth/callback?state="+url.QueryEscape(state) || len(state) < 40 {
		t.Fatalf("redirect to %s", lastfm)
	}
	// The cookie value is not the state.
	if strings.Contains(sc, state) {
		t.Fatal("the cookie carries the state")
	}
	callback := approveAt(t, lastfm, "alice")
	cu, _ := url.Parse(callback)
	token := cu.Query().Get("token")
	if !strings.HasPrefix(callback, h.url+"/auth/callback?state=") || token == "" {
		t.Fatalf("Last.fm sent the browser to %s", callback)
	}

	// Forged state, with the right cookie: refused, and the real state
	// survives (a forgery cannot burn it).
	forged := h.url + "/auth/callback?state=forged-state&token=" + token
	wantStatus(t, b.request(http.MethodGet, forged, crossSite(lastfm)...), http.StatusForbidden)
	// State without the cookie (another browser, or a page replaying a
	// leaked URL): refused by the guard as a cross-site request, and by
	// the handler when no browser headers come.
	bare := &browser{t: t, h: h, cookies: map[string]*http.Cookie{}}
	wantStatus(t, bare.request(http.MethodGet, callback, crossSite(lastfm)...), http.StatusForbidden)
	a := bare.request(http.MethodGet, callback)
	wantStatus(t, a, http.StatusForbidden)
	wantContains(t, a.body, "this browser did not start this sign-in")
	if len(h.m.Accounts.List()) != 0 || h.emu.Count("auth.getSession") != 0 {
		t.Fatal("a refused callback exchanged the token")
	}

	// The real callback: cross-site, state + cookie.
	a = b.request(http.MethodGet, callback, crossSite(lastfm)...)
	wantStatus(t, a, 200)
	wantContains(t, a.body, "Signed in as alice")
	if !strings.Contains(a.header.Get("Set-Cookie"), "Max-Age=0") {
		t.Errorf("state cookie not cleared: %q", a.header.Get("Set-Cookie"))
	}
	sk := h.liveKey("alice")
	if u, _ := h.emu.SessionUser(sk); u != "alice" {
		t.Fatal("stored key is not alice's")
	}
	// The next write uses it.
	wantStatus(t, h.love("", "Believe"), 200)
	if h.last("track.love").Params["sk"] != sk {
		t.Error("write not signed with the new session")
	}

	// Replayed: the state is spent (the browser still holds a cookie from
	// a second flow, so this is the state that is refused).
	b.startFlow()
	a = b.request(http.MethodGet, callback, crossSite(lastfm)...)
	wantStatus(t, a, http.StatusForbidden)
	a = b.request(http.MethodGet, callback)
	wantStatus(t, a, http.StatusForbidden)
	wantContains(t, a.body, "Sign-in refused")
	if h.emu.Count("auth.getSession") != 1 {
		t.Errorf("auth.getSession called %d times", h.emu.Count("auth.getSession"))
	}

	// A state older than 10 minutes: refused.
	lastfm = b.startFlow()
	callback = approveAt(t, lastfm, "bob")
	clock.Advance(10*time.Minute + time.Second)
	a = b.request(http.MethodGet, callback)
	wantStatus(t, a, http.StatusForbidden)
	wantContains(t, a.body, "longer than 10 minutes")

	// Named account from the form; the accounts page lists what is signed in.
	a = b.request(http.MethodPost, h.url+"/auth/start?x=1", "Origin", h.url)
	_ = a
	page = b.request(http.MethodGet, h.url+"/auth/")
	wantContains(t, page.body, "<td>alice</td>", "signed in")
	h.noLeak([]string{sk, token})
	for _, c := range b.cookies {
		if strings.Contains(c.Value, token) || strings.Contains(c.Value, sk) {
			t.Error("a cookie carries a secret")
		}
	}
}

// A name chosen on the page, and Last.fm's answer when the user did not
// allow access (no token).
func TestSignInBrowserNamedAndDenied(t *testing.T) {
	h := newHarnessAccount(t, noAccount)
	b := newBrowser(h)
	req, _ := http.NewRequest(http.MethodPost, h.url+"/auth/start", strings.NewReader("account=living-room"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", h.url)
	a := h.do(req)
	wantStatus(t, a, http.StatusSeeOther)
	for _, c := range (&http.Response{Header: a.header}).Cookies() {
		b.cookies[c.Name] = c
	}
	lastfm, _ := url.Parse(a.header.Get("Location"))
	callback := approveAt(t, lastfm, "bob")
	a = b.request(http.MethodGet, callback, crossSite(lastfm)...)
	wantStatus(t, a, 200)
	wantContains(t, a.body, "Signed in as living-room")
	if acc, _ := h.m.Accounts.Get("living-room"); acc.User != "bob" {
		t.Errorf("living-room is %+v", acc.User)
	}
	// A bad name on the form.
	req, _ = http.NewRequest(http.MethodPost, h.url+"/auth/start", strings.NewReader("account=no+spaces"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", h.url)
	wantStatus(t, h.do(req), http.StatusBadRequest)

	// Denied: Last.fm comes back without a token.
	lastfm = b.startFlow()
	cb := lastfm.Query().Get("cb")
	a = b.request(http.MethodGet, cb, crossSite(lastfm)...)
	wantStatus(t, a, http.StatusBadRequest)
	wantContains(t, a.body, "no token")
}

// With a listener token: the pages need ?access= once (the token, or a
// one-time code from POST /v1/auth/web), then a SameSite=Strict cookie; the
// callback needs neither, its state and cookie authorise it.
func TestSignInBrowserWithToken(t *testing.T) {
	h := newHarnessAccount(t, noAccount, withToken(t))
	b := newBrowser(h)
	wantStatus(t, b.request(http.MethodGet, h.url+"/auth/"), http.StatusUnauthorized)
	wantStatus(t, b.request(http.MethodGet, h.url+"/auth/?access=wrong"), http.StatusUnauthorized)
	wantStatus(t, b.request(http.MethodPost, h.url+"/auth/start", "Origin", h.url), http.StatusUnauthorized)

	// auth web's one-time code.
	bearer := []string{"Authorization", "Bearer " + testToken}
	wantStatus(t, h.postJSON("/v1/auth/web", ``), http.StatusUnauthorized)
	web := decode[map[string]string](t, h.postJSON("/v1/auth/web", ``, bearer...))["url"]
	if !strings.HasPrefix(web, h.url+"/auth/?access=") || strings.Contains(web, testToken) {
		t.Fatalf("auth web URL %q", web)
	}
	a := b.request(http.MethodGet, web)
	wantStatus(t, a, http.StatusSeeOther)
	if a.header.Get("Location") != "/auth/" {
		t.Errorf("access not dropped from the address: %q", a.header.Get("Location"))
	}
	sc := a.header.Get("Set-Cookie")
	for _, attr := range []string{"lastfmd_access=", "Path=/auth/", "HttpOnly", "SameSite=Strict"} {
		if !strings.Contains(sc, attr) {
			t.Errorf("Set-Cookie %q lacks %s", sc, attr)
		}
	}
	// The code is single use.
	other := newBrowser(h)
	wantStatus(t, other.request(http.MethodGet, web), http.StatusUnauthorized)
	// The token itself works too (docs/security.md#the-listener-token: ?access=TOKEN).
	wantStatus(t, other.request(http.MethodGet, h.url+"/auth/?access="+testToken), http.StatusSeeOther)
	wantStatus(t, other.request(http.MethodGet, h.url+"/auth/"), 200)

	wantStatus(t, b.request(http.MethodGet, h.url+"/auth/"), 200)
	// The access cookie does not open the API.
	wantStatus(t, b.request(http.MethodGet, h.url+"/v1/status"), http.StatusUnauthorized)

	lastfm := b.startFlow()
	callback := approveAt(t, lastfm, "alice")
	// Forged state, no token: the guard asks for the token; with the
	// access cookie, the page refuses the state.
	wantStatus(t, newBrowser(h).request(http.MethodGet, h.url+"/auth/callback?state=forged&token=x"), http.StatusUnauthorized)
	wantStatus(t, b.request(http.MethodGet, h.url+"/auth/callback?state=forged&token=x"), http.StatusForbidden)
	// State and cookie, no token, cross-site: let through.
	a = b.request(http.MethodGet, callback, crossSite(lastfm)...)
	wantStatus(t, a, 200)
	wantContains(t, a.body, "Signed in as alice")
	// Replayed: the state is spent, so the guard wants the token again.
	wantStatus(t, b.request(http.MethodGet, callback, crossSite(lastfm)...), http.StatusForbidden)
	wantStatus(t, newBrowser(h).request(http.MethodGet, callback), http.StatusUnauthorized)
	h.noLeak([]string{h.liveKey("alice")}, bearer...)
}
