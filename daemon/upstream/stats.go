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
	lastAt     time.Time
	clockSkew  time.Duration
	keyProblem string
	observer   func(method, outcome string, d time.Duration)
}

// Snapshot is a copy of Stats for reporting.
type Snapshot struct {
	Calls, Errors uint64
	LastError     string
	LastErrorAt   time.Time
	ClockSkew     time.Duration
	KeyProblem    string
}

// Observe registers a function called after every call (metrics).
func (s *Stats) Observe(f func(method, outcome string, d time.Duration)) {
	s.mu.Lock()
	s.observer = f
	s.mu.Unlock()
}

func (s *Stats) record(method, outcome string, r *Response, now time.Time) {
	s.mu.Lock()
	s.calls++
	var d time.Duration
	if r != nil {
		d = r.Duration
		if !r.Date.IsZero() {
			// Last.fm's Date has second resolution; skew under 2 s is noise.
			s.clockSkew = now.Sub(r.Date).Truncate(time.Second)
		}
	}
	if outcome != "ok" {
		s.errors++
		s.lastAt = now
		switch {
		case r != nil && r.APIError != nil:
			s.lastError = r.APIError.Error()
			if r.Class == signer.ClassKeyBroken {
				s.keyProblem = r.APIError.Error()
			}
		case r != nil:
			s.lastError = "HTTP " + strconv.Itoa(r.Status) + " from Last.fm"
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

// Snapshot copies the counters.
func (s *Stats) Snapshot() Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Snapshot{Calls: s.calls, Errors: s.errors, LastError: s.lastError, LastErrorAt: s.lastAt,
		ClockSkew: s.clockSkew, KeyProblem: s.keyProblem}
}
