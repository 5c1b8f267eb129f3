package signer

import (
	"testing"
	"time"
)

func TestPolicy(t *testing.T) {
	// Cells of docs/design.md#reliability-rules, quoted beside each check.
	tests := []struct {
		class Class
		who   Caller
		want  Rule
		cell  string
	}{
		{ClassTransient, CallerRead, Rule{Retry: true, Stale: true, Backoff: 250 * time.Millisecond, BackoffMax: 8 * time.Second},
			"retry with jittered back-off inside the caller's deadline; then stale cache if any"},
		{ClassTransient, CallerScrobble, Rule{Retry: true, Journal: true, Backoff: 5 * time.Second, BackoffMax: 8 * time.Minute},
			"retry with back-off 5 s → 8 min"},
		{ClassTransient, CallerWrite, Rule{Retry: true, RetryNarrow: true, Journal: true, Backoff: 250 * time.Millisecond, BackoffMax: 8 * time.Second},
			"retry 11, 16, connection refused; journalled when Last.fm is unreachable"},
		{ClassTransient, CallerNowPlaying, Rule{}, "never retried"},
		{ClassRateLimited, CallerRead, Rule{GlobalBackoff: true, Stale: true, Backoff: 10 * time.Second, BackoffMax: 5 * time.Minute},
			"global back-off for every caller (from 10 s, doubling, capped), stale cache if any"},
		{ClassRateLimited, CallerScrobble, Rule{Retry: true, GlobalBackoff: true, Journal: true, Backoff: 10 * time.Second, BackoffMax: 5 * time.Minute},
			"wait for the global back-off"},
		{ClassRateLimited, CallerWrite, Rule{Retry: true, GlobalBackoff: true, Backoff: 10 * time.Second, BackoffMax: 5 * time.Minute}, "same"},
		{ClassRateLimited, CallerNowPlaying, Rule{GlobalBackoff: true, Drop: true, Backoff: 10 * time.Second, BackoffMax: 5 * time.Minute}, "dropped"},
		{ClassReauth, CallerRead, Rule{}, "—"},
		{ClassReauth, CallerScrobble, Rule{PauseAccount: true, Journal: true}, "pause that account until it signs in again"},
		{ClassReauth, CallerWrite, Rule{}, "error to caller"},
		{ClassReauth, CallerNowPlaying, Rule{}, "error"},
		{ClassKeyBroken, CallerRead, Rule{Alert: true}, "error, logged loudly once, shown in status"},
		{ClassKeyBroken, CallerScrobble, Rule{PauseAll: true, Alert: true, Journal: true}, "pause all accounts, alert"},
		{ClassKeyBroken, CallerWrite, Rule{}, "error"},
		{ClassBadItem, CallerRead, Rule{}, "error to caller"},
		{ClassBadItem, CallerScrobble, Rule{Split: true, DeadLetter: true},
			"a batch answered 6/13 is split and resent item by item; only the bad items are dead-lettered"},
		{ClassBadItem, CallerNowPlaying, Rule{}, "error"},
		{ClassPermanent, CallerRead, Rule{}, "error to caller"},
		{ClassPermanent, CallerScrobble, Rule{DeadLetter: true}, "dead letter (per item)"},
		{ClassPermanent, CallerWrite, Rule{}, "error"},
		{ClassDailyCap, CallerScrobble, Rule{PauseAccount: true, Journal: true},
			"keep pending, pause that account until 00:00 UTC"},
		{ClassDailyCap, CallerRead, Rule{}, "—"},
		{Class(99), CallerRead, Rule{}, "unknown class"},
		{ClassTransient, Caller(99), Rule{}, "unknown caller"},
		{Class(-1), Caller(-1), Rule{}, "negative"},
	}
	for _, tt := range tests {
		if got := Policy(tt.class, tt.who); got != tt.want {
			t.Errorf("Policy(%v, %v) = %+v, want %+v (%q)", tt.class, tt.who, got, tt.want, tt.cell)
		}
	}
}

func TestPolicyCoversEveryCell(t *testing.T) {
	if len(policy) != int(ClassDailyCap)+1 {
		t.Fatalf("policy has %d rows, want one per class", len(policy))
	}
	// Never retry now playing; never drop anything but now playing.
	for c := ClassTransient; c <= ClassDailyCap; c++ {
		if Policy(c, CallerNowPlaying).Retry {
			t.Errorf("%v: now playing retried", c)
		}
		for _, who := range []Caller{CallerRead, CallerScrobble, CallerWrite} {
			if Policy(c, who).Drop {
				t.Errorf("%v/%v: dropped", c, who)
			}
		}
	}
}

func TestRetriesCode(t *testing.T) {
	w := Policy(ClassTransient, CallerWrite)
	for code, want := range map[int]bool{ErrServiceOffline: true, ErrTemporary: true, ErrOperationFailed: false, ErrInvalidService: false} {
		if got := w.RetriesCode(code); got != want {
			t.Errorf("write RetriesCode(%d) = %v, want %v", code, got, want)
		}
	}
	s := Policy(ClassTransient, CallerScrobble)
	for _, code := range []int{ErrOperationFailed, ErrServiceOffline, ErrTemporary, ErrInvalidService} {
		if !s.RetriesCode(code) {
			t.Errorf("scrobble RetriesCode(%d) = false", code)
		}
	}
	if Policy(ClassTransient, CallerNowPlaying).RetriesCode(ErrServiceOffline) {
		t.Error("now playing retries 11")
	}
}
