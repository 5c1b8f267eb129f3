// Package cache is lastfmd's read cache: keys built from a read's method,
// parameters and (for signed reads) account; entries stored for a TTL the
// caller chooses from the method's tier; a least-recently-used bound on
// bytes, not entries; coalescing of concurrent identical misses; and
// expired entries kept a while longer so a transient upstream failure can
// be answered STALE.
//
// The package knows nothing about HTTP or Last.fm's catalog: callers pass
// the TTL, decide what is cacheable, and count misses and stale answers
// (see CountMiss and CountStale).
package cache

import (
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"golang.org/x/sync/singleflight"
)

// DefaultMaxBytes is the byte bound used when Options.MaxBytes is not set.
const DefaultMaxBytes = 64 << 20

// EntryOverhead is the fixed cost charged to every entry on top of its key,
// body and content type. It approximates what the heap really holds per
// entry besides those bytes — the Entry itself, the LRU list element, its
// map slot and the method index slot, measured at about 250 bytes on amd64
// with Go 1.26 — so that the byte bound stays close to real memory when
// bodies are small.
const EntryOverhead = 256

// Options configure a Cache.
type Options struct {
	// MaxBytes bounds the bytes charged to entries (see Set);
	// 0 or less means DefaultMaxBytes.
	MaxBytes int64
	// StaleIfError is how long after expiry an entry is still returned
	// by Get (with fresh false) for the caller to serve on a transient
	// failure. 0 drops entries at expiry.
	StaleIfError time.Duration
	// Now is the clock; nil means time.Now. Tests inject their own, which
	// must be safe for concurrent use.
	Now func() time.Time
}

// Entry is one cached answer. Body is shared and must not be modified by
// callers; no field of an Entry returned by the Cache may be modified.
type Entry struct {
	Status      int
	ContentType string
	Body        []byte
	Stored      time.Time // when Set stored it
	Expires     time.Time // Stored + ttl; fresh before this instant
}

// Age returns how long ago the entry was stored, in whole seconds
// (truncated, never negative) as the Age header wants it.
func (e *Entry) Age(now time.Time) time.Duration {
	d := now.Sub(e.Stored)
	if d < 0 {
		return 0
	}
	return d.Truncate(time.Second)
}

// Fresh reports whether the entry has not yet expired at now.
func (e *Entry) Fresh(now time.Time) bool { return now.Before(e.Expires) }

// Cache is a byte-bounded LRU of read answers. It is safe for concurrent
// use.
type Cache struct {
	maxBytes int64
	stale    time.Duration
	now      func() time.Time

	mu    sync.Mutex
	lru   *simplelru.LRU[string, *Entry]
	bytes int64
	// byMethod indexes keys by KeyMethod, so that a write invalidates by
	// scanning the entries of the few methods it makes stale rather than
	// the whole cache under the lock.
	byMethod map[string]map[string]struct{}

	flight singleflight.Group

	hits, misses, staleServed, evictions, coalesced atomic.Uint64
	waiting                                         atomic.Int64
}

// New returns an empty Cache.
func New(o Options) *Cache {
	c := &Cache{
		maxBytes: o.MaxBytes,
		stale:    o.StaleIfError,
		now:      o.Now,
		byMethod: make(map[string]map[string]struct{}),
	}
	if c.maxBytes <= 0 {
		c.maxBytes = DefaultMaxBytes
	}
	if c.stale < 0 {
		c.stale = 0
	}
	if c.now == nil {
		c.now = time.Now
	}
	// The LRU's own count bound is never what evicts: Set evicts by bytes.
	lru, err := simplelru.NewLRU[string, *Entry](math.MaxInt, nil)
	if err != nil {
		panic(err) // only for a size <= 0
	}
	c.lru = lru
	return c
}

// Size returns what an entry costs against the byte bound:
// len(key) + len(Body) + len(ContentType) + EntryOverhead.
func Size(key string, e *Entry) int64 {
	return int64(len(key)+len(e.Body)+len(e.ContentType)) + EntryOverhead
}

// Get returns the entry stored under key. fresh is false when it has
// expired; an expired entry is still returned (ok true) while younger than
// Expires+StaleIfError so the caller can serve it STALE on a transient
// failure, and dropped after that. Get marks the entry recently used.
//
// Get counts a hit when it returns a fresh entry, and counts nothing
// otherwise: only the caller knows whether a miss or an expired entry ends
// as a MISS or a STALE answer (see CountMiss, CountStale).
func (c *Cache) Get(key string) (e *Entry, fresh bool, ok bool) {
	return c.GetAt(key, c.now())
}

// GetAt is Get judged at now, a time the caller has just read from the
// cache's clock (the cache-hit path reads the clock as little as it can).
func (c *Cache) GetAt(key string, now time.Time) (e *Entry, fresh bool, ok bool) {
	c.mu.Lock()
	e, ok = c.lru.Get(key)
	if !ok {
		c.mu.Unlock()
		return nil, false, false
	}
	if e.Fresh(now) {
		c.mu.Unlock()
		c.hits.Add(1)
		return e, true, true
	}
	if now.Before(e.Expires.Add(c.stale)) {
		c.mu.Unlock()
		return e, false, true
	}
	c.removeLocked(key, e)
	c.mu.Unlock()
	return nil, false, false
}

