package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/lastfmd/lastfmd/client"
	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/authflow"
)

// authFlags are shared by the auth subcommands.
type authFlags struct {
	account string
	// mirror names the mirror a sign-in or sign-out acts on ("": Last.fm).
	mirror string
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
	cmd.AddCommand(newAuthLoginCmd(e, f), newAuthMobileCmd(e, f), newAuthTokenCmd(e, f), newAuthWebCmd(e, f), newAuthImportCmd(e, f),
		newAuthDefaultCmd(e, f), newAuthStatusCmd(e, f), newAuthLogoutCmd(e, f), newAuthCancelCmd(e, f))
	// --account only where it does something (not on web), worded for each;
	// --mirror where an account's session on a mirror is made or removed.
	for _, sub := range cmd.Commands() {
		if usage, ok := accountFlagUsage[sub.Name()]; ok {
			sub.Flags().StringVar(&f.account, "account", "", usage)
		}
		if usage, ok := mirrorFlagUsage[sub.Name()]; ok {
			sub.Flags().StringVar(&f.mirror, "mirror", "", usage)
		}
	}
	return cmd
}

// mirrorFlagUsage is --mirror's help on each auth command that reads it.
var mirrorFlagUsage = map[string]string{
	"login":  "sign in to this mirror ([[mirror]] name) instead of Last.fm; the account (--account, else the default) must be signed in to Last.fm",
	"mobile": "sign in to this mirror ([[mirror]] name) instead of Last.fm; the account (--account, else the default) must be signed in to Last.fm",
	"logout": "remove only the account's session on this mirror; its Last.fm session stays",
	"token":  "the mirror of type listenbrainz ([[mirror]] name) the token is for",
}

// target is where the flags send a sign-in: --account at Last.fm, or on
// --mirror.
func (f *authFlags) target() authflow.Target {
	return authflow.Target{Account: f.account, Mirror: f.mirror}
}

// accountFlagUsage is --account's help on each auth command that reads it.
var accountFlagUsage = map[string]string{
	"login":   "name of the account to store the session as (default: the Last.fm user name)",
	"mobile":  "name of the account to store the session as (default: the Last.fm user name)",
	"import":  "name of the account to store the session as (default: --username)",
	"token":   "the account the token is stored with (default: the default account); it must be signed in to Last.fm",
	"default": "the account to make the default (instead of NAME)",
	"status":  "show only this account",
	"logout":  "the account to sign out (default: the default account)",
}

// checkAccount checks that --account, when given, is a name lastfmd takes
// (on a mirror: the name of an account, which may be one a sign-in may not
// make), and --mirror one a mirror may have.
func (f *authFlags) checkAccount() error {
	if f.mirror != "" {
		if err := accounts.CheckMirrorName(f.mirror); err != nil {
			return usageError{fmt.Errorf("--mirror: %v", err)}
		}
		if f.account != "" {
			if err := accounts.CheckName(f.account); err != nil {
				return usageError{err}
			}
		}
		return nil
	}
	if f.account != "" {
		if err := authflow.CheckAccountName(f.account); err != nil {
			return usageError{errMessage(err)}
		}
	}
	return nil
}

// checkUsername checks what the commands that take --username share: it is
// given, and so is a valid --account, if any.
func (f *authFlags) checkUsername(username string) error {
	if username == "" {
		return usageError{errors.New("--username is required")}
	}
	return f.checkAccount()
}

// signIn opens the backend that can sign in (the daemon, else the flows
// here, which need the API secret) and runs do with it under a context
// that Ctrl-C cancels.
func (f *authFlags) signIn(e *env, do func(context.Context, authBackend) error) error {
	b, err := chooseAuth(e, true, f.poll)
	if err != nil {
		return err
	}
	defer b.Close()
	ctx, stop := signalContext()
	defer stop()
	return do(ctx, b)
}

// listAccounts opens the auth backend (the daemon, else the local session
// file, with no need for the secret) and lists its accounts; the caller
// closes b.
func listAccounts(ctx context.Context, e *env) (b authBackend, list []client.Account, err error) {
	if b, err = chooseAuth(e, false, 0); err != nil {
		return nil, nil, err
	}
	if list, err = b.Accounts(ctx); err != nil {
		b.Close()
		return nil, nil, err
	}
	return b, list, nil
}

// signedIn is the line a successful sign-in prints: the account, and the
// user there when it has another name, so that "work" is not mistaken
// for the user. On a mirror, the mirror too.
func signedIn(a *client.SignedIn) string {
	switch {
	case a.Mirror != "" && (a.User == "" || a.User == a.Account):
		return fmt.Sprintf("Signed in to %s as %s", a.Mirror, a.Account)
	case a.Mirror != "":
		return fmt.Sprintf("Signed in to %s as the user %s, stored with the account %s", a.Mirror, a.User, a.Account)
	case a.User == "" || a.User == a.Account:
		return "Signed in as " + a.Account
	}
	return fmt.Sprintf("Signed in as the Last.fm user %s, stored as the account %s", a.User, a.Account)
}

// noArgs is cobra.NoArgs reporting a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath())}
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
