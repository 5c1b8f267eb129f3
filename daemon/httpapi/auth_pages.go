package httpapi

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/authflow"
	"github.com/lastfmd/lastfmd/signer"
)

// The browser sign-in pages (docs/http-api.md#signing-in-over-http, Last.fm's web flow:
// https://www.last.fm/api/webauth):
//
//	GET  /auth/          the accounts and a Connect button
//	POST /auth/start     same-origin only: a one-time state bound to an
//	                     HttpOnly SameSite=Lax cookie on Path=/auth/callback,
//	                     then 303 to auth_url?api_key=K&cb=http://HOST/auth/callback?state=S
//	GET  /auth/callback  state + cookie, exchange the token, "Signed in as NAME"
//
// Lax, not Strict, because Last.fm's redirect back is a cross-site
// navigation, which drops Strict cookies.
const (
	stateCookie   = "lastfmd_signin"
	callbackPath  = "/auth/callback"
	maxStartBody  = 4 << 10
	pageTitleBase = "lastfmd"
)

var accountsPage = template.Must(template.New("accounts").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>lastfmd: Last.fm accounts</title>
<style>body{font-family:sans-serif;max-width:42em;margin:2em auto;padding:0 1em}table{border-collapse:collapse}td,th{padding:.3em .8em;text-align:left;border-bottom:1px solid #ddd}button{font-size:1.1em;padding:.4em 1em}</style>
</head><body>
<h1>Last.fm accounts</h1>
{{if .Accounts}}<table id="accounts"><tr><th>Account</th><th>Last.fm user</th><th>Default</th><th>Status</th><th>Added</th></tr>
{{range .Accounts}}<tr><td>{{.Name}}</td><td>{{.User}}</td><td>{{if .Default}}yes{{end}}</td><td>{{if .NeedsSignin}}needs to sign in again{{else}}signed in{{end}}</td><td>{{if not .Added.IsZero}}{{.Added.UTC.Format "2006-01-02 15:04 MST"}}{{else if .FromConfig}}from the configuration{{end}}</td></tr>
{{end}}</table>{{else}}<p id="none">No Last.fm account is signed in yet.</p>{{end}}
<h2>Connect an account</h2>
<p>Last.fm will ask you to log in (if you are not already) and to allow lastfmd to use your account, then send you back here.</p>
<form method="post" action="/auth/start">
<p><label>Name it (optional, defaults to your Last.fm user name): <input type="text" name="account" id="account" maxlength="64"></label></p>
<p><button type="submit" id="connect">Connect a Last.fm account</button></p>
</form>
</body></html>
`))

var messagePage = template.Must(template.New("message").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{{.Title}}</title>
<style>body{font-family:sans-serif;max-width:42em;margin:2em auto;padding:0 1em}</style>
</head><body>
<h1 id="result">{{.Title}}</h1>
<p>{{.Message}}</p>
<p><a href="/auth/" id="back">Back to the accounts page</a></p>
</body></html>
`))

// authPages serves /auth/.
type authPages struct {
	flows  *authflow.Flows
	access *pageAccess
	csp    string
}

// pageHeaders: the headers every page of the daemon sends (pageHeaders).
func (p *authPages) pageHeaders(c echo.Context) { pageHeaders(c.Response().Header(), p.csp) }

// pageHeaders keep the daemon's pages (/auth/, the page at /) out of
// caches, frames and other sites' Referer headers (the callback URL
// carries a token and a state), under their Content-Security-Policy.
// same-origin, not no-referrer: with no-referrer a browser sends
// "Origin: null" on a form's POST, which the guard refuses.
func pageHeaders(h http.Header, csp string) {
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", csp)
}

func (p *authPages) render(c echo.Context, status int, t *template.Template, data any) error {
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return &apperr.Error{Kind: apperr.Internal, Code: signer.ErrOperationFailed, Message: "internal error", Err: err}
	}
	p.pageHeaders(c)
	return c.HTMLBlob(status, b.Bytes())
}

func (p *authPages) message(c echo.Context, status int, title, msg string) error {
	return p.render(c, status, messagePage, map[string]string{"Title": title, "Message": msg})
}

