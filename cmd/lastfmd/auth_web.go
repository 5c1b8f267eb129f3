package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
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
			c, err := pageDaemon(e, "sign in with `lastfmd auth login` instead") // open.go
			if err != nil {
				return err
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
