// Package listenbrainz is lastfmd's knowledge of ListenBrainz's native API
// (https://listenbrainz.readthedocs.io/en/latest/users/api/), which Maloja
// serves too (<maloja>/apis/listenbrainz/): how a journalled scrobble
// becomes a listen, the limits on listens and requests, the answers and
// what kind of failure each is (signer's classes, so the journal's policy
// table applies), and the HTTP client that submits listens and checks a
// user token. It knows nothing of the journal: a lane maps its items with
// ListenFromScrobble, groups them with ImportBatches and sends them with
// Client.Submit.
package listenbrainz

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ListenBrainz's limits (listenbrainz-server, webserver/views/api_tools.py
// and listenstore/__init__.py).
const (
	// MinListenedAt is the earliest listened_at ListenBrainz takes,
	// 2002-10-01 00:00:00 UTC (LISTEN_MINIMUM_TS); an earlier listen is
	// refused with a 400. Such a play is skipped on a ListenBrainz lane
	// (TooOld).
	MinListenedAt int64 = 1033430400
	// MaxListenBytes bounds a request's body: at most this many bytes per
	// listen it carries (MAX_LISTEN_SIZE); a listen alone must fit in one
	// body of this size.
	MaxListenBytes = 10240
	// MaxListensPerImport is the most listens one "import" request carries
	// (MAX_LISTENS_PER_REQUEST); "single" and "playing_now" carry exactly one.
	MaxListensPerImport = 1000
	// MaxImportBody is lastfmd's own bound on one request's body, well
	// under ListenBrainz's (MaxListenBytes·MaxListensPerImport, 10 MB), so
	// that a batch of large listens still goes within a call's timeout; a
	// thousand ordinary listens take about a third of it.
	MaxImportBody = 1 << 20
	// MaxDuration is the longest duration ListenBrainz takes (24 days,
	// MAX_DURATION_LIMIT); a longer one is left out of the listen.
	MaxDuration = 24 * 24 * time.Hour
)

// The listen types of submit-listens.
const (
	ListenTypeSingle     = "single"      // one play
	ListenTypeImport     = "import"      // a backlog: up to MaxListensPerImport plays
	ListenTypePlayingNow = "playing_now" // now playing: one listen, no listened_at
)

// SubmissionClient is lastfmd's name in each listen's submission_client.
const SubmissionClient = "lastfmd"

// Listen is one listen as submit-listens takes it. Its JSON is exactly
// what is sent.
type Listen struct {
	// ListenedAt is when the play started, in Unix seconds; 0 for a
	// playing_now listen, which has none.
	ListenedAt    int64         `json:"listened_at,omitempty"`
	TrackMetadata TrackMetadata `json:"track_metadata"`
}

// TrackMetadata is a listen's track_metadata.
type TrackMetadata struct {
	ArtistName     string         `json:"artist_name"`
	TrackName      string         `json:"track_name"`
	ReleaseName    string         `json:"release_name,omitempty"`
	AdditionalInfo AdditionalInfo `json:"additional_info"`
}

// AdditionalInfo holds the additional_info fields lastfmd fills, each one
// ListenBrainz documents (docs/users/json.rst); an empty one is left out.
type AdditionalInfo struct {
	DurationMS              int64  `json:"duration_ms,omitempty"`
	TrackNumber             string `json:"tracknumber,omitempty"`
	RecordingMBID           string `json:"recording_mbid,omitempty"`
	SubmissionClient        string `json:"submission_client,omitempty"`
	SubmissionClientVersion string `json:"submission_client_version,omitempty"`
}

// ErrBadListen marks a play ListenBrainz would refuse whatever the moment
// (no artist or track, a NUL character, too large): sending it would only
// earn a 400, so the caller treats it as a bad item without a call.
var ErrBadListen = errors.New("not a listen ListenBrainz takes")

// ErrTooOld marks a play before MinListenedAt: not an error of the play,
// which Last.fm and other mirrors may take, but one a ListenBrainz lane
// skips (and counts).
var ErrTooOld = errors.New("listened before 2002-10-01, the earliest ListenBrainz takes")

// TooOld reports whether a play timestamped ts (Unix seconds) is older
// than ListenBrainz takes, so its lane skips it.
func TooOld(ts int64) bool { return ts < MinListenedAt }

// ListenFromScrobble maps a journalled scrobble (its Last.fm track.scrobble
// parameters, unindexed, and its timestamp) to a listen:
//
//   - artist → artist_name, track → track_name, album → release_name
//     (blank: left out), each trimmed as ListenBrainz trims them;
//   - additional_info: duration_ms from duration (seconds, a positive
//     whole number up to MaxDuration; otherwise left out), tracknumber from
//     trackNumber, recording_mbid from mbid (Last.fm's mbid is a
//     MusicBrainz recording id; left out unless it is a UUID),
//     submission_client "lastfmd" and submission_client_version
//     clientVersion (the daemon's version; "" leaves it out).
//
// Nothing else goes (albumArtist, chosenByUser, context have no documented
// field). The error wraps ErrTooOld for a play before MinListenedAt and
// ErrBadListen for one ListenBrainz would refuse.
func ListenFromScrobble(params map[string]string, timestamp int64, clientVersion string) (Listen, error) {
	if TooOld(timestamp) {
		return Listen{}, ErrTooOld
	}
	l, err := listenFrom(params, clientVersion)
	l.ListenedAt = timestamp
	if err == nil {
		err = CheckListen(l)
	}
	return l, err
}

