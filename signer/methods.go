package signer

// catalog is every method lastfmd knows: the 57 documented on
// https://www.last.fm/api (each at https://www.last.fm/api/show/NAME) plus
// the undocumented user.getTrackScrobbles. Verb, signature, session, kind and
// tier follow the table in catalog_test.go (methodsTSV) row by row; Required
// follows the "(Required)" marks on each method's page. Kept in that
// table's (alphabetical) order so the two can be compared side by side.
var catalog = []Method{
	write("album.addTags", idempotent, "artist", "album", "tags").tags("album.getTags"),
	read("album.getInfo", TierLong, "artist", "album").mbid(),
	read("album.getTags", TierShort, "artist", "album").mbid().authUser(),
	read("album.getTopTags", TierLong, "artist", "album").mbid(),
	write("album.removeTag", idempotent, "artist", "album", "tag").tags("album.getTags"),
	read("album.search", TierMedium, "album"),
	write("artist.addTags", idempotent, "artist", "tags").tags("artist.getTags"),
	read("artist.getCorrection", TierLong, "artist"),
	read("artist.getInfo", TierLong, "artist").mbid(),
	read("artist.getSimilar", TierLong, "artist").mbid(),
	read("artist.getTags", TierShort, "artist").mbid().authUser(),
	read("artist.getTopAlbums", TierMedium, "artist").mbid(),
	read("artist.getTopTags", TierLong, "artist").mbid(),
	read("artist.getTopTracks", TierMedium, "artist").mbid(),
	write("artist.removeTag", idempotent, "artist", "tag").tags("artist.getTags"),
	read("artist.search", TierMedium, "artist"),
	// The page requires password; the older authToken form
	// (md5(username + md5(password))) replaces it, so only username is
	// listed and the caller checks for one of the two.
	// https://www.last.fm/api/show/auth.getMobileSession
	auth("auth.getMobileSession", "POST", "username").mobile(),
	auth("auth.getSession", "POST", "token"),
	auth("auth.getToken", "GET"),
	read("chart.getTopArtists", TierMedium),
	read("chart.getTopTags", TierMedium),
	read("chart.getTopTracks", TierMedium),
	read("geo.getTopArtists", TierMedium, "country"),
	read("geo.getTopTracks", TierMedium, "country"),
	read("library.getArtists", TierMedium, "user"),
	read("tag.getInfo", TierLong, "tag"),
	read("tag.getSimilar", TierLong, "tag"),
	read("tag.getTopAlbums", TierMedium, "tag"),
	read("tag.getTopArtists", TierMedium, "tag"),
	read("tag.getTopTags", TierMedium),
	read("tag.getTopTracks", TierMedium, "tag"),
	read("tag.getWeeklyChartList", TierLong, "tag"),
	write("track.addTags", idempotent, "artist", "track", "tags").tags("track.getTags"),
	read("track.getCorrection", TierLong, "artist", "track"),
	read("track.getInfo", TierLong, "artist", "track").mbid(),
	read("track.getSimilar", TierLong, "artist", "track").mbid(),
	read("track.getTags", TierShort, "artist", "track").mbid().authUser(),
	read("track.getTopTags", TierLong, "artist", "track").mbid(),
	write("track.love", idempotent, "artist", "track").love(),
	write("track.removeTag", idempotent, "artist", "track", "tag").tags("track.getTags"),
	write(MethodScrobble, notIdempotent, "artist", "track", "timestamp").batch(),
	read("track.search", TierMedium, "track"),
	write("track.unlove", idempotent, "artist", "track").love(),
	write("track.updateNowPlaying", notIdempotent, "artist", "track").nowPlaying(),
	read("user.getFriends", TierMedium, "user"),
	read("user.getInfo", TierShort).authUser(),
	read("user.getLovedTracks", TierShort, "user"),
	read("user.getPersonalTags", TierShort, "user", "tag", "taggingtype"),
	read("user.getRecentTracks", TierShort, "user"),
	read("user.getTopAlbums", TierMedium, "user"),
	read("user.getTopArtists", TierMedium, "user"),
	read("user.getTopTags", TierMedium, "user"),
	read("user.getTopTracks", TierMedium, "user"),
	read("user.getWeeklyAlbumChart", TierMedium, "user"),
	read("user.getWeeklyArtistChart", TierMedium, "user"),
	read("user.getWeeklyChartList", TierLong, "user"),
	read("user.getWeeklyTrackChart", TierMedium, "user"),
	// Undocumented, but live per pylast's recordings (Nov 2025).
	read("user.getTrackScrobbles", TierShort, "user", "artist", "track"),
}

// Readable names for write's second argument.
const (
	idempotent    = true
	notIdempotent = false
)

// read is a plain read: "This service does not require authentication", so
// an unsigned GET (e.g. https://www.last.fm/api/show/artist.getInfo).
func read(name string, tier Tier, required ...string) Method {
	return Method{Name: name, Verb: "GET", Kind: KindRead, Tier: tier, required: required}
}

// write is a write service: POST, signed, with sk, never cached
// (e.g. https://www.last.fm/api/show/track.love).
func write(name string, replayable bool, required ...string) Method {
	m := Method{Name: name, Verb: "POST", Signed: true, Session: true, Kind: KindWrite,
		Tier: TierNever, Idempotent: replayable, required: required, Caller: CallerWrite}
	if replayable {
		m.Journal = JournalWhenUnreachable // safe to send twice (docs/design.md#reliability-rules)
	}
	return m
}

// auth is an auth.* call: signed, no sk, never cached
// (https://www.last.fm/api/authspec).
func auth(name, verb string, required ...string) Method {
	return Method{Name: name, Verb: verb, Signed: true, Kind: KindAuth, Tier: TierNever, required: required}
}

// mbid marks Required as replaceable by an mbid parameter.
func (m Method) mbid() Method { m.MBIDReplaces = true; return m }

// authUser marks a read that answers for the signed-in user when `user` is
// missing.
func (m Method) authUser() Method { m.AuthUserDefault = true; return m }

// batch marks a method that takes indexed items: track.scrobble, always
// journalled, whose success makes the user's recent tracks stale.
func (m Method) batch() Method {
	m.Batch, m.Caller, m.Journal, m.Mirror = true, CallerScrobble, JournalAlways, MirrorJournal
	m.Stale = []Stale{{"user.getRecentTracks", "user"}}
	return m
}

// mobile marks auth.getMobileSession, which lastfmd runs for /2.0/.
func (m Method) mobile() Method { m.MobileSignIn = true; return m }

// nowPlaying marks track.updateNowPlaying: its own column of the table,
// never journalled (a stale "now playing" is worse than none).
func (m Method) nowPlaying() Method { m.Caller, m.Mirror = CallerNowPlaying, MirrorOnce; return m }

// love marks track.love and track.unlove: facet "love", making the
// user's loved tracks and the track's info (its userloved) stale.
func (m Method) love() Method {
	m.Facet, m.Mirror = "love", MirrorJournal
	m.Stale = []Stale{{"user.getLovedTracks", "user"}, {"track.getInfo", "username"}}
	return m
}

// tags marks an addTags or removeTag: facet "tags", making getTags (the
// user's tags on the entity) stale.
func (m Method) tags(getTags string) Method {
	m.Facet = "tags"
	m.Stale = []Stale{{getTags, "user"}}
	return m
}
