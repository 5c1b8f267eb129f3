package emulator

import (
	"sort"
	"strconv"
	"strings"
)

// Catalogue reads: artist, album, track, tag, chart, geo and search methods.
// Every name exists except those containing "Unknown"; requested names are
// echoed back, and numbers are stable synthetic values.

func atoiDefault(s string, def int) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return def
	}
	return n
}

// paging reads limit and page (defaults def and 1, limit capped at max).
func (c *call) paging(def, max int) (limit, page int) {
	limit = atoiDefault(c.get("limit"), def)
	if limit <= 0 {
		limit = def
	}
	if max > 0 && limit > max {
		limit = max
	}
	page = atoiDefault(c.get("page"), 1)
	if page <= 0 {
		page = 1
	}
	return limit, page
}

// pageOf returns one page of items.
func pageOf[T any](items []T, limit, page int) []T {
	start := (page - 1) * limit
	if start >= len(items) {
		return nil
	}
	end := min(start+limit, len(items))
	return items[start:end]
}

// paged adds Last.fm's paging attributes.
func paged(n *node, limit, page, total int) *node {
	pages := (total + limit - 1) / limit
	return n.a("page", strconv.Itoa(page)).a("perPage", strconv.Itoa(limit)).
		a("totalPages", strconv.Itoa(pages)).a("total", strconv.Itoa(total))
}

// artistName, albumName and trackName read the names, falling back to mbid.
func (c *call) artistName() string { return firstNonEmpty(c.get("artist"), c.get("mbid")) }
func (c *call) albumName() string  { return firstNonEmpty(c.get("album"), c.get("mbid")) }
func (c *call) trackName() string  { return firstNonEmpty(c.get("track"), c.get("mbid")) }

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

var (
	errArtistNotFound = func() *apiError { return notFound("The artist you supplied could not be found") }
	errAlbumNotFound  = func() *apiError { return notFound("Album not found") }
	errTrackNotFound  = func() *apiError { return notFound("Track not found") }
	errUserNotFound   = func() *apiError { return notFound("User not found") }
)

// artistRef is the short artist element used inside lists.
func artistRef(name string) *node {
	return el("artist", txt("name", name), txt("mbid", ""), txt("url", musicURL(name)))
}

func streamable() *node { return txt("streamable", "0").a("fulltrack", "0") }

func wiki(subject string) *node {
	return el("wiki",
		txt("published", "01 Jan 2010, 00:00"),
		txt("summary", subject+` is a name in the lastfmd emulator. <a href="https://www.last.fm/">Read more on Last.fm</a>`),
		txt("content", subject+" is a name in the lastfmd emulator, which makes up its statistics."))
}

func tagList(name string, tags []string) *node {
	n := el(name)
	for _, t := range tags {
		n.add(el("tag", txt("name", t), txt("url", tagURL(t))))
	}
	return n
}

// userPlays counts a user's scrobbles matching artist (and track or album when given).
func (s *Server) userPlays(userName, artist, album, trackName string) (int, bool) {
	u := s.userLocked(userName)
	if u == nil {
		return 0, false
	}
	n := 0
	for _, sc := range u.scrobbles {
		if !strings.EqualFold(sc.Artist, artist) {
			continue
		}
		if album != "" && !strings.EqualFold(sc.Album, album) {
			continue
		}
		if trackName != "" && !strings.EqualFold(sc.Track, trackName) {
			continue
		}
		n++
	}
	return n, true
}

func readArtistInfo(c *call) ([]*node, *apiError) {
	artist := c.artistName()
	if unknownName(artist) {
		return nil, errArtistNotFound()
	}
	stats := el("stats", txt("listeners", itoa(listenersOf(artist))), txt("playcount", itoa(playcountOf(artist))))
	if un := c.get("username"); un != "" {
		n, _ := c.s.userPlays(un, artist, "", "")
		stats.add(txt("userplaycount", strconv.Itoa(n)))
	}
	similar := el("similar")
	for _, a := range similarTo(artist, 5) {
		similar.add(el("artist", txt("name", a), txt("url", musicURL(a))).add(images(placeholderImage)...))
	}
	n := el("artist", txt("name", artist), txt("mbid", c.get("mbid")), txt("url", musicURL(artist)))
	n.add(images(placeholderImage)...)
	n.add(txt("streamable", "0"), txt("ontour", "0"), stats, similar, tagList("tags", topTagsOf(artist)),
		el("bio",
			el("links", txt("link", "").a("rel", "original").a("href", "https://last.fm/music/"+pathPart(artist)+"/+wiki")),
			txt("published", "01 Jan 2010, 00:00"),
			txt("summary", artist+` is an artist of the lastfmd emulator. <a href="`+musicURL(artist)+`">Read more on Last.fm</a>`),
			txt("content", artist+" is an artist of the lastfmd emulator.")))
	return []*node{n}, nil
}

