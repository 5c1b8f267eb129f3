package journal

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/lastfmd/lastfmd/daemon/accounts"
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

// What salvage reads (schema 3, lane.go): a play's record in "plays"
// (its params), and each lane's records of it without them, in the lane's
// buckets ("items", "dead", ... for Last.fm's, "lane/NAME/..." for a
// mirror's). Off the trees a record is told by its shape: a play has
// params and none of a lane's fields; a lane's record has no params, and
// names its lane when it is a mirror's ("lane"); a result names it too. The
// rules above hold per lane: an id has one state on each lane that holds
// it, and a result settles it on its own lane only. A play never changes,
// so any copy of it is good; the lane's record joins it by id. A lane's
// record whose play is on no readable page is lost (counted, never made
// up); a play no lane's record names was settled everywhere and is left
// out. Records of the layout before lanes (params inside, schema 2, also
// found on a migrated journal's free pages) are the lane "lastfm"'s and
// carry their own play; in a file of that schema, which has no plays, a
// record of a play's shape is a pending item.

// salvaged is what salvage carries into the new journal: each item with
// its params and its lane (Item.Lane, Result.Lane: "" for Last.fm's, as
// export writes them).
type salvaged struct {
	pending, dead, unsure []*Item
	results               []*Result
	lost                  int      // lanes' records whose play could not be found
	problems              []string // what could not be read, naming the pages
}

// Where an item copy was found, by the bucket it belongs to.
const (
	asPending = iota
	asDead
	asUnsure
	asKinds
)

// sighting is everything the file shows of one id on one lane.
type sighting struct {
	result      *Result
	resultLive  bool
	live, stale [asKinds]*Item
	maybeSent   bool // some copy says Last.fm may have it (never cleared, so any copy counts)
}

// unsureReason is the reason an item salvage could not place carries.
const unsureReason = "salvage found it only in an out-of-date part of the damaged journal: it may have been sent since, and the answer is lost"

// damagedReader collects the sightings of every readable record.
type damagedReader struct {
	ids   map[laneID]*sighting
	plays map[uint64]*Item // a copy of each play's record found
	// shaped are the records of a play's shape found off the trees, with
	// where (seenStale, seenLive): pending items when the file has no
	// plays (before lanes).
	shaped      map[uint64]uint8
	undecodable map[string]int // records of the newest tree's buckets that do not decode
	newest      uint64         // the highest item id a live page names
	// hasPlays: the file is of schema 3 or later: a tree names the version
	// or the bucket "plays", or a lane's record has no params.
	hasPlays bool
}

const (
	seenStale = 1 << iota
	seenLive
)

func seenBit(live bool) uint8 {
	if live {
		return seenLive
	}
	return seenStale
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
	r := &damagedReader{ids: map[laneID]*sighting{}, plays: map[uint64]*Item{}, shaped: map[uint64]uint8{}, undecodable: map[string]int{}}
	problems, complete := r.read(f, st.Size())
	out := r.decide(complete)
	for _, b := range slices.Sorted(maps.Keys(r.undecodable)) {
		problems = append(problems, fmt.Sprintf("%d records of %q could not be decoded", r.undecodable[b], b))
	}
	out.problems = append(problems, out.problems...)
	return out
}

