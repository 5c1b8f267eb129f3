package signer

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Last.fm's limits on scrobbles (https://www.last.fm/api/show/track.scrobble,
// https://www.last.fm/api/scrobbling). Every other bound on scrobbles in
// lastfmd is derived from these or checked against them.
const (
	// MaxScrobbleIndex is the highest batch index Last.fm accepts
	// (artist[0]..artist[49]).
	MaxScrobbleIndex = 49
	// MaxScrobblesPerCall is the most scrobbles one track.scrobble call
	// may carry: 50. scrobble.batch_size (the journal's batches) may not
	// exceed it.
	MaxScrobblesPerCall = MaxScrobbleIndex + 1
	// MaxScrobbleAge is how old a scrobble Last.fm still accepts: 14 days;
	// older ones are answered ignored with code 3. scrobble.max_age may
	// not exceed it.
	MaxScrobbleAge = 14 * 24 * time.Hour
	// MaxScrobbleAhead is how far in the future a timestamp may be before
	// the scrobble is answered ignored with code 4 (lastfmd's margin for a
	// clock a little ahead of Last.fm's).
	MaxScrobbleAhead = 5 * time.Minute
)

// ScrobbleAge says whether a scrobble timestamped ts may be sent now: 0
// when it may, else the ignore code Last.fm would answer (3: older than
// maxAge, when maxAge > 0; 4: more than MaxScrobbleAhead in the future).
//
// It compares whole seconds: time.Unix overflows for timestamps near the
// int64 limit (9223372036854775807 came out "too old"), and such a
// timestamp is far in the future.
func ScrobbleAge(ts int64, now time.Time, maxAge time.Duration) int {
	n := now.Unix()
	switch {
	case ts > n && ts-n > int64(MaxScrobbleAhead/time.Second):
		return IgnoredTooNew
	case maxAge > 0 && ts < n-int64(maxAge/time.Second):
		return IgnoredTooOld
	}
	return IgnoredNone
}

// track.scrobble's items (https://www.last.fm/api/show/track.scrobble).
// This file is the one home of the scrobble rule: /v1/ JSON arrays, /2.0/
// and /v1/ forms and the journal all call SplitScrobbles and ParseScrobble.

// scrobbleFields are track.scrobble's per-item parameters.
var scrobbleFields = map[string]bool{
	"artist": true, "track": true, "timestamp": true, "album": true, "albumArtist": true,
	"trackNumber": true, "duration": true, "mbid": true, "chosenByUser": true,
	"context": true, "streamId": true,
}

// scrobbleRequired are the fields every scrobble must have.
var scrobbleRequired = []string{"artist", "track", "timestamp"}

// IsScrobbleField reports whether name (unindexed) is a per-item field of
// track.scrobble.
func IsScrobbleField(name string) bool { return scrobbleFields[name] }

// Scrobble is one validated scrobble.
type Scrobble struct {
	Params    map[string]string // its scrobble fields, unindexed; nothing else
	Artist    string
	Track     string
	Timestamp int64
}

// ParseScrobble validates one scrobble given by its unindexed fields. It is
// Last.fm's rule and nothing more:
//   - artist, track and timestamp are required, and empty (or blank) counts
//     as missing (Last.fm answers error 6);
//   - timestamp is a whole number of seconds since 1970 (UTC): ASCII
//     digits, surrounding spaces ignored. A timestamp Last.fm would ignore
//     (too old, too new) is valid here; it is answered ignored, not refused;
//   - a parameter that is not a scrobble field (lang, a cache-buster,
//     format) is dropped, never a problem: Last.fm ignores it, and lastfmd
//     sends scrobbles in batches of its own, where a per-request extra has
//     no place.
//
// It returns every problem found, each a short phrase naming the field but
// never quoting a value.
func ParseScrobble(item map[string]string) (Scrobble, []string) {
	var problems []string
	for _, name := range scrobbleRequired {
		if strings.TrimSpace(item[name]) == "" {
			problems = append(problems, fmt.Sprintf("%q is required", name))
		}
	}
	var ts int64
	if raw := strings.TrimSpace(item["timestamp"]); raw != "" {
		v, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || !Digits(raw) {
			problems = append(problems, "timestamp must be a whole number of seconds since 1970 (UTC)")
		}
		ts = v
	}
	if len(problems) > 0 {
		return Scrobble{}, problems
	}
	params := make(map[string]string, len(scrobbleFields))
	for k, v := range item {
		if scrobbleFields[k] && v != "" {
			params[k] = v
		}
	}
	params["timestamp"] = strconv.FormatInt(ts, 10)
	return Scrobble{Params: params, Artist: item["artist"], Track: item["track"], Timestamp: ts}, nil
}

