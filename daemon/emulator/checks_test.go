package emulator

import (
	"strings"
	"testing"
	"time"
)

// TestChecks runs each of Last.fm's request checks in XML, JSON and JSONP.
func TestChecks(t *testing.T) {
	s := newTestServer(t, Options{})
	s.AddUser("rj", "pw", false)
	s.AddUser("hidden", "pw", true)
	sk := s.NewSession("rj")
	hiddenSK := s.NewSession("hidden")
	revoked := s.NewSession("rj")
	s.RevokeSession(revoked)

	badSig := signed(s, P{"method": "track.love", "artist": "A", "track": "T", "sk": sk})
	badSig["api_sig"] = "0123456789abcdef0123456789abcdef"
	upperSig := signed(s, P{"method": "track.love", "artist": "A", "track": "T", "sk": sk})
	upperSig["api_sig"] = strings.ToUpper(upperSig["api_sig"])

	cases := []requestCase{
		{"no api_key", "GET", P{"method": "artist.getInfo", "artist": "Cher"}, 403, 10},
		{"wrong api_key", "GET", P{"method": "artist.getInfo", "artist": "Cher", "api_key": "ffffffffffffffffffffffffffffffff"}, 403, 10},
		{"unknown method", "GET", unsignedP(s, P{"method": "artist.getNothing"}), 400, 3},
		{"missing method", "GET", unsignedP(s, P{}), 400, 3},
		{"dead package", "GET", unsignedP(s, P{"method": "event.getInfo", "event": "1"}), 400, 3},
		{"deprecated", "GET", unsignedP(s, P{"method": "user.getArtistTracks", "user": "rj", "artist": "A"}), 400, 27},
		{"method any case", "GET", unsignedP(s, P{"method": "ARTIST.GETINFO", "artist": "Cher"}), 200, 0},
		{"read by POST", "POST", unsignedP(s, P{"method": "artist.getInfo", "artist": "Cher"}), 200, 0},
		{"write by GET", "GET", signed(s, P{"method": "track.love", "artist": "A", "track": "T", "sk": sk}), 400, 3},
		{"mobile by GET", "GET", signed(s, P{"method": "auth.getMobileSession", "username": "rj", "password": "pw"}), 403, 4},
		{"bad signature", "POST", badSig, 400, 13},
		{"unsigned write", "POST", unsignedP(s, P{"method": "track.love", "artist": "A", "track": "T", "sk": sk}), 400, 13},
		{"read with sk unsigned", "GET", unsignedP(s, P{"method": "user.getInfo", "sk": sk}), 400, 13},
		{"unsigned getToken", "GET", unsignedP(s, P{"method": "auth.getToken"}), 400, 13},
		{"uppercase signature", "POST", upperSig, 200, 0},
		{"write without sk", "POST", signed(s, P{"method": "track.love", "artist": "A", "track": "T"}), 403, 9},
		{"write with unknown sk", "POST", signed(s, P{"method": "track.love", "artist": "A", "track": "T", "sk": "nope"}), 403, 9},
		{"write with revoked sk", "POST", signed(s, P{"method": "track.love", "artist": "A", "track": "T", "sk": revoked}), 403, 9},
		{"read with revoked sk", "POST", signed(s, P{"method": "user.getInfo", "sk": revoked}), 403, 9},
		{"missing parameter", "POST", signed(s, P{"method": "track.love", "artist": "A", "sk": sk}), 400, 6},
		{"empty parameter", "POST", signed(s, P{"method": "track.love", "artist": "A", "track": "", "sk": sk}), 400, 6},
		{"read missing parameter", "GET", unsignedP(s, P{"method": "artist.getInfo"}), 400, 6},
		{"unknown artist", "GET", unsignedP(s, P{"method": "artist.getInfo", "artist": "Unknown Band"}), 404, 6},
		{"unknown album", "GET", unsignedP(s, P{"method": "album.getInfo", "artist": "A", "album": "Unknown"}), 404, 6},
		{"unknown track", "GET", unsignedP(s, P{"method": "track.getInfo", "artist": "A", "track": "Unknown"}), 404, 6},
		{"unknown user", "GET", unsignedP(s, P{"method": "user.getInfo", "user": "nobody"}), 404, 6},
		{"getTopTags unknown user is 200", "GET", unsignedP(s, P{"method": "user.getTopTags", "user": "nobody"}), 200, 6},
		{"user.getInfo without user or sk", "GET", unsignedP(s, P{"method": "user.getInfo"}), 400, 6},
		{"user.getInfo with sk", "POST", signed(s, P{"method": "user.getInfo", "sk": sk}), 200, 0},
		{"private unsigned", "GET", unsignedP(s, P{"method": "user.getRecentTracks", "user": "hidden"}), 403, 17},
		{"private other sk", "POST", signed(s, P{"method": "user.getRecentTracks", "user": "hidden", "sk": sk}), 403, 17},
		{"private own sk", "POST", signed(s, P{"method": "user.getRecentTracks", "user": "hidden", "sk": hiddenSK}), 200, 0},
		{"getTags needs user", "GET", unsignedP(s, P{"method": "artist.getTags", "artist": "A"}), 400, 6},
		{"tags over 10", "POST", signed(s, P{"method": "artist.addTags", "artist": "A", "tags": "a,b,c,d,e,f,g,h,i,j,k", "sk": sk}), 400, 6},
	}
	formats := []struct {
		name string
		add  P
		ct   string
	}{
		{"xml", P{}, "text/xml; charset=UTF-8"},
		{"json", P{"format": "json"}, "application/json; charset=UTF-8"},
		{"JSON", P{"format": "JSON"}, "application/json; charset=UTF-8"},
		{"jsonp", P{"format": "json", "callback": "cb"}, "text/javascript; charset=UTF-8"},
	}
	for _, c := range cases {
		for _, f := range formats {
			t.Run(c.name+"/"+f.name, func(t *testing.T) {
				p := P{}
				for k, v := range c.params {
					p[k] = v
				}
				for k, v := range f.add {
					p[k] = v // format and callback are not signed
				}
				r := do(t, s, c.verb, p)
				if r.status != c.status {
					t.Errorf("status %d, want %d: %s", r.status, c.status, r.body)
				}
				if got := r.header.Get("Content-Type"); got != f.ct {
					t.Errorf("Content-Type %q, want %q", got, f.ct)
				}
				if got := errorCode(t, r); got != c.code {
					t.Errorf("code %d, want %d: %s", got, c.code, r.body)
				}
				if f.name == "jsonp" && !strings.HasPrefix(r.body, "cb(") {
					t.Errorf("JSONP not wrapped: %s", r.body)
				}
			})
		}
	}

	// format other than json|xml: error 5, answered in XML.
	for _, f := range []string{"yaml", "jsonp"} {
		r := do(t, s, "GET", unsignedP(s, P{"method": "artist.getInfo", "artist": "Cher", "format": f}))
		if r.status != 400 || errorCode(t, r) != 5 {
			t.Errorf("format=%s: %d %s", f, r.status, r.body)
		}
	}
	r := do(t, s, "GET", unsignedP(s, P{"method": "artist.getInfo", "artist": "Cher", "format": "XmL"}))
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/xml") {
		t.Errorf("format=XmL: %d %s", r.status, r.body)
	}
}

