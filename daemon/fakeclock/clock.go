// Package fakeclock is the one settable clock that every test of lastfmd
// shares. It replaces the wall clock wherever a part takes a `func() time.Time`
// (the cache, the limiter, the journal, the sign-in flows, the emulator), so
// that durations, TTLs and per-second counts are checked against time the test
// moves by hand, never against the wall clock of a busy machine.
//
// Unit tests of code that sleeps or waits on timers use testing/synctest
// instead; see the rule in docs/testing.md.
package fakeclock

import (
	"sync"
	"time"
)

// Start is the default starting instant: fixed, so failures reproduce.
var Start = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Clock is a settable clock, safe for concurrent use. A stopped clock
// (New) moves only when the test calls Advance or Set. A running clock
// (Running) moves with the wall clock from its start and can also jump, for
// end-to-end tests whose parts still wait on real timers (back-offs) while
// the test crosses midnight or an hour-long outage at once.
type Clock struct {
	mu      sync.Mutex
	t       time.Time     // a stopped clock's time
	offset  time.Duration // a running clock's lead over the wall clock
	running bool
}

// New returns a stopped clock at start (Start when zero).
func New(start time.Time) *Clock {
	if start.IsZero() {
		start = Start
	}
	return &Clock{t: start}
}

// Running returns a clock that runs like the wall clock from start.
func Running(start time.Time) *Clock {
	return &Clock{offset: time.Until(start), running: true}
}

// Now reads the clock. Its method value is what parts take as their clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		return time.Now().Add(c.offset)
	}
	return c.t
}

// Advance moves the clock forward by d (backward when d < 0).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		c.offset += d
		return
	}
	c.t = c.t.Add(d)
}

// Set puts the clock at t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.running {
		c.offset = time.Until(t)
		return
	}
	c.t = t
}
