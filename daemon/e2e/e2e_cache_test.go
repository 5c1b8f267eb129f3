package e2e_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/emulator"
)

func TestCacheSecondReadNeverReachesLastfm(t *testing.T) {
	clock := newFakeClock()
	h := newHarness(t, withClock(clock))
	a := h.get("/v1/artist.getInfo?artist=Cher&lang=en")
	wantStatus(t, a, 200)
	if got := a.header.Get("X-Lastfmd-Cache"); got != "MISS" {
		t.Fatalf("first read %s", got)
	}
	clock.Advance(90 * time.Second)
	// Same read, parameters in another order, method in another case.
	b := h.get("/v1/Artist.GetInfo?lang=en&artist=Cher")
	if b.header.Get("X-Lastfmd-Cache") != "HIT" || b.header.Get("Age") != "90" || b.body != a.body {
		t.Fatalf("second read: %s Age=%s", b.header.Get("X-Lastfmd-Cache"), b.header.Get("Age"))
	}
	// Both carry their length (a plain body, not chunks).
	for _, r := range []answer{a, b} {
		if got := r.header.Get("Content-Length"); got != strconv.Itoa(len(r.body)) {
			t.Errorf("%s answer: Content-Length %q for a %d-byte body", r.header.Get("X-Lastfmd-Cache"), got, len(r.body))
		}
	}
	// The drop-in endpoint in JSON shares the entry (same canonical call).
	c := h.get("/2.0/?method=artist.getinfo&artist=Cher&lang=en&format=json&api_key=" + dummyKey)
	if c.header.Get("X-Lastfmd-Cache") != "HIT" {
		t.Errorf("drop-in read: %s", c.header.Get("X-Lastfmd-Cache"))
	}
	// XML is another entry.
	if x := h.get("/2.0/?method=artist.getinfo&artist=Cher&lang=en"); x.header.Get("X-Lastfmd-Cache") != "MISS" {
		t.Errorf("XML read: %s", x.header.Get("X-Lastfmd-Cache"))
	}
	if n := h.emu.Count("artist.getInfo"); n != 2 {
		t.Errorf("emulator saw %d artist.getInfo, want 2 (JSON once, XML once)", n)
	}
	// Cache-Control: no-cache bypasses and refreshes.
	d := h.get("/v1/artist.getInfo?artist=Cher&lang=en", "Cache-Control", "no-cache")
	if d.header.Get("X-Lastfmd-Cache") != "BYPASS" || h.emu.Count("artist.getInfo") != 3 {
		t.Errorf("no-cache: %s, %d calls", d.header.Get("X-Lastfmd-Cache"), h.emu.Count("artist.getInfo"))
	}
	if e := h.get("/v1/artist.getInfo?artist=Cher&lang=en"); e.header.Get("Age") != "0" {
		t.Errorf("after refresh Age=%s", e.header.Get("Age"))
	}
}

func TestCacheTTLTiers(t *testing.T) {
	clock := newFakeClock()
	h := newHarness(t, withClock(clock))
	read := func(path string) string { return h.get(path).header.Get("X-Lastfmd-Cache") }
	// short tier (1m): user.getRecentTracks
	read("/v1/user.getRecentTracks?user=alice")
	clock.Advance(59 * time.Second)
	if got := read("/v1/user.getRecentTracks?user=alice"); got != "HIT" {
		t.Errorf("short tier at 59s: %s", got)
	}
	// long tier (24h): artist.getInfo — but with username it is short.
	read("/v1/artist.getInfo?artist=Cher")
	read("/v1/artist.getInfo?artist=Cher&username=alice")
	clock.Advance(2 * time.Minute)
	if got := read("/v1/user.getRecentTracks?user=alice"); got != "MISS" {
		t.Errorf("short tier at 3m: %s", got)
	}
	if got := read("/v1/artist.getInfo?artist=Cher"); got != "HIT" {
		t.Errorf("long tier at 2m: %s", got)
	}
	if got := read("/v1/artist.getInfo?artist=Cher&username=alice"); got != "MISS" {
		t.Errorf("getInfo with username at 2m: %s", got)
	}
}

