package upstream

import (
	"context"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

// A call whose caller went away before Last.fm answered counts as a call
// with outcome "canceled", never as Last.fm's failure, whether it was in
// flight or waiting for a connection slot; a call lastfmd's own timeout
// ends is Last.fm's failure.
func TestCallerGoneNotCountedAgainstLastfm(t *testing.T) {
	arrived := make(chan struct{}, 1)
	c, _ := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done() // never answers
	})
	var mu sync.Mutex
	var outcomes []string
	c.Stats().Observe(func(_, outcome string, _ time.Duration) {
		mu.Lock()
		outcomes = append(outcomes, outcome)
		mu.Unlock()
	})

	// In flight: the caller hangs up once Last.fm has the call.
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-arrived
		cancel()
	}()
	if _, err := c.Do(ctx, Call{Method: "artist.getInfo"}); err == nil {
		t.Fatal("a cancelled call answered")
	}
	// Waiting for a slot: every connection is busy.
	for range cap(c.slots) {
		c.slots <- struct{}{}
	}
	if _, err := c.Do(ctx, Call{Method: "artist.getInfo"}); err == nil {
		t.Fatal("a cancelled call got a slot")
	}
	for range cap(c.slots) {
		<-c.slots
	}
	if s := c.Stats().Snapshot(); s.Calls != 2 || s.Errors != 0 || s.LastError != "" || !s.LastErrorAt.IsZero() {
		t.Errorf("a caller's hang-up counted against Last.fm: %+v", s)
	}

	// Last.fm too slow for lastfmd's own timeout: its failure.
	c.timeout = 50 * time.Millisecond
	if _, err := c.Do(context.Background(), Call{Method: "artist.getInfo"}); err == nil {
		t.Fatal("a hung call answered")
	}
	if s := c.Stats().Snapshot(); s.Errors != 1 || s.LastError == "" {
		t.Errorf("a timeout not counted against Last.fm: %+v", s)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"canceled", "canceled", "transport"}; !slices.Equal(outcomes, want) {
		t.Errorf("outcomes %v, want %v", outcomes, want)
	}
}
