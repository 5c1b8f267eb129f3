package journal

import (
	"errors"
	"time"

	"github.com/lastfmd/lastfmd/daemon/listenbrainz"
	"github.com/lastfmd/lastfmd/internal/clip"
	"github.com/lastfmd/lastfmd/signer"
)

// A ListenBrainz lane sends its plays with ListenBrainz's native API
// (docs/mirrors.md, ListenBrainz): one play as "single", a
// backlog as "import" batches, each answer read as ListenBrainz means it
// (listenbrainz.Answer's class, signer's table for the rest):
//   - 200 settles the batch;
//   - a 400 on a batch is split to find the bad listen, which alone
//     becomes a dead letter with ListenBrainz's message;
//   - 401 pauses that account on the lane until a new token;
//   - 429 and 5xx back off, for X-RateLimit-Reset-In when given; the lane
//     also waits when X-RateLimit-Remaining reaches 0, before a 429;
//   - an answer that is not ListenBrainz's is a failure, never a success.

// sendListens sends the batch's plays with the account's token.
func (s *sender) sendListens(token string, batch []*Item) {
	var items []*Item
	var listens []listenbrainz.Listen
	var skip, bad []*Item
	var badWhy string
	for _, it := range batch {
		if it.Method != MethodScrobble {
			skip = append(skip, it) // a write: ListenBrainz takes none (the lane lacks it)
			continue
		}
		l, err := listenbrainz.ListenFromScrobble(it.Params, it.Timestamp, s.lane.version)
		switch {
		case errors.Is(err, listenbrainz.ErrTooOld):
			skip = append(skip, it)
		case err != nil:
			bad, badWhy = append(bad, it), err.Error()
		default:
			items, listens = append(items, it), append(listens, l)
		}
	}
	if len(skip) > 0 {
		s.skip(skip, s.who()+" does not take it (a play before 2002-10-01, or a call it lacks)")
	}
	if len(bad) > 0 {
		s.buryOwed(bad, s.who()+" would refuse it: "+clip.Line(badWhy, maxStoredMessage))
	}
	if len(items) == 0 {
		return
	}
	batches, err := listenbrainz.ImportBatches(listens)
	if err != nil {
		// Not reached: ListenFromScrobble refuses what cannot go alone.
		s.retryLater(items, signer.ClassTransient, "cannot group the plays for "+s.who()+": "+err.Error(), false)
		return
	}
	at := 0
	for _, b := range batches {
		its := items[at : at+len(b)]
		at += len(b)
		if !s.submitListens(token, its, b) {
			return // the rest waits: the lane backs off, pauses or was stopped
		}
	}
}

// submitListens sends one request and acts on its answer; it reports
// whether the lane may go on sending now.
func (s *sender) submitListens(token string, items []*Item, listens []listenbrainz.Listen) bool {
	j, ln := s.j, s.lane
	kind := listenbrainz.ListenTypeImport
	if len(listens) == 1 {
		kind = listenbrainz.ListenTypeSingle
	}
	a, err := ln.lb.Submit(j.hardStop, token, kind, listens)
	switch {
	case err != nil:
		s.unreachable(items, err)
		return false
	case !a.Failed():
		s.listensTaken(items, a)
		return a.Pause() == 0
	}
	msg := clip.Line(s.who()+" refused it: "+a.Describe(), maxStoredMessage)
	switch a.Class {
	case signer.ClassBadItem:
		if len(items) > 1 {
			// Which listen? Each alone tells; only the bad ones die.
			for i := range items {
				if !s.submitListens(token, items[i:i+1], listens[i:i+1]) {
					return false
				}
			}
			return true
		}
		s.buryOwed(items, msg)
		return true
	case signer.ClassReauth:
		s.pauseForSignin(token, items, msg)
	case signer.ClassKeyBroken:
		s.pauseAll(items, msg+" (is its api_root right?)")
	case signer.ClassRateLimited:
		s.waitFor(items, a, msg, false)
	case signer.ClassTransient:
		// A 5xx may come from a front end that passed the request on.
		s.waitFor(items, a, msg, true)
	default:
		s.buryOwed(items, msg)
		return true
	}
	return false
}

// listensTaken settles a batch ListenBrainz took, and slows the lane down
// when its window has no call left (X-RateLimit-Remaining 0).
func (s *sender) listensTaken(items []*Item, a *listenbrainz.Answer) {
	j, ln := s.j, s.lane
	now := j.now().UTC()
	results := make([]*Result, len(items))
	for i, it := range items {
		results[i] = ln.result(it, StatusAccepted, now)
	}
	j.mu.Lock()
	s.step = 0
	if p := a.Pause(); p > 0 {
		s.next = j.now().Add(p)
	}
	j.mu.Unlock()
	s.record(owedWrite{items: len(results), write: func() error { return j.settle(ln, results) }})
}

// waitFor backs the sender off after a 429 or 5xx: until ListenBrainz's
// X-RateLimit-Reset-In when it gave one, else by the table's back-off.
// maybeSent marks the items when the request may have been taken.
func (s *sender) waitFor(items []*Item, a *listenbrainz.Answer, msg string, maybeSent bool) {
	p := a.Pause()
	if p == 0 {
		// No Reset-In to honour: the table's back-off, as on every lane.
		s.retryLater(items, signer.ClassTransient, msg, maybeSent)
		return
	}
	j := s.j
	j.mu.Lock()
	s.next = j.now().Add(p)
	next := s.next
	j.mu.Unlock()
	j.log.Info("journal: send failed, will retry", "destination", s.lane.name, "account", s.account,
		"status", a.Status, "error", msg, "next_attempt", next.UTC().Format(time.RFC3339))
	s.note(items, msg, maybeSent)
}