func readAlbumInfo(c *call) ([]*node, *apiError) {
	artist, album := c.artistName(), c.albumName()
	if unknownName(artist) || unknownName(album) {
		return nil, errAlbumNotFound()
	}
	n := el("album", txt("name", album), txt("artist", artist), txt("mbid", c.get("mbid")), txt("url", musicURL(artist, album)))
	n.add(images(hash32(artist, album))...)
	n.add(txt("listeners", itoa(listenersOf(artist, album))), txt("playcount", itoa(playcountOf(artist, album))))
	if un := c.get("username"); un != "" {
		p, _ := c.s.userPlays(un, artist, album, "")
		n.add(txt("userplaycount", strconv.Itoa(p)))
	}
	tracks := el("tracks").list("track")
	for i, t := range tracksOf(artist, 5) {
		tracks.add(el("track", txt("name", t), txt("url", musicURL(artist, "_", t)),
			txt("duration", itoa(durationOf(artist, t))), streamable(), artistRef(artist)).a("rank", strconv.Itoa(i+1)))
	}
	n.add(tracks, tagList("tags", topTagsOf(artist, album)), wiki(album))
	return []*node{n}, nil
}

// hash32 is a 32-hex-digit image hash for a name.
func hash32(parts ...string) string { return md5hex(strings.Join(parts, "\x00")) }

func readTrackInfo(c *call) ([]*node, *apiError) {
	artist, title := c.artistName(), c.trackName()
	if unknownName(artist) || unknownName(title) {
		return nil, errTrackNotFound()
	}
	n := el("track", txt("name", title), txt("mbid", c.get("mbid")), txt("url", musicURL(artist, "_", title)),
		txt("duration", itoa(durationOf(artist, title)*1000)), streamable(),
		txt("listeners", itoa(listenersOf(artist, title))), txt("playcount", itoa(playcountOf(artist, title))),
		artistRef(artist))
	if album := c.s.albumOfLocked(artist, title); album != "" {
		a := el("album", txt("artist", artist), txt("title", album), txt("mbid", ""), txt("url", musicURL(artist, album)))
		a.add(images(hash32(artist, album))...)
		n.add(a.a("position", "1"))
	}
	if un := c.get("username"); un != "" {
		p, _ := c.s.userPlays(un, artist, "", title)
		loved := "0"
		if u := c.s.userLocked(un); u != nil && u.lovedIndex(artist, title) >= 0 {
			loved = "1"
		}
		n.add(txt("userplaycount", strconv.Itoa(p)), txt("userloved", loved))
	}
	n.add(tagList("toptags", topTagsOf(artist, title)), wiki(title))
	return []*node{n}, nil
}

// albumOfLocked finds an album for a track: from any user's scrobbles, else the catalogue.
func (s *Server) albumOfLocked(artist, title string) string {
	for _, k := range s.userOrder {
		for _, sc := range s.users[k].scrobbles {
			if sc.Album != "" && strings.EqualFold(sc.Artist, artist) && strings.EqualFold(sc.Track, title) {
				return sc.Album
			}
		}
	}
	for _, ca := range chartArtists {
		if strings.EqualFold(ca.name, artist) && strings.EqualFold(ca.track, title) {
			return ca.album
		}
	}
	return ""
}

