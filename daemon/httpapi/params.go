package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/signer"
)

// Limits on what a client may send (docs/http-api.md#limits).
const (
	MaxBody       = 1 << 20 // bytes of a request body
	MaxParams     = 600     // parameters in one request
	formType      = "application/x-www-form-urlencoded"
	jsonType      = "application/json"
	textPlainType = "text/plain"
)

// readBody reads at most limit bytes; more is a 413.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, apperr.Invalidf("cannot read the request body")
	}
	if int64(len(data)) > limit {
		return nil, apperr.New(apperr.TooLarge, signer.ErrInvalidParams, "request body larger than %d bytes", limit)
	}
	return data, nil
}

// mediaType is the request's Content-Type without parameters, lowercase.
func mediaType(r *http.Request) string {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
	}
	return mt
}

// parseForm decodes a form body. Drop-in clients label form bodies
// text/plain or send none; all are read as forms.
func parseForm(body []byte) (url.Values, error) {
	return decodeValues(string(bytes.TrimSpace(body)), "form body") // query.go
}

// mergeValues appends b's values to a's (a name in both is then given
// twice; signer.Canonicalize refuses it when the values differ).
func mergeValues(a, b url.Values) url.Values {
	if a == nil {
		a = url.Values{}
	}
	for k, vs := range b {
		a[k] = append(a[k], vs...)
	}
	return a
}

func countValues(v url.Values) int {
	n := 0
	for _, vs := range v {
		n += len(vs)
	}
	return n
}

// parseJSONObject decodes a /v1/ JSON body: one flat object whose values
// are strings, numbers (kept exactly as written: 1700000000 stays
// "1700000000", never 1.7e+09), booleans (1/0) or null (absent). A name
// given twice is kept twice so the caller can refuse different values.
func parseJSONObject(body []byte) (url.Values, error) {
	out := url.Values{}
	if len(bytes.TrimSpace(body)) == 0 {
		return out, nil
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	tok, err := d.Token()
	if err != nil {
		return nil, apperr.Invalidf("malformed JSON body: %s", jsonErr(err))
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '{' {
		return nil, apperr.Invalidf("the JSON body must be an object of parameters")
	}
	for d.More() {
		tok, err := d.Token()
		if err != nil {
			return nil, apperr.Invalidf("malformed JSON body: %s", jsonErr(err))
		}
		name, _ := tok.(string)
		if err := jsonValue(d, name, out); err != nil {
			return nil, err
		}
	}
	if _, err := d.Token(); err != nil {
		return nil, apperr.Invalidf("malformed JSON body: %s", jsonErr(err))
	}
	if _, err := d.Token(); err != io.EOF {
		return nil, apperr.Invalidf("malformed JSON body: data after the object")
	}
	return out, nil
}

func jsonValue(d *json.Decoder, name string, out url.Values) error {
	tok, err := d.Token()
	if err != nil {
		return apperr.Invalidf("malformed JSON body: %s", jsonErr(err))
	}
	switch v := tok.(type) {
	case string:
		out[name] = append(out[name], v)
	case json.Number:
		out[name] = append(out[name], v.String())
	case bool:
		if v {
			out[name] = append(out[name], "1")
		} else {
			out[name] = append(out[name], "0")
		}
	case nil:
		// null: absent
	case json.Delim:
		return apperr.Invalidf("parameter %q: expected a string, number or boolean, not an %s", name, kindOf(v))
	}
	return nil
}

func kindOf(d json.Delim) string {
	if d == '[' {
		return "array"
	}
	return "object"
}

// jsonErr describes a decoding error without quoting the body.
func jsonErr(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("syntax error at byte %d", se.Offset)
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return "unexpected end of input"
	}
	return "invalid JSON"
}

// parseJSONScrobbles decodes a JSON array of scrobble objects (or
// {"scrobbles":[...]}) into one set of parameters per item, at most max. A
// request with any item that is not a flat JSON object is refused whole,
// naming each bad item; what the items hold is checked by the scrobble
// rule itself (signer.ParseScrobble, through the proxy).
func parseJSONScrobbles(body []byte, max int) ([]url.Values, error) {
	var items []json.RawMessage
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var wrap struct {
			Scrobbles []json.RawMessage `json:"scrobbles"`
		}
		if err := json.Unmarshal(trimmed, &wrap); err != nil {
			return nil, apperr.Invalidf("malformed JSON body: %s", jsonErr(err))
		}
		items = wrap.Scrobbles
	} else if err := json.Unmarshal(trimmed, &items); err != nil {
		return nil, apperr.Invalidf("malformed JSON body: %s", jsonErr(err))
	}
	if len(items) == 0 {
		return nil, apperr.Invalidf("no scrobbles in the request")
	}
	if len(items) > max {
		return nil, apperr.Invalidf("%d scrobbles in one request; at most %d", len(items), max)
	}
	out := make([]url.Values, 0, len(items))
	var bad []string
	for i, raw := range items {
		one, err := parseJSONObject(raw)
		if err != nil {
			bad = append(bad, fmt.Sprintf("item %d: %s", i, apperr.As(err).Message))
			continue
		}
		out = append(out, one)
	}
	if len(bad) > 0 {
		return nil, apperr.Invalidf("scrobbles refused, none was accepted: %s", listProblems(bad))
	}
	return out, nil
}
