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
	defer s.mirror(req, m, sel)()
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

// mirror passes the call on to the account's mirrors, beside the call to
// Last.fm (docs/mirrors.md#what-is-mirrored): love and unlove are
// journalled on each mirror's lane while Last.fm is asked, and the
// returned wait holds the answer until that commit is done (an fsync,
// far shorter than Last.fm's round trip), so the caller's next call comes
// after it; now playing is tried once in the background. A mirror never
// changes the caller's answer: a failure here is logged.
func (s *Proxy) mirror(req *Request, m signer.Method, sel selection) (wait func()) {
	if m.Mirror == signer.MirrorNever || len(m.Missing(req.Params)) > 0 {
		return func() {} // a call Last.fm refuses for a missing parameter is not passed on either
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := s.journal.Mirror(sel.account.Name, m.Name, req.Params); err != nil {
			s.log.Error("cannot journal a write for a mirror", "method", m.Name, "account", sel.account.Name, "err", err)
		}
	}()
	return func() { <-done }
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
