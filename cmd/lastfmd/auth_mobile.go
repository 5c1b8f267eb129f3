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
		Use:   "mobile --username U [--password-stdin] [--mirror NAME]",
		Short: "Sign in with your Last.fm user name and password",
		Long: "mobile signs in with auth.getMobileSession: it asks for the password on the terminal without\n" +
			"showing it (or reads the first line of stdin with --password-stdin). The password goes to\n" +
			"Last.fm only: it is never stored, logged or shown.\n\n" +
			"With --mirror NAME it signs in at that mirror instead, with your user name and password there,\n" +
			"in the form the mirror takes (its mobile_signin: Libre.fm's authToken unless set to password),\n" +
			"and stores the session beside the Last.fm one of the account (--account, else the default).",
		Example: "  lastfmd auth mobile --username rj\n  pass show lastfm | lastfmd auth mobile --username rj --password-stdin\n" +
			"  lastfmd auth mobile --mirror librefm --username rj",
		Args: exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			if err := f.checkUsername(username); err != nil {
				return err
			}
			password, err := readPassword(e, f.site(), username, passwordStdin)
			if err != nil {
				return err
			}
			return f.signIn(e, func(ctx context.Context, b authBackend) error {
				a, err := b.Mobile(ctx, f.target(), username, password)
				if err != nil {
					return err
				}
				fmt.Fprintln(e.stdout, signedIn(a))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&username, "username", "", "Last.fm user name (or e-mail address); with --mirror, the user name there")
	cmd.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the password from the first line of stdin")
	return cmd
}

func readPassword(e *env, site, username string, fromStdin bool) (string, error) {
	var pw string
	if fromStdin {
		var err error
		if pw, err = readSecretLine(e.stdin, false); err != nil {
			return "", err
		}
	} else {
		var tty bool
		var err error
		pw, tty, err = promptSecret(e, site+" password for "+username+": ")
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
