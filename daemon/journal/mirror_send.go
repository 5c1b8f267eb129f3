package journal

import (
	"errors"
	"fmt"

	"github.com/lastfmd/lastfmd/daemon/upstream"
	"github.com/lastfmd/lastfmd/signer"
)

// What a mirror's lane does besides Last.fm's rules (docs/mirrors.md#how-answers-are-handled):
// services speaking the Last.fm 2.0 API answer it loosely, and a lane must
// neither fill with dead letters nor resend in a loop because of it.

// IgnoredUnknown is the ignore code a result gets when a service said it
// ignored scrobbles without saying which or why (an answer with counts and
// no items): a code no service answers.
const IgnoredUnknown = 1000

// mirrorRefused handles what only a mirror's lane reads differently, and
// reports whether it did:
//   - error 3 (no such method): the service lacks the method. The lane
//     marks it lacking (status shows it) and settles the items as skipped,
//     instead of filling the dead letters; what comes later for that method
//     is not journalled there (route, Mirror).
//   - a batch of several scrobbles answered with an error that is not about
//     an item, while its first item sent alone passes (Maloja's batched form
//     fails): the lane sends one scrobble per call from now on; the other
//     items stay pending, with no back-off. A lone item that fails too
//     leaves the batch's answer to the table's rules.
func (s *sender) mirrorRefused(key string, items []*Item, class signer.Class, code int, msg string, isAnswer bool) bool {
	j, ln := s.j, s.lane
	method := items[0].Method
	switch {
	case isAnswer && code == signer.ErrInvalidMethod:
		j.mu.Lock()
		first := !ln.lacks[method]
		ln.lacks[method] = true
		j.mu.Unlock()
		if first {
			j.log.Warn("journal: the mirror lacks a method; it is no longer sent there", "destination", ln.name, "method", method, "error", msg)
		}
		s.skip(items, "mirror "+ln.name+" lacks "+method+" (it answered: "+msg+")")
		return true
	case isAnswer && method == MethodScrobble && len(items) > 1 && !s.batchesFail() &&
		(class == signer.ClassTransient || class == signer.ClassPermanent):
		// Is it the batched form the service fails (Maloja's), or a
		// passing trouble? The first item alone tells: when it passes,
		// the lane sends one scrobble per call from now on; when it
		// fails too, the batch's answer is handled as any other.
		one := items[:1]
		r, err := ln.up.Do(j.hardStop, upstream.Call{Method: MethodScrobble, Params: batchParams(one), SessionKey: key, Post: true, Background: true})
		if err != nil || r.Failed() {
			return false
		}
		s.sendSingly("its batched track.scrobble failed (" + msg + ") while one scrobble alone passed")
		s.answered(one, r)
		return true
	}
	return false
}

// batchesFail reports whether the lane already sends one per call.
func (s *sender) batchesFail() bool {
	s.j.mu.Lock()
	defer s.j.mu.Unlock()
	return s.lane.single
}

// sendSingly makes the lane send one scrobble per call from now on (for
// the life of the process).
func (s *sender) sendSingly(why string) {
	j, ln := s.j, s.lane
	j.mu.Lock()
	first := !ln.single
	ln.single = true
	j.mu.Unlock()
	if first {
		j.log.Warn("journal: the mirror's answer to a batch could not be used; sending one scrobble per call", "destination", ln.name, "why", why)
	}
}

// skip settles items the destination will never take (it lacks their
// method) with a result that says so: not sent, not a dead letter.
func (s *sender) skip(items []*Item, why string) {
	j, ln := s.j, s.lane
	now := j.now().UTC()
	results := make([]*Result, len(items))
	for i, it := range items {
		results[i] = ln.result(it, StatusSkipped, now)
		results[i].IgnoredMessage = why
	}
	s.record(owedWrite{items: len(results), write: func() error { return j.settle(ln, results) }})
}

// byCounts reads an answer that lists no items by its counts: every item
// accepted when none was ignored; when some were and the batch had one
// item, that one is ignored. When some of several were, nothing tells
// which: all are settled as ignored with that said (resending would
// duplicate the accepted ones), and the lane sends one per call from then
// on so that it does not happen again.
func (s *sender) byCounts(items []*Item, body []byte) ([]signer.ScrobbleAnswer, error) {
	_, ignored, ok := signer.ScrobbleCounts(body)
	if !ok {
		return nil, errors.New("it lists no scrobbles and gives no counts")
	}
	out := make([]signer.ScrobbleAnswer, len(items))
	switch {
	case ignored == 0:
	case ignored > len(items):
		return nil, fmt.Errorf("it counts %d ignored of %d sent", ignored, len(items))
	default:
		msg := "the service ignored it without saying why"
		if len(items) > 1 {
			msg = fmt.Sprintf("the service ignored %d of the %d scrobbles of this call without saying which", ignored, len(items))
			s.sendSingly(msg)
		}
		for i := range out {
			out[i] = signer.ScrobbleAnswer{IgnoredCode: IgnoredUnknown, IgnoredMessage: msg}
		}
	}
	return out, nil
}
