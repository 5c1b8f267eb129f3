package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/lastfmd/lastfmd/client"
	"github.com/lastfmd/lastfmd/daemon/authflow"
)

// lastfmd auth status: the accounts, never their keys.
func newAuthStatusCmd(e *env, f *authFlags) *cobra.Command {
	return &cobra.Command{
		Use:     "status",
		Short:   "List the accounts signed in (name, default, needs sign-in, added, mirrors)",
		Example: "  lastfmd auth status",
		Args:    exactArgs(0),
		RunE: func(*cobra.Command, []string) error {
			b, list, err := listAccounts(context.Background(), e)
			if err != nil {
				return err
			}
			defer b.Close()
			if f.account != "" {
				var one []client.Account
				for _, a := range list {
					if a.Name == f.account {
						one = append(one, a)
					}
				}
				if len(one) == 0 {
					return fmt.Errorf("unknown account %q: see `lastfmd auth status`", f.account)
				}
				list = one
			}
			if len(list) == 0 {
				fmt.Fprintln(e.stdout, "No Last.fm account is signed in: run `lastfmd auth login`.")
				return nil
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ACCOUNT\tLAST.FM USER\tDEFAULT\tNEEDS SIGN-IN\tADDED\tMIRRORS")
			for _, a := range list {
				added := "-"
				if !a.Added.IsZero() {
					added = a.Added.UTC().Format(time.DateTime) + " UTC"
				} else if a.FromConfig {
					added = "(session_key_file)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.Name, dash(a.User), yesNo(a.Default), yesNo(a.NeedsSignin), added, mirrorsColumn(a.Mirrors))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			for _, a := range list {
				if a.NeedsSignin {
					fmt.Fprintf(e.stderr, "Last.fm refused the session of %s: run `lastfmd auth login --account %s`\n", a.Name, a.Name)
				}
				for _, m := range a.Mirrors {
					switch {
					case m.NeedsSignin && m.Type == authflow.MirrorTypeListenBrainz:
						fmt.Fprintf(e.stderr, "%s refused the user token of %s: give it a new one with `lastfmd auth token --mirror %s --account %s`\n", m.Mirror, a.Name, m.Mirror, a.Name)
					case m.NeedsSignin:
						fmt.Fprintf(e.stderr, "%s refused the session of %s: run `lastfmd auth login --mirror %s --account %s`\n", m.Mirror, a.Name, m.Mirror, a.Name)
					}
				}
			}
			return nil
		},
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// mirrorsColumn lists the mirrors an account has a session on (never a
// key): "librefm (as rj), other (needs sign-in)", or "-".
func mirrorsColumn(ms []client.AccountMirror) string {
	if len(ms) == 0 {
		return "-"
	}
	parts := make([]string, len(ms))
	for i, m := range ms {
		var notes []string
		if m.User != "" {
			notes = append(notes, "as "+m.User)
		}
		if m.NeedsSignin {
			notes = append(notes, "needs sign-in")
		}
		parts[i] = m.Mirror
		if len(notes) > 0 {
			parts[i] += " (" + strings.Join(notes, ", ") + ")"
		}
	}
	return strings.Join(parts, ", ")
}
