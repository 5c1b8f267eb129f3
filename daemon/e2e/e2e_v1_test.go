package e2e_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestV1ReadIsUnsignedGET(t *testing.T) {
	h := newHarness(t)
	a := h.get("/v1/artist.getInfo?artist=Cher")
	wantStatus(t, a, 200)
	wantContains(t, a.header.Get("Content-Type"), "application/json")
	var v struct {
		Artist struct{ Name string } `json:"artist"`
	}
	if err := json.Unmarshal([]byte(a.body), &v); err != nil || v.Artist.Name != "Cher" {
		t.Fatalf("body %s (err %v)", a.body, err)
	}
	r := h.last("artist.getInfo")
	if r.HTTPMethod != http.MethodGet {
		t.Errorf("read sent by %s, want GET", r.HTTPMethod)
	}
	if r.Params["api_key"] != testKey || r.Params["api_sig"] != "" || r.Params["sk"] != "" {
		t.Errorf("read params %v: want our api_key, no api_sig, no sk", keys(r.Params))
	}
	if ua := r.Header.Get("User-Agent"); !strings.HasPrefix(ua, "lastfmd/") || !strings.Contains(ua, "+https://") {
		t.Errorf("User-Agent %q", ua)
	}
}

func TestV1MethodNameCaseInsensitive(t *testing.T) {
	h := newHarness(t)
	a := h.get("/v1/ARTIST.GETINFO?artist=Cher")
	wantStatus(t, a, 200)
	if got := h.last("artist.getInfo").Params["method"]; got != "artist.getInfo" {
		t.Errorf("method sent as %q, want the catalog spelling", got)
	}
}

// Each of the ten write methods, POSTed to /v1/ as JSON, reaches the
// emulator signed with the account's session key (the emulator checks the
// signature and the key).
func TestV1EachWriteMethod(t *testing.T) {
	h := newHarness(t)
	writes := []struct {
		method string
		body   string
	}{
		{"track.love", `{"artist":"Cher","track":"Believe"}`},
		{"track.unlove", `{"artist":"Cher","track":"Believe"}`},
		{"track.addTags", `{"artist":"Cher","track":"Believe","tags":"pop,90s"}`},
		{"track.removeTag", `{"artist":"Cher","track":"Believe","tag":"pop"}`},
		{"artist.addTags", `{"artist":"Cher","tags":"diva"}`},
		{"artist.removeTag", `{"artist":"Cher","tag":"diva"}`},
		{"album.addTags", `{"artist":"Cher","album":"Believe","tags":"1998"}`},
		{"album.removeTag", `{"artist":"Cher","album":"Believe","tag":"1998"}`},
		{"track.scrobble", `{"artist":"Cher","track":"Believe","timestamp":` + nowTS() + `}`},
		{"track.updateNowPlaying", `{"artist":"Cher","track":"Believe","duration":239}`},
	}
	for _, w := range writes {
		t.Run(w.method, func(t *testing.T) {
			// Scrobbles go through the journal: wait for Last.fm's answer
			// generously, so a loaded machine cannot turn 200 into 202.
			a := h.post("/v1/"+w.method, "application/json", w.body, "Prefer", "wait=30")
			wantStatus(t, a, 200)
			if strings.Contains(a.body, `"error"`) {
				t.Fatalf("Last.fm error: %s", a.body)
			}
			r := h.last(w.method)
			if r.HTTPMethod != http.MethodPost || r.Params["sk"] != h.sk || r.Params["api_sig"] == "" {
				t.Errorf("%s sent by %s with params %v: want POST, signed, with the account's sk", w.method, r.HTTPMethod, keys(r.Params))
			}
			if r.RawQuery != "" {
				t.Errorf("write carried a query string %q: keys and signatures belong in the body", r.RawQuery)
			}
		})
	}
	if got := h.emu.Loved("alice"); len(got) != 0 {
		t.Errorf("love then unlove left %v", got)
	}
	if np := h.emu.NowPlaying("alice"); np == nil || np.Artist != "Cher" {
		t.Errorf("now playing %v", np)
	}
	if sc := h.emu.Scrobbles("alice"); len(sc) != 1 {
		t.Errorf("scrobbles %v", sc)
	}
}

