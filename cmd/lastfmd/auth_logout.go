package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/lastfmd/lastfmd/daemon/authflow"
)

// lastfmd auth logout [--account NAME] [--force].
func newAuthLogoutCmd(e *env, f *authFlags) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "logout [--account NAME] [--mirror NAME] [--force]",
		Short: "Forget an account's session (the default account unless --account)",
		Long: "logout removes an account from lastfmd. The daemon refuses while the account still has\n" +
			"scrobbles waiting to be sent, unless --force (they are then dead-lettered). To revoke lastfmd's\n" +
			"access at Last.fm itself, remove it under Settings > Applications on last.fm.\n\n" +
			"With --mirror NAME it removes only the account's session on that mirror: the account, its\n" +
			"Last.fm session and its other mirrors stay, and its plays are no longer mirrored there.",
		Example: "  lastfmd auth logout --account work\n  lastfmd auth logout --mirror librefm",
		Args:    exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			if err := f.checkAccount(); err != nil {
				return err
			}
			ctx := context.Background()
			b, list, err := listAccounts(ctx, e)
			if err != nil {
				return err
			}
			defer b.Close()
			name, wasDefault := f.account, false
			for _, a := range list {
				if a.Default && (name == "" || name == a.Name) {
					name, wasDefault = a.Name, true
				}
			}
			if name == "" {
				return errors.New("no account is signed in")
			}
			if err := b.Logout(ctx, authflow.Target{Account: name, Mirror: f.mirror}, force); err != nil {
				return err
			}
			if f.mirror != "" {
				fmt.Fprintf(e.stdout, "Signed %s out of %s; its Last.fm session stays\n", name, f.mirror)
				return nil
			}
			fmt.Fprintf(e.stdout, "Signed out %s\n", name)
			if wasDefault {
				fmt.Fprintln(e.stdout, defaultAfterLogout(ctx, b))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "sign out even with scrobbles waiting (they are dead-lettered)")
	return cmd
}

// defaultAfterLogout says which account requests that name none now use,
// since the default was the one signed out.
func defaultAfterLogout(ctx context.Context, b authBackend) string {
	list, err := b.Accounts(ctx)
	if err != nil {
		return "It was the default account: see the new one with `lastfmd auth status`"
	}
	for _, a := range list {
		if a.Default {
			return fmt.Sprintf("It was the default account; the default is now %s (change it: lastfmd auth default NAME)", a.Name)
		}
	}
	if len(list) == 0 {
		return "It was the last account: writes need `lastfmd auth login` again"
	}
	return "It was the default account and there is none now: choose one with `lastfmd auth default NAME`"
}
