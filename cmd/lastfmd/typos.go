package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/lastfmd/lastfmd/internal/suggest"
)

// refuseUnknownSubcommands makes every command that only groups others
// (lastfmd, auth, config, queue, completion) refuse a word that names none
// of them with the usage status and a "did you mean". Left to cobra, such
// a command prints its help and exits 0, so `lastfmd auth loign` looked
// like it worked. Without a word, it still prints its help.
func refuseUnknownSubcommands(c *cobra.Command) {
	if c.HasSubCommands() {
		c.Args = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return nil
			}
			return usageError{fmt.Errorf("unknown command %q for %q%s", args[0], cmd.CommandPath(), didYouMean(args[0], subcommandNames(cmd), ""))}
		}
		if !c.Runnable() {
			c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
		}
	}
	for _, sub := range c.Commands() {
		refuseUnknownSubcommands(sub)
	}
}

// refuseUnknownHelpTopics makes `lastfmd help frobnicate` a usage error
// with a "did you mean", like `lastfmd frobnicate`; cobra prints "Unknown
// help topic" and exits 0.
func refuseUnknownHelpTopics(root *cobra.Command) {
	for _, c := range root.Commands() {
		if c.Name() != "help" || c.Run == nil {
			continue
		}
		show := c.Run
		c.Run = nil
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				target, rest, err := root.Find(args)
				if err == nil && len(rest) > 0 {
					return usageError{fmt.Errorf("unknown help topic %q for %q%s", rest[0], target.CommandPath(), didYouMean(rest[0], subcommandNames(target), ""))}
				}
			}
			show(cmd, args)
			return nil
		}
	}
}

func subcommandNames(cmd *cobra.Command) []string {
	var names []string
	for _, sub := range cmd.Commands() {
		if sub.IsAvailableCommand() {
			names = append(names, sub.Name())
			names = append(names, sub.Aliases...)
		}
	}
	return names
}

// didYouMean renders "; did you mean X?" (or "X or Y"), each name with
// prefix, or "" when nothing is close.
func didYouMean(word string, names []string, prefix string) string {
	near := suggest.Closest(word, names)
	if len(near) == 0 {
		return ""
	}
	for i, n := range near {
		near[i] = prefix + n
	}
	return "; did you mean " + strings.Join(near, " or ") + "?"
}

// flagError is the usage error for a bad flag, with the nearest flag names
// of the command when the flag is unknown.
func flagError(cmd *cobra.Command, err error) error {
	name, ok := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !ok {
		return usageError{err}
	}
	var names []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, f.Name)
		}
	})
	return usageError{errors.New(err.Error() + didYouMean(name, names, "--"))}
}
