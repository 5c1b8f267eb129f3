package httpapi

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/signer"
)

func TestParseJSONObject(t *testing.T) {
	cases := []struct {
		body string
		want url.Values
		err  string
	}{
		{`{}`, url.Values{}, ""},
		{``, url.Values{}, ""},
		{`{"artist":"Cher","timestamp":1700000000,"n":1.50,"big":12345678901234567890}`,
			url.Values{"artist": {"Cher"}, "timestamp": {"1700000000"}, "n": {"1.50"}, "big": {"12345678901234567890"}}, ""},
		{`{"a":true,"b":false,"c":null}`, url.Values{"a": {"1"}, "b": {"0"}}, ""},
		{`{"a":"x","a":"y"}`, nil, `"a" given twice at the top level`},
		{`{"a":"x","a":"x"}`, nil, `"a" given twice at the top level`},
		{`{"b":[1],"a":{}}`, nil, `"a": expected a string, number or boolean, not an object`}, // the smallest name
		{`{"a":{"b":1}}`, nil, `"a": expected a string, number or boolean, not an object`},
		{`{"a":[1]}`, nil, "not an array"},
		{`[]`, nil, "must be an object"},
		{`"x"`, nil, "must be an object"},
		{`{"a":`, nil, "malformed JSON"},
		{`{"a":1}{}`, nil, "data after the JSON value"},
		{`{"a":1,}`, nil, "malformed JSON"},
	}
	for _, c := range cases {
		got, err := parseJSONObject([]byte(c.body))
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: err %v, want %q", c.body, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v %v, want %v", c.body, got, err, c.want)
		}
	}
}

// parseJSONScrobbles decodes body and reads it as a scrobble list, as
// v1JSON does for track.scrobble.
func parseJSONScrobbles(body []byte, max int) ([]url.Values, error) {
	doc, err := decodeJSON(body)
	if err != nil {
		return nil, err
	}
	return jsonScrobbles(doc, max)
}

func TestParseJSONScrobbles(t *testing.T) {
	got, err := parseJSONScrobbles([]byte(`{"scrobbles":[{"artist":"A","track":"T","timestamp":1700000000},{"artist":"B","track":"U","timestamp":"1700000100","album":"X"}]}`), 50)
	if err != nil {
		t.Fatal(err)
	}
	want := []url.Values{{"artist": {"A"}, "track": {"T"}, "timestamp": {"1700000000"}},
		{"artist": {"B"}, "track": {"U"}, "timestamp": {"1700000100"}, "album": {"X"}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v", got)
	}
	bad := []struct{ body, msg string }{
		{`[]`, "no scrobbles"},
		{`[1]`, "item 0"},
		{`[{"artist":"A"},{"artist":["x"]}]`, "item 1"},
		{`[{"artist":"A"},"x",{"artist":{}}]`, "item 1: not a JSON object; item 2: parameter \"artist\""},
		{`{"scrobbles":{}}`, `"scrobbles" must be an array`},
		{`{"scrobbles":null}`, "no scrobbles"},
		{`{"scrobbles":[{"artist":"A"}],"scrobbles":[{"artist":"B"}]}`, `"scrobbles" given twice at the top level`},
	}
	for _, b := range bad {
		_, err := parseJSONScrobbles([]byte(b.body), 50)
		if err == nil || !strings.Contains(err.Error(), b.msg) {
			t.Errorf("%s: err %v, want %q", b.body, err, b.msg)
		}
	}
	many := "[" + strings.Repeat(`{"artist":"A","track":"T","timestamp":1},`, 51)
	many = many[:len(many)-1] + "]"
	if _, err := parseJSONScrobbles([]byte(many), 50); err == nil || !strings.Contains(err.Error(), "at most 50") {
		t.Errorf("51 items: %v", err)
	}
}

// FuzzV1JSON: the /v1/ JSON decoder never panics, and whatever it accepts
// canonicalises to names of Last.fm's shape and valid UTF-8 values.
func FuzzV1JSON(f *testing.F) {
	for _, s := range []string{`{}`, `{"artist":"Cher","timestamp":1700000000}`, `{"a":true,"b":null}`, `{"a":{"b":1}}`,
		`{"artist[0]":"x","track[0]":"y"}`, `[{"artist":"A","track":"T","timestamp":1}]`, `{"a":"\ud800"}`, `{"a":1e400}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		v, err := parseJSONObject(body)
		if err != nil {
			if _, ok := err.(*apperr.Error); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		checkCanonical(t, v)
	})
}

// FuzzJSONScrobbles: the /v1/track.scrobble array decoder never panics;
// whatever it accepts has at most max items, each canonicalising cleanly
// (their fields are the scrobble rule's to judge: signer.FuzzParseScrobble).
func FuzzJSONScrobbles(f *testing.F) {
	for _, s := range []string{`[{"artist":"A","track":"T","timestamp":1700000000}]`,
		`{"scrobbles":[{"artist":"A","track":"T","timestamp":"1700000000","album":"X"}]}`,
		`[{"artist":"A","track":"","timestamp":1.5}]`, `[]`, `[1,2]`, `{"scrobbles":{}}`, `[{"artist[0]":"x"}]`,
		`[{"artist":"Björk","track":"Jóga","timestamp":1,"chosenByUser":true,"duration":null}]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		items, err := parseJSONScrobbles(body, 50)
		if err != nil {
			if _, ok := err.(*apperr.Error); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		if len(items) == 0 || len(items) > 50 {
			t.Fatalf("%d items accepted", len(items))
		}
		for _, it := range items {
			checkCanonical(t, it)
		}
	})
}

// FuzzDropInParams: the /2.0/ parameter parser (query and body merged,
// then canonicalised) never panics and keeps its promises.
func FuzzDropInParams(f *testing.F) {
	for _, s := range [][2]string{
		{"method=artist.getInfo&artist=Cher", ""},
		{"format=json", "method=track.love&artist=A%20%26%20B&track=x%2By"},
		{"artist=a", "artist=b"},
		{"", "artist%5B0%5D=A&track%5B0%5D=T&timestamp%5B0%5D=1"},
		{"a=%zz", "b;c=d"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, query, body string) {
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		b, err := parseForm([]byte(body))
		if err != nil {
			return
		}
		checkCanonical(t, mergeValues(q, b))
	})
}

func checkCanonical(t *testing.T, v url.Values) {
	t.Helper()
	p, err := signer.Canonicalize(v)
	if err != nil {
		return
	}
	for k, val := range p {
		if !signer.ValidName(k) || val == "" || !utf8.ValidString(val) || k == "api_key" || k == "api_sig" {
			t.Fatalf("canonical param %q=%q", k, val)
		}
	}
}
