package httpapi

import (
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lastfmd/lastfmd/daemon/authflow"
)

// AuthOptions wire the sign-in routes.
type AuthOptions struct {
	Flows *authflow.Flows
	// BeforeLogout is asked before an account is removed (the journal);
	// nil allows every logout.
	BeforeLogout func(account string, force bool) error
	// BeforeMirrorLogout is asked before an account's session on a mirror
	// is removed (the journal: that lane's items); nil allows every one.
	BeforeMirrorLogout func(account, mirror string, force bool) error
}

// MountAuth adds the browser sign-in pages (/auth/) and the /v1/auth/
// endpoints behind the same guard, and lets the sign-in callback through
// the guard when its state and cookie are valid. Call it before serving.
func (s *Server) MountAuth(o AuthOptions) {
	access := newPageAccess(authScope, s.guard.token, s.now)
	csp := "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self' " + o.Flows.AuthOrigin()
	pages := &authPages{flows: o.Flows, access: access, csp: strings.TrimSpace(csp)}
	api := &authAPI{flows: o.Flows, access: access, beforeLogout: o.BeforeLogout, beforeMirrorLogout: o.BeforeMirrorLogout}

	s.guard.pages = append(s.guard.pages, access)
	s.SetExempt(pages.exempt)

	e := s.e
	e.GET("/auth", func(c echo.Context) error { return redirectKeepingQuery(c, http.StatusMovedPermanently, "/auth/") })
	e.GET("/auth/", pages.accounts)
	e.POST("/auth/start", pages.start)
	e.GET(callbackPath, pages.callback)

	e.POST("/v1/auth/login", api.login)
	e.GET("/v1/auth/login/:id", api.loginStatus)
	e.DELETE("/v1/auth/login/:id", api.cancelLogin)
	e.DELETE("/v1/auth/login", api.cancelLogins)
	e.POST("/v1/auth/mobile", api.mobile)
	e.POST("/v1/auth/import", api.importKey)
	e.POST("/v1/auth/token", api.token)
	e.POST("/v1/auth/default", api.setDefault)
	e.DELETE("/v1/auth/accounts/:name", api.logout)
	e.DELETE("/v1/auth/accounts/:name/mirrors/:mirror", api.logoutMirror)
	e.GET("/v1/auth/accounts", api.accounts)
	e.POST("/v1/auth/web", api.web)
}

// redirectKeepingQuery sends the browser to target with the request's
// query (an ?access= code on its way to the pages' entry).
func redirectKeepingQuery(c echo.Context, status int, target string) error {
	if q := c.Request().URL.RawQuery; q != "" {
		target += "?" + q
	}
	return c.Redirect(status, target)
}
