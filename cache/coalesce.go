package cache

import (
	"context"
	"fmt"
	"runtime/debug"
)

// PanicError is returned by Do, to every waiter, when fn panicked. fn runs
// on a goroutine of its own, out of reach of any HTTP server's recovery, so
// an unrecovered panic there would end the daemon.
type PanicError struct {
	Value any    // what fn panicked with
	Stack []byte // fn's stack at the panic
}

func (p *PanicError) Error() string {
	return fmt.Sprintf("cache: fetch panicked: %v", p.Value)
}

// Do coalesces concurrent identical misses: the first caller for key runs
// fn, and callers arriving while it runs wait for its result. shared reports
// whether this caller got another caller's result (the caller that ran fn
// gets false).
//
// fn runs with a context detached from every caller's cancellation
// (context.WithoutCancel of the first caller's ctx, so its values remain):
// a caller whose ctx is done returns ctx.Err() at once, and the call goes
// on for the others. fn must therefore bound itself, typically with
// context.WithTimeout. Errors are not remembered: once fn returns, the next
// Do for key runs fn again.
//
// Do does not store anything: fn decides what is cacheable and calls Set.
// fn should begin by re-checking the cache with Peek (unless the caller is
// bypassing it): a caller whose Get missed just before another caller's
// fetch finished would otherwise fetch the same answer again.
//
//	e, shared, err := c.Do(ctx, key, func(ctx context.Context) (*cache.Entry, error) {
//		if e, fresh, _ := c.Peek(key); fresh {
//			return e, nil
//		}
//		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
//		defer cancel()
//		... fetch; c.Set(key, entry, ttl) when cacheable ...
//	})
func (c *Cache) Do(ctx context.Context, key string, fn func(context.Context) (*Entry, error)) (e *Entry, shared bool, err error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	detached := context.WithoutCancel(ctx)
	// Only the closure of the caller that starts the flight runs, so this
	// caller's ran tells whether it was the leader. singleflight.Result's
	// own Shared is true for the leader too once anyone joined.
	ran := false
	ch := c.flight.DoChan(key, func() (v any, err error) {
		ran = true
		defer func() {
			if r := recover(); r != nil {
				v, err = nil, &PanicError{Value: r, Stack: debug.Stack()}
			}
		}()
		return fn(detached)
	})
	c.waiting.Add(1)
	defer c.waiting.Add(-1)
	select {
	case r := <-ch:
		// ran was written before fn's result was sent on ch: no race.
		shared = !ran
		if shared {
			c.coalesced.Add(1)
		}
		if r.Err != nil {
			return nil, shared, r.Err
		}
		e, _ = r.Val.(*Entry)
		return e, shared, nil
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
}
