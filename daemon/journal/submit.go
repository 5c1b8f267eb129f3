package journal

import (
	"errors"
	"fmt"
	"maps"

	bolt "go.etcd.io/bbolt"
)

// Ticket is a submitted item's place in the journal.
type Ticket struct {
	ID        uint64
	Duplicate bool // the same scrobble was already pending or recently sent: not journalled again
}

// ErrClosed is returned for submissions after Close.
var ErrClosed = errors.New("journal: closed (lastfmd is stopping)")

// Submit journals scrobbles for account and returns once they are
// committed and fsynced. Concurrent submissions share one commit (bbolt's
// DB.Batch). A scrobble already pending or sent within the results window
// (same account, artist, track and timestamp) is not journalled again: its
// ticket names the first one. On error nothing of the submission is in the
// journal.
func (j *Journal) Submit(account string, items []Scrobble) ([]Ticket, error) {
	if err := j.Healthy(); err != nil {
		return nil, ErrClosed
	}
	now := j.now().UTC()
	hook := j.hook()
	var tickets []Ticket
	// The function may run more than once (DB.Batch retries a failed
	// batch member alone), so it rebuilds its outputs from scratch.
	err := j.db.Batch(func(tx *bolt.Tx) error {
		tickets = make([]Ticket, 0, len(items))
		itemsB, dedupB := tx.Bucket(bItems), tx.Bucket(bDedup)
		pend, err := tx.Bucket(bPending).CreateBucketIfNotExists([]byte(account))
		if err != nil {
			return err
		}
		for _, s := range items {
			dk := dedupKey(account, s)
			if v := dedupB.Get(dk); v != nil && liveDedup(tx, v) {
				tickets = append(tickets, Ticket{ID: keyID(v), Duplicate: true})
				continue
			}
			id, err := itemsB.NextSequence()
			if err != nil {
				return err
			}
			it := &Item{ID: id, Account: account, Method: MethodScrobble, Params: maps.Clone(s.Params),
				Timestamp: s.Timestamp, Added: now}
			if err := putPending(itemsB, pend, it); err != nil {
				return err
			}
			if err := dedupB.Put(dk, idKey(id)); err != nil {
				return err
			}
			tickets = append(tickets, Ticket{ID: id})
		}
		if hook != nil {
			return hook()
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("journal: cannot commit to %s: %w", j.path, err)
	}
	added := 0
	for _, t := range tickets {
		if !t.Duplicate {
			added++
		}
	}
	j.mu.Lock()
	j.countsFor(account).pending += added
	if added > 0 {
		j.senderLocked(account).wake()
	}
	j.mu.Unlock()
	return tickets, nil
}

// Enqueue journals one idempotent write (track.love, track.unlove,
// *.addTags, *.removeTag) that could not reach Last.fm; the account's
// sender replays it. params must not hold sk, api_key or api_sig.
func (j *Journal) Enqueue(account, method string, params map[string]string) (uint64, error) {
	id, _, err := j.enqueue(account, method, params, nil)
	return id, err
}

// enqueue journals one idempotent write, in one transaction with the
// check when (nil: always) that decides whether it is journalled at all
// (EnqueueBehind's, order.go).
func (j *Journal) enqueue(account, method string, params map[string]string, when func(tx *bolt.Tx) (bool, error)) (uint64, bool, error) {
	if err := j.Healthy(); err != nil {
		return 0, false, ErrClosed
	}
	now := j.now().UTC()
	hook := j.hook()
	clean := maps.Clone(params)
	for _, k := range []string{"sk", "api_key", "api_sig", "format", "callback", "method"} {
		delete(clean, k)
	}
	var id uint64
	var queued bool
	// The function may run more than once (DB.Batch retries a failed
	// batch member alone), so it rebuilds its outputs from scratch.
	err := j.db.Batch(func(tx *bolt.Tx) error {
		id, queued = 0, false
		if when != nil {
			ok, err := when(tx)
			if err != nil || !ok {
				return err
			}
		}
		itemsB := tx.Bucket(bItems)
		pend, err := tx.Bucket(bPending).CreateBucketIfNotExists([]byte(account))
		if err != nil {
			return err
		}
		if id, err = itemsB.NextSequence(); err != nil {
			return err
		}
		if err := putPending(itemsB, pend, &Item{ID: id, Account: account, Method: method, Params: clean, Added: now}); err != nil {
			return err
		}
		queued = true
		if hook != nil {
			return hook()
		}
		return nil
	})
	if err != nil {
		return 0, false, fmt.Errorf("journal: cannot commit to %s: %w", j.path, err)
	}
	if !queued {
		return 0, false, nil
	}
	j.mu.Lock()
	j.countsFor(account).pending++
	j.senderLocked(account).wake()
	j.mu.Unlock()
	return id, true, nil
}

func putPending(itemsB, pend *bolt.Bucket, it *Item) error {
	if err := itemsB.Put(idKey(it.ID), encode(it)); err != nil {
		return err
	}
	return pend.Put(pendingKey(it), nil)
}
