package accounts

import (
	"errors"
	"fmt"
	"maps"
	"time"

	"github.com/lastfmd/lastfmd/internal/clip"
)

// An account's sessions on mirrors (the [[mirror]] tables: Libre.fm and
// other services speaking the Last.fm 2.0 API) are stored beside its
// Last.fm session, in the same sessions.json (schema version 2). An account
// with no session on a mirror is not mirrored there.

// MirrorSession is an account's session on one mirror: the key that
// service issued, never logged or answered.
type MirrorSession struct {
	Key         string    `json:"key"`
	User        string    `json:"user,omitempty"` // the user name on that service, when known
	Added       time.Time `json:"added"`
	NeedsSignin bool      `json:"needs_signin,omitempty"`
}

// LastFM is the destination name Last.fm has among the mirrors: no mirror
// may take it.
const LastFM = "lastfm"

// MaxMirrorName bounds a mirror's name.
const MaxMirrorName = 32

// CheckMirrorName is the shape of a mirror's name: lower-case letters,
// digits, '_' and '-', at most 32, and not "lastfm". It names a journal
// lane, a --mirror flag, a metrics label and a key of sessions.json, so
// nothing else is allowed. Configuration and the session file both apply
// it.
func CheckMirrorName(name string) error {
	if name == "" || len(name) > MaxMirrorName {
		return fmt.Errorf("a mirror name is 1 to %d characters", MaxMirrorName)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return fmt.Errorf("mirror name %q: use lower-case letters, digits, '_' and '-'", clip.Line(name, MaxMirrorName))
		}
	}
	if name == LastFM {
		return errors.New(`"lastfm" is Last.fm itself, not a mirror`)
	}
	return nil
}

// Mirror returns the account's session on the mirror named name.
func (a Account) Mirror(name string) (MirrorSession, bool) {
	ms, ok := a.Mirrors[name]
	return ms, ok
}

// PutMirror stores account's session on mirror (signing in there again
// clears NeedsSignin). The account must exist in the file: its Last.fm
// session comes first.
func (s *Store) PutMirror(account, mirror string, ms MirrorSession) error {
	if err := CheckMirrorName(mirror); err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	if ms.Key == "" {
		return errors.New("sessions: a mirror session needs a key")
	}
	if ms.Added.IsZero() {
		ms.Added = s.now().UTC()
	}
	ms.NeedsSignin = false
	return s.update(func(f *file) error {
		for i := range f.Accounts {
			if f.Accounts[i].Name == account {
				// A new map: the one read is shared with the store's state.
				mirrors := maps.Clone(f.Accounts[i].Mirrors)
				if mirrors == nil {
					mirrors = map[string]MirrorSession{}
				}
				mirrors[mirror] = ms
				f.Accounts[i].Mirrors = mirrors
				return nil
			}
		}
		return fmt.Errorf("%w %q: sign it in to Last.fm first (lastfmd auth login --account %s)", ErrUnknown, account, account)
	})
}

// RemoveMirror deletes account's session on mirror; the account and its
// other sessions stay.
func (s *Store) RemoveMirror(account, mirror string) error {
	return s.update(func(f *file) error {
		for i := range f.Accounts {
			if f.Accounts[i].Name != account {
				continue
			}
			if _, ok := f.Accounts[i].Mirrors[mirror]; !ok {
				return fmt.Errorf("sessions: account %q has no session on mirror %q", account, mirror)
			}
			mirrors := maps.Clone(f.Accounts[i].Mirrors)
			delete(mirrors, mirror)
			if len(mirrors) == 0 {
				mirrors = nil
			}
			f.Accounts[i].Mirrors = mirrors
			return nil
		}
		return fmt.Errorf("%w %q", ErrUnknown, account)
	})
}

// MarkMirrorNeedsSignin records that the mirror refused account's session
// there (error 9, or 4 on a call carrying sk): the account must sign in
// there again (`lastfmd auth login --mirror NAME`); its Last.fm session and
// its other mirrors' are untouched. A static account's (the account
// "default" of a mirror's session_key_file) is marked in memory, as
// MarkNeedsSignin marks it. It reports whether the state changed, so that
// the caller logs it once; an account or mirror session that does not
// exist changes nothing.
func (s *Store) MarkMirrorNeedsSignin(account, mirror string) (bool, error) {
	mark := func(a *Account) bool {
		ms, ok := a.Mirrors[mirror]
		if a.Name != account || !ok || ms.NeedsSignin {
			return false
		}
		// A new map: the one read is shared with the store's state.
		a.Mirrors = maps.Clone(a.Mirrors)
		ms.NeedsSignin = true
		a.Mirrors[mirror] = ms
		return true
	}
	changed, static := false, false
	s.mu.Lock()
	for i := range s.static {
		if s.static[i].Name == account {
			static, changed = true, mark(&s.static[i])
		}
	}
	s.mu.Unlock()
	if static {
		return changed, nil
	}
	err := s.update(func(f *file) error {
		for i := range f.Accounts {
			changed = mark(&f.Accounts[i]) || changed
		}
		if !changed {
			return errUnchanged
		}
		return nil
	})
	if errors.Is(err, errUnchanged) {
		err = nil
	}
	return changed, err
}

// errUnchanged ends an update that has nothing to write.
var errUnchanged = errors.New("sessions: unchanged")