// TestErrorBodies checks the exact error shapes.
func TestErrorBodies(t *testing.T) {
	s := newTestServer(t, Options{})
	r := do(t, s, "GET", P{"method": "artist.getInfo", "artist": "Cher", "api_key": "bad"})
	want := xmlHeader + `<lfm status="failed">` + "\n" +
		`  <error code="10">Invalid API key - You must be granted a valid key by last.fm</error>` + "\n</lfm>\n"
	if r.body != want {
		t.Errorf("XML error body:\n%s\nwant\n%s", r.body, want)
	}
	r = do(t, s, "GET", P{"method": "artist.getInfo", "artist": "Cher", "api_key": "bad", "format": "json"})
	if r.body != `{"error":10,"message":"Invalid API key - You must be granted a valid key by last.fm"}` {
		t.Errorf("JSON error body: %s", r.body)
	}
	r = do(t, s, "GET", P{"method": "artist.getInfo", "artist": "Cher", "api_key": "bad", "format": "json", "callback": "f"})
	if r.body != `f({"error":10,"message":"Invalid API key - You must be granted a valid key by last.fm"});` {
		t.Errorf("JSONP error body: %s", r.body)
	}
}

// TestEveryReadAnswers calls every catalog read and checks it is well-formed XML and JSON.
func TestEveryReadAnswers(t *testing.T) {
	s := newTestServer(t, Options{})
	s.AddUser("rj", "pw", false)
	sk := s.NewSession("rj")
	now := time.Now().Unix()
	r := do(t, s, "POST", signed(s, P{"method": "track.scrobble", "artist": "Björk", "track": "Jóga", "album": "Homogenic",
		"timestamp": itoa(now - 60), "sk": sk}))
	if errorCode(t, r) != 0 {
		t.Fatal(r.body)
	}
	common := P{"artist": "Björk", "album": "Homogenic", "track": "Jóga", "user": "rj", "tag": "rock",
		"country": "Iceland", "taggingtype": "artist", "username": "rj"}
	n := 0
	for _, m := range Methods() {
		info := lookupMethod(m)
		if info.kind != kindRead {
			continue
		}
		n++
		for _, format := range []string{"xml", "json"} {
			p := unsignedP(s, P{"method": m, "format": format})
			for k, v := range common {
				p[k] = v
			}
			r := do(t, s, "GET", p)
			if r.status != 200 || errorCode(t, r) != 0 {
				t.Errorf("%s %s: %d %s", m, format, r.status, r.body)
			}
			if format == "json" {
				if len(jsonOf(t, r)) != 1 {
					t.Errorf("%s: JSON should have one top-level member: %s", m, r.body)
				}
			} else if l := xmlOf(t, r); l.Status != "ok" {
				t.Errorf("%s: %s", m, r.body)
			}
		}
	}
	if len(Methods()) != 58 || n != 45 {
		t.Errorf("catalog: %d methods, %d reads", len(Methods()), n)
	}
}
