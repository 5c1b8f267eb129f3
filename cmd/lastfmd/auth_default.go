package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
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
			b, err := chooseAuth(e, false, 0)
			if err != nil {
				return err
			}
			defer b.Close()
			if err := b.SetDefault(context.Background(), name); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "The default account is now %s\n", name)
			return nil
		},
	}
}
