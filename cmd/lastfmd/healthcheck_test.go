package main

import (
	"net/url"
	"strings"
	"testing"
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
			t.Errorf("%q accepted as %q", tc.in, c.base)
		case tc.want != "" && err != nil:
			t.Errorf("%q: %v", tc.in, err)
		case tc.want != "" && c.base != tc.want:
			t.Errorf("%q -> %q, want %q", tc.in, c.base, tc.want)
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
		u, err := url.Parse(c.base)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || u.Host == "" {
			t.Fatalf("%q -> %q", arg, c.base)
		}
	})
}
