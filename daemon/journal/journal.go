package journal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/upstream"
	"github.com/lastfmd/lastfmd/signer"
)

// FileName is the journal's file inside state_dir.
const FileName = "journal.db"

// SchemaVersion is the journal layout this binary writes. A newer journal
// is refused (an older lastfmd must not misread it); an older one is
// migrated when opened.
//
// Version 2 (issue 21): deduplication keys are length-prefixed (dedupKey),
// and the bucket "unsure" holds items whose answer is unknown.
//
// Version 3 (issue 23): lanes. A play's parameters are stored once, in
// "plays"; the buckets of version 2 are the lane "lastfm"'s, holding its
// records without them; each mirror has buckets "lane/NAME/..." (lane.go).
//
// Version 4: every lane's deduplication in the one bucket "dedup", a
// mirror's keys suffixed with its name (dedupBucket), so a play's entries
// share a page.
//
// Version 5: every lane's send order in "pending/ACCOUNT", the same way.
//
// Version 6: in "pending/ACCOUNT", each mirror's send order is a run of
// keys of its own, after a prefix naming it (pendingIndex, lanePrefix), so
// a sender reads only its lane's keys.
const SchemaVersion = 6

// Bucket names.
var (
	bMeta    = []byte("meta")    // "version" -> decimal schema version
	bItems   = []byte("items")   // id -> Item (pending)
	bPending = []byte("pending") // account -> {pendingKey -> nil}: send order
	bResults = []byte("results") // id -> Result
	bDead    = []byte("dead")    // id -> Item with Reason
	bUnsure  = []byte("unsure")  // id -> Item whose answer is unknown (AnswerUnknown), with Reason
	bDedup   = []byte("dedup")   // dedupKey -> id (pending or sent)
	bDaily   = []byte("daily")   // account -> daily count
	kVersion = []byte("version")
)

var allBuckets = [][]byte{bMeta, bItems, bPending, bResults, bDead, bDedup, bDaily, bUnsure, bPlays, bLedger}

// Tuning holds the journal's timings and bounds. Zero fields take the
// defaults (docs/design.md#reliability-rules); tests shrink them so that
// minutes-long behaviour runs in seconds.
type Tuning struct {
	BackoffBase time.Duration // first retry after a transient failure (5 s)
	BackoffMax  time.Duration // longest back-off (8 min)
	// Poll is how often a waiting sender looks at the clock and the
	// session store again (a paused account resumes within Poll of
	// signing in again).
	Poll time.Duration
	// OpenTimeout bounds the wait for the journal's file lock: another
	// lastfmd holding it is an error, not a hang.
	OpenTimeout time.Duration
	// MirrorGather is how long a mirror's sender waits after a send that
	// was not full, to gather a fuller next batch (100 ms). Nobody waits
	// on a mirror's answer (the caller's is Last.fm's), so while plays
	// stream in, a mirror gets fewer, fuller calls and the journal fewer
	// commits beside the submissions (docs/performance.md#the-scrobble-journal).
	// Last.fm's lane never gathers: a caller may be waiting on its answer.
	MirrorGather time.Duration
	// MirrorYield is how long no script's write must have been committed
	// before a mirror's sender sends (20 ms), and MirrorYieldMax the
	// longest it waits for that per send (1 s): the mirrors' work goes
	// between the submissions' commits, not into them (yield.go).
	MirrorYield    time.Duration
	MirrorYieldMax time.Duration
	// BatchDelay is how long a commit waits to gather concurrent
	// submissions (group commit).
	BatchDelay time.Duration
	// StopTimeout bounds how long Close lets senders finish their batch.
	StopTimeout   time.Duration
	ResultsMax    int           // results kept (10,000)
	ResultsMaxAge time.Duration // and for how long (7 days)
	DeadMax       int           // dead letters kept (100,000; the oldest go first)
	// FlightWait bounds how long an operator action (drop, retry, a forced
	// logout) waits for the answer to a batch in flight (inflight.go):
	// the upstream timeout and a margin for the commit.
	FlightWait time.Duration
}

