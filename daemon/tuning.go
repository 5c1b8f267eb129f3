package daemon

import (
	"time"

	"github.com/lastfmd/lastfmd/daemon/journal"
	"github.com/lastfmd/lastfmd/signer"
)

// Tuning is the daemon's waits that a test shortens, so that minutes of
// back-off and polling run in milliseconds. It is one explicit input of the
// wiring (Main.Tuning), never a knob production code looks up elsewhere.
//
// The zero value is production's waits, and a zero field keeps its
// default: `lastfmd run` and `lastfmd demo` never set it; tests set it
// through daemontest (Main, Start, SetPace). An injected clock (Main.Now)
// changes time; Tuning changes how long the parts wait.
type Tuning struct {
	// RetryBase is the first delay of a transient read or write retry
	// (the proxy's 250 ms). The limiter's back-off after Last.fm's 29
	// follows it (limiterBackoff).
	RetryBase time.Duration
	// SignInPoll is the desktop sign-in's first wait before
	// auth.getSession (authflow.DefaultPollInterval; the waits back off
	// from it).
	SignInPoll time.Duration
	// SignInLease is how long a background desktop sign-in goes on with
	// nobody asking how it goes (authflow.DefaultLease).
	SignInLease time.Duration
	// Journal is the journal's back-off bases and polling intervals
	// (journal.Tuning; its zero fields keep their defaults).
	Journal journal.Tuning
	// PagePoll is how often the page at / asks for its data
	// (httpapi.DefaultPagePoll, 2 s).
	PagePoll time.Duration
}

// rateLimitPerRetry is the ratio of the limiter's first back-off after a
// 29 to the first transient retry by default, both signer.Policy's: 10 s
// to 250 ms, 40.
var rateLimitPerRetry = int64(signer.Policy(signer.ClassRateLimited, signer.CallerRead).Backoff /
	signer.Policy(signer.ClassTransient, signer.CallerRead).Backoff)

// limiterBackoff is the limiter's first back-off after a 29 for this
// tuning: 0 (the limiter's default) unless RetryBase is shortened, then
// shortened by as much, so that a test keeps production's proportions (a
// rate limit waits 40 transient retries).
func (t Tuning) limiterBackoff() time.Duration {
	return time.Duration(rateLimitPerRetry) * t.RetryBase
}
