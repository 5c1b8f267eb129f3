package service

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/kardianos/service"
)

// Where no service manager answers (systemctl cannot reach the bus: no
// systemd in a container, no user manager for an su or ssh session),
// every service command says so in one line, with systemctl's words, and
// points to `lastfmd run`; none suggests an install, sudo or a systemctl
// command that fails the same way, and a failed install leaves nothing.
func TestServiceNoManager(t *testing.T) {
	const bus = "Failed to connect to bus: No medium found"
	for _, user := range []bool{false, true} {
		says := "`systemctl` says: " + bus
		if user {
			says = "`systemctl --user` says: " + bus
		}
		newManager := func(t *testing.T, failOn map[string]error) (*Manager, *fakeHost) {
			h := newFakeHost(t)
			if user {
				h.exe, h.uid = "/home/alice/go/bin/lastfmd", 1000
			}
			h.run = func(name string, args ...string) (string, error) {
				if name == "systemctl" {
					return "", &CommandError{Cmd: name + " " + strings.Join(args, " "), Msg: bus, Err: errors.New("exit status 1")}
				}
				return "", nil
			}
			m := &Manager{Host: h, Out: &bytes.Buffer{}, User: user, NewService: func(c *service.Config, _ bool) (service.Service, error) {
				// kardianos writes the unit, then its systemctl fails.
				return &fakeService{h: h, cfg: c, calls: &[]string{}, failOn: failOn,
					afterInstall: errors.New(`"systemctl" failed: exit status 1`)}, nil
			}}
			return m, h
		}
		installUnit := func(t *testing.T, h *fakeHost) {
			p := UnitPath(user, h.home)
			if err := h.MkdirAll(p[:strings.LastIndex(p, "/")], 0o755); err != nil {
				t.Fatal(err)
			}
			if err := h.WriteFile(p, []byte("[Service]\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		failing := errors.New(`"systemctl" failed: exit status 1`)
		for _, tc := range []struct {
			name      string
			installed bool
			do        func(*Manager) error
		}{
			{"install", false, func(m *Manager) error { return m.Install(InstallOptions{}) }},
			{"start, not installed", false, (*Manager).Start},
			{"start", true, (*Manager).Start},
			{"stop", true, (*Manager).Stop},
			{"restart", true, (*Manager).Restart},
			{"uninstall, not installed", false, (*Manager).Uninstall},
			{"uninstall", true, (*Manager).Uninstall},
		} {
			t.Run(fmt.Sprintf("user=%v/%s", user, tc.name), func(t *testing.T) {
				m, h := newManager(t, map[string]error{"uninstall": failing})
				if tc.installed {
					installUnit(t, h)
				}
				err := tc.do(m)
				if !errors.Is(err, ErrNoManager) {
					t.Fatalf("err = %v, want ErrNoManager", err)
				}
				msg := err.Error()
				for _, want := range []string{"no service manager answers here (" + says + ")", "run lastfmd in the foreground instead: `lastfmd run`"} {
					if !strings.Contains(msg, want) {
						t.Errorf("%q lacks %q", msg, want)
					}
				}
				for _, wrong := range []string{"\n", "sudo", "systemctl status", "systemctl --user status", "install it with", "lastfmd install"} {
					if strings.Contains(msg, wrong) {
						t.Errorf("%q holds %q", msg, wrong)
					}
				}
				if !tc.installed && h.exists(UnitPath(user, h.home)) {
					t.Error("the unit a failed install wrote is left")
				}
				if h.exists(TokenFile) || h.exists(ConfigDir) {
					t.Error("a failed install left what it created")
				}
			})
		}
		t.Run(fmt.Sprintf("user=%v/status", user), func(t *testing.T) {
			m, _ := newManager(t, nil)
			st, err := m.Status()
			if err != nil || st.State != StateNoManager || st.Error != says {
				t.Errorf("%+v, %v", st, err)
			}
		})
	}
}
