package apperr

import "fmt"

// Damaged is state on disk lastfmd cannot trust: a damaged journal or
// sessions.json (docs/journal.md). Restarting cannot fix it, so the daemon
// refuses to start and cmd/lastfmd exits with its own status (65), which
// the systemd units name in RestartPreventExitStatus=.
type Damaged struct {
	What    string // "journal", "sessions": the message's prefix
	Path    string
	Problem string // what is wrong, one line
	Fix     string // what to do, one sentence
}

func (e *Damaged) Error() string {
	return fmt.Sprintf("%s: %s is damaged: %s. %s", e.What, e.Path, e.Problem, e.Fix)
}

// StateDamaged marks errors that need a person, not a restart.
func (e *Damaged) StateDamaged() bool { return true }
