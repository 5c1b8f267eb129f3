package httpapi

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lastfmd/lastfmd/api"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/authflow"
	"github.com/lastfmd/lastfmd/internal/clip"
	"github.com/lastfmd/lastfmd/signer"
)

// The /v1/auth/ endpoints `lastfmd auth` uses to have the running daemon
// act (it holds the secret and owns sessions.json). Bodies are JSON
// objects and must say so (Content-Type: application/json): a cross-site
// page can only send JSON with a CORS preflight, which lastfmd never
// grants, on top of the guard's browser refusal.
type authAPI struct {
	flows              *authflow.Flows
	access             *pageAccess
	beforeLogout       func(account string, force bool) error
	beforeMirrorLogout func(account, mirror string, force bool) error
}

const maxAuthBody = 64 << 10

// body reads a JSON object holding only the named fields.
func authBody(r *http.Request, fields ...string) (url.Values, error) {
	data, err := readBody(r, maxAuthBody)
	if err != nil {
		return nil, err
	}
	if len(strings.TrimSpace(string(data))) > 0 && mediaType(r) != jsonType {
		return nil, apperr.New(apperr.Invalid, signer.ErrInvalidParams, "send a JSON object with Content-Type: application/json")
	}
	v, err := parseJSONObject(data) // a key given twice is refused there
	if err != nil {
		return nil, err
	}
	allowed := map[string]bool{}
	for _, f := range fields {
		allowed[f] = true
	}
	var unknown []string
	for k := range v {
		if !allowed[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return nil, apperr.Invalidf("unknown field %q: expected %s", clip.Line(unknown[0], 64), strings.Join(fields, ", "))
	}
	return v, nil
}

// login is POST /v1/auth/login {"account": NAME?, "mirror": NAME?}:
// starts a desktop flow the daemon polls, at Last.fm or on a mirror;
// answers its id and the approval URL.
func (a *authAPI) login(c echo.Context) error {
	v, err := authBody(c.Request(), "account", "mirror")
	if err != nil {
		return err
	}
	lg, err := a.flows.StartLogin(c.Request().Context(), authflow.Target{Account: v.Get("account"), Mirror: v.Get("mirror")})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, lg)
}

// loginStatus is GET /v1/auth/login/{id}: pending, signed_in or failed.
func (a *authAPI) loginStatus(c echo.Context) error {
	lg, ok := a.flows.Login(c.Param("id"))
	if !ok {
		return errNoSuchLogin()
	}
	return c.JSON(http.StatusOK, lg)
}

// errNoSuchLogin answers an id the daemon does not know, or no longer.
func errNoSuchLogin() error {
	return apperr.New(apperr.NotFound, signer.ErrInvalidParams, "no sign-in with this id (finished flows are kept 15 minutes)")
}

