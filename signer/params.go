package signer

import (
	"fmt"
	"net/url"
	"unicode/utf8"

	"github.com/lastfmd/lastfmd/internal/clip"
)

// ParamError is a bad client parameter; the transport maps it to error 6 /
// HTTP 400. It names the parameter but never carries its value, which may be
// a password or a token.
type ParamError struct {
	Name   string // the parameter name as the client sent it
	Reason string // what is wrong with it, e.g. "given twice with different values"
}

// maxNameInError bounds how much of a (client-chosen, possibly huge) name
// an error message repeats.
const maxNameInError = 64

// Error returns `parameter "NAME": REASON`.
func (e *ParamError) Error() string {
	return fmt.Sprintf("parameter %q: %s", clip.Line(e.Name, maxNameInError), e.Reason)
}

// Code returns the Last.fm error code lastfmd answers for a bad parameter:
// 6, "Invalid parameters" (https://www.last.fm/api/errorcodes).
func (e *ParamError) Code() int { return ErrInvalidParams }

// Reasons a ParamError gives; fixed texts, so that no value can leak into one.
const (
	reasonTwice     = "given twice with different values"
	reasonUTF8      = "value is not valid UTF-8"
	reasonNameUTF8  = "name is not valid UTF-8"
	reasonEmptyName = "empty name"
)

// dropped are the parameters lastfmd always supplies itself: a client's
// api_key is a placeholder (or lastfmd's listener token) and its api_sig
// signs a different parameter set (https://www.last.fm/api/authspec#8).
var dropped = map[string]bool{"api_key": true, "api_sig": true}

// Canonicalize turns raw client parameters into what lastfmd signs and sends:
//   - drops api_key and api_sig (lastfmd supplies its own); keeps sk, format
//     and callback (callers decide);
//   - drops empty values: Last.fm wants an empty optional parameter either
//     signed or absent, and absent is simpler (an empty value among repeats
//     of the same name is ignored too);
//   - a name given more than once: identical values collapse to one,
//     different values are a *ParamError ("given twice with different
//     values"), because Last.fm reads one value per name and a repeated name
//     breaks the signature;
//   - any name Last.fm would take passes (see ValidName): "lang",
//     "cache-buster", "artist[]", "x.y". Last.fm ignores a parameter it does
//     not define, so refusing one would refuse what Last.fm takes. Which
//     names a method reads is the method's business (track.scrobble:
//     SplitScrobbles);
//   - names and values must be valid UTF-8, the only encoding Last.fm reads.
//
// The `method` value is NOT changed here (Lookup gives the catalog spelling). Of several
// bad parameters the one with the smallest name is reported, so the error
// reported for a request is always the same one.
func Canonicalize(in url.Values) (map[string]string, error) {
	out := make(map[string]string, len(in))
	// Names are visited in map order (sorting them costs allocations on
	// every request); of several bad names the smallest is reported, so
	// the error stays deterministic.
	var first *ParamError
	fail := func(name, reason string) {
		if first == nil || name < first.Name {
			first = &ParamError{Name: name, Reason: reason}
		}
	}
	for name, values := range in {
		if reason := nameProblem(name); reason != "" {
			fail(name, reason)
			continue
		}
		if dropped[name] {
			continue
		}
		var value string
		for _, v := range values {
			if !utf8.ValidString(v) {
				fail(name, reasonUTF8)
				break
			}
			switch {
			case v == "":
			case value == "":
				value = v
			case v != value:
				fail(name, reasonTwice)
			}
		}
		if value != "" {
			out[name] = value
		}
	}
	if first != nil {
		return nil, first
	}
	return out, nil
}

// ValidName reports whether Last.fm would take a parameter name: any
// non-empty UTF-8 string. Last.fm ignores the names a method does not define
// (a library's "lang", a script's cache-buster), so lastfmd forwards them
// rather than refuse a call Last.fm would answer.
func ValidName(name string) bool { return nameProblem(name) == "" }

// nameProblem explains why name is not a valid parameter name, or returns ""
// when it is.
func nameProblem(name string) string {
	switch {
	case name == "":
		return reasonEmptyName
	case !utf8.ValidString(name):
		return reasonNameUTF8
	}
	return ""
}

// Digits reports whether s is a non-empty run of ASCII digits: the shape
// of a Last.fm timestamp (whole UTC seconds) and of lastfmd's queue ids.
func Digits(s string) bool { return s != "" && allDigits(s) }

// allDigits reports whether s is made of ASCII digits only.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Encode returns params form-encoded in sorted name order (url.Values-style),
// for request bodies. Brackets in batch names are escaped (%5B0%5D) and
// Last.fm decodes them back; "&", "+" and "=" inside values are escaped,
// without which Last.fm reads different values than were signed and answers
// error 13 (https://www.last.fm/api/intro).
func Encode(params map[string]string) string {
	v := make(url.Values, len(params))
	for name, value := range params {
		v[name] = []string{value}
	}
	return v.Encode()
}

// ValidCallback accepts what a JSONP callback name (the callback
// parameter) can safely be: a dotted JavaScript identifier of at most 128
// bytes, so an answer wrapped in it cannot smuggle script. It is also how
// DecodeError recognises a JSONP answer.
func ValidCallback(cb string) bool {
	if cb == "" || len(cb) > 128 {
		return false
	}
	for i, r := range cb {
		switch {
		case r == '_' || r == '$' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'):
		case i > 0 && (r == '.' || (r >= '0' && r <= '9')):
		default:
			return false
		}
	}
	return true
}
