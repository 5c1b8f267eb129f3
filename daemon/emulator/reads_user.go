package emulator

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// User reads: user.* and library.getArtists, answered from the emulator's state.

// dateText is Last.fm's human date next to a uts attribute.
func dateText(ts int64) string { return time.Unix(ts, 0).UTC().Format("02 Jan 2006, 15:04") }

func dateNode(ts int64) *node { return txt("date", dateText(ts)).a("uts", itoa(ts)) }

// targetUser resolves the user parameter.
func (c *call) targetUser() (*user, *apiError) {
	u := c.s.userLocked(c.get("user"))
	if u == nil {
		return nil, errUserNotFound()
	}
	return u, nil
}

// hidden reports whether u's listening is hidden from this request: a private
// user read without that user's own session.
func (c *call) hidden(u *user) bool { return u.private && c.user != u }

// weeks returns n weekly [from, to) ranges (Sunday 12:00 UTC boundaries), oldest
// first, the last one ending at or before now.
func weeks(now time.Time, n int) [][2]int64 {
	t := now.UTC()
	end := time.Date(t.Year(), t.Month(), t.Day(), 12, 0, 0, 0, time.UTC)
	for end.Weekday() != time.Sunday || end.After(t) {
		end = end.AddDate(0, 0, -1)
	}
	out := make([][2]int64, n)
	for i := n - 1; i >= 0; i-- {
		from := end.AddDate(0, 0, -7)
		out[i] = [2]int64{from.Unix(), end.Unix()}
		end = from
	}
	return out
}

func userNode(u *user) *node {
	n := el("user", txt("name", u.name), txt("realname", ""), txt("url", userURL(u.name)))
	n.add(images(hash32("user", u.name))...)
	return n
}

func registeredNode(u *user) *node {
	r := txt("registered", u.registered.UTC().Format("2006-01-02 15:04")).a("unixtime", itoa(u.registered.Unix()))
	r.num = itoa(u.registered.Unix())
	return r
}

func readUserInfo(c *call) ([]*node, *apiError) {
	u := c.user
	if name := c.get("user"); name != "" {
		if u = c.s.userLocked(name); u == nil {
			return nil, errUserNotFound()
		}
	}
	artists, albums, tracks := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, sc := range u.scrobbles {
		artists[strings.ToLower(sc.Artist)] = true
		albums[strings.ToLower(sc.Artist+"\x00"+sc.Album)] = sc.Album != ""
		tracks[strings.ToLower(sc.Artist+"\x00"+sc.Track)] = true
	}
	nAlbums := 0
	for _, ok := range albums {
		if ok {
			nAlbums++
		}
	}
	n := userNode(u)
	n.add(txt("country", "None"), txt("age", "0"), txt("gender", "n"), txt("subscriber", "0"),
		txt("playcount", strconv.Itoa(len(u.scrobbles))), txt("artist_count", strconv.Itoa(len(artists))),
		txt("track_count", strconv.Itoa(len(tracks))), txt("album_count", strconv.Itoa(nAlbums)),
		txt("playlists", "0"), txt("bootstrap", "0"), registeredNode(u), txt("type", "user"))
	return []*node{n}, nil
}

// recentOrder returns the scrobbles newest first (ties: received later first).
func recentOrder(scs []Scrobble) []Scrobble {
	out := make([]Scrobble, len(scs))
	for i := range scs {
		out[i] = scs[len(scs)-1-i]
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Timestamp > out[j].Timestamp })
	return out
}

func readUserRecentTracks(c *call) ([]*node, *apiError) {
	u, e := c.targetUser()
	if e != nil {
		return nil, e
	}
	if c.hidden(u) {
		return nil, lfmErr(ErrLoginRequired)
	}
	limit, page := c.paging(50, 1000)
	from := int64(atoiDefault(c.get("from"), 0))
	to := int64(atoiDefault(c.get("to"), 0))
	extended := c.get("extended") == "1"
	var all []Scrobble
	for _, sc := range recentOrder(u.scrobbles) {
		if (from > 0 && sc.Timestamp < from) || (to > 0 && sc.Timestamp > to) {
			continue
		}
		all = append(all, sc)
	}
	root := paged(el("recenttracks").a("user", u.name), limit, page, len(all)).list("track")
	item := func(sc Scrobble) *node {
		var artist *node
		if extended {
			artist = el("artist", txt("url", musicURL(sc.Artist)), txt("name", sc.Artist))
			artist.add(images(placeholderImage)...).add(txt("mbid", ""))
		} else {
			artist = txt("artist", sc.Artist).a("mbid", "")
		}
		n := el("track", artist, txt("streamable", "0"))
		n.add(images(hash32(sc.Artist, sc.Album))...)
		n.add(txt("mbid", ""), txt("album", sc.Album).a("mbid", ""), txt("name", sc.Track),
			txt("url", musicURL(sc.Artist, "_", sc.Track)))
		if extended {
			loved := "0"
			if u.lovedIndex(sc.Artist, sc.Track) >= 0 {
				loved = "1"
			}
			n.add(txt("loved", loved))
		}
		return n
	}
	if page == 1 && u.nowPlaying != nil && to == 0 {
		root.add(item(*u.nowPlaying).a("nowplaying", "true"))
	}
	for _, sc := range pageOf(all, limit, page) {
		root.add(item(sc).add(dateNode(sc.Timestamp)))
	}
	return []*node{root}, nil
}

