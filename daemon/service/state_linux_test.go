package service

import (
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/kardianos/service"
)

// TestServiceStatus: the states of `systemctl show` reduce to not
// installed / stopped / running / failed, for the system and user unit.
func TestServiceStatus(t *testing.T) {
	for _, tc := range []struct {
		name, show string
		want       State
	}{
		{"not installed", "LoadState=not-found\nActiveState=inactive\nSubState=dead\nUnitFileState=\nMainPID=0\n",
			State{State: StateNotInstalled, LoadState: "not-found", ActiveState: "inactive", SubState: "dead"}},
		{"stopped", "LoadState=loaded\nActiveState=inactive\nSubState=dead\nResult=success\nUnitFileState=enabled\nMainPID=0\n",
			State{State: StateStopped, LoadState: "loaded", ActiveState: "inactive", SubState: "dead", Result: "success", UnitFileState: "enabled"}},
		{"running", "LoadState=loaded\nActiveState=active\nSubState=running\nResult=success\nUnitFileState=enabled\nMainPID=4242\nActiveEnterTimestamp=Wed 2025-11-26 10:00:00 UTC\n",
			State{State: StateRunning, LoadState: "loaded", ActiveState: "active", SubState: "running", Result: "success", UnitFileState: "enabled", MainPID: 4242, Since: "Wed 2025-11-26 10:00:00 UTC"}},
		{"reloading", "LoadState=loaded\nActiveState=reloading\nSubState=reload\n",
			State{State: StateRunning, LoadState: "loaded", ActiveState: "reloading", SubState: "reload"}},
		{"starting", "LoadState=loaded\nActiveState=activating\nSubState=start\n",
			State{State: StateRunning, LoadState: "loaded", ActiveState: "activating", SubState: "start"}},
		{"failed", "LoadState=loaded\nActiveState=failed\nSubState=failed\nResult=watchdog\nUnitFileState=enabled\nMainPID=0\n",
			State{State: StateFailed, LoadState: "loaded", ActiveState: "failed", SubState: "failed", Result: "watchdog", UnitFileState: "enabled"}},
		{"bad unit", "LoadState=bad-setting\nActiveState=inactive\n",
			State{State: StateFailed, LoadState: "bad-setting", ActiveState: "inactive"}},
		{"gibberish", "hello\n", State{State: StateUnknown}},
	} {
		for _, user := range []bool{false, true} {
			m, h, _, _ := newTestManager(t, user)
			var args []string
			h.run = func(name string, a ...string) (string, error) {
				args = append([]string{name}, a...)
				return tc.show, nil
			}
			got, err := m.Status()
			if err != nil {
				t.Fatal(err)
			}
			want := tc.want
			want.Scope, want.Manager, want.Unit = map[bool]string{false: "system", true: "user"}[user], "linux-systemd", UnitName
			if got != want {
				t.Errorf("%s (user=%v):\n got  %+v\n want %+v", tc.name, user, got, want)
			}
			if slices.Contains(args, "--user") != user || args[0] != "systemctl" || !slices.Contains(args, "show") || !slices.Contains(args, UnitName) {
				t.Errorf("%s: ran %q", tc.name, args)
			}
		}
	}
}

// TestServiceStatusWithoutSystemd: when systemctl cannot answer (no
// systemd running, as in a container), no service manager answers, with
// the reason, whether or not a unit file is there: "not installed" would
// send the user to an install that fails the same way.
func TestServiceStatusWithoutSystemd(t *testing.T) {
	m, h, _, _ := newTestManager(t, false)
	h.run = func(string, ...string) (string, error) {
		return "", &CommandError{Cmd: "systemctl show", Msg: "System has not been booted with systemd as init system (PID 1). Can't operate."}
	}
	st, err := m.Status()
	if err != nil || st.State != StateNoManager || st.Error != "`systemctl` says: System has not been booted with systemd as init system (PID 1). Can't operate." {
		t.Errorf("no unit: %+v, %v", st, err)
	}
	if err := h.MkdirAll("/etc/systemd/system", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := h.WriteFile("/etc/systemd/system/lastfmd.service", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	st, err = m.Status()
	if err != nil || st.State != StateNoManager || !strings.Contains(st.Error, "not been booted with systemd") {
		t.Errorf("unit, no systemd: %+v, %v", st, err)
	}
}

// TestServiceStatusOtherManagers: without systemd, kardianos' own status
// (launchd, Windows) is used.
func TestServiceStatusOtherManagers(t *testing.T) {
	for _, tc := range []struct {
		status service.Status
		err    error
		want   string
	}{
		{service.StatusRunning, nil, StateRunning},
		{service.StatusStopped, nil, StateStopped},
		{service.StatusUnknown, service.ErrNotInstalled, StateNotInstalled},
		{service.StatusUnknown, errors.New("boom"), StateUnknown},
	} {
		h := newFakeHost(t)
		h.noCmd["systemctl"] = true
		calls := &[]string{}
		m := &Manager{Host: h, NewService: func(c *service.Config, systemd bool) (service.Service, error) {
			if systemd {
				t.Error("systemd chosen without systemctl")
			}
			return &fakeService{h: h, cfg: c, calls: calls, status: tc.status, stErr: tc.err}, nil
		}}
		st, err := m.Status()
		if err != nil || st.State != tc.want {
			t.Errorf("%v/%v: %+v, %v", tc.status, tc.err, st, err)
		}
		if slices.ContainsFunc(h.commands(), func(c string) bool { return strings.HasPrefix(c, "systemctl") }) {
			t.Error("ran systemctl")
		}
	}
}

// TestServiceCommandError: a failed command's error names it and its
// first line of standard error.
func TestServiceCommandError(t *testing.T) {
	_, err := OSHost{}.Run("sh", "-c", "echo first >&2; echo second >&2; exit 3")
	var ce *CommandError
	if !errors.As(err, &ce) || ce.ExitCode() != 3 || err.Error() != "`sh -c echo first >&2; echo second >&2; exit 3`: first" {
		t.Errorf("err = %v", err)
	}
	if _, err := (OSHost{}).Run("lastfmd-no-such-command"); !errors.Is(err, exec.ErrNotFound) {
		t.Errorf("missing command: %v", err)
	}
}
