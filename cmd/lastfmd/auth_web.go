package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/lastfmd/lastfmd/daemon/config"
)

// lastfmd auth web: the address of the daemon's accounts page.
func newAuthWebCmd(e *env, _ *authFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "web",
		Short: "Print the address of the daemon's accounts page, to sign in with a browser",
		Long: "web prints the address of the running daemon's /auth/ page, where a browser can connect a\n" +
			"Last.fm account. With a listener token it carries a one-time ?access= code, valid 10 minutes.",
		Example: "  lastfmd auth web",
		Args:    exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			if os.Getenv("LASTFMD_URL") == "" {
				cfg, _, err := config.Load(config.Options{Path: e.configPath})
				if err != nil {
					return err
				}
				if network, _ := cfg.ListenNetwork(); network == "unix" {
					return errors.New("the daemon listens on a unix socket, which browsers cannot open: sign in with `lastfmd auth login` instead")
				}
			}
			c, err := findDaemon(e)
			if err != nil {
				return err
			}
			if c == nil {
				base := "the configured address"
				if cl, err := newClient(e); err == nil {
					base = cl.Addr()
				}
				return fmt.Errorf("no daemon answers at %s: the page is served by the daemon, start it first (lastfmd run)", base)
			}
			u, err := c.WebURL(context.Background())
			if err != nil {
				return authError(err)
			}
			fmt.Fprintln(e.stderr, "Open this address in a browser on this machine and press \"Connect a Last.fm account\":")
			fmt.Fprintln(e.stdout, u)
			return nil
		},
	}
}
