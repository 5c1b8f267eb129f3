package signer

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// MaxIndex is the highest batch index Last.fm accepts (artist[0]..artist[49]):
// track.scrobble takes at most 50 items per call
// (https://www.last.fm/api/show/track.scrobble).
const MaxIndex = 49

// MaxBatch is the largest number of items one call may carry.
const MaxBatch = MaxIndex + 1

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
	name := e.Name
	if len(name) > maxNameInError {
		name = name[:maxNameInError] + "..."
	}
	return fmt.Sprintf("parameter %q: %s", name, e.Reason)
}

// Code returns the Last.fm error code lastfmd answers for a bad parameter:
// 6, "Invalid parameters" (https://www.last.fm/api/errorcodes).
func (e *ParamError) Code() int { return ErrInvalidParams }

// Reasons a ParamError gives; fixed texts, so that no value can leak into one.
const (
	reasonTwice     = "given twice with different values"
	reasonUTF8      = "value is not valid UTF-8"
	reasonIndex     = "malformed index: want name[N] with N from 0 to 49"
	reasonZero      = "index has a leading zero"
	reasonAboveMax  = "index above 49 (at most 50 items per call)"
	reasonEmptyName = "empty name"
	reasonShape     = "not a Last.fm parameter name"
	reasonMixed     = "given both with and without an index"
	reasonBatchHole = "batch has a missing item"
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
//   - names must have Last.fm's shape (see ValidName): `name[]`, `name[050]`,
//     `name[x]`, an index above 49 and a leading zero ("artist[01]") are
//     rejected;
//   - values must be valid UTF-8, the only encoding Last.fm reads.
//
// The `method` value is NOT changed here (see CanonicalMethod). Parameters
// are checked in sorted order, so the error reported for a request is always
// the same one.
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

// ValidName reports whether a parameter name has Last.fm's shape:
// ^[A-Za-z_][A-Za-z0-9_:]*(\[[0-9]{1,2}\])?$ with an index of 0..49 and no
// leading zero. Indexed names are the batch form of track.scrobble
// (https://www.last.fm/api/show/track.scrobble); anything else ("artist[]",
// "artist[x]", "artist[050]") is not a Last.fm parameter and would only break
// the signature.
func ValidName(name string) bool { return nameProblem(name) == "" }

// nameProblem explains why name is not a valid parameter name, or returns ""
// when it is. It is hand-written rather than a regexp because it runs on
// every parameter of every request.
func nameProblem(name string) string {
	base := name
	if i := strings.IndexByte(name, '['); i >= 0 {
		base = name[:i]
		idx := name[i:]
		if len(idx) < 3 || idx[len(idx)-1] != ']' {
			return reasonIndex
		}
		digits := idx[1 : len(idx)-1]
		if len(digits) > 2 || !allDigits(digits) {
			return reasonIndex
		}
		if len(digits) == 2 && digits[0] == '0' {
			return reasonZero
		}
		if atoi2(digits) > MaxIndex {
			return reasonAboveMax
		}
	}
	if base == "" {
		return reasonEmptyName
	}
	for i := 0; i < len(base); i++ {
		c := base[i]
		letter := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == ':')) {
			return reasonShape
		}
	}
	return ""
}

// allDigits reports whether s is made of ASCII digits only.
// Digits reports whether s is a non-empty run of ASCII digits: the shape
// of a Last.fm timestamp (whole UTC seconds) and of lastfmd's queue ids.
func Digits(s string) bool { return s != "" && allDigits(s) }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoi2 converts a string of one or two ASCII digits.
func atoi2(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// SplitIndex splits "artist[3]" into ("artist", 3, true); "artist" ->
// ("artist", -1, false). It recognises an index of one or two digits without
// a leading zero; it does not check the 0..49 bound (ValidName does), and a
// name with any other bracket suffix is returned whole, unindexed.
func SplitIndex(name string) (base string, index int, indexed bool) {
	i := strings.IndexByte(name, '[')
	if i < 0 || !strings.HasSuffix(name, "]") {
		return name, -1, false
	}
	digits := name[i+1 : len(name)-1]
	if len(digits) == 0 || len(digits) > 2 || !allDigits(digits) || len(digits) == 2 && digits[0] == '0' {
		return name, -1, false
	}
	return name[:i], atoi2(digits), true
}

// BatchSize returns how many indexed items a call carries (highest index + 1;
// 0 when no name is indexed). It fails when the batch has a hole (an index
// below the highest that no parameter uses: Last.fm defines items 0..n-1 and
// holes are untested), or when a base name is given both with and without an
// index (artist and artist[0]), which Last.fm would read as two different
// parameters.
//
// Optional per-item parameters may be sparse: album[0] and album[2] without
// album[1] is a normal batch whose second item has no album, and that is what
// pylast and most scrobblers send. Per-item required parameters
// (artist[i], track[i], timestamp[i]) are checked by Method.Missing.
func BatchSize(params map[string]string) (int, error) {
	var used [MaxBatch]bool
	n := 0
	for _, name := range slices.Sorted(maps.Keys(params)) { // sorted: the same error every time
		base, idx, ok := SplitIndex(name)
		if !ok {
			continue
		}
		if idx > MaxIndex {
			return 0, &ParamError{Name: name, Reason: reasonAboveMax}
		}
		if _, plain := params[base]; plain {
			return 0, &ParamError{Name: base, Reason: reasonMixed}
		}
		used[idx] = true
		n = max(n, idx+1)
	}
	for i := range n {
		if !used[i] {
			return 0, &ParamError{Name: fmt.Sprintf("*[%d]", i), Reason: reasonBatchHole}
		}
	}
	return n, nil
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