func TestCacheCoalescesConcurrentMisses(t *testing.T) {
	h := newHarness(t)
	h.emu.Fail(emulator.Fault{Method: "artist.getSimilar", Delay: 300 * time.Millisecond, Times: 1})
	var wg sync.WaitGroup
	var miss, shared atomic.Int32
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(h.url + "/v1/artist.getSimilar?artist=Cher")
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("status %d", resp.StatusCode)
			}
			switch resp.Header.Get("X-Lastfmd-Cache") {
			case "MISS":
				miss.Add(1)
			case "HIT":
				shared.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := h.emu.Count("artist.getSimilar"); n != 1 {
		t.Errorf("50 concurrent identical misses made %d upstream calls", n)
	}
	if miss.Load()+shared.Load() != 50 {
		t.Errorf("miss %d hit %d", miss.Load(), shared.Load())
	}
}

// A caller that gives up does not cancel the call for the others.
func TestCacheCallerGivingUpDoesNotCancelOthers(t *testing.T) {
	h := newHarness(t)
	h.emu.Fail(emulator.Fault{Method: "artist.getTopTracks", Delay: 400 * time.Millisecond, Times: 1})
	impatient := &http.Client{Timeout: 100 * time.Millisecond}
	done := make(chan answer, 1)
	go func() { done <- h.get("/v1/artist.getTopTracks?artist=Cher") }()
	waitFor(t, "the first caller's fetch", func() bool { return h.emu.Count("artist.getTopTracks") == 1 })
	if _, err := impatient.Get(h.url + "/v1/artist.getTopTracks?artist=Cher"); err == nil {
		t.Log("impatient caller was answered in time")
	}
	a := <-done
	wantStatus(t, a, 200)
	if n := h.emu.Count("artist.getTopTracks"); n != 1 {
		t.Errorf("%d upstream calls", n)
	}
}

func TestCacheStaleIfTransientError(t *testing.T) {
	clock := newFakeClock()
	h := newHarness(t, withClock(clock), withFastRetries(0))
	first := h.get("/v1/chart.getTopArtists")
	wantStatus(t, first, 200)
	clock.Advance(31 * time.Minute) // medium tier (30m) expired
	h.emu.Fail(emulator.Fault{Method: "chart.getTopArtists", Code: 16})
	a := h.get("/v1/chart.getTopArtists")
	wantStatus(t, a, 200)
	if a.header.Get("X-Lastfmd-Cache") != "STALE" || a.header.Get("Age") != "1860" || a.body != first.body {
		t.Errorf("transient error: %s Age=%s", a.header.Get("X-Lastfmd-Cache"), a.header.Get("Age"))
	}
	h.emu.ClearFaults()
	h.emu.Fail(emulator.Fault{Method: "chart.getTopArtists", HTTPStatus: 503})
	if a := h.get("/v1/chart.getTopArtists"); a.header.Get("X-Lastfmd-Cache") != "STALE" {
		t.Errorf("HTTP 503: %s %d", a.header.Get("X-Lastfmd-Cache"), a.status)
	}
	h.emu.ClearFaults()
	// Last.fm unreachable altogether.
	h.emu.Stop()
	if a := h.get("/v1/chart.getTopArtists"); a.header.Get("X-Lastfmd-Cache") != "STALE" {
		t.Errorf("Last.fm down: %s %d %s", a.header.Get("X-Lastfmd-Cache"), a.status, a.body)
	}
	h.emu.Start()
	// A permanent error (6) is never papered over.
	h.emu.Fail(emulator.Fault{Method: "chart.getTopArtists", Code: 6})
	a = h.get("/v1/chart.getTopArtists")
	if a.header.Get("X-Lastfmd-Cache") == "STALE" || !strings.Contains(a.body, `"error":6`) {
		t.Errorf("error 6 served %s: %s", a.header.Get("X-Lastfmd-Cache"), a.body)
	}
	// Older than stale_if_error (24h): gone.
	h.emu.ClearFaults()
	clock.Advance(25 * time.Hour)
	h.emu.Fail(emulator.Fault{Method: "chart.getTopArtists", Code: 11})
	if a := h.get("/v1/chart.getTopArtists"); a.header.Get("X-Lastfmd-Cache") == "STALE" {
		t.Error("served an entry older than stale_if_error")
	}
}

