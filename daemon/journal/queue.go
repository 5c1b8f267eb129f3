package journal

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lastfmd/lastfmd/client"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/signer"
)

// AccountStats are one account's queue figures: what GET /v1/queue lists
// for it (client.AccountQueue; List fills in OldestPendingSeconds), and
// for /metrics the items settled since start.
type AccountStats struct {
	client.AccountQueue
	Sent map[string]uint64 // since start, by result
}

// Stats is the journal's state for /v1/status and /metrics.
type Stats struct {
	Pending       int
	Dead          int
	Results       int
	OldestPending time.Time // when the oldest pending item was journalled; zero if none
	NextAttempt   time.Time // earliest next attempt of a backing-off sender; zero if none
	LastError     string
	KeyProblem    string
	// DiskProblem says the journal cannot write (a full disk) and what is
	// held in memory meanwhile; empty when every write went through.
	DiskProblem string
	Accounts    []AccountStats // by name
}

// Stats returns the current figures. It reads only memory and one key of
// the file, so /v1/status and /metrics may call it often.
func (j *Journal) Stats() Stats {
	now := j.now()
	var oldest time.Time
	today := map[string]int{}
	_ = j.db.View(func(tx *bolt.Tx) error {
		if _, v := tx.Bucket(bItems).Cursor().First(); v != nil {
			if it, err := decodeItem(v); err == nil {
				oldest = it.Added
			}
		}
		day := now.UTC().Format(time.DateOnly)
		return tx.Bucket(bDaily).ForEach(func(k, v []byte) error {
			var d daily
			if json.Unmarshal(v, &d) == nil && d.Day == day {
				today[string(k)] = d.Accepted
			}
			return nil
		})
	})
	j.mu.Lock()
	defer j.mu.Unlock()
	st := Stats{Results: j.results, OldestPending: oldest, KeyProblem: j.keyProblem}
	var lastAt time.Time
	names := map[string]bool{}
	for name := range j.counts {
		names[name] = true
	}
	for name := range today {
		names[name] = true
	}
	for name := range names {
		c := j.countsFor(name)
		a := AccountStats{AccountQueue: client.AccountQueue{Account: name, Pending: c.pending, Dead: c.dead, ScrobblesToday: today[name]},
			Sent: map[string]uint64{}}
		for k, v := range c.sent {
			a.Sent[k] = v
		}
		if s := j.senders[name]; s != nil {
			if c.pending > 0 && s.next.After(now) {
				a.NextAttempt = s.next.UTC()
			}
			if c.pending > 0 {
				a.Paused = s.paused
			}
			a.LastError, a.LastErrorAt = s.lastError, s.lastErrAt
			if s.diskErr != "" {
				a.DiskProblem, st.DiskProblem = s.diskErr, s.diskErr
			}
			if s.lastError != "" && s.lastErrAt.After(lastAt) {
				lastAt, st.LastError = s.lastErrAt, s.lastError
			}
		}
		if !a.NextAttempt.IsZero() && (st.NextAttempt.IsZero() || a.NextAttempt.Before(st.NextAttempt)) {
			st.NextAttempt = a.NextAttempt
		}
		st.Pending += c.pending
		st.Dead += c.dead
		st.Accounts = append(st.Accounts, a)
	}
	if st.KeyProblem != "" {
		st.LastError = st.KeyProblem
	}
	sort.Slice(st.Accounts, func(a, b int) bool { return st.Accounts[a].Account < st.Accounts[b].Account })
	return st
}

// Pending returns how many items of the account wait to be sent.
func (j *Journal) Pending(account string) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	if c := j.counts[account]; c != nil {
		return c.pending
	}
	return 0
}

