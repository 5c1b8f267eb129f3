package journal

import (
	"math/rand/v2"
	"time"
)

// nextStep is the back-off step after one more failure: base first, then
// doubling, never above max (docs/design.md#reliability-rules: "retry with back-off 5 s -> 8 min").
func nextStep(step, base, max time.Duration) time.Duration {
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

// jitter spreads a step over [3/4 step, step], so that senders (and other
// lastfmd instances behind the same address) do not retry in lock step,
// while the step stays an upper bound.
func jitter(step time.Duration) time.Duration {
	if step <= 0 {
		return 0
	}
	q := step / 4
	return step - rand.N(q+1)
}
