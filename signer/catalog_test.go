package signer

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// tsvRow is one row of the method table the project was specified with
// (verb, signature, session, kind and cache tier of each method, gathered
// from the method pages at https://www.last.fm/api/show/NAME), kept here as
// Go literals: an independent copy the catalog is checked against.
type tsvRow struct {
	name    string
	verb    string
	signed  bool
	session bool
	kind    Kind
	tier    Tier
}

// methodsTSV is that table (columns method, http_verb, needs_signature,
// needs_session, kind, cache_hint).
var methodsTSV = []tsvRow{
	{"album.addTags", "POST", true, true, KindWrite, TierNever},
	{"album.getInfo", "GET", false, false, KindRead, TierLong},
	{"album.getTags", "GET", false, false, KindRead, TierShort},
	{"album.getTopTags", "GET", false, false, KindRead, TierLong},
	{"album.removeTag", "POST", true, true, KindWrite, TierNever},
	{"album.search", "GET", false, false, KindRead, TierMedium},
	{"artist.addTags", "POST", true, true, KindWrite, TierNever},
	{"artist.getCorrection", "GET", false, false, KindRead, TierLong},
	{"artist.getInfo", "GET", false, false, KindRead, TierLong},
	{"artist.getSimilar", "GET", false, false, KindRead, TierLong},
	{"artist.getTags", "GET", false, false, KindRead, TierShort},
	{"artist.getTopAlbums", "GET", false, false, KindRead, TierMedium},
	{"artist.getTopTags", "GET", false, false, KindRead, TierLong},
	{"artist.getTopTracks", "GET", false, false, KindRead, TierMedium},
	{"artist.removeTag", "POST", true, true, KindWrite, TierNever},
	{"artist.search", "GET", false, false, KindRead, TierMedium},
	{"auth.getMobileSession", "POST", true, false, KindAuth, TierNever},
	{"auth.getSession", "POST", true, false, KindAuth, TierNever},
	{"auth.getToken", "GET", true, false, KindAuth, TierNever},
	{"chart.getTopArtists", "GET", false, false, KindRead, TierMedium},
	{"chart.getTopTags", "GET", false, false, KindRead, TierMedium},
	{"chart.getTopTracks", "GET", false, false, KindRead, TierMedium},
	{"geo.getTopArtists", "GET", false, false, KindRead, TierMedium},
	{"geo.getTopTracks", "GET", false, false, KindRead, TierMedium},
	{"library.getArtists", "GET", false, false, KindRead, TierMedium},
	{"tag.getInfo", "GET", false, false, KindRead, TierLong},
	{"tag.getSimilar", "GET", false, false, KindRead, TierLong},
	{"tag.getTopAlbums", "GET", false, false, KindRead, TierMedium},
	{"tag.getTopArtists", "GET", false, false, KindRead, TierMedium},
	{"tag.getTopTags", "GET", false, false, KindRead, TierMedium},
	{"tag.getTopTracks", "GET", false, false, KindRead, TierMedium},
	{"tag.getWeeklyChartList", "GET", false, false, KindRead, TierLong},
	{"track.addTags", "POST", true, true, KindWrite, TierNever},
	{"track.getCorrection", "GET", false, false, KindRead, TierLong},
	{"track.getInfo", "GET", false, false, KindRead, TierLong},
	{"track.getSimilar", "GET", false, false, KindRead, TierLong},
	{"track.getTags", "GET", false, false, KindRead, TierShort},
	{"track.getTopTags", "GET", false, false, KindRead, TierLong},
	{"track.love", "POST", true, true, KindWrite, TierNever},
	{"track.removeTag", "POST", true, true, KindWrite, TierNever},
	{"track.scrobble", "POST", true, true, KindWrite, TierNever},
	{"track.search", "GET", false, false, KindRead, TierMedium},
	{"track.unlove", "POST", true, true, KindWrite, TierNever},
	{"track.updateNowPlaying", "POST", true, true, KindWrite, TierNever},
	{"user.getFriends", "GET", false, false, KindRead, TierMedium},
	{"user.getInfo", "GET", false, false, KindRead, TierShort},
	{"user.getLovedTracks", "GET", false, false, KindRead, TierShort},
	{"user.getPersonalTags", "GET", false, false, KindRead, TierShort},
	{"user.getRecentTracks", "GET", false, false, KindRead, TierShort},
	{"user.getTopAlbums", "GET", false, false, KindRead, TierMedium},
	{"user.getTopArtists", "GET", false, false, KindRead, TierMedium},
	{"user.getTopTags", "GET", false, false, KindRead, TierMedium},
	{"user.getTopTracks", "GET", false, false, KindRead, TierMedium},
	{"user.getWeeklyAlbumChart", "GET", false, false, KindRead, TierMedium},
	{"user.getWeeklyArtistChart", "GET", false, false, KindRead, TierMedium},
	{"user.getWeeklyChartList", "GET", false, false, KindRead, TierLong},
	{"user.getWeeklyTrackChart", "GET", false, false, KindRead, TierMedium},
	{"user.getTrackScrobbles", "GET", false, false, KindRead, TierShort},
}

