package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/lastfmd/lastfmd/daemon/apperr"
)

// authFlags are shared by the auth subcommands.
type authFlags struct {
	account string
	// poll is how often to ask how a desktop sign-in is going (hidden;
	// tests shorten it). 0: 1 s through the daemon, 3 s locally.
	poll time.Duration
}

func newAuthCmd(e *env) *cobra.Command {
	f := &authFlags{}
	cmd := &cobra.Command{
		Use:   "auth",
		Short: "Sign in to Last.fm and manage the accounts lastfmd signs with",
		Long: "auth signs lastfmd in to Last.fm and manages the stored sessions.\n\n" +
			"When a daemon answers at $LASTFMD_URL (else the configured listen), these commands ask it to act:\n" +
			"it holds the API secret and owns the session file. Otherwise they run the sign-in here, from the\n" +
			"configuration (which then needs the API key and secret), and write state_dir/sessions.json.",
		Example: "  lastfmd auth login\n  lastfmd auth mobile --username rj\n  lastfmd auth status",
		Args:    noArgs,
	}
	cmd.AddCommand(newAuthLoginCmd(e, f), newAuthMobileCmd(e, f), newAuthWebCmd(e, f), newAuthImportCmd(e, f),
		newAuthDefaultCmd(e, f), newAuthStatusCmd(e, f), newAuthLogoutCmd(e, f))
	// --account only where it does something (not on web), worded for each.
	for _, sub := range cmd.Commands() {
		if usage, ok := accountFlagUsage[sub.Name()]; ok {
			sub.Flags().StringVar(&f.account, "account", "", usage)
		}
	}
	return cmd
}

// accountFlagUsage is --account's help on each auth command that reads it.
var accountFlagUsage = map[string]string{
	"login":   "name of the account to store the session as (default: the Last.fm user name)",
	"mobile":  "name of the account to store the session as (default: the Last.fm user name)",
	"import":  "name of the account to store the session as (default: --username)",
	"default": "the account to make the default (instead of NAME)",
	"status":  "show only this account",
	"logout":  "the account to sign out (default: the default account)",
}

// signedIn is the line a successful sign-in prints: the account, and the
// Last.fm user when it has another name, so that "work" is not mistaken
// for the user.
func signedIn(account, user string) string {
	if user == "" || user == account {
		return "Signed in as " + account
	}
	return fmt.Sprintf("Signed in as the Last.fm user %s, stored as the account %s", user, account)
}

// noArgs is cobra.NoArgs reporting a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath())}
	}
	return nil
}

// authCall sends one /v1/auth/ request to the daemon and decodes the JSON
// answer into out. lastfmd's errors come back as {"error":N,"message":...}
// and are returned as their message.
func authCall(c *client, method, path string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("reading the daemon's answer: %w", err)
	}
	if resp.StatusCode >= 400 {
		var e struct {
			Error   int    `json:"error"`
			Message string `json:"message"`
		}
		if json.Unmarshal(data, &e) == nil && e.Message != "" {
			return errors.New(e.Message)
		}
		return fmt.Errorf("the daemon at %s answered HTTP %d (is it an older lastfmd?)", c.base, resp.StatusCode)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("the daemon's answer could not be read: %v", err)
		}
	}
	return nil
}

// errMessage is what the CLI prints for an error from the flows: the
// message only, never a cause that could hold a path the user cannot act on.
func errMessage(err error) error {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return errors.New(ae.Message)
	}
	return err
}

// readSecretLine reads one line (a password or session key) from r: the
// first line, without its line ending. Surrounding spaces are kept for a
// password (they may be part of it) and dropped for a key.
func readSecretLine(r io.Reader, trim bool) (string, error) {
	br := bufio.NewReaderSize(r, 4096)
	line, err := br.ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading stdin: %w", err)
	}
	if len(line) > 4096 {
		return "", errors.New("the line on stdin is too long")
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if trim {
		line = strings.TrimSpace(line)
	}
	return line, nil
}

// promptSecret asks on the terminal without echo (golang.org/x/term), or
// reads stdin when it is not a terminal and piped is allowed.
func promptSecret(e *env, prompt string) (string, bool, error) {
	f, ok := e.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", false, nil
	}
	fmt.Fprint(e.stderr, prompt)
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(e.stderr)
	if err != nil {
		return "", true, fmt.Errorf("reading from the terminal: %w", err)
	}
	return string(b), true, nil
}

// signalContext is cancelled by Ctrl-C.
func signalContext() (context.Context, context.CancelFunc) {
	return notifyContext(context.Background())
}
