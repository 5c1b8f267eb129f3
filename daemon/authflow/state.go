package authflow

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"sync"
	"time"
)

// The browser flow's state: POST /auth/start makes a random state and a
// random cookie value, remembers the state bound to (a hash of) the cookie
// for 10 minutes, puts the cookie in the browser (HttpOnly, SameSite=Lax,
// Path=/auth/callback) and the state in the callback URL. The callback is
// honoured only when both come back together, once: a page elsewhere can
// neither forge a state (it is random) nor replay a leaked callback URL
// (it lacks the cookie, and the state is spent).
const (
	StateTTL = 10 * time.Minute
	// maxStates bounds the store: starting a flow is same-origin and
	// token-guarded, so this only caps a misbehaving local page or script.
	maxStates = 256
)

// Errors from States.Consume.
var (
	ErrStateUnknown  = errors.New("unknown or already used sign-in state")
	ErrStateExpired  = errors.New("the sign-in took longer than 10 minutes")
	ErrStateNoCookie = errors.New("the sign-in cookie is missing")
	ErrStateMismatch = errors.New("the sign-in cookie does not match the state")
)

type stateEntry struct {
	cookie  [sha256.Size]byte
	expires time.Time
	account string
}

// States is the one-time state store of the browser flow. It is safe for
// concurrent use.
type States struct {
	mu  sync.RWMutex
	now func() time.Time
	m   map[string]stateEntry
}

// NewStates returns an empty store on clock now (nil: time.Now).
func NewStates(now func() time.Time) *States {
	if now == nil {
		now = time.Now
	}
	return &States{now: now, m: map[string]stateEntry{}}
}

// New makes a state bound to a fresh cookie value, valid for 10 minutes,
// for an account name ("" = the Last.fm user name).
func (s *States) New(account string) (state, cookie string) {
	state, cookie = randomString(32), randomString(32)
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.m) >= maxStates {
		for k, e := range s.m {
			if !now.Before(e.expires) {
				delete(s.m, k)
			}
		}
	}
	for len(s.m) >= maxStates {
		// Still full of live states: drop the one closest to expiry.
		var oldest string
		var at time.Time
		for k, e := range s.m {
			if oldest == "" || e.expires.Before(at) {
				oldest, at = k, e.expires
			}
		}
		delete(s.m, oldest)
	}
	s.m[state] = stateEntry{cookie: sha256.Sum256([]byte(cookie)), expires: now.Add(StateTTL), account: account}
	return state, cookie
}

// Valid reports whether state is live and bound to cookie, without using
// it up or changing anything: the security guard asks this to let the
// callback through, and the handler then Consumes it.
func (s *States) Valid(state, cookie string) bool {
	_, err := s.check(state, cookie, false)
	return err == nil
}

// Consume checks state and cookie like Valid and uses the state up. It
// returns the account name the flow was started for.
func (s *States) Consume(state, cookie string) (string, error) {
	return s.check(state, cookie, true)
}

func (s *States) check(state, cookie string, consume bool) (string, error) {
	if state == "" {
		return "", ErrStateUnknown
	}
	if consume {
		s.mu.Lock()
		defer s.mu.Unlock()
	} else {
		s.mu.RLock()
		defer s.mu.RUnlock()
	}
	e, ok := s.m[state]
	if !ok {
		return "", ErrStateUnknown
	}
	if !s.now().Before(e.expires) {
		if consume {
			delete(s.m, state)
		}
		return "", ErrStateExpired
	}
	if cookie == "" {
		return "", ErrStateNoCookie
	}
	got := sha256.Sum256([]byte(cookie))
	if subtle.ConstantTimeCompare(got[:], e.cookie[:]) != 1 {
		return "", ErrStateMismatch
	}
	if consume {
		delete(s.m, state)
	}
	return e.account, nil
}