// Peek is Get without side effects: it neither counts a hit nor marks the
// entry recently used nor drops it. A coalesced fetch uses it to re-check
// the cache (see Do).
func (c *Cache) Peek(key string) (e *Entry, fresh bool, ok bool) {
	now := c.now()
	c.mu.Lock()
	e, ok = c.lru.Peek(key)
	c.mu.Unlock()
	if !ok {
		return nil, false, false
	}
	if e.Fresh(now) {
		return e, true, true
	}
	if now.Before(e.Expires.Add(c.stale)) {
		return e, false, true
	}
	return nil, false, false
}

// Set stores a copy of e under key for ttl: Stored is now and Expires is
// now+ttl, whatever e held. It returns false, storing nothing, when ttl <= 0
// or the entry's Size exceeds MaxBytes/8; any entry already under key is
// then removed too, since the caller has just seen a newer answer than it.
//
// Set keeps e.Body without copying, unless its capacity exceeds its length
// by more than a quarter: the byte bound counts lengths, so a body read into
// a growing buffer would otherwise pin up to twice its size uncounted. (A
// quarter, because the allocator's own size-class rounding, which a copy
// cannot undo, reaches almost a fifth; io.ReadAll returns such slices.)
// After Set the caller must not modify the body.
//
// Set then evicts least recently used entries until the bytes charged are
// within MaxBytes, counting each eviction.
func (c *Cache) Set(key string, e Entry, ttl time.Duration) bool {
	if ttl <= 0 || Size(key, &e) > c.maxBytes/8 {
		c.Delete(key)
		return false
	}
	if len(e.Body) > 0 && cap(e.Body)-len(e.Body) > len(e.Body)/4 {
		e.Body = append(make([]byte, 0, len(e.Body)), e.Body...)
	}
	now := c.now()
	e.Stored, e.Expires = now, now.Add(ttl)
	ent := &e
	size := Size(key, ent)

	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.lru.Peek(key); ok {
		c.bytes -= Size(key, old)
	} else {
		c.index(key)
	}
	c.lru.Add(key, ent)
	c.bytes += size
	// The new entry is the most recent and at most MaxBytes/8, so this
	// loop never evicts it.
	for c.bytes > c.maxBytes {
		k, v, ok := c.lru.RemoveOldest()
		if !ok {
			break
		}
		c.bytes -= Size(k, v)
		c.unindex(k)
		c.evictions.Add(1)
	}
	return true
}

// Delete removes the entry under key, if any.
func (c *Cache) Delete(key string) {
	c.mu.Lock()
	if e, ok := c.lru.Peek(key); ok {
		c.removeLocked(key, e)
	}
	c.mu.Unlock()
}

// DeleteFunc removes every entry whose key matches and returns how many it
// removed. It scans the whole cache under the lock; prefer DeleteMethodFunc
// when the method is known. match must not call the Cache.
func (c *Cache) DeleteFunc(match func(key string) bool) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, keys := range c.byMethod {
		n += c.deleteMatchingLocked(keys, match)
	}
	return n
}

// DeleteMethodFunc removes the entries of method (any case) whose key
// matches and returns how many it removed. Only that method's keys are
// scanned. match must not call the Cache.
func (c *Cache) DeleteMethodFunc(method string, match func(key string) bool) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	keys, ok := c.byMethod[strings.ToLower(method)]
	if !ok {
		return 0
	}
	return c.deleteMatchingLocked(keys, match)
}

// DeleteMethodParam removes the entries of method (any case) whose
// parameter name equals value under case folding — the invalidation a
// write needs, e.g. ("user.getLovedTracks", "user", "RJ") after a love by
// RJ — and returns how many it removed.
func (c *Cache) DeleteMethodParam(method, name, value string) int {
	return c.DeleteMethodFunc(method, func(key string) bool {
		return KeyHasParam(key, name, value)
	})
}

// Len returns the number of entries, stale ones included.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

func (c *Cache) deleteMatchingLocked(keys map[string]struct{}, match func(string) bool) int {
	n := 0
	for k := range keys {
		if !match(k) {
			continue
		}
		// Deleting from keys (and from byMethod, once empty) while ranging
		// over them is allowed in Go.
		if e, ok := c.lru.Peek(k); ok {
			c.removeLocked(k, e)
			n++
		}
	}
	return n
}

func (c *Cache) removeLocked(key string, e *Entry) {
	c.lru.Remove(key)
	c.bytes -= Size(key, e)
	c.unindex(key)
}

func (c *Cache) index(key string) {
	m := KeyMethod(key)
	keys, ok := c.byMethod[m]
	if !ok {
		keys = make(map[string]struct{})
		c.byMethod[m] = keys
	}
	keys[key] = struct{}{}
}

func (c *Cache) unindex(key string) {
	m := KeyMethod(key)
	keys, ok := c.byMethod[m]
	if !ok {
		return
	}
	delete(keys, key)
	if len(keys) == 0 {
		delete(c.byMethod, m)
	}
}