// NowPlayingFromParams maps track.updateNowPlaying's parameters to a
// playing_now listen, as ListenFromScrobble does, without listened_at.
func NowPlayingFromParams(params map[string]string, clientVersion string) (Listen, error) {
	l, err := listenFrom(params, clientVersion)
	if err == nil {
		err = CheckListen(l)
	}
	return l, err
}

func listenFrom(p map[string]string, clientVersion string) (Listen, error) {
	l := Listen{TrackMetadata: TrackMetadata{
		ArtistName:  strings.TrimSpace(p["artist"]),
		TrackName:   strings.TrimSpace(p["track"]),
		ReleaseName: strings.TrimSpace(p["album"]),
		AdditionalInfo: AdditionalInfo{
			DurationMS:              durationMS(p["duration"]),
			TrackNumber:             strings.TrimSpace(p["trackNumber"]),
			RecordingMBID:           mbid(p["mbid"]),
			SubmissionClient:        SubmissionClient,
			SubmissionClientVersion: strings.TrimSpace(clientVersion),
		},
	}}
	switch {
	case l.TrackMetadata.ArtistName == "":
		return l, fmt.Errorf("%w: no artist", ErrBadListen)
	case l.TrackMetadata.TrackName == "":
		return l, fmt.Errorf("%w: no track", ErrBadListen)
	}
	return l, nil
}

// durationMS is a duration in seconds as milliseconds: 0 unless s is a
// positive whole number of seconds up to MaxDuration.
func durationMS(s string) int64 {
	s = strings.TrimSpace(s)
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 || n > int64(MaxDuration/time.Second) {
		return 0
	}
	return n * 1000
}

// mbid is s as a MusicBrainz id (a UUID, lower case), or "" when it is not one.
func mbid(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) != 36 {
		return ""
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return ""
			}
		default:
			if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
				return ""
			}
		}
	}
	return s
}

// CheckListen reports whether ListenBrainz would refuse l whatever the
// moment (ErrBadListen): no artist or track, a NUL character anywhere
// (refused by ListenBrainz's database), or too large to go alone.
func CheckListen(l Listen) error {
	_, err := checkListen(l)
	return err
}

// checkListen is CheckListen, and the listen's encoding when it passes.
func checkListen(l Listen) ([]byte, error) {
	m := l.TrackMetadata
	switch {
	case strings.TrimSpace(m.ArtistName) == "":
		return nil, fmt.Errorf("%w: no artist", ErrBadListen)
	case strings.TrimSpace(m.TrackName) == "":
		return nil, fmt.Errorf("%w: no track", ErrBadListen)
	}
	a := m.AdditionalInfo
	for _, s := range []string{m.ArtistName, m.TrackName, m.ReleaseName, a.TrackNumber, a.RecordingMBID, a.SubmissionClient, a.SubmissionClientVersion} {
		if strings.ContainsRune(s, 0) {
			return nil, fmt.Errorf("%w: it contains a NUL character", ErrBadListen)
		}
	}
	enc := encodeListen(l)
	if n := bodySize(ListenTypeSingle, len(enc), 1); n > MaxListenBytes {
		return nil, fmt.Errorf("%w: %d bytes, over the %d a listen may take", ErrBadListen, n, MaxListenBytes)
	}
	return enc, nil
}

// encodeListen is a listen's JSON as it is sent: every size is measured on it.
func encodeListen(l Listen) []byte {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	_ = e.Encode(l) // a Listen always encodes
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// The body of submit-listens around its listens, comma-separated.
const (
	bodyHead = `{"listen_type":"`
	bodyMid  = `","payload":[`
	bodyTail = `]}`
)

// bodySize is the size of a body of n listens of listenBytes bytes in all.
func bodySize(listenType string, listenBytes, n int) int {
	return len(bodyHead) + len(listenType) + len(bodyMid) + listenBytes + max(n-1, 0) + len(bodyTail)
}

// encodeBody is submit-listens' body for the encoded listens.
func encodeBody(listenType string, listens [][]byte) []byte {
	var b bytes.Buffer
	b.WriteString(bodyHead + listenType + bodyMid)
	b.Write(bytes.Join(listens, []byte(",")))
	b.WriteString(bodyTail)
	return b.Bytes()
}

// ImportBatches splits a backlog, in its order, into "import" requests:
// each at most MaxListensPerImport listens, its body within ListenBrainz's
// bound (MaxListenBytes per listen) and MaxImportBody. The batches are
// consecutive sub-slices of listens, so a caller pairs them with its own
// items by their lengths. A listen that cannot go even alone (CheckListen)
// is an error naming its index: map plays with ListenFromScrobble, which
// refuses those.
func ImportBatches(listens []Listen) ([][]Listen, error) {
	var out [][]Listen
	start, size := 0, 0
	for i, l := range listens {
		enc, err := checkListen(l)
		if err != nil {
			return nil, fmt.Errorf("listen %d: %w", i, err)
		}
		n := len(enc)
		if k := i - start; k > 0 && !fits(ListenTypeImport, size+n, k+1) {
			out = append(out, listens[start:i:i])
			start, size = i, 0
		}
		size += n
	}
	if start < len(listens) {
		out = append(out, listens[start:len(listens):len(listens)])
	}
	return out, nil
}

// fits reports whether n listens of listenBytes bytes in all make a body
// ListenBrainz and lastfmd take.
func fits(listenType string, listenBytes, n int) bool {
	size := bodySize(listenType, listenBytes, n)
	return n <= MaxListensPerImport && size <= n*MaxListenBytes && size <= MaxImportBody
}
