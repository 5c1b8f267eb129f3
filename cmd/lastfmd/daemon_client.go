package main

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/lastfmd/lastfmd/client"
	"github.com/lastfmd/lastfmd/daemon/config"
)

// callTimeout bounds one request to the daemon (a /v1/ call may wait for
// the rate limiter and Last.fm's retries).
const callTimeout = 2 * time.Minute

// daemonAddr is where the commands look for the running daemon:
// $LASTFMD_URL, else the configured listen (a TCP address or unix:/path).
func daemonAddr(cfg *config.Config) string {
	if u := os.Getenv("LASTFMD_URL"); u != "" {
		return u
	}
	if network, _ := cfg.ListenNetwork(); network == "unix" {
		return cfg.Listen
	}
	return "http://" + cfg.Listen
}

// newClient is how every command reaches the running daemon (package
// client): its address and listener token, never the API secret, which a
// client needs none of.
func newClient(e *env) (*client.Client, error) {
	cfg, _, err := config.Load(config.Options{Path: e.configPath})
	if err != nil {
		return nil, err
	}
	c, err := client.New(daemonAddr(cfg), client.WithToken(cfg.Security.Token.Reveal()),
		client.WithHTTPClient(&http.Client{Timeout: callTimeout}))
	if err != nil {
		return nil, fmt.Errorf("LASTFMD_URL or listen: %w", err)
	}
	return c, nil
}

// explain turns the client's errors into the CLI's one line with the next
// step: the one place the commands word them.
func explain(err error) error {
	ce, ok := client.AsError(err)
	switch {
	case !ok:
		return err
	case ce.NoAnswer():
		return fmt.Errorf("no daemon answers at %s: start one with `lastfmd run` (or try `lastfmd demo`)", ce.Addr)
	case ce.Status == http.StatusUnauthorized && !ce.TokenSent:
		return errors.New("this daemon requires its listener token: set security.token_file in your configuration " +
			"(a system install's is /etc/lastfmd/token, readable by the group lastfmd: sudo usermod -aG lastfmd \"$USER\", then log in again)")
	}
	return err
}
