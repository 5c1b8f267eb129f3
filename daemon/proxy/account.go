package proxy

import (
	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/apperr"
)

// selection is the account a request runs as.
type selection struct {
	account  accounts.Account
	ok       bool // an account was found
	explicit bool // the request asked for an authenticated call (header, sk or api_sig)
}

// selectAccount applies docs/design.md#accounts-and-signing: X-Lastfmd-Account
// names one (unknown: 400); on /2.0/ a client sk equal to an account name
// picks it and any other sk (a drop-in client's placeholder) the default.
// The client's sk never reaches Last.fm.
func (s *Service) selectAccount(req *Request) (selection, error) {
	sk, hasSK := req.Params["sk"]
	delete(req.Params, "sk")
	if req.Account != "" {
		a, ok := s.accounts.Get(req.Account)
		if !ok {
			return selection{}, apperr.New(apperr.Invalid, apperr.CodeInvalidParams,
				"unknown account %q: see `lastfmd auth status` for the accounts signed in", req.Account)
		}
		return selection{account: a, ok: true, explicit: true}, nil
	}
	explicit := req.Endpoint == DropIn && (hasSK || req.ClientSigned)
	if hasSK && req.Endpoint == DropIn {
		if a, ok := s.accounts.Get(sk); ok {
			return selection{account: a, ok: true, explicit: true}, nil
		}
	}
	a, ok := s.accounts.Default()
	return selection{account: a, ok: ok, explicit: explicit}, nil
}

// wantsAccount reports whether the request asks for an authenticated call
// (an account header, or a drop-in client's sk or api_sig).
func (s *Service) wantsAccount(req *Request) bool {
	if req.Account != "" {
		return true
	}
	_, hasSK := req.Params["sk"]
	return req.Endpoint == DropIn && (hasSK || req.ClientSigned)
}

// noSession is the answer to a write with no usable account.
func noSession(sel selection) error {
	if sel.ok && sel.account.NeedsSignin {
		return apperr.New(apperr.Forbidden, apperr.CodeNoSession,
			"Invalid session key - account %q needs to sign in again: run `lastfmd auth login --account %s`",
			sel.account.Name, sel.account.Name)
	}
	return apperr.New(apperr.Forbidden, apperr.CodeNoSession,
		"Invalid session key - no Last.fm account is signed in: run `lastfmd auth login` (or send X-Lastfmd-Account)")
}
