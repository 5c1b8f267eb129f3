package journal

import (
	"errors"
	"fmt"
	"maps"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/listenbrainz"
	"github.com/lastfmd/lastfmd/signer"
)

// Ticket is a submitted item's place in the journal.
type Ticket struct {
	// ID is the item's id on the lane "lastfm"; 0 when it is not
	// journalled for Last.fm (Ignored says why).
	ID        uint64
	Duplicate bool // the same scrobble was already pending or recently sent to Last.fm: not journalled again
	// Ignored is the ignore code lastfmd answers for Last.fm when the item
	// is not journalled for it: signer.IgnoredTooOld (older than
	// scrobble.max_age) or signer.IgnoredTooNew.
	Ignored int
	// Mirrors is each mirror's state for the item (docs/mirrors.md):
	// MirrorQueued, MirrorDuplicate, or why it is not sent there.
	Mirrors map[string]string
	// Imported: SubmitImport found the play in the import ledger (fed by
	// an earlier import): nothing was journalled.
	Imported bool
}

// A mirror's state for a submitted scrobble (Ticket.Mirrors).
const (
	MirrorQueued     = "queued"
	MirrorDuplicate  = "duplicate"
	MirrorTooOld     = "skipped: too old"
	MirrorTooNew     = "skipped: too new"
	MirrorNoSession  = "not signed in"
	mirrorLacksScrob = "skipped: the service lacks track.scrobble"
)

// ErrClosed is returned for submissions after Close.
var ErrClosed = errors.New("journal: closed (lastfmd is stopping)")

// route says whether the lane takes a scrobble of acct at now: "" when it
// does, else the state that says why not (a mirror's) or, for Last.fm, the
// ignore code's state. Each lane applies its own rules: its age limit, the
// account's session there, the methods it lacks.
func (j *Journal) route(ln *lane, acct accounts.Account, known bool, sc Scrobble, now time.Time) (string, int) {
	switch code := signer.ScrobbleAge(sc.Timestamp, now, ln.maxAge); code {
	case signer.IgnoredTooOld:
		return MirrorTooOld, code
	case signer.IgnoredTooNew:
		return MirrorTooNew, code
	}
	if !ln.mirror {
		return "", 0 // an account that must sign in again still gets its scrobbles journalled
	}
	if ln.lb != nil && listenbrainz.TooOld(sc.Timestamp) {
		j.mu.Lock()
		ln.skipped++ // counted: status shows it
		j.mu.Unlock()
		return MirrorTooOld, signer.IgnoredTooOld
	}
	if _, _, ok := ln.sessionKey(acct); !known || !ok {
		return MirrorNoSession, 0
	}
	j.mu.Lock()
	lacks := ln.lackingLocked(MethodScrobble)
	j.mu.Unlock()
	if lacks {
		return mirrorLacksScrob, 0
	}
	return "", 0
}

// Submit journals scrobbles for account on every lane that takes them
// (route) and returns once they are committed and fsynced: one play
// record each, and each lane's record of it, in one transaction.
// Concurrent submissions share one commit (bbolt's DB.Batch). A scrobble
// a lane already has pending or sent within its results window (same
// account, artist, track and timestamp) is not journalled on that lane
// again; the ticket names Last.fm's first one. On error nothing of the
// submission is in the journal.
func (j *Journal) Submit(account string, items []Scrobble) ([]Ticket, error) {
	return j.submit(account, items, false)
}

// SubmitImport is Submit for plays an import feeds (`lastfmd import`,
// docs/importing.md): a play the import ledger holds (ledger.go) was fed
// by an earlier import and is not journalled again, whatever the journal
// kept of it since; every play committed on a lane, or found a duplicate
// there, enters the ledger in the same transaction.
func (j *Journal) SubmitImport(account string, items []Scrobble) ([]Ticket, error) {
	return j.submit(account, items, true)
}