// readTags answers album|artist|track.getTags: the tags user (or the session's
// user when signed) put on the item.
func readTags(c *call) ([]*node, *apiError) {
	artist := c.artistName()
	u := c.user
	if name := c.get("user"); name != "" {
		if u = c.s.userLocked(name); u == nil {
			return nil, errUserNotFound()
		}
	}
	kindName, item := "artist", ""
	root := el("tags").a("artist", artist)
	switch c.info.name {
	case "album.getTags":
		kindName, item = "album", c.albumName()
		root.a("album", item)
	case "track.getTags":
		kindName, item = "track", c.trackName()
		root.a("track", item)
	}
	if e := u.tags[tagKey(kindName, artist, item)]; e != nil {
		for _, t := range e.tags {
			root.add(el("tag", txt("name", t), txt("url", tagURL(t))))
		}
	}
	return []*node{root}, nil
}

// readTopTags answers album|artist|track.getTopTags from the catalogue.
func readTopTags(c *call) ([]*node, *apiError) {
	artist := c.artistName()
	root := el("toptags").a("artist", artist).list("tag")
	parts, notFoundErr := []string{artist}, errArtistNotFound
	switch c.info.name {
	case "album.getTopTags":
		root.a("album", c.albumName())
		parts, notFoundErr = append(parts, c.albumName()), errAlbumNotFound
	case "track.getTopTags":
		root.a("track", c.trackName())
		parts, notFoundErr = append(parts, c.trackName()), errTrackNotFound
	}
	for _, p := range parts {
		if unknownName(p) {
			return nil, notFoundErr()
		}
	}
	for i, t := range topTagsOf(parts...) {
		root.add(el("tag", txt("count", strconv.Itoa(100-20*i)), txt("name", t), txt("url", tagURL(t))))
	}
	return []*node{root}, nil
}

// searchResults builds the opensearch envelope of *.search.
func searchResults(query string, limit, page, total int, matches *node) *node {
	n := el("results",
		txt("opensearch:Query", "").a("role", "request").a("searchTerms", query).a("startPage", strconv.Itoa(page)),
		txt("opensearch:totalResults", strconv.Itoa(total)),
		txt("opensearch:startIndex", strconv.Itoa((page-1)*limit)),
		txt("opensearch:itemsPerPage", strconv.Itoa(limit)),
		matches)
	n.a("for", query)
	n.attrs = append(n.attrs, attr{name: "xmlns:opensearch", value: "http://a9.com/-/spec/opensearch/1.1/", xmlOnly: true})
	return n
}

