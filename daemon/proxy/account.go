package proxy

import (
	"strings"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/signer"
)

// selection is the account a request runs as.
type selection struct {
	account  accounts.Account
	ok       bool // an account was found
	explicit bool // the request asked for an authenticated call (header, sk or api_sig)
	// others names the accounts there are when none was selected: with
	// none, the hint is to sign in; with some, to pick one.
	others []string
}

// selectAccount applies docs/design.md#accounts-and-signing: X-Lastfmd-Account
// names one (unknown: 400); on /2.0/ a client sk equal to an account name
// picks it and any other sk (a drop-in client's placeholder) the default.
// The client's sk never reaches Last.fm.
func (s *Proxy) selectAccount(req *Request) (selection, error) {
	sk, hasSK := req.Params["sk"]
	delete(req.Params, "sk")
	if req.Account != "" {
		a, ok := s.accounts.Get(req.Account)
		if !ok {
			return selection{}, apperr.New(apperr.Invalid, signer.ErrInvalidParams,
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
	sel := selection{account: a, ok: ok, explicit: explicit}
	if !ok {
		for _, o := range s.accounts.List() {
			sel.others = append(sel.others, o.Name)
		}
	}
	return sel, nil
}

// wantsAccount reports whether the request asks for an authenticated call
// (an account header, or a drop-in client's sk or api_sig).
func (s *Proxy) wantsAccount(req *Request) bool {
	if req.Account != "" {
		return true
	}
	_, hasSK := req.Params["sk"]
	return req.Endpoint == DropIn && (hasSK || req.ClientSigned)
}

// noSession is the answer to a write with no usable account.
func noSession(sel selection) error {
	if sel.ok && sel.account.NeedsSignin {
		return apperr.New(apperr.Forbidden, signer.ErrInvalidSession,
			"Invalid session key - account %q needs to sign in again: run `lastfmd auth login --account %s`",
			sel.account.Name, sel.account.Name)
	}
	if len(sel.others) > 0 {
		return apperr.New(apperr.Forbidden, signer.ErrInvalidSession,
			"Invalid session key - no default account: name one (X-Lastfmd-Account: NAME, `lastfmd call --account NAME`; accounts: %s) or set the default: `lastfmd auth default NAME`",
			strings.Join(sel.others, ", "))
	}
	return apperr.New(apperr.Forbidden, signer.ErrInvalidSession,
		"Invalid session key - no Last.fm account is signed in: run `lastfmd auth login`")
}