func (j *Journal) submit(account string, items []Scrobble, imported bool) ([]Ticket, error) {
	if err := j.Healthy(); err != nil {
		return nil, ErrClosed
	}
	now := j.now().UTC()
	acct, known := accounts.Account{}, false
	if j.accounts != nil {
		acct, known = j.accounts.Get(account)
	}
	// Each item's lanes, decided before the transaction: they depend on
	// the clock and the session store, not on the file.
	routes := make([][]string, len(items)) // per item, per lane: "" = take it
	base := make([]Ticket, len(items))
	any := false
	for i, sc := range items {
		routes[i] = make([]string, len(j.lanes))
		for l, ln := range j.lanes {
			why, code := j.route(ln, acct, known, sc, now)
			routes[i][l] = why
			if why == "" {
				any = true
			} else if !ln.mirror {
				base[i].Ignored = code
			}
			if ln.mirror {
				if base[i].Mirrors == nil {
					base[i].Mirrors = map[string]string{}
				}
				base[i].Mirrors[ln.name] = why
			}
		}
	}
	if !any && !imported {
		return base, nil // nothing to write: no commit, no fsync
	}
	// What the transaction writes is encoded before it, so that the
	// writer's lock is held for the writes alone: each play once, and its
	// record on each lane taking it, both with an id to fill in (withID).
	type prepared struct {
		dk   []byte
		play []byte
		recs [][]byte // per lane; nil when the lane does not take it
	}
	prep := make([]prepared, len(items))
	for i, sc := range items {
		p := prepared{dk: dedupKey(account, sc), recs: make([][]byte, len(j.lanes))}
		params := maps.Clone(sc.Params)
		for l, ln := range j.lanes {
			if routes[i][l] != "" {
				continue
			}
			if p.play == nil {
				p.play = encode(&Item{Account: account, Method: MethodScrobble, Params: params, Timestamp: sc.Timestamp, Added: now})
			}
			p.recs[l] = encode(&Item{Account: account, Method: MethodScrobble, Timestamp: sc.Timestamp, Added: now, Lane: ln.fileName()})
		}
		prep[i] = p
	}
	hook := j.hook()
	var tickets []Ticket
	var added []int // per lane
	// The function may run more than once (DB.Batch retries a failed
	// batch member alone), so it rebuilds its outputs from scratch.
	err := j.db.Batch(func(tx *bolt.Tx) error {
		tickets, added = make([]Ticket, len(items)), make([]int, len(j.lanes))
		ledger := tx.Bucket(bLedger)
		for i, sc := range items {
			t := base[i]
			t.Mirrors = maps.Clone(base[i].Mirrors)
			var lk []byte
			if imported {
				lk = ledgerKey(account, sc)
				if ledger.Get(lk) != nil {
					tickets[i] = Ticket{Imported: true, Duplicate: true}
					continue
				}
			}
			fed := false  // committed or found on a lane: the ledger keeps it
			var id uint64 // the play's id, once one lane takes it
			for l, ln := range j.lanes {
				if routes[i][l] != "" {
					continue
				}
				dk := prep[i].dk
				if v := ln.dedup(tx).Get(dk); v != nil && ln.liveDedup(tx, v) {
					fed = true
					if ln.mirror {
						t.Mirrors[ln.name] = MirrorDuplicate
					} else {
						t.ID, t.Duplicate = keyID(v), true
					}
					continue
				}
				if id == 0 {
					var err error
					if id, err = j.nextID(tx); err != nil {
						return err
					}
					if err := tx.Bucket(bPlays).Put(idKey(id), withID(prep[i].play, id)); err != nil {
						return err
					}
				}
				if err := ln.putPendingRecord(tx, account, pendingKey(&Item{ID: id, Method: MethodScrobble, Timestamp: sc.Timestamp}),
					id, withID(prep[i].recs[l], id)); err != nil {
					return err
				}
				if err := ln.dedup(tx).Put(dk, idKey(id)); err != nil {
					return err
				}
				added[l]++
				fed = true
				if ln.mirror {
					t.Mirrors[ln.name] = MirrorQueued
				} else {
					t.ID = id
				}
			}
			if imported && fed {
				if err := ledger.Put(lk, ledgerValue(now)); err != nil {
					return err
				}
			}
			tickets[i] = t
		}
		if imported {
			if err := j.pruneLedger(tx, now); err != nil {
				return err
			}
		}
		if hook != nil {
			return hook()
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("journal: cannot commit to %s: %w", j.path, err)
	}
	j.foreground()
	j.mu.Lock()
	for l, n := range added {
		if n > 0 {
			j.countsFor(j.lanes[l].name, account).pending += n
			j.senderLocked(j.lanes[l], account).wake()
		}
	}
	j.mu.Unlock()
	return tickets, nil
}

// nextID is a new play's id: the sequence of the lane "lastfm"'s items,
// which every id since the first journal came from.
func (j *Journal) nextID(tx *bolt.Tx) (uint64, error) {
	return tx.Bucket(bItems).NextSequence()
}

// Enqueue journals one idempotent write (track.love, track.unlove,
// *.addTags, *.removeTag) that could not reach Last.fm; the account's
// sender replays it. params must not hold sk, api_key or api_sig.
func (j *Journal) Enqueue(account, method string, params map[string]string) (uint64, error) {
	id, _, err := j.enqueue(j.lastfm(), account, method, params, nil)
	return id, err
}

// enqueue journals one idempotent write, in one transaction with the
// check when (nil: always) that decides whether it is journalled at all
// (EnqueueBehind's, order.go).
func (j *Journal) enqueue(ln *lane, account, method string, params map[string]string, when func(tx *bolt.Tx) (bool, error)) (uint64, bool, error) {
	if err := j.Healthy(); err != nil {
		return 0, false, ErrClosed
	}
	now := j.now().UTC()
	hook := j.hook()
	clean := callParams(params)
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
		var err error
		if id, err = j.nextID(tx); err != nil {
			return err
		}
		if err := ln.putPending(tx, &Item{ID: id, Account: account, Method: method, Params: clean, Added: now}); err != nil {
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
	j.foreground()
	j.mu.Lock()
	j.countsFor(ln.name, account).pending++
	j.senderLocked(ln, account).wake()
	j.mu.Unlock()
	return id, true, nil
}

// callParams are a write's parameters as the journal keeps them: the
// call's own, without what lastfmd adds when it sends (sk, api_key,
// api_sig, method) or what only shaped the caller's answer (format,
// callback).
func callParams(params map[string]string) map[string]string {
	p := maps.Clone(params)
	for _, k := range []string{"sk", "api_key", "api_sig", "format", "callback", "method"} {
		delete(p, k)
	}
	return p
}

// putPendingRecord stores a lane's record rec of the play id (its play
// already in plays) as pending, at pk in account's send order.
func (ln *lane) putPendingRecord(tx *bolt.Tx, account string, pk []byte, id uint64, rec []byte) error {
	pend, err := ln.pendingOf(tx, account, true)
	if err != nil {
		return err
	}
	if err := tx.Bucket(ln.b.items).Put(idKey(id), rec); err != nil {
		return err
	}
	return pend.Put(pk)
}

// putPending stores it as pending on the lane, in its account's send order.
func (ln *lane) putPending(tx *bolt.Tx, it *Item) error {
	pend, err := ln.pendingOf(tx, it.Account, true)
	if err != nil {
		return err
	}
	if err := ln.putItem(tx, ln.b.items, it); err != nil {
		return err
	}
	return pend.Put(pendingKey(it))
}
