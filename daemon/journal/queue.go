package journal

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lastfmd/lastfmd/api"
)

// AccountStats are one account's queue figures: what GET /v1/queue lists
// for it (api.AccountQueue; List fills in OldestPendingSeconds), and
// for /metrics the items settled since start.
type AccountStats struct {
	api.AccountQueue
	Sent map[string]uint64 // since start, by result
}

// Stats is the journal's state for /v1/status and /metrics.
type Stats struct {
	Pending       int
	Dead          int
	AnswerUnknown int // items whose answer is unknown (AnswerUnknown)
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
	flying := map[string]int{}
	for _, f := range j.flights {
		flying[f.account]++
	}
	for name := range names {
		c := j.countsFor(name)
		a := AccountStats{AccountQueue: api.AccountQueue{Account: name, Pending: c.pending, Dead: c.dead,
			AnswerUnknown: c.unsure, InFlight: flying[name], ScrobblesToday: today[name]},
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
		st.AnswerUnknown += c.unsure
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
// api): per-account figures, then up to limit pending items in send order
// per account, and up to limit dead letters and items whose answer is
// unknown, oldest first (limit <= 0: 1000).
func (j *Journal) List(limit int) (api.Queue, error) {
	if limit <= 0 {
		limit = 1000
	}
	st := j.Stats()
	now := j.now()
	l := api.Queue{Pending: st.Pending, Dead: st.Dead, AnswerUnknown: st.AnswerUnknown, KeyProblem: st.KeyProblem,
		Accounts: []api.AccountQueue{}, Items: []api.QueueItem{}, DeadLetters: []api.QueueItem{}, Unsure: []api.QueueItem{}}
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
					l.Items = append(l.Items, it.Doc())
				}
			}
		}
		for _, list := range []struct {
			b   []byte
			out *[]api.QueueItem
		}{{bDead, &l.DeadLetters}, {bUnsure, &l.Unsure}} {
			c := tx.Bucket(list.b).Cursor()
			for k, v := c.First(); k != nil; k, v = c.Next() {
				if len(*list.out) >= limit {
					l.Truncated = true
					break
				}
				it, err := decodeItem(v)
				if err != nil {
					return err
				}
				*list.out = append(*list.out, it.Doc())
			}
		}
		return nil
	})
	if err != nil {
		return api.Queue{}, fmt.Errorf("journal: reading %s: %w", j.path, err)
	}
	j.mu.Lock()
	for i := range l.Items {
		l.Items[i].InFlight = j.flights[l.Items[i].ID] != nil
	}
	j.mu.Unlock()
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

// Export writes every pending item, dead letter, item whose answer is
// unknown and kept result as JSON lines (for backups), from one
// consistent read of the file.
func (j *Journal) Export(w io.Writer) error {
	return j.db.View(func(tx *bolt.Tx) error {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, b := range itemBuckets {
			err := forEachItem(tx.Bucket(b.name), func(it *Item) error {
				return enc.Encode(ExportLine{State: b.state, Item: it})
			})
			if err != nil {
				return err
			}
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

// goneResult says why an id is neither pending nor dead: "sent" when
// Last.fm's answer to it is still kept (there is nothing to retry or
// drop), else "unknown" (the result kept for an item dropped while Last.fm
// may have it is no answer: the item is simply gone).
func goneResult(results *bolt.Bucket, k []byte) string {
	if v := results.Get(k); v != nil {
		if r, err := decodeResult(v); err == nil && r.Status != StatusMaybe {
			return "sent"
		}
	}
	return "unknown"
}
