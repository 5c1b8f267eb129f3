package upstream

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/lastfmd/lastfmd/daemon/apperr"
)

// ProbeMethod is the signed call that checks the API key and secret and
// carries nothing else: auth.getToken needs no session and changes nothing
// at Last.fm (https://www.last.fm/api/show/auth.getToken).
const ProbeMethod = "auth.getToken"

// Probe makes the one signed call that checks the key and secret alone.
// `lastfmd config check` runs it, and the journal asks it before blaming
// the key for an error 13 on a scrobble (docs/design.md#reliability-rules).
func (c *Client) Probe(ctx context.Context) (*Response, error) {
	return c.Do(ctx, Call{Method: ProbeMethod, Params: map[string]string{"format": "json"}, Sign: true})
}

// Timeout is how long one upstream call may take.
func (c *Client) Timeout() time.Duration { return c.timeout }

// errNotSent marks a failure met before the request left lastfmd.
var errNotSent = errors.New("the request was not sent")

// MayHaveReached reports whether a call that failed with err may still
// have been read by Last.fm: false only when the request certainly never
// left (lastfmd's own limiter refused it, no connection slot was free, the
// connection or the name lookup failed); true for a timeout, a cut
// connection or an answer that was not Last.fm's. The journal keeps the
// deduplication of every item a call may have delivered
// (docs/journal.md#in-flight).
func MayHaveReached(err error) bool {
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Kind == apperr.RateLimited {
		return false
	}
	var op *net.OpError
	var dns *net.DNSError
	switch {
	case errors.Is(err, errNotSent), errors.As(err, &dns):
		return false
	case errors.As(err, &op) && op.Op == "dial":
		return false
	}
	return true
}
