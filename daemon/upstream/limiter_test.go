package upstream

import (
	"context"
	"errors"
	"sort"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/lastfmd/lastfmd/daemon/apperr"
)

// The limiter spaces calls at its rate after the burst, and refuses those
// that would wait longer than the queue wait. Inside a synctest bubble the
// clock is fake and moves only when every caller sleeps, so the grant times
// are exact.
func TestLimiterSpacesCallsAtTheRate(t *testing.T) {
	const rate, burst, queueWait = 10.0, 5, 2 * time.Second
	synctest.Test(t, func(t *testing.T) {
		l := NewLimiter(rate, burst, queueWait, nil) // time.Now: the bubble's clock
		start := time.Now()
		var mu sync.Mutex
		var granted []time.Duration
		refused := 0
		var wg sync.WaitGroup
		for i := 0; i < 40; i++ {
			wg.Go(func() {
				err := l.Wait(context.Background(), Interactive)
				mu.Lock()
				defer mu.Unlock()
				var ae *apperr.Error
				switch {
				case err == nil:
					granted = append(granted, time.Since(start))
				case errors.As(err, &ae) && ae.Kind == apperr.RateLimited && ae.RetryAfter >= time.Second:
					refused++
				default:
					t.Errorf("Wait: %v", err)
				}
			})
		}
		wg.Wait()
		sort.Slice(granted, func(i, j int) bool { return granted[i] < granted[j] })
		want := burst + int(rate*queueWait.Seconds())
		if len(granted) != want || refused != 40-want {
			t.Fatalf("%d granted, %d refused; want %d and %d", len(granted), refused, want, 40-want)
		}
		for i, at := range granted {
			wantAt := time.Duration(max(0, i-burst+1)) * time.Second / time.Duration(rate)
			if d := at - wantAt; d < -time.Millisecond || d > time.Millisecond {
				t.Errorf("call %d granted at %v, want %v", i, at, wantAt)
			}
		}
		// No one-second window holds more than rate+burst calls.
		for i := range granted {
			n := 0
			for _, at := range granted[i:] {
				if at-granted[i] < time.Second {
					n++
				}
			}
			if n > int(rate)+burst {
				t.Errorf("%d calls within a second from %v", n, granted[i])
			}
		}
	})
}
