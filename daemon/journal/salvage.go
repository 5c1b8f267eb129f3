package journal

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lastfmd/lastfmd/daemon/accounts"

	"github.com/lastfmd/lastfmd/internal/durable"
)

// SalvageReport says what Salvage saved and where.
type SalvageReport struct {
	Damage        string // what the check found wrong with the file
	Damaged       string // where the damaged file is kept
	Export        string // every record saved, as `lastfmd queue export` lines
	Pending       int    // pending items carried into the new journal
	Dead          int    // dead letters carried over
	AnswerUnknown int    // items carried over as "sent, answer unknown"
	Results       int    // results carried over (they keep deduplication)
	// Each count is of records: an item on two lanes counts twice.
	// Lost counts the lanes' records whose play (its parameters) is on no
	// readable page: they are not carried over (Problems names them).
	Lost int
	// Problems name what could not be read: the pages of the newest tree
	// that are lost, and records that do not decode.
	Problems []string
	// Leftover is the temporary file of an earlier salvage that did not
	// finish, removed because the journal it would have replaced is not
	// damaged (ErrNotDamaged).
	Leftover string
}

// ErrNotDamaged is returned by Salvage for a journal that passes the check.
var ErrNotDamaged = errors.New("the journal is not damaged: nothing to salvage")

// Salvage rescues a damaged journal in dir, with no lastfmd running on it.
// It reads every record it can (salvage_read.go: with plain reads, never
// mapping the file; what it may believe of each page), writes what it
// saves to journal-salvaged-TIME.jsonl, and replaces the file with a new
// journal holding it, keeping the damaged one as journal.db.damaged-TIME.
//
// The steps are ordered so that a kill at any instant leaves either the
// damaged journal (salvage runs again) or the complete new one, never no
// journal.db, which a start would replace with an empty one
// (docs/journal.md): the new journal is built under a temporary name and
// fsynced; the damaged file gets its second name by a hard link; only then
// is the new file renamed over journal.db, and the directory fsynced.
// While the temporary file exists, Open refuses to start (salvageUnfinished).
func Salvage(dir string, now time.Time) (SalvageReport, error) {
	path := filepath.Join(dir, FileName)
	tmp := salvageTemp(path)
	var rep SalvageReport
	if inUse(path) {
		return rep, fmt.Errorf("journal: %s is in use by a running lastfmd: stop it first (lastfmd stop)", path)
	}
	if inUse(tmp) {
		return rep, fmt.Errorf("journal: %s is being salvaged by another `lastfmd queue salvage` (it holds %s): let it finish", path, tmp)
	}
	if _, err := os.Stat(path); err != nil {
		return rep, fmt.Errorf("journal: %w", err)
	}
	var dmg *DamagedError
	if err := CheckFile(path); err == nil {
		if os.Remove(tmp) == nil {
			rep.Leftover = tmp
		}
		return rep, fmt.Errorf("journal: %s: %w", path, ErrNotDamaged)
	} else if !errors.As(err, &dmg) {
		return rep, err
	}
	rep.Damage = dmg.Problem
	if err := os.Remove(tmp); err != nil && !errors.Is(err, os.ErrNotExist) {
		return rep, fmt.Errorf("journal: removing what an earlier salvage left: %w", err)
	}
	rec := readDamaged(path)
	rep.Problems = rec.problems
	stamp := now.UTC().Format("20060102T150405Z")
	rep.Export = filepath.Join(dir, "journal-salvaged-"+stamp+".jsonl")
	if err := writeSalvageExport(rep.Export, rec); err != nil {
		return rep, err
	}
	salvageStep(stepExported)
	if err := buildJournal(tmp, rec); err != nil {
		os.Remove(tmp)
		return rep, fmt.Errorf("journal: writing the new journal %s: %w (everything read is in %s)", tmp, err, rep.Export)
	}
	salvageStep(stepBuilt)
	var err error
	if rep.Damaged, err = keepDamaged(path, stamp); err != nil {
		os.Remove(tmp)
		return rep, err
	}
	salvageStep(stepKept)
	if err := os.Rename(tmp, path); err != nil {
		return rep, fmt.Errorf("journal: putting the new journal in place: %w (it is %s; run `lastfmd queue salvage` again)", err, tmp)
	}
	if err := durable.SyncDir(dir); err != nil {
		return rep, fmt.Errorf("journal: %s: %w", dir, err)
	}
	salvageStep(stepReplaced)
	rep.Pending, rep.Dead, rep.AnswerUnknown, rep.Results = len(rec.pending), len(rec.dead), len(rec.unsure), len(rec.results)
	rep.Lost = rec.lost
	return rep, nil
}

