package main

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/spf13/cobra"

	"github.com/lastfmd/lastfmd/daemon/authflow"
)

// lastfmd auth login: Last.fm's desktop flow
// (https://www.last.fm/api/desktopauth).
func newAuthLoginCmd(e *env, f *authFlags) *cobra.Command {
	var noBrowser bool
	cmd := &cobra.Command{
		Use:   "login [--account NAME] [--no-browser]",
		Short: "Sign in through your browser on last.fm (the desktop flow)",
		Long: "login prints the address of Last.fm's authorisation page on its own line (and opens it when a\n" +
			"display is available), waits for you to press \"Yes, allow access\" there (up to 60 minutes),\n" +
			"stores the session and prints \"Signed in as NAME\". The page can be opened on any device.",
		Example: "  lastfmd auth login\n  lastfmd auth login --account work --no-browser",
		Args:    exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			if f.account != "" {
				if err := authflow.CheckAccountName(f.account); err != nil {
					return usageError{errMessage(err)}
				}
			}
			c, err := findDaemon(e)
			if err != nil {
				return err
			}
			if c != nil {
				return loginThroughDaemon(e, c, f, noBrowser)
			}
			return loginLocally(e, f, noBrowser)
		},
	}
	cmd.Flags().BoolVar(&noBrowser, "no-browser", false, "only print the address; do not open a browser")
	cmd.Flags().DurationVar(&f.poll, "poll-interval", 0, "how often to check for approval")
	_ = cmd.Flags().MarkHidden("poll-interval")
	return cmd
}

func showApprovalURL(e *env, u string, noBrowser bool) {
	fmt.Fprintln(e.stderr, "Open this address in a browser, log in to Last.fm if asked, and allow lastfmd access:")
	fmt.Fprintln(e.stdout, u)
	if !noBrowser {
		openBrowser(e, u)
	}
	fmt.Fprintln(e.stderr, "Waiting for your approval (up to 60 minutes; Ctrl-C to stop)...")
}

func loginThroughDaemon(e *env, c *client, f *authFlags, noBrowser bool) error {
	var lg authflow.Login
	if err := authCall(c, http.MethodPost, "/v1/auth/login", map[string]string{"account": f.account}, &lg); err != nil {
		return err
	}
	showApprovalURL(e, lg.URL, noBrowser)
	poll := f.poll
	if poll <= 0 {
		poll = time.Second
	}
	ctx, stop := signalContext()
	defer stop()
	for {
		select {
		case <-ctx.Done():
			return fmt.Errorf("stopped waiting; the daemon keeps the sign-in open until %s", lg.ExpiresAt)
		case <-time.After(poll):
		}
		var st authflow.Login
		if err := authCall(c, http.MethodGet, "/v1/auth/login/"+url.PathEscape(lg.ID), nil, &st); err != nil {
			return err
		}
		switch st.State {
		case authflow.LoginSignedIn:
			fmt.Fprintln(e.stdout, signedIn(st.Account, st.User))
			return nil
		case authflow.LoginFailed:
			return fmt.Errorf("not signed in: %s", st.Message)
		}
	}
}

func loginLocally(e *env, f *authFlags, noBrowser bool) error {
	l, err := openLocal(e, true, f.poll)
	if err != nil {
		return err
	}
	defer l.close()
	ctx, stop := signalContext()
	defer stop()
	d, err := l.flows.Begin(ctx)
	if err != nil {
		return errMessage(err)
	}
	showApprovalURL(e, d.URL(), noBrowser)
	a, err := l.flows.Wait(ctx, d, f.account)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("stopped waiting; nothing was stored")
		}
		return fmt.Errorf("not signed in: %v", errMessage(err))
	}
	fmt.Fprintln(e.stdout, signedIn(a.Name, a.User))
	return nil
}
