package journal

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"sort"
)

// What salvage may believe of a damaged file (docs/journal.md, "What
// salvage believes").
//
// bbolt never writes over a page in use. A transaction writes the pages it
// changes to free pages or past the end of the file, then the meta page
// naming the new tree; the pages it replaced become free, to be reused
// from the next transaction on. So the file holds the newest tree (meta
// cur, transaction T), intact wherever it is not damaged; the tree before
// it (meta prev, T-1), whose replaced pages only T freed; and, in free
// pages, copies of older trees' pages. Pages carry no transaction id: a
// page found outside a tree tells nothing of when it was written, and a
// pending item on it may have been sent and settled since.
//
// A page shows the state at T (it is "live") when:
//   - it is reached from cur's root;
//   - it lies between prev's and cur's high-water marks: T grew the file
//     there, so T wrote it, and nothing wrote after T;
//   - it is a page of prev's tree that cur's free-page list does not name:
//     T did not replace it;
//   - it is a page of prev's tree and T only added items (onlyAdded);
//   - it is reached from a live page.
//
// Any other page is "stale": it may be out of date. Each id then takes one
// state (decide):
//  1. a result: sent. Only Last.fm's answer (or a drop of an item it may
//     have) writes one, and nothing moves an item back from sent;
//  2. a copy on a live page: its state at T;
//  3. when cur's items, dead and unsure buckets were all read whole, T's
//     state is known and a record seen only on stale pages is history (it
//     was sent, dropped, pruned or retried since): left out;
//  4. else a stale dead or answer-unknown copy keeps that state, and a
//     stale pending copy becomes answer unknown, never pending: it may have
//     been sent and its answer written on a page that is lost.

// salvaged is what salvage carries into the new journal.
type salvaged struct {
	pending, dead, unsure []*Item
	results               []*Result
	problems              []string // what could not be read, naming the pages
}

// Where an item copy was found, by the bucket it belongs to.
const (
	asPending = iota
	asDead
	asUnsure
	asKinds
)

// sighting is everything the file shows of one id.
type sighting struct {
	result      *Result
	resultLive  bool
	live, stale [asKinds]*Item
	maybeSent   bool // some copy says Last.fm may have it (never cleared, so any copy counts)
}

// pendingKeyLen is the length of a send-order key (pendingKey).
var pendingKeyLen = len(pendingKey(&Item{}))

// unsureReason is the reason an item salvage could not place carries.
const unsureReason = "salvage found it only in an out-of-date part of the damaged journal: it may have been sent since, and the answer is lost"

// damagedReader collects the sightings of every readable record.
type damagedReader struct {
	ids         map[uint64]*sighting
	undecodable map[string]int // records of the newest tree's buckets that do not decode
	newest      uint64         // the highest item id a live page names
}

// readDamaged reads every record it can of the damaged file at path, with
// plain reads, and decides each id's state by the rules above.
func readDamaged(path string) salvaged {
	f, err := os.Open(path)
	if err != nil {
		return salvaged{problems: []string{err.Error()}}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return salvaged{problems: []string{err.Error()}}
	}
	r := &damagedReader{ids: map[uint64]*sighting{}, undecodable: map[string]int{}}
	problems, complete := r.read(f, st.Size())
	out := r.decide(complete)
	for _, b := range []string{string(bItems), string(bDead), string(bUnsure), string(bResults)} {
		if n := r.undecodable[b]; n > 0 {
			problems = append(problems, fmt.Sprintf("%d records of %q could not be decoded", n, b))
		}
	}
	out.problems = problems
	return out
}

