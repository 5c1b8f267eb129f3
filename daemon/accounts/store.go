// Package accounts is the session store: the Last.fm session keys lastfmd
// signs with, kept in state_dir/sessions.json (mode 0600, schema-versioned,
// locked, replaced atomically) plus the "default" account a configured
// session_key_file provides. Session keys never expire unless the user
// revokes the application (https://www.last.fm/api/authspec#3.4), so this is
// long-lived state.
package accounts

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lastfmd/lastfmd/internal/durable"
)

// FileName is the session file inside state_dir.
const FileName = "sessions.json"

// SchemaVersion is the version of sessions.json this binary writes. A newer
// file is refused; an older one is read as it is and written in this
// version on the next change. Version 2 adds each account's sessions on
// mirrors (Account.Mirrors); a version 1 file has none.
const SchemaVersion = 2

// DefaultName is the account a configured session key provides.
const DefaultName = "default"

// Account is one stored session.
type Account struct {
	Name        string    `json:"name"`
	Key         string    `json:"key"`            // the session key: never logged, never answered
	User        string    `json:"user,omitempty"` // Last.fm user name, when known
	Added       time.Time `json:"added"`
	NeedsSignin bool      `json:"needs_signin,omitempty"`
	// Mirrors are the account's sessions on mirrors, by mirror name
	// (mirrors.go); none is a Last.fm credential.
	Mirrors map[string]MirrorSession `json:"mirrors,omitempty"`
	// Static accounts come from the configuration, not the file.
	Static bool `json:"-"`
}

// LogValue keeps the key out of logs.
func (a Account) String() string { return "account " + a.Name }

type file struct {
	Version  int       `json:"version"`
	Default  string    `json:"default,omitempty"`
	Accounts []Account `json:"accounts"`
}

// ErrUnknown is returned for an account name that does not exist.
var ErrUnknown = errors.New("unknown account")

// Store is the set of accounts. A running daemon sees changes another
// process (the CLI) makes to the file at once: the file is re-read whenever
// its modification time or size changes.
type Store struct {
	path   string
	static []Account
	now    func() time.Time

	mu      sync.Mutex
	keys    atomic.Pointer[[]string] // every account's key, for the log redactor
	data    file
	modTime time.Time
	size    int64
}

// Open loads dir/sessions.json (absent is fine). static accounts (from the
// configuration) are listed first and cannot be changed through the store.
func Open(dir string, static []Account) (*Store, error) {
	s := &Store{path: filepath.Join(dir, FileName), now: time.Now}
	for _, a := range static {
		a.Static = true
		s.static = append(s.static, a)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.reloadLocked(true); err != nil {
		return nil, err
	}
	return s, nil
}

// Path is the session file's path.
func (s *Store) Path() string { return s.path }

func (s *Store) reloadLocked(force bool) error {
	st, err := os.Stat(s.path)
	if errors.Is(err, os.ErrNotExist) {
		s.data = file{Version: SchemaVersion}
		s.rebuildKeysLocked()
		s.modTime, s.size = time.Time{}, 0
		return nil
	}
	if err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	if !force && st.ModTime().Equal(s.modTime) && st.Size() == s.size {
		return nil
	}
	raw, err := os.ReadFile(s.path)
	if err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	f, err := parseFile(s.path, raw)
	if err != nil {
		return err
	}
	if f.Version == 0 {
		f.Version = SchemaVersion // version 0 never shipped; treat as current
	}
	s.data = f
	s.rebuildKeysLocked()
	s.modTime, s.size = st.ModTime(), st.Size()
	return nil
}

// refresh re-reads the file if another process changed it. Errors keep the
// last good state (a half-written file cannot happen: writes are atomic).
func (s *Store) refresh() {
	_ = s.reloadLocked(false)
}

// Get returns the account called name.
func (s *Store) Get(name string) (Account, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refresh()
	return s.getLocked(name)
}

func (s *Store) getLocked(name string) (Account, bool) {
	for _, a := range s.data.Accounts {
		if a.Name == name {
			return a, true
		}
	}
	for _, a := range s.static {
		if a.Name == name {
			return a, true
		}
	}
	return Account{}, false
}

// Default returns the default account: "default" if it exists, else the
// one the file names, else the first signed in. It never changes implicitly.
func (s *Store) Default() (Account, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refresh()
	return s.defaultLocked()
}

func (s *Store) defaultLocked() (Account, bool) {
	if a, ok := s.getLocked(DefaultName); ok {
		return a, true
	}
	if s.data.Default != "" {
		if a, ok := s.getLocked(s.data.Default); ok {
			return a, true
		}
	}
	if len(s.data.Accounts) > 0 {
		return s.data.Accounts[0], true
	}
	return Account{}, false
}

// Keys returns every account's session key (static and stored) as last
// read, without looking at the file: the log redactor masks them on every
// line, which must cost no I/O. The slice must not be modified.
func (s *Store) Keys() []string {
	if k := s.keys.Load(); k != nil {
		return *k
	}
	return nil
}

// rebuildKeysLocked refreshes Keys after the accounts changed.
func (s *Store) rebuildKeysLocked() {
	keys := make([]string, 0, len(s.static)+len(s.data.Accounts))
	for _, list := range [][]Account{s.static, s.data.Accounts} {
		for _, a := range list {
			keys = append(keys, a.Key)
			for _, ms := range a.Mirrors {
				keys = append(keys, ms.Key)
			}
		}
	}
	s.keys.Store(&keys)
}

// List returns every account, static ones first, then by name.
func (s *Store) List() []Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refresh()
	out := append([]Account(nil), s.static...)
	file := append([]Account(nil), s.data.Accounts...)
	sort.Slice(file, func(i, j int) bool { return file[i].Name < file[j].Name })
	for _, a := range file {
		if _, dup := s.staticNamed(a.Name); !dup {
			out = append(out, a)
		}
	}
	return out
}