func TestCatalogMatchesTSV(t *testing.T) {
	if len(methodsTSV) != 58 || len(Methods()) != 58 {
		t.Errorf("TSV has %d rows, catalog %d methods; want 58", len(methodsTSV), len(Methods()))
	}
	inTSV := map[string]bool{}
	for _, row := range methodsTSV {
		inTSV[row.name] = true
	}
	for _, m := range Methods() {
		if !inTSV[m.Name] {
			t.Errorf("%s: in the catalog but not in the TSV", m.Name)
		}
	}
	if len(byLowerName) != len(catalog) {
		t.Errorf("catalog has %d entries but %d distinct names", len(catalog), len(byLowerName))
	}
	for _, row := range methodsTSV {
		m, ok := Lookup(row.name)
		if !ok {
			t.Errorf("%s: not in the catalog", row.name)
			continue
		}
		got := tsvRow{m.Name, m.Verb, m.Signed, m.Session, m.Kind, m.Tier}
		if got != row {
			t.Errorf("%s: catalog %+v, TSV %+v", row.name, got, row)
		}
	}
}

func TestCatalogCounts(t *testing.T) {
	count := map[Kind]int{}
	var idempotent, authUser []string
	for _, m := range Methods() {
		count[m.Kind]++
		if m.Idempotent {
			idempotent = append(idempotent, m.Name)
		}
		if m.AuthUserDefault {
			authUser = append(authUser, m.Name)
		}
		if m.Kind == KindWrite && (m.Verb != "POST" || !m.Signed || !m.Session || m.Tier != TierNever) {
			t.Errorf("%s: a write must be a signed POST with sk, never cached", m.Name)
		}
		if m.Idempotent && m.Kind != KindWrite {
			t.Errorf("%s: idempotent but not a write", m.Name)
		}
	}
	if count[KindWrite] != 10 || count[KindAuth] != 3 || count[KindRead] != 45 {
		t.Errorf("kinds = %v, want 10 writes, 3 auth, 45 reads", count)
	}
	wantIdem := []string{"album.addTags", "album.removeTag", "artist.addTags", "artist.removeTag",
		"track.addTags", "track.love", "track.removeTag", "track.unlove"}
	if !slices.Equal(idempotent, wantIdem) {
		t.Errorf("idempotent = %v, want %v", idempotent, wantIdem)
	}
	wantAuthUser := []string{"album.getTags", "artist.getTags", "track.getTags", "user.getInfo"}
	if !slices.Equal(authUser, wantAuthUser) {
		t.Errorf("AuthUserDefault = %v, want %v", authUser, wantAuthUser)
	}
}

func TestMethodsSortedAndCopied(t *testing.T) {
	ms := Methods()
	if !slices.IsSortedFunc(ms, func(a, b Method) int {
		if a.Name < b.Name {
			return -1
		}
		return 1
	}) {
		t.Error("Methods() is not sorted by name")
	}
	m, _ := Lookup("track.love")
	m.Required()[0] = "changed"
	ms[0].Name = "changed"
	if again, _ := Lookup("track.love"); again.Required()[0] != "artist" {
		t.Error("Lookup shares Required with the catalog")
	}
	if Methods()[0].Name == "changed" {
		t.Error("Methods shares the catalog")
	}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"track.love", "track.love", true},
		{"TRACK.LOVE", "track.love", true},
		{"auth.getsession", "auth.getSession", true},
		{"User.getrecenttracks", "user.getRecentTracks", true},
		{"track.updatenowplaying", "track.updateNowPlaying", true},
		{"user.gettrackscrobbles", "user.getTrackScrobbles", true},
		{"track.ban", "track.ban", false},
		{"", "", false},
		{"trac\u212a.love", "trac\u212a.love", false}, // Kelvin sign: no Unicode folding
		{" track.love", " track.love", false},
	}
	for _, tt := range tests {
		m, ok := Lookup(tt.in)
		if ok != tt.ok || ok && m.Name != tt.want {
			t.Errorf("Lookup(%q) = %q, %v; want %q, %v", tt.in, m.Name, ok, tt.want, tt.ok)
		}
	}
}

