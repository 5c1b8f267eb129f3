package authflow

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/lastfmd/lastfmd/api"
	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/internal/clip"
	"github.com/lastfmd/lastfmd/signer"
)

// List describes every account in store.
func List(store *accounts.Store) []api.Account {
	def, hasDef := store.Default()
	out := []api.Account{}
	for _, a := range store.List() {
		out = append(out, api.Account{Name: a.Name, User: a.User, Default: hasDef && def.Name == a.Name,
			NeedsSignin: a.NeedsSignin, Added: a.Added, FromConfig: a.Static, Mirrors: mirrorsOf(a)})
	}
	return out
}

// Mirror types as AccountMirror.Type names them (config.MirrorTypeLastFM
// and config.MirrorTypeListenBrainz).
const (
	MirrorTypeLastFM       = "lastfm"
	MirrorTypeListenBrainz = "listenbrainz"
)

// WithMirrorTypes fills in each listed session's mirror type from types
// (mirror name → type; a mirror not named keeps ""), so that a reader
// knows which command signs an account in there again.
func WithMirrorTypes(list []api.Account, types map[string]string) []api.Account {
	for i := range list {
		for j := range list[i].Mirrors {
			list[i].Mirrors[j].Type = types[list[i].Mirrors[j].Mirror]
		}
	}
	return list
}

// mirrorsOf lists a's sessions on mirrors by name, without their keys.
func mirrorsOf(a accounts.Account) []api.AccountMirror {
	var out []api.AccountMirror
	for _, name := range slices.Sorted(maps.Keys(a.Mirrors)) {
		ms := a.Mirrors[name]
		out = append(out, api.AccountMirror{Mirror: name, User: ms.User, NeedsSignin: ms.NeedsSignin, Added: ms.Added, FromConfig: a.Static})
	}
	return out
}

// SetDefault makes name the default account: the one a request without
// X-Lastfmd-Account (or with a drop-in client's placeholder sk) runs as.
func SetDefault(store *accounts.Store, name string) error {
	if _, ok := store.Get(name); !ok {
		return unknownAccount(name)
	}
	if err := store.SetDefault(name); err != nil {
		if errors.Is(err, accounts.ErrUnknown) {
			return unknownAccount(name)
		}
		return &apperr.Error{Kind: apperr.Unavailable, Code: signer.ErrOperationFailed, Message: "cannot store the default account", Err: err}
	}
	return nil
}

// Logout removes account name. before, when set, is asked first (the
// journal refuses while the account has pending scrobbles unless force).
func Logout(store *accounts.Store, name string, force bool, before func(account string, force bool) error) error {
	a, ok := store.Get(name)
	if !ok {
		return unknownAccount(name)
	}
	if a.Static {
		return apperr.Invalidf("account %q comes from the configuration (session_key_file or the session-key credential): remove it there", name)
	}
	if before != nil {
		if err := before(name, force); err != nil {
			return refused(err, "cannot sign out "+name)
		}
	}
	if err := store.Remove(name); err != nil {
		if errors.Is(err, accounts.ErrUnknown) {
			return unknownAccount(name)
		}
		return &apperr.Error{Kind: apperr.Unavailable, Code: signer.ErrOperationFailed, Message: "cannot remove the account", Err: err}
	}
	return nil
}

// LogoutMirror removes account's session on mirror; its Last.fm session
// and its other mirrors' stay. The mirror need not be configured any more.
// before, when set, is asked first (the journal: what becomes of the
// account's items waiting for that mirror, unless force).
func LogoutMirror(store *accounts.Store, account, mirror string, force bool, before func(account, mirror string, force bool) error) error {
	a, ok := store.Get(account)
	if !ok {
		return unknownAccount(account)
	}
	if _, ok := a.Mirror(mirror); !ok {
		return apperr.New(apperr.NotFound, signer.ErrInvalidParams, "account %q has no session on mirror %q: see `lastfmd auth status`",
			a.Name, clip.Line(mirror, accounts.MaxMirrorName))
	}
	if a.Static {
		return apperr.Invalidf("the session of account %q on mirror %q comes from the configuration (mirror %q's session_key_file or its session-key credential): remove it there", a.Name, mirror, mirror)
	}
	if before != nil {
		if err := before(account, mirror, force); err != nil {
			return refused(err, fmt.Sprintf("cannot sign %s out of %s", account, mirror))
		}
	}
	if err := store.RemoveMirror(account, mirror); err != nil {
		if errors.Is(err, accounts.ErrUnknown) {
			return unknownAccount(account)
		}
		return &apperr.Error{Kind: apperr.Unavailable, Code: signer.ErrOperationFailed, Message: "cannot remove the session", Err: err}
	}
	return nil
}

// refused is a logout hook's refusal err: lastfmd's own error as it is,
// another as an invalid request saying what could not be done.
func refused(err error, what string) error {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae
	}
	return &apperr.Error{Kind: apperr.Invalid, Code: signer.ErrInvalidParams, Message: what + ": " + clip.Line(err.Error(), 0)}
}

func unknownAccount(name string) error {
	return apperr.New(apperr.NotFound, signer.ErrInvalidParams, "unknown account %q: see `lastfmd auth status` for the accounts signed in", clip.Line(name, MaxAccountName))
}

// Manage helpers on Flows, for the daemon.

// List describes every account.
func (f *Flows) List() []api.Account {
	types := map[string]string{}
	for name, d := range f.mirrors {
		types[name] = MirrorTypeLastFM
		if d.tokens != nil {
			types[name] = MirrorTypeListenBrainz
		}
	}
	return WithMirrorTypes(List(f.accts), types)
}

// SetDefault makes name the default account.
func (f *Flows) SetDefault(name string) error { return SetDefault(f.accts, name) }

// LogoutMirror removes account's session on mirror (see LogoutMirror).
func (f *Flows) LogoutMirror(account, mirror string, force bool, before func(account, mirror string, force bool) error) error {
	if err := LogoutMirror(f.accts, account, mirror, force, before); err != nil {
		return err
	}
	f.log.Info("signed out of a mirror", "account", account, "mirror", mirror)
	return nil
}

// Logout removes account name (see Logout).
func (f *Flows) Logout(name string, force bool, before func(string, bool) error) error {
	if err := Logout(f.accts, name, force, before); err != nil {
		return err
	}
	f.log.Info("signed out", "account", name)
	return nil
}
