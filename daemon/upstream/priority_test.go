package upstream

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/lastfmd/lastfmd/daemon/apperr"
)

// arrival is one caller of a priority test: it calls Wait at its time.
type arrival struct {
	name string
	at   time.Duration
	p    Priority
}

func callers(prefix string, n int, from, every time.Duration, p Priority) []arrival {
	out := make([]arrival, n)
	for i := range out {
		out[i] = arrival{name: fmt.Sprintf("%s%d", prefix, i+1), at: from + time.Duration(i)*every, p: p}
	}
	return out
}

// The limiter's priority, case by case. Each case runs in a synctest
// bubble, whose clock is fake and moves only when every caller sleeps: the
// limiter's injected clock is the bubble's time.Now, so the cases assert
// who is granted before whom, who is granted at once and who is refused,
// never how long a real run took.
func TestLimiterPriority(t *testing.T) {
	ms := time.Millisecond
	cases := []struct {
		name      string
		burst     int
		queueWait time.Duration
		arrivals  []arrival
		order     []string    // the grant order of these callers
		before    [][2]string // [0] is granted before [1]
		atOnce    []string    // granted without waiting
		refused   []string
		lastBy    time.Duration // every caller granted by then (0: not checked)
	}{
		{
			name: "background leaves the reserve to scripts", burst: 5,
			arrivals: slices.Concat(callers("b", 3, 0, ms, Background), callers("r", 3, 10*ms, ms, Interactive)),
			order:    []string{"b1", "b2", "r1", "r2", "r3", "b3"},
			atOnce:   []string{"b1", "b2", "r1", "r2", "r3"},
		},
		{
			name: "queued reads go before a background call queued earlier", burst: 5,
			arrivals: slices.Concat(callers("i", 5, 0, ms, Interactive),
				[]arrival{{"b1", 5 * ms, Background}}, callers("r", 2, 6*ms, ms, Interactive)),
			order:  []string{"i1", "i2", "i3", "i4", "i5", "r1", "r2", "b1"},
			atOnce: []string{"i1", "i2", "i3", "i4", "i5"},
		},
		{
			// 2 at once (the bucket down to the reserve), then one per
			// 1/rate: 12 calls by 5 s, as without priority.
			name: "background alone runs at the full rate, in arrival order", burst: 5,
			arrivals: callers("b", 12, 0, ms, Background),
			order:    []string{"b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8", "b9", "b10", "b11", "b12"},
			atOnce:   []string{"b1", "b2"},
			lastBy:   5*time.Second + 12*ms,
		},
		{
			// The reserve is 3 at most: with a bucket of 10, background
			// takes 7 at once and leaves 3 to the reads; the fourth read
			// waits for a token, and the last background call after it.
			name: "a large bucket keeps a reserve of 3", burst: 10,
			arrivals: slices.Concat(callers("b", 8, 0, ms, Background), callers("r", 4, 10*ms, ms, Interactive)),
			order:    []string{"b1", "b2", "b3", "b4", "b5", "b6", "b7", "r1", "r2", "r3", "r4", "b8"},
			atOnce:   []string{"b1", "b2", "b3", "b4", "b5", "b6", "b7", "r1", "r2", "r3"},
		},
		{
			name: "a bucket of one keeps no reserve, background still queues behind reads", burst: 1,
			arrivals: []arrival{{"b1", 0, Background}, {"r1", ms, Interactive}, {"b2", 2 * ms, Background}, {"r2", 3 * ms, Interactive}},
			order:    []string{"b1", "r1", "r2", "b2"},
			atOnce:   []string{"b1"},
		},
		{
			// Reads arrive faster than the rate for 25 s; without patience
			// b1 would wait until they stop. After 10 s it queues behind
			// the reads already waiting, ahead of those that come later.
			name: "a starved background call joins the interactive line", burst: 5,
			arrivals: slices.Concat(callers("i", 5, 0, ms, Interactive), []arrival{{"b1", 10 * ms, Background}},
				callers("r", 62, 20*ms, 400*ms, Interactive)),
			before: [][2]string{{"r25", "b1"}, {"b1", "r27"}}, // r25 came at 9.62 s, r27 at 10.42 s
		},
		{
			name: "background refused past the queue wait", burst: 5, queueWait: time.Second,
			arrivals: slices.Concat(callers("i", 7, 0, ms, Interactive), []arrival{{"b1", 10 * ms, Background}}),
			refused:  []string{"b1"},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				qw := c.queueWait
				if qw == 0 {
					qw = 30 * time.Second
				}
				l := NewLimiter(2, c.burst, qw, nil) // time.Now: the bubble's clock
				start := time.Now()
				var mu sync.Mutex
				var order, atOnce, refused []string
				var last time.Duration
				var wg sync.WaitGroup
				for _, a := range c.arrivals {
					wg.Go(func() {
						time.Sleep(a.at)
						err := l.Wait(context.Background(), a.p)
						mu.Lock()
						defer mu.Unlock()
						if err != nil {
							refused = append(refused, a.name)
							return
						}
						order = append(order, a.name)
						waited := time.Since(start) - a.at
						if waited == 0 {
							atOnce = append(atOnce, a.name)
						}
						last = max(last, time.Since(start))
					})
				}
				wg.Wait()
				if c.order != nil && !slices.Equal(order, c.order) {
					t.Errorf("granted in the order %v, want %v", order, c.order)
				}
				for _, b := range c.before {
					i, j := slices.Index(order, b[0]), slices.Index(order, b[1])
					if i < 0 || j < 0 || i > j {
						t.Errorf("%s granted at position %d, %s at %d: want %s first (order %v)", b[0], i, b[1], j, b[0], order)
					}
				}
				for _, name := range c.atOnce {
					if !slices.Contains(atOnce, name) {
						t.Errorf("%s waited; want it granted at once (granted at once: %v)", name, atOnce)
					}
				}
				if c.atOnce != nil && len(atOnce) != len(c.atOnce) {
					t.Errorf("granted at once: %v, want %v", atOnce, c.atOnce)
				}
				slices.Sort(refused)
				if !slices.Equal(refused, c.refused) {
					t.Errorf("refused %v, want %v", refused, c.refused)
				}
				if c.lastBy > 0 && last > c.lastBy {
					t.Errorf("the last grant came at %v, want by %v", last, c.lastBy)
				}
				if n := l.Waiting(); n != 0 {
					t.Errorf("%d callers still counted as waiting", n)
				}
			})
		})
	}
}

