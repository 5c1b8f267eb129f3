//go:build !windows

package main

import (
	"os"
	"strings"
	"testing"
)

// Where no systemd manager answers (here: systemctl cannot reach the bus,
// as for a user service outside a login session), install, start, stop,
// uninstall and status say so in one line and point to `lastfmd run`,
// instead of a systemctl or sudo command that fails the same way.
func TestServiceNoManagerCLI(t *testing.T) {
	fake, _ := fakeSystemd(t)
	env := cleanEnv(t, append(fake, "FAKE_NOBUS=1")...)
	unit := homeOf(env) + "/.config/systemd/user/lastfmd.service"
	const bus = "Failed to connect to bus: No medium found"
	foreground := "run lastfmd in the foreground instead: `"
	for _, args := range [][]string{
		{"install", "--user"},
		{"start", "--user"},
		{"stop", "--user"},
		{"uninstall", "--user"},
		{"start"},
		{"restart"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			_, errOut, code := runCLI(t, env, "", args...)
			says := "`systemctl` says: "
			if len(args) > 1 {
				says = "`systemctl --user` says: "
			}
			teach(t, "", errOut, code, "no service manager answers here ("+says+bus+")", foreground, " run`")
			for _, wrong := range []string{"systemctl --user status", "systemctl status", "sudo", "install it with"} {
				if strings.Contains(errOut, wrong) {
					t.Errorf("suggests %q, which cannot work here: %s", wrong, errOut)
				}
			}
			if _, err := os.Stat(unit); !os.IsNotExist(err) {
				t.Errorf("the unit is there: %v", err)
			}
		})
	}
	out, _, code := runCLI(t, env, "", "status", "--user")
	for _, want := range []string{"service:  no service manager (user unit lastfmd.service, `systemctl --user` says: " + bus + ")",
		"no service manager answers here, so no service can run: run lastfmd in the foreground: `lastfmd run`"} {
		if !strings.Contains(out, want) {
			t.Errorf("status --user lacks %q:\n%s", want, out)
		}
	}
	if code != 1 || strings.Contains(out, "not installed") {
		t.Errorf("status --user: exit %d\n%s", code, out)
	}
}
