package journal

import (
	"errors"

	"fmt"
	"os"
	"runtime/debug"

	"github.com/lastfmd/lastfmd/daemon/apperr"

	"github.com/lastfmd/lastfmd/internal/clip"
)

// DamagedError is a journal file lastfmd cannot trust: cut short,
// overwritten, empty or not a journal at all. The daemon refuses to start
// on it; `lastfmd queue salvage` saves what can be read and starts a new
// journal (docs/journal.md).
type DamagedError = apperr.Damaged

// damaged names the journal at path as damaged by problem.
func damaged(path, problem string) *DamagedError {
	return &DamagedError{What: "journal", Path: path, Problem: problem,
		Fix: "Stop lastfmd and run `lastfmd queue salvage` to save every readable scrobble, set the file aside and start a new journal (see docs/journal.md)"}
}

// CheckFile checks the journal file at path without mapping it (see
// checkBoltFile). A missing file is fine: a new journal starts.
func CheckFile(path string) error {
	err := checkBoltFile(path)
	if err == nil || errors.Is(err, os.ErrNotExist) {
		return nil
	}
	var we *walkError
	if errors.As(err, &we) {
		return damaged(path, we.msg)
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
			err = damaged(path, fmt.Sprintf("it cannot be read (%v)", oneLine(fmt.Sprint(r))))
		}
	}()
	return f()
}

func oneLine(s string) string { return clip.Line(s, 200) }
