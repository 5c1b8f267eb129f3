package service

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kardianos/service"

	"github.com/lastfmd/lastfmd/daemon/config"
)

// newTestManager is a Manager on a fake machine with a fake kardianos.
func newTestManager(t *testing.T, user bool) (*Manager, *fakeHost, *[]string, *bytes.Buffer) {
	h := newFakeHost(t)
	calls := &[]string{}
	factory, _ := fakeFactory(h, calls, nil)
	out := &bytes.Buffer{}
	return &Manager{Host: h, NewService: factory, Out: out, User: user}, h, calls, out
}

var hexToken = regexp.MustCompile(`^[0-9a-f]{64}\n$`)

// TestServiceInstallSystem: a fresh system install creates the group, the
// token (root:lastfmd 0640), a starter configuration that lastfmd loads,
// and the unit through kardianos with our template; it says what it did
// and what to run next, and never prints the token.
func TestServiceInstallSystem(t *testing.T) {
	m, h, calls, out := newTestManager(t, false)
	if err := m.Install(InstallOptions{}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(*calls, []string{"install"}) {
		t.Errorf("kardianos calls %q", *calls)
	}
	if cmds := h.commands(); !slices.Contains(cmds, "groupadd --system lastfmd") {
		t.Errorf("group not created; commands %q", cmds)
	}
	unitText := h.read("/etc/systemd/system/lastfmd.service")
	u := parseUnit(unitText)
	if got := u.value(t, "Service", "ExecStart"); got != `/usr/local/bin/lastfmd "run"` {
		t.Errorf("ExecStart=%s", got)
	}
	if u.value(t, "Service", "Type") != "notify" || u.value(t, "Install", "WantedBy") != "multi-user.target" {
		t.Errorf("the unit is not ours:\n%s", unitText)
	}

	tok := h.read(TokenFile)
	if !hexToken.MatchString(tok) {
		t.Errorf("token %q is not 64 hex digits", tok)
	}
	if st, _ := h.Stat(TokenFile); st.Mode().Perm() != 0o640 {
		t.Errorf("token mode %v, want 0640", st.Mode().Perm())
	}
	if own := h.owners[TokenFile]; own != [2]int{0, 990} {
		t.Errorf("token owner %v, want root:lastfmd (0:990)", own)
	}
	if st, _ := h.Stat(SystemConfigFile); st.Mode().Perm() != 0o644 {
		t.Errorf("config mode %v, want 0644", st.Mode().Perm())
	}
	// The starter configuration is one lastfmd itself accepts.
	cfg, _, err := config.Load(config.Options{
		Path:   h.path(SystemConfigFile),
		Flags:  map[string]string{"security.token_file": h.path(TokenFile)},
		Getenv: func(k string) string { return map[string]string{"STATE_DIRECTORY": "/var/lib/lastfmd"}[k] },
	})
	if err != nil {
		t.Fatalf("the starter configuration does not load: %v", err)
	}
	if cfg.Listen != "127.0.0.1:7375" || cfg.Security.Token.Reveal() != strings.TrimSpace(tok) {
		t.Errorf("starter config: listen %q, token set %v", cfg.Listen, cfg.Security.Token.IsSet())
	}

	text := out.String()
	for _, want := range []string{
		"installed the system service lastfmd",
		"/etc/systemd/system/lastfmd.service (enabled)",
		"/usr/local/bin/lastfmd",
		"lastfmd (created",
		TokenFile + " (created, root:lastfmd 0640)",
		SystemConfigFile + " (created)",
		APISecretFile + " (missing",
		"sudoedit " + SystemConfigFile,
		"sudo install -m 600 /dev/null " + APISecretFile,
		"sudo lastfmd start",
		"usermod -aG lastfmd",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, strings.TrimSpace(tok)) {
		t.Error("install printed the token")
	}
}

// TestServiceInstallSystemKeeps: a second install with --force keeps the
// token clients hold and the configuration, fixes the token's mode, and
// replaces the unit; without --force it refuses.
func TestServiceInstallSystemKeeps(t *testing.T) {
	m, h, calls, out := newTestManager(t, false)
	h.groups[Group] = 4242
	if err := h.MkdirAll(ConfigDir, 0o755); err != nil {
		t.Fatal(err)
	}
	const tok = "existing-token-value-0123456789"
	if err := h.WriteFile(TokenFile, []byte(tok+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	conf := "[lastfm]\napi_key = \"0123456789abcdef0123456789abcdef\"\n"
	if err := h.WriteFile(SystemConfigFile, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := h.WriteFile(APISecretFile, []byte("secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := m.Install(InstallOptions{}); err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(h.commands(), func(c string) bool { return strings.HasPrefix(c, "groupadd") }) {
		t.Error("groupadd ran though the group exists")
	}
	if got := h.read(TokenFile); got != tok+"\n" {
		t.Errorf("token replaced: %q", got)
	}
	if st, _ := h.Stat(TokenFile); st.Mode().Perm() != 0o640 || h.owners[TokenFile] != [2]int{0, 4242} {
		t.Errorf("token mode %v owner %v, want 0640 root:lastfmd", st.Mode().Perm(), h.owners[TokenFile])
	}
	if got := h.read(SystemConfigFile); got != conf {
		t.Errorf("config rewritten: %q", got)
	}
	text := out.String()
	if strings.Contains(text, "sudoedit") || !strings.Contains(text, APISecretFile+" (exists") {
		t.Errorf("a complete setup still asks for edits:\n%s", text)
	}

	out.Reset()
	err := m.Install(InstallOptions{})
	if err == nil || !strings.Contains(err.Error(), "already installed") || !strings.Contains(err.Error(), "install --force") {
		t.Fatalf("second install: %v", err)
	}
	if err := h.WriteFile("/etc/systemd/system/lastfmd.service", []byte("[Service]\nExecStart=/old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := m.Install(InstallOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(h.read("/etc/systemd/system/lastfmd.service"), "/old") {
		t.Error("--force did not replace the unit")
	}
	if !strings.Contains(out.String(), "sudo lastfmd restart") {
		t.Errorf("--force does not say to restart:\n%s", out.String())
	}
	if n := strings.Count(strings.Join(*calls, ","), "install"); n != 2 {
		t.Errorf("kardianos install calls: %q", *calls)
	}
}

// TestServiceInstallRefuses: a binary or configuration the sandboxed
// system service cannot see, or a caller who is not root, is refused with
// the command that fixes it, before anything is created.
func TestServiceInstallRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, exe, config string
		uid               int
		want              []string
	}{
		{"home", "/home/alice/go/bin/lastfmd", "", 0, []string{"is under /home", "ProtectHome=yes", "sudo install -m 755 /home/alice/go/bin/lastfmd /usr/local/bin/lastfmd", "install --user"}},
		{"root home", "/root/lastfmd", "", 0, []string{"is under /root"}},
		{"tmp", "/tmp/lastfmd", "", 0, []string{"is under /tmp", "PrivateTmp=yes", "sudo install -m 755 /tmp/lastfmd /usr/local/bin/lastfmd"}},
		{"var tmp", "/var/tmp/x/lastfmd", "", 0, []string{"is under /var/tmp"}},
		{"go run", "/tmp/go-build2883/b001/exe/lastfmd", "", 0, []string{"temporary `go run` build", "go build -o lastfmd ./cmd/lastfmd && sudo install -m 755 lastfmd /usr/local/bin/lastfmd"}},
		{"go run elsewhere", "/var/cache/go-build123/b001/exe/lastfmd", "", 0, []string{"temporary `go run` build"}},
		{"not root", "/usr/local/bin/lastfmd", "", 1000, []string{"needs root", "sudo /usr/local/bin/lastfmd install", "install --user"}},
		{"config in home", "/usr/local/bin/lastfmd", "/home/alice/lastfmd.toml", 0, []string{"--config /home/alice/lastfmd.toml is under /home", "sudo install -m 644 /home/alice/lastfmd.toml /etc/lastfmd/lastfmd.toml"}},
		{"config missing", "/usr/local/bin/lastfmd", "/etc/lastfmd/other.toml", 0, []string{"--config /etc/lastfmd/other.toml: no such file"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, h, calls, out := newTestManager(t, false)
			h.exe, h.uid = tc.exe, tc.uid
			err := m.Install(InstallOptions{Config: tc.config})
			if err == nil {
				t.Fatal("install accepted it")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
			if len(*calls) > 0 || len(h.commands()) > 0 || h.exists(TokenFile) || h.exists(ConfigDir) || out.Len() > 0 {
				t.Errorf("something was done before refusing: kardianos %q, commands %q", *calls, h.commands())
			}
		})
	}
}

// TestServiceInstallUser: a user install accepts a binary in $HOME, writes
// the user unit (WantedBy=default.target), creates no group or token, and
// warns when lingering is off.
func TestServiceInstallUser(t *testing.T) {
	for _, linger := range []string{"no", "yes"} {
		t.Run("linger="+linger, func(t *testing.T) {
			m, h, calls, out := newTestManager(t, true)
			h.exe, h.uid = "/home/alice/go/bin/lastfmd", 1000
			h.run = func(name string, args ...string) (string, error) {
				if name == "loginctl" && slices.Equal(args, []string{"show-user", "alice", "--property=Linger", "--value"}) {
					return linger + "\n", nil
				}
				return "", fmt.Errorf("unexpected %s %q", name, args)
			}
			if err := m.Install(InstallOptions{}); err != nil {
				t.Fatal(err)
			}
			p := "/home/alice/.config/systemd/user/lastfmd.service"
			u := parseUnit(h.read(p))
			if got := u.value(t, "Install", "WantedBy"); got != "default.target" {
				t.Errorf("WantedBy=%s", got)
			}
			if got := u.value(t, "Service", "ExecStart"); got != `/home/alice/go/bin/lastfmd "run"` {
				t.Errorf("ExecStart=%s", got)
			}
			if len(u.values("Service", "DynamicUser")) > 0 || len(u.values("Service", "LoadCredential")) > 0 {
				t.Error("user unit has system-only directives")
			}
			if h.exists(TokenFile) || slices.ContainsFunc(h.commands(), func(c string) bool { return strings.HasPrefix(c, "groupadd") }) {
				t.Error("a user install created the system token or group")
			}
			if !slices.Equal(*calls, []string{"install"}) {
				t.Errorf("kardianos calls %q", *calls)
			}
			text := out.String()
			for _, want := range []string{"installed the user service lastfmd", p + " (enabled)", "lastfmd start --user", "/home/alice/.config/lastfmd/lastfmd.toml (missing"} {
				if !strings.Contains(text, want) {
					t.Errorf("output lacks %q:\n%s", want, text)
				}
			}
			if strings.Contains(text, "sudo") {
				t.Errorf("a user install suggests sudo:\n%s", text)
			}
			warned := strings.Contains(text, "lingering is off") && strings.Contains(text, "loginctl enable-linger alice")
			if warned != (linger == "no") {
				t.Errorf("linger=%s, warned=%v:\n%s", linger, warned, text)
			}
		})
	}
}

// TestServiceInstallUserRefusesGoRun: even a user service cannot run a
// binary `go run` deletes on exit.
func TestServiceInstallUserRefusesGoRun(t *testing.T) {
	m, h, calls, _ := newTestManager(t, true)
	h.exe = "/home/alice/.cache/go-build/ab/cd/go-build1234/b001/exe/lastfmd"
	err := m.Install(InstallOptions{})
	if err == nil || !strings.Contains(err.Error(), "go install ./cmd/lastfmd") || !strings.Contains(err.Error(), "install --user") {
		t.Fatalf("err = %v", err)
	}
	if len(*calls) > 0 {
		t.Errorf("kardianos called: %q", *calls)
	}
}

// TestServiceInstallFailure: kardianos' failure is reported with context
// and nothing claims success.
func TestServiceInstallFailure(t *testing.T) {
	h := newFakeHost(t)
	calls := &[]string{}
	factory, _ := fakeFactory(h, calls, map[string]error{"install": errors.New(`"systemctl" failed: exit status 1`)})
	out := &bytes.Buffer{}
	m := &Manager{Host: h, NewService: factory, Out: out}
	err := m.Install(InstallOptions{})
	if err == nil || !strings.Contains(err.Error(), "installing the system service with linux-systemd failed") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(out.String(), "installed") {
		t.Errorf("output claims success: %s", out.String())
	}
}

// TestServiceUninstall: uninstall stops, disables and removes the unit and
// says what it kept; a second one says it is not installed.
func TestServiceUninstall(t *testing.T) {
	for _, user := range []bool{false, true} {
		t.Run(fmt.Sprint("user=", user), func(t *testing.T) {
			m, h, calls, out := newTestManager(t, user)
			h.run = func(string, ...string) (string, error) { return "no\n", nil }
			if user {
				h.exe = "/home/alice/go/bin/lastfmd"
			}
			if err := m.Install(InstallOptions{}); err != nil {
				t.Fatal(err)
			}
			out.Reset()
			*calls = nil
			if err := m.Uninstall(); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(*calls, []string{"stop", "uninstall"}) {
				t.Errorf("kardianos calls %q, want stop then uninstall", *calls)
			}
			p := UnitPath(user, h.home)
			if h.exists(p) {
				t.Error("unit still there")
			}
			if !strings.Contains(out.String(), "removed  "+p) || !strings.Contains(out.String(), "kept") {
				t.Errorf("output:\n%s", out.String())
			}
			if !user && !h.exists(TokenFile) {
				t.Error("uninstall removed the token")
			}
			err := m.Uninstall()
			if !errors.Is(err, ErrNotInstalled) || !strings.Contains(err.Error(), "install") {
				t.Errorf("second uninstall: %v", err)
			}
		})
	}
}

// TestServiceControl: start/stop/restart refuse when not installed, call
// kardianos when installed, and point at the journal on failure.
func TestServiceControl(t *testing.T) {
	h := newFakeHost(t)
	calls := &[]string{}
	fail := map[string]error{}
	factory, _ := fakeFactory(h, calls, fail)
	out := &bytes.Buffer{}
	m := &Manager{Host: h, NewService: factory, Out: out}

	for _, do := range []func() error{m.Start, m.Stop, m.Restart} {
		if err := do(); !errors.Is(err, ErrNotInstalled) || !strings.Contains(err.Error(), "sudo lastfmd install") {
			t.Errorf("not installed: %v", err)
		}
	}
	if len(*calls) > 0 {
		t.Errorf("kardianos called for a missing service: %q", *calls)
	}
	if err := h.MkdirAll("/etc/systemd/system", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := h.WriteFile("/etc/systemd/system/lastfmd.service", []byte("[Service]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// On systemd, systemctl itself through Host.Run (the command-runner
	// boundary), so that its standard error reaches the user.
	for verb, do := range map[string]func() error{"start": m.Start, "stop": m.Stop, "restart": m.Restart} {
		*calls = nil
		out.Reset()
		before := len(h.commands())
		if err := do(); err != nil {
			t.Fatalf("%s: %v", verb, err)
		}
		if cmds := h.commands()[before:]; !slices.Equal(cmds, []string{"systemctl " + verb + " lastfmd.service"}) {
			t.Errorf("%s: commands %q", verb, cmds)
		}
		if !strings.Contains(out.String(), "ed the system service lastfmd") {
			t.Errorf("%s: output %q", verb, out.String())
		}
	}
	const words = "Job for lastfmd.service failed because the control process exited with error code."
	h.run = func(name string, args ...string) (string, error) {
		if !slices.Contains(args, "start") { // the manager answers; it refuses the start
			return "", nil
		}
		return "", &CommandError{Cmd: name + " " + strings.Join(args, " "), Msg: words, Err: errors.New("exit status 1")}
	}
	err := m.Start()
	if err == nil || !strings.Contains(err.Error(), "start failed: `systemctl start lastfmd.service`: "+words) ||
		!strings.Contains(err.Error(), "journalctl -u lastfmd") || !strings.Contains(err.Error(), "systemctl status lastfmd") {
		t.Errorf("failed start: %v", err)
	}
}

// TestServiceControlOtherManagers: where kardianos drives the manager
// itself (launchd, the Windows SCM: faked at kardianos' boundary), its
// words and a next step for that platform reach the user.
func TestServiceControlOtherManagers(t *testing.T) {
	for platform, want := range map[string]string{"darwin-launchd": "launchctl list", "windows-service": "sc.exe query lastfmd"} {
		h := newFakeHost(t)
		h.noCmd["systemctl"] = true
		calls := &[]string{}
		fail := map[string]error{"start": errors.New(`"launchctl" failed with stderr: Load failed: 5: Input/output error`),
			"uninstall": errors.New("The specified service does not exist as an installed service.")}
		m := &Manager{Host: h, Out: &bytes.Buffer{}, NewService: func(c *service.Config, _ bool) (service.Service, error) {
			return &fakeService{h: h, cfg: c, calls: calls, failOn: fail, platform: platform}, nil
		}}
		err := m.Start()
		if err == nil || !strings.Contains(err.Error(), "Load failed: 5: Input/output error") || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: failed start: %v", platform, err)
		}
		err = m.Uninstall()
		if err == nil || !strings.Contains(err.Error(), "does not exist as an installed service") || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: failed uninstall: %v", platform, err)
		}
	}
}

// TestServiceInstallRollsBack: a system install whose enable fails shows
// systemctl's words and removes what it created (group, token, starter
// configuration, directory, unit); what it cannot remove is listed with
// the command that does.
func TestServiceInstallRollsBack(t *testing.T) {
	const words = "Failed to enable unit: Unit file lastfmd.service is masked."
	h := newFakeHost(t)
	calls := &[]string{}
	factory, _ := fakeFactory(h, calls, nil)
	m := &Manager{Host: h, NewService: func(c *service.Config, systemd bool) (service.Service, error) {
		s, err := factory(c, systemd)
		s.(*fakeService).afterInstall = errors.New("exit status 1") // the unit is written, enable fails
		return s, err
	}, Out: &bytes.Buffer{}}
	h.run = func(name string, args ...string) (string, error) {
		if name == "systemctl" && slices.Contains(args, "enable") {
			return "", &CommandError{Cmd: name + " " + strings.Join(args, " "), Msg: words, Err: errors.New("exit status 1")}
		}
		if name == "groupdel" {
			delete(h.groups, args[0])
		}
		return "", nil
	}
	err := m.Install(InstallOptions{})
	if err == nil {
		t.Fatal("install succeeded")
	}
	msg := err.Error()
	for _, want := range []string{"`systemctl enable lastfmd.service`: " + words,
		"rolled back what this install created: removed /etc/systemd/system/lastfmd.service, " + SystemConfigFile + ", " + TokenFile + ", " + ConfigDir + ", the group lastfmd",
		"fix the cause, then run `sudo lastfmd install` again"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error lacks %q:\n%s", want, msg)
		}
	}
	for _, p := range []string{TokenFile, SystemConfigFile, ConfigDir, "/etc/systemd/system/lastfmd.service"} {
		if h.exists(p) {
			t.Errorf("%s is still there", p)
		}
	}
	if _, ok := h.groups[Group]; ok {
		t.Error("the group is still there")
	}

	// What cannot be removed is named, with its command.
	h2 := newFakeHost(t)
	factory2, _ := fakeFactory(h2, &[]string{}, map[string]error{"install": errors.New("exit status 1")})
	h2.run = func(name string, args ...string) (string, error) {
		if name == "groupdel" {
			return "", &CommandError{Cmd: "groupdel lastfmd", Msg: "groupdel: cannot remove the primary group of user 'x'", Err: errors.New("exit status 8")}
		}
		return "", nil
	}
	err = (&Manager{Host: h2, NewService: factory2, Out: &bytes.Buffer{}}).Install(InstallOptions{})
	if err == nil || !strings.Contains(err.Error(), "still there, remove by hand: the group lastfmd (") || !strings.Contains(err.Error(), ": sudo groupdel lastfmd") {
		t.Errorf("a failed undo: %v", err)
	}
}
