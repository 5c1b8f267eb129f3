package cache

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// waitFor waits for cond; the bound only catches a hang.
func waitFor(t *testing.T, what string, cond func() bool) { t.Helper(); waitfor.True(t, what, cond) }

// flight is a fetch the test releases by hand, counting its calls.
type flight struct {
	calls   atomic.Int32
	release chan struct{}
	entry   *Entry
	err     error
	ctxErr  atomic.Value // ctx.Err() seen by fn after release
}

func newFlight(e *Entry, err error) *flight {
	return &flight{release: make(chan struct{}), entry: e, err: err}
}

func (f *flight) fn(ctx context.Context) (*Entry, error) {
	f.calls.Add(1)
	<-f.release
	f.ctxErr.Store(errOrNone(ctx.Err()))
	return f.entry, f.err
}

func errOrNone(err error) string {
	if err == nil {
		return "none"
	}
	return err.Error()
}

type result struct {
	e      *Entry
	shared bool
	err    error
}

func TestDoCoalesces(t *testing.T) {
	tests := []struct {
		name  string
		entry *Entry
		err   error
	}{
		{"success shared by all", &Entry{Status: 200, Body: []byte("ok")}, nil},
		{"error returned to all, not cached", nil, errors.New("upstream 503")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const n = 50
			c := New(Options{})
			f := newFlight(tt.entry, tt.err)
			results := make([]result, n)
			var wg sync.WaitGroup
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					e, shared, err := c.Do(context.Background(), "k", f.fn)
					results[i] = result{e, shared, err}
				}(i)
			}
			waitFor(t, "50 waiting callers", func() bool { return c.Stats().Waiting == n })
			close(f.release)
			wg.Wait()

			if got := f.calls.Load(); got != 1 {
				t.Fatalf("fn called %d times, want 1", got)
			}
			leaders := 0
			for i, r := range results {
				if r.e != tt.entry || !errors.Is(r.err, tt.err) {
					t.Errorf("caller %d got %v, %v", i, r.e, r.err)
				}
				if !r.shared {
					leaders++
				}
			}
			if leaders != 1 {
				t.Errorf("%d callers report shared=false, want exactly 1", leaders)
			}
			if s := c.Stats(); s.Coalesced != n-1 || s.Waiting != 0 || s.Entries != 0 {
				t.Errorf("stats %+v", s)
			}

			// Nothing is remembered: the next Do runs fn again.
			f2 := newFlight(tt.entry, tt.err)
			close(f2.release)
			if _, shared, _ := c.Do(context.Background(), "k", f2.fn); shared || f2.calls.Load() != 1 {
				t.Errorf("second Do: shared %v, calls %d", shared, f2.calls.Load())
			}
		})
	}
}