func (s *Store) staticNamed(name string) (Account, bool) {
	for _, a := range s.static {
		if a.Name == name {
			return a, true
		}
	}
	return Account{}, false
}

// Put adds or replaces an account (signing in again clears NeedsSignin).
// The account's sessions on mirrors are kept unless a.Mirrors gives them.
func (s *Store) Put(a Account) error {
	if a.Name == "" || a.Key == "" {
		return errors.New("sessions: an account needs a name and a key")
	}
	if _, ok := s.staticNamed(a.Name); ok {
		return fmt.Errorf("sessions: account %q comes from the configuration (session_key_file) and cannot be replaced", a.Name)
	}
	if a.Added.IsZero() {
		a.Added = s.now().UTC()
	}
	a.NeedsSignin = false
	return s.update(func(f *file) error {
		for i := range f.Accounts {
			if f.Accounts[i].Name == a.Name {
				if a.Mirrors == nil {
					a.Mirrors = f.Accounts[i].Mirrors
				}
				f.Accounts[i] = a
				return nil
			}
		}
		f.Accounts = append(f.Accounts, a)
		return nil
	})
}

// SetDefault makes name the default account.
func (s *Store) SetDefault(name string) error {
	return s.update(func(f *file) error {
		for _, a := range f.Accounts {
			if a.Name == name {
				f.Default = name
				return nil
			}
		}
		if _, ok := s.staticNamed(name); ok {
			f.Default = name
			return nil
		}
		return fmt.Errorf("%w %q", ErrUnknown, name)
	})
}

// Remove deletes an account from the file.
func (s *Store) Remove(name string) error {
	return s.update(func(f *file) error {
		for i, a := range f.Accounts {
			if a.Name == name {
				f.Accounts = append(f.Accounts[:i], f.Accounts[i+1:]...)
				if f.Default == name {
					f.Default = ""
				}
				return nil
			}
		}
		if _, ok := s.staticNamed(name); ok {
			return fmt.Errorf("sessions: account %q comes from the configuration; remove session_key_file instead", name)
		}
		return fmt.Errorf("%w %q", ErrUnknown, name)
	})
}

// MarkNeedsSignin records that Last.fm refused the account's key (error 9,
// or 4 on a call carrying sk). It reports whether the state changed, so the
// caller logs it once.
func (s *Store) MarkNeedsSignin(name string) (bool, error) {
	changed := false
	s.mu.Lock()
	for i := range s.static {
		if s.static[i].Name == name && !s.static[i].NeedsSignin {
			s.static[i].NeedsSignin = true
			changed = true
		}
	}
	s.mu.Unlock()
	err := s.update(func(f *file) error {
		for i := range f.Accounts {
			if f.Accounts[i].Name == name && !f.Accounts[i].NeedsSignin {
				f.Accounts[i].NeedsSignin = true
				changed = true
			}
		}
		return nil
	})
	return changed, err
}

// SetUser records the Last.fm user name of an account.
func (s *Store) SetUser(name, user string) error {
	s.mu.Lock()
	for i := range s.static {
		if s.static[i].Name == name {
			s.static[i].User = user
		}
	}
	s.mu.Unlock()
	return s.update(func(f *file) error {
		for i := range f.Accounts {
			if f.Accounts[i].Name == name {
				f.Accounts[i].User = user
			}
		}
		return nil
	})
}

// update applies fn to the file under the cross-process lock and writes it
// back atomically.
func (s *Store) update(fn func(*file) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	unlock, err := lockFile(s.path + ".lock")
	if err != nil {
		return fmt.Errorf("sessions: lock: %w", err)
	}
	defer unlock()
	if err := s.reloadLocked(true); err != nil {
		return err
	}
	f := s.data
	f.Accounts = append([]Account(nil), s.data.Accounts...)
	if err := fn(&f); err != nil {
		return err
	}
	f.Version = SchemaVersion
	if err := writeAtomic(s.path, f); err != nil {
		return err
	}
	s.data = f
	s.rebuildKeysLocked()
	if st, err := os.Stat(s.path); err == nil {
		s.modTime, s.size = st.ModTime(), st.Size()
	}
	return nil
}

// writeAtomic writes to a temp file in the same directory, fsyncs it,
// renames it over the old file and fsyncs the directory, so a crash leaves
// either the old file or the new one, never a mix.
func writeAtomic(path string, f file) error {
	raw, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".sessions-*.tmp")
	if err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("sessions: %w", err)
	}
	if _, err := tmp.Write(append(raw, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("sessions: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sessions: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	return durable.SyncDir(dir)
}
