package authflow

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/internal/clip"
	"github.com/lastfmd/lastfmd/signer"
)

// Where a sign-in goes (a Target): Last.fm, where a session makes or
// replaces an account, or a mirror, where it is stored beside the Last.fm
// session of an account that already exists (accounts.PutMirror). Every
// flow resolves its Target here first, before anything is sent.

// resolve checks to and returns its service, for a sign-in that makes a
// session (desktop, web, mobile). At Last.fm the account name, if given,
// must be one a sign-in may take. On a mirror the mirror must be
// configured and take sessions (one that signs in with a user token names
// `lastfmd auth token`), and the account must exist already, signed in to
// Last.fm ("" is the default account), and not be the configuration's own
// "default", whose session there is the mirror's session_key_file;
// to.Account is then filled in.
func (f *Flows) resolve(to *Target) (*dest, error) {
	if to.Mirror == "" {
		if to.Account != "" {
			if err := CheckAccountName(to.Account); err != nil {
				return nil, err
			}
		}
		return f.lastfm, nil
	}
	d, ok := f.mirrors[to.Mirror]
	if !ok {
		return nil, f.unknownMirror(to.Mirror)
	}
	if d.tokens != nil {
		return nil, apperr.Invalidf("mirror %q signs in with a user token, not a password or a browser: lastfmd auth token --mirror %s%s",
			d.mirror, d.mirror, accountFlag(to.Account))
	}
	return d, f.resolveAccount(to, d)
}

// resolveToken is resolve for Token: the mirror must be one that signs in
// with a user token (ListenBrainz's API); Last.fm and a mirror speaking
// its API name their own sign-in.
func (f *Flows) resolveToken(to *Target) (*dest, error) {
	if to.Mirror == "" {
		return nil, apperr.Invalidf("a user token signs in to a mirror of type listenbrainz (--mirror NAME); Last.fm signs in with lastfmd auth login")
	}
	d, ok := f.mirrors[to.Mirror]
	if !ok {
		return nil, f.unknownMirror(to.Mirror)
	}
	if d.tokens == nil {
		// No "token:" in a message: the redactor would take what follows
		// for a token's value.
		return nil, apperr.Invalidf("mirror %q speaks the Last.fm API and takes no user token; it signs in with lastfmd auth login --mirror %s%s (or auth mobile --mirror %s)",
			d.mirror, d.mirror, accountFlag(to.Account), d.mirror)
	}
	return d, f.resolveAccount(to, d)
}

// accountFlag is " --account NAME" for a named account, "" for the default.
func accountFlag(account string) string {
	if account == "" || accounts.CheckName(account) != nil {
		return ""
	}
	return " --account " + account
}

// resolveAccount checks the account a sign-in on the mirror d stores its
// session with (see resolve) and fills in to.Account.
func (f *Flows) resolveAccount(to *Target, d *dest) error {
	if to.Account != "" {
		if err := accounts.CheckName(to.Account); err != nil {
			return apperr.Invalidf("%v", err)
		}
	}
	a, ok := f.accts.Get(to.Account)
	if to.Account == "" {
		a, ok = f.accts.Default()
	}
	switch {
	case !ok && to.Account == "":
		return apperr.New(apperr.NotFound, signer.ErrInvalidParams,
			"no account is signed in: an account signs in to Last.fm first (lastfmd auth login), then to %s (lastfmd %s --mirror %s)", to.Mirror, d.command(), to.Mirror)
	case !ok:
		return apperr.New(apperr.NotFound, signer.ErrInvalidParams,
			"unknown account %q: sign it in to Last.fm first (lastfmd auth login --account %s), then to %s (lastfmd %s --mirror %s --account %s)",
			clip.Line(to.Account, MaxAccountName), to.Account, to.Mirror, d.command(), to.Mirror, to.Account)
	case a.Static && d.tokens != nil:
		return apperr.Invalidf("account %q comes from the configuration: its user token on %s is mirror %q's token_file; give another account its token there with --account", a.Name, to.Mirror, to.Mirror)
	case a.Static:
		return apperr.Invalidf("account %q comes from the configuration: its session on %s is mirror %q's session_key_file; sign in another account there with --account", a.Name, to.Mirror, to.Mirror)
	}
	to.Account = a.Name
	return nil
}

// command is the `lastfmd` command that signs an account in to d.
func (d *dest) command() string {
	if d.tokens != nil {
		return "auth token"
	}
	return "auth login"
}

// unknownMirror says that no mirror is called name, naming those that are.
func (f *Flows) unknownMirror(name string) error {
	names := slices.Sorted(maps.Keys(f.mirrors))
	known := "none is configured"
	if len(names) > 0 {
		known = "the mirrors are " + strings.Join(names, ", ")
	}
	return apperr.New(apperr.NotFound, signer.ErrInvalidParams, "no mirror %q in the configuration (%s): see docs/mirrors.md",
		clip.Line(name, accounts.MaxMirrorName), known)
}

// save stores the session s, signed in at d, for to.Account: at Last.fm
// as that account (the Last.fm user name when ""), replacing its key and
// clearing needs-sign-in; on a mirror as the account's session there. It
// answers the stored account without any key.
func (f *Flows) save(d *dest, to Target, s signer.Session) (accounts.Account, error) {
	name := to.Account
	var err error
	if d.mirror == "" {
		if name == "" {
			name = s.Name
		}
		if err := CheckAccountName(name); err != nil {
			return accounts.Account{}, err
		}
		err = f.accts.Put(accounts.Account{Name: name, Key: s.Key, User: s.Name})
	} else {
		err = f.accts.PutMirror(name, d.mirror, accounts.MirrorSession{Key: s.Key, User: s.Name})
	}
	if errors.Is(err, accounts.ErrUnknown) {
		// Signed out meanwhile.
		return accounts.Account{}, apperr.New(apperr.NotFound, signer.ErrInvalidParams,
			"account %q was signed out while it signed in to %s: sign it in to Last.fm first", name, d.mirror)
	}
	if err != nil {
		return accounts.Account{}, &apperr.Error{Kind: apperr.Unavailable, Code: signer.ErrOperationFailed,
			Message: "cannot store the session: " + clip.Line(err.Error(), 0), Err: err}
	}
	stored, _ := f.accts.Get(name)
	return withoutKeys(stored), nil
}

// withoutKeys is a with every session key blanked: its Last.fm one and
// its mirrors'.
func withoutKeys(a accounts.Account) accounts.Account {
	a.Key = ""
	if a.Mirrors != nil {
		ms := make(map[string]accounts.MirrorSession, len(a.Mirrors))
		for name, m := range a.Mirrors {
			m.Key = ""
			ms[name] = m
		}
		a.Mirrors = ms
	}
	return a
}

// UserAt is the user name a's session at mirror belongs to ("" = Last.fm):
// what "Signed in as" names.
func UserAt(a accounts.Account, mirror string) string {
	if mirror == "" {
		return a.User
	}
	return a.Mirrors[mirror].User
}

// describe is how a log line and a message name to: "alice", or
// `alice on mirror "librefm"`.
func (to Target) describe() string {
	if to.Mirror == "" {
		return to.Account
	}
	return fmt.Sprintf("%s on mirror %q", to.Account, to.Mirror)
}