// A JSON number is sent exactly as written: 1700000000 must not become
// 1.7e+09.
func TestV1JSONTimestampSentAsWritten(t *testing.T) {
	h := newHarness(t)
	ts := nowTS()
	a := h.post("/v1/track.scrobble", "application/json", `{"artist":"Cher","track":"Believe","timestamp":`+ts+`,"chosenByUser":false}`, "Prefer", "wait=30")
	wantStatus(t, a, 200)
	r := h.last("track.scrobble")
	if r.Params["timestamp"] != ts || r.Params["chosenByUser"] != "0" {
		t.Errorf("timestamp %q chosenByUser %q, want %q and 0", r.Params["timestamp"], r.Params["chosenByUser"], ts)
	}
}

// A unicode value holding &, + and = is signed over its raw bytes and
// form-encoded on the wire; the emulator's own signature check accepts it.
func TestV1UnicodeValueSignedCorrectly(t *testing.T) {
	h := newHarness(t)
	artist, track := "Björk & Sigur Rós", "Jóga + 1 = 2 ✓"
	body, _ := json.Marshal(map[string]string{"artist": artist, "track": track})
	a := h.post("/v1/track.love", "application/json", string(body))
	wantStatus(t, a, 200)
	if got := h.emu.Loved("alice"); len(got) != 1 || !strings.Contains(got[0], artist) || !strings.Contains(got[0], track) {
		t.Errorf("loved %q", got)
	}
	// The same through a form body.
	a = h.postForm("/v1/track.unlove", url.Values{"artist": {artist}, "track": {track}})
	wantStatus(t, a, 200)
	if got := h.emu.Loved("alice"); len(got) != 0 {
		t.Errorf("loved %q after unlove", got)
	}
}

