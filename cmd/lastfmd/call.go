package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/lastfmd/lastfmd/signer"
)

func newCallCmd(e *env) *cobra.Command {
	var account string
	var raw bool
	cmd := &cobra.Command{
		Use:   "call METHOD [name=value ...]",
		Short: "Call a Last.fm method through the running daemon",
		Long: "call sends one Last.fm call to the running daemon (at $LASTFMD_URL, else the configured listen)\n" +
			"and prints the answer: pretty JSON on a terminal, as received when piped, ending with a newline.\n" +
			"--raw prints it as received even on a terminal, and piped adds no newline either. Exit status 1\n" +
			"on an error: lastfmd's own (\"lastfmd error N\") or Last.fm's (\"last.fm error N\").",
		Example: "  lastfmd call artist.getInfo artist=Cher\n  lastfmd call track.love artist=Cher track=Believe --account alice",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 1 {
				return usageError{errors.New("missing METHOD (e.g. artist.getInfo)")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCall(e, args[0], args[1:], account, raw)
		},
		// Completes METHOD from the catalog (lastfmd completion bash|zsh|fish).
		ValidArgsFunction: func(_ *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var names []string
			for _, m := range signer.Methods() {
				if strings.HasPrefix(strings.ToLower(m.Name), strings.ToLower(toComplete)) {
					names = append(names, m.Name)
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
	}
	cmd.Flags().StringVar(&account, "account", "", "account to call as (see lastfmd auth status)")
	cmd.Flags().BoolVar(&raw, "raw", false, "print the answer exactly as received")
	return cmd
}

func runCall(e *env, method string, args []string, account string, raw bool) error {
	params := map[string]string{}
	for _, a := range args {
		name, value, ok := strings.Cut(a, "=")
		if !ok || name == "" {
			return usageError{fmt.Errorf("argument %q is not name=value", a)}
		}
		params[name] = value
	}
	c, err := newClient(e)
	if err != nil {
		return err
	}
	ans, err := c.Call(context.Background(), method, params, account)
	if ans != nil {
		e.stdout.Write(callOutput(ans.Body, raw, isTerminal(e.stdout)))
	}
	return explain(err)
}

// callOutput is what call prints of an answer: pretty JSON on a terminal
// (unless raw), else the body as received. Last.fm's bodies end without a
// newline (lastfmd's own error documents end with one), so one is added: a
// shell prompt or the next line of a log would otherwise run on after the
// answer. Only raw and piped is the bytes exactly as received, for a
// program that compares or stores them.
func callOutput(body []byte, raw, terminal bool) []byte {
	if !raw && terminal {
		var pretty bytes.Buffer
		if json.Indent(&pretty, body, "", "  ") == nil {
			body = pretty.Bytes()
		}
	}
	if (raw && !terminal) || bytes.HasSuffix(body, []byte("\n")) {
		return body
	}
	return append(body[:len(body):len(body)], '\n')
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
