package service

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"github.com/kardianos/service"
)

// Manager installs, removes and controls lastfmd's service through
// kardianos/service, with lastfmd's own systemd units.
type Manager struct {
	// Host is the machine; nil means OSHost.
	Host Host
	// NewService builds kardianos' service for a configuration; nil means
	// the platform's (systemd units on Linux with systemctl). Tests pass a
	// fake.
	NewService func(c *service.Config, systemd bool) (service.Service, error)
	// Out receives what was done and the next commands to run.
	Out io.Writer
	// User selects the per-user service (systemctl --user) instead of the
	// system one.
	User bool
}

func (m *Manager) host() Host {
	if m.Host == nil {
		return OSHost{}
	}
	return m.Host
}

func (m *Manager) out() io.Writer {
	if m.Out == nil {
		return io.Discard
	}
	return m.Out
}

// systemd reports whether the service is a systemd unit here.
func (m *Manager) systemd() bool { return Systemd(m.host()) }

// scope names the service for messages.
func (m *Manager) scope() string {
	if m.User {
		return "user"
	}
	return "system"
}

// kardianosConfig is the service's description for kardianos. exe and args
// matter only to Install.
func (m *Manager) kardianosConfig(exe string, args []string) *service.Config {
	return &service.Config{
		Name:        Name,
		DisplayName: "lastfmd",
		Description: "lastfmd - local Last.fm API daemon",
		Executable:  exe,
		Arguments:   args,
		Option: service.KeyValue{
			// Our units (unit_system.tmpl, unit_user.tmpl) instead of
			// kardianos' default, which has no Type=, RestartSec=120 and
			// WantedBy=multi-user.target even for a user service.
			"SystemdScript": Template(m.User),
			"UserService":   m.User,
			// launchd: start at login/boot and restart after a crash.
			"RunAtLoad": true,
			"KeepAlive": true,
		},
	}
}

func (m *Manager) service(exe string, args []string) (service.Service, error) {
	newService := m.NewService
	if newService == nil {
		newService = newManager
	}
	s, err := newService(m.kardianosConfig(exe, args), m.systemd())
	if err != nil {
		return nil, m.noManager(fmt.Errorf("kardianos finds none on this %s system: %v", runtime.GOOS, err), "")
	}
	return s, nil
}

// unitPath is where the unit is (or would be) installed.
func (m *Manager) unitPath() (string, error) {
	home := ""
	if m.User {
		h, err := m.host().HomeDir()
		if err != nil {
			return "", fmt.Errorf("cannot find your home directory for the user unit: %v", err)
		}
		home = h
	}
	return UnitPath(m.User, home), nil
}

// installed reports whether the unit file exists (systemd only).
func (m *Manager) installed() (bool, string, error) {
	p, err := m.unitPath()
	if err != nil {
		return false, "", err
	}
	_, err = m.host().Stat(p)
	switch {
	case err == nil:
		return true, p, nil
	case notExist(err):
		return false, p, nil
	}
	return false, p, fmt.Errorf("cannot check %s: %v", p, err)
}

// sudo prefixes a command that needs root for the system service.
func (m *Manager) sudo(cmd string) string {
	if m.User || !isLinux {
		return cmd
	}
	return "sudo " + cmd
}

// self is how the next commands name this binary: "lastfmd" when that is
// what $PATH finds, else its full path.
func (m *Manager) self() string {
	exe, err := m.host().Executable()
	if err != nil {
		return "lastfmd"
	}
	if p, err := m.host().LookPath("lastfmd"); err == nil {
		if r, err := filepath.EvalSymlinks(p); err == nil && r == exe || p == exe {
			return "lastfmd"
		}
	}
	return shellQuote(exe)
}

// userFlag is " --user" for the user service.
func (m *Manager) userFlag() string {
	if m.User {
		return " --user"
	}
	return ""
}

// idle is the kardianos program of a service that is only installed or
// controlled, never run, by this process.
type idle struct{}

func (idle) Start(service.Service) error { return nil }
func (idle) Stop(service.Service) error  { return nil }

// SystemInstalled reports whether lastfmd is installed as the system-wide
// service: its unit file exists (unit: UnitPath(false, ""), or where a
// test put it), or, on a system whose services are not systemd units,
// kardianos' service manager knows it.
func SystemInstalled(unit string) bool {
	if _, err := os.Stat(unit); err == nil {
		return true
	}
	if runtime.GOOS == "linux" {
		return false
	}
	s, err := service.New(idle{}, &service.Config{Name: Name})
	if err != nil {
		return false
	}
	_, err = s.Status()
	return err == nil || !errors.Is(err, service.ErrNotInstalled)
}

// Systemd reports whether this machine's services are systemd units: Linux
// with systemctl on $PATH.
func Systemd(h Host) bool {
	if !isLinux {
		return false
	}
	_, err := h.LookPath("systemctl")
	return err == nil
}