// cancelLogin is DELETE /v1/auth/login/{id}: `lastfmd auth login` gave
// up (Ctrl-C). It answers once the daemon has stopped polling for it, with
// the flow as it ended.
func (a *authAPI) cancelLogin(c echo.Context) error {
	lg, ok, err := a.flows.CancelLogin(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	if !ok {
		return errNoSuchLogin()
	}
	return c.JSON(http.StatusOK, lg)
}

// cancelLogins is DELETE /v1/auth/login: `lastfmd auth cancel` stops
// every desktop sign-in waiting for approval, and answers how many once
// none of them polls any more.
func (a *authAPI) cancelLogins(c echo.Context) error {
	n, err := a.flows.CancelLogins(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, api.Cancelled{Cancelled: n})
}

// signedIn is the answer of a mobile sign-in or an import, declared once
// in package client.
type signedIn = api.SignedIn

// mobile is POST /v1/auth/mobile {"username", "password", "account"?,
// "mirror"?}.
func (a *authAPI) mobile(c echo.Context) error {
	v, err := authBody(c.Request(), "username", "password", "account", "mirror")
	if err != nil {
		return err
	}
	to := authflow.Target{Account: v.Get("account"), Mirror: v.Get("mirror")}
	acct, err := a.flows.Mobile(c.Request().Context(), to, v.Get("username"), v.Get("password"))
	if err != nil {
		return err
	}
	msg := "Signed in as " + acct.Name
	if to.Mirror != "" {
		msg = fmt.Sprintf("Signed in to %s as %s", to.Mirror, acct.Name)
	}
	return c.JSON(http.StatusOK, signedIn{Account: acct.Name, Mirror: to.Mirror, User: authflow.UserAt(acct, to.Mirror), Message: msg})
}

// token is POST /v1/auth/token {"mirror", "token", "account"?}: the
// account's user token on a mirror of type listenbrainz, checked there
// (validate-token) and stored with the user name it answers. The token
// travels in the body only, never in the URL.
func (a *authAPI) token(c echo.Context) error {
	v, err := authBody(c.Request(), "mirror", "token", "account")
	if err != nil {
		return err
	}
	to := authflow.Target{Account: v.Get("account"), Mirror: v.Get("mirror")}
	acct, err := a.flows.Token(c.Request().Context(), to, v.Get("token"))
	if err != nil {
		return err
	}
	user := authflow.UserAt(acct, to.Mirror)
	return c.JSON(http.StatusOK, signedIn{Account: acct.Name, Mirror: to.Mirror, User: user,
		Message: fmt.Sprintf("Signed in to %s as %s", to.Mirror, user)})
}

// importKey is POST /v1/auth/import {"username", "session_key", "account"?}.
func (a *authAPI) importKey(c echo.Context) error {
	v, err := authBody(c.Request(), "username", "session_key", "account")
	if err != nil {
		return err
	}
	acct, err := a.flows.Import(c.Request().Context(), v.Get("username"), v.Get("session_key"), v.Get("account"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, signedIn{Account: acct.Name, User: acct.User, Message: "Imported the session of " + acct.User + " as " + acct.Name})
}

// setDefault is POST /v1/auth/default {"account": NAME}.
func (a *authAPI) setDefault(c echo.Context) error {
	v, err := authBody(c.Request(), "account")
	if err != nil {
		return err
	}
	name := v.Get("account")
	if name == "" {
		return apperr.Invalidf(`"account" is required`)
	}
	if err := a.flows.SetDefault(name); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"default": name})
}

// logout is DELETE /v1/auth/accounts/{name}[?force=1].
func (a *authAPI) logout(c echo.Context) error {
	name, force, err := logoutParams(c)
	if err != nil {
		return err
	}
	if err := a.flows.Logout(name, force, a.beforeLogout); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"removed": name})
}

// logoutMirror is DELETE /v1/auth/accounts/{name}/mirrors/{mirror}[?force=1]:
// the account's session on that mirror only.
func (a *authAPI) logoutMirror(c echo.Context) error {
	name, force, err := logoutParams(c)
	if err != nil {
		return err
	}
	mirror := pathParam(c, "mirror")
	if err := a.flows.LogoutMirror(name, mirror, force, a.beforeMirrorLogout); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"removed": name, "mirror": mirror})
}

// logoutParams reads a logout's account name and ?force.
func logoutParams(c echo.Context) (name string, force bool, err error) {
	switch f := c.QueryParam("force"); f {
	case "", "0", "false":
	case "1", "true":
		force = true
	default:
		return "", false, apperr.Invalidf("force must be 1 or 0")
	}
	return pathParam(c, "name"), force, nil
}

// pathParam is the route parameter key, unescaped.
func pathParam(c echo.Context, key string) string {
	v := c.Param(key)
	if u, err := url.PathUnescape(v); err == nil {
		v = u
	}
	return v
}

// accounts is GET /v1/auth/accounts: `lastfmd auth status` (never a key).
func (a *authAPI) accounts(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"accounts": a.flows.List()})
}

// web is POST /v1/auth/web: the /auth/ page's address for `lastfmd auth
// web`, with a one-time ?access= code when a listener token is configured.
func (a *authAPI) web(c echo.Context) error {
	if _, err := authBody(c.Request()); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"url": a.access.url(c.Request().Host)})
}
