package httpapi

import (
	"net/http"

	"github.com/lastfmd/lastfmd/daemon/apperr"
)

// statusOf maps lastfmd's error kinds to HTTP statuses: the one place this
// mapping lives (handlers return *apperr.Error and never pick a status).
func statusOf(e *apperr.Error) int {
	if e.Status != 0 {
		return e.Status
	}
	switch e.Kind {
	case apperr.Invalid:
		return http.StatusBadRequest
	case apperr.Unauthorized:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.MethodNotAllowed:
		return http.StatusMethodNotAllowed
	case apperr.TooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.RateLimited:
		return http.StatusTooManyRequests
	case apperr.BadGateway:
		return http.StatusBadGateway
	case apperr.Unavailable:
		return http.StatusServiceUnavailable
	case apperr.Timeout:
		return http.StatusGatewayTimeout
	}
	return http.StatusInternalServerError
}
