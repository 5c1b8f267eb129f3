package daemon

import (
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/config"
	"github.com/lastfmd/lastfmd/signer"
)

// Tuning's zero value is production's waits; a shortened retry base
// shortens the limiter's back-off after a 29 by as much.
func TestTuningReachesTheLimiter(t *testing.T) {
	cfg := config.Defaults()
	cfg.LastFM.Upstream = "http://127.0.0.1:1/2.0/"
	production := signer.Policy(signer.ClassRateLimited, signer.CallerRead).Backoff
	if got := time.Duration(rateLimitPerRetry) * 250 * time.Millisecond; got != production {
		t.Fatalf("the ratio gives %v for the proxy's 250 ms, the policy says %v", got, production)
	}
	for _, c := range []struct {
		tuning Tuning
		want   time.Duration
	}{
		{Tuning{}, production},
		{Tuning{SignInPoll: time.Millisecond}, production},
		{Tuning{RetryBase: 5 * time.Millisecond}, 200 * time.Millisecond},
	} {
		up, err := NewUpstream(&cfg, NewRedactor(&cfg), nil, c.tuning)
		if err != nil {
			t.Fatal(err)
		}
		if got := up.Limiter().BackoffBase; got != c.want {
			t.Errorf("%+v: the limiter backs off from %v, want %v", c.tuning, got, c.want)
		}
	}
}
