package signer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	// docs/design.md#reliability-rules, column "Last.fm codes / transport".
	tests := []struct {
		code      int
		carriesSK bool
		want      Class
	}{
		{ErrOperationFailed, false, ClassTransient},
		{ErrServiceOffline, false, ClassTransient},
		{ErrTemporary, true, ClassTransient},
		{ErrInvalidService, false, ClassTransient},
		{ErrRateLimited, false, ClassRateLimited},
		{ErrRateLimited, true, ClassRateLimited},
		{ErrInvalidSession, true, ClassReauth},
		{ErrInvalidSession, false, ClassReauth},
		{ErrAuthFailed, true, ClassReauth},
		{ErrAuthFailed, false, ClassPermanent},
		{ErrInvalidAPIKey, false, ClassKeyBroken},
		{ErrSuspendedKey, true, ClassKeyBroken},
		{ErrInvalidParams, true, ClassBadItem},
		{ErrInvalidResource, false, ClassBadItem},
		{ErrInvalidSignature, true, ClassBadItem},
		{ErrInvalidMethod, false, ClassPermanent},
		{ErrInvalidFormat, false, ClassPermanent},
		{ErrLoginRequired, false, ClassPermanent},
		{ErrDeprecated, false, ClassPermanent},
		{ErrTokenNotAuthorized, false, ClassPermanent},
		{ErrTokenExpired, false, ClassPermanent},
		{1, false, ClassPermanent},
		{12, false, ClassPermanent},
		{28, false, ClassPermanent},
		{0, false, ClassPermanent},
		{-1, false, ClassPermanent},
		{1000, true, ClassPermanent},
	}
	for _, tt := range tests {
		if got := Classify(tt.code, tt.carriesSK); got != tt.want {
			t.Errorf("Classify(%d, sk=%v) = %v, want %v", tt.code, tt.carriesSK, got, tt.want)
		}
	}
}

func TestClassifyProbe(t *testing.T) {
	for _, tt := range []struct {
		code int
		want Class
	}{
		{ErrInvalidSignature, ClassKeyBroken}, // 13 to a call without scrobbles: the secret
		{ErrInvalidAPIKey, ClassKeyBroken},
		{ErrSuspendedKey, ClassKeyBroken},
		{ErrServiceOffline, ClassTransient},
		{ErrRateLimited, ClassRateLimited},
		{ErrInvalidParams, ClassBadItem},
	} {
		if got := ClassifyProbe(tt.code); got != tt.want {
			t.Errorf("ClassifyProbe(%d) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestRetryLimitFor(t *testing.T) {
	for code, want := range map[int]int{ErrInvalidService: 2, ErrOperationFailed: 0, ErrServiceOffline: 0, ErrTemporary: 0, ErrRateLimited: 0} {
		if got := RetryLimitFor(code); got != want {
			t.Errorf("RetryLimitFor(%d) = %d, want %d", code, got, want)
		}
	}
}

func TestClassifyHTTP(t *testing.T) {
	for status, want := range map[int]Class{
		429: ClassRateLimited,
		500: ClassTransient, 502: ClassTransient, 503: ClassTransient, 504: ClassTransient, 599: ClassTransient,
		400: ClassPermanent, 403: ClassPermanent, 404: ClassPermanent, 406: ClassPermanent,
		301: ClassPermanent, 600: ClassPermanent,
	} {
		if got := ClassifyHTTP(status); got != want {
			t.Errorf("ClassifyHTTP(%d) = %v, want %v", status, got, want)
		}
	}
}

func TestClassifyTransport(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: &os.SyscallError{Syscall: "read", Err: syscall.ECONNRESET}}
	dns := &net.DNSError{Err: "no such host", Name: "ws.audioscrobbler.com", IsNotFound: true}
	tests := []struct {
		name      string
		err       error
		neverSent bool
	}{
		{"connection refused", fmt.Errorf("post: %w", refused), true},
		{"dns failure", fmt.Errorf("post: %w", dns), true},
		{"dial timeout", &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}, true},
		{"reset after sending", reset, false},
		{"timeout", context.DeadlineExceeded, false},
		{"cut-off body", io.ErrUnexpectedEOF, false},
		{"anything else", errors.New("boom"), false},
	}
	for _, tt := range tests {
		if got := ClassifyTransport(tt.err); got != ClassTransient {
			t.Errorf("%s: ClassifyTransport = %v, want transient", tt.name, got)
		}
		if got := NeverSent(tt.err); got != tt.neverSent {
			t.Errorf("%s: NeverSent = %v, want %v", tt.name, got, tt.neverSent)
		}
	}
}

func TestClassifyIgnored(t *testing.T) {
	if c, ok := ClassifyIgnored(IgnoredDailyLimit); !ok || c != ClassDailyCap {
		t.Errorf("ClassifyIgnored(5) = %v, %v; want daily_cap, true", c, ok)
	}
	for _, code := range []int{IgnoredNone, IgnoredArtist, IgnoredTrack, IgnoredTooOld, IgnoredTooNew, 6} {
		if _, ok := ClassifyIgnored(code); ok {
			t.Errorf("ClassifyIgnored(%d) reports an error class", code)
		}
	}
}

func TestDailyCapResume(t *testing.T) {
	berlin := time.FixedZone("CEST", 2*3600)
	tests := []struct{ now, want time.Time }{
		{time.Date(2026, 3, 1, 13, 5, 0, 0, time.UTC), time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)},
		{time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)},
		{time.Date(2026, 3, 2, 1, 0, 0, 0, berlin), time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)}, // 23:00 UTC on the 1st
	}
	for _, tt := range tests {
		if got := DailyCapResume(tt.now); !got.Equal(tt.want) {
			t.Errorf("DailyCapResume(%v) = %v, want %v", tt.now, got, tt.want)
		}
	}
}

func TestClassCallerStrings(t *testing.T) {
	want := map[Class]string{ClassTransient: "transient", ClassRateLimited: "rate_limited", ClassReauth: "reauth",
		ClassKeyBroken: "key_broken", ClassBadItem: "bad_item", ClassPermanent: "permanent", ClassDailyCap: "daily_cap", 42: "Class(42)"}
	for c, s := range want {
		if c.String() != s {
			t.Errorf("Class %d String = %q, want %q", int(c), c.String(), s)
		}
	}
	for c, s := range map[Caller]string{CallerRead: "read", CallerScrobble: "scrobble", CallerWrite: "write", CallerNowPlaying: "now_playing", -1: "Caller(-1)"} {
		if c.String() != s {
			t.Errorf("Caller %d String = %q, want %q", int(c), c.String(), s)
		}
	}
}

func TestMessageAndStatus(t *testing.T) {
	for _, code := range []int{2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 26, 27, 29} {
		if m := Message(code); m == "" || m[:7] == "Unknown" {
			t.Errorf("Message(%d) = %q", code, m)
		}
	}
	if m := Message(99); m != "Unknown error 99" {
		t.Errorf("Message(99) = %q", m)
	}
	for code, want := range map[int]int{3: 400, 6: 400, 13: 400, 4: 403, 10: 403, 17: 403, 9: 403, 29: 429, 11: 503, 16: 503, 8: 500} {
		if got := HTTPStatus(code); got != want {
			t.Errorf("HTTPStatus(%d) = %d, want %d", code, got, want)
		}
	}
	e := &APIError{Code: 6, Message: "User not found", HTTPStatus: 404}
	if e.Error() != "last.fm error 6: User not found" {
		t.Errorf("Error() = %q", e.Error())
	}
}
