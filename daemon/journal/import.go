package journal

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lastfmd/lastfmd/api"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/signer"
)

// ImportReport is what Import added: the queue document's
// api.QueueImported.
type ImportReport = api.QueueImported

// Import journals the lines of a `lastfmd queue export` or salvage file
// (ParseExportLine checked them), so that such a file is never a dead end
// (docs/journal.md#lastfmd-queue-import):
//   - a pending item comes back pending, with a new id, and is sent;
//   - a dead letter stays dead, an item whose answer is unknown stays so;
//   - a kept result only restores the deduplication of its scrobble, for
//     the rest of the results window: nothing is sent for it.
//
// It is idempotent: a line whose item the journal holds already adds
// nothing (a scrobble by its deduplication key, pending, sent, dead or
// answer unknown; a love or tag write by its account, method and
// parameters), so importing a file twice adds nothing the second time.
// Where one scrobble has several lines, the most settled wins: sent, then
// answer unknown, then pending, then dead.
//
// Import only adds records: it takes no item out of pending, which salvage
// relies on (onlyAdded).
//
// dest ("" = every line) keeps only the lines of that lane; the others are
// left out and counted nowhere. A dest that is no lane is refused, as the
// other operator actions refuse it.
func (j *Journal) Import(lines []ExportLine, dest string) (ImportReport, error) {
	if err := j.Healthy(); err != nil {
		return ImportReport{}, apperr.New(apperr.Unavailable, signer.ErrTemporary, "%v", err)
	}
	if dest != "" {
		if _, err := j.lanesNamed(dest); err != nil {
			return ImportReport{}, apperr.New(apperr.Invalid, signer.ErrInvalidParams, "%v", err)
		}
		lines = slices.DeleteFunc(slices.Clone(lines), func(l ExportLine) bool { return l.Lane() != dest })
	}
	order := make([]ExportLine, len(lines))
	copy(order, lines)
	rank := map[State]int{Sent: 0, AnswerUnknown: 1, Pending: 2, Dead: 3}
	sort.SliceStable(order, func(a, b int) bool { return rank[order[a].State] < rank[order[b].State] })
	cutoff := j.now().Add(-j.tune.ResultsMaxAge)
	var im *importer
	err := j.db.Update(func(tx *bolt.Tx) error {
		im = &importer{j: j, tx: tx, lanes: map[string]*laneImport{}, ids: map[string]uint64{}}
		for _, l := range order {
			if err := im.add(l, cutoff); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return ImportReport{}, fmt.Errorf("journal: cannot commit to %s: %w", j.path, err)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, li := range im.lanes {
		li.ln.results += li.results
	}
	for _, a := range im.accounts {
		c := j.countsFor(a.ln.name, a.account)
		switch a.state {
		case Pending:
			c.pending++
			j.senderLocked(a.ln, a.account).wake()
		case Dead:
			c.dead++
		case AnswerUnknown:
			c.unsure++
		}
	}
	return im.rep, nil
}

// importer is one Import's transaction.
type importer struct {
	j        *Journal
	tx       *bolt.Tx
	rep      ImportReport
	lanes    map[string]*laneImport
	ids      map[string]uint64 // the play id given to each account's importKey: one play, whatever lanes take it
	accounts []struct {
		ln      *lane
		account string
		state   State
	}
}

// laneImport is one lane's part of an import.
type laneImport struct {
	ln      *lane
	dedup   *dedupBucket
	held    map[string]bool // importKey of every item the lane held (has)
	added   map[string]bool // importKey of every line this import added to the lane
	results int
}

// lane is the lane a line names (Item.Lane, Result.Lane: "" is Last.fm's);
// nil when this lastfmd does not send to it (a mirror not configured).
func (im *importer) lane(name string) *laneImport {
	ln := im.j.lane(laneName(name))
	if ln == nil {
		im.rep.Skipped++
		return nil
	}
	li := im.lanes[ln.name]
	if li == nil {
		li = &laneImport{ln: ln, dedup: ln.dedup(im.tx), added: map[string]bool{}}
		im.lanes[ln.name] = li
	}
	return li
}

func (im *importer) add(l ExportLine, cutoff time.Time) error {
	if l.State == Sent {
		return im.result(l.Result, cutoff)
	}
	li := im.lane(l.Item.Lane)
	if li == nil {
		return nil
	}
	key := importKey(l.Item)
	id, err := im.newID(li, key)
	if err != nil || id == 0 {
		return err
	}
	it := *l.Item
	it.ID = id
	ln := li.ln
	entry := it.Method != MethodScrobble // a write's entry is the import's own
	switch l.State {
	case Pending:
		it.Reason, it.Died, it.Attempts, it.LastError = "", time.Time{}, 0, ""
		if err := ln.putPending(im.tx, &it); err != nil {
			return err
		}
		entry = true
		im.rep.Pending++
	case Dead:
		if err := ln.putItem(im.tx, ln.b.dead, &it); err != nil {
			return err
		}
		entry = entry || it.MaybeSent // as bury keeps it
		im.rep.Dead++
	default:
		if err := ln.putItem(im.tx, ln.b.unsure, &it); err != nil {
			return err
		}
		entry = true
		im.rep.AnswerUnknown++
	}
	if entry {
		if err := li.dedup.Put(key, idKey(id)); err != nil {
			return err
		}
	}
	li.added[string(key)] = true
	im.accounts = append(im.accounts, struct {
		ln      *lane
		account string
		state   State
	}{ln, it.Account, l.State})
	return nil
}

// result restores a kept result's deduplication, under a new id. A write's
// result, or one older than the results window, has none to restore.
func (im *importer) result(r *Result, cutoff time.Time) error {
	if r.Method != MethodScrobble || r.Sent.Before(cutoff) {
		im.rep.Unchanged++
		return nil
	}
	li := im.lane(r.Lane)
	if li == nil {
		return nil
	}
	key := resultDedupKey(r)
	id, err := im.newID(li, key)
	if err != nil || id == 0 {
		return err
	}
	kept := *r
	kept.ID = id
	if err := im.tx.Bucket(li.ln.b.results).Put(idKey(id), encode(&kept)); err != nil {
		return err
	}
	if err := li.dedup.Put(key, idKey(id)); err != nil {
		return err
	}
	li.added[string(key)] = true
	li.results++
	im.rep.Results++
	return nil
}

// newID takes an id for what key names on the lane, or 0 when the lane
// holds it already (counted as unchanged). The same play imported to
// several lanes gets one id, so its params are stored once.
func (im *importer) newID(li *laneImport, key []byte) (uint64, error) {
	if im.has(li, key) {
		im.rep.Unchanged++
		return 0, nil
	}
	if id, ok := im.ids[string(key)]; ok {
		return id, nil
	}
	id, err := im.j.nextID(im.tx)
	im.ids[string(key)] = id
	return id, err
}

// has reports whether the lane holds what key names: a live deduplication
// entry, an item (a dead letter keeps no entry of its own), or a line this
// import added.
func (im *importer) has(li *laneImport, key []byte) bool {
	if v := li.dedup.Get(key); v != nil && li.ln.liveDedup(im.tx, v) {
		return true
	}
	if li.added[string(key)] {
		return true
	}
	if li.held == nil {
		li.held = map[string]bool{}
		for _, b := range li.ln.held() {
			_ = li.ln.forEach(im.tx, b.name, func(it *Item) error {
				li.held[string(importKey(it))] = true
				return nil
			})
		}
	}
	return li.held[string(key)]
}

// importKey names what an item is for Import's "already there": a
// scrobble's deduplication key, or a write's key (writeKey).
func importKey(it *Item) []byte {
	if dk := itemDedupKey(it); dk != nil {
		return dk
	}
	return writeKey(it)
}

// writeKey names a love or tag write by its account, method and
// parameters. It lives in the deduplication bucket beside the scrobbles'
// keys, for imported writes only: importing one again once it was sent
// (while its result is kept) adds nothing. Its first byte, 0xFF, is never
// a scrobble key's, whose first byte is the length of an account name (at
// most 64), so the two never meet.
func writeKey(it *Item) []byte {
	names := make([]string, 0, len(it.Params))
	for k := range it.Params {
		names = append(names, k)
	}
	sort.Strings(names)
	k := []byte{0xFF}
	field := func(s string) {
		k = binary.AppendUvarint(k, uint64(len(s)))
		k = append(k, s...)
	}
	field(it.Account)
	field(it.Method)
	for _, n := range names {
		field(n)
		field(it.Params[n])
	}
	return k
}
