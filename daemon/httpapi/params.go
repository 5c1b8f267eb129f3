package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/proxy"
	"github.com/lastfmd/lastfmd/internal/clip"
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

// parseJSONObject reads a JSON body that must be one flat object of
// parameters (the /v1/auth/ routes).
func parseJSONObject(body []byte) (url.Values, error) {
	doc, err := decodeJSON(body) // jsonbody.go: the one decoder
	if err != nil {
		return nil, err
	}
	return jsonParams(doc)
}

// jsonParams turns a decoded /v1/ body into parameters: one flat object
// whose values are strings, numbers (kept exactly as written: 1700000000
// stays "1700000000", never 1.7e+09), booleans (1/0) or null (absent).
func jsonParams(doc any) (url.Values, error) {
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, apperr.Invalidf("the JSON body must be an object of parameters")
	}
	out := make(url.Values, len(obj))
	// Of several nested values the smallest name is reported, so the
	// error does not depend on map order (as signer.Canonicalize does).
	bad, badKind := "", ""
	for name, v := range obj {
		switch v := v.(type) {
		case string:
			out[name] = []string{v}
		case json.Number:
			out[name] = []string{v.String()}
		case bool:
			if v {
				out[name] = []string{"1"}
			} else {
				out[name] = []string{"0"}
			}
		case nil:
			// null: absent
		default:
			if badKind == "" || name < bad {
				bad, badKind = name, "object"
				if _, isArray := v.([]any); isArray {
					badKind = "array"
				}
			}
		}
	}
	if badKind != "" {
		return nil, apperr.Invalidf("parameter %q: expected a string, number or boolean, not an %s", clip.Line(bad, 64), badKind)
	}
	return out, nil
}

// jsonScrobbles turns a decoded /v1/track.scrobble list (an array of
// scrobble objects, or {"scrobbles":[...]}) into its items as read. An item
// that is not a flat JSON object carries its problem; the proxy checks the
// request once, every item and the count (proxy.scrobbleItems), so both
// APIs get the same messages.
func jsonScrobbles(doc any) ([]proxy.ScrobbleItem, error) {
	items := []any{}
	switch v := doc.(type) {
	case []any:
		items = v
	case map[string]any:
		switch list := v["scrobbles"].(type) {
		case []any:
			items = list
		case nil:
		default:
			return nil, apperr.Invalidf(`"scrobbles" must be an array of scrobble objects`)
		}
	}
	out := make([]proxy.ScrobbleItem, len(items))
	for i, it := range items {
		if _, ok := it.(map[string]any); !ok {
			out[i].Problem = "not a JSON object"
			continue
		}
		one, err := jsonParams(it)
		if err != nil {
			out[i].Problem = apperr.As(err).Message
			continue
		}
		if one == nil {
			one = url.Values{} // {}: read, with no field (the proxy names what is missing)
		}
		out[i].Values = one
	}
	return out, nil
}
