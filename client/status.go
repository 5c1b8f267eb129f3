package client

import (
	"context"
	"io"
	"net/http"
)

// Status asks GET /v1/status.
func (c *Client) Status(ctx context.Context) (*Status, error) {
	var s Status
	if err := c.getJSON(ctx, request{method: http.MethodGet, path: "/v1/status"}, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Health asks GET /healthz: nil when a lastfmd answers 200 there.
func (c *Client) Health(ctx context.Context) error {
	return c.Probe(ctx, "/healthz")
}

// Ready asks GET /readyz, which reflects the daemon itself (listener,
// journal), never Last.fm: nil when ready; else an *Error whose Message
// says why not (Status 503), or that nothing answered.
func (c *Client) Ready(ctx context.Context) error {
	return c.Probe(ctx, "/readyz")
}

// Probe asks GET path (with its query, if any) and wants 200: what a
// monitor asks of a daemon behind a proxy that maps /readyz elsewhere. It
// never sends the token, so it may be asked of a daemon the token is not
// for (a demo). Any other status is an *Error.
func (c *Client) Probe(ctx context.Context, path string) error {
	resp, err := c.send(ctx, request{method: http.MethodGet, path: path, noToken: true})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return decodeError(c.addr, path, resp.StatusCode, resp.Header, body, false)
	}
	return nil
}
