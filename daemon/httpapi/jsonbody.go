package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/internal/clip"
)

// maxJSONDepth bounds how deeply a /v1/ JSON body may nest. The deepest
// body lastfmd takes is {"scrobbles":[{…}]}, three levels; the bound keeps
// a body of brackets from costing a deep walk, and anything past it would
// be refused anyway.
const maxJSONDepth = 16

// decodeJSON is the one decoder of every /v1/ JSON body: parameters,
// scrobble lists, sign-in requests, queue ids (docs/http-api.md#json-bodies).
// It returns what encoding/json makes of the body in an any with UseNumber:
// map[string]any, []any, string, json.Number (exactly as written), bool or
// nil. An empty body is an empty object: a POST with nothing to add.
//
// A key given twice in one object is refused, at any depth and whatever
// the two values: encoding/json would keep the last silently, so
// {"scrobbles":[A],"scrobbles":[B]} would drop batch A. Refusing identical
// repeats too keeps one rule that needs no comparing of values. The error
// names every repeated key and where it is.
func decodeJSON(body []byte) (any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return map[string]any{}, nil
	}
	r := jsonReader{d: json.NewDecoder(bytes.NewReader(body))}
	r.d.UseNumber()
	doc, err := r.value()
	if err != nil {
		return nil, err
	}
	if _, err := r.d.Token(); err != io.EOF {
		return nil, apperr.Invalidf("malformed JSON body: data after the JSON value")
	}
	if len(r.repeats) > 0 {
		return nil, apperr.Invalidf("a JSON body names each key once: %s", clip.List(r.repeats))
	}
	return doc, nil
}

// jsonReader walks a body token by token, which is how it sees every key
// of an object, repeats included.
type jsonReader struct {
	d       *json.Decoder
	path    []jsonStep // where the value being read is
	repeats []string   // `"key" given twice in where`, in body order
}

// jsonStep is one step of a path into the body: an object's key, or an
// array's index when isIndex.
type jsonStep struct {
	key     string
	index   int
	isIndex bool
}

func (r *jsonReader) value() (any, error) {
	tok, err := r.d.Token()
	if err != nil {
		return nil, malformedJSON(err)
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return tok, nil // string, json.Number, bool or nil
	}
	if len(r.path) >= maxJSONDepth {
		return nil, apperr.Invalidf("the JSON body nests deeper than %d levels", maxJSONDepth)
	}
	var v any
	if delim == '[' {
		v, err = r.array()
	} else {
		v, err = r.object()
	}
	if err != nil {
		return nil, err
	}
	if _, err := r.d.Token(); err != nil { // the closing ']' or '}'
		return nil, malformedJSON(err)
	}
	return v, nil
}

func (r *jsonReader) array() ([]any, error) {
	out := []any{}
	for i := 0; r.d.More(); i++ {
		r.path = append(r.path, jsonStep{index: i, isIndex: true})
		v, err := r.value()
		r.path = r.path[:len(r.path)-1]
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (r *jsonReader) object() (map[string]any, error) {
	out := map[string]any{}
	for r.d.More() {
		tok, err := r.d.Token()
		if err != nil {
			return nil, malformedJSON(err)
		}
		key, _ := tok.(string) // the decoder allows only a string here
		if _, seen := out[key]; seen {
			// clip.List names the first clip.MaxListed and counts
			// the rest, so those are not worth the words.
			what := ""
			if len(r.repeats) < clip.MaxListed {
				what = fmt.Sprintf("%q given twice %s", clip.Line(key, 64), r.where())
			}
			r.repeats = append(r.repeats, what)
		}
		r.path = append(r.path, jsonStep{key: key})
		v, err := r.value()
		r.path = r.path[:len(r.path)-1]
		if err != nil {
			return nil, err
		}
		out[key] = v
	}
	return out, nil
}

// where names the object being read, for a message: "at the top level",
// or "in scrobbles[1]" (a key that is not a plain word is quoted:
// ["a key"]).
func (r *jsonReader) where() string {
	if len(r.path) == 0 {
		return "at the top level"
	}
	var b strings.Builder
	b.WriteString("in ")
	for i, s := range r.path {
		switch {
		case s.isIndex:
			b.WriteString("[" + strconv.Itoa(s.index) + "]")
		case plainKey(s.key):
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.key)
		default:
			b.WriteString("[" + strconv.Quote(clip.Line(s.key, 32)) + "]")
		}
	}
	return b.String()
}

// plainKey reports a key a path can show unquoted: a short word of ASCII
// letters, digits and underscores.
func plainKey(k string) bool {
	if k == "" || len(k) > 32 {
		return false
	}
	for _, c := range []byte(k) {
		if !(c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// malformedJSON is the refusal of a body that is not JSON, without
// quoting the body.
func malformedJSON(err error) error {
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return apperr.Invalidf("malformed JSON body: syntax error at byte %d", se.Offset)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Invalidf("malformed JSON body: unexpected end of input")
	}
	return apperr.Invalidf("malformed JSON body: invalid JSON")
}
