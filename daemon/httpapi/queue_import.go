package httpapi

import (
	"bytes"

	"github.com/labstack/echo/v4"

	"github.com/lastfmd/lastfmd/api"
	"github.com/lastfmd/lastfmd/daemon/apperr"
)

// QueueImporter is the scrobble journal as POST /v1/queue/import sees it.
type QueueImporter interface {
	// Import journals the lines of a `lastfmd queue export` or salvage
	// file, each one JSON object, and says what it added. dest, when not
	// "", keeps only the lines of that lane ("lastfm" or a mirror's name);
	// a name that is no lane is an apperr Invalid error.
	Import(lines [][]byte, dest string) (api.QueueImported, error)
}

// HandleQueueImport adds POST /v1/queue/import (`lastfmd queue import`):
// the body is JSON lines, at most api.QueueImportMaxBody bytes (the
// client sends a larger file in parts); ?mirror=NAME imports only the
// lines of that lane. Each line goes through the one decoder of /v1/
// bodies (jsonbody.go) before the journal reads it. No route takes a
// path: the caller reads its file and sends what it holds.
func (s *Server) HandleQueueImport(q QueueImporter) {
	s.e.POST("/v1/queue/import", func(c echo.Context) error {
		_, dest, err := queueQuery(c)
		if err != nil {
			return err
		}
		body, err := readBody(c.Request(), api.QueueImportMaxBody)
		if err != nil {
			return err
		}
		var lines [][]byte
		for i, l := range bytes.Split(body, []byte("\n")) {
			if l = bytes.TrimSpace(l); len(l) == 0 {
				continue
			}
			if _, err := decodeJSON(l); err != nil {
				return apperr.Invalidf("line %d: %s", i+1, apperr.As(err).Message)
			}
			lines = append(lines, l)
		}
		if len(lines) == 0 {
			return apperr.Invalidf("no lines: send the JSON lines of `lastfmd queue export` or of a salvage file")
		}
		res, err := q.Import(lines, dest)
		if err != nil {
			return unavailable(err)
		}
		return s.cleanJSON(c, res)
	})
}
