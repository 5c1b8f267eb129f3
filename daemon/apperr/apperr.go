// Package apperr holds the errors lastfmd makes itself. Each carries a Kind
// (what went wrong, independent of transport) and the Last.fm error code a
// client library expects: one of signer's Err* codes (signer/errors.go is
// the one table of Last.fm's codes, their meaning and their HTTP status).
// The HTTP transport maps Kind to a status in one place
// (httpapi/errors.go), so no handler picks status codes ad hoc.
package apperr

import (
	"errors"
	"fmt"
	"time"

	"github.com/lastfmd/lastfmd/signer"
)

// Kind says what class of failure an Error is. The transport maps it to an
// HTTP status.
type Kind int

// The kinds of error lastfmd reports.
const (
	Invalid          Kind = iota + 1 // bad input from the caller: 400
	Unauthorized                     // missing or wrong listener token: 401
	Forbidden                        // refused by policy (Host, browser, auth.* on /v1/): 403
	NotFound                         // no such route or account: 404
	MethodNotAllowed                 // wrong HTTP verb, e.g. a write by GET: 405 (/v1/) or 400 (/2.0/)
	TooLarge                         // body over its limit: 413
	RateLimited                      // the outbound limiter could not take the call in time: 429
	BadGateway                       // Last.fm unreachable or answered nonsense: 502
	Unavailable                      // lastfmd cannot take the call now (not ready, journal failed): 503
	Timeout                          // Last.fm did not answer in time: 504
	Internal                         // a bug; never expected: 500
	ClientGone                       // the client hung up before the answer: 499, which nobody reads
)

// Error is an error made by lastfmd, shaped like a Last.fm error.
type Error struct {
	Kind       Kind
	Code       int    // Last.fm error code sent to the client
	Message    string // one line, safe to show: never a secret or a parameter value that may be one
	RetryAfter time.Duration
	// Status overrides the status the Kind maps to, for the rare error
	// that comes with its own (an HTTP error the router raised: fromEcho).
	Status int
	// FromLastfm marks the verdict as Last.fm's answer, relayed in
	// lastfmd's words (reworded, or with a hint added): the answer then
	// does not say it is lastfmd's own (httpapi's writeError,
	// docs/errors.md), since Last.fm refused the call.
	FromLastfm bool
	Err        error // the cause, for logs (must not hold secrets either)
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Message, e.Err)
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// New returns an Error of kind k with Last.fm code and message.
func New(k Kind, code int, format string, args ...any) *Error {
	return &Error{Kind: k, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalidf is the common case: a bad parameter, Last.fm code 6, HTTP 400.
func Invalidf(format string, args ...any) *Error {
	return New(Invalid, signer.ErrInvalidParams, format, args...)
}

// As extracts an *Error from err, wrapping any other error as Internal.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Kind: Internal, Code: signer.ErrOperationFailed, Message: "internal error", Err: err}
}
