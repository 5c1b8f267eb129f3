package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/spf13/cobra"
)

func newHealthcheckCmd(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "healthcheck [URL]",
		Short: "Exit 0 when the daemon is ready (/readyz answers 200), 1 otherwise: for monitors",
		Long: "healthcheck asks the daemon's /readyz, which reflects the daemon itself (listener, journal),\n" +
			"never Last.fm. URL is the daemon's base URL, a full /readyz URL or unix:/path/to.sock;\n" +
			"without it, $LASTFMD_URL, else the configured listen.",
		Example: "  lastfmd healthcheck\n  lastfmd healthcheck http://127.0.0.1:7375\n  lastfmd healthcheck unix:/run/lastfmd/lastfmd.sock",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageError{errors.New("at most one URL")}
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			var c *client
			if len(args) == 1 {
				t, err := parseHealthTarget(args[0])
				if err != nil {
					return usageError{err}
				}
				c = t
			} else {
				var err error
				if c, err = newClient(e); err != nil {
					return err
				}
				c.base += "/readyz"
			}
			c.hc.Timeout = statusTimeout
			req, err := http.NewRequest(http.MethodGet, c.base, nil)
			if err != nil {
				return usageError{err}
			}
			resp, err := c.hc.Do(req)
			if err != nil {
				return exitError{code: 1, msg: "lastfmd healthcheck: not ready: no answer from " + c.base}
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return exitError{code: 1, msg: fmt.Sprintf("lastfmd healthcheck: not ready: %s answered %d", c.base, resp.StatusCode)}
			}
			fmt.Fprintln(e.stdout, "ready")
			return nil
		},
	}
}

// parseHealthTarget turns healthcheck's argument into a client for the
// /readyz URL: http(s)://host[:port] gets /readyz appended unless a path is
// given; unix:/path dials the socket. No token is sent: /readyz needs none.
func parseHealthTarget(arg string) (*client, error) {
	c := &client{hc: &http.Client{}}
	if p, ok := strings.CutPrefix(arg, "unix:"); ok {
		if p == "" || !strings.HasPrefix(p, "/") && !strings.HasPrefix(p, ".") {
			return nil, fmt.Errorf("%q: a unix socket needs a path, e.g. unix:/run/lastfmd/lastfmd.sock", arg)
		}
		c.base = "http://localhost/readyz"
		c.hc.Transport = &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", p)
		}}
		return c, nil
	}
	u, err := url.Parse(arg)
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL: %v", arg, errors.Unwrap(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("%q: want http://HOST:PORT (e.g. http://127.0.0.1:7375) or unix:/path/to.sock", arg)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%q: a user name or password does not belong in the URL", u.Redacted())
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/readyz"
	}
	u.Fragment = ""
	c.base = u.String()
	return c, nil
}
