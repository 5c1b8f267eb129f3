package httpapi

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/proxy"
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
func parseJSONScrobbles(body []byte) ([]proxy.ScrobbleItem, error) {
	doc, err := decodeJSON(body)
	if err != nil {
		return nil, err
	}
	return jsonScrobbles(doc)
}

// The transport reads the items' shape; the proxy checks the request
// (count, fields), once for both APIs.
func TestParseJSONScrobbles(t *testing.T) {
	got, err := parseJSONScrobbles([]byte(`{"scrobbles":[{"artist":"A","track":"T","timestamp":1700000000},{"artist":"B","track":"U","timestamp":"1700000100","album":"X"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []proxy.ScrobbleItem{{Values: url.Values{"artist": {"A"}, "track": {"T"}, "timestamp": {"1700000000"}}},
		{Values: url.Values{"artist": {"B"}, "track": {"U"}, "timestamp": {"1700000100"}, "album": {"X"}}}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v", got)
	}
	for body, problems := range map[string][]string{
		`[]`:                                 {},
		`{"scrobbles":null}`:                 {},
		`[1]`:                                {"not a JSON object"},
		`[{"artist":"A"},{"artist":["x"]}]`:  {"", `parameter "artist"`},
		`[{"artist":"A"},"x",{"artist":{}}]`: {"", "not a JSON object", `parameter "artist"`},
	} {
		items, err := parseJSONScrobbles([]byte(body))
		if err != nil || len(items) != len(problems) {
			t.Errorf("%s: %v %v", body, items, err)
			continue
		}
		for i, p := range problems {
			if p == "" && items[i].Problem != "" || !strings.Contains(items[i].Problem, p) {
				t.Errorf("%s: item %d's problem %q, want %q", body, i, items[i].Problem, p)
			}
		}
	}
	for body, msg := range map[string]string{
		`{"scrobbles":{}}`: `"scrobbles" must be an array`,
		`{"scrobbles":[{"artist":"A"}],"scrobbles":[{"artist":"B"}]}`: `"scrobbles" given twice at the top level`,
	} {
		if _, err := parseJSONScrobbles([]byte(body)); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: err %v, want %q", body, err, msg)
		}
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
// every item it reads either carries a problem or canonicalises cleanly
// (the count and the fields are the proxy's and the scrobble rule's to
// judge: proxy.scrobbleItems, signer.FuzzParseScrobble).
func FuzzJSONScrobbles(f *testing.F) {
	for _, s := range []string{`[{"artist":"A","track":"T","timestamp":1700000000}]`,
		`{"scrobbles":[{"artist":"A","track":"T","timestamp":"1700000000","album":"X"}]}`,
		`[{"artist":"A","track":"","timestamp":1.5}]`, `[]`, `[1,2]`, `{"scrobbles":{}}`, `[{"artist[0]":"x"}]`,
		`[{"artist":"Björk","track":"Jóga","timestamp":1,"chosenByUser":true,"duration":null}]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		items, err := parseJSONScrobbles(body)
		if err != nil {
			if _, ok := err.(*apperr.Error); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		for _, it := range items {
			if (it.Problem == "") == (it.Values == nil) {
				t.Fatalf("item %+v: a problem or values, exactly one", it)
			}
			if it.Problem == "" {
				checkCanonical(t, it.Values)
			}
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
