package emulator

import (
	"hash/fnv"
	"net/url"
	"strings"
)

// chartArtists is the emulator's fixed catalogue: the global charts, similar
// artists, geo and tag charts all draw from it.
var chartArtists = []struct{ name, track, album string }{
	{"The Weeknd", "Blinding Lights", "After Hours"},
	{"Taylor Swift", "Cruel Summer", "Lover"},
	{"Radiohead", "Creep", "OK Computer"},
	{"Kendrick Lamar", "Not Like Us", "DAMN."},
	{"Daft Punk", "One More Time", "Discovery"},
	{"Björk", "Jóga", "Homogenic"},
	{"Arctic Monkeys", "505", "Favourite Worst Nightmare"},
	{"Lana Del Rey", "Summertime Sadness", "Born to Die"},
	{"Coldplay", "Yellow", "Parachutes"},
	{"Kanye West", "Runaway", "My Beautiful Dark Twisted Fantasy"},
	{"Billie Eilish", "Birds of a Feather", "Hit Me Hard and Soft"},
	{"Tame Impala", "The Less I Know the Better", "Currents"},
	{"Frank Ocean", "Pink + White", "Blonde"},
	{"The Beatles", "Here Comes the Sun", "Abbey Road"},
	{"Fleetwood Mac", "Dreams", "Rumours"},
	{"坂本龍一", "Merry Christmas Mr. Lawrence", "Ura BTTB"},
	{"Sigur Rós", "Hoppípolla", "Takk..."},
	{"Nirvana", "Smells Like Teen Spirit", "Nevermind"},
	{"Beyoncé", "Crazy in Love", "Dangerously in Love"},
	{"Massive Attack", "Teardrop", "Mezzanine"},
}

// catalogueTags are the tags the catalogue hands out (top tags, tag charts).
var catalogueTags = []string{"rock", "electronic", "pop", "indie", "alternative",
	"hip-hop", "seen live", "female vocalists", "experimental", "ambient"}

// trackWords and albumWords build plausible titles for arbitrary artists.
var trackWords = []string{"Intro", "Night Drive", "Golden Hour", "Paper Moon", "Static",
	"Glass Houses", "Northern Lights", "Undertow", "Satellite", "Slow Burn"}
var albumWords = []string{"First Light", "Second Nature", "Afterglow", "Tidal", "Low Season"}

// placeholder image hash Last.fm serves for most artists (seen in Last.fm's answers).
const placeholderImage = "2a96cbd8b46e442fc41c2b86b821562f"

// hash64 is a stable hash driving the synthetic numbers.
func hash64(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		_, _ = h.Write([]byte(strings.ToLower(p)))
		_, _ = h.Write([]byte{0})
	}
	return h.Sum64()
}

// listenersOf and playcountOf are stable synthetic catalogue statistics.
func listenersOf(parts ...string) int64 { return 1000 + int64(hash64(parts...)%900000) }
func playcountOf(parts ...string) int64 {
	return listenersOf(parts...) * (5 + int64(hash64(append(parts, "pc")...)%40))
}

// durationOf is a stable synthetic track length in seconds.
func durationOf(artist, track string) int64 { return 150 + int64(hash64(artist, track, "d")%150) }

// pathPart escapes a name the way Last.fm URLs do (spaces as '+').
func pathPart(s string) string { return url.QueryEscape(s) }

func musicURL(artist string, rest ...string) string {
	u := "https://www.last.fm/music/" + pathPart(artist)
	if len(rest) == 2 && rest[0] == "_" {
		return u + "/_/" + pathPart(rest[1])
	}
	for _, r := range rest {
		u += "/" + pathPart(r)
	}
	return u
}

func userURL(name string) string { return "https://www.last.fm/user/" + pathPart(name) }
func tagURL(name string) string  { return "https://www.last.fm/tag/" + pathPart(name) }

// images returns Last.fm's four image sizes.
func images(hash string) []*node {
	sizes := []struct{ size, dir string }{
		{"small", "34s"}, {"medium", "64s"}, {"large", "174s"}, {"extralarge", "300x300"},
	}
	out := make([]*node, 0, len(sizes))
	for _, sz := range sizes {
		out = append(out, txt("image", "https://lastfm.freetls.fastly.net/i/u/"+sz.dir+"/"+hash+".png").a("size", sz.size))
	}
	return out
}

// topTagsOf picks an artist's catalogue tags.
func topTagsOf(parts ...string) []string {
	h := hash64(parts...)
	out := make([]string, 0, 3)
	for i := range 3 {
		t := catalogueTags[int((h>>(8*i))%uint64(len(catalogueTags)))]
		dup := false
		for _, o := range out {
			dup = dup || o == t
		}
		if !dup {
			out = append(out, t)
		}
	}
	return out
}

// tracksOf returns plausible track titles of an artist (its chart hit first).
func tracksOf(artist string, n int) []string {
	var out []string
	for _, c := range chartArtists {
		if strings.EqualFold(c.name, artist) {
			out = append(out, c.track)
		}
	}
	h := int(hash64(artist) % uint64(len(trackWords)))
	for i := 0; len(out) < n && i < len(trackWords); i++ {
		out = append(out, trackWords[(h+i)%len(trackWords)])
	}
	return out
}

// albumsOf returns plausible album titles of an artist.
func albumsOf(artist string, n int) []string {
	var out []string
	for _, c := range chartArtists {
		if strings.EqualFold(c.name, artist) {
			out = append(out, c.album)
		}
	}
	h := int(hash64(artist) % uint64(len(albumWords)))
	for i := 0; len(out) < n && i < len(albumWords); i++ {
		out = append(out, albumWords[(h+i)%len(albumWords)])
	}
	return out
}

// similarTo returns n catalogue artists other than artist.
func similarTo(artist string, n int) []string {
	h := int(hash64(artist, "similar") % uint64(len(chartArtists)))
	var out []string
	for i := 0; len(out) < n && i < len(chartArtists); i++ {
		c := chartArtists[(h+i)%len(chartArtists)]
		if !strings.EqualFold(c.name, artist) {
			out = append(out, c.name)
		}
	}
	return out
}

// unknownName reports whether a name is one the emulator does not know: any name
// containing "Unknown". Every other name exists, unicode included.
func unknownName(s string) bool { return strings.Contains(s, "Unknown") }
