package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/internal/clip"
	"github.com/lastfmd/lastfmd/signer"
)

func TestDecodeJSON(t *testing.T) {
	nest := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	many := `{"a":1` + strings.Repeat(`,"a":1`, clip.MaxListed+2) + `}`
	cases := []struct {
		name, body string
		want       any
		err        string
	}{
		{"empty body", " \n", map[string]any{}, ""},
		{"flat object", `{"artist":"Cher","timestamp":1700000000,"n":1.50,"ok":true,"no":null}`,
			map[string]any{"artist": "Cher", "timestamp": json.Number("1700000000"), "n": json.Number("1.50"), "ok": true, "no": nil}, ""},
		{"a scalar", `"x"`, "x", ""},
		{"one name in different objects", `[{"a":1},{"a":2,"b":{"a":3}}]`,
			[]any{map[string]any{"a": json.Number("1")}, map[string]any{"a": json.Number("2"), "b": map[string]any{"a": json.Number("3")}}}, ""},
		{"16 levels", nest(16), nil, ""},

		{"the issue's repro", `{"scrobbles":[{"artist":"A","track":"T","timestamp":1}],"scrobbles":[{"artist":"B","track":"U","timestamp":2}]}`,
			nil, `a JSON body names each key once: "scrobbles" given twice at the top level`},
		{"identical repeat, top level", `{"a":"x","a":"x"}`, nil, `"a" given twice at the top level`},
		{"repeat in an array's object", `[{"artist":"A","artist":"B"}]`, nil, `"artist" given twice in [0]`},
		{"repeat in a listed scrobble", `{"scrobbles":[{"artist":"A"},{"artist":"A","track":"T","artist":"A"}]}`,
			nil, `"artist" given twice in scrobbles[1]`},
		{"repeat two objects deep", `{"a":{"b":{"c":1,"c":2}}}`, nil, `"c" given twice in a.b`},
		{"a key that is not a word", `{"a b":[{"c":1,"c":1}]}`, nil, `"c" given twice in ["a b"][0]`},
		{"repeat spelt another way", `{"a":1,"\u0061":1}`, nil, `"a" given twice at the top level`},
		{"every repeat named", `{"a":1,"a":2,"b":[{"c":1,"c":1}],"a":3}`, nil,
			`"a" given twice at the top level; "c" given twice in b[0]; "a" given twice at the top level`},
		{"repeated empty key", `{"":1,"":2}`, nil, `"" given twice at the top level`},
		{"many repeats counted", many, nil, `"a" given twice at the top level; and 2 more`},

		{"17 levels", nest(17), nil, "nests deeper than 16 levels"},
		{"cut short", `{"a":`, nil, "malformed JSON body: unexpected end of input"},
		{"trailing comma", `{"a":1,}`, nil, "malformed JSON body: syntax error"},
		{"not JSON", `nope`, nil, "malformed JSON body: syntax error"},
		{"a second value", `{"a":1}{}`, nil, "malformed JSON body: data after the JSON value"},
		{"garbage after", `[1] x`, nil, "malformed JSON body: data after the JSON value"},
		{"syntax wins over a repeat", `{"a":1,"a":2,}`, nil, "malformed JSON body: syntax error"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := decodeJSON([]byte(c.body))
			if c.err == "" {
				if err != nil {
					t.Fatalf("%s: %v", c.body, err)
				}
				if c.want != nil && !reflect.DeepEqual(got, c.want) {
					t.Errorf("%s: %#v, want %#v", c.body, got, c.want)
				}
				return
			}
			ae, ok := err.(*apperr.Error)
			if !ok || !strings.Contains(ae.Message, c.err) {
				t.Fatalf("%s: err %v, want %q", c.body, err, c.err)
			}
			if ae.Kind != apperr.Invalid || ae.Code != signer.ErrInvalidParams || statusOf(ae, false) != 400 {
				t.Errorf("%s: kind %v code %d status %d, want a 400 with error 6", c.body, ae.Kind, ae.Code, statusOf(ae, false))
			}
		})
	}
}

// FuzzDecodeJSON: the one decoder of /v1/ bodies reads outside input. It
// never panics, refuses only with a 400, and on valid JSON differs from
// encoding/json only where encoding/json would lose something: a body it
// accepts decodes to encoding/json's value with every token of the body in
// it (no key dropped), and one it refuses had a repeated key (encoding/json
// dropped tokens) or nested too deep.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{``, `{}`, `{"artist":"Cher","timestamp":1700000000}`, `{"a":"x","a":"x"}`,
		`{"scrobbles":[{"artist":"A"}],"scrobbles":[{"artist":"B"}]}`, `[{"a":1,"b":[{"a":1,"a":2}]}]`,
		`{"a":{"a":{"a":1}}}`, `{"a":1,"\u0061":2}`, `{"a":"\ud800"}`, `{"a":1e400}`, `[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]`,
		`{"ids":[1,"2"]}`, `{"a":1}{}`, `{"a":`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := decodeJSON(body)
		if len(bytes.TrimSpace(body)) == 0 {
			if err != nil || !reflect.DeepEqual(got, map[string]any{}) {
				t.Fatalf("empty body: %#v %v", got, err)
			}
			return
		}
		if err != nil {
			if ae, ok := err.(*apperr.Error); !ok || statusOf(ae, false) != 400 {
				t.Fatalf("refused with %T %v", err, err)
			}
		}
		if !json.Valid(body) {
			if err == nil {
				t.Fatalf("accepted invalid JSON %q", body)
			}
			return
		}
		var std any
		d := json.NewDecoder(bytes.NewReader(body))
		d.UseNumber()
		if d.Decode(&std) != nil {
			return // deeper than encoding/json's own bound
		}
		lost := countTokens(t, body) != treeTokens(std)
		if err == nil {
			if lost || treeDepth(got) > maxJSONDepth || !reflect.DeepEqual(got, std) {
				t.Fatalf("accepted %q as %#v; encoding/json: %#v", body, got, std)
			}
			return
		}
		if !lost && treeDepth(std) <= maxJSONDepth {
			t.Fatalf("refused valid JSON without a repeat: %q: %v", body, err)
		}
	})
}

// countTokens counts the tokens of one valid JSON body.
func countTokens(t *testing.T, body []byte) int {
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	n := 0
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			t.Fatalf("valid JSON %q: %v", body, err)
		}
		n++
	}
}

// treeTokens is how many tokens v is written in, each key once.
func treeTokens(v any) int {
	switch v := v.(type) {
	case map[string]any:
		n := 2
		for _, e := range v {
			n += 1 + treeTokens(e)
		}
		return n
	case []any:
		n := 2
		for _, e := range v {
			n += treeTokens(e)
		}
		return n
	}
	return 1
}

// treeDepth is how many arrays and objects nest in v.
func treeDepth(v any) int {
	var children []any
	switch v := v.(type) {
	case map[string]any:
		for _, e := range v {
			children = append(children, e)
		}
	case []any:
		children = v
	default:
		return 0
	}
	deepest := 0
	for _, e := range children {
		deepest = max(deepest, treeDepth(e))
	}
	return 1 + deepest
}
