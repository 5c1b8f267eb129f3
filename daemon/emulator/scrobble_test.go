package emulator

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/fakeclock"
)

// batch builds indexed scrobble parameters for n items starting at ts, 240 s apart.
func batch(n int, ts int64) P {
	p := P{"method": "track.scrobble"}
	for i := range n {
		p[fmt.Sprintf("artist[%d]", i)] = fmt.Sprintf("A%d", i)
		p[fmt.Sprintf("track[%d]", i)] = fmt.Sprintf("T%d", i)
		p[fmt.Sprintf("timestamp[%d]", i)] = fmt.Sprint(ts + 240*int64(i))
	}
	return p
}

func TestScrobbleBatch(t *testing.T) {
	clock := fakeclock.New(time.Unix(1700000000+3600*3, 0))
	s := newTestServer(t, Options{Now: clock.Now})
	s.AddUser("rj", "pw", false)
	sk := s.NewSession("rj")

	p := batch(11, 1700000000)
	p["albumArtist[0]"], p["album[0]"], p["sk"], p["format"] = "AA", "AL", sk, "json"
	r := do(t, s, "POST", signed(s, p))
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	m := jsonOf(t, r)
	if path(m, "scrobbles", "@attr", "accepted") != float64(11) || path(m, "scrobbles", "@attr", "ignored") != float64(0) {
		t.Errorf("@attr: %v", path(m, "scrobbles", "@attr"))
	}
	items, _ := path(m, "scrobbles", "scrobble").([]any)
	if len(items) != 11 {
		t.Fatalf("want 11 scrobble items: %s", r.body)
	}
	if path(items[10], "track", "#text") != "T10" || path(items[10], "timestamp") != "1700002400" ||
		path(items[0], "albumArtist", "#text") != "AA" || path(items[0], "ignoredMessage", "code") != "0" ||
		path(items[0], "track", "corrected") != "0" {
		t.Errorf("items: %v %v", items[0], items[10])
	}
	got := s.Scrobbles("RJ")
	if len(got) != 11 {
		t.Fatalf("stored %d", len(got))
	}
	for i, sc := range got {
		if sc.Artist != fmt.Sprintf("A%d", i) || sc.Timestamp != 1700000000+240*int64(i) {
			t.Errorf("scrobble %d: %+v", i, sc)
		}
	}
	if got[0].Album != "AL" || got[0].AlbumArtist != "AA" {
		t.Errorf("album fields: %+v", got[0])
	}

	// One item: "scrobble" is an object, not an array.
	r = do(t, s, "POST", signed(s, P{"method": "track.scrobble", "artist": "Björk", "track": "Jóga",
		"timestamp": "1700005000", "sk": sk, "format": "json"}))
	if _, ok := path(jsonOf(t, r), "scrobbles", "scrobble").(map[string]any); !ok {
		t.Errorf("single scrobble should be an object: %s", r.body)
	}

	// 51 items: refused whole.
	p = batch(51, 1700000000)
	p["sk"] = sk
	r = do(t, s, "POST", signed(s, p))
	if r.status != 400 || errorCode(t, r) != 6 {
		t.Errorf("51 items: %d %s", r.status, r.body)
	}
	// A gap in the indices, a missing field, a bad timestamp: 6.
	for name, mut := range map[string]func(P){
		"gap":           func(p P) { delete(p, "artist[1]"); delete(p, "track[1]"); delete(p, "timestamp[1]") },
		"missing track": func(p P) { delete(p, "track[1]") },
		"bad timestamp": func(p P) { p["timestamp[1]"] = "yesterday" },
	} {
		p = batch(3, 1700000000)
		p["sk"] = sk
		mut(p)
		r = do(t, s, "POST", signed(s, p))
		if r.status != 400 || errorCode(t, r) != 6 {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	if n := len(s.Scrobbles("rj")); n != 12 {
		t.Errorf("refused batches stored something: %d", n)
	}
}

func TestScrobbleIgnored(t *testing.T) {
	now := time.Unix(1800000000, 0)
	s := newTestServer(t, Options{Now: func() time.Time { return now }})
	sk := s.NewSession("rj")
	p := P{"method": "track.scrobble", "sk": sk,
		"artist[0]": "Old", "track[0]": "T", "timestamp[0]": fmt.Sprint(now.Add(-15 * 24 * time.Hour).Unix()),
		"artist[1]": "Future", "track[1]": "T", "timestamp[1]": fmt.Sprint(now.Add(6 * time.Minute).Unix()),
		"artist[2]": "Fine", "track[2]": "T", "timestamp[2]": fmt.Sprint(now.Add(4 * time.Minute).Unix()),
		"artist[3]": "Fine", "track[3]": "T2", "timestamp[3]": fmt.Sprint(now.Add(-13 * 24 * time.Hour).Unix()),
	}
	r := do(t, s, "POST", signed(s, p))
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	for _, want := range []string{`<scrobbles accepted="2" ignored="2">`, `<ignoredMessage code="3">`,
		`<ignoredMessage code="4">`, `<ignoredMessage code="0"></ignoredMessage>`, `<albumArtist corrected="0"></albumArtist>`} {
		if !strings.Contains(r.body, want) {
			t.Errorf("missing %s in %s", want, r.body)
		}
	}
	if got := s.Scrobbles("rj"); len(got) != 2 || got[0].Track != "T" || got[1].Track != "T2" {
		t.Errorf("stored %+v", got)
	}
}

func TestNowPlayingAndRecentTracks(t *testing.T) {
	s := newTestServer(t, Options{})
	sk := s.NewSession("rj")
	now := time.Now().Unix()
	for i, tr := range []string{"First", "Second"} {
		r := do(t, s, "POST", signed(s, P{"method": "track.scrobble", "artist": "Sigur Rós", "track": tr,
			"timestamp": fmt.Sprint(now - 600 + int64(i)*240), "sk": sk}))
		if errorCode(t, r) != 0 {
			t.Fatal(r.body)
		}
	}
	r := do(t, s, "POST", signed(s, P{"method": "track.updateNowPlaying", "artist": "Sigur Rós", "track": "Hoppípolla",
		"album": "Takk...", "sk": sk, "format": "json"}))
	m := jsonOf(t, r)
	if path(m, "nowplaying", "track", "#text") != "Hoppípolla" || path(m, "nowplaying", "ignoredMessage", "code") != "0" {
		t.Errorf("nowplaying answer: %s", r.body)
	}
	if np := s.NowPlaying("rj"); np == nil || np.Track != "Hoppípolla" || np.Album != "Takk..." {
		t.Errorf("NowPlaying = %+v", np)
	}
	r = do(t, s, "GET", unsignedP(s, P{"method": "user.getRecentTracks", "user": "rj", "format": "json", "limit": "1"}))
	m = jsonOf(t, r)
	tracks, _ := path(m, "recenttracks", "track").([]any)
	if len(tracks) != 2 {
		t.Fatalf("now playing comes in addition to limit: %s", r.body)
	}
	if path(tracks[0], "@attr", "nowplaying") != "true" || path(tracks[0], "date") != nil ||
		path(tracks[1], "name") != "Second" || path(tracks[1], "date", "uts") == nil {
		t.Errorf("tracks: %v", tracks)
	}
	if path(m, "recenttracks", "@attr", "user") != "rj" || path(m, "recenttracks", "@attr", "total") != "2" {
		t.Errorf("@attr: %v", path(m, "recenttracks", "@attr"))
	}
	// Scrobbling the now-playing track clears it.
	do(t, s, "POST", signed(s, P{"method": "track.scrobble", "artist": "Sigur Rós", "track": "Hoppípolla",
		"timestamp": fmt.Sprint(now), "sk": sk}))
	if np := s.NowPlaying("rj"); np != nil {
		t.Errorf("now playing not cleared: %+v", np)
	}
	// An empty history is an empty array.
	s.AddUser("quiet", "", false)
	r = do(t, s, "GET", unsignedP(s, P{"method": "user.getRecentTracks", "user": "quiet", "format": "json"}))
	if tr, ok := path(jsonOf(t, r), "recenttracks", "track").([]any); !ok || len(tr) != 0 {
		t.Errorf("empty history: %s", r.body)
	}
}

func TestLoveAndTags(t *testing.T) {
	s := newTestServer(t, Options{})
	sk := s.NewSession("rj")
	post := func(p P) reply {
		t.Helper()
		p["sk"] = sk
		r := do(t, s, "POST", signed(s, p))
		if r.status != 200 || errorCode(t, r) != 0 {
			t.Fatalf("%v: %d %s", p["method"], r.status, r.body)
		}
		return r
	}
	r := post(P{"method": "track.love", "artist": "Björk", "track": "Jóga"})
	if r.body != xmlHeader+`<lfm status="ok"></lfm>`+"\n" {
		t.Errorf("empty ok body: %q", r.body)
	}
	post(P{"method": "track.love", "artist": "Daft Punk", "track": "One More Time"})
	if got := s.Loved("rj"); len(got) != 2 || got[0] != "Björk - Jóga" {
		t.Errorf("Loved = %v", got)
	}
	r = do(t, s, "GET", unsignedP(s, P{"method": "user.getLovedTracks", "user": "rj", "format": "json"}))
	m := jsonOf(t, r)
	if path(m, "lovedtracks", "track", 0, "name") != "One More Time" || path(m, "lovedtracks", "track", 1, "artist", "name") != "Björk" {
		t.Errorf("loved tracks (newest first): %s", r.body)
	}
	r = do(t, s, "GET", unsignedP(s, P{"method": "track.getInfo", "artist": "björk", "track": "jóga", "username": "rj", "format": "json"}))
	if path(jsonOf(t, r), "track", "userloved") != "1" {
		t.Errorf("userloved: %s", r.body)
	}
	post(P{"method": "track.unlove", "artist": "Björk", "track": "Jóga"})
	if got := s.Loved("rj"); len(got) != 1 {
		t.Errorf("after unlove: %v", got)
	}

	post(P{"method": "track.addTags", "artist": "Björk", "track": "Jóga", "tags": "Icelandic, trip-hop ,,strings"})
	post(P{"method": "artist.addTags", "artist": "Björk", "tags": "icelandic"})
	post(P{"method": "track.removeTag", "artist": "Björk", "track": "Jóga", "tag": "Strings"})
	tags := s.Tags("rj")
	if fmt.Sprint(tags["track:Björk - Jóga"]) != "[icelandic trip-hop]" || fmt.Sprint(tags["artist:Björk"]) != "[icelandic]" {
		t.Errorf("Tags = %v", tags)
	}
	// Signed getTags without user answers for the session's user.
	r = do(t, s, "POST", signed(s, P{"method": "track.getTags", "artist": "Björk", "track": "Jóga", "sk": sk, "format": "json"}))
	m = jsonOf(t, r)
	if path(m, "tags", "tag", 1, "name") != "trip-hop" || path(m, "tags", "@attr", "track") != "Jóga" {
		t.Errorf("track.getTags: %s", r.body)
	}
	// A single tag stays an object.
	r = do(t, s, "GET", unsignedP(s, P{"method": "artist.getTags", "artist": "Björk", "user": "rj", "format": "json"}))
	if path(jsonOf(t, r), "tags", "tag", "name") != "icelandic" {
		t.Errorf("artist.getTags: %s", r.body)
	}
}

func TestCorrection(t *testing.T) {
	s := newTestServer(t, Options{})
	sk := s.NewSession("rj")
	s.SetCorrection("Bjork", "Björk")
	r := do(t, s, "POST", signed(s, P{"method": "track.scrobble", "artist": "Bjork", "track": "Jóga",
		"timestamp": fmt.Sprint(time.Now().Unix()), "sk": sk}))
	if !strings.Contains(r.body, `<artist corrected="1">Björk</artist>`) {
		t.Errorf("correction: %s", r.body)
	}
	if got := s.Scrobbles("rj"); len(got) != 1 || got[0].Artist != "Björk" {
		t.Errorf("stored %+v", got)
	}
}
