package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

// lastfmd auth token --mirror NAME: an account's user token on a mirror
// speaking ListenBrainz's API (ListenBrainz, a self-hosted server, Maloja).
func newAuthTokenCmd(e *env, f *authFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "token --mirror NAME [--account NAME]",
		Short: "Sign in to a ListenBrainz mirror with your user token (read from stdin)",
		Long: "token reads a user token from the first line of stdin (or asks for it on the terminal without\n" +
			"showing it), has the mirror check it (validate-token), and stores it as the account's session\n" +
			"there (--account, else the default), beside its Last.fm one, which must exist. It prints the\n" +
			"user the token belongs to. The token goes to that mirror only: it is never logged or shown.\n\n" +
			"ListenBrainz's token is on https://listenbrainz.org/settings/; Maloja's is an API key from its\n" +
			"API keys page. A mirror speaking the Last.fm API signs in with `lastfmd auth login --mirror NAME`.",
		Example: "  lastfmd auth token --mirror listenbrainz < ~/listenbrainz-token\n" +
			"  lastfmd auth token --mirror maloja --account work",
		Args: exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			if f.mirror == "" {
				return usageError{errors.New("auth token signs an account in to a mirror of type listenbrainz: add --mirror NAME; Last.fm signs in with `lastfmd auth login`")}
			}
			if err := f.checkAccount(); err != nil {
				return err
			}
			token, tty, err := promptSecret(e, "User token at "+f.mirror+": ")
			if err != nil {
				return err
			}
			if !tty {
				if token, err = readSecretLine(e.stdin, true); err != nil {
					return err
				}
			}
			if token == "" {
				return errors.New("no token on stdin: pipe the user token, e.g. lastfmd auth token --mirror " + f.mirror + " < FILE")
			}
			return f.signIn(e, func(ctx context.Context, b authBackend) error {
				a, err := b.Token(ctx, f.target(), token)
				if err != nil {
					return err
				}
				fmt.Fprintln(e.stdout, signedIn(a))
				return nil
			})
		},
	}
}
