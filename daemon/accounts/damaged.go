package accounts

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/lastfmd/lastfmd/daemon/apperr"
)

// DamagedError is a sessions.json lastfmd cannot trust: not JSON, null,
// two accounts of one name, a name of the wrong shape, an account without
// a key. Loading it silently would lose or mix up sessions, so the daemon
// refuses to start and says which file and what to do.
type DamagedError = apperr.Damaged

// parseFile decodes and checks sessions.json.
func parseFile(path string, raw []byte) (file, error) {
	damaged := func(format string, args ...any) (file, error) {
		return file{}, &DamagedError{What: "sessions", Path: path, Problem: fmt.Sprintf(format, args...),
			Fix: fmt.Sprintf("Fix it by hand, restore it from a backup, or move it aside (mv %s %s.damaged) and sign in again (lastfmd auth login)", path, path)}
	}
	if strings.TrimSpace(string(raw)) == "" {
		return damaged("it is empty")
	}
	var fp *file
	if err := json.Unmarshal(raw, &fp); err != nil {
		return damaged("it is not valid JSON (%v)", err)
	}
	if fp == nil {
		return damaged("it holds null, not its object of accounts")
	}
	f := *fp
	if f.Version > SchemaVersion {
		return file{}, fmt.Errorf("sessions: %s has schema version %d, this lastfmd knows up to %d: upgrade lastfmd", path, f.Version, SchemaVersion)
	}
	seen := map[string]bool{}
	for i, a := range f.Accounts {
		if err := CheckName(a.Name); err != nil {
			return damaged("account %d: %v", i+1, err)
		}
		if seen[a.Name] {
			return damaged("the account %q is listed twice", a.Name)
		}
		seen[a.Name] = true
		if strings.TrimSpace(a.Key) == "" {
			return damaged("the account %q has no session key", a.Name)
		}
		for m, ms := range a.Mirrors {
			if err := CheckMirrorName(m); err != nil {
				return damaged("the account %q: %v", a.Name, err)
			}
			if strings.TrimSpace(ms.Key) == "" {
				return damaged("the account %q has no session key on mirror %q", a.Name, m)
			}
		}
	}
	return f, nil
}
