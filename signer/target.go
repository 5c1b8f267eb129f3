package signer

import "strings"

// Target is what an idempotent write (Method.Idempotent) changes in one
// account's data on Last.fm: the love on a track
// (https://www.last.fm/api/show/track.love, track.unlove), or the tags on
// a track, album or artist (https://www.last.fm/api/show/track.addTags,
// track.removeTag and the album and artist pages). Two writes on one
// Target may undo each other (unlove undoes love, removeTag undoes
// addTags), so their order decides the outcome: the journal keeps a direct
// write behind a queued one on the same Target
// (docs/scrobbling.md#loves-and-tags-when-lastfm-is-down).
//
// It is comparable, so it can be compared with == and used as a map key;
// its fields are never joined into one string, where two different names
// could meet.
type Target struct {
	Facet  string // "love" (love, unlove) or "tags" (addTags, removeTag)
	Entity string // "track", "album" or "artist"
	Artist string // folded by foldName
	Name   string // the track or album title, folded; "" for an artist
}

// WriteTarget returns what an idempotent write acts on, from its method
// (any case) and parameters, and false for any other method (reads,
// track.scrobble, track.updateNowPlaying, unknown names).
//
// Tags are not part of the Target: every tag write on one track, album or
// artist has the same Target, whichever tags it names. That is coarser
// than "the same tag", on purpose: *.addTags takes up to 10 tags in one
// comma-separated list, and a coarser Target only keeps an unrelated write
// behind a queued one (later, never out of order).
func WriteTarget(method string, params map[string]string) (Target, bool) {
	m, ok := Lookup(method)
	if !ok || !m.Idempotent || m.Facet == "" {
		return Target{}, false
	}
	entity, _, _ := strings.Cut(m.Name, ".")
	t := Target{Facet: m.Facet, Entity: entity, Artist: foldName(params["artist"])}
	switch entity {
	case "track":
		t.Name = foldName(params["track"])
	case "album":
		t.Name = foldName(params["album"])
	}
	return t, true
}

// foldName is a name as the Target compares it: without case (Last.fm's
// names are not case sensitive: "cher" loves Cher's track) or spaces
// around or between words, which Last.fm may or may not ignore. Folding
// more than Last.fm does is safe here (it only keeps a write behind one it
// need not wait for); folding less would let a write overtake. ToUpper
// before ToLower folds the letters with two lower-case forms (ſ and s, the
// Kelvin sign and k) to one.
func foldName(s string) string {
	return strings.ToLower(strings.ToUpper(strings.Join(strings.Fields(s), " ")))
}
