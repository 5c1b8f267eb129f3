package proxy

import (
	"context"
	"net/http"

	"github.com/lastfmd/lastfmd/cache"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/upstream"
	"github.com/lastfmd/lastfmd/signer"
)

// write forwards one of the ten write methods: signed with the account's
// session key, by POST (https://www.last.fm/api/rest: "write services must
// be accessed with HTTP POST").
func (s *Proxy) write(ctx context.Context, req *Request, m signer.Method) (*Result, error) {
	if req.HTTPMethod != http.MethodPost {
		// An <img> or link can make a browser GET any URL; a write must
		// never happen that way, so it is refused before anything else.
		k := apperr.MethodNotAllowed
		if req.Endpoint == DropIn {
			k = apperr.Invalid // Last.fm-style: 400 with error 3
		}
		return nil, apperr.New(k, signer.ErrInvalidMethod, "Invalid method - write methods must be POSTed (%s)", m.Name)
	}
	if _, ok := req.Params["callback"]; ok {
		return nil, apperr.Invalidf(`JSONP "callback" is only honoured for unsigned reads`)
	}
	if m.Journal == signer.JournalAlways {
		return s.scrobble(ctx, req) // scrobble.go: journalled, then answered
	}
	sel, err := s.selectAccount(req)
	if err != nil {
		return nil, err
	}
	if !sel.ok || sel.account.NeedsSignin {
		return nil, noSession(sel)
	}
	if res, queued, err := s.queueBehind(req, m, sel); err != nil || queued {
		return res, err // queuewrite.go: a queued write on the same target goes first
	}
	ctx, cancel := s.deadline(ctx)
	defer cancel()
	call := upstream.Call{Method: m.Name, Params: req.Params, SessionKey: sel.account.Key, Post: true}
	r, err := s.send(ctx, call, sel.account.Name, m.Caller)
	if res, queued := s.queueWrite(req, m, sel, r, err); queued {
		return res, nil
	}
	if err != nil {
		return nil, err
	}
	if !r.Failed() {
		s.invalidate(ctx, m, sel)
	}
	return passthrough(r), nil
}

// invalidate drops the cached reads a successful write made stale for the
// account's Last.fm user: those the catalog lists for it (Method.Stale),
// asked for that user by name or signed with the account.
func (s *Proxy) invalidate(ctx context.Context, m signer.Method, sel selection) {
	c := s.cache
	if c == nil || len(m.Stale) == 0 {
		return
	}
	user := s.users.name(ctx, sel.account)
	for _, st := range m.Stale {
		if user != "" {
			c.DeleteMethodParam(st.Method, st.Param, user)
		}
		c.DeleteMethodFunc(st.Method, func(k string) bool { return cache.KeyAccount(k) == sel.account.Name })
	}
}
