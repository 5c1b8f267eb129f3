package signer

import (
	"strconv"
	"time"
)

// Caller is a column of the error table in
// docs/design.md#reliability-rules: who made the failed call.
type Caller int

// The callers, in the order of that table's columns.
const (
	CallerRead       Caller = iota // reads (cached)
	CallerScrobble                 // scrobbles, sent from the journal
	CallerWrite                    // other writes: love, unlove, tags
	CallerNowPlaying               // track.updateNowPlaying
)

var callerNames = [...]string{
	CallerRead:       "read",
	CallerScrobble:   "scrobble",
	CallerWrite:      "write",
	CallerNowPlaying: "now_playing",
}

// String returns "read", "scrobble", "write" or "now_playing".
func (c Caller) String() string {
	if c >= 0 && int(c) < len(callerNames) {
		return callerNames[c]
	}
	return "Caller(" + strconv.Itoa(int(c)) + ")"
}

// Rule is one cell of the table: what a caller does with a class. The zero
// Rule means "error to the caller", which is also what the table's "—"
// cells (a class that cannot reach that caller) get.
type Rule struct {
	Retry         bool // retry with jittered back-off
	RetryLimit    int  // retries allowed; 0 = unlimited within the deadline (code 2: see RetryLimitFor)
	Stale         bool // serve stale cache if any
	GlobalBackoff bool // start (or wait for) the back-off shared by every caller
	Journal       bool // writes: keep the call in the journal (other writes: only idempotent ones, when Last.fm is unreachable)
	PauseAccount  bool // stop sending for this account until it signs in again (or, daily cap, until 00:00 UTC)
	PauseAll      bool // stop sending for every account
	Split         bool // scrobble batch split and resent item by item
	DeadLetter    bool // move the failed item(s) to the dead letters
	Drop          bool // now playing dropped
	Alert         bool // log loudly once, show in status

	// RetryNarrow: only 11, 16 and a connection that was never made
	// (NeverSent) are retried; other transient failures may have taken
	// effect, so they go back to the caller. See RetriesCode.
	RetryNarrow bool

	// Backoff and BackoffMax bound the retry back-off where docs/design.md#reliability-rules sets
	// them (scrobbles 5 s to 8 min; rate limit from 10 s, doubling, cap left
	// to the caller when BackoffMax is 0).
	Backoff, BackoffMax time.Duration
}

// narrowRetryCodes are the codes the scrobbling guide says to retry
// (https://www.last.fm/api/scrobbling).
var narrowRetryCodes = map[int]bool{ErrServiceOffline: true, ErrTemporary: true}

// RetriesCode reports whether r retries a Last.fm error with this code
// (use NeverSent for transport errors when RetryNarrow is set).
func (r Rule) RetriesCode(code int) bool {
	return r.Retry && (!r.RetryNarrow || narrowRetryCodes[code])
}

// Back-off bounds from docs/design.md#reliability-rules.
const (
	retryBackoff        = 250 * time.Millisecond // a caller's read or write, inside its deadline
	retryBackoffMax     = 8 * time.Second
	scrobbleBackoff     = 5 * time.Second
	scrobbleBackoffMax  = 8 * time.Minute
	rateLimitBackoff    = 10 * time.Second
	rateLimitBackoffMax = 5 * time.Minute
)

// policy is the table of docs/design.md#reliability-rules, row by row (class) and
// column by column (caller). Keep the two in step.
var policy = [...][4]Rule{
	ClassTransient: {
		CallerRead:       {Retry: true, Stale: true, Backoff: retryBackoff, BackoffMax: retryBackoffMax},                      // retry with jittered back-off (250 ms doubling to 8 s) inside the caller's deadline; then stale cache if any
		CallerScrobble:   {Retry: true, Journal: true, Backoff: scrobbleBackoff, BackoffMax: scrobbleBackoffMax},              // retry with back-off 5 s -> 8 min
		CallerWrite:      {Retry: true, RetryNarrow: true, Journal: true, Backoff: retryBackoff, BackoffMax: retryBackoffMax}, // retry 11, 16, connection refused; journalled when unreachable
		CallerNowPlaying: {},                                                                                                  // never retried
	},
	ClassRateLimited: {
		CallerRead:       {GlobalBackoff: true, Stale: true, Backoff: rateLimitBackoff, BackoffMax: rateLimitBackoffMax},                // global back-off (10 s doubling to 5 min); stale cache if any
		CallerScrobble:   {Retry: true, GlobalBackoff: true, Journal: true, Backoff: rateLimitBackoff, BackoffMax: rateLimitBackoffMax}, // wait for the global back-off
		CallerWrite:      {Retry: true, GlobalBackoff: true, Backoff: rateLimitBackoff, BackoffMax: rateLimitBackoffMax},                // same
		CallerNowPlaying: {GlobalBackoff: true, Drop: true, Backoff: rateLimitBackoff, BackoffMax: rateLimitBackoffMax},                 // dropped
	},
	ClassReauth: {
		CallerRead:       {},                                  // —
		CallerScrobble:   {PauseAccount: true, Journal: true}, // pause that account until it signs in again
		CallerWrite:      {},                                  // error to caller
		CallerNowPlaying: {},                                  // error
	},
	ClassKeyBroken: {
		CallerRead:       {Alert: true},                                // error, logged loudly once, shown in status
		CallerScrobble:   {PauseAll: true, Alert: true, Journal: true}, // pause all accounts, alert
		CallerWrite:      {},                                           // error
		CallerNowPlaying: {},                                           // error
	},
	ClassBadItem: {
		CallerRead:       {},                              // error to caller
		CallerScrobble:   {Split: true, DeadLetter: true}, // split, resend item by item; dead-letter only the bad items
		CallerWrite:      {},                              // error
		CallerNowPlaying: {},                              // error
	},
	ClassPermanent: {
		CallerRead:       {},                 // error to caller
		CallerScrobble:   {DeadLetter: true}, // dead letter (per item)
		CallerWrite:      {},                 // error
		CallerNowPlaying: {},                 // error
	},
	ClassDailyCap: {
		CallerRead:       {},                                  // —
		CallerScrobble:   {PauseAccount: true, Journal: true}, // keep pending, pause that account until 00:00 UTC (DailyCapResume)
		CallerWrite:      {},                                  // —
		CallerNowPlaying: {},                                  // —
	},
}

// Policy returns the table's rule for (class, caller). An unknown class or
// caller gets the zero Rule: error to the caller, nothing retried.
func Policy(c Class, who Caller) Rule {
	if c < 0 || int(c) >= len(policy) || who < 0 || int(who) >= len(policy[c]) {
		return Rule{}
	}
	return policy[c][who]
}
