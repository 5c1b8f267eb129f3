package httpapi

import (
	"net/http/httptest"
	"testing"
)

func TestHostAllowed(t *testing.T) {
	g := newGuard([]string{"music.lan"}, "")
	cases := map[string]bool{
		"localhost": true, "localhost:7375": true, "127.0.0.1:7375": true, "[::1]:7375": true, "[::1]": true,
		"LOCALHOST:1": true, "music.lan:80": true, "music.lan.": true,
		"": false, "evil.example": false, "127.0.0.1.nip.io:7375": false, "127.0.0.2:7375": false, "localhost.evil.example": false,
		"[::2]:1": false,
	}
	for host, want := range cases {
		if got := g.hostAllowed(host); got != want {
			t.Errorf("hostAllowed(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestCrossSite(t *testing.T) {
	cases := []struct {
		name   string
		hdr    map[string]string
		refuse bool
	}{
		{"script", nil, false},
		{"same origin", map[string]string{"Origin": "http://127.0.0.1:7375", "Sec-Fetch-Site": "same-origin"}, false},
		{"typed in the address bar", map[string]string{"Sec-Fetch-Site": "none"}, false},
		{"same-origin referer", map[string]string{"Referer": "http://127.0.0.1:7375/auth/"}, false},
		{"other origin", map[string]string{"Origin": "https://evil.example"}, true},
		{"null origin", map[string]string{"Origin": "null"}, true},
		{"empty origin", map[string]string{"Origin": ""}, true},
		{"https origin on same host", map[string]string{"Origin": "https://127.0.0.1:7375"}, true},
		{"other port", map[string]string{"Origin": "http://127.0.0.1:8000"}, true},
		{"referer elsewhere", map[string]string{"Referer": "https://evil.example/x"}, true},
		{"cross-site", map[string]string{"Sec-Fetch-Site": "cross-site"}, true},
		{"same-site", map[string]string{"Sec-Fetch-Site": "Same-Site"}, true},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "http://127.0.0.1:7375/v1/status", nil)
		for k, v := range c.hdr {
			r.Header[k] = []string{v}
		}
		if got := crossSite(r) != ""; got != c.refuse {
			t.Errorf("%s: refused=%v, want %v", c.name, got, c.refuse)
		}
	}
}

func TestTokenEqual(t *testing.T) {
	g := newGuard(nil, "tok")
	for got, want := range map[string]bool{"tok": true, "to": false, "tok ": false, "": false, "TOK": false} {
		if g.tokenEqual(got) != want {
			t.Errorf("tokenEqual(%q) != %v", got, want)
		}
	}
}
