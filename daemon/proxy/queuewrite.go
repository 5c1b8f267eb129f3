package proxy

import (
	"context"
	"net/http"

	"github.com/lastfmd/lastfmd/daemon/apperr"
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
	if m.Journal != signer.JournalWhenUnreachable {
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
	return queuedWrite(req, m.Name, id, "Last.fm could not be reached"), true
}

// queueBehind keeps the caller's last word: an idempotent write whose
// target (signer.WriteTarget: the love on a track, the tags on a track,
// album or artist) still has a write queued in the journal is journalled
// behind it instead of being sent at once, so Last.fm receives the two in
// the order the caller made them (a love queued while Last.fm was down,
// then an unlove, ends unloved). It is answered as any queued write is.
// A journal that cannot tell refuses the write (503, nothing sent): sent
// blind, it could overtake the queued one.
func (s *Proxy) queueBehind(req *Request, m signer.Method, sel selection) (*Result, bool, error) {
	if m.Journal != signer.JournalWhenUnreachable {
		return nil, false, nil
	}
	id, queued, err := s.journal.EnqueueBehind(sel.account.Name, m.Name, req.Params)
	if err != nil {
		s.log.Error("cannot check the journal for a queued write on the same target; the write was refused", "method", m.Name, "account", sel.account.Name, "err", err)
		return nil, false, &apperr.Error{Kind: apperr.Unavailable, Code: signer.ErrTemporary, Err: err,
			Message: "There was a temporary error processing your request (lastfmd could not read its journal to keep this call behind a queued one; nothing was sent). Please try again"}
	}
	if !queued {
		return nil, false, nil
	}
	s.log.Info("write journalled behind a queued write on the same target", "method", m.Name, "account", sel.account.Name, "id", id)
	return queuedWrite(req, m.Name, id, "an earlier call on the same target is still queued, so this one waits behind it"), true, nil
}

// Delivered drops the cached reads that calls the journal delivered for
// account made stale (the journal calls it after Last.fm accepted them),
// as a write answered at once would.
func (s *Proxy) Delivered(account, method string) {
	a, ok := s.accounts.Get(account)
	m, known := signer.Lookup(method)
	if !ok || !known {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	s.invalidate(ctx, m, selection{account: a, ok: true})
}
