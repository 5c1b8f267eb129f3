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

// resolve checks to and returns its service. At Last.fm the account name,
// if given, must be one a sign-in may take. On a mirror the mirror must be
// configured and the account must exist already, signed in to Last.fm (""
// is the default account), and not be the configuration's own "default",
// whose session there is the mirror's session_key_file; to.Account is then
// filled in.
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
	if to.Account != "" {
		if err := accounts.CheckName(to.Account); err != nil {
			return nil, apperr.Invalidf("%v", err)
		}
	}
	a, ok := f.accts.Get(to.Account)
	if to.Account == "" {
		a, ok = f.accts.Default()
	}
	switch {
	case !ok && to.Account == "":
		return nil, apperr.New(apperr.NotFound, signer.ErrInvalidParams,
			"no account is signed in: an account signs in to Last.fm first (lastfmd auth login), then to %s (lastfmd auth login --mirror %s)", to.Mirror, to.Mirror)
	case !ok:
		return nil, apperr.New(apperr.NotFound, signer.ErrInvalidParams,
			"unknown account %q: sign it in to Last.fm first (lastfmd auth login --account %s), then to %s (lastfmd auth login --mirror %s --account %s)",
			clip.Line(to.Account, MaxAccountName), to.Account, to.Mirror, to.Mirror, to.Account)
	case a.Static:
		return nil, apperr.Invalidf("account %q comes from the configuration: its session on %s is mirror %q's session_key_file; sign in another account there with --account", a.Name, to.Mirror, to.Mirror)
	}
	to.Account = a.Name
	return d, nil
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
