package journal

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// SalvageReport says what Salvage saved and where.
type SalvageReport struct {
	Damaged  string // where the damaged file now is
	Export   string // every readable record, as `lastfmd queue export` lines
	Pending  int    // pending items carried into the new journal
	Dead     int    // dead letters carried over
	Results  int    // results carried over (they keep deduplication)
	Problems []string
}

// ErrNotDamaged is returned by Salvage for a journal that passes the check.
var ErrNotDamaged = errors.New("the journal is not damaged: nothing to salvage")

// Salvage rescues a damaged journal in dir, with no lastfmd running on it:
// it reads every record it can from the file's bucket tree (with plain
// reads, never mapping the file, skipping damaged pages), writes them all
// to journal-salvaged-TIME.jsonl, moves the file aside as
// journal.db.damaged-TIME and starts a new journal holding the pending
// items, dead letters and results that could be read (same ids). Freed
// pages are never read: they hold records already settled, and reviving
// them would send scrobbles twice.
func Salvage(dir string, now time.Time) (SalvageReport, error) {
	path := filepath.Join(dir, FileName)
	var rep SalvageReport
	if inUse(path) {
		return rep, fmt.Errorf("journal: %s is in use by a running lastfmd: stop it first (lastfmd stop)", path)
	}
	if _, err := os.Stat(path); err != nil {
		return rep, fmt.Errorf("journal: %w", err)
	}
	if err := CheckFile(path); err == nil {
		return rep, fmt.Errorf("journal: %s: %w", path, ErrNotDamaged)
	} else if !errors.As(err, new(*DamagedError)) {
		return rep, err
	}
	items, dead, results, problems := readDamaged(path)
	rep.Problems = problems
	stamp := now.UTC().Format("20060102T150405Z")
	rep.Export = filepath.Join(dir, "journal-salvaged-"+stamp+".jsonl")
	if err := writeSalvageExport(rep.Export, items, dead, results); err != nil {
		return rep, err
	}
	rep.Damaged = path + ".damaged-" + stamp
	if err := os.Rename(path, rep.Damaged); err != nil {
		return rep, fmt.Errorf("journal: cannot set %s aside: %w", path, err)
	}
	j, err := Open(Options{Dir: dir, Now: func() time.Time { return now }})
	if err != nil {
		return rep, err
	}
	if err := j.restore(items, dead, results); err != nil {
		j.Close()
		return rep, fmt.Errorf("journal: writing the new journal %s: %w (everything read is in %s)", path, err, rep.Export)
	}
	rep.Pending, rep.Dead, rep.Results = len(items), len(dead), len(results)
	return rep, j.Close()
}

// readDamaged reads what it can of the top-level buckets items, dead and
// results.
func readDamaged(path string) (items, dead []*Item, results []*Result, problems []string) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, nil, []string{err.Error()}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, nil, []string{err.Error()}
	}
	meta, err := latestMeta(f)
	if err != nil {
		return nil, nil, nil, []string{"nothing can be read: " + err.Error()}
	}
	bad := map[string]int{}
	w := &treeWalker{f: f, size: st.Size(), meta: meta, seen: map[uint64]bool{}, kv: func(bucket string, _, v []byte) {
		switch bucket {
		case string(bItems), string(bDead):
			it, err := decodeItem(v)
			if err != nil || it.ID == 0 || it.Account == "" || it.Method == "" {
				bad[bucket]++
				return
			}
			if bucket == string(bItems) {
				items = append(items, it)
			} else {
				dead = append(dead, it)
			}
		case string(bResults):
			r, err := decodeResult(v)
			if err != nil || r.ID == 0 {
				bad[bucket]++
				return
			}
			results = append(results, r)
		}
	}}
	_ = w.walkBucket("", meta.root, nil, 0)
	problems = w.problems
	for _, b := range []string{string(bItems), string(bDead), string(bResults)} {
		if bad[b] > 0 {
			problems = append(problems, fmt.Sprintf("%d records of %q could not be decoded", bad[b], b))
		}
	}
	byID := func(s []*Item) { sort.Slice(s, func(a, b int) bool { return s[a].ID < s[b].ID }) }
	byID(items)
	byID(dead)
	return items, dead, results, problems
}

func writeSalvageExport(path string, items, dead []*Item, results []*Result) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	bw := bufio.NewWriter(f)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, it := range items {
		_ = enc.Encode(ExportLine{State: Pending, Item: it})
	}
	for _, it := range dead {
		_ = enc.Encode(ExportLine{State: Dead, Item: it})
	}
	for _, r := range results {
		_ = enc.Encode(ExportLine{State: Sent, Result: r})
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("journal: writing %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("journal: writing %s: %w", path, err)
	}
	return f.Close()
}

// restore writes salvaged records into a new, empty journal, keeping their
// ids (the id sequence continues after the highest) and their
// deduplication entries.
func (j *Journal) restore(items, dead []*Item, results []*Result) error {
	var maxID uint64
	err := j.db.Update(func(tx *bolt.Tx) error {
		itemsB, deadB, resB, dedupB := tx.Bucket(bItems), tx.Bucket(bDead), tx.Bucket(bResults), tx.Bucket(bDedup)
		for _, it := range items {
			pend, err := tx.Bucket(bPending).CreateBucketIfNotExists([]byte(it.Account))
			if err != nil {
				return err
			}
			if err := putPending(itemsB, pend, it); err != nil {
				return err
			}
			if dk := itemDedupKey(it); dk != nil {
				if err := dedupB.Put(dk, idKey(it.ID)); err != nil {
					return err
				}
			}
			maxID = max(maxID, it.ID)
		}
		for _, it := range dead {
			if err := deadB.Put(idKey(it.ID), encode(it)); err != nil {
				return err
			}
			maxID = max(maxID, it.ID)
		}
		for _, r := range results {
			if err := resB.Put(idKey(r.ID), encode(r)); err != nil {
				return err
			}
			if r.Method == MethodScrobble {
				dk := dedupKey(r.Account, Scrobble{Artist: r.Artist, Track: r.Track, Timestamp: r.Timestamp})
				if dedupB.Get(dk) == nil {
					if err := dedupB.Put(dk, idKey(r.ID)); err != nil {
						return err
					}
				}
			}
			maxID = max(maxID, r.ID)
		}
		return itemsB.SetSequence(max(itemsB.Sequence(), maxID))
	})
	if err != nil {
		return err
	}
	return j.loadCounts()
}
