package main

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/spf13/cobra"

	"github.com/lastfmd/lastfmd/daemon/authflow"
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
			if username == "" {
				return usageError{errors.New("--username is required")}
			}
			if f.account != "" {
				if err := authflow.CheckAccountName(f.account); err != nil {
					return usageError{errMessage(err)}
				}
			}
			password, err := readPassword(e, username, passwordStdin)
			if err != nil {
				return err
			}
			c, err := findDaemon(e)
			if err != nil {
				return err
			}
			var name, user string
			if c != nil {
				var out struct {
					Account string `json:"account"`
					User    string `json:"user"`
				}
				if err := authCall(c, http.MethodPost, "/v1/auth/mobile",
					map[string]string{"username": username, "password": password, "account": f.account}, &out); err != nil {
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
				a, err := l.flows.Mobile(ctx, username, password, f.account)
				if err != nil {
					return errMessage(err)
				}
				name, user = a.Name, a.User
			}
			fmt.Fprintln(e.stdout, signedIn(name, user))
			return nil
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
