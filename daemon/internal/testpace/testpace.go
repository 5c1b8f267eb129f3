// Package testpace is how lastfmd's own tests run the daemon's
// minute-long waits (retry and journal back-offs, the desktop sign-in's
// polling and lease) in milliseconds, without a test-only field on daemon.Main: the
// production struct takes only what a user's daemon needs, and an injected
// clock (Main.Now) changes nothing but time.
//
// It is internal to daemon/, so only the daemon's wiring (which reads a
// pace in Open) and the test harnesses below daemon/ (daemon/daemontest,
// daemon/e2e) can reach it; a program that imports lastfmd cannot. A Main
// that no test paced runs at the defaults (docs/testing.md).
package testpace

import (
	"sync"
	"time"

	"github.com/lastfmd/lastfmd/daemon/journal"
)

// Pace replaces the daemon's default waits; a zero field keeps its default.
type Pace struct {
	// RetryBase is the first delay of a transient read or write retry
	// (250 ms) and, times 40, of the global back-off after Last.fm's 29
	// (10 s).
	RetryBase time.Duration
	// SignInPoll is the desktop sign-in's first wait before
	// auth.getSession (3 s; the waits back off from it).
	SignInPoll time.Duration
	// SignInLease is how long a background desktop sign-in goes on with
	// nobody asking how it goes (10 s).
	SignInLease time.Duration
	// Journal replaces the journal's back-off bases and polling intervals.
	Journal journal.Tuning
}

// paces holds the pace of each paced daemon until its Open, keyed by its
// *daemon.Main (as any: this package cannot import daemon, which imports
// it).
var (
	mu    sync.Mutex
	paces = map[any]Pace{}
)

// Set paces the daemon m before its Open. The fields p leaves zero keep
// what an earlier Set gave them, so that a test's options compose.
func Set(m any, p Pace) {
	mu.Lock()
	defer mu.Unlock()
	old := paces[m]
	if p.RetryBase == 0 {
		p.RetryBase = old.RetryBase
	}
	if p.SignInPoll == 0 {
		p.SignInPoll = old.SignInPoll
	}
	if p.SignInLease == 0 {
		p.SignInLease = old.SignInLease
	}
	if p.Journal == (journal.Tuning{}) {
		p.Journal = old.Journal
	}
	paces[m] = p
}

// Take is m's pace, read once by its Open: the zero Pace (every default)
// unless a test set one.
func Take(m any) Pace {
	mu.Lock()
	defer mu.Unlock()
	p := paces[m]
	delete(paces, m)
	return p
}