// List returns the GET /v1/queue document (declared once, in package
// client): per-account figures, then up to limit pending items in send
// order per account and limit dead letters, oldest first (limit <= 0:
// 1000).
func (j *Journal) List(limit int) (client.Queue, error) {
	if limit <= 0 {
		limit = 1000
	}
	st := j.Stats()
	now := j.now()
	l := client.Queue{Pending: st.Pending, Dead: st.Dead, KeyProblem: st.KeyProblem, Accounts: []client.AccountQueue{},
		Items: []client.QueueItem{}, DeadLetters: []client.QueueItem{}}
	oldest := map[string]time.Time{}
	err := j.db.View(func(tx *bolt.Tx) error {
		items := tx.Bucket(bItems)
		err := forEachItem(items, func(it *Item) error {
			if o, ok := oldest[it.Account]; !ok || it.Added.Before(o) {
				oldest[it.Account] = it.Added
			}
			return nil
		})
		if err != nil {
			return err
		}
		pend := tx.Bucket(bPending)
		for _, a := range st.Accounts {
			b := pend.Bucket([]byte(a.Account))
			if b == nil {
				continue
			}
			c := b.Cursor()
			for k, _ := c.First(); k != nil; k, _ = c.Next() {
				if len(l.Items) >= limit {
					l.Truncated = true
					break
				}
				if v := items.Get(idKey(keyID(k))); v != nil {
					it, err := decodeItem(v)
					if err != nil {
						return err
					}
					l.Items = append(l.Items, *it)
				}
			}
		}
		c := tx.Bucket(bDead).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(l.DeadLetters) >= limit {
				l.Truncated = true
				break
			}
			it, err := decodeItem(v)
			if err != nil {
				return err
			}
			l.DeadLetters = append(l.DeadLetters, *it)
		}
		return nil
	})
	if err != nil {
		return client.Queue{}, fmt.Errorf("journal: reading %s: %w", j.path, err)
	}
	for _, a := range st.Accounts {
		q := a.AccountQueue
		if o, ok := oldest[a.Account]; ok {
			q.OldestPendingSeconds = int64(now.Sub(o) / time.Second)
		}
		l.Accounts = append(l.Accounts, q)
	}
	return l, nil
}

// ExportLine is one line of `lastfmd queue export`.
type ExportLine struct {
	State  State   `json:"state"`
	Item   *Item   `json:"item,omitempty"`
	Result *Result `json:"result,omitempty"`
}

// Export writes every pending item, dead letter and kept result as JSON
// lines (for backups), from one consistent read of the file.
func (j *Journal) Export(w io.Writer) error {
	return j.db.View(func(tx *bolt.Tx) error {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		err := forEachItem(tx.Bucket(bItems), func(it *Item) error {
			return enc.Encode(ExportLine{State: Pending, Item: it})
		})
		if err != nil {
			return err
		}
		err = forEachItem(tx.Bucket(bDead), func(it *Item) error {
			return enc.Encode(ExportLine{State: Dead, Item: it})
		})
		if err != nil {
			return err
		}
		return tx.Bucket(bResults).ForEach(func(_, v []byte) error {
			r, err := decodeResult(v)
			if err != nil {
				return err
			}
			return enc.Encode(ExportLine{State: Sent, Result: r})
		})
	})
}

// Change reports what Retry or Drop did with each id: the queue document's
// client.QueueChange.
type Change = client.QueueChange