func (t Tuning) withDefaults(upstreamTimeout time.Duration) Tuning {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	// The table's bounds for scrobbles (signer.Policy): 5 s -> 8 min.
	rule := signer.Policy(signer.ClassTransient, signer.CallerScrobble)
	def(&t.BackoffBase, rule.Backoff)
	def(&t.BackoffMax, rule.BackoffMax)
	def(&t.Poll, time.Second)
	def(&t.OpenTimeout, time.Second)
	// Measured (BenchmarkScrobbleDurable): 1 ms gathers the concurrent
	// submissions of one fsync without making a lone one wait.
	def(&t.BatchDelay, time.Millisecond)
	def(&t.MirrorGather, 100*time.Millisecond)
	// Measured (BenchmarkScrobbleDurable, docs/performance.md): any quiet
	// period longer than a commit's cycle (a few ms) keeps the mirrors
	// out of a stream's commits; a lone play waits 20 ms more for its
	// mirrors, which nobody waits on.
	def(&t.MirrorYield, 20*time.Millisecond)
	def(&t.MirrorYieldMax, time.Second)
	def(&t.StopTimeout, 15*time.Second)
	def(&t.ResultsMaxAge, 7*24*time.Hour)
	def(&t.FlightWait, upstreamTimeout+5*time.Second)
	if t.ResultsMax <= 0 {
		t.ResultsMax = 10000
	}
	if t.DeadMax <= 0 {
		t.DeadMax = 100000
	}
	return t
}

// Options configure a Journal.
type Options struct {
	Dir       string // state_dir
	Accounts  *accounts.Store
	Upstream  *upstream.Client
	BatchSize int           // scrobble.batch_size (at most signer.MaxScrobblesPerCall)
	MaxAge    time.Duration // scrobble.max_age
	Now       func() time.Time
	Log       *slog.Logger
	Tuning    Tuning
	// Delivered, when set, is called after Last.fm accepted items of an
	// account (before waiting submitters are told), so caches of the
	// account's reads can be dropped.
	Delivered func(account, method string)
	// Mirrors are the destinations besides Last.fm, each a lane of its
	// own (docs/mirrors.md).
	Mirrors []Mirror
	// Version is lastfmd's version, which a ListenBrainz lane sends as
	// each listen's submission_client_version.
	Version string
}

// Journal is the on-disk queue and its senders. Safe for concurrent use.
type Journal struct {
	db        *bolt.DB
	path      string
	accounts  *accounts.Store
	lanes     []*lane // "lastfm" first, then each mirror (lane.go)
	dormant   []*lane // mirrors' lanes in the file, not configured: kept, never sent (findDormant)
	batchSize int
	now       func() time.Time
	log       *slog.Logger
	tune      Tuning
	delivered func(account, method string)

	stop     chan struct{} // closed by Close: no new batches
	hardStop context.Context
	abort    context.CancelFunc // cuts in-flight sends when StopTimeout passes
	wg       sync.WaitGroup

	mu         sync.Mutex
	started    bool
	closed     bool
	senders    map[sendKey]*sender
	waiters    map[uint64][]*waiter // submitters waiting for Last.fm's answers (the lane "lastfm")
	flights    map[laneID]*flight   // items being sent now (inflight.go)
	claims     map[laneID]bool      // items an operator action is changing (inflight.go)
	counts     map[sendKey]*counts
	commitHook func() error
	// mono is the monotonic clock mirrors' senders yield by (yield.go);
	// lastForeground is its reading at the last script's write committed
	// (0: none yet). yieldHook, when set (tests), is called each time a
	// sender waits in yield.
	mono           func() time.Duration
	lastForeground atomic.Int64
	yieldHook      func()
	// ledgerPruned is when the import ledger was last pruned (ledger.go).
	ledgerPruned time.Time
	lastPrune    time.Time
}

// counts are per-lane, per-account figures kept in memory (recomputed on open).
type counts struct {
	pending, dead, unsure int
	sent                  map[string]uint64 // since start, by result: accepted, ignored, failed
}

