package main

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/spf13/cobra"

	"github.com/lastfmd/lastfmd/daemon/authflow"
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
			if username == "" {
				return usageError{errors.New("--username is required")}
			}
			if f.account != "" {
				if err := authflow.CheckAccountName(f.account); err != nil {
					return usageError{errMessage(err)}
				}
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
			c, err := findDaemon(e)
			if err != nil {
				return err
			}
			before, _ := authAccounts(e) // to say so when the import replaces a session
			var name, user string
			if c != nil {
				var out struct {
					Account string `json:"account"`
					User    string `json:"user"`
				}
				if err := authCall(c, http.MethodPost, "/v1/auth/import",
					map[string]string{"username": username, "session_key": key, "account": f.account}, &out); err != nil {
					return err
				}
				name, user = out.Account, out.User
			} else {
				l, err := openLocal(e, true, 0)
				if err != nil {
					return err
				}
				defer l.close()
				ctx, stop := signalContext()
				defer stop()
				a, err := l.flows.Import(ctx, username, key, f.account)
				if err != nil {
					return errMessage(err)
				}
				name, user = a.Name, a.User
			}
			fmt.Fprintf(e.stdout, "Imported the session of %s as the account %s\n", user, name)
			for _, a := range before {
				if a.Name == name {
					fmt.Fprintf(e.stdout, "It replaces the session the account %s had (Last.fm user %s); the old key is forgotten\n", name, dash(a.User))
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&username, "username", "", "Last.fm user name the session key belongs to")
	return cmd
}
