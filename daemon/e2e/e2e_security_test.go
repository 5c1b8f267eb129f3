package e2e_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Each refusal happens before any work: nothing reaches the emulator.
func TestSecurityRefusals(t *testing.T) {
	h := newHarness(t)
	// Every family of routes: the APIs, operations, the sign-in pages and
	// endpoints, the queue. The guard runs before routing, so an unknown
	// path is refused the same way.
	paths := []string{"/v1/artist.getInfo?artist=Cher", "/2.0/?method=artist.getInfo&artist=Cher", "/v1/status", "/metrics",
		"/auth/", "/v1/auth/accounts", "/v1/queue", "/no/such/path"}
	cases := []struct {
		name string
		hdr  []string
	}{
		{"forged Host", []string{"Host", "evil.example:7375"}},
		{"rebinding Host", []string{"Host", "127.0.0.1.nip.io"}},
		{"cross-site Origin", []string{"Origin", "https://evil.example"}},
		{"null Origin", []string{"Origin", "null"}},
		{"Origin on another port", []string{"Origin", "http://127.0.0.1:9999"}},
		{"cross-site Referer", []string{"Referer", "https://evil.example/page"}},
		{"Sec-Fetch-Site cross-site", []string{"Sec-Fetch-Site", "cross-site"}},
		{"Sec-Fetch-Site same-site", []string{"Sec-Fetch-Site", "same-site"}},
	}
	for _, c := range cases {
		for _, p := range paths {
			t.Run(c.name+" "+p, func(t *testing.T) {
				a := h.get(p, c.hdr...)
				wantStatus(t, a, http.StatusForbidden)
				if a.header.Get("Access-Control-Allow-Origin") != "" {
					t.Error("CORS header sent")
				}
			})
		}
	}
	// The same for a write by POST, as a cross-site form would send it.
	a := h.post("/2.0/", "application/x-www-form-urlencoded", "method=track.love&artist=A&track=T&sk=x", "Origin", "https://evil.example")
	wantStatus(t, a, http.StatusForbidden)
	if n := h.emu.Count(""); n != 0 {
		t.Errorf("%d requests reached the emulator", n)
	}
	// A script (no browser headers) and a same-origin page are served.
	wantStatus(t, h.get(paths[0]), 200)
	wantStatus(t, h.get(paths[0], "Origin", h.url, "Sec-Fetch-Site", "same-origin"), 200)
	wantStatus(t, h.get(paths[0], "Host", "localhost"), 200)
}

func TestPreflightGetsNoCORS(t *testing.T) {
	h := newHarness(t)
	req, _ := http.NewRequest(http.MethodOptions, h.url+"/v1/track.love", nil)
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	a := h.do(req)
	if a.status < 400 {
		t.Errorf("preflight answered %d", a.status)
	}
	for k := range a.header {
		if strings.HasPrefix(k, "Access-Control-") {
			t.Errorf("CORS header %s", k)
		}
	}
}

func TestTokenRequiredInEachForm(t *testing.T) {
	h := newHarness(t, withToken(t))
	// /v1/ and /metrics: Authorization: Bearer.
	for _, p := range []string{"/v1/artist.getInfo?artist=Cher", "/v1/status", "/metrics"} {
		wantStatus(t, h.get(p), http.StatusUnauthorized)
		wantStatus(t, h.get(p, "Authorization", "Bearer wrong"), http.StatusUnauthorized)
		wantStatus(t, h.get(p, "Authorization", "Bearer "+testToken), 200)
	}
	// /2.0/: the token is the client's api_key.
	wantStatus(t, h.get("/2.0/?method=artist.getInfo&artist=Cher"), http.StatusForbidden)
	a := h.get("/2.0/?method=artist.getInfo&artist=Cher&api_key=wrong")
	wantStatus(t, a, http.StatusForbidden)
	wantContains(t, a.body, `<error code="10">`)
	a = h.postForm("/2.0/", url.Values{"method": {"track.love"}, "artist": {"A"}, "track": {"T"}, "api_key": {"wrong"}})
	wantStatus(t, a, http.StatusForbidden)
	before := h.emu.Count("")
	if before != 1 {
		t.Errorf("%d requests reached the emulator, want only the one authorised read", before)
	}
	wantStatus(t, h.get("/2.0/?method=artist.getInfo&artist=Cher&api_key="+testToken), 200)
	if got := h.last("artist.getInfo").Params["api_key"]; got != testKey {
		t.Error("the token was forwarded as api_key")
	}
	// Health endpoints need no token.
	wantStatus(t, h.get("/healthz"), 200)
	wantStatus(t, h.get("/readyz"), 200)
}

func TestNonLoopbackListenNeedsToken(t *testing.T) {
	m := bareMain("0.0.0.0:0", t.TempDir())
	err := m.Open()
	m.Close()
	if err == nil || !strings.Contains(err.Error(), "token_file") {
		t.Fatalf("Open: %v", err)
	}
}

func TestIPv6Loopback(t *testing.T) {
	m := bareMain("[::1]:0", t.TempDir())
	if err := m.Open(); err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	defer m.Close()
	if !strings.HasPrefix(m.URL(), "http://[::1]:") {
		t.Errorf("URL %s", m.URL())
	}
}

// Status and metrics say nothing secret (the harness checks every body and
// header it reads, and the logs at the end).
func TestStatusAndMetricsHoldNoSecrets(t *testing.T) {
	h := newHarness(t)
	h.post("/v1/track.love", "application/json", `{"artist":"Cher","track":"Believe"}`)
	a := h.get("/v1/status")
	wantStatus(t, a, 200)
	wantContains(t, a.body, `"name":"alice"`, `"default":true`, `"limiter"`)
	a = h.get("/metrics")
	wantStatus(t, a, 200)
	wantContains(t, a.body, "lastfmd_requests_total", "lastfmd_upstream_calls_total", "lastfmd_cache_hits_total")
}
