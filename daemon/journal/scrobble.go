package journal

import (
	"encoding/binary"
	"strings"

	"github.com/lastfmd/lastfmd/signer"
)

// Scrobble is one validated scrobble, ready to journal: what
// signer.ParseScrobble, the one scrobble rule, returns.
type Scrobble = signer.Scrobble

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
