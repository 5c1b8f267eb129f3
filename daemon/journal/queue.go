package journal

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lastfmd/lastfmd/api"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/signer"
)

// AccountStats are one account's queue figures on one lane: what GET
// /v1/queue lists for it (api.AccountQueue; List fills in
// OldestPendingSeconds), and for /metrics the items settled since start.
type AccountStats struct {
	api.AccountQueue
	Sent map[string]uint64 // since start, by result
}

// DestinationStats are one lane's figures (docs/mirrors.md#status).
type DestinationStats struct {
	Name          string // "lastfm" or the mirror's name
	Type          string // the API it speaks: TypeLastFM or TypeListenBrainz
	Mirror        bool
	Skipped       int // plays it cannot take, skipped since start (ListenBrainz: before 2002-10-01)
	Pending       int
	Dead          int
	AnswerUnknown int
	LastSuccess   time.Time // the last answer recorded from the destination
	LastFailure   time.Time
	LastError     string
	NextAttempt   time.Time // earliest next attempt of a backing-off sender; zero if none
	KeyProblem    string    // the destination refused the key: every sender of the lane waits
	Lacks         []string  // methods the destination answered error 3 for
	Single        bool      // sends one scrobble per call (its batches failed)
}

// Stats is the journal's state for /v1/status and /metrics. Pending, Dead,
// AnswerUnknown and Results count every lane; KeyProblem is Last.fm's.
type Stats struct {
	Pending       int
	Dead          int
	AnswerUnknown int // items whose answer is unknown (AnswerUnknown)
	Results       int
	OldestPending time.Time // when the oldest item pending for Last.fm was journalled; zero if none
	NextAttempt   time.Time // earliest next attempt of a backing-off sender of Last.fm's; zero if none
	LastError     string
	KeyProblem    string
	// DiskProblem says the journal cannot write (a full disk) and what is
	// held in memory meanwhile; empty when every write went through.
	DiskProblem  string
	Accounts     []AccountStats     // by destination (lastfm first), then name
	Destinations []DestinationStats // "lastfm" first, then each mirror as configured
}

