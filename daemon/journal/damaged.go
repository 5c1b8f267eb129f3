package journal

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
)

// DamagedError is a journal file lastfmd cannot trust: cut short,
// overwritten, empty or not a journal at all. The daemon refuses to start
// on it (cmd/lastfmd exits with its own status, which the systemd units
// name in RestartPreventExitStatus so they do not loop); `lastfmd queue
// salvage` saves what can be read and starts a new journal.
type DamagedError struct {
	Path    string
	Problem string
}

func (e *DamagedError) Error() string {
	return fmt.Sprintf("journal: %s is damaged: %s. Stop lastfmd and run `lastfmd queue salvage` to save every readable scrobble, set the file aside and start a new journal (see docs/journal.md)",
		e.Path, e.Problem)
}

// StateDamaged marks errors that need a person, not a restart.
func (e *DamagedError) StateDamaged() bool { return true }

// CheckFile checks the journal file at path without mapping it (see
// checkBoltFile). A missing file is fine: a new journal starts.
func CheckFile(path string) error {
	err := checkBoltFile(path)
	if err == nil || errors.Is(err, os.ErrNotExist) {
		return nil
	}
	var we *walkError
	if errors.As(err, &we) {
		return &DamagedError{Path: path, Problem: we.msg}
	}
	return fmt.Errorf("journal: cannot read %s: %w", path, err)
}

// guard runs f, turning a bbolt panic, or a fault on the mapped file
// (SIGBUS on a file cut short under it), into a DamagedError. CheckFile
// runs first, so this is the second line: nothing of a damaged file should
// reach the user as a crash dump.
func guard(path string, f func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer debug.SetPanicOnFault(old)
	defer func() {
		if r := recover(); r != nil {
			err = &DamagedError{Path: path, Problem: fmt.Sprintf("it cannot be read (%v)", oneLine(fmt.Sprint(r)))}
		}
	}()
	return f()
}

func oneLine(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			return s[:i]
		}
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}
