package journal

import (
	"encoding/binary"
	"strings"
	"time"

	"github.com/lastfmd/lastfmd/signer"
)

// Limits of a submission (docs/http-api.md#scrobble-validation).
const (
	// MaxPerRequest is the most scrobbles one /v1/ request may carry.
	MaxPerRequest = 10000
	// MaxAhead is how far in the future a timestamp may be before the
	// scrobble is answered ignored with code 4 and not journalled.
	MaxAhead = 5 * time.Minute
)

// Scrobble is one validated scrobble, ready to journal: what
// signer.ParseScrobble, the one scrobble rule, returns.
type Scrobble = signer.Scrobble

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
//
// Each name is length-prefixed, so the encoding is unambiguous whatever the
// names hold: joining with a separator merged ("A", "B\x00C") with
// ("A\x00B", "C") (issue 21; FuzzDedupKey hunts for two scrobbles with one
// key).
func dedupKey(account string, s Scrobble) []byte {
	artist, track := normName(s.Artist), normName(s.Track)
	k := make([]byte, 0, 3*binary.MaxVarintLen64+len(account)+len(artist)+len(track)+8)
	for _, f := range [...]string{account, artist, track} {
		k = binary.AppendUvarint(k, uint64(len(f)))
		k = append(k, f...)
	}
	return binary.BigEndian.AppendUint64(k, uint64(s.Timestamp))
}

// normName is a name as deduplication compares it.
func normName(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// itemDedupKey rebuilds the key of a journalled scrobble.
func itemDedupKey(it *Item) []byte {
	if it.Method != MethodScrobble {
		return nil
	}
	return dedupKey(it.Account, Scrobble{Artist: it.Params["artist"], Track: it.Params["track"], Timestamp: it.Timestamp})
}