// Account A's authenticated read is never served to account B.
func TestCacheNeverServesOneAccountToAnother(t *testing.T) {
	h := newHarness(t)
	a := h.get("/v1/user.getInfo", "X-Lastfmd-Account", "alice")
	b := h.get("/v1/user.getInfo", "X-Lastfmd-Account", "bob")
	wantContains(t, a.body, `"name":"alice"`)
	wantContains(t, b.body, `"name":"bob"`)
	if b.header.Get("X-Lastfmd-Cache") != "MISS" {
		t.Errorf("bob's read was %s", b.header.Get("X-Lastfmd-Cache"))
	}
	// And again, each from its own entry.
	a2 := h.get("/v1/user.getInfo", "X-Lastfmd-Account", "alice")
	b2 := h.get("/v1/user.getInfo", "X-Lastfmd-Account", "bob")
	if a2.header.Get("X-Lastfmd-Cache") != "HIT" || !strings.Contains(a2.body, "alice") || !strings.Contains(b2.body, `"name":"bob"`) {
		t.Errorf("second reads: alice %s, bob %s", a2.body, b2.body)
	}
	// An unsigned read of user=alice is yet another entry.
	u := h.get("/v1/user.getInfo?user=alice")
	if u.header.Get("X-Lastfmd-Cache") != "MISS" {
		t.Errorf("unsigned read: %s", u.header.Get("X-Lastfmd-Cache"))
	}
}

func TestCacheWritesInvalidate(t *testing.T) {
	h := newHarness(t)
	loved := func() answer { return h.get("/v1/user.getLovedTracks?user=alice") }
	info := func() answer { return h.get("/v1/track.getInfo?artist=Cher&track=Believe&username=alice") }
	wantStatus(t, loved(), 200)
	wantStatus(t, info(), 200)
	if loved().header.Get("X-Lastfmd-Cache") != "HIT" {
		t.Fatal("not cached")
	}
	wantStatus(t, h.post("/v1/track.love", "application/json", `{"artist":"Cher","track":"Believe"}`), 200)
	l := loved()
	if l.header.Get("X-Lastfmd-Cache") != "MISS" || !strings.Contains(l.body, "Believe") {
		t.Errorf("after love: %s %s", l.header.Get("X-Lastfmd-Cache"), l.body)
	}
	if i := info(); i.header.Get("X-Lastfmd-Cache") != "MISS" {
		t.Errorf("track.getInfo after love: %s", i.header.Get("X-Lastfmd-Cache"))
	}
	// Tags: artist.addTags drops artist.getTags for the user.
	h.get("/v1/artist.getTags?artist=Cher&user=alice")
	h.post("/v1/artist.addTags", "application/json", `{"artist":"Cher","tags":"diva"}`)
	if g := h.get("/v1/artist.getTags?artist=Cher&user=alice"); g.header.Get("X-Lastfmd-Cache") != "MISS" || !strings.Contains(g.body, "diva") {
		t.Errorf("getTags after addTags: %s %s", g.header.Get("X-Lastfmd-Cache"), g.body)
	}
	// Scrobbles drop recent tracks.
	h.get("/v1/user.getRecentTracks?user=alice")
	wantStatus(t, h.post("/v1/track.scrobble", "application/json", `{"artist":"Cher","track":"Strong Enough","timestamp":`+nowTS()+`}`, "Prefer", "wait=30"), 200)
	if g := h.get("/v1/user.getRecentTracks?user=alice"); g.header.Get("X-Lastfmd-Cache") != "MISS" || !strings.Contains(g.body, "Strong Enough") {
		t.Errorf("recent tracks after scrobble: %s", g.header.Get("X-Lastfmd-Cache"))
	}
	// Bob's loved tracks were not touched.
	h.get("/v1/user.getLovedTracks?user=bob")
	h.post("/v1/track.love", "application/json", `{"artist":"A","track":"B"}`)
	if g := h.get("/v1/user.getLovedTracks?user=bob"); g.header.Get("X-Lastfmd-Cache") != "HIT" {
		t.Errorf("bob's entry dropped by alice's love")
	}
}

