package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

// lastfmd auth import: store a session key someone already holds.
func newAuthImportCmd(e *env, f *authFlags) *cobra.Command {
	var username string
	cmd := &cobra.Command{
		Use:   "import --username U",
		Short: "Store a Last.fm session key you already have (read from stdin)",
		Long: "import reads a session key from the first line of stdin (or asks for it on the terminal without\n" +
			"showing it), checks with Last.fm that it belongs to U, and stores it as the account U (or --account).",
		Example: "  lastfmd auth import --username rj < ~/.config/old-scrobbler/session-key",
		Args:    exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			if err := f.checkUsername(username); err != nil {
				return err
			}
			key, tty, err := promptSecret(e, "Session key for "+username+": ")
			if err != nil {
				return err
			}
			if !tty {
				if key, err = readSecretLine(e.stdin, true); err != nil {
					return err
				}
			}
			if key == "" {
				return errors.New("no session key on stdin")
			}
			return f.signIn(e, func(ctx context.Context, b authBackend) error {
				before, _ := b.Accounts(ctx) // to say so when the import replaces a session
				a, err := b.Import(ctx, username, key, f.account)
				if err != nil {
					return err
				}
				name := a.Account
				fmt.Fprintf(e.stdout, "Imported the session of %s as the account %s\n", a.User, name)
				for _, a := range before {
					if a.Name == name {
						fmt.Fprintf(e.stdout, "It replaces the session the account %s had (Last.fm user %s); the old key is forgotten\n", name, dash(a.User))
					}
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&username, "username", "", "Last.fm user name the session key belongs to")
	return cmd
}
