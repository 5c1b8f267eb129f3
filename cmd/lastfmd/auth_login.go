package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

// lastfmd auth login: Last.fm's desktop flow
// (https://www.last.fm/api/desktopauth).
func newAuthLoginCmd(e *env, f *authFlags) *cobra.Command {
	var noBrowser bool
	cmd := &cobra.Command{
		Use:   "login [--account NAME] [--mirror NAME] [--no-browser]",
		Short: "Sign in through your browser on last.fm (the desktop flow)",
		Long: "login prints the address of Last.fm's authorisation page on its own line (and opens it when a\n" +
			"display is available), waits for you to press \"Yes, allow access\" there (up to 60 minutes),\n" +
			"stores the session and prints \"Signed in as NAME\". The page can be opened on any device.\n\n" +
			"With --mirror NAME it signs in at that mirror instead (its auth_url, its api_key) and stores the\n" +
			"session beside the Last.fm one of the account (--account, else the default), which must exist.",
		Example: "  lastfmd auth login\n  lastfmd auth login --account work --no-browser\n  lastfmd auth login --mirror librefm",
		Args:    exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			if err := f.checkAccount(); err != nil {
				return err
			}
			return f.signIn(e, func(ctx context.Context, b authBackend) error {
				a, err := b.Login(ctx, f.target(), func(u string) { showApprovalURL(e, u, f.site(), noBrowser) })
				if err != nil {
					return err
				}
				fmt.Fprintln(e.stdout, signedIn(a))
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&noBrowser, "no-browser", false, "only print the address; do not open a browser")
	cmd.Flags().DurationVar(&f.poll, "poll-interval", 0, "how often to check for approval")
	_ = cmd.Flags().MarkHidden("poll-interval")
	return cmd
}

func showApprovalURL(e *env, u, site string, noBrowser bool) {
	fmt.Fprintf(e.stderr, "Open this address in a browser, log in to %s if asked, and allow lastfmd access:\n", site)
	fmt.Fprintln(e.stdout, u)
	if !noBrowser {
		openBrowser(e, u)
	}
	fmt.Fprintln(e.stderr, "Waiting for your approval (up to 60 minutes; Ctrl-C to stop)...")
}

// site is what the sign-in's service is called: Last.fm, or the mirror.
func (f *authFlags) site() string {
	if f.mirror != "" {
		return f.mirror
	}
	return "Last.fm"
}
