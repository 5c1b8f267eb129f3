package journal

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lastfmd/lastfmd/api"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/signer"
)

// The operator's actions on items: `lastfmd queue retry|drop` and a forced
// logout. None of them claims what did not happen (docs/journal.md#in-flight):
// an item in flight is waited for (inflight.go) and the action then acts on
// the outcome Last.fm gave; an item Last.fm may have recorded keeps its
// deduplication entry whatever is done with it, and is sent again only when
// the operator forces it.

// Change reports what Retry or Drop did with each id: the queue document's
// api.QueueChange.
type Change = api.QueueChange

// Texts of the changes, one home for the CLI's and the API's wording.
const (
	changeRetrying   = "retrying"
	changeDropped    = "dropped"
	changeDroppedMay = "dropped; a send of it got no answer, so Last.fm may have it: submitting it again stays deduplicated"
	changeFlying     = "not changed: it is being sent and Last.fm has not answered yet; try again in a moment"
	changeNeedsForce = "not retried: Last.fm may already have it (a send of it got no answer); retry with --force to send it again, which may show it twice"
	// reasonDroppedMaybe is what a waiter on such a dropped item learns.
	reasonDroppedMaybe = "dropped from the queue while Last.fm may already have it (a send of it got no answer); not sent again"
)

// Retry moves dead letters back to pending and asks for an attempt now:
// the account's back-off, the daily-cap pause and a key-broken pause are
// lifted (an account waiting for sign-in still waits). A pending id only
// lifts those pauses. An item the destination may already have
// (Item.MaybeSent, or one whose answer is unknown) goes back only with
// force. dest names the lane ("" = every lane holding the id: one play
// has one id on every lane).
func (j *Journal) Retry(ids []uint64, force bool, dest string) ([]Change, error) {
	if err := j.Healthy(); err != nil {
		return nil, apperr.New(apperr.Unavailable, signer.ErrTemporary, "%v", err)
	}
	lanes, err := j.lanesNamed(dest)
	if err != nil {
		return nil, apperr.New(apperr.Invalid, signer.ErrInvalidParams, "%v", err)
	}
	type revival struct {
		ln     *lane
		it     *Item
		unsure bool
	}
	var changes []Change
	var revived []revival
	var touched map[sendKey]bool
	err = j.db.Update(func(tx *bolt.Tx) error {
		changes, revived, touched = changes[:0], revived[:0], map[sendKey]bool{}
		for _, id := range ids {
			k := idKey(id)
			found := false
			for _, ln := range lanes {
				r, err := ln.retryOne(tx, id, force)
				if err != nil {
					return err
				}
				if r.change == "" {
					continue
				}
				found = true
				changes = append(changes, Change{ID: id, Destination: ln.name, Result: r.change})
				if r.moved != nil {
					revived = append(revived, revival{ln, r.moved, r.unsure})
				}
				if r.change == changeRetrying {
					touched[sendKey{ln.name, r.account}] = true
				}
			}
			if !found {
				changes = append(changes, Change{ID: id, Result: goneResult(tx, lanes, k)})
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("journal: cannot commit to %s: %w", j.path, err)
	}
	j.mu.Lock()
	for _, r := range revived {
		c := j.countsFor(r.ln.name, r.it.Account)
		c.pending++
		if r.unsure {
			c.unsure--
		} else {
			c.dead--
		}
	}
	for k := range touched {
		ln := j.lane(k.lane)
		if ln.keyProblem != "" {
			j.log.Info("journal: retry asked for; senders resume after the key problem", "destination", ln.name, "was", ln.keyProblem)
			ln.keyProblem = ""
		}
		s := j.senderLocked(ln, k.account)
		s.next, s.step, s.capUntil, s.code2 = time.Time{}, 0, time.Time{}, 0
		s.wake()
	}
	j.mu.Unlock()
	return changes, nil
}

// retried is what retryOne did on one lane.
type retried struct {
	change  string // "" when the lane does not hold the id
	account string // whose sender to wake
	moved   *Item  // moved back to pending (nil when it was pending, or not moved)
	unsure  bool   // moved from answer unknown (else from the dead letters)
}

// retryOne retries id on the lane.
func (ln *lane) retryOne(tx *bolt.Tx, id uint64, force bool) (retried, error) {
	k := idKey(id)
	if cur, err := ln.getItem(tx, ln.b.items, id); err != nil || cur != nil {
		if err != nil {
			return retried{}, err
		}
		return retried{change: changeRetrying, account: cur.Account}, nil
	}
	it, state, from, err := ln.findGivenUp(tx, id)
	if err != nil || it == nil {
		return retried{}, err
	}
	if (it.MaybeSent || state == AnswerUnknown) && !force {
		return retried{change: changeNeedsForce}, nil
	}
	dedup := ln.dedup(tx)
	if dk := itemDedupKey(it); dk != nil {
		if cur := dedup.Get(dk); cur != nil && keyID(cur) != id && ln.liveDedup(tx, cur) {
			return retried{change: fmt.Sprintf("not retried: the same scrobble is already pending or sent as %d", keyID(cur))}, nil
		}
		if err := dedup.Put(dk, k); err != nil {
			return retried{}, err
		}
	}
	if err := from.Delete(k); err != nil {
		return retried{}, err
	}
	if state == AnswerUnknown {
		// Sent again on purpose: from now on it is an item that may have
		// reached the destination, like any unanswered send.
		it.MaybeSent = true
	}
	it.Reason, it.Died = "", time.Time{}
	if err := ln.putPending(tx, it); err != nil {
		return retried{}, err
	}
	return retried{change: changeRetrying, account: it.Account, moved: it, unsure: state == AnswerUnknown}, nil
}

// Drop deletes pending items, dead letters and items whose answer is
// unknown, for good, on the lane dest ("" = every lane holding the id). An
// item in flight is waited for first: when the destination answered it
// meanwhile, it is "sent" (and counted), not dropped. An item the
// destination may have is dropped but keeps its deduplication for the
// results window (a result of status StatusMaybe).
func (j *Journal) Drop(ids []uint64, dest string) ([]Change, error) {
	if err := j.Healthy(); err != nil {
		return nil, apperr.New(apperr.Unavailable, signer.ErrTemporary, "%v", err)
	}
	lanes, err := j.lanesNamed(dest)
	if err != nil {
		return nil, apperr.New(apperr.Invalid, signer.ErrInvalidParams, "%v", err)
	}
	var targets []laneID
	for _, ln := range lanes {
		for _, id := range ids {
			targets = append(targets, laneID{ln.name, id})
		}
	}
	flying, release := j.claim(targets)
	defer release()
	now := j.now().UTC()
	type gone struct {
		ln   *lane
		it   *Item
		from State
	}
	var changes []Change
	var dropped []gone
	var kept map[*lane]int
	err = j.db.Update(func(tx *bolt.Tx) error {
		changes, dropped, kept = changes[:0], dropped[:0], map[*lane]int{}
		for _, id := range ids {
			found := false
			for _, ln := range lanes {
				if flying[laneID{ln.name, id}] {
					found = true
					changes = append(changes, Change{ID: id, Destination: ln.name, Result: changeFlying})
					continue
				}
				it, err := takePending(tx, ln, id)
				if err != nil {
					return err
				}
				from := Pending
				if it == nil {
					var bucket *bolt.Bucket
					if it, from, bucket, err = ln.findGivenUp(tx, id); err != nil {
						return err
					}
					if it != nil {
						if err := bucket.Delete(idKey(id)); err != nil {
							return err
						}
					}
				}
				if it == nil {
					continue
				}
				found = true
				if err := j.releasePlay(tx, id); err != nil {
					return err
				}
				dropped = append(dropped, gone{ln, it, from})
				if it.MaybeSent || from == AnswerUnknown {
					// The destination may have it: the result keeps the
					// deduplication.
					if err := tx.Bucket(ln.b.results).Put(idKey(id), encode(maybeResult(ln, it, now))); err != nil {
						return err
					}
					kept[ln]++
					changes = append(changes, Change{ID: id, Destination: ln.name, Result: changeDroppedMay})
					continue
				}
				if err := dropDedup(ln.dedup(tx), it); err != nil {
					return err
				}
				changes = append(changes, Change{ID: id, Destination: ln.name, Result: changeDropped})
			}
			if !found {
				changes = append(changes, Change{ID: id, Result: goneResult(tx, lanes, idKey(id))})
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("journal: cannot commit to %s: %w", j.path, err)
	}
	var outs []Outcome
	j.mu.Lock()
	for ln, n := range kept {
		ln.results += n
	}
	for _, g := range dropped {
		c := j.countsFor(g.ln.name, g.it.Account)
		switch g.from {
		case Pending:
			c.pending--
			if !g.ln.mirror {
				outs = append(outs, Outcome{ID: g.it.ID, State: Unknown})
			}
		case Dead:
			c.dead--
		case AnswerUnknown:
			c.unsure--
		}
	}
	j.mu.Unlock()
	for _, g := range dropped {
		j.log.Info("journal: item dropped", "destination", g.ln.name, "id", g.it.ID, "account", g.it.Account, "method", g.it.Method, "was", string(g.from), "maybe_sent", g.it.MaybeSent)
	}
	j.notify(outs)
	return changes, nil
}

// findGivenUp looks id up among the lane's items no sender sends by itself
// (dead letters, items whose answer is unknown): the item, its state and
// its bucket; a nil item when it is in neither.
func (ln *lane) findGivenUp(tx *bolt.Tx, id uint64) (*Item, State, *bolt.Bucket, error) {
	for _, b := range ln.givenUp() {
		it, err := ln.getItem(tx, b.name, id)
		if err != nil || it != nil {
			return it, b.state, tx.Bucket(b.name), err
		}
	}
	return nil, Unknown, nil, nil
}

// maybeResult is the result kept for an item dropped while the destination
// may have it.
func maybeResult(ln *lane, it *Item, now time.Time) *Result {
	return ln.result(it, StatusMaybe, now)
}

// BeforeLogout is asked before an account is removed (dest "": every
// lane) or signed out of one mirror (dest: its name). It refuses while
// the account has pending items there, unless force, which dead-letters
// them with that reason (they can be retried once the account signs in
// again). A batch in flight is waited for first, so an item the
// destination answered is settled as sent, never buried as "not sent".
func (j *Journal) BeforeLogout(account, dest string, force bool) error {
	lanes, err := j.lanesNamed(dest)
	if err != nil {
		return apperr.New(apperr.Invalid, signer.ErrInvalidParams, "%v", err)
	}
	n := 0
	for _, ln := range lanes {
		n += j.pending(ln, account)
	}
	if n == 0 {
		return nil
	}
	if !force {
		what := fmt.Sprintf("%d scrobbles or writes", n)
		if n == 1 {
			what = "1 scrobble or write"
		}
		where := ""
		if dest != "" {
			where = " for " + dest
		}
		return apperr.New(apperr.Forbidden, signer.ErrInvalidParams,
			"account %q has %s waiting to be sent%s: wait for them (see `lastfmd queue list`), or log out with --force to move them to the dead letters", account, what, where)
	}
	for _, ln := range lanes {
		if err := j.buryAccount(ln, account); err != nil {
			return err
		}
	}
	return nil
}

// buryAccount dead-letters the account's pending items on the lane (a
// forced logout).
func (j *Journal) buryAccount(ln *lane, account string) error {
	ids, err := j.pendingIDs(ln, account)
	if err != nil || len(ids) == 0 {
		return err
	}
	targets := make([]laneID, len(ids))
	for i, id := range ids {
		targets[i] = laneID{ln.name, id}
	}
	flying, release := j.claim(targets)
	defer release()
	if len(flying) > 0 {
		return apperr.New(apperr.Unavailable, signer.ErrTemporary,
			"account %q has a batch being sent to %s and it has not answered yet: try again in a moment", account, ln.name)
	}
	var unsent, maybe []*Item
	err = j.db.View(func(tx *bolt.Tx) error {
		for _, id := range ids {
			it, err := ln.getItem(tx, ln.b.items, id)
			if err != nil {
				return err
			}
			switch {
			case it == nil: // answered while waiting, or dropped
			case it.MaybeSent:
				maybe = append(maybe, it)
			default:
				unsent = append(unsent, it)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("journal: reading %s: %w", j.path, err)
	}
	for _, group := range []struct {
		items  []*Item
		reason string
	}{
		{unsent, "account logged out with --force before it was sent"},
		{maybe, "account logged out with --force; an earlier send of it got no answer, so the destination may have it"},
	} {
		if len(group.items) == 0 {
			continue
		}
		if err := j.bury(ln, group.items, group.reason); err != nil {
			return fmt.Errorf("journal: cannot dead-letter the account's items: %w", err)
		}
	}
	if left := j.pending(ln, account); left > 0 {
		return apperr.New(apperr.Unavailable, signer.ErrTemporary, "account %q still has %d items pending for %s: try again", account, left, ln.name)
	}
	return nil
}

// pendingIDs lists the account's pending items on the lane in send order.
func (j *Journal) pendingIDs(ln *lane, account string) ([]uint64, error) {
	var ids []uint64
	err := j.db.View(func(tx *bolt.Tx) error {
		pend, err := ln.pendingOf(tx, account, false)
		if err != nil || pend == nil {
			return err
		}
		return pend.each(nil, func(k []byte) (bool, error) {
			ids = append(ids, keyID(k))
			return true, nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("journal: reading %s: %w", j.path, err)
	}
	return ids, nil
}
