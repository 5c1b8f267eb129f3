package service

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// unit is a parsed unit file: section -> its directives ("Key=Value"), in
// order, comments and blank lines dropped.
type unit map[string][]string

func parseUnit(text string) unit {
	u := unit{}
	section := ""
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[' && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
		default:
			k, v, _ := strings.Cut(line, "=")
			u[section] = append(u[section], strings.TrimSpace(k)+"="+strings.TrimSpace(v))
		}
	}
	return u
}

// values returns every value of a directive.
func (u unit) values(section, key string) []string {
	var out []string
	for _, d := range u[section] {
		if k, v, _ := strings.Cut(d, "="); k == key {
			out = append(out, v)
		}
	}
	return out
}

// value returns a directive's only value.
func (u unit) value(t *testing.T, section, key string) string {
	t.Helper()
	v := u.values(section, key)
	if len(v) != 1 {
		t.Errorf("[%s] %s= appears %d times, want once: %q", section, key, len(v), v)
		return ""
	}
	return v[0]
}

func repoFile(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// diffDirectives is what b has that a lacks and a has that b lacks, as
// "[section] Key=Value" lines.
func diffDirectives(a, b unit) (onlyA, onlyB []string) {
	for _, s := range []string{"Unit", "Service", "Install", "Socket"} {
		as, bs := slices.Clone(a[s]), slices.Clone(b[s])
		for _, d := range as {
			if i := slices.Index(bs, d); i >= 0 {
				bs = slices.Delete(bs, i, i+1)
			} else {
				onlyA = append(onlyA, "["+s+"] "+d)
			}
		}
		for _, d := range bs {
			onlyB = append(onlyB, "["+s+"] "+d)
		}
	}
	return onlyA, onlyB
}

// TestSystemdUnitsMatchTemplates: what `lastfmd install` writes and the
// units shipped in systemd/ have the same directives.
func TestSystemdUnitsMatchTemplates(t *testing.T) {
	for _, tc := range []struct {
		user bool
		file string
	}{{false, "systemd/lastfmd.service"}, {true, "systemd/user/lastfmd.service"}} {
		rendered := parseUnit(renderFor(t, tc.user, "/usr/local/bin/lastfmd", "run"))
		shipped := parseUnit(repoFile(t, tc.file))
		// kardianos quotes each argument ("run"); systemd unquotes it.
		rendered["Service"] = slices.Clone(rendered["Service"])
		for i, d := range rendered["Service"] {
			if strings.HasPrefix(d, "ExecStart=") {
				rendered["Service"][i] = strings.ReplaceAll(d, `"`, "")
			}
		}
		onlyR, onlyS := diffDirectives(rendered, shipped)
		if len(onlyR)+len(onlyS) > 0 {
			t.Errorf("%s and the install template differ:\n only installed: %q\n only shipped:   %q", tc.file, onlyR, onlyS)
		}
	}
}

// userDifferences are the system unit's directives a user unit leaves out
// or changes, with why; systemd/user/lastfmd.service lists the same.
var userDifferences = map[string]string{
	"After":                 "network-online.target is a system unit",
	"Wants":                 "network-online.target is a system unit",
	"DynamicUser":           "a user service runs as its user",
	"LoadCredential":        "the user's config names api_secret_file; no token by default",
	"Environment":           "no token credential to point at",
	"ProtectSystem":         "mount namespaces need unprivileged user namespaces in a user manager",
	"ProtectHome":           "and the user's home must stay visible (go install, ~/.config)",
	"PrivateTmp":            "mount namespace",
	"PrivateDevices":        "mount namespace",
	"PrivateUsers":          "user namespace",
	"PrivateMounts":         "mount namespace",
	"ProtectProc":           "mount namespace",
	"ProcSubset":            "mount namespace",
	"ProtectKernelTunables": "mount namespace",
	"ProtectKernelModules":  "mount namespace",
	"ProtectKernelLogs":     "mount namespace",
	"ProtectControlGroups":  "mount namespace",
	"ProtectClock":          "mount namespace",
	"ProtectHostname":       "UTS namespace",
	"DevicePolicy":          "no device controller in a user manager",
	"CapabilityBoundingSet": "a user service holds no capabilities",
	"AmbientCapabilities":   "a user service holds no capabilities",
	"RuntimeDirectoryMode":  "$XDG_RUNTIME_DIR is the user's alone: 0700",
	"WantedBy":              "default.target: no multi-user.target in a session",
}

// TestSystemdUserUnitDifferences: the user unit differs from the system
// unit exactly by the written list, and its header documents each one.
func TestSystemdUserUnitDifferences(t *testing.T) {
	sys := parseUnit(repoFile(t, "systemd/lastfmd.service"))
	usr := parseUnit(repoFile(t, "systemd/user/lastfmd.service"))
	onlySys, onlyUser := diffDirectives(sys, usr)
	changed := map[string]bool{}
	for _, d := range append(onlySys, onlyUser...) {
		_, kv, _ := strings.Cut(d, " ")
		k, _, _ := strings.Cut(kv, "=")
		changed[k] = true
	}
	for k := range changed {
		if _, ok := userDifferences[k]; !ok {
			t.Errorf("%s differs between the system and user units but is not in the list of differences", k)
		}
	}
	for k, why := range userDifferences {
		if !changed[k] {
			t.Errorf("%s is listed as a difference (%s) but the units agree on it", k, why)
		}
	}
	header := repoFile(t, "systemd/user/lastfmd.service")
	header = header[:strings.Index(header, "[Unit]")]
	for k := range userDifferences {
		if !strings.Contains(header, k+"=") {
			t.Errorf("systemd/user/lastfmd.service's header does not explain %s=", k)
		}
	}
	if got := usr.value(t, "Install", "WantedBy"); got != "default.target" {
		t.Errorf("user unit WantedBy=%s, want default.target", got)
	}
}

// TestSystemdSystemUnitDirectives: the system unit (as installed) has every
// directive the issue asks for, with these values.
func TestSystemdSystemUnitDirectives(t *testing.T) {
	text := renderFor(t, false, "/usr/local/bin/lastfmd", "run")
	u := parseUnit(text)
	want := map[string]string{
		"Type": "notify", "Restart": "on-failure", "RestartSec": "5", "RestartPreventExitStatus": "65", "DynamicUser": "yes",
		"StateDirectory": "lastfmd", "RuntimeDirectory": "lastfmd", "RuntimeDirectoryPreserve": "yes",
		"ConfigurationDirectory": "lastfmd", "UMask": "0077", "ProtectSystem": "strict", "ProtectHome": "yes",
		"PrivateTmp": "yes", "PrivateDevices": "yes", "PrivateUsers": "yes", "PrivateMounts": "yes",
		"ProtectProc": "invisible", "ProcSubset": "pid", "DevicePolicy": "closed",
		"ProtectKernelTunables": "yes", "ProtectKernelModules": "yes", "ProtectKernelLogs": "yes",
		"ProtectControlGroups": "yes", "ProtectClock": "yes", "ProtectHostname": "yes",
		"RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6", "RestrictNamespaces": "yes",
		"RestrictRealtime": "yes", "RestrictSUIDSGID": "yes", "LockPersonality": "yes",
		"MemoryDenyWriteExecute": "yes", "SystemCallArchitectures": "native", "CapabilityBoundingSet": "",
		"NoNewPrivileges": "yes",
	}
	for k, v := range want {
		if got := u.value(t, "Service", k); got != v {
			t.Errorf("%s=%q, want %q", k, got, v)
		}
	}
	for _, k := range []string{"WatchdogSec", "TimeoutStopSec", "MemoryMax"} {
		if u.value(t, "Service", k) == "" {
			t.Errorf("%s= is missing", k)
		}
	}
	if got := u.values("Service", "SystemCallFilter"); !slices.Equal(got, []string{"@system-service", "~@privileged @resources"}) {
		t.Errorf("SystemCallFilter=%q", got)
	}
	if got := u.values("Service", "LoadCredential"); !slices.Equal(got, []string{"api-secret:/etc/lastfmd/api-secret", "token:/etc/lastfmd/token"}) {
		t.Errorf("LoadCredential=%q", got)
	}
	if !strings.Contains(text, "\n#LoadCredential=session-key:/etc/lastfmd/session-key\n") {
		t.Error("the optional session-key credential is not shipped commented out")
	}
	if got := u.value(t, "Service", "ExecStart"); got != `/usr/local/bin/lastfmd "run"` {
		t.Errorf("ExecStart=%s", got)
	}
	if got := u.value(t, "Install", "WantedBy"); got != "multi-user.target" {
		t.Errorf("WantedBy=%s", got)
	}
}

// TestSystemdNoSecretInEnvironment: Environment= in any unit holds paths
// only, never a secret's value (its variables are *_FILE names).
func TestSystemdNoSecretInEnvironment(t *testing.T) {
	units := map[string]string{
		"installed system": renderFor(t, false, "/usr/local/bin/lastfmd", "run"),
		"installed user":   renderFor(t, true, "/home/alice/go/bin/lastfmd", "run"),
		"shipped system":   repoFile(t, "systemd/lastfmd.service"),
		"shipped user":     repoFile(t, "systemd/user/lastfmd.service"),
	}
	for name, text := range units {
		u := parseUnit(text)
		for _, env := range append(u.values("Service", "Environment"), u.values("Service", "EnvironmentFile")...) {
			k, v, _ := strings.Cut(strings.Trim(env, `"`), "=")
			if !strings.HasSuffix(k, "_FILE") || !(strings.HasPrefix(v, "%d/") || strings.HasPrefix(v, "/")) {
				t.Errorf("%s unit: Environment=%s is not a *_FILE path", name, env)
			}
		}
		if strings.Contains(text, "LASTFMD_API_SECRET=") || strings.Contains(text, "EnvironmentFile") {
			t.Errorf("%s unit passes secrets through the environment", name)
		}
	}
}

// TestSystemdSocketSurvivesRestart: the socket unit's socket lives in the
// service's RuntimeDirectory, which the installed and shipped service units
// preserve when the service stops; otherwise stopping lastfmd would delete
// the socket lastfmd.socket keeps listening on.
func TestSystemdSocketSurvivesRestart(t *testing.T) {
	sock := parseUnit(repoFile(t, "systemd/lastfmd.socket"))
	listen := sock.values("Socket", "ListenStream")
	if !slices.Equal(listen, []string{"/run/lastfmd/lastfmd.sock"}) {
		t.Fatalf("ListenStream=%q", listen)
	}
	if g := sock.value(t, "Socket", "SocketGroup"); g != Group {
		t.Errorf("SocketGroup=%s", g)
	}
	if m := sock.value(t, "Socket", "SocketMode"); m != "0660" {
		t.Errorf("SocketMode=%s", m)
	}
	if !strings.Contains(repoFile(t, "systemd/lastfmd.socket"), "\n#ListenStream=127.0.0.1:7375\n") {
		t.Error("the optional loopback ListenStream is not shipped commented out")
	}
	if s := sock.value(t, "Socket", "Service"); s != UnitName {
		t.Errorf("Service=%s", s)
	}
	for name, text := range map[string]string{
		"installed": renderFor(t, false, "/usr/local/bin/lastfmd", "run"),
		"shipped":   repoFile(t, "systemd/lastfmd.service"),
	} {
		svc := parseUnit(text)
		dir := "/run/" + svc.value(t, "Service", "RuntimeDirectory")
		if filepath.Dir(listen[0]) != dir {
			t.Errorf("%s: the socket %s is not in the RuntimeDirectory %s", name, listen[0], dir)
		}
		if svc.value(t, "Service", "RuntimeDirectoryPreserve") != "yes" {
			t.Errorf("%s: RuntimeDirectoryPreserve is not yes: a restart deletes %s", name, listen[0])
		}
		if !slices.Contains(svc.values("Service", "RestrictAddressFamilies"), "AF_UNIX AF_INET AF_INET6") {
			t.Errorf("%s: AF_UNIX not allowed: the passed socket and sd_notify need it", name)
		}
	}
}
