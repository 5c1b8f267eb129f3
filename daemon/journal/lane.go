package journal

import (
	"bytes"
	"fmt"
	"maps"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/listenbrainz"
	"github.com/lastfmd/lastfmd/daemon/upstream"
	"github.com/lastfmd/lastfmd/signer"
)

// A lane is one destination's share of the journal (docs/design.md#lanes):
// Last.fm is the lane "lastfm", each [[mirror]] a lane of its name. A play
// is stored once, in the bucket "plays"; each lane holds, per account, its
// own send order, state of each play (pending, dead, answer unknown),
// results, deduplication and daily count, and its own senders, back-off and
// pauses. One lane never waits for another: a mirror that is down, slow or
// answering garbage delays nothing but its own lane.
type lane struct {
	name string // accounts.LastFM or the mirror's name
	b    laneBuckets
	up   *upstream.Client // the Last.fm 2.0 API (Last.fm, Libre.fm, ...); nil on a ListenBrainz lane
	// lb is a ListenBrainz lane's client (its native API:
	// listenbrainz_send.go); nil on the others.
	lb *listenbrainz.Client
	// version is lastfmd's, sent as a listen's submission_client_version.
	version string
	// maxAge is the oldest scrobble the destination takes (0: no limit).
	maxAge time.Duration
	// ignored maps the destination's ignored codes to the Last.fm code of
	// the same meaning (nil: Last.fm's own).
	ignored map[int]int
	mirror  bool

	// Guarded by j.mu.
	keyProblem string          // set: every sender of the lane is paused (key broken)
	lacks      map[string]bool // methods the destination answered error 3 for (mirrors only)
	single     bool            // batches failed or were answered without items: send one scrobble a call
	results    int             // results kept
	skipped    int             // plays the destination cannot take (a ListenBrainz lane: before 2002-10-01), since start
	// lastSuccess is when the destination's last answer was recorded.
	lastSuccess time.Time
}

// laneBuckets are a lane's buckets. The lane "lastfm" has the names a
// journal of schema 2 had, so its items needed no move; a mirror's are
// "lane/NAME/...". Deduplication is one bucket for every lane (dedup).
type laneBuckets struct {
	items, pending, results, dead, unsure, daily []byte
}

func bucketsOf(name string) laneBuckets {
	if name == accounts.LastFM {
		return laneBuckets{bItems, bPending, bResults, bDead, bUnsure, bDaily}
	}
	p := "lane/" + name + "/"
	return laneBuckets{[]byte(p + "items"), bPending, []byte(p + "results"), []byte(p + "dead"),
		[]byte(p + "unsure"), []byte(p + "daily")}
}

func (b laneBuckets) all() [][]byte {
	return [][]byte{b.items, b.pending, b.results, b.dead, b.unsure, b.daily}
}

// Every lane's deduplication entries live in the one bucket "dedup": the
// lane "lastfm"'s under the scrobble's key (dedupKey), a mirror's under
// the same key followed by 0x00 and the mirror's name. A play's entries on
// every lane are then neighbours, on one page: journalling a play on three
// lanes writes one page of deduplication, not three pages at random
// (schema 4; BenchmarkScrobbleDurable).

// dedupBucket is a lane's view of the bucket "dedup".
type dedupBucket struct {
	b      *bolt.Bucket
	suffix []byte // nil for Last.fm's lane
}

// dedup is the lane's deduplication in tx.
func (ln *lane) dedup(tx *bolt.Tx) *dedupBucket {
	return &dedupBucket{b: tx.Bucket(bDedup), suffix: laneSuffix(ln.name)}
}

// laneSuffix is what follows a scrobble's key in a mirror's entries of
// the bucket dedup: nothing for Last.fm's, a zero byte and the name for a
// mirror's.
func laneSuffix(lane string) []byte {
	if lane == accounts.LastFM {
		return nil
	}
	return append([]byte{0}, lane...)
}

// key is the lane's entry for the scrobble's key k: k itself on Last.fm's
// lane, which has no suffix.
func (d *dedupBucket) key(k []byte) []byte {
	if len(d.suffix) == 0 {
		return k
	}
	return append(append(make([]byte, 0, len(k)+len(d.suffix)), k...), d.suffix...)
}

// Every lane's send order lives in "pending/ACCOUNT" (schema 6): Last.fm's
// under the send-order key (pendingKey), a mirror's under the same key
// after its prefix (lanePrefix), so that each lane's send order is one run
// of keys. A sender reads its own run alone: in schema 5 a mirror's keys
// followed each play's, and every batch of every lane stepped over the
// other lanes' backlogs (docs/performance.md#the-scrobble-journal).

