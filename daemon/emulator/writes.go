package emulator

import "strings"

// Writes other than track.scrobble. Each runs with a valid session (c.user) and
// its required parameters present; love, unlove, addTags and removeTag answer
// Last.fm's empty ok body, updateNowPlaying a <nowplaying> element.

// maxTags is the most tags one addTags call may carry.
const maxTags = 10

// lovedIndex returns the index of a loved track, or -1.
func (u *user) lovedIndex(artist, track string) int {
	for i, l := range u.loved {
		if strings.EqualFold(l.artist, artist) && strings.EqualFold(l.track, track) {
			return i
		}
	}
	return -1
}

func writeLove(c *call) ([]*node, *apiError) {
	u := c.user
	if u.lovedIndex(c.get("artist"), c.get("track")) < 0 {
		u.loved = append(u.loved, lovedTrack{artist: c.get("artist"), track: c.get("track"), at: c.s.now()})
	}
	return nil, nil
}

func writeUnlove(c *call) ([]*node, *apiError) {
	u := c.user
	if i := u.lovedIndex(c.get("artist"), c.get("track")); i >= 0 {
		u.loved = append(u.loved[:i], u.loved[i+1:]...)
	}
	return nil, nil
}

// tagTarget returns the kind, artist and item name a tag write applies to.
func (c *call) tagTarget() (kindName, artist, item string) {
	switch strings.SplitN(c.info.name, ".", 2)[0] {
	case "album":
		return "album", c.get("artist"), c.get("album")
	case "track":
		return "track", c.get("artist"), c.get("track")
	}
	return "artist", c.get("artist"), ""
}

func writeAddTags(c *call) ([]*node, *apiError) {
	var tags []string
	for _, t := range strings.Split(c.get("tags"), ",") {
		if t = strings.ToLower(strings.TrimSpace(t)); t != "" {
			tags = append(tags, t)
		}
	}
	if len(tags) == 0 {
		return nil, lfmErr(ErrInvalidParameters)
	}
	if len(tags) > maxTags {
		return nil, lfmErrMsg(ErrInvalidParameters, "Invalid parameters - You can only add 10 tags at a time")
	}
	kindName, artist, item := c.tagTarget()
	u := c.user
	k := tagKey(kindName, artist, item)
	e := u.tags[k]
	if e == nil {
		e = &tagEntry{kind: kindName, artist: artist, name: item}
		u.tags[k] = e
		u.tagOrder = append(u.tagOrder, k)
	}
	for _, t := range tags {
		have := false
		for _, o := range e.tags {
			have = have || o == t
		}
		if !have {
			e.tags = append(e.tags, t)
		}
	}
	return nil, nil
}

func writeRemoveTag(c *call) ([]*node, *apiError) {
	kindName, artist, item := c.tagTarget()
	tag := strings.ToLower(strings.TrimSpace(c.get("tag")))
	if e := c.user.tags[tagKey(kindName, artist, item)]; e != nil {
		for i, t := range e.tags {
			if t == tag {
				e.tags = append(e.tags[:i], e.tags[i+1:]...)
				break
			}
		}
	}
	return nil, nil
}

// corrected is a name element with Last.fm's corrected attribute.
func corrected(name, value string, fixed bool) *node {
	flag := "0"
	if fixed {
		flag = "1"
	}
	return txt(name, value).a("corrected", flag)
}

// ignoredMessages are the texts of scrobble ignore codes.
var ignoredMessages = map[int]string{
	1: "Artist was ignored",
	2: "Track was ignored",
	3: "Timestamp was too old",
	4: "Timestamp was too new",
	5: "Daily scrobble limit exceeded",
}

// ignoredNode is an item's ignoredMessage, worded as the service words it.
func (s *Server) ignoredNode(code int) *node {
	return txt("ignoredMessage", s.ignoredMessage(code)).a("code", itoa(int64(code)))
}

func writeNowPlaying(c *call) ([]*node, *apiError) {
	artist, fixed := c.s.correctLocked(c.get("artist"))
	np := Scrobble{Artist: artist, Track: c.get("track"), Album: c.get("album"), AlbumArtist: c.get("albumArtist")}
	ignored := 0
	if f, ok := c.s.takeFaultLocked(c.method, true, []Scrobble{np}); ok {
		c.delay = f.Delay
		if f.BadItem != "" {
			return nil, c.badItemError(f)
		}
		ignored = f.IgnoreCode
	}
	if ignored == 0 {
		c.user.nowPlaying = &np
	}
	return []*node{el("nowplaying",
		corrected("track", np.Track, false), corrected("artist", np.Artist, fixed),
		corrected("album", np.Album, false), corrected("albumArtist", np.AlbumArtist, false),
		c.s.ignoredNode(ignored))}, nil
}

// badItemError is the answer of a matched BadItem fault.
func (c *call) badItemError(f Fault) *apiError {
	code := f.Code
	if code == 0 {
		code = ErrInvalidSignature
	}
	e := lfmErr(code)
	if f.HTTPStatus != 0 {
		e.status = f.HTTPStatus
	}
	return e
}
