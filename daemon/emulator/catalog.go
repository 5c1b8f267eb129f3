package emulator

import "strings"

// kind is a method class (the method pages, https://www.last.fm/api/show/METHOD).
type kind int

const (
	kindRead kind = iota
	kindWrite
	kindAuth
)

// methodInfo describes one catalog method.
type methodInfo struct {
	name string // canonical camelCase name
	kind kind
	post bool // must be POSTed
	// need lists required parameters: every group must have at least one of its
	// names present and non-empty ("sk" counts when a valid session came with it).
	need [][]string
	h    func(*call) ([]*node, *apiError)
}

var catalog map[string]*methodInfo

// methods lists the 58 methods lastfmd knows: the 57 on https://www.last.fm/api
// and the undocumented user.getTrackScrobbles.
func methods() []*methodInfo {
	r := func(name string, h func(*call) ([]*node, *apiError), need ...[]string) *methodInfo {
		return &methodInfo{name: name, kind: kindRead, need: need, h: h}
	}
	w := func(name string, h func(*call) ([]*node, *apiError), need ...[]string) *methodInfo {
		return &methodInfo{name: name, kind: kindWrite, post: true, need: need, h: h}
	}
	g := func(names ...string) []string { return names }
	artist := g("artist", "mbid")
	album := g("album", "mbid")
	track := g("track", "mbid")
	who := g("user", "sk")
	return []*methodInfo{
		w("album.addTags", writeAddTags, g("artist"), g("album"), g("tags")),
		r("album.getInfo", readAlbumInfo, artist, album),
		r("album.getTags", readTags, artist, album, who),
		r("album.getTopTags", readTopTags, artist, album),
		w("album.removeTag", writeRemoveTag, g("artist"), g("album"), g("tag")),
		r("album.search", readAlbumSearch, g("album")),
		w("artist.addTags", writeAddTags, g("artist"), g("tags")),
		r("artist.getCorrection", readArtistCorrection, g("artist")),
		r("artist.getInfo", readArtistInfo, artist),
		r("artist.getSimilar", readArtistSimilar, artist),
		r("artist.getTags", readTags, artist, who),
		r("artist.getTopAlbums", readArtistTopAlbums, artist),
		r("artist.getTopTags", readTopTags, artist),
		r("artist.getTopTracks", readArtistTopTracks, artist),
		w("artist.removeTag", writeRemoveTag, g("artist"), g("tag")),
		r("artist.search", readArtistSearch, g("artist")),
		{name: "auth.getMobileSession", kind: kindAuth, post: true, need: [][]string{g("username"), g("password", "authToken")}, h: authGetMobileSession},
		{name: "auth.getSession", kind: kindAuth, need: [][]string{g("token")}, h: authGetSession},
		{name: "auth.getToken", kind: kindAuth, h: authGetToken},
		r("chart.getTopArtists", readChartTopArtists),
		r("chart.getTopTags", readChartTopTags),
		r("chart.getTopTracks", readChartTopTracks),
		r("geo.getTopArtists", readGeoTopArtists, g("country")),
		r("geo.getTopTracks", readGeoTopTracks, g("country")),
		r("library.getArtists", readLibraryArtists, g("user")),
		r("tag.getInfo", readTagInfo, g("tag")),
		r("tag.getSimilar", readTagSimilar, g("tag")),
		r("tag.getTopAlbums", readTagTopAlbums, g("tag")),
		r("tag.getTopArtists", readTagTopArtists, g("tag")),
		r("tag.getTopTags", readTagTopTags),
		r("tag.getTopTracks", readTagTopTracks, g("tag")),
		r("tag.getWeeklyChartList", readTagWeeklyChartList, g("tag")),
		w("track.addTags", writeAddTags, g("artist"), g("track"), g("tags")),
		r("track.getCorrection", readTrackCorrection, g("artist"), g("track")),
		r("track.getInfo", readTrackInfo, artist, track),
		r("track.getSimilar", readTrackSimilar, artist, track),
		r("track.getTags", readTags, artist, track, who),
		r("track.getTopTags", readTopTags, artist, track),
		w("track.love", writeLove, g("artist"), g("track")),
		w("track.removeTag", writeRemoveTag, g("artist"), g("track"), g("tag")),
		w("track.scrobble", writeScrobble),
		r("track.search", readTrackSearch, g("track")),
		w("track.unlove", writeUnlove, g("artist"), g("track")),
		w("track.updateNowPlaying", writeNowPlaying, g("artist"), g("track")),
		r("user.getFriends", readUserFriends, g("user")),
		r("user.getInfo", readUserInfo, who),
		r("user.getLovedTracks", readUserLovedTracks, g("user")),
		r("user.getPersonalTags", readUserPersonalTags, g("user"), g("tag"), g("taggingtype")),
		r("user.getRecentTracks", readUserRecentTracks, g("user")),
		r("user.getTopAlbums", readUserTopAlbums, g("user")),
		r("user.getTopArtists", readUserTopArtists, g("user")),
		r("user.getTopTags", readUserTopTags, g("user")),
		r("user.getTopTracks", readUserTopTracks, g("user")),
		r("user.getWeeklyAlbumChart", readUserWeeklyAlbumChart, g("user")),
		r("user.getWeeklyArtistChart", readUserWeeklyArtistChart, g("user")),
		r("user.getWeeklyChartList", readUserWeeklyChartList, g("user")),
		r("user.getWeeklyTrackChart", readUserWeeklyTrackChart, g("user")),
		r("user.getTrackScrobbles", readUserTrackScrobbles, g("user"), g("artist"), g("track")),
	}
}

func init() {
	catalog = map[string]*methodInfo{}
	for _, m := range methods() {
		catalog[strings.ToLower(m.name)] = m
	}
}

// deprecatedMethods answer error 27 rather than 3.
var deprecatedMethods = map[string]bool{"user.getartisttracks": true}

// lookupMethod finds a catalog method by name in any case.
func lookupMethod(name string) *methodInfo { return catalog[strings.ToLower(name)] }

// canonicalMethod returns the catalog spelling of name, or name itself when unknown.
func canonicalMethod(name string) string {
	if m := lookupMethod(name); m != nil {
		return m.name
	}
	return name
}

// Methods returns the canonical names of the 58 methods the emulator knows.
func Methods() []string {
	ms := methods()
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.name
	}
	return out
}
