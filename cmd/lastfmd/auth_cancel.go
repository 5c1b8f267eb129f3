package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// lastfmd auth cancel: stop the desktop sign-ins the daemon waits on.
func newAuthCancelCmd(e *env, _ *authFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "cancel",
		Short: "Stop the sign-ins the daemon is waiting to see approved on last.fm",
		Long: "cancel stops every desktop sign-in (lastfmd auth login) the running daemon is waiting to see\n" +
			"approved: the daemon stops asking Last.fm about them. A sign-in whose command was interrupted or\n" +
			"ended stops by itself within 10 seconds; cancel is for the rest, and for when the daemon refuses\n" +
			"a new sign-in because 4 are already waiting.",
		Example: "  lastfmd auth cancel",
		Args:    exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			c, err := findDaemon(e)
			if err != nil {
				return err
			}
			if c == nil {
				// Without a daemon, a sign-in runs inside its own `lastfmd
				// auth login`, and ends with it.
				fmt.Fprintln(e.stdout, "No sign-in is waiting: no daemon is running")
				return nil
			}
			ctx, stop := signalContext()
			defer stop()
			n, err := c.LoginCancelAll(ctx)
			if err != nil {
				return authError(err)
			}
			switch n {
			case 0:
				fmt.Fprintln(e.stdout, "No sign-in was waiting for approval")
			case 1:
				fmt.Fprintln(e.stdout, "Cancelled 1 sign-in waiting for approval")
			default:
				fmt.Fprintf(e.stdout, "Cancelled %d sign-ins waiting for approval\n", n)
			}
			return nil
		},
	}
}
