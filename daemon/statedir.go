package daemon

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/journal"
)

// UnsafeStateError is a state directory, or a file in it, that other users
// may write: its contents cannot be trusted (a planted session key, a
// replaced journal), so lastfmd refuses to start, as ssh refuses a key
// others could write. It exits with the "needs a person" status.
type UnsafeStateError struct{ msg string }

func (e *UnsafeStateError) Error() string { return e.msg }

// StateDamaged: restarting cannot fix it (cmd/lastfmd exits 65).
func (e *UnsafeStateError) StateDamaged() bool { return true }

// privateState keeps state_dir private (docs/security.md): what others may
// only read is tightened with a warning (0700 for the directory, 0600 for
// sessions.json and the journal); what others may write is refused with
// the chmod that fixes it. Windows has no such bits; its ACLs are left to
// the installer.
func privateState(dir string, log *slog.Logger) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	if err := private(dir, 0o700, "state_dir", log); err != nil {
		return err
	}
	for _, name := range []string{accounts.FileName, journal.FileName} {
		if err := private(filepath.Join(dir, name), 0o600, name, log); err != nil {
			return err
		}
	}
	return nil
}

// private applies the rule to one path (absent is fine).
func private(path string, want fs.FileMode, what string, log *slog.Logger) error {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", what, path, err)
	}
	perm := st.Mode().Perm()
	if perm&0o022 != 0 {
		return &UnsafeStateError{fmt.Sprintf("%s %s is writable by group or others (mode %04o), so what it holds cannot be trusted: check it, then chmod %o %s",
			what, path, perm, want, path)}
	}
	if perm&0o077 == 0 {
		return nil
	}
	if err := os.Chmod(path, want); err != nil {
		return &UnsafeStateError{fmt.Sprintf("%s %s is readable by group or others (mode %04o) and lastfmd cannot change that (%v): chmod %o %s",
			what, path, perm, err, want, path)}
	}
	log.Warn(fmt.Sprintf("%s %s was readable by group or others (mode %04o); lastfmd tightened it to %04o", what, path, perm, want))
	return nil
}
