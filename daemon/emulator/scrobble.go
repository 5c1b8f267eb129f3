package emulator

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// track.scrobble (https://www.last.fm/api/show/track.scrobble).

const (
	maxBatch    = 50                  // items per request
	maxAge      = 14 * 24 * time.Hour // older: ignored (Last.fm: code 3; see Service)
	maxAheadFor = 5 * time.Minute     // further ahead: ignored (Last.fm: code 4, Libre.fm: 3)
)

// parseScrobbles reads the single form (artist, track, timestamp) or the indexed
// form (artist[i], ... for i = 0..49, contiguous from 0), and reports which it
// was. Any malformed item fails the whole request with error 6, as does an
// index of 50 or more.
func parseScrobbles(p map[string]string) ([]Scrobble, bool, *apiError) {
	indexed := map[int]map[string]string{}
	for k, v := range p {
		open := strings.IndexByte(k, '[')
		if open <= 0 || !strings.HasSuffix(k, "]") {
			continue
		}
		i, err := strconv.Atoi(k[open+1 : len(k)-1])
		if err != nil || i < 0 {
			return nil, false, lfmErrMsg(ErrInvalidParameters, "Invalid parameters - bad index in "+k)
		}
		if i >= maxBatch {
			return nil, false, lfmErrMsg(ErrInvalidParameters, "Invalid parameters - at most 50 scrobbles per request")
		}
		if indexed[i] == nil {
			indexed[i] = map[string]string{}
		}
		indexed[i][k[:open]] = v
	}
	var fields []map[string]string
	if len(indexed) == 0 {
		fields = append(fields, p)
	} else {
		idx := make([]int, 0, len(indexed))
		for i := range indexed {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		for n, i := range idx {
			if n != i {
				return nil, false, lfmErrMsg(ErrInvalidParameters, "Invalid parameters - scrobble indices must run from 0 without gaps")
			}
			fields = append(fields, indexed[i])
		}
	}
	items := make([]Scrobble, 0, len(fields))
	for _, f := range fields {
		if strings.TrimSpace(f["artist"]) == "" || strings.TrimSpace(f["track"]) == "" || f["timestamp"] == "" {
			return nil, false, lfmErr(ErrInvalidParameters)
		}
		ts, err := strconv.ParseInt(f["timestamp"], 10, 64)
		if err != nil {
			return nil, false, lfmErrMsg(ErrInvalidParameters, "Invalid parameters - timestamp must be a whole number")
		}
		items = append(items, Scrobble{Artist: f["artist"], Track: f["track"], Album: f["album"],
			AlbumArtist: f["albumArtist"], Timestamp: ts})
	}
	return items, len(indexed) > 0, nil
}

func writeScrobble(c *call) ([]*node, *apiError) {
	items, indexed, e := parseScrobbles(c.p)
	if e != nil {
		return nil, e
	}
	if indexed && c.s.refuseBatch {
		return nil, lfmErrMsg(ErrOperationFailed, "Operation failed") // Options.RefuseBatchForm
	}
	forced := 0
	if f, ok := c.s.takeFaultLocked(c.method, true, items); ok {
		c.delay = f.Delay
		if f.BadItem != "" {
			return nil, c.badItemError(f)
		}
		forced = f.IgnoreCode
	}
	now := c.s.now()
	u := c.user
	root := el("scrobbles")
	accepted, ignored := 0, 0
	for _, it := range items {
		code := forced
		if code == 0 {
			code = c.s.rules.age(time.Unix(it.Timestamp, 0), now)
		}
		artist, fixed := c.s.correctLocked(it.Artist)
		it.Artist = artist
		if code == 0 {
			accepted++
			u.scrobbles = append(u.scrobbles, it)
			if np := u.nowPlaying; np != nil && strings.EqualFold(np.Artist, it.Artist) && strings.EqualFold(np.Track, it.Track) {
				u.nowPlaying = nil
			}
		} else {
			ignored++
		}
		root.add(el("scrobble",
			corrected("track", it.Track, false), corrected("artist", it.Artist, fixed),
			corrected("album", it.Album, false), corrected("albumArtist", it.AlbumArtist, false),
			txt("timestamp", itoa(it.Timestamp)), c.s.ignoredNode(code)))
	}
	root.an("accepted", int64(accepted)).an("ignored", int64(ignored))
	if c.s.loose {
		root.kids, root.obj = nil, true // Options.LooseScrobbleAnswer: the counts alone
	}
	return []*node{root}, nil
}
