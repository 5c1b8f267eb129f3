package proxy

import (
	"context"
	"net/http"

	"github.com/lastfmd/lastfmd/daemon/upstream"
	"github.com/lastfmd/lastfmd/signer"
)

// queueWrite journals an idempotent write (love, unlove, addTags,
// removeTag: signer.Method.Idempotent) that could not reach Last.fm, so the
// journal's sender replays it (docs/design.md#reliability-rules: "journalled
// when Last.fm is unreachable"). Unreachable means no answer from Last.fm
// itself: a transport failure, or a bare 5xx from the proxy in front of it.
// A Last.fm error answer is a verdict and goes back to the caller, and
// track.updateNowPlaying is never journalled.
func (s *Proxy) queueWrite(req *Request, m signer.Method, sel selection, r *upstream.Response, err error) (*Result, bool) {
	if !m.Idempotent {
		return nil, false
	}
	unreachable := (err != nil && upstream.IsTransport(err)) ||
		(err == nil && r != nil && r.APIError == nil && r.Status >= http.StatusInternalServerError)
	if !unreachable {
		return nil, false
	}
	id, jerr := s.journal.Enqueue(sel.account.Name, m.Name, req.Params)
	if jerr != nil {
		s.log.Error("cannot journal a write Last.fm did not take", "method", m.Name, "account", sel.account.Name, "err", jerr)
		return nil, false
	}
	s.log.Warn("Last.fm unreachable; write journalled for replay", "method", m.Name, "account", sel.account.Name, "id", id)
	return queuedWrite(req, m.Name, id), true
}

// Delivered drops the cached reads that calls the journal delivered for
// account made stale (the journal calls it after Last.fm accepted them),
// as a write answered at once would.
func (s *Proxy) Delivered(account, method string) {
	a, ok := s.accounts.Get(account)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	s.invalidate(ctx, method, selection{account: a, ok: true})
}
