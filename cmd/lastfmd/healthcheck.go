package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/lastfmd/lastfmd/client"
	"github.com/lastfmd/lastfmd/daemon/config"
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
			var t healthTarget
			if len(args) == 1 {
				var err error
				if t, err = parseHealthTarget(args[0]); err != nil {
					return usageError{err}
				}
			} else {
				cfg, _, err := config.Load(config.Options{Path: e.configPath})
				if err != nil {
					return err
				}
				t = defaultHealthTarget(daemonAddr(cfg))
			}
			c, err := client.New(t.addr) // no token: /readyz needs none
			if err != nil {
				return usageError{err}
			}
			ctx, cancel := context.WithTimeout(context.Background(), statusTimeout)
			defer cancel()
			err = c.Probe(ctx, t.path)
			if ce, ok := client.AsError(err); ok && ce.NoAnswer() {
				return exitError{code: 1, msg: "lastfmd healthcheck: not ready: no answer from " + t.url}
			} else if ok {
				return exitError{code: 1, msg: fmt.Sprintf("lastfmd healthcheck: not ready: %s answered %d", t.url, ce.Status)}
			} else if err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, "ready")
			return nil
		},
	}
}

// healthTarget is what healthcheck asks: the daemon's address (for
// client.New), the path to probe, and the URL that names both in messages.
type healthTarget struct {
	addr, path, url string
}

// parseHealthTarget reads healthcheck's argument: http(s)://host[:port]
// gets /readyz appended unless a path is given; unix:/path dials the
// socket.
func parseHealthTarget(arg string) (healthTarget, error) {
	if p, ok := strings.CutPrefix(arg, "unix:"); ok {
		if p == "" || !strings.HasPrefix(p, "/") && !strings.HasPrefix(p, ".") {
			return healthTarget{}, fmt.Errorf("%q: a unix socket needs a path, e.g. unix:/run/lastfmd/lastfmd.sock", arg)
		}
		return defaultHealthTarget(arg), nil
	}
	u, err := url.Parse(arg)
	if err != nil {
		return healthTarget{}, fmt.Errorf("%q is not a URL: %v", arg, errors.Unwrap(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return healthTarget{}, fmt.Errorf("%q: want http://HOST:PORT (e.g. http://127.0.0.1:7375) or unix:/path/to.sock", arg)
	}
	if u.User != nil {
		return healthTarget{}, fmt.Errorf("%q: a user name or password does not belong in the URL", u.Redacted())
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/readyz"
	}
	u.Fragment = ""
	return healthTarget{addr: u.Scheme + "://" + u.Host, path: u.RequestURI(), url: u.String()}, nil
}

// defaultHealthTarget is the /readyz of the daemon the commands talk to
// (a base URL's path is a prefix, as for every other request).
func defaultHealthTarget(addr string) healthTarget {
	if strings.HasPrefix(addr, "unix:") {
		return healthTarget{addr: addr, path: "/readyz", url: "http://localhost/readyz"}
	}
	return healthTarget{addr: addr, path: "/readyz", url: strings.TrimRight(addr, "/") + "/readyz"}
}
