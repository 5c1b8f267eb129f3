package httpapi

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"net/http"

	"github.com/lastfmd/lastfmd/signer"
)

// logRequest writes one debug line per request: HTTP method, route,
// Last.fm method (only a catalogued name), status and duration. Never the
// path beyond its route, the query, a header or the body: those carry
// tokens, session keys, passwords and api_sig. At other levels it costs one
// Enabled check.
func (s *Server) logRequest(r *http.Request, status int, took time.Duration) {
	if !s.log.Enabled(r.Context(), slog.LevelDebug) || isSelfCheck(r) {
		return
	}
	attrs := []slog.Attr{
		slog.String("http_method", r.Method),
		slog.String("route", route(r.URL.Path)),
	}
	if m := lastfmMethod(r.URL.Path); m != "" {
		attrs = append(attrs, slog.String("lastfm_method", m))
	}
	attrs = append(attrs,
		slog.Int("status", status),
		slog.Duration("duration", took))
	s.log.LogAttrs(context.Background(), slog.LevelDebug, "request", attrs...)
}

// lastfmMethod is the Last.fm method of a /v1/ path when it is one the
// catalog knows: a made-up name is a client's string and is not logged.
func lastfmMethod(path string) string {
	name, ok := strings.CutPrefix(path, "/v1/")
	if !ok || strings.Contains(name, "/") {
		return ""
	}
	m, ok := signer.Lookup(name)
	if !ok {
		return ""
	}
	return m.Name
}
