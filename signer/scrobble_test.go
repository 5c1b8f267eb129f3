package signer

import (
	"errors"
	"maps"
	"strconv"
	"strings"
	"testing"
)

func TestParseScrobble(t *testing.T) {
	cases := []struct {
		name string
		in   map[string]string
		want []string // substrings of the problems; nil = valid
	}{
		{"valid", map[string]string{"artist": "Cher", "track": "Believe", "timestamp": "1700000000"}, nil},
		{"all optional fields", map[string]string{"artist": "A", "track": "T", "timestamp": "1", "album": "X", "albumArtist": "Y",
			"trackNumber": "3", "duration": "200", "mbid": "m", "chosenByUser": "0", "context": "c", "streamId": "s"}, nil},
		{"extras dropped, never a problem", map[string]string{"artist": "A", "track": "T", "timestamp": "1", "lang": "en",
			"timeStamp": "2", "format": "json", "cache-buster": "9", "api_sig": "x"}, nil},
		{"spaces around the timestamp", map[string]string{"artist": "A", "track": "T", "timestamp": " 17 "}, nil},
		{"zero timestamp is a whole number", map[string]string{"artist": "A", "track": "T", "timestamp": "0"}, nil},
		{"missing artist", map[string]string{"track": "T", "timestamp": "1"}, []string{`"artist" is required`}},
		{"blank track", map[string]string{"artist": "A", "track": "  ", "timestamp": "1"}, []string{`"track" is required`}},
		{"missing timestamp", map[string]string{"artist": "A", "track": "T"}, []string{`"timestamp" is required`}},
		{"empty timestamp", map[string]string{"artist": "A", "track": "T", "timestamp": ""}, []string{`"timestamp" is required`}},
		{"fractional timestamp", map[string]string{"artist": "A", "track": "T", "timestamp": "1.5"}, []string{"whole number"}},
		{"negative timestamp", map[string]string{"artist": "A", "track": "T", "timestamp": "-1"}, []string{"whole number"}},
		{"plus sign", map[string]string{"artist": "A", "track": "T", "timestamp": "+5"}, []string{"whole number"}},
		{"exponent", map[string]string{"artist": "A", "track": "T", "timestamp": "1e9"}, []string{"whole number"}},
		{"overflow", map[string]string{"artist": "A", "track": "T", "timestamp": "99999999999999999999"}, []string{"whole number"}},
		{"several problems", map[string]string{"timestamp": "x"}, []string{`"artist"`, `"track"`, "whole number"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sc, problems := ParseScrobble(c.in)
			if c.want == nil {
				if len(problems) > 0 {
					t.Fatalf("problems %v", problems)
				}
				if sc.Artist != c.in["artist"] || sc.Params["track"] != c.in["track"] ||
					sc.Params["timestamp"] != strconv.FormatInt(sc.Timestamp, 10) {
					t.Fatalf("parsed %+v", sc)
				}
				for k := range sc.Params {
					if !IsScrobbleField(k) {
						t.Errorf("kept %q, not a scrobble field", k)
					}
				}
				return
			}
			joined := strings.Join(problems, "; ")
			for _, w := range c.want {
				if !strings.Contains(joined, w) {
					t.Errorf("problems %q lack %q", joined, w)
				}
			}
		})
	}
}

