package httpapi

import (
	"net/http"

	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/signer"
)

// statusOf maps one of lastfmd's errors to its HTTP status: the one place
// this mapping lives (handlers return *apperr.Error and never pick a
// status). docs/http-api.md prints the table.
//
//   - An explicit Status wins (an HTTP error the router raised, fromEcho).
//   - /v1/ maps the error's kind (kindStatus), its documented JSON contract.
//   - /2.0/ answers a refused request (kinds Invalid, Unauthorized,
//     Forbidden, RateLimited) with the status Last.fm
//     pairs with its code (signer.HTTPStatus: 400 for 3, 5, 6 and 13; 403 for
//     4, 9, 10 and 17; 429 for 29), so a client library sees what Last.fm
//     would send. The other kinds are not a verdict on the request's
//     parameters but on its size or path, or on the road to Last.fm (413,
//     404, 405, 502, 503, 504, 500), and keep their kind's status on both
//     endpoints.
func statusOf(e *apperr.Error, dropIn bool) int {
	if e.Status != 0 {
		return e.Status
	}
	if dropIn && refusal[e.Kind] && e.Code != 0 {
		return signer.HTTPStatus(e.Code)
	}
	return kindStatus(e.Kind)
}

// statusClientClosed is nginx's 499 "client closed request": what the
// request metrics and log record for a client that hung up, so it shows
// apart from the 504 of a Last.fm that was slow. The client never sees it.
const statusClientClosed = 499

// refusal are the kinds that judge the request itself.
var refusal = map[apperr.Kind]bool{
	apperr.Invalid: true, apperr.Unauthorized: true, apperr.Forbidden: true, apperr.RateLimited: true,
}

// kindStatus is the status of each kind of error.
func kindStatus(k apperr.Kind) int {
	switch k {
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
	case apperr.ClientGone:
		return statusClientClosed
	}
	return http.StatusInternalServerError
}