// lanePrefix is what precedes a send-order key in a mirror's run of
// pending/ACCOUNT: a zero byte, the name and a zero byte (a name holds no
// zero byte: accounts.CheckMirrorName). Last.fm's keys have none, and
// begin with prefixWrite or prefixScrobble, so every mirror's run sorts
// before Last.fm's.
func lanePrefix(lane string) []byte {
	if lane == accounts.LastFM {
		return nil
	}
	return append(append([]byte{0}, lane...), 0)
}

// pendingIndex is a lane's send order for one account.
type pendingIndex struct {
	b      *bolt.Bucket
	prefix []byte
}

// pendingOf is the account's send order on the lane; nil when the account
// has none (and create is false).
func (ln *lane) pendingOf(tx *bolt.Tx, account string, create bool) (*pendingIndex, error) {
	root := tx.Bucket(bPending)
	b := root.Bucket([]byte(account))
	if b == nil && create {
		var err error
		if b, err = root.CreateBucket([]byte(account)); err != nil {
			return nil, err
		}
	}
	if b == nil {
		return nil, nil
	}
	return &pendingIndex{b: b, prefix: lanePrefix(ln.name)}, nil
}

// key is the lane's key for pk: pk itself on Last.fm's lane, which has no
// prefix (no copy on the lane every play takes).
func (p *pendingIndex) key(pk []byte) []byte {
	if len(p.prefix) == 0 {
		return pk
	}
	return append(append(make([]byte, 0, len(p.prefix)+len(pk)), p.prefix...), pk...)
}

// Put and Delete act on the lane's key for the send-order key pk.
func (p *pendingIndex) Put(pk []byte) error    { return p.b.Put(p.key(pk), nil) }
func (p *pendingIndex) Delete(pk []byte) error { return p.b.Delete(p.key(pk)) }

