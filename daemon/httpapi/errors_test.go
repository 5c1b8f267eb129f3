package httpapi

import (
	"testing"

	"github.com/lastfmd/lastfmd/daemon/apperr"
)

func TestStatusOf(t *testing.T) {
	cases := []struct {
		name       string
		err        apperr.Error
		v1, dropIn int
	}{
		{"bad parameter", apperr.Error{Kind: apperr.Invalid, Code: 6}, 400, 400},
		{"bad format", apperr.Error{Kind: apperr.Invalid, Code: 5}, 400, 400},
		{"write by GET on /2.0/", apperr.Error{Kind: apperr.Invalid, Code: 3}, 400, 400},
		{"write by GET on /v1/", apperr.Error{Kind: apperr.MethodNotAllowed, Code: 3}, 405, 405},
		{"unknown auth method", apperr.Error{Kind: apperr.Forbidden, Code: 3}, 403, 400},
		{"auth refused", apperr.Error{Kind: apperr.Forbidden, Code: 4}, 403, 403},
		{"no listener token", apperr.Error{Kind: apperr.Unauthorized, Code: 4}, 401, 403},
		{"no session", apperr.Error{Kind: apperr.Forbidden, Code: 9}, 403, 403},
		{"wrong token as api_key", apperr.Error{Kind: apperr.Forbidden, Code: 10}, 403, 403},
		{"limiter full", apperr.Error{Kind: apperr.RateLimited, Code: 29}, 429, 429},
		{"too large", apperr.Error{Kind: apperr.TooLarge, Code: 6}, 413, 413},
		{"no such endpoint", apperr.Error{Kind: apperr.NotFound, Code: 3}, 404, 404},
		{"Last.fm unreachable", apperr.Error{Kind: apperr.BadGateway, Code: 8}, 502, 502},
		{"journal unwritable", apperr.Error{Kind: apperr.Unavailable, Code: 16}, 503, 503},
		{"Last.fm slow", apperr.Error{Kind: apperr.Timeout, Code: 11}, 504, 504},
		{"a bug", apperr.Error{Kind: apperr.Internal, Code: 8}, 500, 500},
		{"client hung up", apperr.Error{Kind: apperr.ClientGone, Code: 11}, 499, 499},
		{"relayed from Last.fm", apperr.Error{Kind: apperr.Forbidden, Code: 4, Status: 401}, 401, 401},
		{"refusal without a code", apperr.Error{Kind: apperr.Invalid}, 400, 400},
	}
	for _, c := range cases {
		if got := statusOf(&c.err, false); got != c.v1 {
			t.Errorf("%s on /v1/: %d, want %d", c.name, got, c.v1)
		}
		if got := statusOf(&c.err, true); got != c.dropIn {
			t.Errorf("%s on /2.0/: %d, want %d", c.name, got, c.dropIn)
		}
	}
}