func TestDoCancelledCallerLeavesOthers(t *testing.T) {
	tests := []struct {
		name         string
		cancelLeader bool
	}{
		{"a waiter gives up", false},
		{"the caller running fn gives up", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(Options{})
			want := &Entry{Status: 200, Body: []byte("ok")}
			f := newFlight(want, nil)

			quitCtx, quit := context.WithCancel(context.Background())
			defer quit()
			leaderCtx := context.Background()
			if tt.cancelLeader {
				leaderCtx = quitCtx
			}

			// The leader starts the flight alone, so it is the one running fn.
			leaderRes := make(chan result, 1)
			go func() {
				e, shared, err := c.Do(leaderCtx, "k", f.fn)
				leaderRes <- result{e, shared, err}
			}()
			waitFor(t, "fn to start", func() bool { return f.calls.Load() == 1 })

			const others = 5
			var wg sync.WaitGroup
			otherRes := make([]result, others)
			for i := 0; i < others; i++ {
				wg.Add(1)
				go func(i int) {
					defer wg.Done()
					e, shared, err := c.Do(context.Background(), "k", f.fn)
					otherRes[i] = result{e, shared, err}
				}(i)
			}
			quitterRes := make(chan result, 1)
			waiting := int64(others + 1)
			if !tt.cancelLeader {
				waiting++
				go func() {
					e, shared, err := c.Do(quitCtx, "k", f.fn)
					quitterRes <- result{e, shared, err}
				}()
			}
			waitFor(t, "all callers waiting", func() bool { return c.Stats().Waiting == waiting })

			// The flight is still held: the cancelled caller returns
			// without it, or this receive hangs until the test's bound.
			quit()
			var r result
			if tt.cancelLeader {
				r = <-leaderRes
			} else {
				r = <-quitterRes
			}
			if !errors.Is(r.err, context.Canceled) || r.e != nil {
				t.Errorf("cancelled caller got %v, %v", r.e, r.err)
			}

			close(f.release)
			wg.Wait()
			for i, r := range otherRes {
				if r.err != nil || r.e != want || !r.shared {
					t.Errorf("caller %d got %+v", i, r)
				}
			}
			if !tt.cancelLeader {
				if r := <-leaderRes; r.err != nil || r.e != want || r.shared {
					t.Errorf("leader got %+v", r)
				}
			}
			waitFor(t, "fn to finish", func() bool { return f.ctxErr.Load() != nil })
			if got := f.ctxErr.Load(); got != "none" {
				t.Errorf("fn's context was cancelled: %v", got)
			}
			if f.calls.Load() != 1 {
				t.Errorf("fn called %d times", f.calls.Load())
			}
		})
	}
}

func TestDoDoneContext(t *testing.T) {
	c := New(Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	called := false
	_, _, err := c.Do(ctx, "k", func(context.Context) (*Entry, error) { called = true; return nil, nil })
	if !errors.Is(err, context.Canceled) || called {
		t.Errorf("err %v, called %v", err, called)
	}
}

func TestDoKeepsContextValues(t *testing.T) {
	type ctxKey struct{}
	c := New(Options{})
	ctx := context.WithValue(context.Background(), ctxKey{}, "request-42")
	var got any
	c.Do(ctx, "k", func(ctx context.Context) (*Entry, error) {
		got = ctx.Value(ctxKey{})
		return nil, nil
	})
	if got != "request-42" {
		t.Errorf("value %v", got)
	}
}

func TestDoPanic(t *testing.T) {
	c := New(Options{})
	_, _, err := c.Do(context.Background(), "k", func(context.Context) (*Entry, error) {
		panic("boom")
	})
	var pe *PanicError
	if !errors.As(err, &pe) || pe.Value != "boom" || len(pe.Stack) == 0 {
		t.Fatalf("err = %v", err)
	}
}

// TestDoRecheck shows the read path Do's doc recommends: a caller whose Get
// missed before another fetch stored the entry finds it with Peek instead of
// fetching again.
func TestDoRecheck(t *testing.T) {
	c := New(Options{})
	key := Key("artist.getInfo", map[string]string{"artist": "Cher"}, "")
	var upstream atomic.Int32
	fetch := func(ctx context.Context) (*Entry, error) {
		if e, fresh, _ := c.Peek(key); fresh {
			return e, nil
		}
		upstream.Add(1)
		c.Set(key, Entry{Status: 200, Body: []byte("cher")}, time.Minute)
		e, _, _ := c.Peek(key)
		return e, nil
	}
	// Caller B's Get misses...
	if _, _, ok := c.Get(key); ok {
		t.Fatal("hit on an empty cache")
	}
	// ...then caller A's fetch completes and stores...
	c.Do(context.Background(), key, fetch)
	// ...then B's Do starts a new flight, which finds the stored entry.
	e, _, err := c.Do(context.Background(), key, fetch)
	if err != nil || string(e.Body) != "cher" || upstream.Load() != 1 {
		t.Errorf("e %v err %v upstream calls %d", e, err, upstream.Load())
	}
}
