package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/lastfmd/lastfmd/client"
	"github.com/lastfmd/lastfmd/daemon/config"
)

// lastfmd open: the running daemon's page at / (docs/page.md) in the
// person's browser, or its address printed where no browser can be
// opened. The address is http://127.0.0.1:PORT/ui/ (a literal address,
// never localhost: docs/security.md), with a one-time ?access= code when a
// listener token is configured.
func newOpenCmd(e *env) *cobra.Command {
	var noBrowser bool
	cmd := &cobra.Command{
		Use:   "open",
		Short: "Open the daemon's page (accounts, queue, destinations, cache, live) in a browser",
		Long: "open opens the running daemon's page at / in a browser on this machine, or prints its address\n" +
			"where no browser can be opened. With a listener token the address carries a one-time code,\n" +
			"valid 10 minutes, which the browser trades for a cookie.",
		Example: "  lastfmd open\n  lastfmd open --no-browser",
		Args:    exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			c, err := pageDaemon(e, "see it with `lastfmd status` and `lastfmd queue list` instead")
			if err != nil {
				return err
			}
			u, err := c.PageURL(context.Background())
			if err != nil {
				return explain(err)
			}
			fmt.Fprintln(e.stdout, u)
			if noBrowser || !openBrowser(e, u) { // auth_browser.go
				fmt.Fprintln(e.stderr, "Open this address in a browser on this machine.")
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&noBrowser, "no-browser", false, "only print the address; do not open a browser")
	return cmd
}

// pageDaemon is the running daemon whose pages (/, /auth/) a browser on
// this machine can open: an error saying so, and what to do instead
// (instead), when it listens on a unix socket or does not answer.
func pageDaemon(e *env, instead string) (*client.Client, error) {
	if os.Getenv("LASTFMD_URL") == "" {
		cfg, _, err := config.Load(config.Options{Path: e.configPath})
		if err != nil {
			return nil, err
		}
		if network, _ := cfg.ListenNetwork(); network == "unix" {
			return nil, errors.New("the daemon listens on a unix socket, which browsers cannot open: " + instead)
		}
	}
	c, err := findDaemon(e)
	if err != nil {
		return nil, err
	}
	if c == nil {
		base := "the configured address"
		if cl, err := newClient(e); err == nil {
			base = cl.Addr()
		}
		return nil, fmt.Errorf("no daemon answers at %s: the page is served by the daemon, start it first (lastfmd run)", base)
	}
	return c, nil
}