func readUserTrackScrobbles(c *call) ([]*node, *apiError) {
	u, e := c.targetUser()
	if e != nil {
		return nil, e
	}
	if c.hidden(u) {
		return nil, lfmErr(ErrLoginRequired)
	}
	_, page := c.paging(50, 50)
	limit := 50
	var all []Scrobble
	for _, sc := range recentOrder(u.scrobbles) {
		if strings.EqualFold(sc.Artist, c.get("artist")) && strings.EqualFold(sc.Track, c.get("track")) {
			all = append(all, sc)
		}
	}
	root := paged(el("trackscrobbles").a("user", u.name), limit, page, len(all)).list("track")
	for _, sc := range pageOf(all, limit, page) {
		n := el("track", txt("name", sc.Track), txt("artist", sc.Artist).a("mbid", ""),
			txt("album", sc.Album).a("mbid", ""), txt("url", musicURL(sc.Artist, "_", sc.Track)), dateNode(sc.Timestamp))
		root.add(n.add(images(hash32(sc.Artist, sc.Album))...).add(txt("mbid", ""), txt("streamable", "0")))
	}
	return []*node{root}, nil
}

func readUserLovedTracks(c *call) ([]*node, *apiError) {
	u, e := c.targetUser()
	if e != nil {
		return nil, e
	}
	limit, page := c.paging(50, 1000)
	all := make([]lovedTrack, len(u.loved))
	for i, l := range u.loved {
		all[len(u.loved)-1-i] = l // newest first
	}
	root := paged(el("lovedtracks").a("user", u.name), limit, page, len(all)).list("track")
	for _, l := range pageOf(all, limit, page) {
		n := el("track", txt("name", l.track), txt("mbid", ""), txt("url", musicURL(l.artist, "_", l.track)),
			dateNode(l.at.Unix()), artistRef(l.artist))
		root.add(n.add(images(placeholderImage)...).add(streamable()))
	}
	return []*node{root}, nil
}

func readUserFriends(c *call) ([]*node, *apiError) {
	u, e := c.targetUser()
	if e != nil {
		return nil, e
	}
	limit, page := c.paging(50, 1000)
	var all []*user
	for _, k := range c.s.userOrder {
		if o := c.s.users[k]; o != u {
			all = append(all, o)
		}
	}
	root := paged(el("friends").a("user", u.name), limit, page, len(all)).list("user")
	for _, o := range pageOf(all, limit, page) {
		root.add(userNode(o).add(txt("country", "None"), txt("subscriber", "0"),
			txt("playcount", strconv.Itoa(len(o.scrobbles))), registeredNode(o), txt("type", "user")))
	}
	return []*node{root}, nil
}

func readUserPersonalTags(c *call) ([]*node, *apiError) {
	u, e := c.targetUser()
	if e != nil {
		return nil, e
	}
	kindName := c.get("taggingtype")
	if kindName != "artist" && kindName != "album" && kindName != "track" {
		return nil, lfmErrMsg(ErrInvalidParameters, "Invalid parameters - taggingtype must be artist, album or track")
	}
	tag := strings.ToLower(strings.TrimSpace(c.get("tag")))
	var all []*tagEntry
	for _, k := range u.tagOrder {
		en := u.tags[k]
		if en.kind != kindName {
			continue
		}
		for _, t := range en.tags {
			if t == tag {
				all = append(all, en)
				break
			}
		}
	}
	limit, page := c.paging(50, 1000)
	root := paged(el("taggings").a("user", u.name).a("tag", tag), limit, page, len(all))
	group := el(kindName + "s").list(kindName)
	for _, en := range pageOf(all, limit, page) {
		var n *node
		switch kindName {
		case "artist":
			n = el("artist", txt("name", en.artist), txt("mbid", ""), txt("url", musicURL(en.artist)), txt("streamable", "0"))
		case "album":
			n = el("album", txt("name", en.name), txt("mbid", ""), txt("url", musicURL(en.artist, en.name)), artistRef(en.artist))
		default:
			n = el("track", txt("name", en.name), txt("duration", itoa(durationOf(en.artist, en.name))), txt("mbid", ""),
				txt("url", musicURL(en.artist, "_", en.name)), streamable(), artistRef(en.artist))
		}
		group.add(n.add(images(placeholderImage)...))
	}
	return []*node{root.add(group)}, nil
}

