package upstream

import (
	"strconv"
	"sync"
	"time"

	"github.com/lastfmd/lastfmd/signer"
)

// Stats counts upstream calls for /v1/status and /metrics. Only methods,
// outcomes and Last.fm's error messages are kept: never parameters.
type Stats struct {
	mu         sync.Mutex
	calls      uint64
	errors     uint64
	lastError  string
	lastAt     time.Time // the last failure
	lastOKAt   time.Time // the last success: with lastAt, whether trouble is over
	clockSkew  time.Duration
	clockKnown bool // an answer's Date was read: clockSkew is measured, not the zero it starts at
	keyProblem string
	keyCode    int // the Last.fm code behind keyProblem
	observer   func(method, outcome string, d time.Duration)
	skewLimit  time.Duration
	onSkew     func(skew time.Duration)
	skewed     bool // the skew is beyond skewLimit (warned once per episode)
	onKey      func(problem string)
}

// Snapshot is a copy of Stats for reporting.
type Snapshot struct {
	Calls, Errors uint64
	LastError     string
	LastErrorAt   time.Time
	LastOKAt      time.Time
	ClockSkew     time.Duration
	ClockKnown    bool // ClockSkew was measured on an answer's Date
	KeyProblem    string
}

// Observe registers a function called after every call (metrics).
func (s *Stats) Observe(f func(method, outcome string, d time.Duration)) {
	s.mu.Lock()
	s.observer = f
	s.mu.Unlock()
}

// outcomeCanceled is the outcome of a call whose caller went away before
// Last.fm answered: it counts as a call, never as Last.fm's failure.
const outcomeCanceled = "canceled"

// signed: the call carried api_sig, so its success also proves the
// secret right.
func (s *Stats) record(method, outcome string, r *Response, now time.Time, signed bool) {
	s.recordWhy(method, outcome, r, "", now, signed)
}

// recordWhy is record with why a call got no usable answer, for
// last_error (lastfmd's own words: never a URL or a parameter).
func (s *Stats) recordWhy(method, outcome string, r *Response, why string, now time.Time, signed bool) {
	s.mu.Lock()
	s.calls++
	var d time.Duration
	if r != nil {
		d = r.Duration
		if !r.Date.IsZero() {
			// Last.fm's Date has second resolution; skew under 2 s is noise.
			s.clockSkew = now.Sub(r.Date).Truncate(time.Second)
			s.clockKnown = true
			skewed := s.skewLimit > 0 && (s.clockSkew > s.skewLimit || s.clockSkew < -s.skewLimit)
			if skewed && !s.skewed && s.onSkew != nil {
				f, skew := s.onSkew, s.clockSkew
				defer f(skew) // after the lock is released
			}
			s.skewed = skewed
		}
	}
	switch outcome {
	case "ok":
		// Last.fm accepted the key again: the problem is over. A wrong
		// secret (13) is over only when a signed call passes: unsigned
		// reads never test it.
		if signed || s.keyCode != signer.ErrInvalidSignature {
			s.keyProblem, s.keyCode = "", 0
		}
		s.lastOKAt = now
	case outcomeCanceled:
		// The caller left before Last.fm answered: says nothing about
		// Last.fm's health, so neither an error nor a last failure.
	default:
		s.errors++
		s.lastAt = now
		switch {
		case r != nil && r.APIError != nil:
			s.lastError = r.APIError.Error()
			if isKeyProblem(method, r) {
				if p := keyProblem(r.APIError); p != s.keyProblem {
					s.keyProblem, s.keyCode = p, r.APIError.Code
					if f := s.onKey; f != nil {
						defer f(p) // after the lock is released
					}
				}
			}
		case r != nil:
			s.lastError = "HTTP " + strconv.Itoa(r.Status) + " from Last.fm"
		case why != "":
			s.lastError = method + ": " + why
		case outcome == "transport":
			s.lastError = method + ": no answer from Last.fm (connection failed or timed out)"
		default:
			s.lastError = method + ": " + outcome
		}
	}
	obs := s.observer
	s.mu.Unlock()
	if obs != nil {
		obs(method, outcome, d)
	}
}

// OnClockSkew registers f, called once when the local clock is found more
// than limit off the Date of Last.fm's answers (and again only after the
// clock was back within limit). Last.fm ignores scrobbles it thinks come
// from the future, so a skewed clock is worth a warning
// (docs/design.md#reliability-rules).
func (s *Stats) OnClockSkew(limit time.Duration, f func(skew time.Duration)) {
	s.mu.Lock()
	s.skewLimit, s.onSkew = limit, f
	s.mu.Unlock()
}

// OnKeyProblem registers f, called when Last.fm refuses the API key (10,
// 26) with a problem not already reported, so it is logged loudly once per
// episode; a successful call ends the episode.
func (s *Stats) OnKeyProblem(f func(problem string)) {
	s.mu.Lock()
	s.onKey = f
	s.mu.Unlock()
}

// isKeyProblem reports an answer that blames the application's key or
// secret: 10 and 26 always, 13 on auth.* calls, whose every parameter
// lastfmd chose itself (on a scrobble a 13 may be one bad item; the journal
// judges those).
func isKeyProblem(method string, r *Response) bool {
	return r.Class == signer.ClassKeyBroken ||
		r.APIError.Code == signer.ErrInvalidSignature && signer.PackageOf(method) == signer.PackageAuth
}

// keyProblem is the text /v1/status and `lastfmd status` show: the cause
// sign-in and config check name too, then Last.fm's own words.
func keyProblem(e *signer.APIError) string {
	if cause := signer.CredentialCause(e.Code, "", ""); cause != "" {
		return cause + " (" + e.Error() + ")"
	}
	return e.Error()
}

// Snapshot copies the counters.
func (s *Stats) Snapshot() Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Snapshot{Calls: s.calls, Errors: s.errors, LastError: s.lastError, LastErrorAt: s.lastAt, LastOKAt: s.lastOKAt,
		ClockSkew: s.clockSkew, ClockKnown: s.clockKnown, KeyProblem: s.keyProblem}
}
