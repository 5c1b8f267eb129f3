package upstream

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// ObserveWait sees every Wait: an immediate grant (about zero), a real wait
// for a token (about 1/rate), and a refusal (about zero, the caller did not
// wait). These feed lastfmd_limiter_wait_seconds. In a synctest bubble the
// waits are exact.
func TestMetricsLimiterWaitObserved(t *testing.T) {
	synctest.Test(t, testLimiterWaitObserved)
}

func testLimiterWaitObserved(t *testing.T) {
	l := NewLimiter(10, 1, 200*time.Millisecond, nil) // 1 token, then one per 100 ms
	var mu sync.Mutex
	var got []time.Duration
	var prios []Priority
	l.ObserveWait(func(d time.Duration, p Priority) {
		mu.Lock()
		got = append(got, d)
		prios = append(prios, p)
		mu.Unlock()
	})
	ctx := context.Background()
	if err := l.Wait(ctx, Interactive); err != nil { // the burst token: no wait
		t.Fatal(err)
	}
	if err := l.Wait(ctx, Interactive); err != nil { // waits ~100 ms for the next token
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if err := l.Wait(short, Interactive); err == nil { // the next token is ~100 ms away: refused at once
		t.Fatal("a wait longer than the deadline was granted")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 3 {
		t.Fatalf("observed %d waits, want 3: %v", len(got), got)
	}
	if got[0] != 0 {
		t.Errorf("immediate grant observed as %v", got[0])
	}
	if got[1] != 100*time.Millisecond {
		t.Errorf("a wait for a token observed as %v, want 100ms", got[1])
	}
	if got[2] != 0 {
		t.Errorf("a refused wait observed as %v, want 0", got[2])
	}
	if prios[0] != Interactive || prios[0].String() != "interactive" || Background.String() != "background" {
		t.Errorf("priorities observed %v", prios)
	}

	// Unregistering stops the calls.
	l.ObserveWait(nil)
	l2 := len(got)
	mu.Unlock()
	_ = l.Wait(short, Interactive)
	mu.Lock()
	if len(got) != l2 {
		t.Error("observer still called after ObserveWait(nil)")
	}
}
