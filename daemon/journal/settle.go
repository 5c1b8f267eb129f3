package journal

import (
	"bytes"
	"encoding/json"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Labels of lastfmd_scrobbles_sent_total{result}.
const (
	resultAccepted = "accepted"
	resultIgnored  = "ignored"
	resultFailed   = "failed" // dead-lettered
)

// settle records Last.fm's answers: each item leaves the pending set and
// its result is kept (7 days or ResultsMax entries). Items no longer
// pending (dropped, or dead-lettered by a forced logout meanwhile) are
// skipped. Waiting submitters are told after the commit.
func (j *Journal) settle(ln *lane, results []*Result) error {
	if len(results) == 0 {
		return nil
	}
	now := j.now().UTC()
	var done []*Result
	pruned := 0
	hook := j.hook()
	// Encoded before the transaction: the writer's lock is held for the
	// writes alone.
	encoded := make([][]byte, len(results))
	for i, r := range results {
		encoded[i] = encode(r)
	}
	// Last.fm's answers go in a Batch: they and the submissions of the
	// moment share one commit and its fsync (group commit). A mirror's
	// come when no submission is streaming in, or once a second in a
	// stream that never pauses (yield.go), so a Batch would mostly make
	// each wait BatchDelay for company: a backlog of 200 calls
	// to Libre.fm drained 11 % faster with Update (docs/performance.md).
	// The function may run more than once (a failed batch member is
	// retried alone), so it rebuilds its outputs from scratch.
	commit := j.db.Batch
	if ln.mirror {
		commit = j.db.Update
	}
	err := commit(func(tx *bolt.Tx) error {
		done = done[:0]
		resB := tx.Bucket(ln.b.results)
		accepted := map[string]int{}
		for i, r := range results {
			// The result carries what locates the item, so it is not
			// decoded again.
			took, err := j.takeKnown(tx, ln, &Item{ID: r.ID, Account: r.Account, Method: r.Method, Timestamp: r.Timestamp})
			if err != nil {
				return err
			}
			if !took {
				continue
			}
			if err := resB.Put(idKey(r.ID), encoded[i]); err != nil {
				return err
			}
			if r.Method == MethodScrobble && r.Status == StatusAccepted {
				accepted[r.Account]++
			}
			done = append(done, r)
		}
		for account, n := range accepted {
			if err := addDaily(tx.Bucket(ln.b.daily), account, now, n); err != nil {
				return err
			}
		}
		var err error
		if pruned, err = j.pruneTx(tx, ln, len(done), now); err != nil {
			return err
		}
		if hook != nil {
			return hook()
		}
		return nil
	})
	if err != nil {
		// The items stay pending in the file; the sender keeps the answers
		// in memory and writes them again (owed.go).
		return err
	}
	methods := map[[2]string]bool{}
	outs := make([]Outcome, 0, len(done))
	j.mu.Lock()
	ln.results -= pruned
	if len(done) > 0 {
		ln.lastSuccess = now
	}
	if now.Sub(j.lastPrune) > time.Hour {
		j.lastPrune = now
	}
	for _, r := range done {
		c := j.countsFor(ln.name, r.Account)
		c.pending--
		ln.results++
		label := resultAccepted
		if r.Status == StatusIgnored || r.Status == StatusSkipped {
			label = resultIgnored
		} else {
			methods[[2]string{r.Account, r.Method}] = true
		}
		c.sent[label]++
		outs = append(outs, Outcome{ID: r.ID, State: Sent, Result: r})
	}
	j.mu.Unlock()
	if ln.mirror {
		return nil // a mirror's answers are nobody's wait and no cache's
	}
	if j.delivered != nil {
		for k := range methods {
			j.delivered(k[0], k[1])
		}
	}
	j.notify(outs)
	return nil
}

// takePending removes a pending item of the lane (and its place in the
// send order) and returns it with its params; nil when it is no longer
// pending. The caller puts it elsewhere on the lane, or releases its play
// (j.releasePlay).
func takePending(tx *bolt.Tx, ln *lane, id uint64) (*Item, error) {
	it, err := ln.getItem(tx, ln.b.items, id)
	if err != nil || it == nil {
		return nil, err
	}
	if err := tx.Bucket(ln.b.items).Delete(idKey(id)); err != nil {
		return nil, err
	}
	pend, err := ln.pendingOf(tx, it.Account, false)
	if err != nil {
		return nil, err
	}
	if pend != nil {
		if err := pend.Delete(pendingKey(it)); err != nil {
			return nil, err
		}
	}
	return it, nil
}

// takeKnown removes a pending item of the lane whose account, method and
// timestamp the caller knows, releasing its play when no lane holds it any
// more; false when it is no longer pending.
func (j *Journal) takeKnown(tx *bolt.Tx, ln *lane, it *Item) (bool, error) {
	items := tx.Bucket(ln.b.items)
	if items.Get(idKey(it.ID)) == nil {
		return false, nil
	}
	if err := items.Delete(idKey(it.ID)); err != nil {
		return false, err
	}
	pend, err := ln.pendingOf(tx, it.Account, false)
	if err != nil {
		return false, err
	}
	if pend != nil {
		if err := pend.Delete(pendingKey(it)); err != nil {
			return false, err
		}
	}
	return true, j.releasePlay(tx, it.ID)
}

// bury dead-letters pending items with a reason. Their deduplication entry
// goes, so the same scrobble may be submitted again, unless Last.fm may
// already have the item (Item.MaybeSent): then it stays, and a resubmission
// is a duplicate (docs/journal.md#in-flight).
func (j *Journal) bury(ln *lane, items []*Item, reason string) error {
	now := j.now().UTC()
	var buried []*Item
	var evicted map[string]int
	hook := j.hook()
	err := j.db.Update(func(tx *bolt.Tx) error {
		buried, evicted = buried[:0], map[string]int{}
		dedup := ln.dedup(tx)
		for _, x := range items {
			it, err := takePending(tx, ln, x.ID)
			if err != nil {
				return err
			}
			if it == nil {
				continue
			}
			it.Reason, it.Died = reason, now
			if err := ln.putItem(tx, ln.b.dead, it); err != nil {
				return err
			}
			if !it.MaybeSent {
				if err := dropDedup(dedup, it); err != nil {
					return err
				}
			}
			buried = append(buried, it)
		}
		if err := j.capDead(tx, ln, len(buried), evicted); err != nil {
			return err
		}
		if hook != nil {
			return hook()
		}
		return nil
	})
	if err != nil {
		return err // the caller keeps the burial to write again, or reports it
	}
	outs := make([]Outcome, 0, len(buried))
	j.mu.Lock()
	for _, it := range buried {
		c := j.countsFor(ln.name, it.Account)
		c.pending--
		c.dead++
		c.sent[resultFailed]++
		outs = append(outs, Outcome{ID: it.ID, State: Dead, Reason: reason})
	}
	for account, n := range evicted {
		j.countsFor(ln.name, account).dead -= n
	}
	j.mu.Unlock()
	for _, it := range buried {
		j.log.Warn("journal: dead letter", "destination", ln.name, "id", it.ID, "account", it.Account, "method", it.Method,
			"artist", it.Params["artist"], "track", it.Params["track"], "reason", reason)
	}
	if !ln.mirror {
		j.notify(outs)
	}
	return nil
}

// capDead keeps at most DeadMax dead letters per lane: when adding pushes
// past it, the oldest go (logged), so the file stays bounded.
func (j *Journal) capDead(tx *bolt.Tx, ln *lane, added int, evicted map[string]int) error {
	if added == 0 {
		return nil
	}
	j.mu.Lock()
	total := 0
	for k, c := range j.counts {
		if k.lane == ln.name {
			total += c.dead
		}
	}
	j.mu.Unlock()
	over := total + added - j.tune.DeadMax
	if over <= 0 {
		return nil
	}
	c := tx.Bucket(ln.b.dead).Cursor()
	for k, v := c.First(); k != nil && over > 0; k, v = c.First() {
		id := keyID(k)
		if it, err := decodeItem(v); err == nil {
			evicted[it.Account]++
		}
		if err := c.Delete(); err != nil {
			return err
		}
		if err := j.releasePlay(tx, id); err != nil {
			return err
		}
		over--
	}
	j.log.Warn("journal: more than the dead-letter cap; the oldest dead letters were dropped", "cap", j.tune.DeadMax)
	return nil
}

// liveDedup reports whether a deduplication entry's id (its value) still
// names an item the lane holds: pending, answered (a kept result), whose
// answer is unknown, or dead (a dead letter keeps its entry only when
// the destination may have it: bury).
func (ln *lane) liveDedup(tx *bolt.Tx, id []byte) bool {
	for _, b := range ln.held() {
		if tx.Bucket(b.name).Get(id) != nil {
			return true
		}
	}
	return tx.Bucket(ln.b.results).Get(id) != nil
}

// dropDedup removes an item's deduplication entry if it still names it.
func dropDedup(dedup *dedupBucket, it *Item) error {
	dk := itemDedupKey(it)
	if dk == nil {
		return nil
	}
	if v := dedup.Get(dk); v != nil && bytes.Equal(v, idKey(it.ID)) {
		return dedup.Delete(dk)
	}
	return nil
}

// pruneTx drops results beyond ResultsMax and older than ResultsMaxAge
// (and their deduplication entries), inside the transaction that adds
// results. Results are keyed by item id, so the first entries are (nearly
// always) the oldest; a full sweep runs hourly for the rest. It returns how
// many went.
func (j *Journal) pruneTx(tx *bolt.Tx, ln *lane, adding int, now time.Time) (int, error) {
	j.mu.Lock()
	over := ln.results + adding - j.tune.ResultsMax
	sweep := now.Sub(j.lastPrune) > time.Hour
	j.mu.Unlock()
	cutoff := now.Add(-j.tune.ResultsMaxAge)
	removed := 0
	res, dedup := tx.Bucket(ln.b.results), ln.dedup(tx)
	drop := func(k, v []byte) error {
		// A scrobble's result holds its deduplication entry.
		if r, err := decodeResultKey(v); err == nil && r.Method == MethodScrobble {
			dk := dedupKey(r.Account, Scrobble{Artist: r.Artist, Track: r.Track, Timestamp: r.Timestamp})
			if cur := dedup.Get(dk); cur != nil && bytes.Equal(cur, k) {
				if err := dedup.Delete(dk); err != nil {
					return err
				}
			}
		}
		removed++
		return res.Delete(k)
	}
	c := res.Cursor()
	for k, v := c.First(); k != nil && (removed < over || sentBefore(v, cutoff)); k, v = c.First() {
		if err := drop(bytes.Clone(k), v); err != nil {
			return 0, err
		}
	}
	if !sweep {
		return removed, nil
	}
	var stale [][2][]byte
	err := res.ForEach(func(k, v []byte) error {
		if sentBefore(v, cutoff) {
			stale = append(stale, [2][]byte{bytes.Clone(k), bytes.Clone(v)})
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, kv := range stale {
		if err := drop(kv[0], kv[1]); err != nil {
			return 0, err
		}
	}
	return removed, nil
}

func sentBefore(v []byte, cutoff time.Time) bool {
	var r struct {
		Sent time.Time `json:"sent"`
	}
	return json.Unmarshal(v, &r) == nil && r.Sent.Before(cutoff)
}

// daily is one account's scrobbles accepted on one UTC day.
type daily struct {
	Day      string `json:"day"`
	Accepted int    `json:"accepted"`
}

func addDaily(b *bolt.Bucket, account string, now time.Time, n int) error {
	day := now.UTC().Format(time.DateOnly)
	var d daily
	if v := b.Get([]byte(account)); v != nil {
		_ = json.Unmarshal(v, &d)
	}
	if d.Day != day {
		d = daily{Day: day}
	}
	d.Accepted += n
	return b.Put([]byte(account), encode(d))
}
