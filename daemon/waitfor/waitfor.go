// Package waitfor is how lastfmd's tests wait for something to happen: they
// poll the thing itself (a condition), never a duration. The deadline only
// bounds a hang, so it is generous: a test that passes on a quiet machine
// passes on one busy with other work, just later.
package waitfor

import (
	"testing"
	"time"
)

// Bound is the longest any test waits for an event before it calls it a
// hang. It is far above any event's real latency, even under -race on a
// loaded 2-core machine.
const Bound = 2 * time.Minute

// Poll is how often a condition is checked.
const Poll = 5 * time.Millisecond

// True waits until cond holds, failing t with "timed out waiting for what"
// after Bound.
func True(t testing.TB, what string, cond func() bool) {
	t.Helper()
	if !Within(Bound, cond) {
		t.Fatalf("timed out after %v waiting for %s", Bound, what)
	}
}

// Within polls cond until it holds or d has passed, and reports whether it
// held. For tests that must handle the hang themselves (a subprocess to
// kill, a log to print first).
func Within(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(Poll)
	}
	return true
}