// counted is one entry of a top list built from scrobbles.
type counted struct {
	artist, name string
	plays        int
}

// countScrobbles groups scrobbles by key (most plays first, then first seen).
func countScrobbles(scs []Scrobble, key func(Scrobble) (artist, name string, ok bool)) []counted {
	idx := map[string]int{}
	var out []counted
	for _, sc := range scs {
		a, n, ok := key(sc)
		if !ok {
			continue
		}
		k := strings.ToLower(a + "\x00" + n)
		if j, ok := idx[k]; ok {
			out[j].plays++
			continue
		}
		idx[k] = len(out)
		out = append(out, counted{artist: a, name: n, plays: 1})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].plays > out[j].plays })
	return out
}

func byArtist(sc Scrobble) (string, string, bool) { return sc.Artist, "", true }
func byAlbum(sc Scrobble) (string, string, bool)  { return sc.Artist, sc.Album, sc.Album != "" }
func byTrack(sc Scrobble) (string, string, bool)  { return sc.Artist, sc.Track, true }

// periodScrobbles filters scrobbles by the period parameter of user.getTop*.
func (c *call) periodScrobbles(u *user) ([]Scrobble, *apiError) {
	days := map[string]int{"": 0, "overall": 0, "7day": 7, "1month": 30, "3month": 90, "6month": 180, "12month": 365}
	d, ok := days[c.get("period")]
	if !ok {
		return nil, lfmErrMsg(ErrInvalidParameters, "Invalid parameters - period must be overall, 7day, 1month, 3month, 6month or 12month")
	}
	if d == 0 {
		return u.scrobbles, nil
	}
	since := c.s.now().AddDate(0, 0, -d).Unix()
	var out []Scrobble
	for _, sc := range u.scrobbles {
		if sc.Timestamp >= since {
			out = append(out, sc)
		}
	}
	return out, nil
}

// readUserTop answers user.getTopArtists|Albums|Tracks.
func readUserTop(c *call, rootName, itemName string, key func(Scrobble) (string, string, bool)) ([]*node, *apiError) {
	u, e := c.targetUser()
	if e != nil {
		return nil, e
	}
	scs, e := c.periodScrobbles(u)
	if e != nil {
		return nil, e
	}
	limit, page := c.paging(50, 1000)
	all := countScrobbles(scs, key)
	root := paged(el(rootName).a("user", u.name), limit, page, len(all)).list(itemName)
	for i, it := range pageOf(all, limit, page) {
		var n *node
		switch itemName {
		case "artist":
			n = el("artist", txt("name", it.artist), txt("playcount", strconv.Itoa(it.plays)), txt("mbid", ""),
				txt("url", musicURL(it.artist)), txt("streamable", "0"))
		case "album":
			n = el("album", txt("name", it.name), txt("playcount", strconv.Itoa(it.plays)), txt("mbid", ""),
				txt("url", musicURL(it.artist, it.name)), artistRef(it.artist))
		default:
			n = el("track", txt("name", it.name), txt("duration", itoa(durationOf(it.artist, it.name))),
				txt("playcount", strconv.Itoa(it.plays)), txt("mbid", ""), txt("url", musicURL(it.artist, "_", it.name)),
				streamable(), artistRef(it.artist))
		}
		root.add(n.add(images(placeholderImage)...).a("rank", strconv.Itoa((page-1)*limit+i+1)))
	}
	return []*node{root}, nil
}

func readUserTopArtists(c *call) ([]*node, *apiError) {
	return readUserTop(c, "topartists", "artist", byArtist)
}
func readUserTopAlbums(c *call) ([]*node, *apiError) {
	return readUserTop(c, "topalbums", "album", byAlbum)
}
func readUserTopTracks(c *call) ([]*node, *apiError) {
	return readUserTop(c, "toptracks", "track", byTrack)
}

