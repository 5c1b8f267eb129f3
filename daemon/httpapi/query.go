package httpapi

import (
	"net/url"
	"strings"

	"github.com/lastfmd/lastfmd/daemon/apperr"

	"github.com/lastfmd/lastfmd/internal/clip"
)

// parseQuery decodes a request's query string as strictly as a form body:
// url.Query() silently drops a pair it cannot decode (artist=%zz, a ";"),
// and a write would then be signed and sent without it.
func parseQuery(raw string) (url.Values, error) { return decodeValues(raw, "query string") }

// decodeValues decodes name=value pairs separated by "&", refusing the
// first malformed pair with a 400 that names its parameter (where says
// which part of the request) but never quotes a value, which may be a
// password.
func decodeValues(s, where string) (url.Values, error) {
	v := url.Values{}
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if pair == "" {
			continue
		}
		rawName, rawValue, _ := strings.Cut(pair, "=")
		name, err := url.QueryUnescape(rawName)
		if err != nil {
			return nil, apperr.Invalidf("malformed %s: a parameter name has bad percent-encoding (use %%25 for a literal %%)", where)
		}
		if strings.Contains(pair, ";") {
			return nil, apperr.Invalidf("malformed %s: parameter %s holds a \";\", which is not a separator (encode it as %%3B)", where, paramName(name))
		}
		value, err := url.QueryUnescape(rawValue)
		if err != nil {
			return nil, apperr.Invalidf("malformed %s: parameter %s has bad percent-encoding (use %%25 for a literal %%)", where, paramName(name))
		}
		v[name] = append(v[name], value)
	}
	return v, nil
}

// paramName quotes a parameter's name for an error, cut short: it is the
// client's text.
func paramName(name string) string {
	return `"` + strings.ToValidUTF8(clip.Line(name, 40), "?") + `"`
}
