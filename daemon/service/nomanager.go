package service

import (
	"errors"
	"fmt"
)

// ErrNoManager is the error of a service command where no service manager
// answers: no systemd running (a container, WSL without it), no user
// manager for this login (su, sudo, an ssh session without one), or none
// kardianos knows on this system. Nothing can be installed or controlled
// then, so each command says so in one line and names the way that needs
// no manager: the daemon in the foreground.
var ErrNoManager = errors.New("no service manager answers here")

// managerAnswers asks systemd the one question that needs nothing but a
// manager listening (its version): nil when it answers, else why not. It
// is asked only after another systemctl command failed, to tell "no
// manager" from a manager that refused.
func (m *Manager) managerAnswers() error {
	args := []string{"show", "--property=Version"}
	if m.User {
		args = append([]string{"--user"}, args...)
	}
	_, err := m.host().Run("systemctl", args...)
	return err
}

// noManager words ErrNoManager as one line: who said so, what the command
// did meanwhile (done: "" or its rollback), and `lastfmd run`.
func (m *Manager) noManager(cause error, done string) error {
	return fmt.Errorf("%w (%s)%s: run lastfmd in the foreground instead: `%s run`", ErrNoManager, m.managerSays(cause), done, m.self())
}

// managerSays is why no manager answered, in systemctl's own words when
// it was systemctl.
func (m *Manager) managerSays(cause error) string {
	var ce *CommandError
	if !errors.As(cause, &ce) {
		return cause.Error()
	}
	if m.User {
		return "`systemctl --user` says: " + ce.Msg
	}
	return "`systemctl` says: " + ce.Msg
}
