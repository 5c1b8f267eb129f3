package proxy

import (
	"context"
	"strings"

	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/upstream"
	"github.com/lastfmd/lastfmd/signer"
)

// unknown forwards a method the catalog does not know (Last.fm may add
// methods) as an unsigned read, never with a session key, unless the
// operator listed it in lastfm.sign_unknown_methods. Unknown auth.* methods
// are refused: they could only be attempts to mint or leak credentials.
func (s *Service) unknown(ctx context.Context, req *Request) (*Result, error) {
	name := req.Method
	if !validMethodName(name) {
		return nil, apperr.New(apperr.Invalid, apperr.CodeInvalidMethod, "Invalid Method - %q is not a Last.fm method name (package.method)", truncate(name, 64))
	}
	if strings.HasPrefix(strings.ToLower(name), "auth.") {
		return nil, apperr.New(apperr.Forbidden, apperr.CodeInvalidMethod, "Invalid Method - unknown auth method refused; sign in with `lastfmd auth login`")
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
	return &apperr.Error{Kind: apperr.Invalid, Code: r.APIError.Code, Status: r.Status,
		Message: r.APIError.Message + "; did you mean " + strings.Join(near, " or ") + "?"}
}

// validMethodName accepts package.method with ASCII letters and digits.
func validMethodName(name string) bool {
	dot := strings.IndexByte(name, '.')
	if dot <= 0 || dot == len(name)-1 || len(name) > 64 || strings.Count(name, ".") != 1 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c == '.' || c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
