package httpapi

import (
	"crypto/subtle"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/internal/clip"
	"github.com/lastfmd/lastfmd/signer"
)

// guard is the security middleware of docs/security.md. It runs before
// routing, on every request, so no route added later is ever exposed
// without it:
//   - the Host header must name this machine (DNS rebinding: a page on
//     evil.example resolving to 127.0.0.1 sends Host: evil.example);
//   - browsers' cross-site requests are refused (any web page the user
//     visits can make the browser send requests to localhost);
//   - with a token file, the token must come with the request (any local
//     user can reach loopback).
type guard struct {
	allowedHosts map[string]bool
	token        string // "" = no token required
	// exempt reports whether a request may skip the browser checks and the
	// token (the browser sign-in callback, authorised by state and cookie).
	exempt func(r *http.Request) bool
	// pages admit a browser to their pages (the /auth/ pages, the page at
	// /) by their access cookie or ?access= (auth_access.go); Bearer works
	// there too.
	pages []*pageAccess
}

func newGuard(allowed []string, token string) *guard {
	g := &guard{allowedHosts: map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true}, token: token}
	for _, h := range allowed {
		g.allowedHosts[strings.ToLower(strings.TrimSuffix(h, "."))] = true
	}
	return g
}

// check runs the guard on a request before any routing; a non-nil error
// (an *apperr.Error) refuses it.
func (g *guard) check(w http.ResponseWriter, r *http.Request) error {
	if !g.hostAllowed(r.Host) {
		return apperr.New(apperr.Forbidden, signer.ErrAuthFailed, "Host %q is not allowed: add it to security.allowed_hosts", clip.Line(r.Host, 64))
	}
	exempt := g.exempt != nil && g.exempt(r)
	if !exempt {
		if why := crossSite(r); why != "" {
			return apperr.New(apperr.Forbidden, signer.ErrAuthFailed, "browser request refused: %s", why)
		}
	}
	if g.token == "" || exempt {
		return nil
	}
	switch p := r.URL.Path; {
	case p == "/healthz" || p == "/readyz":
	case p == "/2.0" || strings.HasPrefix(p, "/2.0/"):
		// The token arrives as the client's api_key: checked once the
		// parameters are parsed (dropIn.checkToken).
	case p == "/" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		// Only a redirect to the page (/ui/), which the token guards.
	default:
		if pa := g.pageOf(p); pa != nil {
			if !pa.open(p) && !g.bearerOK(r) && !pa.allowed(r) {
				return apperr.New(apperr.Unauthorized, signer.ErrAuthFailed, "a token is required: open the address `%s` prints", pa.scope.command)
			}
			break
		}
		if !g.bearerOK(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="lastfmd"`)
			return apperr.New(apperr.Unauthorized, signer.ErrAuthFailed, "a token is required: send Authorization: Bearer TOKEN (see security.token_file)")
		}
	}
	return nil
}

// pageOf is the page set the URL path belongs to, nil for none.
func (g *guard) pageOf(path string) *pageAccess {
	for _, pa := range g.pages {
		if pa.covers(path) {
			return pa
		}
	}
	return nil
}

// formFromPage reports whether a POST carries the marks of a form
// submitted from one of the daemon's own pages (an Origin, which the
// guard checked is this origin, or Sec-Fetch-Site: same-origin): the
// per-page protection of the /auth/ pages' Connect button and of the page
// at /'s buttons. With the guard's refusal of every cross-site request, a
// page elsewhere can neither post a form here nor forge these headers.
func formFromPage(r *http.Request) bool {
	return r.Header.Get("Origin") != "" || strings.EqualFold(r.Header.Get("Sec-Fetch-Site"), "same-origin")
}

// hostAllowed accepts localhost, 127.0.0.1, [::1] and allowed_hosts, on any
// port.
func (g *guard) hostAllowed(hostport string) bool {
	if hostport == "" {
		return false
	}
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	} else {
		host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	}
	return g.allowedHosts[strings.ToLower(strings.TrimSuffix(host, "."))]
}

// crossSite says why a request looks like a browser's cross-site request,
// or "" when it does not. Scripts send none of these headers.
func crossSite(r *http.Request) string {
	// Headers are read by their canonical names straight from the map:
	// this runs on every request, and Header.Get canonicalises each time.
	if site := first(r.Header["Sec-Fetch-Site"]); site != "" {
		switch strings.ToLower(site) {
		case "cross-site", "same-site":
			return "Sec-Fetch-Site is " + strings.ToLower(site)
		}
	}
	if origin, ok := r.Header["Origin"]; ok {
		o := first(origin)
		if o == "null" || !sameOrigin(o, r.Host) {
			return "Origin is another site"
		}
	}
	if ref := first(r.Header["Referer"]); ref != "" && !sameOrigin(ref, r.Host) {
		return "Referer is another site"
	}
	return ""
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// sameOrigin reports whether the URL raw is on this daemon's own origin
// (http, the Host the request used).
func sameOrigin(raw, host string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	return u.Scheme == "http" && strings.EqualFold(u.Host, host)
}

func (g *guard) bearerOK(r *http.Request) bool {
	h := r.Header.Get("Authorization")
	const prefix = "bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return false
	}
	return g.tokenEqual(strings.TrimSpace(h[len(prefix):]))
}

// tokenEqual compares in constant time.
func (g *guard) tokenEqual(got string) bool {
	return subtle.ConstantTimeCompare([]byte(got), []byte(g.token)) == 1
}