// searchNames returns catalogue artists matching q, then q and two variants.
func searchNames(q string) []string {
	if unknownName(q) {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	addName := func(n string) {
		if !seen[strings.ToLower(n)] {
			seen[strings.ToLower(n)] = true
			out = append(out, n)
		}
	}
	for _, ca := range chartArtists {
		if strings.Contains(strings.ToLower(ca.name), strings.ToLower(q)) {
			addName(ca.name)
		}
	}
	addName(q)
	addName(q + " & Friends")
	addName("The " + q + " Band")
	return out
}

func readArtistSearch(c *call) ([]*node, *apiError) {
	q := c.get("artist")
	limit, page := c.paging(30, 1000)
	all := searchNames(q)
	m := el("artistmatches").list("artist")
	for _, a := range pageOf(all, limit, page) {
		m.add(el("artist", txt("name", a), txt("listeners", itoa(listenersOf(a))), txt("mbid", ""),
			txt("url", musicURL(a)), txt("streamable", "0")).add(images(placeholderImage)...))
	}
	return []*node{searchResults(q, limit, page, len(all), m)}, nil
}

func readAlbumSearch(c *call) ([]*node, *apiError) {
	q := c.get("album")
	limit, page := c.paging(30, 1000)
	var all [][2]string // artist, album
	if !unknownName(q) {
		for _, ca := range chartArtists {
			if strings.Contains(strings.ToLower(ca.album), strings.ToLower(q)) {
				all = append(all, [2]string{ca.name, ca.album})
			}
		}
		for _, a := range similarTo(q, 2) {
			all = append(all, [2]string{a, q})
		}
	}
	m := el("albummatches").list("album")
	for _, it := range pageOf(all, limit, page) {
		m.add(el("album", txt("name", it[1]), txt("artist", it[0]), txt("url", musicURL(it[0], it[1]))).
			add(images(hash32(it[0], it[1]))...).add(txt("streamable", "0"), txt("mbid", "")))
	}
	return []*node{searchResults(q, limit, page, len(all), m)}, nil
}

func readTrackSearch(c *call) ([]*node, *apiError) {
	q := c.get("track")
	limit, page := c.paging(30, 1000)
	var all [][2]string // artist, track
	if !unknownName(q) {
		if a := c.get("artist"); a != "" {
			all = append(all, [2]string{a, q})
		}
		for _, ca := range chartArtists {
			if strings.Contains(strings.ToLower(ca.track), strings.ToLower(q)) {
				all = append(all, [2]string{ca.name, ca.track})
			}
		}
		for _, a := range similarTo(q, 2) {
			all = append(all, [2]string{a, q})
		}
	}
	m := el("trackmatches").list("track")
	for _, it := range pageOf(all, limit, page) {
		m.add(el("track", txt("name", it[1]), txt("artist", it[0]), txt("url", musicURL(it[0], "_", it[1])),
			txt("streamable", "FIXME"), // sic: Last.fm's track.search says so
			txt("listeners", itoa(listenersOf(it[0], it[1])))).
			add(images(placeholderImage)...).add(txt("mbid", "")))
	}
	return []*node{searchResults(q, limit, page, len(all), m)}, nil
}

func readArtistCorrection(c *call) ([]*node, *apiError) {
	artist := c.get("artist")
	root := el("corrections")
	if !unknownName(artist) {
		name, _ := c.s.correctLocked(artist)
		root.add(el("correction", artistRef(name)).a("index", "0"))
	}
	return []*node{root}, nil
}

func readTrackCorrection(c *call) ([]*node, *apiError) {
	artist, title := c.get("artist"), c.get("track")
	root := el("corrections")
	if !unknownName(artist) && !unknownName(title) {
		name, fixed := c.s.correctLocked(artist)
		ac := "0"
		if fixed {
			ac = "1"
		}
		root.add(el("correction", el("track", txt("name", title), txt("mbid", ""),
			txt("url", musicURL(name, "_", title)), artistRef(name))).
			a("index", "0").a("artistcorrected", ac).a("trackcorrected", "0"))
	}
	return []*node{root}, nil
}

func readArtistSimilar(c *call) ([]*node, *apiError) {
	artist := c.artistName()
	if unknownName(artist) {
		return nil, errArtistNotFound()
	}
	limit, _ := c.paging(100, 1000)
	root := el("similarartists").a("artist", artist).list("artist")
	for i, a := range similarTo(artist, min(limit, 10)) {
		n := el("artist", txt("name", a), txt("mbid", ""), txt("match", strconv.FormatFloat(1-0.08*float64(i), 'f', 6, 64)),
			txt("url", musicURL(a)))
		n.add(images(placeholderImage)...)
		root.add(n.add(txt("streamable", "0")))
	}
	return []*node{root}, nil
}

func readTrackSimilar(c *call) ([]*node, *apiError) {
	artist, title := c.artistName(), c.trackName()
	if unknownName(artist) || unknownName(title) {
		return nil, errTrackNotFound()
	}
	limit, _ := c.paging(100, 1000)
	root := el("similartracks").a("artist", artist).a("track", title).list("track")
	for i, a := range similarTo(artist, min(limit, 10)) {
		t := tracksOf(a, 1)[0]
		n := el("track", txt("name", t), txt("playcount", itoa(playcountOf(a, t))), txt("mbid", ""),
			txt("match", strconv.FormatFloat(1-0.08*float64(i), 'f', 6, 64)), txt("url", musicURL(a, "_", t)),
			streamable(), txt("duration", itoa(durationOf(a, t))), artistRef(a))
		root.add(n.add(images(placeholderImage)...))
	}
	return []*node{root}, nil
}

func readArtistTopAlbums(c *call) ([]*node, *apiError) {
	artist := c.artistName()
	if unknownName(artist) {
		return nil, errArtistNotFound()
	}
	limit, page := c.paging(50, 1000)
	all := albumsOf(artist, 5)
	root := paged(el("topalbums").a("artist", artist), limit, page, len(all)).list("album")
	for i, al := range pageOf(all, limit, page) {
		n := el("album", txt("name", al), txt("playcount", itoa(playcountOf(artist, al))), txt("mbid", ""),
			txt("url", musicURL(artist, al)), artistRef(artist)).a("rank", strconv.Itoa((page-1)*limit+i+1))
		root.add(n.add(images(hash32(artist, al))...))
	}
	return []*node{root}, nil
}

func readArtistTopTracks(c *call) ([]*node, *apiError) {
	artist := c.artistName()
	if unknownName(artist) {
		return nil, errArtistNotFound()
	}
	limit, page := c.paging(50, 1000)
	all := tracksOf(artist, 10)
	root := paged(el("toptracks").a("artist", artist), limit, page, len(all)).list("track")
	for i, t := range pageOf(all, limit, page) {
		n := el("track", txt("name", t), txt("playcount", itoa(playcountOf(artist, t))),
			txt("listeners", itoa(listenersOf(artist, t))), txt("mbid", ""), txt("url", musicURL(artist, "_", t)),
			txt("streamable", "0"), artistRef(artist)).a("rank", strconv.Itoa((page-1)*limit+i+1))
		root.add(n.add(images(placeholderImage)...))
	}
	return []*node{root}, nil
}

// chartArtistNames returns the catalogue artists, optionally reordered for a key
// (a country or tag) so different charts differ.
func chartArtistNames(key string) []string {
	out := make([]string, len(chartArtists))
	for i, ca := range chartArtists {
		out[i] = ca.name
	}
	if key != "" {
		sort.SliceStable(out, func(i, j int) bool { return hash64(key, out[i]) < hash64(key, out[j]) })
	}
	return out
}

func chartArtistNode(a string, rank int, withPlays bool) *node {
	n := el("artist", txt("name", a))
	if withPlays {
		n.add(txt("playcount", itoa(playcountOf(a))))
	}
	n.add(txt("listeners", itoa(listenersOf(a))), txt("mbid", ""), txt("url", musicURL(a)), txt("streamable", "0"))
	n.add(images(placeholderImage)...)
	if rank > 0 {
		n.a("rank", strconv.Itoa(rank))
	}
	return n
}

func chartTrackNode(a, t string, rank int) *node {
	n := el("track", txt("name", t), txt("duration", itoa(durationOf(a, t))), txt("playcount", itoa(playcountOf(a, t))),
		txt("listeners", itoa(listenersOf(a, t))), txt("mbid", ""), txt("url", musicURL(a, "_", t)), streamable(), artistRef(a))
	n.add(images(placeholderImage)...)
	if rank > 0 {
		n.a("rank", strconv.Itoa(rank))
	}
	return n
}

func readChartTopArtists(c *call) ([]*node, *apiError) {
	limit, page := c.paging(50, 1000)
	all := chartArtistNames("")
	root := paged(el("artists"), limit, page, len(all)).list("artist")
	for _, a := range pageOf(all, limit, page) {
		root.add(chartArtistNode(a, 0, true))
	}
	return []*node{root}, nil
}

func readChartTopTracks(c *call) ([]*node, *apiError) {
	limit, page := c.paging(50, 1000)
	root := paged(el("tracks"), limit, page, len(chartArtists)).list("track")
	for _, ca := range pageOf(chartArtists, limit, page) {
		root.add(chartTrackNode(ca.name, ca.track, 0))
	}
	return []*node{root}, nil
}

func readChartTopTags(c *call) ([]*node, *apiError) {
	limit, page := c.paging(50, 1000)
	root := paged(el("tags"), limit, page, len(catalogueTags)).list("tag")
	for _, t := range pageOf(catalogueTags, limit, page) {
		root.add(el("tag", txt("name", t), txt("url", tagURL(t)), txt("reach", itoa(listenersOf(t))),
			txt("taggings", itoa(playcountOf(t))), txt("streamable", "1"), wiki(t)))
	}
	return []*node{root}, nil
}

func readGeoTopArtists(c *call) ([]*node, *apiError) {
	country := c.get("country")
	if unknownName(country) {
		return nil, lfmErrMsg(ErrInvalidParameters, "country param invalid")
	}
	limit, page := c.paging(50, 1000)
	all := chartArtistNames(country)
	root := paged(el("topartists").a("country", country), limit, page, len(all)).list("artist")
	for _, a := range pageOf(all, limit, page) {
		root.add(chartArtistNode(a, 0, false))
	}
	return []*node{root}, nil
}

func readGeoTopTracks(c *call) ([]*node, *apiError) {
	country := c.get("country")
	if unknownName(country) {
		return nil, lfmErrMsg(ErrInvalidParameters, "country param invalid")
	}
	limit, page := c.paging(50, 1000)
	all := chartArtistNames(country)
	root := paged(el("tracks").a("country", country), limit, page, len(all)).list("track")
	for i, a := range pageOf(all, limit, page) {
		root.add(chartTrackNode(a, tracksOf(a, 1)[0], (page-1)*limit+i+1))
	}
	return []*node{root}, nil
}

// tagArtists returns the catalogue artists of a tag ("Unknown" tags have none).
func tagArtists(tag string) []string {
	if unknownName(tag) {
		return nil
	}
	return chartArtistNames("tag:" + tag)
}

func readTagInfo(c *call) ([]*node, *apiError) {
	t := c.get("tag")
	reach, total := int64(0), int64(0)
	if !unknownName(t) {
		reach, total = listenersOf(t), playcountOf(t)
	}
	return []*node{el("tag", txt("name", strings.ToLower(t)), txt("total", itoa(total)), txt("reach", itoa(reach)),
		el("wiki", txt("summary", ""), txt("content", "")))}, nil
}

func readTagSimilar(c *call) ([]*node, *apiError) {
	t := c.get("tag")
	root := el("similartags").a("tag", t).list("tag")
	if !unknownName(t) {
		for _, o := range topTagsOf(t, "similar") {
			if o != strings.ToLower(t) {
				root.add(el("tag", txt("name", o), txt("url", tagURL(o)), txt("streamable", "1")))
			}
		}
	}
	return []*node{root}, nil
}

func readTagTopArtists(c *call) ([]*node, *apiError) {
	t := c.get("tag")
	limit, page := c.paging(50, 1000)
	all := tagArtists(t)
	root := paged(el("topartists").a("tag", t), limit, page, len(all)).list("artist")
	for i, a := range pageOf(all, limit, page) {
		n := el("artist", txt("name", a), txt("mbid", ""), txt("url", musicURL(a)), txt("streamable", "0"))
		root.add(n.add(images(placeholderImage)...).a("rank", strconv.Itoa((page-1)*limit+i+1)))
	}
	return []*node{root}, nil
}

func readTagTopAlbums(c *call) ([]*node, *apiError) {
	t := c.get("tag")
	limit, page := c.paging(50, 1000)
	all := tagArtists(t)
	root := paged(el("albums").a("tag", t), limit, page, len(all)).list("album")
	for i, a := range pageOf(all, limit, page) {
		al := albumsOf(a, 1)[0]
		n := el("album", txt("name", al), txt("mbid", ""), txt("url", musicURL(a, al)), artistRef(a))
		root.add(n.add(images(hash32(a, al))...).a("rank", strconv.Itoa((page-1)*limit+i+1)))
	}
	return []*node{root}, nil
}

func readTagTopTracks(c *call) ([]*node, *apiError) {
	t := c.get("tag")
	limit, page := c.paging(50, 1000)
	all := tagArtists(t)
	root := paged(el("tracks").a("tag", t), limit, page, len(all)).list("track")
	for i, a := range pageOf(all, limit, page) {
		tr := tracksOf(a, 1)[0]
		n := el("track", txt("name", tr), txt("duration", itoa(durationOf(a, tr))), txt("mbid", ""),
			txt("url", musicURL(a, "_", tr)), streamable(), artistRef(a))
		root.add(n.add(images(placeholderImage)...).a("rank", strconv.Itoa((page-1)*limit+i+1)))
	}
	return []*node{root}, nil
}

func readTagTopTags(c *call) ([]*node, *apiError) {
	root := el("toptags").a("offset", "0").a("num_res", strconv.Itoa(len(catalogueTags))).
		a("total", strconv.Itoa(len(catalogueTags))).list("tag")
	for _, t := range catalogueTags {
		root.add(el("tag", txt("name", t), txt("count", itoa(playcountOf(t))), txt("reach", itoa(listenersOf(t)))))
	}
	return []*node{root}, nil
}

func readTagWeeklyChartList(c *call) ([]*node, *apiError) {
	root := el("weeklychartlist").a("tag", c.get("tag")).list("chart")
	for _, w := range weeks(c.s.now(), 10) {
		root.add(txt("chart", "").a("from", itoa(w[0])).a("to", itoa(w[1])))
	}
	return []*node{root}, nil
}
