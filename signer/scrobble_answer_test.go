package signer

import (
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestParseScrobbleAnswer(t *testing.T) {
	one := `{"scrobbles":{"scrobble":{"track":{"corrected":"0","#text":"Believe"},"artist":{"corrected":"1","#text":"Björk"},
		"album":{"corrected":"0","#text":""},"albumArtist":{"corrected":"0","#text":""},"timestamp":"1700000000",
		"ignoredMessage":{"code":"0","#text":""}},"@attr":{"accepted":1,"ignored":0}}}`
	got, err := ParseScrobbleAnswer([]byte(one))
	if err != nil || len(got) != 1 {
		t.Fatalf("one: %v %v", got, err)
	}
	if got[0].Fields["track"] != "Believe" || got[0].Corrected["artist"] != "Björk" || len(got[0].Corrected) != 1 ||
		got[0].Fields["timestamp"] != "1700000000" || got[0].IgnoredCode != 0 {
		t.Errorf("one: %+v", got[0])
	}

	many := `{"scrobbles":{"scrobble":[
		{"track":"T1","artist":{"#text":"A1"},"timestamp":1,"ignoredMessage":{"code":3,"#text":"Timestamp was too old"}},
		{"track":{"corrected":0,"#text":"T2"},"artist":"A2","timestamp":"2","ignoredMessage":{"code":"5","#text":"Daily scrobble limit exceeded"}}],
		"@attr":{"accepted":"0","ignored":"2"}}}`
	got, err = ParseScrobbleAnswer([]byte(many))
	if err != nil || len(got) != 2 {
		t.Fatalf("many: %v %v", got, err)
	}
	if got[0].IgnoredCode != 3 || got[0].IgnoredMessage != "Timestamp was too old" || got[0].Fields["artist"] != "A1" || got[0].Fields["timestamp"] != "1" {
		t.Errorf("many[0]: %+v", got[0])
	}
	if got[1].IgnoredCode != 5 || got[1].Fields["track"] != "T2" || got[1].Corrected != nil {
		t.Errorf("many[1]: %+v", got[1])
	}

	for _, bad := range []string{
		``, `nope`, `{}`, `{"error":13,"message":"Invalid method signature supplied"}`,
		`{"scrobbles":{"scrobble":"x"}}`, `{"scrobbles":{"scrobble":[1,2]}}`, `{"scrobbles":{"scrobble":[null]}}`,
		`{"scrobbles":"x"}`, `{"scrobbles":{}} trailing`, `[{"scrobbles":{}}]`,
		`{"scrobbles":{"scrobble":{"ignoredMessage":{"code":"x"}}}}`,
		`{"scrobbles":{"scrobble":{"ignoredMessage":{"code":"-1"}}}}`,
	} {
		if got, err := ParseScrobbleAnswer([]byte(bad)); err == nil {
			t.Errorf("%q: accepted as %+v", bad, got)
		}
	}
	if got, err := ParseScrobbleAnswer([]byte(`{"scrobbles":{"@attr":{"accepted":0,"ignored":0}}}`)); err != nil || len(got) != 0 {
		t.Errorf("no items: %v %v", got, err)
	}
}

// FuzzParseScrobbleAnswer: Last.fm's answer is outside input; the parser never
// panics and never reports a negative ignore code.
func FuzzParseScrobbleAnswer(f *testing.F) {
	f.Add([]byte(`{"scrobbles":{"scrobble":{"track":{"corrected":"0","#text":"T"},"ignoredMessage":{"code":"0","#text":""}},"@attr":{"accepted":1,"ignored":0}}}`))
	f.Add([]byte(`{"scrobbles":{"scrobble":[{"artist":"A"},{"artist":{"corrected":true,"#text":1.5}}]}}`))
	f.Add([]byte(`{"scrobbles":null}`))
	f.Add([]byte(`{"scrobbles":{"scrobble":{"ignoredMessage":{"code":99999999999999999999}}}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		items, err := ParseScrobbleAnswer(body)
		if err != nil {
			return
		}
		for _, it := range items {
			if it.IgnoredCode < 0 {
				t.Fatalf("negative code from %q", body)
			}
			if it.Fields == nil {
				t.Fatal("nil Fields")
			}
		}
	})
}

// RenderScrobbleAnswer is ParseScrobbleAnswer's inverse on Last.fm's JSON,
// for one item (an object) and several (an array), and its XML names the
// counts and escapes the names.
func TestRenderScrobbleAnswer(t *testing.T) {
	one := ScrobbleAnswer{Fields: map[string]string{"track": "Believe", "artist": "Björk", "album": "", "albumArtist": "", "timestamp": "1700000000"},
		Corrected: map[string]string{"artist": "Björk"}}
	two := ScrobbleAnswer{Fields: map[string]string{"track": "<T&2>", "artist": "A", "album": "X", "albumArtist": "", "timestamp": "1"},
		IgnoredCode: IgnoredTooOld, IgnoredMessage: "Timestamp was too old"}
	for _, items := range [][]ScrobbleAnswer{{one}, {one, two}} {
		got, err := ParseScrobbleAnswer(RenderScrobbleAnswer(items, true))
		if err != nil || !reflect.DeepEqual(got, items) {
			t.Errorf("round trip of %d items: %+v %v", len(items), got, err)
		}
	}
	x := string(RenderScrobbleAnswer([]ScrobbleAnswer{one, two}, false))
	for _, want := range []string{`<scrobbles accepted="1" ignored="1">`, `<artist corrected="1">Björk</artist>`,
		`<track corrected="0">&lt;T&amp;2&gt;</track>`, `<ignoredMessage code="3">Timestamp was too old</ignoredMessage>`} {
		if !strings.Contains(x, want) {
			t.Errorf("XML lacks %s:\n%s", want, x)
		}
	}
}

func TestScrobbleCounts(t *testing.T) {
	for _, tc := range []struct {
		body              string
		accepted, ignored int
		ok                bool
	}{
		{`{"scrobbles":{"@attr":{"ignored":0}}}`, -1, 0, true},
		{`{"scrobbles":{"@attr":{"accepted":"2","ignored":"1"}}}`, 2, 1, true},
		{`{"scrobbles":{"scrobble":[],"@attr":{"accepted":3,"ignored":0}}}`, 3, 0, true},
		{`{"scrobbles":{}}`, 0, 0, false},
		{`{"scrobbles":{"@attr":{"ignored":"x"}}}`, 0, 0, false},
		{`{"scrobbles":{"@attr":{"ignored":-1}}}`, 0, 0, false},
		{`<html>`, 0, 0, false},
	} {
		a, i, ok := ScrobbleCounts([]byte(tc.body))
		if a != tc.accepted || i != tc.ignored || ok != tc.ok {
			t.Errorf("%s: %d, %d, %v; want %d, %d, %v", tc.body, a, i, ok, tc.accepted, tc.ignored, tc.ok)
		}
	}
}

// BenchmarkParseScrobbleAnswer reads the answer of a full batch (50
// items), as a sender does for every batch it sends:
//
//	go test -run '^$' -bench ParseScrobbleAnswer -benchmem ./signer/
func BenchmarkParseScrobbleAnswer(b *testing.B) {
	items := make([]ScrobbleAnswer, 50)
	for i := range items {
		items[i] = ScrobbleAnswer{Fields: map[string]string{"track": "Track " + strconv.Itoa(i), "artist": "Artist",
			"album": "Album", "albumArtist": "", "timestamp": strconv.Itoa(1700000000 + i)}}
	}
	body := RenderScrobbleAnswer(items, true)
	for b.Loop() {
		if got, err := ParseScrobbleAnswer(body); err != nil || len(got) != len(items) {
			b.Fatal(got, err)
		}
	}
}
