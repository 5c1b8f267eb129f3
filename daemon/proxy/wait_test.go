package proxy

import (
	"context"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/lastfmd/lastfmd/cache"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/upstream"
)

// hang is a Last.fm that takes every request and never answers.
type hang struct{}

func (hang) RoundTrip(r *http.Request) (*http.Response, error) {
	<-r.Context().Done()
	return nil, r.Context().Err()
}

// When Last.fm hangs, a read ends by LongestWait (FetchBudget plus the
// caller's grace) with a 504 of its own cause, cached path or not, retries
// included: in a synctest bubble, so the wait is measured on its fake
// clock, not the machine's.
func TestHangEndsWithinLongestWait(t *testing.T) {
	for _, withCache := range []bool{true, false} {
		synctest.Test(t, func(t *testing.T) {
			const timeout = 10 * time.Second
			up, err := upstream.New(upstream.Options{Endpoint: "http://127.0.0.1:1/2.0/", APIKey: "KEY", Secret: "SECRET",
				Timeout: timeout, Transport: hang{}})
			if err != nil {
				t.Fatal(err)
			}
			// Without TTLs every read bypasses the cache.
			o := Options{Upstream: up, MaxRetries: 4, Timeout: timeout, Cache: cache.New(cache.Options{})}
			if withCache {
				o.TTLs = TTLs{Short: time.Minute, Medium: time.Hour, Long: 24 * time.Hour}
			}
			s := New(o)
			if s.LongestWait() != 31*time.Second {
				t.Fatalf("LongestWait %v with a 10 s timeout; docs/faults.md says 31 s", s.LongestWait())
			}
			start := time.Now()
			_, err = s.Handle(context.Background(), &Request{Endpoint: V1, Method: "artist.getInfo", Params: map[string]string{"artist": "Cher"}})
			waited := time.Since(start) // the bubble's clock
			e := apperr.As(err)
			if e.Kind != apperr.Timeout || e.Message != "Last.fm did not answer in time" {
				t.Errorf("cache %v: %v (kind %d), want a 504 saying Last.fm did not answer", withCache, err, e.Kind)
			}
			if waited > s.LongestWait() || waited < timeout {
				t.Errorf("cache %v: the caller waited %v; longest %v", withCache, waited, s.LongestWait())
			}
		})
	}
}