// read walks the file in four passes, sharing the set of pages read so
// that each page is read once, by the pass that can say the most of it:
// cur's tree, the pages T grew the file by, prev's tree, then every other
// page. Only the first pass's problems are reported: the others look at
// pages that may hold anything. complete says cur's items, dead and unsure
// buckets were read whole.
func (r *damagedReader) read(f io.ReaderAt, size int64) (problems []string, complete bool) {
	cur, prev, metaErr := bothMetas(f)
	var live func(page uint64) bool
	named := false
	w := &treeWalker{f: f, size: size, done: map[uint64]bool{}, lostIn: map[string]int{}, seq: map[string]uint64{}}
	w.kv = func(bucket string, page uint64, k, v []byte) { r.see(bucket, named, k, v, live(page)) }
	walk := func(meta boltMeta, isLive func(uint64) bool, isNamed bool, f func()) {
		w.meta, live, named, w.seen = meta, isLive, isNamed, map[uint64]bool{}
		f()
	}
	always := func(uint64) bool { return true }
	if metaErr != nil {
		problems = append(problems, "its header pages cannot be used: "+metaErr.Error()+"; every page was read instead")
	} else {
		walk(cur, always, true, func() { _ = w.walkBucket("", cur.root, nil, 0, 0) })
		problems = append(problems, w.problems...)
		inBuckets := 0
		for _, n := range w.lostIn {
			inBuckets += n
		}
		complete = len(w.problems) == inBuckets && w.lostIn[string(bItems)] == 0 &&
			w.lostIn[string(bDead)] == 0 && w.lostIn[string(bUnsure)] == 0
	}
	if metaErr == nil && prev != nil && prev.txid+1 == cur.txid && prev.hwm <= cur.hwm {
		curSeq, curSeqRead := w.seq[string(bItems)]
		var free map[uint64]bool // T's free-page list: it names the pages of prev's tree T replaced
		walk(cur, always, false, func() {
			free, _ = w.freePages()
			for id := prev.hwm; id < cur.hwm; id++ {
				if !w.done[id] {
					_ = w.walkFrom(id)
				}
			}
		})
		added := onlyAdded(topSequences(f, size, *prev), curSeq, curSeqRead, r.newest)
		kept := func(page uint64) bool { return added || free != nil && !free[page] }
		walk(*prev, kept, true, func() { _ = w.walkBucket("", prev.root, nil, 0, 0) })
	}
	ps := cur.pageSize
	if metaErr != nil {
		ps = guessPageSize(f, size)
	}
	if ps == 0 {
		return problems, complete
	}
	pages := uint64(size) / uint64(ps)
	w.leafOnly = true
	walk(boltMeta{pageSize: ps, hwm: pages}, func(uint64) bool { return false }, false, func() {
		for id := uint64(2); id < pages; id++ {
			if !w.done[id] {
				_ = w.walkFrom(id)
			}
		}
	})
	return problems, complete
}

// onlyAdded reports whether transaction T, the last one, created items: its
// items sequence (curSeq, when cur's root page could be read) is past
// prev's, or a live page names an item id past it (newest). A transaction
// that creates items only adds records (Submit, enqueue and Import: the
// only ones that take a new id, TestOnlyAddingTransactionsTakeIDs); it
// takes no item out of pending. Then every pending item of prev's tree is
// still pending at T, whether or not T freed the page that holds it.
func onlyAdded(prevSeqs map[string]uint64, curSeq uint64, curSeqRead bool, newest uint64) bool {
	prevSeq, ok := prevSeqs[string(bItems)]
	if !ok {
		return false
	}
	return curSeqRead && curSeq > prevSeq || newest > prevSeq
}

// topSequences reads the sequences of the top-level buckets from the
// root page of meta's tree.
func topSequences(f io.ReaderAt, size int64, meta boltMeta) map[string]uint64 {
	w := &treeWalker{f: f, size: size, meta: meta, seen: map[uint64]bool{}, leafOnly: true, seq: map[string]uint64{}}
	_ = w.walkFrom(meta.root)
	return w.seq
}

// guessPageSize finds the page size of a file without a valid meta page:
// the one at which the most pages carry their own number. 0: none does.
func guessPageSize(f io.ReaderAt, size int64) uint32 {
	var best uint32
	bestN := 0
	head := make([]byte, pageHeaderSize)
	for _, ps := range pageSizes {
		n := 0
		for id := int64(2); id < 66 && (id+1)*int64(ps) <= size; id++ {
			if _, err := f.ReadAt(head, id*int64(ps)); err == nil && le.Uint64(head) == uint64(id) {
				n++
			}
		}
		if n > bestN {
			best, bestN = ps, n
		}
	}
	return best
}

