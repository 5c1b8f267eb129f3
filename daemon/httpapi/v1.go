package httpapi

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/proxy"
	"github.com/lastfmd/lastfmd/signer"
)

// MaxScrobbleBody is the body limit of POST /v1/track.scrobble, which may
// carry a JSON array of scrobbles.
const MaxScrobbleBody = 4 << 20

// v1 serves the native API: GET /v1/{method}?name=value for reads, POST
// with a JSON object or a form body for anything.
func (s *Server) v1(c echo.Context) error {
	r := c.Request()
	method := c.Param("method")
	meta, known := signer.Lookup(method)
	if known {
		method = meta.Name
	}
	// track.scrobble takes a JSON array, a bigger body, many parameters.
	batched := known && meta.Batch
	values, err := parseQuery(r.URL.RawQuery) // query.go: malformed is a 400
	if err != nil {
		return err
	}
	var items []proxy.ScrobbleItem // a JSON scrobble array
	if r.Method == http.MethodPost {
		limit := int64(MaxBody)
		if batched {
			limit = MaxScrobbleBody
		}
		body, err := readBody(r, limit)
		if err != nil {
			return err
		}
		var bv url.Values
		switch mt := mediaType(r); {
		case mt == jsonType || (mt == "" && looksJSON(body)):
			bv, items, err = v1JSON(batched, body)
		case mt == "" || mt == formType || mt == textPlainType:
			bv, err = parseForm(body)
		default:
			err = apperr.New(apperr.Invalid, signer.ErrInvalidParams, "unsupported Content-Type %q: send JSON or a form", mt)
		}
		if err != nil {
			return err
		}
		values = mergeValues(values, bv)
	}
	if countValues(values) > MaxParams && !batched {
		return apperr.Invalidf("more than %d parameters", MaxParams)
	}
	if m := values.Get("method"); m != "" && !strings.EqualFold(m, method) {
		return apperr.Invalidf(`parameter "method" disagrees with the path`)
	}
	delete(values, "method")
	params, err := signer.Canonicalize(values)
	if err != nil {
		return apperr.Invalidf("%v", err)
	}
	wait, waitSet := preferWait(r.Header)
	res, err := s.proxy.Handle(r.Context(), &proxy.Request{
		Endpoint:   proxy.V1,
		HTTPMethod: r.Method,
		Method:     method,
		Params:     params,
		Account:    r.Header.Get("X-Lastfmd-Account"),
		NoCache:    noCache(r),
		Scrobbles:  items,
		Wait:       wait,
		WaitSet:    waitSet,
		Import:     r.Header.Get("X-Lastfmd-Import") == "1",
	})
	if err != nil {
		return err
	}
	s.remember(r, res)
	return writeResult(c.Response(), res)
}

// v1JSON decodes a /v1/ JSON body once (decodeJSON): a track.scrobble
// list becomes its items, anything else parameters.
func v1JSON(batched bool, body []byte) (url.Values, []proxy.ScrobbleItem, error) {
	doc, err := decodeJSON(body)
	if err != nil {
		return nil, nil, err
	}
	if batched && isScrobbleList(doc) { // scrobbles.go
		items, err := jsonScrobbles(doc)
		return nil, items, err
	}
	bv, err := jsonParams(doc)
	return bv, nil, err
}

func noCache(r *http.Request) bool {
	for _, v := range r.Header.Values("Cache-Control") {
		for _, d := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(d), "no-cache") {
				return true
			}
		}
	}
	return strings.EqualFold(r.Header.Get("Pragma"), "no-cache")
}

func looksJSON(b []byte) bool {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '{', '[':
			return true
		}
		return false
	}
	return false
}
