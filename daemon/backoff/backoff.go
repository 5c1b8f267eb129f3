// Package backoff owns the one back-off rule lastfmd waits by: a step that
// starts at a base, doubles with each further failure and never exceeds a
// maximum, optionally spread by jitter. The proxy's read and write retries,
// the journal's senders and the limiter's global pause after Last.fm's 29
// all use it, each with its own base and maximum. Sleep is the proxy's
// and the limiter's wait.
package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Next is the step after one more failure: base first (step <= 0), then
// doubling, never above max.
func Next(step, base, max time.Duration) time.Duration {
	switch {
	case step <= 0:
		step = base
	case step < max/2:
		step *= 2
	default:
		step = max
	}
	return min(step, max)
}

// Attempt is the step before retry attempt+1 (attempt counts from 0):
// base·2^attempt, never above max.
func Attempt(base, max time.Duration, attempt int) time.Duration {
	var step time.Duration
	for range attempt + 1 {
		step = Next(step, base, max)
	}
	return step
}

// Jitter spreads d at random over [d - d/div, d], so that callers (and
// other lastfmd instances behind the same address) do not retry in lock
// step, while d stays an upper bound. d <= 0 or div <= 0: d.
func Jitter(d time.Duration, div int) time.Duration {
	if d <= 0 || div <= 0 {
		return d
	}
	return d - rand.N(d/time.Duration(div)+1)
}

// Sleep waits d, or less when ctx ends first: then it returns ctx's error.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
