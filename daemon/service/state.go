package service

import (
	"errors"
	"strconv"
	"strings"

	"github.com/kardianos/service"
)

// The service states `lastfmd status` reports.
const (
	StateNotInstalled = "not installed"
	StateStopped      = "stopped"
	StateRunning      = "running"
	StateFailed       = "failed"
	StateUnknown      = "unknown"
	// StateNoManager: no service manager answers here (ErrNoManager);
	// Error says what systemctl said.
	StateNoManager = "no service manager"
)

// State is what the service manager says of the service: the "service"
// part of `lastfmd status --json`.
type State struct {
	Scope   string `json:"scope"`   // "system" or "user"
	Manager string `json:"manager"` // kardianos' platform, e.g. "linux-systemd"
	State   string `json:"state"`   // one of the State* constants
	// The rest comes from `systemctl show` (systemd only).
	Unit          string `json:"unit,omitempty"`
	LoadState     string `json:"load_state,omitempty"`
	ActiveState   string `json:"active_state,omitempty"`
	SubState      string `json:"sub_state,omitempty"`
	Result        string `json:"result,omitempty"`
	UnitFileState string `json:"unit_file_state,omitempty"`
	MainPID       int    `json:"main_pid,omitempty"`
	Since         string `json:"since,omitempty"`
	// Error says why the state is unknown.
	Error string `json:"error,omitempty"`
}

// showProperties are the properties Status asks `systemctl show` for.
var showProperties = []string{"LoadState", "ActiveState", "SubState", "Result", "UnitFileState", "MainPID", "ActiveEnterTimestamp", "FragmentPath"}

// Status asks the service manager for the service's state. It fails only
// when it cannot even ask; a manager that does not answer gives
// StateUnknown with the reason.
func (m *Manager) Status() (State, error) {
	if !m.systemd() {
		return m.kardianosStatus()
	}
	st := State{Scope: m.scope(), Manager: "linux-systemd", Unit: UnitName}
	args := []string{"show", UnitName, "--property=" + strings.Join(showProperties, ",")}
	if m.User {
		args = append([]string{"--user"}, args...)
	}
	out, err := m.host().Run("systemctl", args...)
	if err != nil {
		// `systemctl show` needs nothing but a manager that answers (an
		// unknown unit is LoadState=not-found): whether the unit file is
		// there or not, no service manager can run it here.
		st.State, st.Error = StateNoManager, m.managerSays(err)
		return st, nil
	}
	props := ParseShow(out)
	st.LoadState = props["LoadState"]
	st.ActiveState = props["ActiveState"]
	st.SubState = props["SubState"]
	st.Result = props["Result"]
	st.UnitFileState = props["UnitFileState"]
	st.Since = props["ActiveEnterTimestamp"]
	if pid, err := strconv.Atoi(props["MainPID"]); err == nil {
		st.MainPID = pid
	}
	st.State = stateOf(props)
	return st, nil
}

// stateOf reduces systemd's load and active states to the four states of
// `lastfmd status` (systemd.unit(5), "ActiveState").
func stateOf(props map[string]string) string {
	switch props["LoadState"] {
	case "not-found":
		return StateNotInstalled
	case "loaded":
	case "":
		return StateUnknown
	default: // error, bad-setting, masked
		return StateFailed
	}
	switch props["ActiveState"] {
	case "active", "reloading", "activating", "deactivating", "refreshing":
		return StateRunning
	case "failed":
		return StateFailed
	case "inactive", "maintenance":
		return StateStopped
	}
	return StateUnknown
}

// ParseShow reads `systemctl show` output: one Property=value a line; a
// value may itself contain '='. Lines without '=' are skipped.
func ParseShow(out string) map[string]string {
	props := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(strings.TrimRight(line, "\r"), "=")
		if !ok || k == "" || strings.ContainsAny(k, " \t") {
			continue
		}
		props[k] = v
	}
	return props
}

// kardianosStatus is the state on launchd and Windows.
func (m *Manager) kardianosStatus() (State, error) {
	s, err := m.service("", nil)
	if err != nil {
		return State{}, err
	}
	st := State{Scope: m.scope(), Manager: s.Platform()}
	status, err := s.Status()
	switch {
	case errors.Is(err, service.ErrNotInstalled):
		st.State = StateNotInstalled
	case err != nil:
		st.State, st.Error = StateUnknown, err.Error()
	case status == service.StatusRunning:
		st.State = StateRunning
	case status == service.StatusStopped:
		st.State = StateStopped
	default:
		st.State = StateUnknown
	}
	return st, nil
}