// ErrLocked is the error Open wraps when another process holds the
// journal: a daemon already runs with this state directory.
var ErrLocked = errors.New("locked by another lastfmd")

// Open opens (or creates) state_dir/journal.db. A journal locked by
// another process fails after Tuning.OpenTimeout with an error naming the
// state directory.
func Open(o Options) (*Journal, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.BatchSize <= 0 || o.BatchSize > signer.MaxScrobblesPerCall {
		o.BatchSize = signer.MaxScrobblesPerCall
	}
	var upTimeout time.Duration
	if o.Upstream != nil {
		upTimeout = o.Upstream.Timeout()
	}
	t := o.Tuning.withDefaults(upTimeout)
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("journal: state_dir %s: %w", o.Dir, err)
	}
	path := filepath.Join(o.Dir, FileName)
	locked := fmt.Errorf("journal: %s is %w using state_dir %s: stop it, or give this one another --state-dir", path, ErrLocked, o.Dir)
	if err := salvageUnfinished(path); err != nil {
		return nil, err
	}
	// The file is checked before bbolt maps it: bbolt trusts its pages,
	// so a damaged file would fault or panic (boltfile.go).
	if err := CheckFile(path); err != nil {
		if inUse(path) {
			return nil, locked
		}
		return nil, err
	}
	var db *bolt.DB
	err := guard(path, func() (err error) {
		// The map freelist: faster commits as the file grows (the
		// format on disk is the same; BenchmarkScrobbleDurable).
		db, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: t.OpenTimeout, FreelistType: bolt.FreelistMapType})
		return err
	})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, locked
	}
	var dmg *DamagedError
	if errors.As(err, &dmg) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("journal: cannot open %s: %w", path, err)
	}
	db.MaxBatchDelay = t.BatchDelay
	hard, abort := context.WithCancel(context.Background())
	j := &Journal{
		db: db, path: path, accounts: o.Accounts, batchSize: o.BatchSize,
		now: o.Now, log: o.Log, tune: t, delivered: o.Delivered,
		stop: make(chan struct{}), hardStop: hard, abort: abort,
		senders: map[sendKey]*sender{}, waiters: map[uint64][]*waiter{}, counts: map[sendKey]*counts{},
		flights: map[laneID]*flight{}, claims: map[laneID]bool{},
	}
	born := time.Now()
	j.mono = func() time.Duration { return time.Since(born) }
	j.lanes = []*lane{newLane(Mirror{Name: accounts.LastFM, Upstream: o.Upstream, MaxAge: o.MaxAge})}
	for _, m := range o.Mirrors {
		ln := newLane(m)
		ln.version = o.Version
		j.lanes = append(j.lanes, ln)
	}
	if err := guard(path, j.initSchema); err != nil {
		db.Close()
		abort()
		return nil, err
	}
	for _, ln := range j.dormant {
		j.log.Warn("journal: the journal holds a lane for a mirror that is not configured; its items stay, unsent, until the mirror is configured again (or lastfmd queue export / drop them with it configured)",
			"destination", ln.name)
	}
	if err := guard(path, j.loadCounts); err != nil {
		db.Close()
		abort()
		if errors.As(err, &dmg) {
			return nil, err
		}
		return nil, damaged(path, "a journalled item cannot be read ("+err.Error()+")")
	}
	return j, nil
}

// Path is the journal file.
func (j *Journal) Path() string { return j.path }

