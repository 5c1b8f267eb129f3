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
// lifts those pauses. An item Last.fm may already have (Item.MaybeSent, or
// one whose answer is unknown) goes back only with force.
func (j *Journal) Retry(ids []uint64, force bool) ([]Change, error) {
	if err := j.Healthy(); err != nil {
		return nil, apperr.New(apperr.Unavailable, signer.ErrTemporary, "%v", err)
	}
	var changes []Change
	var revived []*Item
	var wasUnsure map[uint64]bool
	touched := map[string]bool{}
	err := j.db.Update(func(tx *bolt.Tx) error {
		changes, revived, touched, wasUnsure = changes[:0], revived[:0], map[string]bool{}, map[uint64]bool{}
		items, dedup := tx.Bucket(bItems), tx.Bucket(bDedup)
		for _, id := range ids {
			k := idKey(id)
			if v := items.Get(k); v != nil {
				it, err := decodeItem(v)
				if err != nil {
					return err
				}
				touched[it.Account] = true
				changes = append(changes, Change{ID: id, Result: changeRetrying})
				continue
			}
			it, state, from, err := findGivenUp(tx, k)
			if err != nil {
				return err
			}
			if it == nil {
				changes = append(changes, Change{ID: id, Result: goneResult(tx.Bucket(bResults), k)})
				continue
			}
			if (it.MaybeSent || state == AnswerUnknown) && !force {
				changes = append(changes, Change{ID: id, Result: changeNeedsForce})
				continue
			}
			if dk := itemDedupKey(it); dk != nil {
				if cur := dedup.Get(dk); cur != nil && keyID(cur) != id && liveDedup(tx, cur) {
					changes = append(changes, Change{ID: id, Result: fmt.Sprintf("not retried: the same scrobble is already pending or sent as %d", keyID(cur))})
					continue
				}
				if err := dedup.Put(dk, k); err != nil {
					return err
				}
			}
			if err := from.Delete(k); err != nil {
				return err
			}
			if state == AnswerUnknown {
				wasUnsure[id] = true
				// Sent again on purpose: from now on it is an item that
				// may have reached Last.fm, like any unanswered send.
				it.MaybeSent = true
			}
			it.Reason, it.Died = "", time.Time{}
			pend, err := tx.Bucket(bPending).CreateBucketIfNotExists([]byte(it.Account))
			if err != nil {
				return err
			}
			if err := putPending(items, pend, it); err != nil {
				return err
			}
			revived = append(revived, it)
			touched[it.Account] = true
			changes = append(changes, Change{ID: id, Result: changeRetrying})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("journal: cannot commit to %s: %w", j.path, err)
	}
	j.mu.Lock()
	for _, it := range revived {
		c := j.countsFor(it.Account)
		c.pending++
		if wasUnsure[it.ID] {
			c.unsure--
		} else {
			c.dead--
		}
	}
	if len(touched) > 0 && j.keyProblem != "" {
		j.log.Info("journal: retry asked for; senders resume after the key problem", "was", j.keyProblem)
		j.keyProblem = ""
	}
	for account := range touched {
		s := j.senderLocked(account)
		s.next, s.step, s.capUntil, s.code2 = time.Time{}, 0, time.Time{}, 0
		s.wake()
	}
	j.mu.Unlock()
	return changes, nil
}

// Drop deletes pending items, dead letters and items whose answer is
// unknown, for good. An item in flight is waited for first: when Last.fm
// answered it meanwhile, it is "sent" (and counted), not dropped. An item
// Last.fm may have is dropped but keeps its deduplication for the results
// window (a result of status StatusMaybe).
func (j *Journal) Drop(ids []uint64) ([]Change, error) {
	if err := j.Healthy(); err != nil {
		return nil, apperr.New(apperr.Unavailable, signer.ErrTemporary, "%v", err)
	}
	flying, release := j.claim(ids)
	defer release()
	now := j.now().UTC()
	type gone struct {
		it   *Item
		from State
	}
	var changes []Change
	var dropped []gone
	var kept int
	err := j.db.Update(func(tx *bolt.Tx) error {
		changes, dropped, kept = changes[:0], dropped[:0], 0
		dedup, results := tx.Bucket(bDedup), tx.Bucket(bResults)
		for _, id := range ids {
			if flying[id] {
				changes = append(changes, Change{ID: id, Result: changeFlying})
				continue
			}
			it, err := takePending(tx, id)
			if err != nil {
				return err
			}
			from := Pending
			if it == nil {
				var bucket *bolt.Bucket
				if it, from, bucket, err = findGivenUp(tx, idKey(id)); err != nil {
					return err
				}
				if it != nil {
					if err := bucket.Delete(idKey(id)); err != nil {
						return err
					}
				}
			}
			if it == nil {
				changes = append(changes, Change{ID: id, Result: goneResult(results, idKey(id))})
				continue
			}
			dropped = append(dropped, gone{it, from})
			if it.MaybeSent || from == AnswerUnknown {
				// Last.fm may have it: the result keeps the deduplication.
				if err := results.Put(idKey(id), encode(maybeResult(it, now))); err != nil {
					return err
				}
				kept++
				changes = append(changes, Change{ID: id, Result: changeDroppedMay})
				continue
			}
			if err := dropDedup(dedup, it); err != nil {
				return err
			}
			changes = append(changes, Change{ID: id, Result: changeDropped})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("journal: cannot commit to %s: %w", j.path, err)
	}
	outs := make([]Outcome, 0, len(dropped))
	j.mu.Lock()
	j.results += kept
	for _, g := range dropped {
		c := j.countsFor(g.it.Account)
		switch g.from {
		case Pending:
			c.pending--
			outs = append(outs, Outcome{ID: g.it.ID, State: Unknown})
		case Dead:
			c.dead--
		case AnswerUnknown:
			c.unsure--
		}
	}
	j.mu.Unlock()
	for _, g := range dropped {
		j.log.Info("journal: item dropped", "id", g.it.ID, "account", g.it.Account, "method", g.it.Method, "was", string(g.from), "maybe_sent", g.it.MaybeSent)
	}
	j.notify(outs)
	return changes, nil
}

// findGivenUp looks the item k up among those no sender sends by itself
// (givenUp: dead letters, items whose answer is unknown): the item, its
// state and its bucket; a nil item when it is in neither.
func findGivenUp(tx *bolt.Tx, k []byte) (*Item, State, *bolt.Bucket, error) {
	for _, b := range givenUp {
		bucket := tx.Bucket(b.name)
		if v := bucket.Get(k); v != nil {
			it, err := decodeItem(v)
			return it, b.state, bucket, err
		}
	}
	return nil, Unknown, nil, nil
}

// maybeResult is the result kept for an item dropped while Last.fm may
// have it.
func maybeResult(it *Item, now time.Time) *Result {
	return &Result{ID: it.ID, Account: it.Account, Method: it.Method, Artist: it.Params["artist"],
		Track: it.Params["track"], Timestamp: it.Timestamp, Status: StatusMaybe, Sent: now}
}

// BeforeLogout is asked before an account is removed. It refuses while the
// account has pending items, unless force, which dead-letters them with
// that reason (they can be retried once the account signs in again). A
// batch in flight is waited for first, so an item Last.fm answered is
// settled as sent, never buried as "not sent".
func (j *Journal) BeforeLogout(account string, force bool) error {
	n := j.Pending(account)
	if n == 0 {
		return nil
	}
	if !force {
		what := fmt.Sprintf("%d scrobbles or writes", n)
		if n == 1 {
			what = "1 scrobble or write"
		}
		return apperr.New(apperr.Forbidden, signer.ErrInvalidParams,
			"account %q has %s waiting to be sent: wait for them (see `lastfmd queue list`), or log out with --force to move them to the dead letters", account, what)
	}
	ids, err := j.pendingIDs(account)
	if err != nil {
		return err
	}
	flying, release := j.claim(ids)
	defer release()
	if len(flying) > 0 {
		return apperr.New(apperr.Unavailable, signer.ErrTemporary,
			"account %q has a batch being sent and Last.fm has not answered it yet: try again in a moment", account)
	}
	var unsent, maybe []*Item
	err = j.db.View(func(tx *bolt.Tx) error {
		all := tx.Bucket(bItems)
		for _, id := range ids {
			v := all.Get(idKey(id))
			if v == nil {
				continue // answered while waiting, or dropped
			}
			it, err := decodeItem(v)
			if err != nil {
				return err
			}
			if it.MaybeSent {
				maybe = append(maybe, it)
			} else {
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
		{maybe, "account logged out with --force; an earlier send of it got no answer, so Last.fm may have it"},
	} {
		if len(group.items) == 0 {
			continue
		}
		if err := j.bury(group.items, group.reason); err != nil {
			return fmt.Errorf("journal: cannot dead-letter the account's items: %w", err)
		}
	}
	if left := j.Pending(account); left > 0 {
		return apperr.New(apperr.Unavailable, signer.ErrTemporary, "account %q still has %d items pending: try again", account, left)
	}
	return nil
}

// pendingIDs lists the account's pending items in send order.
func (j *Journal) pendingIDs(account string) ([]uint64, error) {
	var ids []uint64
	err := j.db.View(func(tx *bolt.Tx) error {
		pend := tx.Bucket(bPending).Bucket([]byte(account))
		if pend == nil {
			return nil
		}
		return pend.ForEach(func(k, _ []byte) error {
			ids = append(ids, keyID(k))
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("journal: reading %s: %w", j.path, err)
	}
	return ids, nil
}
