package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Client talks to one lastfmd daemon. It is safe for concurrent use.
type Client struct {
	addr  string // as given to New, without a trailing slash: what errors name
	base  string // the URL paths are appended to
	token string
	hc    *http.Client
}

// Option configures a Client.
type Option func(*Client)

// WithToken sends the daemon's listener token (security.token_file) as
// "Authorization: Bearer TOKEN" on every request but the probes. The token
// never appears in an error.
func WithToken(token string) Option {
	return func(c *Client) { c.token = token }
}

// WithHTTPClient makes requests with hc (its timeout, its transport). For
// a unix: address the client's transport is replaced by one that dials the
// socket.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) { c.hc = hc }
}

// New returns a client for the daemon at addr: "http://HOST:PORT" or an
// https:// URL (a path is kept as a prefix, for a daemon behind a reverse
// proxy), or "unix:/path/to.sock" for a daemon listening on a unix socket.
func New(addr string, opts ...Option) (*Client, error) {
	c := &Client{addr: strings.TrimRight(addr, "/")}
	for _, o := range opts {
		o(c)
	}
	if c.hc == nil {
		c.hc = &http.Client{}
	}
	if path, ok := strings.CutPrefix(addr, "unix:"); ok {
		if path == "" {
			return nil, fmt.Errorf("%q: a unix socket needs a path, e.g. unix:/run/lastfmd/lastfmd.sock", addr)
		}
		c.addr, c.base = addr, "http://localhost"
		hc := *c.hc
		hc.Transport = &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		}}
		c.hc = &hc
		return c, nil
	}
	u, err := url.Parse(c.addr)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q is not a daemon address: want http://HOST:PORT or unix:/path/to.sock", redacted(addr))
	}
	if u.User != nil {
		return nil, fmt.Errorf("%q: a user name or password does not belong in the address (use WithToken)", u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q: the address takes no query or fragment", u.Redacted())
	}
	c.base = c.addr
	return c, nil
}

// redacted is addr without a password, for an error about an address that
// did not parse.
func redacted(addr string) string {
	if u, err := url.Parse(addr); err == nil {
		return u.Redacted()
	}
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return "…" + addr[i:]
	}
	return addr
}

// Addr is the daemon's address as given to New (no trailing slash).
func (c *Client) Addr() string { return c.addr }

// request is one request to the daemon.
type request struct {
	method, path string
	query        url.Values
	body         any // marshalled as JSON when set; an ndjson is sent as it is
	account      string
	noToken      bool // the probes and someone else's daemon: never the token
	header       http.Header
}

// send makes one request and returns the answer when the daemon answered
// below 400; otherwise an *Error (the body read and decoded, or the
// transport's failure). The caller closes the body.
func (c *Client) send(ctx context.Context, r request) (*http.Response, error) {
	u := c.base + r.path
	if len(r.query) > 0 {
		u += "?" + r.query.Encode()
	}
	var rd io.Reader
	contentType := "application/json"
	switch b := r.body.(type) {
	case nil:
	case ndjson:
		rd, contentType = bytes.NewReader(b), "application/x-ndjson"
	default:
		raw, err := json.Marshal(r.body)
		if err != nil {
			return nil, fmt.Errorf("client: encoding the request to %s: %w", r.path, err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("client: %s %s: %w", r.method, r.path, err)
	}
	if r.body != nil {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range r.header {
		req.Header[k] = v
	}
	if r.account != "" {
		req.Header.Set("X-Lastfmd-Account", r.account)
	}
	sent := c.token != "" && !r.noToken
	if sent {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, &Error{Addr: c.addr, Path: r.path, Err: err}
	}
	if resp.StatusCode >= 400 {
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return nil, decodeError(c.addr, r.path, resp.StatusCode, resp.Header, body, sent)
	}
	return resp, nil
}

// maxErrorBody bounds what is read of an error answer; maxDocument of a
// JSON document (a queue listing of 1000 items is well under 1 MiB).
const (
	maxErrorBody = 64 << 10
	maxDocument  = 32 << 20
)

// getJSON sends r and decodes the JSON answer into out (nil: discarded).
func (c *Client) getJSON(ctx context.Context, r request, out any) error {
	resp, err := c.send(ctx, r)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxDocument))
	if err != nil {
		return &Error{Addr: c.addr, Path: r.path, Err: fmt.Errorf("reading the answer: %w", err)}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("the answer of %s at %s is not the expected JSON (is it an older lastfmd?): %v", r.path, c.addr, err)
	}
	return nil
}
