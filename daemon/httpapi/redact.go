package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/lastfmd/lastfmd/daemon/apperr"
)

// cleanJSON answers 200 with v as JSON, every known secret value masked
// (redact.Redactor.Answer: values only, so a track named "Key: C" stays).
func (s *Server) cleanJSON(c echo.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.JSONBlob(http.StatusOK, append(s.opts.Redact.Answer(b), '\n'))
}

// cleanError masks known secret values in an error's message before it is
// rendered. Values only, not secret-shaped parameters: a hint such as "send
// sk=ACCOUNT" is help, not a secret.
func (s *Server) cleanError(e *apperr.Error) *apperr.Error {
	if s.opts.Redact == nil {
		return e
	}
	msg := string(s.opts.Redact.Answer([]byte(e.Message)))
	if msg == e.Message {
		return e
	}
	c := *e
	c.Message = msg
	return &c
}
