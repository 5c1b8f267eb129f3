package httpapi

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"sync"
	"time"
)

// Listener-token access to the /auth/ pages (docs/security.md#the-listener-token): a
// browser cannot send Authorization: Bearer, so the token reaches GET
// /auth/ once as ?access=, which is traded for an HttpOnly SameSite=Strict
// cookie on Path=/auth/ (Strict: a page elsewhere cannot make the browser
// send it). ?access= takes the token itself or a one-time code minted by
// POST /v1/auth/web, which is what `lastfmd auth web` prints, so the
// long-lived token never has to sit in a terminal or a browser's history.
// The cookie holds an HMAC of the token, not the token.
const (
	accessCookie   = "lastfmd_access"
	accessParam    = "access"
	accessCodeTTL  = 10 * time.Minute
	maxAccessCodes = 64
)

type pageAccess struct {
	token  string
	cookie string // the cookie value the token grants
	now    func() time.Time

	mu    sync.Mutex
	codes map[string]time.Time // one-time code -> expiry
}

func newPageAccess(token string, now func() time.Time) *pageAccess {
	if now == nil {
		now = time.Now
	}
	p := &pageAccess{token: token, now: now, codes: map[string]time.Time{}}
	if token != "" {
		m := hmac.New(sha256.New, []byte(token))
		m.Write([]byte("lastfmd /auth/ page access v1"))
		p.cookie = hex.EncodeToString(m.Sum(nil))
	}
	return p
}

// allowed is the guard's check for /auth/ paths (the token is configured):
// the access cookie, or ?access= with the token or a live one-time code on
// GET /auth/. It changes nothing; serveAccounts spends a code.
func (p *pageAccess) allowed(r *http.Request) bool {
	if c, err := r.Cookie(accessCookie); err == nil && p.cookieOK(c.Value) {
		return true
	}
	if (r.Method == http.MethodGet || r.Method == http.MethodHead) && r.URL.Path == "/auth/" {
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