// accounts is GET /auth/. With a listener token, ?access= (checked by the
// guard) is traded for the access cookie and dropped from the address bar.
func (p *authPages) accounts(c echo.Context) error {
	r := c.Request()
	if traded, ok := p.access.admit(c.Response(), r); traded {
		if !ok {
			return p.message(c, http.StatusUnauthorized, "This link has expired",
				"The access code was already used or is older than 10 minutes: run `lastfmd auth web` again.")
		}
		p.pageHeaders(c)
		return c.Redirect(http.StatusSeeOther, authScope.path)
	}
	return p.render(c, http.StatusOK, accountsPage, map[string]any{"Accounts": p.flows.List()})
}

// start is POST /auth/start. The guard has refused any cross-site request;
// this also requires the marks of a form on this origin (Origin, or
// Sec-Fetch-Site: same-origin), so only the accounts page starts a flow.
func (p *authPages) start(c echo.Context) error {
	r := c.Request()
	if !formFromPage(r) {
		return p.message(c, http.StatusForbidden, "Start from the accounts page",
			"A sign-in starts with the Connect button on the accounts page (/auth/).")
	}
	body, err := readBody(r, maxStartBody)
	if err != nil {
		return err
	}
	form, err := parseForm(body)
	if err != nil {
		return err
	}
	account := strings.TrimSpace(form.Get("account"))
	if account != "" {
		if err := authflow.CheckAccountName(account); err != nil {
			return p.message(c, http.StatusBadRequest, "Choose another name", apperr.As(err).Message)
		}
	}
	state, cookie := p.flows.States().New(account)
	http.SetCookie(c.Response(), &http.Cookie{Name: stateCookie, Value: cookie, Path: callbackPath,
		MaxAge: int(authflow.StateTTL / time.Second), HttpOnly: true, SameSite: http.SameSiteLaxMode})
	cb := "http://" + r.Host + callbackPath + "?state=" + url.QueryEscape(state)
	p.pageHeaders(c)
	return c.Redirect(http.StatusSeeOther, p.flows.WebURL(cb))
}

// exempt lets GET /auth/callback past the browser checks and the token when
// it carries a live state and its cookie. It only looks: the handler spends
// the state.
func (p *authPages) exempt(r *http.Request) bool {
	if r.Method != http.MethodGet || r.URL.Path != callbackPath {
		return false
	}
	ck, err := r.Cookie(stateCookie)
	if err != nil {
		return false
	}
	return p.flows.States().Valid(r.URL.Query().Get("state"), ck.Value)
}

// callback is GET /auth/callback?state=S&token=T.
func (p *authPages) callback(c echo.Context) error {
	r := c.Request()
	cookie := ""
	if ck, err := r.Cookie(stateCookie); err == nil {
		cookie = ck.Value
	}
	q := r.URL.Query()
	account, err := p.flows.States().Consume(q.Get("state"), cookie)
	if err == nil || errors.Is(err, authflow.ErrStateExpired) {
		// The state is spent: so is the cookie. (Any other failure leaves
		// it, so a stray request cannot break the flow in progress.)
		http.SetCookie(c.Response(), &http.Cookie{Name: stateCookie, Value: "", Path: callbackPath, MaxAge: -1,
			HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	if err != nil {
		why := "this sign-in link is not valid"
		switch {
		case errors.Is(err, authflow.ErrStateExpired):
			why = "the sign-in took longer than 10 minutes"
		case errors.Is(err, authflow.ErrStateNoCookie), errors.Is(err, authflow.ErrStateMismatch):
			why = "this browser did not start this sign-in"
		case errors.Is(err, authflow.ErrStateUnknown):
			why = "this sign-in link is unknown or was already used"
		}
		return p.message(c, http.StatusForbidden, "Sign-in refused", "Sign-in refused: "+why+". Start again from the accounts page.")
	}
	token := q.Get("token")
	if token == "" {
		return p.message(c, http.StatusBadRequest, "Not signed in", "Last.fm sent no token back, so access was not granted. Start again from the accounts page.")
	}
	a, err := p.flows.Exchange(r.Context(), token, account)
	if err != nil {
		ae := apperr.As(err)
		if ae.Kind == apperr.Internal {
			return ae
		}
		return p.message(c, statusOf(ae, false), "Not signed in", ae.Message)
	}
	return p.message(c, http.StatusOK, "Signed in as "+a.Name,
		"lastfmd can now use the Last.fm account "+a.User+" as the account \u201c"+a.Name+"\u201d. You can close this page.")
}