// A background caller whose context ends while it waits leaves its turn
// to the next one, and a refusal names a Retry-After.
func TestLimiterBackgroundCancelled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := NewLimiter(2, 5, 30*time.Second, nil)
		for range 2 { // down to the reserve
			if err := l.Wait(context.Background(), Background); err != nil {
				t.Fatal(err)
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		first := make(chan error, 1)
		go func() { first <- l.Wait(ctx, Background) }()
		synctest.Wait() // it holds the turn, sleeping until a token beyond the reserve
		second := make(chan error, 1)
		go func() { second <- l.Wait(context.Background(), Background) }()
		synctest.Wait()
		if n := l.Waiting(); n != 2 {
			t.Errorf("Waiting() = %d, want the 2 background callers", n)
		}
		cancel()
		if err := <-first; err == nil {
			t.Error("a cancelled background wait was granted")
		} else if ae := apperr.As(err); ae.Kind != apperr.RateLimited || ae.RetryAfter < time.Second {
			t.Errorf("cancelled background wait: %v", err)
		}
		if err := <-second; err != nil {
			t.Errorf("the next background caller: %v", err)
		}
	})
}

// A test's injected clock that does not move never refills the bucket;
// the patience is a real wait, so a background caller is still granted,
// as an interactive one is, instead of waiting until refused.
func TestLimiterBackgroundFrozenClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		frozen := time.Now()
		l := NewLimiter(2, 5, 30*time.Second, func() time.Time { return frozen })
		for range 2 { // down to the reserve, which never refills
			if err := l.Wait(context.Background(), Background); err != nil {
				t.Fatal(err)
			}
		}
		if err := l.Wait(context.Background(), Background); err != nil {
			t.Errorf("a background call under a frozen clock: %v", err)
		}
	})
}
