package authflow

import (
	"context"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/upstream"
	"github.com/lastfmd/lastfmd/signer"
)

// MaxPassword bounds a password (Last.fm's own limit is far lower); an
// authToken is bound by it too.
const MaxPassword = 1024

// maxUserName bounds the user name a mobile sign-in sends.
const maxUserName = 256

// Mobile signs in with a user name and password: `lastfmd auth mobile`
// and POST /v1/auth/mobile, at Last.fm or on a mirror (to). It is
// MobileSession's one path with a password, sent in the form the service
// takes (a mirror's mobile_signin: Libre.fm reads only authToken).
func (f *Flows) Mobile(ctx context.Context, to Target, username, password string) (accounts.Account, error) {
	d, err := f.resolve(&to)
	if err != nil {
		return accounts.Account{}, err
	}
	l := signer.MobileLogin{Username: username, Password: password}
	if d.authToken {
		l = l.WithAuthToken()
	}
	a, _, err := f.mobileSession(ctx, d, to, l)
	return a, err
}

// MobileSession is the one path of auth.getMobileSession at Last.fm, for
// `lastfmd auth mobile`, /v1/auth/mobile and /2.0/ alike: the user name,
// the credential's length and the account name are checked before anything
// is sent; the call goes by POST, signed; Last.fm's session key must be an
// opaque value; the session is stored as l.Account. The password (or
// authToken) goes to Last.fm and nowhere else: it is not stored, logged or
// part of any error. It answers the stored account (without its key) and
// Last.fm's session answer.
func (f *Flows) MobileSession(ctx context.Context, l signer.MobileLogin) (accounts.Account, signer.Session, error) {
	to := Target{Account: l.Account}
	d, err := f.resolve(&to)
	if err != nil {
		return accounts.Account{}, signer.Session{}, err
	}
	return f.mobileSession(ctx, d, to, l)
}

// mobileSession sends l's auth.getMobileSession to d and stores the
// session at to (MobileSession says how).
func (f *Flows) mobileSession(ctx context.Context, d *dest, to Target, l signer.MobileLogin) (accounts.Account, signer.Session, error) {
	params, err := mobileParams(l)
	if err != nil {
		return accounts.Account{}, signer.Session{}, err
	}
	r, err := d.up.Do(ctx, upstream.Call{Method: "auth.getMobileSession", Params: params, Sign: true, Post: true})
	if err != nil {
		return accounts.Account{}, signer.Session{}, err
	}
	if r.APIError != nil && r.APIError.Code == signer.ErrAuthFailed {
		return accounts.Account{}, signer.Session{}, &apperr.Error{Kind: apperr.Forbidden, Code: signer.ErrAuthFailed, FromLastfm: d.mirror == "",
			Message: d.site + " refused the user name or password (error 4): check them and try again"}
	}
	if r.Failed() {
		return accounts.Account{}, signer.Session{}, d.failure("auth.getMobileSession", r)
	}
	s, err := d.readSession(r.Body)
	if err != nil {
		return accounts.Account{}, signer.Session{}, err
	}
	a, err := f.save(d, to, s)
	if err != nil {
		return accounts.Account{}, signer.Session{}, err
	}
	f.log.Info("signed in with the mobile flow", "account", a.Name, "service", d.name())
	return a, s, nil
}

// mobileParams checks l and builds auth.getMobileSession's parameters.
func mobileParams(l signer.MobileLogin) (map[string]string, error) {
	if l.Username == "" {
		return nil, apperr.Invalidf("a Last.fm user name is required")
	}
	if len(l.Username) > maxUserName {
		return nil, apperr.Invalidf("user name longer than %d characters", maxUserName)
	}
	name, cred := "password", l.Password
	if cred == "" && l.AuthToken != "" {
		name, cred = "authToken", l.AuthToken
	}
	if cred == "" {
		return nil, apperr.Invalidf("a password is required")
	}
	if len(cred) > MaxPassword {
		return nil, apperr.Invalidf("%s longer than %d characters", name, MaxPassword)
	}
	if l.Account != "" {
		if err := CheckAccountName(l.Account); err != nil {
			return nil, err
		}
	}
	return map[string]string{"username": l.Username, name: cred, "format": "json"}, nil
}