// Retry moves dead letters back to pending and asks for an attempt now:
// the account's back-off, the daily-cap pause and a key-broken pause are
// lifted (an account waiting for sign-in still waits). A pending id only
// lifts those pauses.
func (j *Journal) Retry(ids []uint64) ([]Change, error) {
	if err := j.Healthy(); err != nil {
		return nil, apperr.New(apperr.Unavailable, signer.ErrTemporary, "%v", err)
	}
	var changes []Change
	var revived []*Item
	touched := map[string]bool{}
	err := j.db.Update(func(tx *bolt.Tx) error {
		changes, revived, touched = changes[:0], revived[:0], map[string]bool{}
		items, dead, dedup, results := tx.Bucket(bItems), tx.Bucket(bDead), tx.Bucket(bDedup), tx.Bucket(bResults)
		for _, id := range ids {
			k := idKey(id)
			if v := items.Get(k); v != nil {
				it, err := decodeItem(v)
				if err != nil {
					return err
				}
				touched[it.Account] = true
				changes = append(changes, Change{ID: id, Result: "retrying"})
				continue
			}
			v := dead.Get(k)
			if v == nil {
				changes = append(changes, Change{ID: id, Result: goneResult(results, k)})
				continue
			}
			it, err := decodeItem(v)
			if err != nil {
				return err
			}
			if dk := itemDedupKey(it); dk != nil {
				if cur := dedup.Get(dk); cur != nil && (items.Get(cur) != nil || results.Get(cur) != nil) {
					changes = append(changes, Change{ID: id, Result: fmt.Sprintf("not retried: the same scrobble is already pending or sent as %d", keyID(cur))})
					continue
				}
				if err := dedup.Put(dk, k); err != nil {
					return err
				}
			}
			if err := dead.Delete(k); err != nil {
				return err
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
			changes = append(changes, Change{ID: id, Result: "retrying"})
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
		c.dead--
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

// Drop deletes pending items or dead letters for good.
func (j *Journal) Drop(ids []uint64) ([]Change, error) {
	if err := j.Healthy(); err != nil {
		return nil, apperr.New(apperr.Unavailable, signer.ErrTemporary, "%v", err)
	}
	var changes []Change
	var gonePending, goneDead []*Item
	err := j.db.Update(func(tx *bolt.Tx) error {
		changes, gonePending, goneDead = changes[:0], gonePending[:0], goneDead[:0]
		dead, dedup, results := tx.Bucket(bDead), tx.Bucket(bDedup), tx.Bucket(bResults)
		for _, id := range ids {
			it, err := takePending(tx, id)
			if err != nil {
				return err
			}
			if it != nil {
				if err := dropDedup(dedup, it); err != nil {
					return err
				}
				gonePending = append(gonePending, it)
				changes = append(changes, Change{ID: id, Result: "dropped"})
				continue
			}
			v := dead.Get(idKey(id))
			if v == nil {
				changes = append(changes, Change{ID: id, Result: goneResult(results, idKey(id))})
				continue
			}
			if it, err = decodeItem(v); err != nil {
				return err
			}
			if err := dead.Delete(idKey(id)); err != nil {
				return err
			}
			goneDead = append(goneDead, it)
			changes = append(changes, Change{ID: id, Result: "dropped"})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("journal: cannot commit to %s: %w", j.path, err)
	}
	outs := make([]Outcome, 0, len(gonePending))
	j.mu.Lock()
	for _, it := range gonePending {
		j.countsFor(it.Account).pending--
		outs = append(outs, Outcome{ID: it.ID, State: Unknown})
	}
	for _, it := range goneDead {
		j.countsFor(it.Account).dead--
	}
	j.mu.Unlock()
	for _, it := range append(gonePending, goneDead...) {
		j.log.Info("journal: item dropped", "id", it.ID, "account", it.Account, "method", it.Method)
	}
	j.notify(outs)
	return changes, nil
}

// BeforeLogout is asked before an account is removed. It refuses while the
// account has pending items, unless force, which dead-letters them with
// that reason (they can be retried once the account signs in again).
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
	var items []*Item
	err := j.db.View(func(tx *bolt.Tx) error {
		pend := tx.Bucket(bPending).Bucket([]byte(account))
		if pend == nil {
			return nil
		}
		all := tx.Bucket(bItems)
		return pend.ForEach(func(k, _ []byte) error {
			if v := all.Get(idKey(keyID(k))); v != nil {
				it, err := decodeItem(v)
				if err != nil {
					return err
				}
				items = append(items, it)
			}
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("journal: reading %s: %w", j.path, err)
	}
	if err := j.bury(items, "account logged out with --force before it was sent"); err != nil {
		return fmt.Errorf("journal: cannot dead-letter the account's items: %w", err)
	}
	if left := j.Pending(account); left > 0 {
		return apperr.New(apperr.Unavailable, signer.ErrTemporary, "account %q still has %d items pending: try again", account, left)
	}
	return nil
}

// goneResult says why an id is neither pending nor dead: "sent" when
// Last.fm's answer to it is still kept (there is nothing to retry or
// drop), else "unknown".
func goneResult(results *bolt.Bucket, k []byte) string {
	if results.Get(k) != nil {
		return "sent"
	}
	return "unknown"
}
