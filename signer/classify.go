package signer

import (
	"errors"
	"net"
	"strconv"
	"syscall"
	"time"
)

// Class is a row of the error table in docs/design.md#reliability-rules: what kind of
// failure an answer is, independent of who made the call.
type Class int

// The classes, in the order of that table's rows.
const (
	ClassTransient   Class = iota // connect/timeout errors, HTTP 5xx, 8, 11, 16; 2 at most twice
	ClassRateLimited              // 29, HTTP 429
	ClassReauth                   // 9; 4 on a call carrying sk
	ClassKeyBroken                // 10, 26; 13 on every single-item resend of a split batch
	ClassBadItem                  // 6, 7; 13 on one item when others pass
	ClassPermanent                // 3, 5, 17, 27, others
	ClassDailyCap                 // scrobble ignored with code 5
)

var classNames = [...]string{
	ClassTransient:   "transient",
	ClassRateLimited: "rate_limited",
	ClassReauth:      "reauth",
	ClassKeyBroken:   "key_broken",
	ClassBadItem:     "bad_item",
	ClassPermanent:   "permanent",
	ClassDailyCap:    "daily_cap",
}

// String returns the lowercase name used in logs and metrics labels, e.g.
// "rate_limited".
func (c Class) String() string {
	if c >= 0 && int(c) < len(classNames) {
		return classNames[c]
	}
	return "Class(" + strconv.Itoa(int(c)) + ")"
}

// codeClass is the "Last.fm codes" column of docs/design.md#reliability-rules. Codes not
// listed are permanent; 4 depends on the session key (see Classify).
var codeClass = map[int]Class{
	ErrOperationFailed:  ClassTransient,
	ErrServiceOffline:   ClassTransient,
	ErrTemporary:        ClassTransient,
	ErrInvalidService:   ClassTransient, // at most twice: RetryLimitFor
	ErrRateLimited:      ClassRateLimited,
	ErrInvalidSession:   ClassReauth,
	ErrInvalidAPIKey:    ClassKeyBroken,
	ErrSuspendedKey:     ClassKeyBroken,
	ErrInvalidParams:    ClassBadItem,
	ErrInvalidResource:  ClassBadItem,
	ErrInvalidSignature: ClassBadItem, // key broken when the signed probe fails too: ClassifyProbe
}

// Classify a Last.fm error code. carriesSK: the call carried a session key;
// 4 then means the user revoked the application and must sign in again
// (https://lastfm-docs.github.io/api-docs/codes/), while without one it is a
// bad or unissued auth token, which only the auth flow can act on.
//
// 13 (bad signature) is a bad item here: a scrobble batch answered 13 is
// split and resent item by item, and the key or secret is to blame only
// when a signed call without scrobbles is answered 13 too (ClassifyProbe).
func Classify(code int, carriesSK bool) Class {
	if code == ErrAuthFailed {
		if carriesSK {
			return ClassReauth
		}
		return ClassPermanent
	}
	if c, ok := codeClass[code]; ok {
		return c
	}
	return ClassPermanent
}

// ClassifyProbe classifies the answer to the signed call that carries no
// scrobble, asked after a scrobble was answered 13: a 13 there too means the
// secret is wrong (key broken), not the scrobble.
func ClassifyProbe(code int) Class {
	if code == ErrInvalidSignature {
		return ClassKeyBroken
	}
	return Classify(code, false)
}

// ClassifyHTTP classifies an answer that had no Last.fm error body: 429 ->
// RateLimited, 5xx -> Transient, other non-2xx -> Permanent. Callers ask
// only about failed answers; a 2xx status also yields Permanent.
func ClassifyHTTP(status int) Class {
	switch {
	case status == 429:
		return ClassRateLimited
	case status >= 500 && status <= 599:
		return ClassTransient
	}
	return ClassPermanent
}

// ClassifyTransport classifies a transport error (connect refused, DNS,
// timeout, reset, a cut-off body): always ClassTransient. Such an error
// carries no verdict from Last.fm, so the call may be retried within the
// caller's deadline; it is the caller's own context, not this class, that
// ends the attempts.
func ClassifyTransport(err error) Class { return ClassTransient }

// NeverSent reports whether a transport error proves the request never
// reached Last.fm (connection refused, DNS failure, no route: a failed
// dial). Only such a failure lets a non-idempotent write be retried
// without risk of doing it twice; a timeout or reset after sending may
// have been processed.
func NeverSent(err error) bool {
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// Scrobble ignore codes, the ignoredMessage code of each item of a
// track.scrobble answer (https://www.last.fm/api/scrobbling). An ignored
// scrobble is not an error: the call succeeded and each item is filtered on
// its own.
const (
	IgnoredNone       = 0 // passed all filters
	IgnoredArtist     = 1 // artist filtered (some clients see 1 whatever the reason)
	IgnoredTrack      = 2 // track filtered
	IgnoredTooOld     = 3 // timestamp too far in the past (14 days)
	IgnoredTooNew     = 4 // timestamp too far in the future
	IgnoredDailyLimit = 5 // daily scrobble limit exceeded
)

// ClassifyIgnored classifies a scrobble's ignore code: 5 (daily limit) is
// ClassDailyCap, which keeps the item pending; every other code is a
// definite answer and reports false.
func ClassifyIgnored(code int) (Class, bool) {
	if code == IgnoredDailyLimit {
		return ClassDailyCap, true
	}
	return 0, false
}

// DailyCapResume returns when an account paused by the daily cap may send
// again: the next 00:00 UTC after now.
func DailyCapResume(now time.Time) time.Time {
	return now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
}

// RetryLimitFor returns how many retries code allows: 2 for error 2 (it is
// usually Last.fm's server trouble but sometimes a malformed request, so it
// gets two tries and then counts as permanent), and 0 for every other code,
// meaning "until the caller's deadline" for codes whose Rule says Retry.
func RetryLimitFor(code int) int {
	if code == ErrInvalidService {
		return 2
	}
	return 0
}