// A user.* answer about another user than asked is passed on but not cached.
func TestCacheWrongUserGuard(t *testing.T) {
	var calls atomic.Int32
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"recenttracks":{"track":[],"@attr":{"user":"mallory","page":"1"}}}`))
	}))
	defer fake.Close()
	h := newHarness(t, withUpstream(fake.URL+"/2.0/"))
	h.get("/v1/user.getRecentTracks?user=alice")
	a := h.get("/v1/user.getRecentTracks?user=alice")
	if a.header.Get("X-Lastfmd-Cache") != "MISS" || calls.Load() != 2 {
		t.Errorf("wrong-user answer cached: %s, %d calls", a.header.Get("X-Lastfmd-Cache"), calls.Load())
	}
	h.get("/v1/user.getRecentTracks?user=Mallory")
	if a := h.get("/v1/user.getRecentTracks?user=Mallory"); a.header.Get("X-Lastfmd-Cache") != "HIT" {
		t.Errorf("right-user answer (other case) not cached: %s", a.header.Get("X-Lastfmd-Cache"))
	}
}

func TestCacheStatsInStatusAndMetrics(t *testing.T) {
	h := newHarness(t)
	h.get("/v1/artist.getInfo?artist=Cher")
	h.get("/v1/artist.getInfo?artist=Cher")
	s := h.get("/v1/status")
	wantContains(t, s.body, `"hits":1`, `"misses":1`, `"entries":1`, `"max_bytes":67108864`)
	m := h.get("/metrics")
	wantContains(t, m.body, "lastfmd_cache_hits_total 1", "lastfmd_cache_misses_total 1", "lastfmd_cache_entries 1", "lastfmd_cache_bytes ")
}

// A repeated read is answered without parsing (the request-line memo), but
// never before the guard, and never for a request that names an account or
// asks for a refresh.
func TestCacheMemoKeepsEveryRule(t *testing.T) {
	h := newHarness(t, withToken(t))
	path := "/v1/artist.getInfo?artist=Cher&lang=en"
	auth := []string{"Authorization", "Bearer " + testToken}
	wantStatus(t, h.get(path, auth...), 200)
	if a := h.get(path, auth...); a.header.Get("X-Lastfmd-Cache") != "HIT" {
		t.Fatalf("second read %s", a.header.Get("X-Lastfmd-Cache"))
	}
	wantStatus(t, h.get(path), http.StatusUnauthorized)
	wantStatus(t, h.get(path, append(auth, "Origin", "https://evil.example")...), http.StatusForbidden)
	wantStatus(t, h.get(path, append(auth, "Host", "evil.example")...), http.StatusForbidden)
	if a := h.get(path, append(auth, "Cache-Control", "no-cache")...); a.header.Get("X-Lastfmd-Cache") != "BYPASS" {
		t.Errorf("no-cache: %s", a.header.Get("X-Lastfmd-Cache"))
	}
	if a := h.get(path, append(auth, "X-Lastfmd-Account", "nobody")...); a.status != 400 {
		t.Errorf("unknown account on a memoised read: %d", a.status)
	}
	if n := h.emu.Count("artist.getInfo"); n != 2 {
		t.Errorf("%d upstream calls, want 2 (first read, no-cache refresh)", n)
	}
	m := h.get("/metrics", auth...)
	wantContains(t, m.body, `lastfmd_requests_total{class="2xx",code="200",route="/v1/"}`)
}

// A drop-in read carrying sk for an account that must sign in again is
// answered unsigned, but not memoised: once the account signs in again,
// the same request line is signed.
func TestCacheMemoSkipsAccountRequests(t *testing.T) {
	h := newHarness(t)
	if _, err := h.m.Accounts.MarkNeedsSignin("alice"); err != nil {
		t.Fatal(err)
	}
	path := "/2.0/?method=user.getRecentTracks&user=alice&format=json&sk=alice"
	wantStatus(t, h.get(path), 200)
	if r := h.last("user.getRecentTracks"); r.Params["sk"] != "" {
		t.Fatal("sent a key of an account that needs to sign in")
	}
	h.storeAccount("alice", "alice", h.sk)
	a := h.get(path)
	wantStatus(t, a, 200)
	if r := h.last("user.getRecentTracks"); r.Params["sk"] != h.sk || a.header.Get("X-Lastfmd-Cache") != "MISS" {
		t.Errorf("after signing in again: cache %s, signed %v", a.header.Get("X-Lastfmd-Cache"), r.Params["sk"] == h.sk)
	}
}