func TestTierFor(t *testing.T) {
	now := time.Unix(1_750_000_000, 0)
	past, future := strconv.FormatInt(now.Unix()-7*86400, 10), strconv.FormatInt(now.Unix()+86400, 10)
	tests := []struct {
		method string
		params map[string]string
		want   Tier
	}{
		{"artist.getInfo", nil, TierLong},
		{"artist.getInfo", map[string]string{"username": "rj"}, TierShort},
		{"album.getInfo", map[string]string{"username": "rj"}, TierShort},
		{"track.getInfo", map[string]string{"username": "rj"}, TierShort},
		{"track.getInfo", map[string]string{"username": ""}, TierLong},
		{"tag.getInfo", map[string]string{"username": "rj"}, TierLong}, // not an album/artist/track getInfo
		{"user.getWeeklyArtistChart", nil, TierMedium},
		{"user.getWeeklyArtistChart", map[string]string{"from": "1", "to": past}, TierLong},
		{"user.getWeeklyAlbumChart", map[string]string{"from": "1", "to": past}, TierLong},
		{"user.getWeeklyTrackChart", map[string]string{"from": "1", "to": past}, TierLong},
		{"user.getWeeklyTrackChart", map[string]string{"from": "1", "to": future}, TierMedium},
		{"user.getWeeklyTrackChart", map[string]string{"from": "1", "to": strconv.FormatInt(now.Unix(), 10)}, TierMedium},
		{"user.getWeeklyTrackChart", map[string]string{"to": past}, TierMedium},
		{"user.getWeeklyTrackChart", map[string]string{"from": "1"}, TierMedium},
		{"user.getWeeklyTrackChart", map[string]string{"from": "x", "to": past}, TierMedium},
		{"user.getWeeklyTrackChart", map[string]string{"from": "1", "to": "soon"}, TierMedium},
		{"user.getWeeklyChartList", map[string]string{"from": "1", "to": past}, TierLong},
		{"user.getRecentTracks", map[string]string{"from": "1", "to": past}, TierShort},
		{"track.love", map[string]string{"username": "rj"}, TierNever},
	}
	for _, tt := range tests {
		m, ok := Lookup(tt.method)
		if !ok {
			t.Fatalf("Lookup(%q) failed", tt.method)
		}
		if got := m.TierFor(tt.params, now); got != tt.want {
			t.Errorf("%s %v: TierFor = %v, want %v", tt.method, tt.params, got, tt.want)
		}
	}
}

func TestMissing(t *testing.T) {
	tests := []struct {
		method string
		params map[string]string
		want   []string
	}{
		{"track.love", map[string]string{"artist": "a", "track": "t"}, nil},
		{"track.love", map[string]string{"artist": "a"}, []string{"track"}},
		{"track.getInfo", map[string]string{"mbid": "x"}, nil},
		{"track.getInfo", map[string]string{"artist": "a"}, []string{"track"}},
		{"track.love", map[string]string{"mbid": "x"}, []string{"artist", "track"}},
		{"user.getInfo", nil, nil},
		{"track.scrobble", map[string]string{"artist": "a", "track": "t", "timestamp": "1"}, nil},
		{"track.scrobble", map[string]string{"artist": "a", "track": "t"}, []string{"timestamp"}},
		{"track.scrobble", batch11(), nil},
		{"track.scrobble", map[string]string{"artist[0]": "a", "track[0]": "t", "timestamp": "1"}, []string{"timestamp[0]"}},
		{"track.scrobble", map[string]string{"artist": "a", "track": "t", "lang[0]": "en"}, []string{"timestamp"}},
		{"track.scrobble", map[string]string{"artist[0]": "a", "track[0]": "t", "timestamp[0]": "1",
			"artist[1]": "b", "timestamp[1]": "2"}, []string{"track[1]"}},
		{"track.scrobble", map[string]string{"artist[0]": "a", "artist[2]": "c"}, nil}, // BatchSize fails first
	}
	for _, tt := range tests {
		m, _ := Lookup(tt.method)
		if got := m.Missing(tt.params); !slices.Equal(got, tt.want) {
			t.Errorf("%s %v: Missing = %v, want %v", tt.method, tt.params, got, tt.want)
		}
	}
}

func TestKindTierStrings(t *testing.T) {
	for v, want := range map[Kind]string{KindRead: "read", KindWrite: "write", KindAuth: "auth", 7: "Kind(7)"} {
		if v.String() != want {
			t.Errorf("%d.String() = %q, want %q", int(v), v.String(), want)
		}
	}
	for v, want := range map[Tier]string{TierNever: "never", TierShort: "short", TierMedium: "medium", TierLong: "long", 9: "Tier(9)"} {
		if v.String() != want {
			t.Errorf("%d.String() = %q, want %q", int(v), v.String(), want)
		}
	}
}

func TestIsMethodName(t *testing.T) {
	cases := map[string]bool{
		"artist.getInfo":               true,
		"user.getSecretThing":          true,
		"x.y":                          true,
		"a_b.c_1":                      true,
		"nodot":                        false,
		".getInfo":                     false,
		"artist.":                      false,
		"a.b.c":                        false,
		"artist.get info":              false,
		"artist.get-info":              false,
		"artíst.getInfo":               false,
		"":                             false,
		"a." + strings.Repeat("b", 62): true,
		"a." + strings.Repeat("b", 63): false,
	}
	for name, want := range cases {
		if got := IsMethodName(name); got != want {
			t.Errorf("IsMethodName(%q) = %v, want %v", name, got, want)
		}
	}
	for _, m := range Methods() {
		if !IsMethodName(m.Name) {
			t.Errorf("catalog method %q does not pass IsMethodName", m.Name)
		}
	}
}
