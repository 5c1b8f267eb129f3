package main

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/spf13/cobra"

	"github.com/lastfmd/lastfmd/daemon/authflow"
)

// lastfmd auth default NAME.
func newAuthDefaultCmd(e *env, f *authFlags) *cobra.Command {
	return &cobra.Command{
		Use:     "default NAME",
		Short:   "Make NAME the default account (used when a request names none)",
		Example: "  lastfmd auth default rj",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 || (len(args) == 0 && f.account == "") {
				return usageError{errors.New("give exactly one account NAME (see lastfmd auth status)")}
			}
			return nil
		},
		RunE: func(_ *cobra.Command, args []string) error {
			name := f.account
			if len(args) == 1 {
				name = args[0]
			}
			c, err := findDaemon(e)
			if err != nil {
				return err
			}
			if c != nil {
				err = authCall(c, http.MethodPost, "/v1/auth/default", map[string]string{"account": name}, nil)
			} else {
				var l *local
				if l, err = openLocal(e, false, 0); err != nil {
					return err
				}
				err = errMessage(authflow.SetDefault(l.store, name))
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "The default account is now %s\n", name)
			return nil
		},
	}
}
