package httpapi

import (
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

func TestKeyMemoBounded(t *testing.T) {
	m := newKeyMemo(3)
	for i := 0; i < 10; i++ {
		m.put("/v1/x?i="+strconv.Itoa(i), "k"+strconv.Itoa(i))
		n := 0
		m.m.Range(func(any, any) bool { n++; return true })
		if n > 3 || m.len() != n {
			t.Fatalf("memo holds %d request lines (counted %d), want at most 3", n, m.len())
		}
	}
	if k, ok := m.get("/v1/x?i=9"); !ok || k != "k9" {
		t.Errorf("latest entry lost: %q %v", k, ok)
	}
}

func TestMemoEligible(t *testing.T) {
	s := &Server{guard: newGuard(nil, "")}
	withToken := &Server{guard: newGuard(nil, "tok")}
	cases := []struct {
		method, target string
		hdr            map[string]string
		srv            *Server
		want           bool
	}{
		{"GET", "/v1/artist.getInfo?artist=Cher", nil, s, true},
		{"GET", "/2.0/?method=artist.getInfo&artist=Cher", nil, s, true},
		{"GET", "/2.0/?method=artist.getInfo&artist=Cher&api_key=tok", nil, withToken, false},
		{"POST", "/v1/artist.getInfo?artist=Cher", nil, s, false},
		{"GET", "/v1/status", nil, s, false},
		{"GET", "/v1/queue", nil, s, false},
		{"GET", "/metrics", nil, s, false},
		{"GET", "/v1/user.getInfo", map[string]string{"X-Lastfmd-Account": "bob"}, s, false},
		{"GET", "/v1/artist.getInfo?artist=Cher", map[string]string{"Cache-Control": "no-cache"}, s, false},
		{"GET", "/v1/artist.getInfo?artist=Cher", map[string]string{"Pragma": "no-cache"}, s, false},
		{"GET", "/v1/artist.getInfo?artist=" + strings.Repeat("x", maxMemoURI), nil, s, false},
	}
	for _, c := range cases {
		r := httptest.NewRequest(c.method, "http://localhost"+c.target, nil)
		for k, v := range c.hdr {
			r.Header.Set(k, v)
		}
		if got := c.srv.memoEligible(r); got != c.want {
			t.Errorf("%s %s %v: %v, want %v", c.method, c.target, c.hdr, got, c.want)
		}
	}
}
