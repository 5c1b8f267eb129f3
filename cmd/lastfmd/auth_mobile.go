package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

// lastfmd auth mobile: Last.fm's mobile flow
// (https://www.last.fm/api/mobileauth), user name and password.
func newAuthMobileCmd(e *env, f *authFlags) *cobra.Command {
	var username string
	var passwordStdin bool
	cmd := &cobra.Command{
		Use:   "mobile --username U [--password-stdin]",
		Short: "Sign in with your Last.fm user name and password",
		Long: "mobile signs in with auth.getMobileSession: it asks for the password on the terminal without\n" +
			"showing it (or reads the first line of stdin with --password-stdin). The password goes to\n" +
			"Last.fm only: it is never stored, logged or shown.",
		Example: "  lastfmd auth mobile --username rj\n  pass show lastfm | lastfmd auth mobile --username rj --password-stdin",
		Args:    exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			if err := f.checkUsername(username); err != nil {
				return err
			}
			password, err := readPassword(e, username, passwordStdin)
			if err != nil {
				return err
			}
			return f.signIn(e, func(ctx context.Context, b authBackend) error {
				a, err := b.Mobile(ctx, username, password, f.account)
				if err != nil {
					return err
				}
				fmt.Fprintln(e.stdout, signedIn(a.Account, a.User))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&username, "username", "", "Last.fm user name (or e-mail address)")
	cmd.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the password from the first line of stdin")
	return cmd
}

func readPassword(e *env, username string, fromStdin bool) (string, error) {
	var pw string
	if fromStdin {
		var err error
		if pw, err = readSecretLine(e.stdin, false); err != nil {
			return "", err
		}
	} else {
		var tty bool
		var err error
		pw, tty, err = promptSecret(e, "Last.fm password for "+username+": ")
		if err != nil {
			return "", err
		}
		if !tty {
			return "", usageError{errors.New("stdin is not a terminal, so the password cannot be asked for: pipe it and add --password-stdin")}
		}
	}
	if pw == "" {
		return "", errors.New("no password given")
	}
	return pw, nil
}
