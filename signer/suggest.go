package signer

import "github.com/lastfmd/lastfmd/internal/suggest"

// NearestMethods returns the catalog names nearest to a method the catalog
// does not know (track.lvoe -> track.love), for the hint added to
// Last.fm's error 3 (unknown methods are still forwarded:
// docs/design.md#accounts-and-signing).
func NearestMethods(name string) []string {
	if _, ok := Lookup(name); ok || len(name) > 64 {
		return nil
	}
	return suggest.Closest(name, MethodNames())
}
