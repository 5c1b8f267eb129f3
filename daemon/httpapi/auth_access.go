package httpapi

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Listener-token access to the daemon's pages (docs/security.md#the-listener-token):
// the /auth/ sign-in pages and the page at / (/ui/). A browser cannot send
// Authorization: Bearer, so the token, or better a one-time code, reaches
// the pages' entry (GET /auth/, GET /ui/) once as ?access=, which is traded
// for an HttpOnly SameSite=Strict cookie on the pages' narrow path
// (Strict: a page elsewhere cannot make the browser send it). ?access=
// takes the token itself or a one-time code minted by POST /v1/auth/web or
// POST /v1/ui/open, which is what `lastfmd auth web` and `lastfmd open`
// print, so the long-lived token never has to sit in a terminal or a
// browser's history. The cookie holds an HMAC of the token, never the
// token, one per page set (a cookie for /auth/ does not open /ui/).
const (
	accessCookie   = "lastfmd_access" // the /auth/ pages'
	accessParam    = "access"
	accessCodeTTL  = 10 * time.Minute
	maxAccessCodes = 64
)

// pageScope is a set of pages the token opens to a browser.
type pageScope struct {
	path    string // the pages' entry and the cookie's Path: "/auth/"
	cookie  string // the cookie's name
	command string // the command that prints an address with a code
	// public is a path under path served without the token (embedded
	// assets, the same for everyone); "" for none.
	public string
}

// authScope is the sign-in pages'; uiScope the page at / (page.go).
var (
	authScope = pageScope{path: "/auth/", cookie: accessCookie, command: "lastfmd auth web"}
	uiScope   = pageScope{path: "/ui/", cookie: "lastfmd_ui", command: "lastfmd open", public: "/ui/static/"}
)

type pageAccess struct {
	scope  pageScope
	token  string
	cookie string // the cookie value the token grants
	now    func() time.Time

	mu    sync.Mutex
	codes map[string]time.Time // one-time code -> expiry
}

func newPageAccess(scope pageScope, token string, now func() time.Time) *pageAccess {
	if now == nil {
		now = time.Now
	}
	p := &pageAccess{scope: scope, token: token, now: now, codes: map[string]time.Time{}}
	if token != "" {
		m := hmac.New(sha256.New, []byte(token))
		m.Write([]byte("lastfmd " + scope.path + " page access v1"))
		p.cookie = hex.EncodeToString(m.Sum(nil))
	}
	return p
}

// covers reports whether the URL path is one of the scope's pages.
func (p *pageAccess) covers(path string) bool {
	return path == strings.TrimSuffix(p.scope.path, "/") || strings.HasPrefix(path, p.scope.path)
}

// open reports whether the URL path is served without the token.
func (p *pageAccess) open(path string) bool {
	return p.scope.public != "" && strings.HasPrefix(path, p.scope.public)
}

// admit trades ?access= on the pages' entry for the access cookie: traded
// is false when the request carries none (or no token is configured), ok
// false when the code was already spent or is too old. The caller then
// redirects to the entry, dropping the code from the address bar.
func (p *pageAccess) admit(w http.ResponseWriter, r *http.Request) (traded, ok bool) {
	v := r.URL.Query().Get(accessParam)
	if v == "" || p.token == "" {
		return false, false
	}
	if c, err := r.Cookie(p.scope.cookie); err == nil && p.cookieOK(c.Value) {
		return true, true // in already: an old address reopened
	}
	if !p.tokenOK(v) && !p.spend(v) {
		return true, false
	}
	http.SetCookie(w, &http.Cookie{Name: p.scope.cookie, Value: p.cookie, Path: p.scope.path,
		HttpOnly: true, SameSite: http.SameSiteStrictMode})
	return true, true
}

// url is the entry's address on host, with a fresh one-time code when a
// token is configured: what POST /v1/auth/web and /v1/ui/open answer.
func (p *pageAccess) url(host string) string {
	u := "http://" + host + p.scope.path
	if p.token != "" {
		u += "?" + accessParam + "=" + p.newCode()
	}
	return u
}

// allowed is the guard's check for the scope's paths (the token is
// configured): the access cookie, or ?access= with the token or a live
// one-time code on GET of the entry. It changes nothing; admit spends a
// code.
func (p *pageAccess) allowed(r *http.Request) bool {
	if c, err := r.Cookie(p.scope.cookie); err == nil && p.cookieOK(c.Value) {
		return true
	}
	if (r.Method == http.MethodGet || r.Method == http.MethodHead) && r.URL.Path == p.scope.path {
		if v := r.URL.Query().Get(accessParam); v != "" {
			return p.tokenOK(v) || p.codeLive(v)
		}
	}
	return false
}

func (p *pageAccess) cookieOK(v string) bool {
	return p.cookie != "" && subtle.ConstantTimeCompare([]byte(v), []byte(p.cookie)) == 1
}

func (p *pageAccess) tokenOK(v string) bool {
	return p.token != "" && subtle.ConstantTimeCompare([]byte(v), []byte(p.token)) == 1
}

// newCode mints a one-time code valid 10 minutes.
func (p *pageAccess) newCode() string {
	code := randomCode()
	now := p.now()
	p.mu.Lock()
	defer p.mu.Unlock()
	for c, exp := range p.codes {
		if !now.Before(exp) || len(p.codes) >= maxAccessCodes {
			delete(p.codes, c)
		}
	}
	p.codes[code] = now.Add(accessCodeTTL)
	return code
}

func (p *pageAccess) codeLive(v string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, ok := p.lookupLocked(v)
	return ok
}

// spend uses a code up; false if it is not live (or was just spent).
func (p *pageAccess) spend(v string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	code, ok := p.lookupLocked(v)
	if ok {
		delete(p.codes, code)
	}
	return ok
}

// lookupLocked finds v among the live codes, comparing in constant time.
func (p *pageAccess) lookupLocked(v string) (string, bool) {
	now := p.now()
	found := ""
	for c, exp := range p.codes {
		if subtle.ConstantTimeCompare([]byte(v), []byte(c)) == 1 && now.Before(exp) {
			found = c
		}
	}
	return found, found != ""
}

// randomCode is 256 random bits, URL-safe.
func randomCode() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("httpapi: no randomness: " + err.Error()) // crypto/rand never fails on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
