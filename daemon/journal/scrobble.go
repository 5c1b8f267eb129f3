package journal

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/lastfmd/lastfmd/signer"
)

// Limits of a submission (DESIGN.md "HTTP API").
const (
	// MaxPerRequest is the most scrobbles one /v1/ request may carry.
	MaxPerRequest = 10000
	// MaxAhead is how far in the future a timestamp may be before the
	// scrobble is answered ignored with code 4 and not journalled.
	MaxAhead = 5 * time.Minute
)

// Scrobble is one validated scrobble, ready to journal.
type Scrobble struct {
	Params    map[string]string // the item's fields, unindexed
	Artist    string
	Track     string
	Timestamp int64
}

// fields are the per-item parameters of track.scrobble
// (https://www.last.fm/api/show/track.scrobble).
var fields = map[string]bool{
	"artist": true, "track": true, "timestamp": true, "album": true, "albumArtist": true,
	"trackNumber": true, "duration": true, "mbid": true, "chosenByUser": true,
	"context": true, "streamId": true,
}

// required are the fields every scrobble must have.
var required = []string{"artist", "track", "timestamp"}

// ParseScrobble validates one scrobble's fields (unindexed names). It
// returns every problem found, each a short phrase naming the field but
// never quoting a value.
func ParseScrobble(p map[string]string) (Scrobble, []string) {
	var problems []string
	for _, name := range required {
		if strings.TrimSpace(p[name]) == "" {
			problems = append(problems, fmt.Sprintf("%q is required", name))
		}
	}
	var ts int64
	if raw := strings.TrimSpace(p["timestamp"]); raw != "" {
		v, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || v <= 0 || !signer.Digits(raw) {
			problems = append(problems, "timestamp must be a whole number of seconds since 1970 (UTC)")
		}
		ts = v
	}
	var unknown []string
	for name := range p {
		if !fields[name] {
			unknown = append(unknown, name)
		}
	}
	sort.Strings(unknown)
	for _, name := range unknown {
		if len(name) > 40 {
			name = name[:40] + "..."
		}
		problems = append(problems, fmt.Sprintf("%q is not a scrobble field", name))
	}
	if len(problems) > 0 {
		return Scrobble{}, problems
	}
	params := make(map[string]string, len(p))
	for k, v := range p {
		params[k] = v
	}
	params["timestamp"] = strconv.FormatInt(ts, 10)
	return Scrobble{Params: params, Artist: p["artist"], Track: p["track"], Timestamp: ts}, nil
}

// Age says whether a scrobble timestamped ts may be journalled now: 0 when
// it may, else the ignore code Last.fm would answer (3: older than maxAge,
// 4: more than MaxAhead in the future).
//
// It compares whole seconds: time.Unix overflows for timestamps near the
// int64 limit (9223372036854775807 came out "too old"), and such a
// timestamp is far in the future.
func Age(ts int64, now time.Time, maxAge time.Duration) int {
	n := now.Unix()
	switch {
	case ts > n && ts-n > int64(MaxAhead/time.Second):
		return signer.IgnoredTooNew
	case maxAge > 0 && ts < n-int64(maxAge/time.Second):
		return signer.IgnoredTooOld
	}
	return signer.IgnoredNone
}

// dedupKey identifies a scrobble for deduplication: the same account,
// artist, track and timestamp is the same listen. Names compare without
// case and surrounding space, as Last.fm matches them.
func dedupKey(account string, s Scrobble) []byte {
	return []byte(account + "\x00" + strings.ToLower(strings.TrimSpace(s.Artist)) + "\x00" +
		strings.ToLower(strings.TrimSpace(s.Track)) + "\x00" + strconv.FormatInt(s.Timestamp, 10))
}

// itemDedupKey rebuilds the key of a journalled scrobble.
func itemDedupKey(it *Item) []byte {
	if it.Method != MethodScrobble {
		return nil
	}
	return dedupKey(it.Account, Scrobble{Artist: it.Params["artist"], Track: it.Params["track"], Timestamp: it.Timestamp})
}