// read walks the file in four passes, sharing the set of pages read so
// that each page is read once, by the pass that can say the most of it:
// cur's tree, the pages T grew the file by, prev's tree, then every other
// page. Only the first pass's problems are reported: the others look at
// pages that may hold anything. complete says of a lane that cur's items,
// dead and unsure buckets of it were read whole.
func (r *damagedReader) read(f io.ReaderAt, size int64) (problems []string, complete func(lane string) bool) {
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
	complete = func(string) bool { return false }
	if metaErr != nil {
		problems = append(problems, "its header pages cannot be used: "+metaErr.Error()+"; every page was read instead")
	} else {
		walk(cur, always, true, func() { _ = w.walkBucket("", cur.root, nil, 0, 0) })
		problems = append(problems, w.problems...)
		inBuckets := 0
		partial := map[string]bool{} // lanes whose held buckets lost pages
		for b, n := range w.lostIn {
			inBuckets += n
			if lane, kind := bucketLane(b); n > 0 && (kind == "items" || kind == "dead" || kind == "unsure") {
				partial[lane] = true
			}
		}
		if len(w.problems) == inBuckets {
			complete = func(lane string) bool { return !partial[lane] }
		}
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
// root) the bucket says what the record is and its lane (bucketLane); in
// the others it is told by its content: an item's JSON has "params" (a
// play's a map of them and no lane's field, a lane's record none, a dead
// letter's record also a reason and the time it died, one whose answer is
// unknown a reason only), a result's a "status"; a mirror's records and
// results name their lane. A live page's deduplication entry (an 8-byte
// id) and send-order key (ending in the id) count towards the newest id.
func (r *damagedReader) see(bucket string, named bool, k, v []byte, live bool) {
	kind := -1
	isResult, isPlay := false, false
	lane, what := "", ""
	if named {
		lane, what = bucketLane(bucket)
	}
	switch {
	case named && bucket == string(bPlays):
		isPlay, r.hasPlays = true, true
	case named && bucket == string(bMeta) && string(k) == string(kVersion):
		if n, err := strconv.Atoi(string(v)); err == nil && n >= 3 {
			r.hasPlays = true
		}
		return
	case named && what == "items":
		kind = asPending
	case named && what == "dead":
		kind = asDead
	case named && what == "unsure":
		kind = asUnsure
	case named && what == "results":
		isResult = true
	case len(v) == 8 && (!named || what == "dedup"):
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
		if err == nil && !named {
			lane = laneName(res.Lane)
		}
		if err != nil || res.ID == 0 || res.Account == "" || !isLane(lane) || (!named && res.ID != keyID(k)) {
			r.undecodableIn(bucket, named, live)
			return
		}
		r.newestIs(res.ID, live)
		s := r.sighting(lane, res.ID)
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
	r.newestIs(it.ID, live)
	if kind == -2 && it.Params != nil && it.Attempts == 0 && it.LastError == "" && it.Reason == "" &&
		it.Died.IsZero() && !it.MaybeSent && it.Lane == "" {
		isPlay = true
		r.shaped[it.ID] |= seenBit(live)
	}
	if isPlay {
		if r.plays[it.ID] == nil {
			r.plays[it.ID] = it
		}
		return
	}
	if kind == -2 {
		lane = laneName(it.Lane)
		switch {
		case it.Reason == "":
			kind = asPending
		case !it.Died.IsZero():
			kind = asDead
		default:
			kind = asUnsure
		}
	}
	if !isLane(lane) {
		r.undecodableIn(bucket, named, live)
		return
	}
	if it.Params == nil {
		r.hasPlays = true
	} else if r.plays[it.ID] == nil {
		// Before lanes, a record carried its play.
		r.plays[it.ID] = &Item{ID: it.ID, Account: it.Account, Method: it.Method, Params: it.Params, Timestamp: it.Timestamp, Added: it.Added}
	}
	r.seeCopy(lane, kind, it, live)
}

// seeCopy records a copy of a lane's record.
func (r *damagedReader) seeCopy(lane string, kind int, it *Item, live bool) {
	s := r.sighting(lane, it.ID)
	s.maybeSent = s.maybeSent || it.MaybeSent
	copies := &s.stale
	if live {
		copies = &s.live
	}
	if copies[kind] == nil {
		copies[kind] = it
	}
}

// bucketLane splits a bucket's path into the lane it belongs to and what
// the lane keeps in it: "items" and "pending/ACCOUNT" are Last.fm's items
// and send order, "lane/NAME/items" a mirror's items. what is "" for a
// bucket of no lane ("plays", "meta", a mirror's of a name no mirror has).
func bucketLane(bucket string) (lane, what string) {
	lane = accounts.LastFM
	if rest, ok := strings.CutPrefix(bucket, "lane/"); ok {
		name, in, ok := strings.Cut(rest, "/")
		if !ok || accounts.CheckMirrorName(name) != nil {
			return "", ""
		}
		lane, bucket = name, in
	}
	what, _, _ = strings.Cut(bucket, "/")
	switch what {
	case "items", "pending", "results", "dead", "unsure", "dedup", "daily":
		return lane, what
	}
	return "", ""
}

// isLane reports whether name can be a lane's: Last.fm's, or a mirror's
// name (garbage decoded as a record names none).
func isLane(name string) bool {
	return name == accounts.LastFM || accounts.CheckMirrorName(name) == nil
}

// fileLane is a lane as a file names it (lane.fileName): "" for Last.fm's.
func fileLane(name string) string {
	if name == accounts.LastFM {
		return ""
	}
	return name
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

func (r *damagedReader) sighting(lane string, id uint64) *sighting {
	k := laneID{lane, id}
	s := r.ids[k]
	if s == nil {
		s = &sighting{}
		r.ids[k] = s
	}
	return s
}

// decide gives each id its one state on each lane, by the rules at the top
// of this file, and joins each item kept to its play.
func (r *damagedReader) decide(complete func(lane string) bool) salvaged {
	if !r.hasPlays {
		// Before lanes: a record of a play's shape is a pending item.
		for id, seen := range r.shaped {
			for _, live := range []bool{false, true} {
				if seen&seenBit(live) != 0 {
					it := *r.plays[id]
					r.seeCopy(accounts.LastFM, asPending, &it, live)
				}
			}
		}
	}
	var out salvaged
	lost := map[string]int{}
	for lid, s := range r.ids {
		// Among copies of one standing, the most careful state wins:
		// answer unknown is never sent by itself, a dead letter is not
		// sent without a retry.
		kind, it := pick(s.live)
		whole := complete(lid.lane)
		switch {
		case s.result != nil && (s.resultLive || it != nil || !whole):
			s.result.Lane = fileLane(lid.lane)
			out.results = append(out.results, s.result)
			continue
		case it != nil:
		case whole:
			continue
		default:
			if kind, it = pick(s.stale); kind == asPending {
				kind = asUnsure
				it.Reason = unsureReason
				it.MaybeSent = true
			}
		}
		if it.Params == nil {
			play := r.plays[lid.id]
			if play == nil {
				lost[lid.lane]++
				continue
			}
			it.Params = play.Params
		}
		it.Lane = fileLane(lid.lane)
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
	for _, lane := range slices.Sorted(maps.Keys(lost)) {
		out.lost += lost[lane]
		out.problems = append(out.problems, fmt.Sprintf("%d items of the lane %q are lost: the record of their play (its parameters) is on no readable page", lost[lane], lane))
	}
	byID := func(s []*Item) {
		sort.Slice(s, func(a, b int) bool { return s[a].ID < s[b].ID || s[a].ID == s[b].ID && s[a].Lane < s[b].Lane })
	}
	byID(out.pending)
	byID(out.dead)
	byID(out.unsure)
	sort.Slice(out.results, func(a, b int) bool {
		x, y := out.results[a], out.results[b]
		return x.ID < y.ID || x.ID == y.ID && x.Lane < y.Lane
	})
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
