package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/spf13/cobra"

	"github.com/lastfmd/lastfmd/daemon/authflow"
)

// lastfmd auth logout [--account NAME] [--force].
func newAuthLogoutCmd(e *env, f *authFlags) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "logout [--account NAME] [--force]",
		Short: "Forget an account's session (the default account unless --account)",
		Long: "logout removes an account from lastfmd. The daemon refuses while the account still has\n" +
			"scrobbles waiting to be sent, unless --force (they are then dead-lettered). To revoke lastfmd's\n" +
			"access at Last.fm itself, remove it under Settings > Applications on last.fm.",
		Example: "  lastfmd auth logout --account work",
		Args:    exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			c, err := findDaemon(e)
			if err != nil {
				return err
			}
			name := f.account
			if name == "" {
				list, err := authAccounts(e)
				if err != nil {
					return err
				}
				for _, a := range list {
					if a.Default {
						name = a.Name
					}
				}
				if name == "" {
					return errors.New("no account is signed in")
				}
			}
			if c != nil {
				path := "/v1/auth/accounts/" + url.PathEscape(name)
				if force {
					path += "?force=1"
				}
				err = authCall(c, http.MethodDelete, path, nil, nil)
			} else {
				var l *local
				if l, err = openLocal(e, false, 0); err != nil {
					return err
				}
				err = errMessage(authflow.Logout(l.store, name, force, nil))
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "Signed out %s\n", name)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "sign out even with scrobbles waiting (they are dead-lettered)")
	return cmd
}