// buildJournal writes a new journal at path holding what was salvaged,
// and fsyncs it. Each lane salvaged gets its buckets, whether or not this
// lastfmd sends to it: a mirror left out of the configuration keeps its
// records for when it is back (Open keeps buckets it does not know).
func buildJournal(path string, rec salvaged) error {
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return err
	}
	j := &Journal{db: db, path: path, log: slog.New(slog.DiscardHandler), lanes: []*lane{newLane(Mirror{Name: accounts.LastFM})}}
	for _, name := range rec.lanes() {
		if name != accounts.LastFM {
			j.lanes = append(j.lanes, newLane(Mirror{Name: name}))
		}
	}
	err = j.initSchema()
	salvageStep(stepCreated)
	if err == nil {
		err = j.restore(rec)
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = durable.SyncFile(path)
	}
	return err
}

// lanes lists the lanes the salvaged records are on, sorted.
func (rec salvaged) lanes() []string {
	set := map[string]bool{}
	for _, list := range [][]*Item{rec.pending, rec.dead, rec.unsure} {
		for _, it := range list {
			set[laneName(it.Lane)] = true
		}
	}
	for _, r := range rec.results {
		set[laneName(r.Lane)] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// restore writes salvaged records into a new, empty journal, each into
// its lane, keeping their ids (the id sequence continues after the
// highest) and the deduplication entries their states keep, per lane: a
// pending item's, one whose answer is unknown, a scrobble's result and a
// dead letter the destination may have (settle.go, bury). Each play is
// written once, however many lanes hold it (lane.putItem). Keys go in in
// order: bbolt fills pages in key order far faster than at random
// (100,000 items: 3 s at random).
func (j *Journal) restore(rec salvaged) error {
	type laneRestore struct {
		ln    *lane
		order []*Item           // pending, in send order
		dedup map[string]uint64 // deduplication key -> id
	}
	lanes := map[string]*laneRestore{}
	for _, ln := range j.lanes {
		lanes[ln.name] = &laneRestore{ln: ln, dedup: map[string]uint64{}}
	}
	// A pending item's entry goes first, as Submit would have found it
	// first; the others only fill what is left.
	claim := func(lane string, dk []byte, id uint64) {
		dedup := lanes[laneName(lane)].dedup
		if _, taken := dedup[string(dk)]; dk != nil && !taken {
			dedup[string(dk)] = id
		}
	}
	type put struct {
		ln *lane
		b  []byte
		it *Item
	}
	var puts []put
	var maxID uint64
	for _, list := range []struct {
		items []*Item
		state State
	}{{rec.pending, Pending}, {rec.unsure, AnswerUnknown}, {rec.dead, Dead}} {
		for _, it := range list.items {
			lr := lanes[laneName(it.Lane)]
			b := lr.ln.b.items
			switch list.state {
			case Pending:
				lr.order = append(lr.order, it)
			case AnswerUnknown:
				b = lr.ln.b.unsure
			default:
				b = lr.ln.b.dead
			}
			if list.state != Dead || it.MaybeSent {
				claim(it.Lane, itemDedupKey(it), it.ID)
			}
			puts = append(puts, put{lr.ln, b, it})
			maxID = max(maxID, it.ID)
		}
	}
	for _, r := range rec.results {
		if r.Method == MethodScrobble {
			claim(r.Lane, resultDedupKey(r), r.ID)
		}
		maxID = max(maxID, r.ID)
	}
	// In id order, each bucket, plays included, gets its keys in order.
	sort.SliceStable(puts, func(a, b int) bool { return puts[a].it.ID < puts[b].it.ID })
	for _, lr := range lanes {
		sort.Slice(lr.order, func(a, b int) bool {
			x, y := lr.order[a], lr.order[b]
			if x.Account != y.Account {
				return x.Account < y.Account
			}
			return bytes.Compare(pendingKey(x), pendingKey(y)) < 0
		})
	}
	return j.db.Update(func(tx *bolt.Tx) error {
		for _, p := range puts {
			if err := p.ln.putItem(tx, p.b, p.it); err != nil {
				return err
			}
		}
		for _, r := range rec.results {
			if err := tx.Bucket(lanes[laneName(r.Lane)].ln.b.results).Put(idKey(r.ID), encode(r)); err != nil {
				return err
			}
		}
		for _, ln := range j.lanes {
			lr := lanes[ln.name]
			for _, it := range lr.order {
				pend, err := ln.pendingOf(tx, it.Account, true)
				if err != nil {
					return err
				}
				if err := pend.Put(pendingKey(it)); err != nil {
					return err
				}
			}
			dedupB := ln.dedup(tx)
			for _, k := range slices.Sorted(maps.Keys(lr.dedup)) {
				if err := dedupB.Put([]byte(k), idKey(lr.dedup[k])); err != nil {
					return err
				}
			}
		}
		itemsB := tx.Bucket(bItems)
		return itemsB.SetSequence(max(itemsB.Sequence(), maxID))
	})
}

// resultDedupKey is the deduplication key a scrobble's result keeps.
func resultDedupKey(r *Result) []byte {
	return dedupKey(r.Account, Scrobble{Artist: r.Artist, Track: r.Track, Timestamp: r.Timestamp})
}
