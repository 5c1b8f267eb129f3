package main

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/client"
)

func regexpMatch(re, s string) bool { return regexp.MustCompile(re).MatchString(s) }

func TestBrowserEnv(t *testing.T) {
	in := []string{"PATH=/bin", "DISPLAY=:0", "LASTFMD_API_SECRET=x", "LASTFMD_URL=http://x", "CREDENTIALS_DIRECTORY=/run/c",
		"XDG_RUNTIME_DIR=/run/user/1", "DBUS_SESSION_BUS_ADDRESS=unix:path=/x", "LASTFMD=odd", "MY_LASTFMD_X=kept"}
	want := []string{"PATH=/bin", "DISPLAY=:0", "XDG_RUNTIME_DIR=/run/user/1", "DBUS_SESSION_BUS_ADDRESS=unix:path=/x", "LASTFMD=odd", "MY_LASTFMD_X=kept"}
	if got := browserEnv(in); !slices.Equal(got, want) {
		t.Errorf("browserEnv = %v", got)
	}
}

func TestReadSecretLine(t *testing.T) {
	cases := []struct {
		in   string
		trim bool
		want string
		err  bool
	}{
		{"pw\n", false, "pw", false},
		{"pw\r\n", false, "pw", false},
		{" pw with spaces \n", false, " pw with spaces ", false},
		{"  key  \nsecond line\n", true, "key", false},
		{"no newline", false, "no newline", false},
		{"", false, "", false},
		{strings.Repeat("x", 5000), false, "", true},
	}
	for _, c := range cases {
		got, err := readSecretLine(strings.NewReader(c.in), c.trim)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("readSecretLine(%.20q) = %q, %v", c.in, got, err)
		}
	}
}

func FuzzReadSecretLine(f *testing.F) {
	f.Add("pw\n", false)
	f.Add(" key \r\nx", true)
	f.Fuzz(func(t *testing.T, in string, trim bool) {
		got, err := readSecretLine(strings.NewReader(in), trim)
		if err != nil {
			return
		}
		if strings.ContainsAny(got, "\n") || len(got) > 4096 || !strings.Contains(in, got) {
			t.Fatalf("readSecretLine(%q) = %q", in, got)
		}
		if !trim && !strings.HasPrefix(in, got) {
			t.Fatalf("readSecretLine(%q) = %q: not the first line", in, got)
		}
		if trim && got != strings.TrimSpace(got) {
			t.Fatalf("not trimmed: %q", got)
		}
	})
}

// Status names the command that signs an account in to each destination:
// a user token for a ListenBrainz mirror, the sign-in for another.
func TestDestinationLineNamesTheSignIn(t *testing.T) {
	for typ, want := range map[string]string{
		"listenbrainz": "; not signed in there (not mirrored): bob (lastfmd auth token --mirror m --account NAME)",
		"lastfm":       "; not signed in there (not mirrored): bob (lastfmd auth login --mirror m --account NAME)",
	} {
		got := destinationLine(client.DestinationStatus{Name: "m", Type: typ, NotSignedIn: []string{"bob"}}, time.Now())
		if !strings.HasSuffix(got, want) {
			t.Errorf("%s: %q, want …%q", typ, got, want)
		}
	}
}
