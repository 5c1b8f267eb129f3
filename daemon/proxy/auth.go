package proxy

import (
	"context"
	"net/http"

	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/signer"
)

// SignInHint is what a drop-in client calling auth.getToken or
// auth.getSession is told: it builds the approval URL from its own dummy
// key, so the desktop flow cannot work through lastfmd.
const SignInHint = "sign in with `lastfmd auth login`, then send sk=ACCOUNT"

// auth handles auth.* calls. /v1/ refuses them all (sign-in belongs to
// `lastfmd auth`); /2.0/ runs only auth.getMobileSession.
func (s *Proxy) auth(ctx context.Context, req *Request, m signer.Method) (*Result, error) {
	if req.Endpoint == V1 {
		return nil, apperr.New(apperr.Forbidden, signer.ErrAuthFailed, "%s is not available on /v1/: use `lastfmd auth`", m.Name)
	}
	if !m.MobileSignIn {
		return nil, apperr.New(apperr.Forbidden, signer.ErrAuthFailed, "%s", SignInHint)
	}
	if req.HTTPMethod != http.MethodPost {
		return nil, &apperr.Error{Kind: apperr.Forbidden, Code: signer.ErrAuthFailed, Message: "Authentication Failed - You must use POST to call auth.getMobileSession"}
	}
	return s.mobileSession(ctx, req)
}

// mobileSession runs auth.getMobileSession through the sign-in flows (the
// one path `lastfmd auth mobile` takes too, with the same checks), with
// whichever credential arrived: password, or the older authToken =
// md5(username + md5(password)) pylast and lastfm-java send. The session is
// stored as an account named after the user, and the answer carries the
// account *name* where Last.fm puts the key: sent back as sk, it selects
// that account. No caller ever sees a real session key.
func (s *Proxy) mobileSession(ctx context.Context, req *Request) (*Result, error) {
	ctx, cancel := s.deadline(ctx)
	defer cancel()
	a, sess, err := s.signIn.MobileSession(ctx, signer.MobileLogin{
		Username: req.Params["username"], Password: req.Params["password"], AuthToken: req.Params["authToken"]})
	if err != nil {
		return nil, err
	}
	// The account name stands where Last.fm puts the key.
	ct, body := signer.SessionAnswer(req.Params["format"], signer.Session{Name: a.Name, Key: a.Name, Subscriber: sess.Subscriber})
	return &Result{Status: http.StatusOK, ContentType: ct, Body: body}, nil
}
