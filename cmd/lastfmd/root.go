package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/lastfmd/lastfmd/internal/clip"
	"github.com/spf13/cobra"
)

// usageError marks a bad command line: exit status 2.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }

// env carries the process's streams to the commands (tests swap them).
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	configPath     string
}

// exitStateDamaged is the exit status for state lastfmd cannot trust (a
// damaged journal or sessions.json): a person must act, so the systemd
// units list it in RestartPreventExitStatus= and do not restart in a loop.
// 65 is sysexits.h's EX_DATAERR.
const exitStateDamaged = 65

// execute runs the command line and returns the exit status: 0, 1 for a
// failure, 2 for a usage error, exitStateDamaged for damaged state. Errors are one line on stderr; never a Go
// stack trace.
func execute(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	root := newRoot(e)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteC()
	if err == nil {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(stderr, ee.msg)
		}
		return ee.code
	}
	name := "lastfmd"
	if cmd != nil {
		name = cmd.CommandPath()
	}
	fmt.Fprintf(stderr, "%s: %s\n", name, clip.Line(err.Error(), 0))
	var damaged interface{ StateDamaged() bool }
	if errors.As(err, &damaged) && damaged.StateDamaged() {
		return exitStateDamaged
	}
	var ue usageError
	if errors.As(err, &ue) || isCobraUsage(err) {
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", name)
		return 2
	}
	return 1
}

// exitError ends a command with a status and an optional message.
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

func isCobraUsage(err error) bool {
	s := err.Error()
	return strings.HasPrefix(s, "unknown command") || strings.HasPrefix(s, "unknown flag") ||
		strings.HasPrefix(s, "unknown shorthand flag") || strings.Contains(s, "flag needs an argument") ||
		strings.HasPrefix(s, "invalid argument") || strings.HasPrefix(s, "accepts ") ||
		strings.HasPrefix(s, "requires at least")
}

func newRoot(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:           "lastfmd",
		Short:         "Use the Last.fm API from any local script, without its keys",
		Long:          "lastfmd holds your Last.fm API key, secret and session keys, signs and forwards\nplain requests from local scripts, caches reads and keeps under the rate limit.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Example:       "  lastfmd demo\n  lastfmd call artist.getInfo artist=Cher",
	}
	root.PersistentFlags().StringVar(&e.configPath, "config", "", "configuration file (default: $LASTFMD_CONFIG, ~/.config/lastfmd/lastfmd.toml, /etc/lastfmd/lastfmd.toml)")
	root.SetFlagErrorFunc(flagError) // typos.go: "did you mean"
	root.Version = versionLine()
	root.SetVersionTemplate("lastfmd {{.Version}}\n")
	root.AddCommand(newRunCmd(e), newDemoCmd(e), newCallCmd(e), newVersionCmd(e), newConfigCmd(e))
	root.AddCommand(newServiceCmds(e)...) // install.go: install, uninstall, start, stop, restart, status, healthcheck
	root.AddCommand(newAuthCmd(e))        // auth*.go: login, mobile, web, import, default, status, logout
	root.AddCommand(newQueueCmd(e))       // queue.go: list, retry, drop, export
	root.AddCommand(newOpenCmd(e))        // open.go: the page at / in a browser
	root.AddCommand(newImportCmd(e))      // import.go: plays from a portable player's log or a JSON list
	addBuiltinExamples(root)              // help_examples.go: help, completion
	refuseUnknownSubcommands(root)        // typos.go: after every command exists
	refuseUnknownHelpTopics(root)
	return root
}

// exactArgs is cobra.ExactArgs reporting a usage error.
func exactArgs(n int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := cobra.ExactArgs(n)(cmd, args); err != nil {
			return usageError{err}
		}
		return nil
	}
}
