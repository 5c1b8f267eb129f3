package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/lastfmd/lastfmd/api"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/internal/clip"
	"github.com/lastfmd/lastfmd/signer"
)

// Queue is the scrobble journal as the /v1/queue endpoints see it. dest
// is the lane an action is limited to: "lastfm" or a mirror's name, ""
// for every lane; a name that is no lane is an apperr Invalid error that
// names the lanes.
type Queue interface {
	// List returns the queue document (per account, pending, dead letters),
	// at most limit items of each list.
	List(limit int, dest string) (api.Queue, error)
	// Export writes every journalled item as JSON lines.
	Export(w io.Writer, dest string) error
	// Retry and Drop act on items by id and say what they did with each.
	// force retries items Last.fm may already have (docs/journal.md#in-flight).
	Retry(ids []uint64, force bool, dest string) ([]api.QueueChange, error)
	Drop(ids []uint64, dest string) ([]api.QueueChange, error)
}

// maxQueueBody bounds POST /v1/queue/retry|drop ({"ids":[...]}).
const maxQueueBody = 1 << 20

// maxIDs is the most ids one retry or drop may name.
const maxIDs = 100000

// HandleQueue adds the queue endpoints (docs/scrobbling.md#the-queue-lastfmd-queue), behind the
// same guard as every route: GET /v1/queue[?limit=N], GET /v1/queue/export
// (JSON lines, for `lastfmd queue export`), POST /v1/queue/retry and POST
// /v1/queue/drop with {"ids":[...]}. Each takes ?mirror=NAME, the one lane
// it acts on (queueQuery). Call it before serving.
func (s *Server) HandleQueue(q Queue) {
	s.e.GET("/v1/queue", func(c echo.Context) error {
		v, dest, err := queueQuery(c, "limit")
		if err != nil {
			return err
		}
		limit := 0
		if v := v.Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return apperr.Invalidf(`parameter "limit" must be a positive whole number`)
			}
			limit = n
		}
		doc, err := q.List(limit, dest)
		if err != nil {
			return unavailable(err)
		}
		return s.cleanJSON(c, doc)
	})
	s.e.GET("/v1/queue/export", func(c echo.Context) error {
		// Buffered: an error midway must become a clean error answer, not
		// a truncated backup that looks whole.
		_, dest, err := queueQuery(c)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := q.Export(&buf, dest); err != nil {
			return unavailable(err)
		}
		c.Response().Header().Set(echo.HeaderContentType, "application/x-ndjson")
		return c.Blob(http.StatusOK, "application/x-ndjson", s.opts.Redact.Answer(buf.Bytes()))
	})
	act := func(forceable bool, f func([]uint64, bool, string) ([]api.QueueChange, error)) echo.HandlerFunc {
		return func(c echo.Context) error {
			_, dest, err := queueQuery(c)
			if err != nil {
				return err
			}
			body, err := readBody(c.Request(), maxQueueBody)
			if err != nil {
				return err
			}
			ids, force, err := parseIDs(body, forceable)
			if err != nil {
				return err
			}
			res, err := f(ids, force, dest)
			if err != nil {
				return unavailable(err)
			}
			return s.cleanJSON(c, map[string]any{"items": res})
		}
	}
	s.e.POST("/v1/queue/retry", act(true, q.Retry))
	s.e.POST("/v1/queue/drop", act(false, func(ids []uint64, _ bool, dest string) ([]api.QueueChange, error) { return q.Drop(ids, dest) }))
}

// queueQuery reads a queue route's query string: mirror=NAME, the lane the
// route acts on ("lastfm" or a mirror's name; absent: every lane), and the
// route's other parameters (names). Any other parameter is refused, so that
// a misspelt filter (destination=, mirrors=) never quietly acts on every
// lane; so is a parameter given twice or empty. Whether NAME is a lane is
// the journal's to say.
func queueQuery(c echo.Context, names ...string) (url.Values, string, error) {
	v, err := parseQuery(c.Request().URL.RawQuery)
	if err != nil {
		return nil, "", err
	}
	takes := append([]string{"mirror"}, names...)
	for _, name := range slices.Sorted(maps.Keys(v)) {
		vals := v[name]
		switch {
		case !slices.Contains(takes, name):
			return nil, "", apperr.Invalidf("%s takes no parameter %s: it takes %s", c.Path(), paramName(name), strings.Join(takes, ", "))
		case len(vals) > 1:
			return nil, "", apperr.Invalidf("parameter %s given %d times: give it once", paramName(name), len(vals))
		case vals[0] == "" && name == "mirror":
			return nil, "", apperr.Invalidf(`parameter "mirror" is empty: name a destination ("lastfm" or a mirror's name), or leave it out for every one`)
		}
	}
	return v, v.Get("mirror"), nil
}

// unavailable passes lastfmd's own errors on and reports any other (the
// journal's file) as 503.
func unavailable(err error) error {
	if ae, ok := err.(*apperr.Error); ok {
		return ae
	}
	return &apperr.Error{Kind: apperr.Unavailable, Code: signer.ErrTemporary, Message: "the scrobble journal cannot be read or written now", Err: err}
}

// parseIDs reads {"ids":[...]}, and with forceable {"ids":[...],"force":true}:
// each id a positive whole number, as a JSON number or a string of digits
// (ids print as numbers in `lastfmd queue list`).
func parseIDs(body []byte, forceable bool) ([]uint64, bool, error) {
	doc, err := decodeJSON(body) // jsonbody.go: the one decoder
	if err != nil {
		return nil, false, apperr.Invalidf(`send a JSON object {"ids":[1,2,...]}: %s`, apperr.As(err).Message)
	}
	obj, ok := doc.(map[string]any)
	for k := range obj {
		ok = ok && (k == "ids" || forceable && k == "force")
	}
	list, isList := obj["ids"].([]any)
	force, isBool := obj["force"].(bool)
	if !ok || (!isList && obj["ids"] != nil) || (!isBool && obj["force"] != nil) {
		shape := `{"ids":[1,2,...]}`
		if forceable {
			shape = `{"ids":[1,2,...]} (and "force":true to send again what Last.fm may have)`
		}
		return nil, false, apperr.Invalidf("send a JSON object %s and nothing else", shape)
	}
	if len(list) == 0 {
		return nil, false, apperr.Invalidf(`no ids: send {"ids":[1,2,...]} (see lastfmd queue list)`)
	}
	if len(list) > maxIDs {
		return nil, false, apperr.Invalidf("%d ids in one request; at most %d", len(list), maxIDs)
	}
	ids := make([]uint64, 0, len(list))
	var bad []string
	for i, v := range list {
		var text string
		switch v := v.(type) {
		case json.Number:
			text = v.String()
		case string:
			text = v
		}
		id, err := strconv.ParseUint(text, 10, 64)
		if err != nil || id == 0 || !signer.Digits(text) {
			bad = append(bad, "ids["+strconv.Itoa(i)+"]")
			continue
		}
		ids = append(ids, id)
	}
	if len(bad) > 0 {
		return nil, false, apperr.Invalidf("not a queue id (a positive whole number): %s", clip.List(bad))
	}
	return ids, force, nil
}
