package signer

import (
	"slices"
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/internal/suggest"
)

func TestNearestMethods(t *testing.T) {
	cases := []struct {
		name string
		want string // first suggestion, "" for none
	}{
		{"track.lvoe", "track.love"},
		{"Track.Lvoe", "track.love"},
		{"artist.getinfo", ""}, // in the catalog: no hint
		{"artist.getInf", "artist.getInfo"},
		{"user.getRecentTrack", "user.getRecentTracks"},
		{"track.scroble", "track.scrobble"},
		{"completely.different", ""},
		{"", ""},
	}
	for _, c := range cases {
		got := NearestMethods(c.name)
		first := ""
		if len(got) > 0 {
			first = got[0]
		}
		if first != c.want {
			t.Errorf("NearestMethods(%q) = %v, want first %q", c.name, got, c.want)
		}
	}
}

func TestCredentialCause(t *testing.T) {
	cases := []struct {
		code            int
		secretFrom, key string
		want            string
	}{
		{13, "", "", "Last.fm rejects the signature: the API secret does not belong to the API key"},
		{13, "file /etc/lastfmd/api-secret", "abc", "Last.fm rejects the signature: the API secret in /etc/lastfmd/api-secret does not belong to api_key abc"},
		{10, "", "abc", "Last.fm does not know api_key abc: it is mistyped or was never issued"},
		{26, "", "", "Last.fm has suspended the API key"},
		{6, "", "", ""},
		{9, "", "", ""},
	}
	for _, c := range cases {
		if got := CredentialCause(c.code, c.secretFrom, c.key); got != c.want {
			t.Errorf("CredentialCause(%d) = %q, want %q", c.code, got, c.want)
		}
		// A mirror's credentials are blamed alike, in its name.
		want := strings.Replace(c.want, "Last.fm", `mirror "librefm"`, 1)
		if got := CredentialCauseAt(`mirror "librefm"`, c.code, c.secretFrom, c.key); got != want {
			t.Errorf("CredentialCauseAt(librefm, %d) = %q, want %q", c.code, got, want)
		}
	}
}

// FuzzNearestMethods: any method name a client sends gets at most three
// catalog names, each close to it, and never a crash.
func FuzzNearestMethods(f *testing.F) {
	for _, s := range []string{"track.lvoe", "", "a.b", "user.getRecentTrack", "\xff\xfe.x", "ärtist.getInfo"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got := NearestMethods(name)
		if len(got) > 3 {
			t.Fatalf("%q: %d suggestions", name, len(got))
		}
		for _, g := range got {
			if _, ok := Lookup(g); !ok {
				t.Fatalf("%q: suggestion %q is not in the catalog", name, g)
			}
			if !slices.Contains(suggest.Closest(name, []string{g}), g) {
				t.Fatalf("%q: suggestion %q is not near it", name, g)
			}
		}
	})
}
