package service

import (
	"errors"
	"fmt"
	"strings"
)

// undoList is what a failing install created, newest last, so that it can
// remove it again and say so, or name what it could not remove with the
// command that does.
type undoList struct {
	items []undoItem
}

type undoItem struct {
	what string       // "the group lastfmd", "/etc/lastfmd/token"
	do   func() error // removes it
	cmd  string       // the command a user runs instead
}

func (u *undoList) add(what, cmd string, do func() error) {
	u.items = append(u.items, undoItem{what: what, do: do, cmd: cmd})
}

// rollback undoes everything, newest first, and returns the sentence to add
// to the install's error: what was removed, and what is left with how to
// remove it.
func (u *undoList) rollback() string {
	if len(u.items) == 0 {
		return ""
	}
	var removed, left []string
	for i := len(u.items) - 1; i >= 0; i-- {
		it := u.items[i]
		if err := it.do(); err != nil {
			left = append(left, fmt.Sprintf("%s (%v): %s", it.what, err, it.cmd))
			continue
		}
		removed = append(removed, it.what)
	}
	s := ""
	if len(removed) > 0 {
		s = "; rolled back what this install created: removed " + strings.Join(removed, ", ")
	}
	if len(left) > 0 {
		s += "; still there, remove by hand: " + strings.Join(left, "; ")
	}
	return s
}

// managerWords runs the systemctl commands kardianos ran (they are
// idempotent: enable, disable, daemon-reload) through Host.Run, which keeps
// systemctl's standard error, when kardianos reported only "exit status
// N". It returns the first failure in systemctl's words, or err itself when
// the commands now pass.
func (m *Manager) managerWords(err error, verbs ...string) error {
	for _, verb := range verbs {
		if _, e := m.host().Run("systemctl", m.systemctlArgs(verb)...); e != nil {
			var ce *CommandError
			if errors.As(e, &ce) {
				return e
			}
		}
	}
	return err
}

// systemctlArgs is systemctl's command line for verb on lastfmd's unit
// (daemon-reload takes no unit).
func (m *Manager) systemctlArgs(verb string) []string {
	var args []string
	if m.User {
		args = append(args, "--user")
	}
	args = append(args, verb)
	if verb != "daemon-reload" {
		args = append(args, Name+".service")
	}
	return args
}

// platformNextStep is where to look after the service manager refused,
// on the platforms kardianos drives directly.
func platformNextStep(platform string) string {
	switch {
	case strings.Contains(platform, "launchd"):
		return "see `launchctl list | grep lastfmd` and the log: `log show --last 5m --predicate 'process == \"lastfmd\"'`"
	case strings.Contains(platform, "windows"):
		return "see `sc.exe query lastfmd` and the Event Viewer (Windows Logs > Application)"
	}
	return "see the service manager's log for lastfmd"
}