// each calls f with the lane's send-order keys (without the lane's
// prefix) in order, from the first at or after from (nil: the first),
// until f answers false or an error.
func (p *pendingIndex) each(from []byte, f func(pk []byte) (bool, error)) error {
	if from == nil && p.prefix == nil {
		from = []byte{prefixWrite} // Last.fm's run: after every mirror's
	}
	c := p.b.Cursor()
	for k, _ := c.Seek(p.key(from)); k != nil && bytes.HasPrefix(k, p.prefix); k, _ = c.Next() {
		if len(k) != len(p.prefix)+pendingKeyLen {
			continue // not a send-order key (none is written)
		}
		more, err := f(k[len(p.prefix):])
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// Get, Put and Delete act on the lane's entry for the scrobble key k.
func (d *dedupBucket) Get(k []byte) []byte   { return d.b.Get(d.key(k)) }
func (d *dedupBucket) Put(k, v []byte) error { return d.b.Put(d.key(k), v) }
func (d *dedupBucket) Delete(k []byte) error { return d.b.Delete(d.key(k)) }

// held are the lane's buckets holding plays, each with the state it means:
// pending (with its send order in pending), then the two no sender sends by
// itself, dead letters and items whose answer is unknown. Counting,
// exporting, looking an id up and dropping walk them alike.
func (ln *lane) held() []heldBucket {
	return []heldBucket{{ln.b.items, Pending}, {ln.b.dead, Dead}, {ln.b.unsure, AnswerUnknown}}
}

// givenUp are held less pending.
func (ln *lane) givenUp() []heldBucket { return ln.held()[1:] }

type heldBucket struct {
	name  []byte
	state State
}

// Mirror is a destination besides Last.fm: a [[mirror]] speaking the
// Last.fm 2.0 API (Upstream), or ListenBrainz's (ListenBrainz)
// (docs/mirrors.md).
type Mirror struct {
	Name     string
	Upstream *upstream.Client
	// ListenBrainz, when set, makes the lane speak ListenBrainz's native
	// API instead of the Last.fm 2.0 API.
	ListenBrainz *listenbrainz.Client
	// MaxAge is the oldest scrobble the service takes; 0 = no limit.
	MaxAge time.Duration
	// IgnoredCodes maps the service's ignored codes to Last.fm's meaning
	// (Libre.fm's 3 is Last.fm's 4); nil = Last.fm's.
	IgnoredCodes map[int]int
}

func newLane(m Mirror) *lane {
	ln := &lane{name: m.Name, b: bucketsOf(m.Name), up: m.Upstream, lb: m.ListenBrainz, maxAge: m.MaxAge,
		ignored: maps.Clone(m.IgnoredCodes), mirror: m.Name != accounts.LastFM, lacks: map[string]bool{}}
	if ln.lb != nil {
		// ListenBrainz's feedback needs a recording id lastfmd does not
		// have: a love is not mirrored there, and status says so.
		for _, name := range signer.MethodNames() {
			if mm, _ := signer.Lookup(name); mm.Mirror == signer.MirrorJournal && !mm.Batch {
				ln.lacks[name] = true
			}
		}
	}
	return ln
}

// limiter is the lane's limiter for the global back-off after a 29 (the
// Last.fm 2.0 API's lanes); nil on a ListenBrainz lane, which waits on
// its answers' X-RateLimit headers instead (listenbrainz_send.go).
func (ln *lane) limiter() *upstream.Limiter {
	if ln.up == nil {
		return nil
	}
	return ln.up.Limiter()
}

// result is the lane's result for it, of status, at now: what locates it
// (and its scrobble's deduplication entry); the answer's details are the
// caller's to add.
func (ln *lane) result(it *Item, status string, now time.Time) *Result {
	return &Result{ID: it.ID, Lane: ln.fileName(), Account: it.Account, Method: it.Method, Artist: it.Params["artist"],
		Track: it.Params["track"], Timestamp: it.Timestamp, Status: status, Sent: now}
}

// mayHaveReached reports whether a call that failed with err may have been
// read by the lane's destination (each API's client knows its own
// failures that never left lastfmd).
func (ln *lane) mayHaveReached(err error) bool {
	if ln.lb != nil {
		return listenbrainz.MayHaveReached(err)
	}
	return upstream.MayHaveReached(err)
}

// Type is the API the lane's destination speaks: "lastfm" (the Last.fm
// 2.0 API) or "listenbrainz".
func (ln *lane) Type() string {
	if ln.lb != nil {
		return TypeListenBrainz
	}
	return TypeLastFM
}

// The APIs a destination speaks (DestinationStats.Type).
const (
	TypeLastFM       = "lastfm"
	TypeListenBrainz = "listenbrainz"
)

// lane returns the lane called name, nil when none is.
func (j *Journal) lane(name string) *lane {
	for _, ln := range j.lanes {
		if ln.name == name {
			return ln
		}
	}
	return nil
}

// lastfm is Last.fm's lane, always the first.
func (j *Journal) lastfm() *lane { return j.lanes[0] }

// Destinations lists the lanes' names: "lastfm", then each mirror in the
// order configured.
func (j *Journal) Destinations() []string {
	out := make([]string, len(j.lanes))
	for i, ln := range j.lanes {
		out[i] = ln.name
	}
	return out
}

// lanesNamed returns the lanes an operator action names: every lane for
// "", else the one named; an unknown name is an error naming the lanes.
func (j *Journal) lanesNamed(name string) ([]*lane, error) {
	if name == "" {
		return j.lanes, nil
	}
	if ln := j.lane(name); ln != nil {
		return []*lane{ln}, nil
	}
	return nil, fmt.Errorf("no destination %q: the destinations are %v", name, j.Destinations())
}

// sessionKey is the account's session at the lane's destination, and
// whether it must sign in again there; ok is false when it has none (an
// account with no session on a mirror is not mirrored there).
func (ln *lane) sessionKey(a accounts.Account) (key string, needsSignin, ok bool) {
	if !ln.mirror {
		return a.Key, a.NeedsSignin, a.Key != ""
	}
	ms, ok := a.Mirror(ln.name)
	return ms.Key, ms.NeedsSignin, ok && ms.Key != ""
}

// signIn is the command that gives account a session at the lane's
// destination again.
func (ln *lane) signIn(account string) string {
	switch {
	case !ln.mirror:
		return "lastfmd auth login --account " + account
	case ln.lb != nil:
		return "lastfmd auth token --mirror " + ln.name + " --account " + account
	}
	return "lastfmd auth login --mirror " + ln.name + " --account " + account
}

// fileName is the lane as a record in a file names it: "" for Last.fm's
// (the lines of a journal before lanes), else the mirror's name.
func (ln *lane) fileName() string {
	if ln.mirror {
		return ln.name
	}
	return ""
}

// lacking reports whether the destination answered error 3 for method (j.mu held).
func (ln *lane) lackingLocked(method string) bool { return ln.lacks[method] }

// meaning is the Last.fm ignored code with the meaning of the
// destination's code.
func (ln *lane) meaning(code int) int {
	if ln.ignored == nil || code == signer.IgnoredNone {
		return code
	}
	if m, ok := ln.ignored[code]; ok {
		return m
	}
	return code
}

// A play's parameters are stored once, in plays, whatever lanes hold it;
// a lane's record of it (Item without Params) says where it is on that
// lane. A play leaves plays when no lane holds it any more.

// bPlays: id -> Item holding the play (account, method, params,
// timestamp, added).
var bPlays = []byte("plays")

// putItem stores it in the lane's bucket b: its params in plays (once),
// the lane's record without them.
func (ln *lane) putItem(tx *bolt.Tx, b []byte, it *Item) error {
	k := idKey(it.ID)
	plays := tx.Bucket(bPlays)
	if plays.Get(k) == nil {
		p := &Item{ID: it.ID, Account: it.Account, Method: it.Method, Params: it.Params, Timestamp: it.Timestamp, Added: it.Added}
		if err := plays.Put(k, encode(p)); err != nil {
			return err
		}
	}
	rec := *it
	rec.Params, rec.Lane = nil, ""
	if ln.mirror {
		rec.Lane = ln.name // so that salvage knows the lane from the record alone
	}
	return tx.Bucket(b).Put(k, encode(&rec))
}

// getItem reads the lane's record of id in bucket b with its play's
// params; nil when the bucket does not hold it.
func (ln *lane) getItem(tx *bolt.Tx, b []byte, id uint64) (*Item, error) {
	v := tx.Bucket(b).Get(idKey(id))
	if v == nil {
		return nil, nil
	}
	return ln.decode(tx, v)
}

// decode reads a lane's record with its play's params.
func (ln *lane) decode(tx *bolt.Tx, v []byte) (*Item, error) {
	it, err := decodeItem(v)
	if err != nil {
		return nil, err
	}
	it.Lane = ln.name
	if it.Params == nil {
		p := tx.Bucket(bPlays).Get(idKey(it.ID))
		if p == nil {
			return nil, fmt.Errorf("item %d of lane %s: its play is missing", it.ID, ln.name)
		}
		play, err := decodeItem(p)
		if err != nil {
			return nil, fmt.Errorf("play %d: %w", it.ID, err)
		}
		it.Params = play.Params
	}
	return it, nil
}

// forEach calls f with each record of the lane's bucket b, in id order.
func (ln *lane) forEach(tx *bolt.Tx, b []byte, f func(*Item) error) error {
	return tx.Bucket(b).ForEach(func(_, v []byte) error {
		it, err := ln.decode(tx, v)
		if err != nil {
			return err
		}
		return f(it)
	})
}

// releasePlay deletes the play id once no lane holds it: neither a lane
// configured nor a dormant one (a mirror's lane still in the file while
// the mirror is not configured).
func (j *Journal) releasePlay(tx *bolt.Tx, id uint64) error {
	k := idKey(id)
	for _, ln := range append(j.lanes[:len(j.lanes):len(j.lanes)], j.dormant...) {
		for _, b := range ln.held() {
			if bk := tx.Bucket(b.name); bk != nil && bk.Get(k) != nil {
				return nil
			}
		}
	}
	return tx.Bucket(bPlays).Delete(k)
}

// findDormant lists the mirrors' lanes the file holds that are not
// configured: their items stay, untouched and unsent, until the mirror is
// configured again (docs/mirrors.md), and their plays are kept for them.
func (j *Journal) findDormant(tx *bolt.Tx) {
	j.dormant = nil
	for _, mb := range mirrorBuckets(tx, "items") {
		if j.lane(mb.lane) == nil {
			j.dormant = append(j.dormant, newLane(Mirror{Name: mb.lane}))
		}
	}
}

// mirrorBucket is a mirror's bucket in the file: "lane/NAME/WHAT".
type mirrorBucket struct {
	name []byte // the bucket's whole name
	lane string // NAME
}

// mirrorBuckets lists the file's mirror buckets of one kind (what:
// "items", "dedup", ...), whatever mirrors are configured.
func mirrorBuckets(tx *bolt.Tx, what string) []mirrorBucket {
	var out []mirrorBucket
	_ = tx.ForEach(func(name []byte, _ *bolt.Bucket) error {
		rest, ok := strings.CutPrefix(string(name), "lane/")
		lane, isWhat := strings.CutSuffix(rest, "/"+what)
		if ok && isWhat {
			out = append(out, mirrorBucket{bytes.Clone(name), lane})
		}
		return nil
	})
	return out
}

// sendKey names one sender: a lane and an account.
type sendKey struct {
	lane    string
	account string
}

// laneID names one play on one lane.
type laneID struct {
	lane string
	id   uint64
}