func TestSplitScrobbles(t *testing.T) {
	batch := func(n int, extra map[string]string) map[string]string {
		p := map[string]string{}
		for i := range n {
			s := "[" + strconv.Itoa(i) + "]"
			p["artist"+s], p["track"+s], p["timestamp"+s] = "A", "T"+strconv.Itoa(i), "1700000000"
		}
		maps.Copy(p, extra)
		return p
	}
	tests := []struct {
		name    string
		params  map[string]string
		want    int    // items
		errName string // a *ParamError for this name
	}{
		{"single form", map[string]string{"artist": "A", "track": "T", "timestamp": "1", "method": "track.scrobble"}, 1, ""},
		{"single form with lang, sk, format and an indexed extra", map[string]string{"artist": "A", "track": "T",
			"timestamp": "1", "lang": "en", "sk": "x", "format": "json", "lang[0]": "en", "foo[]": "y"}, 1, ""},
		{"one indexed item", batch(1, nil), 1, ""},
		{"11 items", batch11(), 11, ""},
		{"50 items", batch(50, nil), 50, ""},
		{"batch with un-indexed and indexed extras", batch(3, map[string]string{"lang": "en", "lang[0]": "en",
			"lang[7]": "x", "artist": "ignored", "cache-buster": "1"}), 3, ""},
		{"optional field sparse", batch(3, map[string]string{"album[0]": "X", "album[2]": "Z"}), 3, ""},
		{"an item of optional fields only is an item", map[string]string{"artist[0]": "A", "album[1]": "X"}, 2, ""},
		{"index 50: 51 items", batch(1, map[string]string{"artist[50]": "A"}), 0, "artist[50]"},
		{"empty brackets", map[string]string{"artist[]": "A"}, 0, "artist[]"},
		{"leading zero", map[string]string{"track[01]": "A"}, 0, "track[01]"},
		{"letters", map[string]string{"timestamp[x]": "1"}, 0, "timestamp[x]"},
		{"negative", map[string]string{"album[-1]": "1"}, 0, "album[-1]"},
		{"gap", map[string]string{"artist[0]": "a", "artist[2]": "c"}, 0, "artist[1]"},
		{"not starting at 0", map[string]string{"artist[1]": "a"}, 0, "artist[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := SplitScrobbles(tt.params)
			if tt.errName != "" {
				var pe *ParamError
				if !errors.As(err, &pe) || pe.Name != tt.errName {
					t.Fatalf("SplitScrobbles = %v, %v; want a *ParamError for %q", items, err, tt.errName)
				}
				return
			}
			if err != nil || len(items) != tt.want {
				t.Fatalf("SplitScrobbles = %d items, %v; want %d", len(items), err, tt.want)
			}
			for _, it := range items {
				for k := range it {
					if !IsScrobbleField(k) {
						t.Errorf("item holds %q, not a scrobble field", k)
					}
				}
			}
		})
	}
	items, _ := SplitScrobbles(batch(3, map[string]string{"album[2]": "Z"}))
	if items[2]["track"] != "T2" || items[2]["album"] != "Z" || items[0]["album"] != "" {
		t.Errorf("items %v", items)
	}
	back := IndexScrobbles(items)
	if back["track[2]"] != "T2" || back["album[2]"] != "Z" || len(back) != 10 {
		t.Errorf("IndexScrobbles = %v", back)
	}
}

// FuzzParseScrobble: a scrobble's fields come from clients; validation
// never panics, and what it accepts has the required fields, a timestamp
// that reads back as sent, and nothing but scrobble fields.
func FuzzParseScrobble(f *testing.F) {
	f.Add("Cher", "Believe", "1700000000", "album", "X")
	f.Add("", "", "", "", "")
	f.Add("A", "T", "1.5", "timeStamp", "2")
	f.Add("A", "T", "00000000000000000000000001", "lang", "en")
	f.Fuzz(func(t *testing.T, artist, track, ts, extraName, extraValue string) {
		p := map[string]string{"artist": artist, "track": track, "timestamp": ts}
		if extraName != "" {
			p[extraName] = extraValue
		}
		sc, problems := ParseScrobble(p)
		if len(problems) > 0 {
			return
		}
		if strings.TrimSpace(sc.Artist) == "" || strings.TrimSpace(sc.Track) == "" || sc.Timestamp < 0 {
			t.Fatalf("accepted %+v from %v", sc, p)
		}
		for k := range sc.Params {
			if !IsScrobbleField(k) {
				t.Fatalf("kept %q", k)
			}
		}
	})
}
