package cache

// Stats is a snapshot of the cache's gauges and counters. It carries what
// /v1/status shows under "cache" and what a Prometheus collector exposes as
// lastfmd_cache_hits_total, _misses_total, _stale_total, _evictions_total
// (counters) and lastfmd_cache_bytes, _entries (gauges).
type Stats struct {
	Entries  int   // entries held, stale ones included
	Bytes    int64 // bytes charged against the bound (see Size)
	MaxBytes int64 // the bound

	Hits      uint64 // fresh entries returned by Get
	Misses    uint64 // counted by the caller with CountMiss
	Stale     uint64 // counted by the caller with CountStale
	Evictions uint64 // entries dropped to keep within MaxBytes (not expiry, not Delete)

	Coalesced uint64 // Do callers that got another caller's result
	Waiting   int64  // Do callers waiting for a result now
}

// Stats returns a snapshot. Entries and Bytes are read together under the
// lock; the counters are read without it and may run slightly ahead.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	s := Stats{Entries: c.lru.Len(), Bytes: c.bytes, MaxBytes: c.maxBytes}
	c.mu.Unlock()
	s.Hits = c.hits.Load()
	s.Misses = c.misses.Load()
	s.Stale = c.staleServed.Load()
	s.Evictions = c.evictions.Load()
	s.Coalesced = c.coalesced.Load()
	s.Waiting = c.waiting.Load()
	return s
}

// CountMiss counts a read answered from upstream (X-Lastfmd-Cache: MISS).
// Get cannot count misses itself: an absent or expired entry may still end
// as a STALE answer, and a bypassing read never calls Get.
func (c *Cache) CountMiss() { c.misses.Add(1) }

// CountStale counts a read answered with an expired entry after a
// transient failure (X-Lastfmd-Cache: STALE).
func (c *Cache) CountStale() { c.staleServed.Add(1) }
