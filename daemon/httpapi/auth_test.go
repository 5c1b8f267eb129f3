package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/fakeclock"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/authflow"
	"github.com/lastfmd/lastfmd/daemon/upstream"
)

func TestPageAccess(t *testing.T) {
	ck := fakeclock.New(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	p := newPageAccess(authScope, "the-token", ck.Now)
	if p.cookie == "" || strings.Contains(p.cookie, "the-token") || newPageAccess(authScope, "other", nil).cookie == p.cookie {
		t.Fatalf("cookie value %q", p.cookie)
	}
	code := p.newCode()
	req := func(method, target, cookie string) *http.Request {
		r := httptest.NewRequest(method, "http://127.0.0.1:7375"+target, nil)
		if cookie != "" {
			r.AddCookie(&http.Cookie{Name: accessCookie, Value: cookie})
		}
		return r
	}
	cases := []struct {
		name string
		r    *http.Request
		want bool
	}{
		{"nothing", req("GET", "/auth/", ""), false},
		{"token", req("GET", "/auth/?access=the-token", ""), true},
		{"code", req("GET", "/auth/?access="+code, ""), true},
		{"wrong access", req("GET", "/auth/?access=nope", ""), false},
		{"token on another path", req("GET", "/auth/callback?access=the-token", ""), false},
		{"token by POST", req("POST", "/auth/?access=the-token", ""), false},
		{"cookie", req("POST", "/auth/start", p.cookie), true},
		{"wrong cookie", req("GET", "/auth/", "x"+p.cookie[1:]), false},
		{"token as cookie", req("GET", "/auth/", "the-token"), false},
	}
	for _, c := range cases {
		if got := p.allowed(c.r); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	// One use; ten minutes.
	if !p.spend(code) || p.spend(code) || p.codeLive(code) {
		t.Error("a code can be spent twice")
	}
	late := p.newCode()
	ck.Advance(accessCodeTTL)
	if p.codeLive(late) {
		t.Error("code live after 10 minutes")
	}
	// Without a token nothing is granted by these means (the guard does not
	// ask then).
	if newPageAccess(authScope, "", nil).allowed(req("GET", "/auth/?access=", "")) {
		t.Error("empty token grants access")
	}
}

func FuzzPageAccess(f *testing.F) {
	f.Add("the-token", "cookie")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, access, cookie string) {
		p := newPageAccess(authScope, "the-token", nil)
		real := p.newCode()
		r := httptest.NewRequest("GET", "http://127.0.0.1/auth/", nil)
		q := r.URL.Query()
		q.Set(accessParam, access)
		r.URL.RawQuery = q.Encode()
		r.Header.Set("Cookie", accessCookie+"="+cookie)
		ok := p.allowed(r)
		legit := access == "the-token" || access == real || cookie == p.cookie
		if ok && !legit {
			t.Fatalf("access %q cookie %q allowed", access, cookie)
		}
	})
}

type noCalls struct{}

func (noCalls) Do(context.Context, upstream.Call) (*upstream.Response, error) {
	panic("the guard's check must not call Last.fm")
}

// The callback's exemption only looks: GET /auth/callback with a live
// state and its cookie, nothing else, and the state stays usable.
func TestCallbackExemption(t *testing.T) {
	store, _ := accounts.Open(t.TempDir(), nil)
	f, err := authflow.New(authflow.Options{Upstream: noCalls{}, Accounts: store, APIKey: "k", AuthURL: "https://www.last.fm/api/auth/"})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p := &authPages{flows: f}
	state, cookie := f.States().New("")
	mk := func(method, path, cookieVal string) *http.Request {
		r := httptest.NewRequest(method, "http://localhost:7375"+path, nil)
		if cookieVal != "" {
			r.AddCookie(&http.Cookie{Name: stateCookie, Value: cookieVal})
		}
		return r
	}
	cb := "/auth/callback?token=t&state=" + state
	cases := []struct {
		name string
		r    *http.Request
		want bool
	}{
		{"state and cookie", mk("GET", cb, cookie), true},
		{"no cookie", mk("GET", cb, ""), false},
		{"wrong cookie", mk("GET", cb, "x"), false},
		{"forged state", mk("GET", "/auth/callback?state=forged", cookie), false},
		{"POST", mk("POST", cb, cookie), false},
		{"other path", mk("GET", "/auth/start?state="+state, cookie), false},
		{"API path", mk("GET", "/v1/status?state="+state, cookie), false},
	}
	for i := 0; i < 2; i++ {
		for _, c := range cases {
			if got := p.exempt(c.r); got != c.want {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
			}
		}
	}
	if !f.States().Valid(state, cookie) {
		t.Error("checking the exemption spent the state")
	}
}
