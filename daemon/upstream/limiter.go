package upstream

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/backoff"
	"github.com/lastfmd/lastfmd/signer"
)

// Limiter is the one outbound token bucket every Last.fm call passes
// through, plus the global back-off Last.fm's error 29 starts. Last.fm
// publishes no number; clients see 29 well under 5 calls/s, so the default
// is 2/s with a burst of 5 (https://www.last.fm/api/intro, "Rate limits").
//
// Calls a person waits for go first (priority.go): a background call
// (Call.Background) takes a token only while it leaves a reserve in the
// bucket, and never while an interactive caller waits.
type Limiter struct {
	lim       *rate.Limiter
	queueWait time.Duration
	now       func() time.Time
	waiting   atomic.Int64
	// waitObs, when set, is told how long each Wait took (metrics:
	// lastfmd_limiter_wait_seconds). See ObserveWait.
	waitObs atomic.Pointer[func(time.Duration, Priority)]

	// bucket makes a background caller's look at the tokens and its take
	// one step, so that no other take slips in between and eats the reserve.
	bucket sync.Mutex
	// reserve is how many tokens background calls leave to interactive ones.
	reserve float64
	// turn is held by the background caller at the head of its line:
	// background callers wait one at a time, in the order they came
	// (a channel's waiting senders are woken first in, first out).
	turn chan struct{}

	mu           sync.Mutex
	backoffUntil time.Time
	backoffStep  time.Duration
	// BackoffBase is the first back-off after a 29 (doubling up to BackoffMax).
	BackoffBase time.Duration
	BackoffMax  time.Duration
}

// NewLimiter returns a limiter of r calls per second with burst b; a caller
// waits at most queueWait for its turn.
func NewLimiter(r float64, b int, queueWait time.Duration, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{
		lim:       rate.NewLimiter(rate.Limit(r), b),
		queueWait: queueWait,
		reserve:   reserveFor(b),
		turn:      make(chan struct{}, 1),
		now:       now,
		// The global back-off's bounds are the table's (10 s doubling to
		// 5 min: docs/design.md#reliability-rules).
		BackoffBase: signer.Policy(signer.ClassRateLimited, signer.CallerRead).Backoff,
		BackoffMax:  signer.Policy(signer.ClassRateLimited, signer.CallerRead).BackoffMax,
	}
}

// ObserveWait registers f, called after every Wait with the real time the
// caller spent in it (including a refused wait) and the call's priority,
// for the lastfmd_limiter_wait_seconds{priority} histogram. f must be cheap
// and safe for concurrent use.
func (l *Limiter) ObserveWait(f func(time.Duration, Priority)) {
	if f == nil {
		l.waitObs.Store(nil)
		return
	}
	l.waitObs.Store(&f)
}

// Wait takes a token for a call of priority p, waiting at most the queue
// wait or the context's deadline. Interactive callers wait in FIFO order
// (reservations are granted in the order they are made); background ones
// after them (priority.go). When the wait would be longer it takes nothing
// and answers RateLimited with a Retry-After.
func (l *Limiter) Wait(ctx context.Context, p Priority) error {
	obs := l.waitObs.Load()
	if obs == nil {
		return l.wait(ctx, p)
	}
	// Real time, not l.now: the wait is real sleeping even when tests
	// inject a clock.
	start := time.Now()
	err := l.wait(ctx, p)
	(*obs)(time.Since(start), p)
	return err
}

func (l *Limiter) wait(ctx context.Context, p Priority) error {
	now := l.now()
	if until := l.BackoffUntil(); now.Before(until) {
		d := until.Sub(now)
		if d > l.maxWait(ctx, now) {
			return rateLimited(d)
		}
		if err := backoff.Sleep(ctx, d); err != nil {
			return rateLimited(d)
		}
		now = l.now()
	}
	if p == Background {
		return l.waitBackground(ctx, now)
	}
	return l.waitInteractive(ctx, now, l.maxWait(ctx, now))
}

// waitInteractive reserves the next token, behind the interactive callers
// already waiting, and sleeps until it is due; a reservation due later
// than limit is given back and refused.
func (l *Limiter) waitInteractive(ctx context.Context, now time.Time, limit time.Duration) error {
	l.bucket.Lock()
	r := l.lim.ReserveN(now, 1)
	l.bucket.Unlock()
	if !r.OK() {
		return rateLimited(time.Second)
	}
	d := r.DelayFrom(now)
	if d == 0 {
		return nil
	}
	if d > limit {
		r.CancelAt(now)
		return rateLimited(d)
	}
	l.waiting.Add(1)
	defer l.waiting.Add(-1)
	if err := backoff.Sleep(ctx, d); err != nil {
		r.Cancel()
		return rateLimited(d)
	}
	return nil
}

func (l *Limiter) maxWait(ctx context.Context, now time.Time) time.Duration {
	w := l.queueWait
	if dl, ok := ctx.Deadline(); ok && dl.Sub(now) < w {
		w = dl.Sub(now)
	}
	return w
}

func rateLimited(d time.Duration) error {
	secs := int(math.Ceil(d.Seconds()))
	if secs < 1 {
		secs = 1
	}
	return &apperr.Error{
		Kind:       apperr.RateLimited,
		Code:       signer.ErrRateLimited,
		Message:    fmt.Sprintf("Rate Limit Exceeded - lastfmd's outbound limit is full, retry in %ds", secs),
		RetryAfter: time.Duration(secs) * time.Second,
	}
}

// Backoff starts (or doubles) the global back-off after Last.fm answered 29
// or HTTP 429: every caller waits it out, reads are served stale meanwhile.
func (l *Limiter) Backoff(now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.backoffStep == 0 || now.After(l.backoffUntil) {
		l.backoffStep = backoff.Next(l.backoffStep, l.BackoffBase, l.BackoffMax)
	}
	l.backoffUntil = now.Add(l.backoffStep)
}

// Recovered ends the doubling after a call Last.fm answered normally.
func (l *Limiter) Recovered() {
	l.mu.Lock()
	if l.backoffStep != 0 && !l.now().Before(l.backoffUntil) {
		l.backoffStep = 0
	}
	l.mu.Unlock()
}

// BackoffUntil is the end of the current global back-off (zero if none).
func (l *Limiter) BackoffUntil() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.backoffUntil
}

// Waiting is how many callers are waiting for a token now.
func (l *Limiter) Waiting() int { return int(l.waiting.Load()) }

// Rate and Burst report the configuration.
func (l *Limiter) Rate() float64 { return float64(l.lim.Limit()) }

// Burst reports the bucket size.
func (l *Limiter) Burst() int { return l.lim.Burst() }
