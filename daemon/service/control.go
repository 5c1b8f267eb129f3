package service

import (
	"errors"
	"fmt"

	"github.com/kardianos/service"
)

// ErrNotInstalled is returned by the control commands when there is no
// service to control.
var ErrNotInstalled = errors.New("lastfmd is not installed as a service")

// Uninstall stops the service, disables it and removes its unit. It keeps
// the configuration, secrets, token, group and state, and says where they
// are.
func (m *Manager) Uninstall() error {
	systemd := m.systemd()
	var unit string
	if systemd {
		installed, p, err := m.installed()
		if err != nil {
			return err
		}
		if !installed {
			return m.notInstalledOrNoManager()
		}
		unit = p
	}
	s, err := m.service("", nil)
	if err != nil {
		return err
	}
	// Stopping a stopped service is not an error worth reporting; a
	// failure to stop a running one shows up in Uninstall's result.
	_ = s.Stop()
	if err := s.Uninstall(); err != nil {
		if errors.Is(err, service.ErrNotInstalled) {
			return m.notInstalled()
		}
		if systemd {
			if e := m.managerAnswers(); e != nil {
				return m.noManager(e, "")
			}
			return fmt.Errorf("removing the %s service failed: %v: see `%s`, fix the cause, then run `%s` again",
				m.scope(), m.managerWords(err, "disable", "daemon-reload"), m.systemctl("status"), m.sudo(m.self()+" uninstall"+m.userFlag()))
		}
		return fmt.Errorf("removing the %s service failed: %v: %s", m.scope(), err, platformNextStep(s.Platform()))
	}
	r := &report{}
	if unit != "" {
		r.add("removed", unit+" (stopped, disabled)")
	}
	switch {
	case systemd && m.User:
		r.add("kept", "~/.config/lastfmd (configuration) and ~/.local/state/lastfmd (sessions, scrobble journal)")
		r.then("rm -r ~/.local/state/lastfmd   # only to forget your sessions and unsent scrobbles")
	case systemd:
		r.add("kept", ConfigDir+" (configuration, API secret, token), /var/lib/private/lastfmd (sessions, scrobble journal), group "+Group)
		r.then("sudo rm -r /var/lib/private/lastfmd /var/lib/lastfmd   # only to forget sessions and unsent scrobbles")
		r.then("sudo rm -r " + ConfigDir + " && sudo groupdel " + Group + "   # only to remove the configuration too")
	}
	m.print(fmt.Sprintf("uninstalled the %s service lastfmd", m.scope()), r)
	return nil
}

// Start starts the installed service.
func (m *Manager) Start() error { return m.control("start", service.Service.Start) }

// Stop stops the service (its requests drain, then it exits).
func (m *Manager) Stop() error { return m.control("stop", service.Service.Stop) }

// Restart restarts the service.
func (m *Manager) Restart() error { return m.control("restart", service.Service.Restart) }

func (m *Manager) control(verb string, do func(service.Service) error) error {
	if m.systemd() {
		installed, _, err := m.installed()
		if err != nil {
			return err
		}
		if !installed {
			return m.notInstalledOrNoManager()
		}
	}
	past := map[string]string{"start": "started", "stop": "stopped", "restart": "restarted"}[verb]
	if m.systemd() {
		// systemctl itself, through Host.Run, so that its own words reach
		// the user: kardianos keeps only "exit status 1".
		if _, err := m.host().Run("systemctl", m.systemctlArgs(verb)...); err != nil {
			if e := m.managerAnswers(); e != nil {
				return m.noManager(e, "")
			}
			return fmt.Errorf("%s failed: %v: see why with `%s` and `%s`", verb, err, m.systemctl("status"), m.journalctl())
		}
		fmt.Fprintf(m.out(), "%s the %s service lastfmd; check it with `%s status%s`\n", past, m.scope(), m.self(), m.userFlag())
		return nil
	}
	s, err := m.service("", nil)
	if err != nil {
		return err
	}
	if err := do(s); err != nil {
		if errors.Is(err, service.ErrNotInstalled) {
			return m.notInstalled()
		}
		return fmt.Errorf("%s failed: %v: %s", verb, err, platformNextStep(s.Platform()))
	}
	fmt.Fprintf(m.out(), "%s the %s service lastfmd; check it with `%s status%s`\n", past, m.scope(), m.self(), m.userFlag())
	return nil
}

func (m *Manager) notInstalled() error {
	return fmt.Errorf("%w (%s): install it with `%s`", ErrNotInstalled, m.scope(), m.sudo(m.self()+" install"+m.userFlag()))
}

// notInstalledOrNoManager is notInstalled where a manager answers: where
// none does, installing would fail too, so that is what is said.
func (m *Manager) notInstalledOrNoManager() error {
	if e := m.managerAnswers(); e != nil {
		return m.noManager(e, "")
	}
	return m.notInstalled()
}

// systemctl and journalctl are the commands a user runs to look closer.
func (m *Manager) systemctl(verb string) string {
	if m.User {
		return "systemctl --user " + verb + " lastfmd"
	}
	return "systemctl " + verb + " lastfmd"
}

func (m *Manager) journalctl() string {
	if m.User {
		return "journalctl --user -u lastfmd"
	}
	return "journalctl -u lastfmd"
}