// Reasons SplitScrobbles gives (fixed texts: no value leaks into one).
const (
	reasonIndex = "scrobble index must be 0 to 49 (at most 50 scrobbles per call), without a leading zero"
	reasonGap   = "scrobble indices must run from 0 without a gap: no field of this item was given"
)

// SplitScrobbles returns the items of a track.scrobble request, unindexed
// and not yet validated (ParseScrobble does that):
//   - the batch form when any scrobble field carries an index (artist[0],
//     track[0], ...): item i holds every field name[i];
//   - the single form otherwise: one item of the unindexed fields.
//
// Parameters that are not scrobble fields are left out, indexed (lang[0])
// or not (lang, format, sk): the caller keeps the request-wide ones it
// needs. In a batch an unindexed scrobble field (artist beside artist[0])
// is left out too, as Last.fm reads the indexed form.
//
// Refused, as a *ParamError: a scrobble field whose index is not 0..49
// written plainly ("artist[50]", "artist[]", "artist[01]"), and a gap (an
// index below the highest that no scrobble field uses: "artist[0]" and
// "artist[2]" alone). Last.fm defines items 0..n-1 and leaves a gap
// undefined, and a gap is most likely a client's bug, so it is refused
// rather than guessed at.
func SplitScrobbles(params map[string]string) ([]map[string]string, error) {
	var items [MaxScrobblesPerCall]map[string]string
	n := 0
	var first *ParamError
	fail := func(name, reason string) {
		if first == nil || name < first.Name {
			first = &ParamError{Name: name, Reason: reason}
		}
	}
	for name, value := range params {
		open := strings.IndexByte(name, '[')
		if open < 0 || !scrobbleFields[name[:open]] {
			continue
		}
		idx, ok := scrobbleIndex(name[open:])
		if !ok {
			fail(name, reasonIndex)
			continue
		}
		if items[idx] == nil {
			items[idx] = map[string]string{}
		}
		items[idx][name[:open]] = value
		n = max(n, idx+1)
	}
	if first != nil {
		return nil, first
	}
	if n == 0 {
		one := map[string]string{}
		for name, value := range params {
			if scrobbleFields[name] {
				one[name] = value
			}
		}
		return []map[string]string{one}, nil
	}
	for i := range n {
		if items[i] == nil {
			return nil, &ParamError{Name: fmt.Sprintf("artist[%d]", i), Reason: reasonGap}
		}
	}
	return items[:n:n], nil
}

// batchForm reports whether a track.scrobble request uses the batch form:
// some scrobble field carries a "[".
func batchForm(params map[string]string) bool {
	for name := range params {
		if open := strings.IndexByte(name, '['); open >= 0 && scrobbleFields[name[:open]] {
			return true
		}
	}
	return false
}

// scrobbleIndex reads "[N]" with N from 0 to 49 in plain decimal.
func scrobbleIndex(s string) (int, bool) {
	if len(s) < 3 || s[0] != '[' || s[len(s)-1] != ']' {
		return 0, false
	}
	digits := s[1 : len(s)-1]
	if len(digits) > 2 || !allDigits(digits) || len(digits) == 2 && digits[0] == '0' {
		return 0, false
	}
	n, _ := strconv.Atoi(digits)
	return n, n <= MaxScrobbleIndex
}

// IndexScrobbles is the inverse of SplitScrobbles: items as track.scrobble's
// indexed parameters (artist[0], track[0], ...), for one call of at most
// MaxScrobblesPerCall items.
func IndexScrobbles(items []map[string]string) map[string]string {
	out := make(map[string]string, len(items)*4)
	for i, it := range items {
		suffix := "[" + strconv.Itoa(i) + "]"
		for k, v := range it {
			out[k+suffix] = v
		}
	}
	return out
}
