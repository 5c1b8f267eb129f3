package journal

import (
	"context"
	"fmt"

	"github.com/lastfmd/lastfmd/daemon/listenbrainz"
	"github.com/lastfmd/lastfmd/daemon/upstream"
	"github.com/lastfmd/lastfmd/signer"
)

// Mirror passes a call the caller made to Last.fm on to every mirror the
// account has a session on (docs/mirrors.md#what-is-mirrored), by the
// catalog's Method.Mirror:
//   - MirrorJournal (love, unlove): journalled on each mirror's lane, so
//     its sender replays it in submission order behind the lane's other
//     writes (the caller's last word stands on every lane); it returns once
//     committed.
//   - MirrorOnce (now playing): one try to each mirror, in the background;
//     it returns at once.
//
// A mirror that lacks the method (it answered error 3) is skipped.
// Scrobbles go through Submit. Nothing here changes the caller's answer.
func (j *Journal) Mirror(account, method string, params map[string]string) error {
	m, ok := signer.Lookup(method)
	if !ok || m.Mirror == signer.MirrorNever || m.Batch || len(j.lanes) < 2 || j.accounts == nil {
		return nil
	}
	acct, known := j.accounts.Get(account)
	if !known {
		return nil
	}
	var firstErr error
	for _, ln := range j.lanes[1:] {
		key, needsSignin, ok := ln.sessionKey(acct)
		j.mu.Lock()
		lacks := ln.lackingLocked(method)
		j.mu.Unlock()
		if !ok || lacks || (needsSignin && m.Mirror == signer.MirrorOnce) {
			continue // a refused session waits for a new one; a one-try call is not kept for it
		}
		switch m.Mirror {
		case signer.MirrorJournal:
			if _, _, err := j.enqueue(ln, account, method, params, nil); err != nil && firstErr == nil {
				firstErr = fmt.Errorf("mirror %s: %w", ln.name, err)
			}
		case signer.MirrorOnce:
			j.once(ln, key, account, method, params)
		}
	}
	return firstErr
}

// once sends one call to the lane's destination in the background, never
// retried (now playing: a stale "now playing" is worse than none). An
// error 3 marks the method lacking there.
func (j *Journal) once(ln *lane, key, account, method string, params map[string]string) {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return
	}
	j.wg.Add(1)
	j.mu.Unlock()
	p := callParams(params)
	p["format"] = "json"
	if ln.lb != nil {
		go func() {
			defer j.wg.Done()
			j.onceListenBrainz(ln, key, account, p)
		}()
		return
	}
	go func() {
		defer j.wg.Done()
		ctx, cancel := context.WithTimeout(j.hardStop, ln.up.Timeout())
		defer cancel()
		r, err := ln.up.Do(ctx, upstream.Call{Method: method, Params: p, SessionKey: key, Post: true, Background: true})
		switch {
		case err != nil:
			j.log.Debug("mirror: one try failed", "destination", ln.name, "account", account, "method", method, "err", err)
		case r.Failed() && r.APIError != nil && r.APIError.Code == signer.ErrInvalidMethod:
			j.mu.Lock()
			first := !ln.lacks[method]
			ln.lacks[method] = true
			j.mu.Unlock()
			if first {
				j.log.Warn("journal: the mirror lacks a method; it is no longer sent there", "destination", ln.name, "method", method)
			}
		case r.Failed():
			j.log.Debug("mirror: one try refused", "destination", ln.name, "account", account, "method", method, "status", r.Status)
		}
	}()
}

// onceListenBrainz sends now playing to a ListenBrainz lane's service as a
// playing_now listen, once.
func (j *Journal) onceListenBrainz(ln *lane, token, account string, params map[string]string) {
	l, err := listenbrainz.NowPlayingFromParams(params, ln.version)
	if err != nil {
		j.log.Debug("mirror: now playing not sent", "destination", ln.name, "account", account, "why", err)
		return
	}
	ctx, cancel := context.WithTimeout(j.hardStop, ln.lb.Timeout())
	defer cancel()
	a, err := ln.lb.Submit(ctx, token, listenbrainz.ListenTypePlayingNow, []listenbrainz.Listen{l})
	switch {
	case err != nil:
		j.log.Debug("mirror: one try failed", "destination", ln.name, "account", account, "err", err)
	case a.Failed():
		j.log.Debug("mirror: one try refused", "destination", ln.name, "account", account, "answer", a.Describe())
	}
}
