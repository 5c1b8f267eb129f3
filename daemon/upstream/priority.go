package upstream

import (
	"context"
	"time"

	"golang.org/x/time/rate"
)

// Priority says whether a person waits for a call. Scripts go first: the
// limiter serves every interactive call before any background one, so a
// drain of thousands of scrobbles or a sign-in nobody finishes cannot make
// a script wait (issue 21, point 7; docs/performance.md has the figures).
type Priority uint8

const (
	// Interactive: a script's read or write, now playing, a sign-in step a
	// person waits for. The zero value, so every call is interactive unless
	// it says otherwise.
	Interactive Priority = iota
	// Background: work nobody waits for at that moment, the journal's drain
	// and retries, sign-in polling.
	Background
)

// String is the priority's name, a metrics label: "interactive" or
// "background".
func (p Priority) String() string {
	if p == Background {
		return "background"
	}
	return "interactive"
}

// backgroundPatience is how long a background caller waits at the head of
// its line before it joins the interactive one (in order, behind the
// interactive callers already there; sooner when the queue wait or the
// caller's deadline is under twice this). Without it, scripts that keep
// the limiter busy would stop the journal for as long as they run; with
// it, background calls still get about one call per 10 s, each a batch of
// up to 50 scrobbles.
const backgroundPatience = 10 * time.Second

// maxReserve is the most tokens background calls leave to interactive
// ones: enough that a script's few calls in a row (5 reads 300 ms apart,
// at the default rate) each find a token at once during a drain.
const maxReserve = 3

// reserveFor is how many tokens background calls leave in a bucket of
// burst b: maxReserve, and never more than b-2. A background call takes a
// token only when the bucket holds one more than the reserve (4 of the
// default 5). The headroom of at least one token below b lets a background
// caller come back up to 1/rate late without the bucket filling and
// refill being lost, so with no script calls a drain still runs at the
// full rate. A bucket of 1 or 2 keeps no reserve: background calls then
// only queue behind interactive ones.
func reserveFor(b int) float64 { return float64(min(maxReserve, max(0, b-2))) }

// waitBackground waits for this caller's turn among background callers,
// then for the bucket to hold a token beyond the reserve, and takes it. An
// interactive caller takes tokens at once or queues by reservation, which
// leaves the bucket below the reserve until it is served, so a background
// caller never goes ahead of one. Past backgroundPatience it queues as an
// interactive caller would. The whole wait is bounded like an interactive
// one: the queue wait or the context's deadline, then RateLimited.
func (l *Limiter) waitBackground(ctx context.Context, now time.Time) error {
	limit := l.maxWait(ctx, now)
	start := time.Now()
	promoted, err := l.queueBackground(ctx, limit)
	if !promoted {
		return err
	}
	return l.waitInteractive(ctx, l.now(), limit-time.Since(start))
}

// queueBackground is waitBackground's wait in the background line: nil
// once it took a token, promoted when its patience ran out first. The
// bucket's tokens follow the injected clock; the patience and the bound
// are real waits, like the sleeps, so a test's clock that does not move
// cannot hold a caller for ever.
func (l *Limiter) queueBackground(ctx context.Context, limit time.Duration) (promoted bool, err error) {
	l.waiting.Add(1)
	defer l.waiting.Add(-1)
	giveUp := time.NewTimer(limit)
	defer giveUp.Stop()
	select {
	case l.turn <- struct{}{}:
		defer func() { <-l.turn }()
	case <-giveUp.C:
		return false, rateLimited(limit)
	case <-ctx.Done():
		return false, rateLimited(limit)
	}
	patience := time.NewTimer(min(backgroundPatience, limit/2))
	defer patience.Stop()
	for {
		d := l.takeBackground(l.now())
		if d == 0 {
			return false, nil
		}
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-patience.C:
			t.Stop()
			return true, nil
		case <-giveUp.C:
			t.Stop()
			return false, rateLimited(d)
		case <-ctx.Done():
			t.Stop()
			return false, rateLimited(d)
		}
	}
}

// takeBackground takes a token when the bucket holds one beyond the
// reserve at now and answers 0; otherwise it takes nothing and answers how
// long until the bucket could hold one (interactive callers may take it
// first, so the caller looks again then).
func (l *Limiter) takeBackground(now time.Time) time.Duration {
	if l.lim.Limit() == rate.Inf {
		return 0 // no limit: nothing to share
	}
	l.bucket.Lock()
	defer l.bucket.Unlock()
	need := l.reserve + 1
	tokens := l.lim.TokensAt(now)
	if tokens >= need {
		l.lim.ReserveN(now, 1) // due at once: the bucket holds it
		return 0
	}
	d := time.Duration((need - tokens) / float64(l.lim.Limit()) * float64(time.Second))
	return max(d, time.Millisecond)
}
