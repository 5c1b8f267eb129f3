package authflow

import (
	"errors"
	"testing"
	"time"
)

func TestStates(t *testing.T) {
	clock := newFakeClock()
	s := NewStates(clock.Now)
	state, cookie := s.New("work")
	other, otherCookie := s.New("")
	if len(state) < 40 || len(cookie) < 40 || state == cookie || state == other {
		t.Fatalf("weak state %q / cookie %q", state, cookie)
	}
	cases := []struct {
		name          string
		state, cookie string
		want          error
	}{
		{"no state", "", cookie, ErrStateUnknown},
		{"forged state", "forged", cookie, ErrStateUnknown},
		{"state without cookie", state, "", ErrStateNoCookie},
		{"another flow's cookie", state, otherCookie, ErrStateMismatch},
		{"cookie of this flow, state of another", other, cookie, ErrStateMismatch},
	}
	for _, c := range cases {
		if s.Valid(c.state, c.cookie) {
			t.Errorf("%s: Valid", c.name)
		}
		if _, err := s.Consume(c.state, c.cookie); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	// Failed attempts did not use the state up, and Valid never does.
	for i := 0; i < 3; i++ {
		if !s.Valid(state, cookie) {
			t.Fatal("Valid used the state up")
		}
	}
	account, err := s.Consume(state, cookie)
	if err != nil || account != "work" {
		t.Fatalf("Consume: %q, %v", account, err)
	}
	// Replay.
	if s.Valid(state, cookie) {
		t.Error("replayed state is valid")
	}
	if _, err := s.Consume(state, cookie); !errors.Is(err, ErrStateUnknown) {
		t.Errorf("replay: %v", err)
	}
	// Ten minutes.
	clock.Advance(StateTTL - time.Second)
	if !s.Valid(other, otherCookie) {
		t.Error("state expired early")
	}
	clock.Advance(time.Second)
	if s.Valid(other, otherCookie) {
		t.Error("state valid after 10 minutes")
	}
	if _, err := s.Consume(other, otherCookie); !errors.Is(err, ErrStateExpired) {
		t.Errorf("expired: %v", err)
	}
}

// The store stays bounded, dropping the states closest to expiry.
func TestStatesBounded(t *testing.T) {
	clock := newFakeClock()
	s := NewStates(clock.Now)
	first, firstCookie := s.New("")
	var last, lastCookie string
	for i := 0; i < maxStates*2; i++ {
		clock.Advance(time.Millisecond)
		last, lastCookie = s.New("")
	}
	if n := len(s.m); n > maxStates {
		t.Errorf("%d states kept", n)
	}
	if s.Valid(first, firstCookie) || !s.Valid(last, lastCookie) {
		t.Error("the oldest state should go first")
	}
}

func FuzzStates(f *testing.F) {
	f.Add("state", "cookie")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, state, cookie string) {
		s := NewStates(nil)
		real, realCookie := s.New("")
		if state == real && cookie == realCookie {
			return
		}
		if s.Valid(state, cookie) {
			t.Fatal("a guessed state is valid")
		}
		if _, err := s.Consume(state, cookie); err == nil {
			t.Fatal("a guessed state was consumed")
		}
		if !s.Valid(real, realCookie) {
			t.Fatal("a wrong guess spent the real state")
		}
	})
}