// see records one key/value the walk read. In a named walk (from a meta's
// root) the bucket says what the record is; in the others it is told by
// its content: an item's JSON has "params" (a dead letter's also a reason
// and the time it died, one whose answer is unknown a reason only), a
// result's a "status". A live page's deduplication entry (an 8-byte id)
// and send-order key (ending in the id) count towards the newest id.
func (r *damagedReader) see(bucket string, named bool, k, v []byte, live bool) {
	kind := -1
	isResult := false
	switch {
	case named && bucket == string(bItems):
		kind = asPending
	case named && bucket == string(bDead):
		kind = asDead
	case named && bucket == string(bUnsure):
		kind = asUnsure
	case named && bucket == string(bResults):
		isResult = true
	case len(v) == 8 && (!named || bucket == string(bDedup)):
		r.newestIs(binary.BigEndian.Uint64(v), live)
		return
	case len(k) == pendingKeyLen && len(v) == 0 && (k[0] == prefixWrite || k[0] == prefixScrobble):
		r.newestIs(keyID(k), live)
		return
	case named || len(k) != 8:
		return
	case bytes.Contains(v, []byte(`"params":`)):
		kind = -2 // by content, once decoded
	case bytes.Contains(v, []byte(`"status":`)):
		isResult = true
	default:
		return
	}
	if isResult {
		res, err := decodeResult(v)
		if err != nil || res.ID == 0 || res.Account == "" || (!named && res.ID != keyID(k)) {
			r.undecodableIn(bucket, named, live)
			return
		}
		r.newestIs(res.ID, live)
		s := r.sighting(res.ID)
		if s.result == nil || live && !s.resultLive {
			s.result, s.resultLive = res, live
		}
		return
	}
	it, err := decodeItem(v)
	if err != nil || it.ID == 0 || it.Account == "" || it.Method == "" || (!named && it.ID != keyID(k)) {
		r.undecodableIn(bucket, named, live)
		return
	}
	if kind == -2 {
		switch {
		case it.Reason == "":
			kind = asPending
		case !it.Died.IsZero():
			kind = asDead
		default:
			kind = asUnsure
		}
	}
	r.newestIs(it.ID, live)
	s := r.sighting(it.ID)
	s.maybeSent = s.maybeSent || it.MaybeSent
	copies := &s.stale
	if live {
		copies = &s.live
	}
	if copies[kind] == nil {
		copies[kind] = it
	}
}

func (r *damagedReader) newestIs(id uint64, live bool) {
	if live {
		r.newest = max(r.newest, id)
	}
}

func (r *damagedReader) undecodableIn(bucket string, named, live bool) {
	if named && live {
		r.undecodable[bucket]++
	}
}

func (r *damagedReader) sighting(id uint64) *sighting {
	s := r.ids[id]
	if s == nil {
		s = &sighting{}
		r.ids[id] = s
	}
	return s
}

// decide gives each id its one state, by the rules at the top of this file.
func (r *damagedReader) decide(complete bool) salvaged {
	var out salvaged
	for _, s := range r.ids {
		// Among copies of one standing, the most careful state wins:
		// answer unknown is never sent by itself, a dead letter is not
		// sent without a retry.
		kind, it := pick(s.live)
		switch {
		case s.result != nil && (s.resultLive || it != nil || !complete):
			out.results = append(out.results, s.result)
			continue
		case it != nil:
		case complete:
			continue
		default:
			if kind, it = pick(s.stale); kind == asPending {
				kind = asUnsure
				it.Reason = unsureReason
				it.MaybeSent = true
			}
		}
		it.MaybeSent = it.MaybeSent || s.maybeSent
		switch kind {
		case asPending:
			out.pending = append(out.pending, it)
		case asDead:
			out.dead = append(out.dead, it)
		default:
			out.unsure = append(out.unsure, it)
		}
	}
	byID := func(s []*Item) { sort.Slice(s, func(a, b int) bool { return s[a].ID < s[b].ID }) }
	byID(out.pending)
	byID(out.dead)
	byID(out.unsure)
	sort.Slice(out.results, func(a, b int) bool { return out.results[a].ID < out.results[b].ID })
	return out
}

// pick returns the most careful of the copies: answer unknown, then dead,
// then pending.
func pick(copies [asKinds]*Item) (int, *Item) {
	for _, kind := range []int{asUnsure, asDead, asPending} {
		if copies[kind] != nil {
			return kind, copies[kind]
		}
	}
	return -1, nil
}
