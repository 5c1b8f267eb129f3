package e2e_test

import (
	"net/url"
	"strconv"
	"testing"
	"time"
)

// A parameter Last.fm does not define for the method never causes a
// refusal (docs/http-api.md, "Extra parameters"): on reads and single
// writes it is forwarded and signed (the emulator checks the signature)
// and, on reads, part of the cache key.
func TestExtrasForwardedOnReadsAndWrites(t *testing.T) {
	h := newHarness(t)
	a := h.get("/2.0/?method=artist.getInfo&artist=Cher&lang=de&cache-buster=1&x.y%5B%5D=z")
	wantStatus(t, a, 200)
	r := h.last("artist.getInfo")
	if r.Params["lang"] != "de" || r.Params["cache-buster"] != "1" || r.Params["x.y[]"] != "z" {
		t.Errorf("extras not forwarded: %v", r.Params)
	}
	if got := h.get("/2.0/?method=artist.getInfo&artist=Cher&lang=de&cache-buster=1&x.y%5B%5D=z").header.Get("X-Lastfmd-Cache"); got != "HIT" {
		t.Errorf("same extras: cache %q, want HIT", got)
	}
	if got := h.get("/2.0/?method=artist.getInfo&artist=Cher&lang=de&cache-buster=2&x.y%5B%5D=z").header.Get("X-Lastfmd-Cache"); got != "MISS" {
		t.Errorf("another cache-buster: cache %q, want MISS (extras are part of the key)", got)
	}
	a = h.get("/v1/artist.getInfo?artist=Cher&autocorrect=1&whatever=%C3%A9")
	wantStatus(t, a, 200)
	if r := h.last("artist.getInfo"); r.Params["whatever"] != "é" || r.Params["autocorrect"] != "1" {
		t.Errorf("/v1/ extras not forwarded: %v", r.Params)
	}
	// A signed read (api_sig and sk from a library) with extras.
	a = h.get("/2.0/?method=user.getInfo&lang=c&sk=alice&api_sig=0123&api_key=" + dummyKey)
	wantStatus(t, a, 200)
	if r := h.last("user.getInfo"); r.Params["lang"] != "c" || r.Params["api_sig"] == "0123" || r.HTTPMethod != "POST" {
		t.Errorf("signed read: %s %v", r.HTTPMethod, r.Params)
	}
	for _, m := range []string{"track.love", "track.unlove", "track.updateNowPlaying", "track.addTags", "track.removeTag"} {
		v := url.Values{"method": {m}, "artist": {"Cher"}, "track": {"Believe"}, "tags": {"pop"}, "tag": {"pop"},
			"lang": {"c"}, "autocorrect": {"1"}, "cache-buster": {"9"}, "sk": {"alice"}, "api_key": {dummyKey}, "api_sig": {"x"}}
		a := h.postForm("/2.0/", v)
		wantStatus(t, a, 200)
		if r := h.last(m); r.Params["lang"] != "c" || r.Params["cache-buster"] != "9" {
			t.Errorf("%s: extras not forwarded: %v", m, r.Params)
		}
		a = h.post("/v1/"+m, "application/json", `{"artist":"Cher","track":"Believe","tags":"pop","tag":"pop","lang":"c"}`)
		wantStatus(t, a, 200)
	}
}

// On track.scrobble extras are dropped, single and batch, indexed or not,
// through /2.0/ and /v1/: the journal sends scrobbles in batches of its
// own. Each scrobble arrives once.
func TestExtrasDroppedOnScrobbles(t *testing.T) {
	h := newHarness(t, withJournal(fastJournal))
	ts := strconv.FormatInt(time.Now().Add(-time.Hour).Unix(), 10)
	single := url.Values{"method": {"track.scrobble"}, "artist": {"Cher"}, "track": {"One"}, "timestamp": {ts},
		"lang": {"c"}, "lang[0]": {"en"}, "autocorrect": {"1"}, "foo[]": {"x"}, "sk": {"alice"}, "api_sig": {"x"}}
	a := h.postForm("/2.0/", single)
	wantStatus(t, a, 200)
	wantContains(t, a.body, `accepted="1"`, `ignored="0"`)
	batch := url.Values{"method": {"track.scrobble"}, "lang": {"c"}, "cache-buster": {"1"}, "format": {"json"}}
	for i, track := range []string{"Two", "Three"} {
		n := "[" + strconv.Itoa(i) + "]"
		batch["artist"+n], batch["track"+n], batch["timestamp"+n], batch["lang"+n] = []string{"Cher"}, []string{track}, []string{ts}, []string{"en"}
	}
	a = h.postForm("/2.0/", batch)
	wantStatus(t, a, 200)
	wantContains(t, a.body, `"accepted":2`, `"ignored":0`)
	a = h.post("/v1/track.scrobble?lang=c", "application/json", `[{"artist":"Cher","track":"Four","timestamp":`+ts+`,"lang":"en","x":1}]`)
	wantStatus(t, a, 200)
	wantContains(t, a.body, `"accepted":1`)
	h.settled()
	got := map[string]int{}
	for _, s := range h.emu.Scrobbles("alice") {
		got[s.Track]++
	}
	for _, track := range []string{"One", "Two", "Three", "Four"} {
		if got[track] != 1 {
			t.Errorf("%s arrived %d times", track, got[track])
		}
	}
	for _, r := range h.emu.Requests() {
		if r.Method != "track.scrobble" {
			continue
		}
		for name := range r.Params {
			switch name {
			case "lang", "lang[0]", "lang[1]", "autocorrect", "cache-buster", "foo[]", "x", "x[0]":
				t.Errorf("extra %q sent with a scrobble: %v", name, r.Params)
			}
		}
	}
}
