package client

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/lastfmd/lastfmd/api"
	"github.com/lastfmd/lastfmd/signer"

	"github.com/lastfmd/lastfmd/internal/clip"
)

// Error is every failure to get an answer from the daemon: a refusal (an
// HTTP status of 400 or more, or a Last.fm-shaped error document), or no
// answer at all (Status 0: nothing listens, a timeout, a closed socket).
// Decoding happens once, here; callers branch on the fields.
type Error struct {
	Addr string // the daemon's address, as given to New
	Path string // the path asked, e.g. "/v1/queue"
	// Status is the answer's HTTP status; 0 when no daemon answered.
	Status int
	// Code is the error code of a {"error":N,"message":"..."} document
	// (Last.fm's codes, which lastfmd uses for its own refusals too: see
	// docs/errors.md); 0 when the answer held none.
	Code int
	// ByLastfmd says the error document is lastfmd's own (it carried
	// ErrorSourceHeader): lastfmd refused or failed the call itself, and
	// Last.fm said nothing. False for Last.fm's answer, passed on.
	ByLastfmd bool
	// Message is the daemon's message, or the start of a body that was not
	// an error document (the probes answer plain text).
	Message string
	// TokenSent says whether the request carried the listener token: a 401
	// without it means the daemon requires one.
	TokenSent bool
	// Err is the transport's error when Status is 0.
	Err error

	body []byte // the answer as received (Call returns it)
}

// NoAnswer reports whether no daemon answered at all.
func (e *Error) NoAnswer() bool { return e.Status == 0 }

// Error is one line: "lastfmd error N: MESSAGE (HTTP S)" for lastfmd's
// own error document, "last.fm error N: MESSAGE (HTTP S)" for Last.fm's,
// "PATH at ADDR answered HTTP S: TEXT" for another answer (not lastfmd, or
// an older one), "no daemon answers at ADDR (CAUSE)" without one.
func (e *Error) Error() string {
	switch {
	case e.Status == 0 && e.Err != nil:
		return fmt.Sprintf("no daemon answers at %s (%v)", e.Addr, e.Err)
	case e.Status == 0:
		return "no daemon answers at " + e.Addr
	case e.Code != 0 && e.ByLastfmd:
		return fmt.Sprintf("lastfmd error %d: %s (HTTP %d)", e.Code, e.Message, e.Status)
	case e.Code != 0:
		return fmt.Sprintf("last.fm error %d: %s (HTTP %d)", e.Code, e.Message, e.Status)
	case e.Message != "":
		return fmt.Sprintf("%s at %s answered HTTP %d: %s", e.Path, e.Addr, e.Status, e.Message)
	}
	return fmt.Sprintf("%s at %s answered HTTP %d", e.Path, e.Addr, e.Status)
}

// Unwrap is the transport's error, if any.
func (e *Error) Unwrap() error { return e.Err }

// AsError returns err's *Error, if it holds one.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// maxMessage bounds a message taken from a body that is not an error
// document.
const maxMessage = 200

// ErrorSourceHeader and ErrorSourceLastfmd mark an error document lastfmd
// made itself (api.ErrorSourceHeader).
const (
	ErrorSourceHeader  = api.ErrorSourceHeader
	ErrorSourceLastfmd = api.ErrorSourceLastfmd
)

// byLastfmd reads ErrorSourceHeader: the one place a client tells
// lastfmd's errors from Last.fm's.
func byLastfmd(h http.Header) bool { return h.Get(ErrorSourceHeader) == ErrorSourceLastfmd }

// decodeError reads an answer's body: an error document's code and
// message (signer.DecodeError, the project's one decoder of them) and who
// made it (the header), else the start of the body as text.
func decodeError(addr, path string, status int, h http.Header, body []byte, tokenSent bool) *Error {
	e := &Error{Addr: addr, Path: path, Status: status, TokenSent: tokenSent, body: body}
	if apiErr := signer.DecodeError(body); apiErr != nil {
		e.Code, e.Message, e.ByLastfmd = apiErr.Code, flatten(apiErr.Message), byLastfmd(h)
		return e
	}
	e.Message = textMessage(body)
	if e.Message == "" {
		e.Message = http.StatusText(status)
	}
	return e
}

// flatten is s on one line: an error is printed as one.
func flatten(s string) string {
	return strings.Join(strings.Fields(strings.ToValidUTF8(s, "?")), " ")
}

// textMessage is a plain-text body as one short line.
func textMessage(body []byte) string {
	return clip.Line(flatten(string(body)), maxMessage)
}
