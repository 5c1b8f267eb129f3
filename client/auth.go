package client

import (
	"context"
	"net/http"
	"net/url"
)

// The /v1/auth/ endpoints: the daemon signs in and manages accounts (it
// holds the API secret and owns the session file). None of their answers
// holds a session key.

// LoginStart starts a desktop sign-in; account names the account to store
// it as ("": the Last.fm user name).
func (c *Client) LoginStart(ctx context.Context, account string) (*Login, error) {
	return c.MirrorLoginStart(ctx, "", account)
}

// MirrorLoginStart starts a desktop sign-in on mirror ("": Last.fm, as
// LoginStart), stored with account ("": the default account).
func (c *Client) MirrorLoginStart(ctx context.Context, mirror, account string) (*Login, error) {
	return c.login(ctx, request{method: http.MethodPost, path: "/v1/auth/login", body: withMirror(map[string]string{"account": account}, mirror)})
}

// withMirror adds "mirror" to a sign-in's body when one is named.
func withMirror(body map[string]string, mirror string) map[string]string {
	if mirror != "" {
		body["mirror"] = mirror
	}
	return body
}

// LoginPoll asks how the desktop sign-in id goes.
func (c *Client) LoginPoll(ctx context.Context, id string) (*Login, error) {
	return c.login(ctx, request{method: http.MethodGet, path: "/v1/auth/login/" + url.PathEscape(id)})
}

// LoginCancel stops the desktop sign-in id: the daemon polls Last.fm for
// it no more. It answers the sign-in as it ended (signed in, if the
// approval came first).
func (c *Client) LoginCancel(ctx context.Context, id string) (*Login, error) {
	return c.login(ctx, request{method: http.MethodDelete, path: "/v1/auth/login/" + url.PathEscape(id)})
}

// LoginCancelAll stops every desktop sign-in waiting for approval
// (`lastfmd auth cancel`) and answers how many there were.
func (c *Client) LoginCancelAll(ctx context.Context) (int, error) {
	var out Cancelled
	if err := c.getJSON(ctx, request{method: http.MethodDelete, path: "/v1/auth/login"}, &out); err != nil {
		return 0, err
	}
	return out.Cancelled, nil
}

func (c *Client) login(ctx context.Context, r request) (*Login, error) {
	var lg Login
	if err := c.getJSON(ctx, r, &lg); err != nil {
		return nil, err
	}
	return &lg, nil
}

// Mobile signs in with a user name and password (auth.getMobileSession).
// The password goes to the daemon and on to Last.fm only.
func (c *Client) Mobile(ctx context.Context, username, password, account string) (*SignedIn, error) {
	return c.MirrorMobile(ctx, "", username, password, account)
}

// MirrorMobile signs in to mirror ("": Last.fm, as Mobile) with a user name
// and password there; the session is stored with account ("": the
// default account). The daemon sends the password in the mirror's form.
func (c *Client) MirrorMobile(ctx context.Context, mirror, username, password, account string) (*SignedIn, error) {
	return c.signedIn(ctx, "/v1/auth/mobile", withMirror(map[string]string{"username": username, "password": password, "account": account}, mirror))
}

// Token gives account ("": the default account) its user token on mirror,
// a mirror of type listenbrainz: the daemon checks it there
// (validate-token) and stores it with the user name the mirror answers.
// The token travels in the request's body only.
func (c *Client) Token(ctx context.Context, mirror, token, account string) (*SignedIn, error) {
	return c.signedIn(ctx, "/v1/auth/token", map[string]string{"mirror": mirror, "token": token, "account": account})
}

// Import stores a session key someone already holds, once Last.fm says it
// belongs to username.
func (c *Client) Import(ctx context.Context, username, sessionKey, account string) (*SignedIn, error) {
	return c.signedIn(ctx, "/v1/auth/import", map[string]string{"username": username, "session_key": sessionKey, "account": account})
}

func (c *Client) signedIn(ctx context.Context, path string, body map[string]string) (*SignedIn, error) {
	var s SignedIn
	if err := c.getJSON(ctx, request{method: http.MethodPost, path: path, body: body}, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// SetDefault makes name the default account (the one a request naming none
// runs as).
func (c *Client) SetDefault(ctx context.Context, name string) error {
	return c.getJSON(ctx, request{method: http.MethodPost, path: "/v1/auth/default", body: map[string]string{"account": name}}, nil)
}

// Logout forgets an account's session. The daemon refuses while the
// account has scrobbles waiting, unless force (they are dead-lettered).
func (c *Client) Logout(ctx context.Context, name string, force bool) error {
	return c.MirrorLogout(ctx, "", name, force)
}

// MirrorLogout forgets account name's session on mirror ("": the account
// itself, as Logout); its Last.fm session stays. force: the daemon drops
// what waits for that mirror instead of refusing.
func (c *Client) MirrorLogout(ctx context.Context, mirror, name string, force bool) error {
	var q url.Values
	if force {
		q = url.Values{"force": {"1"}}
	}
	path := "/v1/auth/accounts/" + url.PathEscape(name)
	if mirror != "" {
		path += "/mirrors/" + url.PathEscape(mirror)
	}
	return c.getJSON(ctx, request{method: http.MethodDelete, path: path, query: q}, nil)
}

// Accounts lists the accounts signed in.
func (c *Client) Accounts(ctx context.Context) ([]Account, error) {
	var out struct {
		Accounts []Account `json:"accounts"`
	}
	if err := c.getJSON(ctx, request{method: http.MethodGet, path: "/v1/auth/accounts"}, &out); err != nil {
		return nil, err
	}
	return out.Accounts, nil
}

// WebURL asks for the address of the daemon's /auth/ page, where a browser
// can connect an account. With a listener token it carries a one-time
// ?access= code.
func (c *Client) WebURL(ctx context.Context) (string, error) { return c.pageURL(ctx, "/v1/auth/web") }

// pageURL asks path for the address of one of the daemon's pages.
func (c *Client) pageURL(ctx context.Context, path string) (string, error) {
	var out struct {
		URL string `json:"url"`
	}
	if err := c.getJSON(ctx, request{method: http.MethodPost, path: path, body: map[string]string{}}, &out); err != nil {
		return "", err
	}
	return out.URL, nil
}

// PageURL asks for the address of the daemon's page at / (docs/page.md),
// http://127.0.0.1:PORT/ui/, with a one-time ?access= code when a
// listener token is configured.
func (c *Client) PageURL(ctx context.Context) (string, error) { return c.pageURL(ctx, "/v1/ui/open") }
