package authflow

import (
	"context"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/proxy"
	"github.com/lastfmd/lastfmd/daemon/upstream"
	"github.com/lastfmd/lastfmd/signer"
)

// MaxPassword bounds a password (Last.fm's own limit is far lower).
const MaxPassword = 1024

// Mobile signs in with a user name and password
// (https://www.last.fm/api/mobileauth): auth.getMobileSession by POST with
// `password` (not the deprecated authToken), signed. The password goes to
// Last.fm and nowhere else: it is not stored, logged or part of any error.
// The session is stored as account ("" = the Last.fm user name Last.fm
// answers, which may differ in case, or be the name behind an e-mail
// address).
func (f *Flows) Mobile(ctx context.Context, username, password, account string) (accounts.Account, error) {
	if username == "" {
		return accounts.Account{}, apperr.Invalidf("a Last.fm user name is required")
	}
	if len(username) > 256 {
		return accounts.Account{}, apperr.Invalidf("user name longer than 256 characters")
	}
	if password == "" {
		return accounts.Account{}, apperr.Invalidf("a password is required")
	}
	if len(password) > MaxPassword {
		return accounts.Account{}, apperr.Invalidf("password longer than %d characters", MaxPassword)
	}
	if account != "" {
		if err := CheckAccountName(account); err != nil {
			return accounts.Account{}, err
		}
	}
	r, err := f.up.Do(ctx, upstream.Call{Method: "auth.getMobileSession",
		Params: map[string]string{"username": username, "password": password, "format": "json"}, Sign: true, Post: true})
	if err != nil {
		return accounts.Account{}, err
	}
	if r.APIError != nil && r.APIError.Code == signer.ErrAuthFailed {
		return accounts.Account{}, &apperr.Error{Kind: apperr.Forbidden, Code: signer.ErrAuthFailed,
			Message: "Last.fm refused the user name or password (error 4): check them and try again"}
	}
	if r.Failed() {
		return accounts.Account{}, upstreamFailure("auth.getMobileSession", r)
	}
	s, err := proxy.ParseSession(r.Body)
	if err != nil {
		return accounts.Account{}, apperr.New(apperr.BadGateway, signer.ErrOperationFailed, "Last.fm's session answer could not be read")
	}
	if err := checkOpaque(s.Key, 256); err != nil {
		return accounts.Account{}, apperr.New(apperr.BadGateway, signer.ErrOperationFailed, "Last.fm's session key %v", err)
	}
	a, err := f.save(account, s)
	if err != nil {
		return accounts.Account{}, err
	}
	f.log.Info("signed in with the mobile flow", "account", a.Name)
	return a, nil
}
