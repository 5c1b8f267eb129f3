package journal

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/upstream"
)

// Wait bounds a submitter's wait by d (Prefer: wait=N): d = 0 answers at
// once, d > 0 waits exactly d for an answer that does not come, and an
// answer ends the wait early. The journal is not started (no sender), and
// the synctest bubble's clock is fake, so the durations are exact.
func TestWaitIsBoundedByD(t *testing.T) {
	for _, d := range []time.Duration{0, time.Second, 7 * time.Second} {
		t.Run(d.String(), func(t *testing.T) {
			dir := t.TempDir()
			synctest.Test(t, func(t *testing.T) {
				store, err := accounts.Open(dir, nil)
				if err != nil {
					t.Fatal(err)
				}
				up, err := upstream.New(upstream.Options{Endpoint: "http://127.0.0.1:1/2.0/", APIKey: "k", Secret: "s",
					Timeout: time.Second, Limiter: upstream.NewLimiter(1, 1, time.Second, nil)})
				if err != nil {
					t.Fatal(err)
				}
				j, err := Open(Options{Dir: dir, Accounts: store, Upstream: up, MaxAge: 312 * time.Hour})
				if err != nil {
					t.Fatal(err)
				}
				defer j.Close()
				tickets, err := j.Submit("alice", scrobbles(1, "w"))
				if err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				out := j.Wait(context.Background(), tickets, d)
				if got := time.Since(start); got != d {
					t.Errorf("Wait(%v) returned after %v", d, got)
				}
				if len(out) != 1 || out[0].State != Pending {
					t.Errorf("outcome %+v, want pending", out)
				}

				// An answer ends a longer wait at once.
				done := make(chan []Outcome)
				go func() { done <- j.Wait(context.Background(), tickets, time.Hour) }()
				synctest.Wait() // the waiter is registered and blocked
				start = time.Now()
				j.notify([]Outcome{{ID: tickets[0].ID, State: Sent}})
				if out := <-done; out[0].State != Sent || time.Since(start) != 0 {
					t.Errorf("after the answer: %+v after %v", out, time.Since(start))
				}
			})
		})
	}
}