// readUserTopTags answers from the user's own tags. An unknown user answers
// error 6 with HTTP 200, a quirk Last.fm has for this method (seen in Last.fm's answers).
func readUserTopTags(c *call) ([]*node, *apiError) {
	u := c.s.userLocked(c.get("user"))
	if u == nil {
		e := errUserNotFound()
		e.status = http.StatusOK
		return nil, e
	}
	counts := map[string]int{}
	var order []string
	for _, k := range u.tagOrder {
		for _, t := range u.tags[k].tags {
			if counts[t] == 0 {
				order = append(order, t)
			}
			counts[t]++
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return counts[order[i]] > counts[order[j]] })
	limit, _ := c.paging(50, 1000)
	root := el("toptags").a("user", u.name).list("tag")
	for _, t := range pageOf(order, limit, 1) {
		root.add(el("tag", txt("name", t), txt("count", strconv.Itoa(counts[t])), txt("url", tagURL(t))))
	}
	return []*node{root}, nil
}

func readUserWeeklyChartList(c *call) ([]*node, *apiError) {
	u, e := c.targetUser()
	if e != nil {
		return nil, e
	}
	root := el("weeklychartlist").a("user", u.name).list("chart")
	for _, w := range weeks(c.s.now(), 10) {
		root.add(txt("chart", "").a("from", itoa(w[0])).a("to", itoa(w[1])))
	}
	return []*node{root}, nil
}

// readUserWeekly answers user.getWeekly*Chart for [from, to) (default: the last 7 days).
func readUserWeekly(c *call, rootName, itemName string, key func(Scrobble) (string, string, bool)) ([]*node, *apiError) {
	u, e := c.targetUser()
	if e != nil {
		return nil, e
	}
	to := int64(atoiDefault(c.get("to"), 0))
	if to == 0 {
		to = c.s.now().Unix()
	}
	from := int64(atoiDefault(c.get("from"), 0))
	if from == 0 {
		from = to - 7*24*3600
	}
	var scs []Scrobble
	for _, sc := range u.scrobbles {
		if sc.Timestamp >= from && sc.Timestamp < to {
			scs = append(scs, sc)
		}
	}
	root := el(rootName).a("user", u.name).a("from", itoa(from)).a("to", itoa(to)).list(itemName)
	for i, it := range countScrobbles(scs, key) {
		var n *node
		switch itemName {
		case "artist":
			n = el("artist", txt("name", it.artist), txt("mbid", ""), txt("playcount", strconv.Itoa(it.plays)),
				txt("url", musicURL(it.artist)))
		case "album":
			n = el("album", txt("artist", it.artist).a("mbid", ""), txt("name", it.name), txt("mbid", ""),
				txt("playcount", strconv.Itoa(it.plays)), txt("url", musicURL(it.artist, it.name)))
		default:
			n = el("track", txt("artist", it.artist).a("mbid", ""), txt("name", it.name), txt("mbid", ""),
				txt("playcount", strconv.Itoa(it.plays)), txt("url", musicURL(it.artist, "_", it.name)))
			n.add(images(placeholderImage)...)
		}
		root.add(n.a("rank", strconv.Itoa(i+1)))
	}
	return []*node{root}, nil
}

func readUserWeeklyArtistChart(c *call) ([]*node, *apiError) {
	return readUserWeekly(c, "weeklyartistchart", "artist", byArtist)
}
func readUserWeeklyAlbumChart(c *call) ([]*node, *apiError) {
	return readUserWeekly(c, "weeklyalbumchart", "album", byAlbum)
}
func readUserWeeklyTrackChart(c *call) ([]*node, *apiError) {
	return readUserWeekly(c, "weeklytrackchart", "track", byTrack)
}

func readLibraryArtists(c *call) ([]*node, *apiError) {
	u, e := c.targetUser()
	if e != nil {
		return nil, e
	}
	limit, page := c.paging(50, 1000)
	all := countScrobbles(u.scrobbles, byArtist)
	root := paged(el("artists").a("user", u.name), limit, page, len(all)).list("artist")
	for _, it := range pageOf(all, limit, page) {
		tagcount := 0
		if en := u.tags[tagKey("artist", it.artist, "")]; en != nil {
			tagcount = len(en.tags)
		}
		n := el("artist", txt("name", it.artist), txt("playcount", strconv.Itoa(it.plays)),
			txt("tagcount", strconv.Itoa(tagcount)), txt("mbid", ""), txt("url", musicURL(it.artist)), txt("streamable", "0"))
		root.add(n.add(images(placeholderImage)...))
	}
	return []*node{root}, nil
}
