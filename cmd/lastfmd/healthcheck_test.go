package main

import (
	"net/url"
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/client"
)

func TestParseHealthTarget(t *testing.T) {
	for _, tc := range []struct {
		in, want string // want "" = refused
	}{
		{"http://127.0.0.1:7375", "http://127.0.0.1:7375/readyz"},
		{"http://127.0.0.1:7375/", "http://127.0.0.1:7375/readyz"},
		{"http://[::1]:7375/readyz", "http://[::1]:7375/readyz"},
		{"https://lastfmd.example/health/ready?x=1#frag", "https://lastfmd.example/health/ready?x=1"},
		{"unix:/run/lastfmd/lastfmd.sock", "http://localhost/readyz"},
		{"unix:./l.sock", "http://localhost/readyz"},
		{"unix:", ""},
		{"unix:relative.sock", ""},
		{"127.0.0.1:7375", ""},
		{"ftp://host/", ""},
		{"http://", ""},
		{"http://user:pw@host/", ""},
		{"http://%zz", ""},
		{"", ""},
	} {
		c, err := parseHealthTarget(tc.in)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("%q accepted as %q", tc.in, c.url)
		case tc.want != "" && err != nil:
			t.Errorf("%q: %v", tc.in, err)
		case tc.want != "" && c.url != tc.want:
			t.Errorf("%q -> %q, want %q", tc.in, c.url, tc.want)
		case tc.want != "" && c.addr+c.path != tc.want && !strings.HasPrefix(tc.in, "unix:"):
			t.Errorf("%q asks %q%q, shows %q", tc.in, c.addr, c.path, tc.want)
		}
		if err == nil {
			if _, err := client.New(c.addr); err != nil {
				t.Errorf("%q: the client refuses %q: %v", tc.in, c.addr, err)
			}
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("%q: the error repeats the password: %v", tc.in, err)
		}
	}
}

// FuzzHealthTarget: any argument is refused or becomes an http(s) URL with
// no credentials in it; nothing panics.
func FuzzHealthTarget(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:7375", "unix:/x.sock", "https://a/b?c#d", "http://u:p@h/", "\x00", "unix:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, arg string) {
		c, err := parseHealthTarget(arg)
		if err != nil {
			if strings.ContainsRune(err.Error(), '\n') && !strings.ContainsRune(arg, '\n') {
				t.Fatalf("multi-line error: %q", err)
			}
			return
		}
		u, err := url.Parse(c.url)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || u.Host == "" {
			t.Fatalf("%q -> %q", arg, c.url)
		}
		if _, err := client.New(c.addr); err != nil {
			t.Fatalf("%q: the client refuses %q: %v", arg, c.addr, err)
		}
	})
}
