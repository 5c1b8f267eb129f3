package authflow

import (
	"context"
	"errors"
	"net/url"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/upstream"
	"github.com/lastfmd/lastfmd/signer"
)

// The web flow (https://www.last.fm/api/webauth): the user's browser goes
// to auth_url?api_key=K&cb=CALLBACK, Last.fm sends it back to CALLBACK with
// &token=T, and the token is exchanged once with auth.getSession.

// WebURL is the approval page for the web flow, sending the browser back to
// callback (http://<Host used>/auth/callback?state=S).
func (f *Flows) WebURL(callback string) string {
	return f.lastfm.approvalURL(url.Values{"api_key": {f.lastfm.apiKey}, "cb": {callback}})
}

// Exchange trades a web-flow token for a session (once) and stores it as
// account ("" = the Last.fm user name).
func (f *Flows) Exchange(ctx context.Context, token, account string) (accounts.Account, error) {
	if err := signer.CheckOpaque(token); err != nil {
		return accounts.Account{}, apperr.Invalidf("the token from Last.fm %v", err)
	}
	to := Target{Account: account}
	d, err := f.resolve(&to)
	if err != nil {
		return accounts.Account{}, err
	}
	s, err := d.getSession(ctx, token, upstream.Interactive)
	if err != nil {
		var pe *pollError
		switch {
		case errors.As(err, &pe) && pe.pending:
			return accounts.Account{}, apperr.New(apperr.Forbidden, 14, "Last.fm says the sign-in was not approved (error 14): start again from the accounts page")
		case errors.As(err, &pe):
			return accounts.Account{}, apperr.New(apperr.BadGateway, signer.ErrServiceOffline, "Last.fm could not complete the sign-in (%s): start again from the accounts page", pe.msg)
		case errors.Is(err, ErrTokenExpired):
			return accounts.Account{}, apperr.New(apperr.Forbidden, 15, "the sign-in token expired (Last.fm error 15): start again from the accounts page")
		case errors.Is(err, ErrTokenInvalid):
			return accounts.Account{}, apperr.New(apperr.Forbidden, signer.ErrAuthFailed, "Last.fm does not know this sign-in token (error 4): start again from the accounts page")
		}
		return accounts.Account{}, err
	}
	a, err := f.save(d, to, s)
	if err != nil {
		return accounts.Account{}, err
	}
	f.log.Info("signed in with the browser flow", "account", a.Name)
	return a, nil
}