// initSchema creates the buckets, refuses a newer schema and migrates an
// older one.
func (j *Journal) initSchema() error {
	return j.db.Update(func(tx *bolt.Tx) error {
		version := 0
		if meta := tx.Bucket(bMeta); meta != nil {
			if raw := meta.Get(kVersion); raw != nil {
				v, err := strconv.Atoi(string(raw))
				if err != nil {
					return fmt.Errorf("journal: %s has an unreadable schema version %q", j.path, raw)
				}
				version = v
			}
		}
		if version > SchemaVersion {
			return fmt.Errorf("journal: %s has schema version %d, this lastfmd knows up to %d: upgrade lastfmd (or move the file aside, losing its queue)", j.path, version, SchemaVersion)
		}
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("journal: %s: %w", j.path, err)
			}
		}
		for v := version; v < SchemaVersion; v++ {
			if err := migrations[v](tx); err != nil {
				return fmt.Errorf("journal: %s: migrating schema %d to %d: %w", j.path, v, v+1, err)
			}
		}
		if version > 0 && version < SchemaVersion {
			// Not for a new file (version 0): nothing was there to migrate.
			j.log.Info("journal migrated", "from", version, "to", SchemaVersion)
		}
		// Each mirror configured has its lane's buckets (a mirror added
		// since the last start gets them now).
		for _, ln := range j.lanes[1:] {
			for _, name := range ln.b.all() {
				if _, err := tx.CreateBucketIfNotExists(name); err != nil {
					return fmt.Errorf("journal: %s: %w", j.path, err)
				}
			}
		}
		j.findDormant(tx)
		return tx.Bucket(bMeta).Put(kVersion, []byte(strconv.Itoa(SchemaVersion)))
	})
}

// loadCounts recomputes the in-memory figures from the file.
func (j *Journal) loadCounts() error {
	return j.db.View(func(tx *bolt.Tx) error {
		for _, ln := range j.lanes {
			for _, b := range ln.held() {
				// Records only: counting needs no params.
				err := forEachItem(tx.Bucket(b.name), func(it *Item) error {
					c := j.countsFor(ln.name, it.Account)
					switch b.state {
					case Pending:
						c.pending++
					case Dead:
						c.dead++
					case AnswerUnknown:
						c.unsure++
					}
					return nil
				})
				if err != nil {
					return err
				}
			}
			ln.results = tx.Bucket(ln.b.results).Stats().KeyN
		}
		return nil
	})
}

// countsFor returns the figures of the account on the lane (j.mu held, or
// during Open).
func (j *Journal) countsFor(lane, account string) *counts {
	k := sendKey{lane, account}
	c := j.counts[k]
	if c == nil {
		c = &counts{sent: map[string]uint64{}}
		j.counts[k] = c
	}
	return c
}

// Start starts a sender for every account with pending items; they try at
// once (docs/scrobbling.md#how-lastfmd-sends: "When lastfmd starts, pending scrobbles are sent at once").
func (j *Journal) Start() {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.started || j.closed {
		return
	}
	j.started = true
	for k, c := range j.counts {
		if c.pending > 0 {
			j.senderLocked(j.lane(k.lane), k.account).wake()
		}
	}
}

// Healthy reports whether the journal can take submissions.
func (j *Journal) Healthy() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return errors.New("journal closed")
	}
	return nil
}

// Close lets every sender finish its in-flight batch (at most
// Tuning.StopTimeout), then closes the file. Items not answered stay
// pending for the next start.
func (j *Journal) Close() error {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return nil
	}
	j.closed = true
	close(j.stop)
	j.mu.Unlock()

	done := make(chan struct{})
	go func() { j.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(j.tune.StopTimeout):
		j.log.Warn("journal: senders did not finish within the stop timeout; their batch stays pending", "timeout", j.tune.StopTimeout)
		j.abort()
		<-done
	}
	j.abort()
	j.mu.Lock()
	for id, ws := range j.waiters {
		for _, w := range ws {
			w.mu.Lock()
			w.release()
			w.mu.Unlock()
		}
		delete(j.waiters, id)
	}
	j.mu.Unlock()
	return j.db.Close()
}

// SetCommitHook installs a function run inside every transaction that
// journals an item or records an outcome (submissions, Last.fm's answers,
// dead letters) before it commits; an error from it fails the commit. It
// exists for fault-injection tests ("a failed commit answers 503 and claims
// nothing", "a full disk never causes a resend"); nil removes it.
func (j *Journal) SetCommitHook(f func() error) {
	j.mu.Lock()
	j.commitHook = f
	j.mu.Unlock()
}

func (j *Journal) hook() func() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.commitHook
}

// stopping reports whether Close was called.
func (j *Journal) stopping() bool {
	select {
	case <-j.stop:
		return true
	default:
		return false
	}
}
