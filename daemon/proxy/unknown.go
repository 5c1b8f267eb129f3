package proxy

import (
	"context"
	"strings"

	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/upstream"
	"github.com/lastfmd/lastfmd/internal/clip"
	"github.com/lastfmd/lastfmd/signer"
)

// unknown forwards a method the catalog does not know (Last.fm may add
// methods) as an unsigned read, never with a session key, unless the
// operator listed it in lastfm.sign_unknown_methods. Unknown auth.* methods
// are refused: they could only be attempts to mint or leak credentials.
func (s *Proxy) unknown(ctx context.Context, req *Request) (*Result, error) {
	name := req.Method
	if !signer.IsMethodName(name) {
		return nil, apperr.New(apperr.Invalid, signer.ErrInvalidMethod, "Invalid Method - %q is not a Last.fm method name (package.method)", clip.Line(name, signer.MaxMethodName))
	}
	if signer.PackageOf(name) == signer.PackageAuth {
		return nil, apperr.New(apperr.Forbidden, signer.ErrInvalidMethod, "Invalid Method - unknown auth method refused; sign in with `lastfmd auth login`")
	}
	sel, err := s.selectAccount(req)
	if err != nil {
		return nil, err
	}
	call := upstream.Call{Method: name, Params: req.Params}
	if s.signUnknown[strings.ToLower(name)] {
		if !sel.ok || sel.account.NeedsSignin {
			return nil, noSession(sel)
		}
		if _, ok := req.Params["callback"]; ok {
			return nil, apperr.Invalidf(`JSONP "callback" is only honoured for unsigned reads`)
		}
		call.SessionKey, call.Post = sel.account.Key, true
	}
	ctx, cancel := s.deadline(ctx)
	defer cancel()
	who := signer.CallerRead
	if call.Post {
		who = signer.CallerWrite // it may change state; retry only what is safe for writes
	}
	r, err := s.send(ctx, call, sel.account.Name, who)
	if err != nil {
		return nil, err
	}
	if hint := didYouMean(name, r); hint != nil {
		return nil, hint
	}
	res := passthrough(r)
	res.Cache = CacheBypass
	return res, nil
}

// didYouMean turns Last.fm's error 3 to a method the catalog does not know
// into the same error with the nearest catalog names added: the method was
// forwarded (the catalog may lag behind Last.fm), and now Last.fm has said
// it does not exist either, so it is most likely a typo.
func didYouMean(name string, r *upstream.Response) *apperr.Error {
	if r.APIError == nil || r.APIError.Code != signer.ErrInvalidMethod {
		return nil
	}
	near := signer.NearestMethods(name)
	if len(near) == 0 {
		return nil
	}
	return &apperr.Error{Kind: apperr.Invalid, Code: r.APIError.Code, Status: r.Status, FromLastfm: true,
		Message: r.APIError.Message + "; did you mean " + strings.Join(near, " or ") + "?"}
}