// Stats returns the current figures. It reads only memory and a few keys
// of the file, so /v1/status and /metrics may call it often.
func (j *Journal) Stats() Stats {
	now := j.now()
	var oldest time.Time
	today := map[sendKey]int{}
	_ = j.db.View(func(tx *bolt.Tx) error {
		if _, v := tx.Bucket(bItems).Cursor().First(); v != nil {
			if it, err := decodeItem(v); err == nil {
				oldest = it.Added
			}
		}
		day := now.UTC().Format(time.DateOnly)
		for _, ln := range j.lanes {
			err := tx.Bucket(ln.b.daily).ForEach(func(k, v []byte) error {
				var d daily
				if json.Unmarshal(v, &d) == nil && d.Day == day {
					today[sendKey{ln.name, string(k)}] = d.Accepted
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	j.mu.Lock()
	defer j.mu.Unlock()
	st := Stats{OldestPending: oldest, KeyProblem: j.lastfm().keyProblem}
	keys := map[sendKey]bool{}
	for k := range j.counts {
		keys[k] = true
	}
	for k := range today {
		keys[k] = true
	}
	flying := map[sendKey]int{}
	for _, f := range j.flights {
		flying[sendKey{f.lane, f.account}]++
	}
	dests := make([]DestinationStats, len(j.lanes))
	for i, ln := range j.lanes {
		d := &dests[i]
		d.Name, d.Type, d.Mirror, d.KeyProblem, d.LastSuccess, d.Single = ln.name, ln.Type(), ln.mirror, ln.keyProblem, ln.lastSuccess, ln.single
		d.Skipped = ln.skipped
		for m := range ln.lacks {
			d.Lacks = append(d.Lacks, m)
		}
		sort.Strings(d.Lacks)
		st.Results += ln.results
	}
	for k := range keys {
		i := slices.IndexFunc(j.lanes, func(ln *lane) bool { return ln.name == k.lane })
		if i < 0 {
			continue
		}
		d := &dests[i]
		c := j.countsFor(k.lane, k.account)
		a := AccountStats{AccountQueue: api.AccountQueue{Destination: k.lane, Account: k.account, Pending: c.pending, Dead: c.dead,
			AnswerUnknown: c.unsure, InFlight: flying[k], ScrobblesToday: today[k]},
			Sent: maps.Clone(c.sent)}
		if s := j.senders[k]; s != nil {
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
			if s.lastError != "" && s.lastErrAt.After(d.LastFailure) {
				d.LastFailure, d.LastError = s.lastErrAt, s.lastError
			}
		}
		if !a.NextAttempt.IsZero() && (d.NextAttempt.IsZero() || a.NextAttempt.Before(d.NextAttempt)) {
			d.NextAttempt = a.NextAttempt
		}
		d.Pending += c.pending
		d.Dead += c.dead
		d.AnswerUnknown += c.unsure
		st.Pending += c.pending
		st.Dead += c.dead
		st.AnswerUnknown += c.unsure
		st.Accounts = append(st.Accounts, a)
	}
	st.NextAttempt, st.LastError = dests[0].NextAttempt, dests[0].LastError
	if st.KeyProblem != "" {
		st.LastError = st.KeyProblem
	}
	st.Destinations = dests
	order := map[string]int{}
	for i, ln := range j.lanes {
		order[ln.name] = i
	}
	sort.Slice(st.Accounts, func(a, b int) bool {
		x, y := st.Accounts[a], st.Accounts[b]
		if x.Destination != y.Destination {
			return order[x.Destination] < order[y.Destination]
		}
		return x.Account < y.Account
	})
	return st
}

// Pending returns how many items of the account wait to be sent to
// Last.fm.
func (j *Journal) Pending(account string) int { return j.pending(j.lastfm(), account) }

// pending returns how many items of the account wait on the lane.
func (j *Journal) pending(ln *lane, account string) int {
	j.mu.Lock()
	defer j.mu.Unlock()
	if c := j.counts[sendKey{ln.name, account}]; c != nil {
		return c.pending
	}
	return 0
}

// List returns the GET /v1/queue document (declared once, in package
// api): per-account figures, then up to limit pending items in send order
// per account, and up to limit dead letters and items whose answer is
// unknown, oldest first (limit <= 0: 1000). For one lane (dest) its totals
// and key problem are that lane's, so that they add up to what it lists;
// for every lane ("") the totals count them all and the key problem is
// Last.fm's.
func (j *Journal) List(limit int, dest string) (api.Queue, error) {
	if limit <= 0 {
		limit = 1000
	}
	st := j.Stats()
	now := j.now()
	l := api.Queue{Pending: st.Pending, Dead: st.Dead, AnswerUnknown: st.AnswerUnknown, KeyProblem: st.KeyProblem,
		Accounts: []api.AccountQueue{}, Items: []api.QueueItem{}, DeadLetters: []api.QueueItem{}, Unsure: []api.QueueItem{}}
	for _, d := range st.Destinations {
		if d.Name == dest {
			l.Pending, l.Dead, l.AnswerUnknown, l.KeyProblem = d.Pending, d.Dead, d.AnswerUnknown, d.KeyProblem
		}
	}
	lanes, err := j.lanesNamed(dest)
	if err != nil {
		return api.Queue{}, apperr.New(apperr.Invalid, signer.ErrInvalidParams, "%v", err)
	}
	oldest := map[sendKey]time.Time{}
	err = j.db.View(func(tx *bolt.Tx) error {
		for _, ln := range lanes {
			if err := j.listLane(tx, ln, st.Accounts, limit, &l, oldest); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return api.Queue{}, fmt.Errorf("journal: reading %s: %w", j.path, err)
	}
	j.mu.Lock()
	for i := range l.Items {
		l.Items[i].InFlight = j.flights[laneID{l.Items[i].Destination, l.Items[i].ID}] != nil
	}
	j.mu.Unlock()
	for _, a := range st.Accounts {
		if dest != "" && a.Destination != dest {
			continue
		}
		q := a.AccountQueue
		if o, ok := oldest[sendKey{a.Destination, a.Account}]; ok {
			q.OldestPendingSeconds = int64(now.Sub(o) / time.Second)
		}
		l.Accounts = append(l.Accounts, q)
	}
	return l, nil
}

// listLane adds the lane's items to l: its pending items in send order per
// account, its dead letters and items whose answer is unknown, up to limit
// each in all; oldest gets when each account's oldest pending item came.
func (j *Journal) listLane(tx *bolt.Tx, ln *lane, accts []AccountStats, limit int, l *api.Queue, oldest map[sendKey]time.Time) error {
	err := forEachItem(tx.Bucket(ln.b.items), func(it *Item) error {
		k := sendKey{ln.name, it.Account}
		if o, ok := oldest[k]; !ok || it.Added.Before(o) {
			oldest[k] = it.Added
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, a := range accts {
		if a.Destination != ln.name {
			continue
		}
		pend, err := ln.pendingOf(tx, a.Account, false)
		if err != nil {
			return err
		}
		if pend == nil {
			continue
		}
		err = pend.each(nil, func(k []byte) (bool, error) {
			if len(l.Items) >= limit {
				l.Truncated = true
				return false, nil
			}
			it, err := ln.getItem(tx, ln.b.items, keyID(k))
			if err != nil {
				return false, err
			}
			if it != nil {
				l.Items = append(l.Items, it.Doc())
			}
			return true, nil
		})
		if err != nil {
			return err
		}
	}
	for _, list := range []struct {
		b   []byte
		out *[]api.QueueItem
	}{{ln.b.dead, &l.DeadLetters}, {ln.b.unsure, &l.Unsure}} {
		c := tx.Bucket(list.b).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(*list.out) >= limit {
				l.Truncated = true
				break
			}
			it, err := ln.decode(tx, v)
			if err != nil {
				return err
			}
			*list.out = append(*list.out, it.Doc())
		}
	}
	return nil
}

// ExportLine is one line of `lastfmd queue export`.
type ExportLine struct {
	State  State   `json:"state"`
	Item   *Item   `json:"item,omitempty"`
	Result *Result `json:"result,omitempty"`
}

// Lane is the lane the line is for: its item's or its result's, "lastfm"
// when it names none (Last.fm's lines, and every line of a journal before
// lanes).
func (l ExportLine) Lane() string {
	switch {
	case l.Item != nil:
		return laneName(l.Item.Lane)
	case l.Result != nil:
		return laneName(l.Result.Lane)
	}
	return laneName("")
}

// Export writes every pending item, dead letter, item whose answer is
// unknown and kept result of the lane dest ("" = every lane) as JSON
// lines (for backups), from one consistent read of the file. Each line
// names its lane (a mirror's; Last.fm's lines name none).
func (j *Journal) Export(w io.Writer, dest string) error {
	lanes, err := j.lanesNamed(dest)
	if err != nil {
		return apperr.New(apperr.Invalid, signer.ErrInvalidParams, "%v", err)
	}
	return j.db.View(func(tx *bolt.Tx) error {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, ln := range lanes {
			for _, b := range ln.held() {
				err := ln.forEach(tx, b.name, func(it *Item) error {
					it.Lane = ln.fileName()
					return enc.Encode(ExportLine{State: b.state, Item: it})
				})
				if err != nil {
					return err
				}
			}
			err := tx.Bucket(ln.b.results).ForEach(func(_, v []byte) error {
				r, err := decodeResult(v)
				if err != nil {
					return err
				}
				r.Lane = ln.fileName()
				return enc.Encode(ExportLine{State: Sent, Result: r})
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// goneResult says why an id is neither pending nor dead on any of lanes:
// "sent" when a destination's answer to it is still kept (there is nothing
// to retry or drop), else "unknown" (the result kept for an item dropped
// while the destination may have it is no answer: the item is simply
// gone).
func goneResult(tx *bolt.Tx, lanes []*lane, k []byte) string {
	for _, ln := range lanes {
		if v := tx.Bucket(ln.b.results).Get(k); v != nil {
			if r, err := decodeResult(v); err == nil && r.Status != StatusMaybe {
				return "sent"
			}
		}
	}
	return "unknown"
}