func TestV1ErrorPassedThroughWithLastfmStatus(t *testing.T) {
	h := newHarness(t)
	a := h.get("/v1/artist.getInfo?artist=Unknown+Artist+Xyz")
	if a.status < 400 {
		t.Fatalf("status %d", a.status)
	}
	var e struct {
		Error   int    `json:"error"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal([]byte(a.body), &e); err != nil || e.Error != 6 {
		t.Fatalf("body %s", a.body)
	}
	// lastfmd passed Last.fm's own status on, not one of its own.
	h.emu.Reset()
	direct, err := http.Get(h.emu.URL() + "?method=artist.getInfo&artist=Unknown+Artist+Xyz&format=json&api_key=" + testKey)
	if err != nil {
		t.Fatal(err)
	}
	direct.Body.Close()
	if direct.StatusCode != a.status {
		t.Errorf("lastfmd answered %d, Last.fm (emulator) %d", a.status, direct.StatusCode)
	}
}

func TestV1OnlyContentTypeCopiedFromLastfm(t *testing.T) {
	h := newHarness(t)
	a := h.get("/v1/artist.getInfo?artist=Cher")
	for k := range a.header {
		switch http.CanonicalHeaderKey(k) {
		case "Content-Type", "Content-Length", "Date", "X-Lastfmd-Cache", "Age":
		default:
			t.Errorf("unexpected header %s", k)
		}
	}
}

func TestV1WriteByGETRefusedNeverForwarded(t *testing.T) {
	h := newHarness(t)
	a := h.get("/v1/track.love?artist=Cher&track=Believe")
	wantStatus(t, a, http.StatusMethodNotAllowed)
	wantContains(t, a.body, `"error":3`, "POST")
	if n := h.emu.Count(""); n != 0 {
		t.Errorf("%d requests reached the emulator", n)
	}
}

func TestV1AuthMethodsRefused(t *testing.T) {
	h := newHarness(t)
	a := h.post("/v1/auth.getMobileSession", "application/json", `{"username":"alice","password":"alice-pw"}`)
	wantStatus(t, a, http.StatusForbidden)
	wantContains(t, a.body, "lastfmd auth")
	if n := h.emu.Count(""); n != 0 {
		t.Errorf("%d requests reached the emulator", n)
	}
}

func TestV1WriteWithoutAccountAnswers9(t *testing.T) {
	h := newHarnessAccount(t, noAccount)
	a := h.post("/v1/track.love", "application/json", `{"artist":"Cher","track":"Believe"}`)
	wantStatus(t, a, http.StatusForbidden)
	wantContains(t, a.body, `"error":9`, "lastfmd auth login")
	if n := h.emu.Count(""); n != 0 {
		t.Errorf("%d requests reached the emulator", n)
	}
}

func TestV1UnknownAccountIs4xx(t *testing.T) {
	h := newHarness(t)
	a := h.get("/v1/user.getInfo?user=alice", "X-Lastfmd-Account", "nobody")
	if a.status < 400 || a.status > 499 {
		t.Fatalf("status %d", a.status)
	}
	wantContains(t, a.body, "nobody")
}

// Bad input of every kind answers 4xx with a Last.fm-shaped error, never a
// 500, and nothing reaches the emulator.
func TestV1BadInput(t *testing.T) {
	h := newHarness(t)
	big := `{"artist":"` + strings.Repeat("x", 1<<20) + `"}`
	cases := []struct {
		name, path, ctype, body string
		status                  int
		msg                     string
	}{
		{"malformed JSON", "/v1/track.love", "application/json", `{"artist":`, 400, "malformed JSON"},
		{"trailing garbage", "/v1/track.love", "application/json", `{"artist":"a"} x`, 400, "malformed JSON"},
		{"object as value", "/v1/track.love", "application/json", `{"artist":{"name":"Cher"},"track":"x"}`, 400, "artist"},
		{"array as value", "/v1/track.love", "application/json", `{"artist":["Cher"],"track":"x"}`, 400, "artist"},
		{"not an object", "/v1/track.love", "application/json", `"Cher"`, 400, "object"},
		{"body over limit", "/v1/track.love", "application/json", big, 413, "larger than"},
		{"twice, different values", "/v1/track.love?artist=Cher", "application/x-www-form-urlencoded", "artist=Madonna&track=x", 400, "twice"},
		{"name not UTF-8", "/v1/track.love", "application/x-www-form-urlencoded", "a%FFb=1&artist=a&track=x", 400, "not valid UTF-8"},
		{"bad content type", "/v1/track.love", "application/xml", "<a/>", 400, "Content-Type"},
		{"unknown route", "/v2/x", "", "", 404, "endpoint"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := h.post(c.path, c.ctype, c.body)
			wantStatus(t, a, c.status)
			var e struct {
				Error   int    `json:"error"`
				Message string `json:"message"`
			}
			if err := json.Unmarshal([]byte(a.body), &e); err != nil || e.Error == 0 {
				t.Fatalf("not a Last.fm-shaped error: %s", a.body)
			}
			wantContains(t, e.Message, c.msg)
		})
	}
	// Duplicate JSON keys with different values.
	a := h.post("/v1/track.love", "application/json", `{"artist":"a","artist":"b","track":"t"}`)
	wantStatus(t, a, 400)
	if n := h.emu.Count(""); n != 0 {
		t.Errorf("%d requests reached the emulator", n)
	}
}

func TestV1JSONScrobbleArray(t *testing.T) {
	h := newHarness(t)
	ts := nowTS()
	a := h.post("/v1/track.scrobble", "application/json",
		`[{"artist":"A","track":"1","timestamp":`+ts+`},{"artist":"B","track":"2","timestamp":"`+ts+`","album":"X"}]`, "Prefer", "wait=30")
	wantStatus(t, a, 200)
	if sc := h.emu.Scrobbles("alice"); len(sc) != 2 || sc[1].Album != "X" {
		t.Errorf("scrobbles %+v", sc)
	}
	a = h.post("/v1/track.scrobble", "application/json", `[{"artist":"A","track":"","timestamp":1.5}]`)
	wantStatus(t, a, 400)
	wantContains(t, a.body, "item 0", "track", "whole number")
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
