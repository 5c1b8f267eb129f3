package signer

import "testing"

// TestWriteTarget: two writes have one Target exactly when their order
// decides what Last.fm ends with.
func TestWriteTarget(t *testing.T) {
	type call struct {
		method string
		params map[string]string
	}
	p := func(kv ...string) map[string]string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	believe := p("artist", "Cher", "track", "Believe")
	cases := []struct {
		name string
		a, b call
		same bool
	}{
		{"love then unlove", call{"track.love", believe}, call{"track.unlove", believe}, true},
		{"case and spaces", call{"track.love", believe}, call{"TRACK.UNLOVE", p("artist", " cher ", "track", "BELIEVE")}, true},
		{"spaces between words", call{"track.love", p("artist", "Daft Punk", "track", "One More Time")},
			call{"track.unlove", p("artist", "daft  punk", "track", "one more\ttime")}, true},
		{"another track", call{"track.love", believe}, call{"track.unlove", p("artist", "Cher", "track", "Strong Enough")}, false},
		{"another artist", call{"track.love", believe}, call{"track.unlove", p("artist", "Cher Lloyd", "track", "Believe")}, false},
		{"love and tags of one track", call{"track.love", believe}, call{"track.addTags", p("artist", "Cher", "track", "Believe", "tags", "pop")}, false},
		{"add then remove one tag", call{"track.addTags", p("artist", "Cher", "track", "Believe", "tags", "pop")},
			call{"track.removeTag", p("artist", "Cher", "track", "Believe", "tag", "pop")}, true},
		{"any tag on one track (coarser on purpose)", call{"track.addTags", p("artist", "Cher", "track", "Believe", "tags", "pop,diva")},
			call{"track.removeTag", p("artist", "Cher", "track", "Believe", "tag", "disco")}, true},
		{"tags of a track and of its album", call{"track.addTags", p("artist", "Cher", "track", "Believe", "tags", "pop")},
			call{"album.removeTag", p("artist", "Cher", "album", "Believe", "tag", "pop")}, false},
		{"album tags", call{"album.addTags", p("artist", "Cher", "album", "Believe", "tags", "pop")},
			call{"album.removeTag", p("artist", "CHER", "album", "believe", "tag", "pop")}, true},
		{"artist tags ignore a track", call{"artist.addTags", p("artist", "Cher", "track", "Believe", "tags", "pop")},
			call{"artist.removeTag", p("artist", "cher", "tag", "pop")}, true},
		{"artist and track tags", call{"artist.addTags", p("artist", "Cher", "tags", "pop")},
			call{"track.removeTag", p("artist", "Cher", "track", "Believe", "tag", "pop")}, false},
	}
	for _, c := range cases {
		ta, oka := WriteTarget(c.a.method, c.a.params)
		tb, okb := WriteTarget(c.b.method, c.b.params)
		if !oka || !okb {
			t.Errorf("%s: no target (%v %v)", c.name, oka, okb)
			continue
		}
		if (ta == tb) != c.same {
			t.Errorf("%s: %+v and %+v: same = %v, want %v", c.name, ta, tb, ta == tb, c.same)
		}
	}
}

// Only idempotent writes have a target, and every one of them has one.
func TestWriteTargetMethods(t *testing.T) {
	for _, name := range []string{"track.scrobble", "track.updateNowPlaying", "track.getInfo", "user.getLovedTracks", "track.hate", ""} {
		if tg, ok := WriteTarget(name, map[string]string{"artist": "Cher", "track": "Believe"}); ok {
			t.Errorf("%q has a target %+v", name, tg)
		}
	}
	for _, m := range Methods() {
		if tg, ok := WriteTarget(m.Name, nil); ok != m.Idempotent || (ok && (tg.Facet == "" || tg.Entity == "")) {
			t.Errorf("%s (idempotent %v): target %+v, %v", m.Name, m.Idempotent, tg, ok)
		}
	}
}
