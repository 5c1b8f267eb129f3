package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/daemontest"
	"github.com/lastfmd/lastfmd/daemon/emulator"
)

// `lastfmd auth login` through a running daemon: the URL on its own line,
// approval on Last.fm, "Signed in as NAME"; the daemon uses it at once.
func TestAuthCLILoginThroughDaemon(t *testing.T) {
	w := newAuthWorld(t, worldOpt{daemon: true})
	url, out, errOut, code := w.loginRun(w.env(), "alice", "--no-browser")
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	if !strings.HasPrefix(url, w.emu.AuthURL()+"?api_key="+daemontest.Key+"&token=") {
		t.Errorf("first line %q is not the approval URL", url)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || lines[1] != "Signed in as alice" {
		t.Errorf("stdout %q", out)
	}
	a, ok := w.m.Accounts.Get("alice")
	if !ok {
		t.Fatal("the daemon did not store alice")
	}
	w.noSecrets(out+errOut, "CLI output", a.Key)
	w.noSecrets(w.logs.String(), "daemon logs", a.Key, url[strings.Index(url, "token=")+6:])
	// The running daemon uses it for the next write.
	o, e, code := runCLI(t, w.env(), "", "call", "track.love", "artist=Cher", "track=Believe")
	if code != 0 || strings.Contains(o, "error") {
		t.Fatalf("call after login: %d %s %s", code, o, e)
	}
	if len(w.emu.Loved("alice")) != 1 {
		t.Error("the write did not reach alice's account")
	}
	// --account names it.
	_, out, errOut, code = w.loginRun(w.env(), "bob", "--no-browser", "--account", "bob-work")
	if code != 0 || !strings.Contains(out, "Signed in as the Last.fm user bob, stored as the account bob-work") {
		t.Fatalf("--account: %d %s %s", code, out, errOut)
	}
	// An unknown account is a clear error.
	_, e, code = runCLI(t, w.env(), "", "call", "track.love", "artist=Cher", "track=Believe", "--account", "nobody")
	if code != 1 || !strings.Contains(e, "unknown account") {
		t.Errorf("call --account nobody: %d %s", code, e)
	}
}

// Without a daemon the CLI runs the flow itself and writes sessions.json;
// a dead token is reported and nothing is stored.
func TestAuthCLILoginLocal(t *testing.T) {
	w := newAuthWorld(t, worldOpt{})
	url, out, errOut, code := w.loginRun(w.env(), "alice", "--no-browser")
	if code != 0 || !strings.HasSuffix(strings.TrimSpace(out), "Signed in as alice") {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	a, ok := w.store().Get("alice")
	if !ok {
		t.Fatal("alice not in sessions.json")
	}
	if u, _ := w.emu.SessionUser(a.Key); u != "alice" {
		t.Error("stored key is not alice's")
	}
	st, err := os.Stat(filepath.Join(w.stateDir, "sessions.json"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("sessions.json: %v %v", st.Mode(), err)
	}
	w.noSecrets(out+errOut, "CLI output", a.Key)
	if strings.Count(out+errOut, url[strings.Index(url, "token=")+6:]) != 1 {
		t.Error("the token appears outside the URL line")
	}

	// Expired token (15): said, exit 1, nothing stored.
	w.emu.Fail(emulator.Fault{Method: "auth.getSession", Code: 15})
	_, out, errOut, code = w.loginRun(w.env(), "", "--no-browser", "--account", "x")
	if code != 1 || !strings.Contains(errOut, "expired") || strings.Contains(out, "Signed in") {
		t.Errorf("expired: %d %q %q", code, out, errOut)
	}
	if _, ok := w.store().Get("x"); ok {
		t.Error("stored an account for an expired token")
	}
	// Bad account name: usage error before anything reaches Last.fm.
	_, _, errOut, code = w.loginRun(w.env(), "", "--no-browser", "--account", "no spaces")
	if code != 2 {
		t.Errorf("bad --account: %d %s", code, errOut)
	}
}

// Running locally needs the secret; a system-wide service installed means
// "start the service" instead of writing files it could not read.
func TestAuthCLIWhereFlowsRun(t *testing.T) {
	w := newAuthWorld(t, worldOpt{})
	// No secret configured: the local flow says what is missing.
	env := append(cleanEnv(t), "LASTFMD_API_KEY="+daemontest.Key)
	_, errOut, code := runCLI(t, env, "alice-pw\n", "auth", "mobile", "--username", "alice", "--password-stdin")
	if code != 1 || !strings.Contains(errOut, "secret") {
		t.Errorf("without a secret: %d %s", code, errOut)
	}

	unit := filepath.Join(t.TempDir(), "lastfmd.service")
	os.WriteFile(unit, []byte("[Unit]\n"), 0o644)
	old := systemUnitPath
	systemUnitPath = unit
	defer func() { systemUnitPath = old }()
	for _, args := range [][]string{
		{"auth", "login", "--no-browser"},
		{"auth", "mobile", "--username", "alice", "--password-stdin"},
		{"auth", "status"},
		{"auth", "default", "alice"},
	} {
		var out, errb bytes.Buffer
		code := execute(append(args, "--config", w.confPath), strings.NewReader("alice-pw\n"), &out, &errb)
		if code != 1 || !strings.Contains(errb.String(), "installed as a system service") || !strings.Contains(errb.String(), "systemctl start lastfmd") {
			t.Errorf("%v with a system service: %d %q", args, code, errb.String())
		}
	}
	if w.emu.Count("") != 0 {
		t.Error("something reached Last.fm")
	}
	if _, err := os.Stat(filepath.Join(w.stateDir, "sessions.json")); err == nil {
		t.Error("sessions.json written despite the system service")
	}
}

// auth mobile: the password from stdin or a no-echo prompt, never shown.
func TestAuthCLIMobile(t *testing.T) {
	for _, withDaemon := range []bool{true, false} {
		t.Run(map[bool]string{true: "daemon", false: "local"}[withDaemon], func(t *testing.T) {
			w := newAuthWorld(t, worldOpt{daemon: withDaemon})
			out, errOut, code := runCLI(t, w.env(), "wrong-pw\n", "auth", "mobile", "--username", "alice", "--password-stdin")
			if code != 1 || !strings.Contains(errOut, "user name or password") {
				t.Errorf("wrong password: %d %q", code, errOut)
			}
			w.noSecrets(out+errOut, "output", "wrong-pw")
			out, errOut, code = runCLI(t, w.env(), "alice-pw\n", "auth", "mobile", "--username", "alice", "--password-stdin")
			if code != 0 || out != "Signed in as alice\n" {
				t.Fatalf("mobile: %d %q %q", code, out, errOut)
			}
			a, _ := w.store().Get("alice")
			w.noSecrets(out+errOut, "output", "alice-pw", a.Key)
			if r := w.emu.Requests(); r[len(r)-1].Params["password"] != "alice-pw" || r[len(r)-1].HTTPMethod != "POST" {
				t.Error("password not sent by POST")
			}
			// No terminal and no --password-stdin: a usage error, not a hang.
			_, errOut, code = runCLI(t, w.env(), "alice-pw\n", "auth", "mobile", "--username", "alice")
			if code != 2 || !strings.Contains(errOut, "--password-stdin") {
				t.Errorf("no tty: %d %q", code, errOut)
			}
			_, errOut, code = runCLI(t, w.env(), "", "auth", "mobile", "--password-stdin")
			if code != 2 || !strings.Contains(errOut, "--username") {
				t.Errorf("no username: %d %q", code, errOut)
			}
			_, errOut, code = runCLI(t, w.env(), "\n", "auth", "mobile", "--username", "alice", "--password-stdin")
			if code != 1 || !strings.Contains(errOut, "no password") {
				t.Errorf("empty password: %d %q", code, errOut)
			}
			if w.m != nil {
				w.noSecrets(w.logs.String(), "daemon logs", "alice-pw", "wrong-pw", a.Key)
			}
		})
	}
}

// auth import, status, default, logout.
func TestAuthCLIImportStatusDefaultLogout(t *testing.T) {
	for _, withDaemon := range []bool{true, false} {
		t.Run(map[bool]string{true: "daemon", false: "local"}[withDaemon], func(t *testing.T) {
			w := newAuthWorld(t, worldOpt{daemon: withDaemon})
			out, _, code := runCLI(t, w.env(), "", "auth", "status")
			if code != 0 || !strings.Contains(out, "No Last.fm account is signed in") {
				t.Errorf("empty status: %d %q", code, out)
			}
			sk := w.emu.NewSession("bob")
			_, errOut, code := runCLI(t, w.env(), sk+"\n", "auth", "import", "--username", "alice")
			if code != 1 || !strings.Contains(errOut, `belongs to the Last.fm user "bob"`) {
				t.Errorf("import of another user's key: %d %q", code, errOut)
			}
			out, errOut, code = runCLI(t, w.env(), sk+"\n", "auth", "import", "--username", "bob")
			if code != 0 || !strings.Contains(out, "as the account bob") {
				t.Fatalf("import: %d %q %q", code, out, errOut)
			}
			skAlice := w.emu.NewSession("alice")
			if _, errOut, code = runCLI(t, w.env(), skAlice, "auth", "import", "--username", "alice", "--account", "home"); code != 0 {
				t.Fatalf("import home: %s", errOut)
			}
			out, errOut, code = runCLI(t, w.env(), "", "auth", "status")
			if code != 0 {
				t.Fatalf("status: %d %s", code, errOut)
			}
			w.noSecrets(out+errOut, "status", sk, skAlice)
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 3 || !strings.HasPrefix(lines[0], "ACCOUNT") || !strings.Contains(lines[0], "NEEDS SIGN-IN") ||
				!regexpMatch(`^bob\s+bob\s+yes\s+no\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\s+-$`, lines[1]) ||
				!regexpMatch(`^home\s+alice\s+no\s+no\s+`, lines[2]) {
				t.Errorf("status:\n%s", out)
			}
			if out, errOut, code = runCLI(t, w.env(), "", "auth", "default", "home"); code != 0 || !strings.Contains(out, "home") {
				t.Fatalf("default: %d %s %s", code, out, errOut)
			}
			if _, errOut, code = runCLI(t, w.env(), "", "auth", "default", "nobody"); code != 1 || !strings.Contains(errOut, "unknown account") {
				t.Errorf("default nobody: %d %s", code, errOut)
			}
			if _, errOut, code = runCLI(t, w.env(), "", "auth", "default"); code != 2 {
				t.Errorf("default without NAME: %d %s", code, errOut)
			}
			if def, _ := w.store().Default(); def.Name != "home" {
				t.Errorf("default is %q", def.Name)
			}
			if _, errOut, code = runCLI(t, w.env(), "", "auth", "logout", "--account", "nobody"); code != 1 || !strings.Contains(errOut, "unknown account") {
				t.Errorf("logout nobody: %d %s", code, errOut)
			}
			// Without --account: the default account.
			// Signing out the default account says where the default went.
			if out, errOut, code = runCLI(t, w.env(), "", "auth", "logout"); code != 0 ||
				out != "Signed out home\nIt was the default account; the default is now bob (change it: lastfmd auth default NAME)\n" {
				t.Fatalf("logout: %d %q %q", code, out, errOut)
			}
			// An import over an existing account says it replaces a session.
			skBob2 := w.emu.NewSession("bob")
			if out, errOut, code = runCLI(t, w.env(), skBob2+"\n", "auth", "import", "--username", "bob"); code != 0 ||
				!strings.Contains(out, "It replaces the session the account bob had (Last.fm user bob)") {
				t.Errorf("import over bob: %d %q %q", code, out, errOut)
			}
			w.noSecrets(out, "import", sk, skBob2)
			// The last one.
			if out, errOut, code = runCLI(t, w.env(), "", "auth", "logout"); code != 0 || !strings.Contains(out, "It was the last account: writes need `lastfmd auth login` again") {
				t.Errorf("logout of the last account: %d %q %q", code, out, errOut)
			}
			// --account is offered only where it does something.
			if _, errOut, code = runCLI(t, w.env(), "", "auth", "web", "--account", "x"); code != 2 || !strings.Contains(errOut, "unknown flag: --account") {
				t.Errorf("auth web --account: %d %q", code, errOut)
			}
			if _, ok := w.store().Get("home"); ok {
				t.Error("home still stored")
			}
		})
	}
}

// A revoked session shows as needing sign-in in auth status (and the
// daemon's /v1/status), and signing in again clears it.
func TestAuthCLIRevokedShown(t *testing.T) {
	w := newAuthWorld(t, worldOpt{daemon: true})
	if _, _, code := runCLI(t, w.env(), "alice-pw\n", "auth", "mobile", "--username", "alice", "--password-stdin"); code != 0 {
		t.Fatal("mobile sign-in failed")
	}
	a, _ := w.m.Accounts.Get("alice")
	w.emu.RevokeSession(a.Key)
	if _, _, code := runCLI(t, w.env(), "", "call", "track.love", "artist=Cher", "track=Believe"); code != 1 {
		t.Fatal("write with a revoked key succeeded")
	}
	out, errOut, _ := runCLI(t, w.env(), "", "auth", "status")
	if !regexpMatch(`(?m)^alice\s+alice\s+yes\s+yes\s`, out) || !strings.Contains(errOut, "lastfmd auth login --account alice") {
		t.Errorf("status after revocation:\n%s%s", out, errOut)
	}
	w.noSecrets(out+errOut, "status", a.Key)
	if _, _, code := runCLI(t, w.env(), "alice-pw\n", "auth", "mobile", "--username", "alice", "--password-stdin"); code != 0 {
		t.Fatal("second sign-in failed")
	}
	out, _, _ = runCLI(t, w.env(), "", "auth", "status")
	if !regexpMatch(`(?m)^alice\s+alice\s+yes\s+no\s`, out) {
		t.Errorf("status after signing in again:\n%s", out)
	}
}

// auth web: the page's address with a one-time code, not the token.
func TestAuthCLIWeb(t *testing.T) {
	w := newAuthWorld(t, worldOpt{daemon: true, token: true})
	out, errOut, code := runCLI(t, w.env(), "", "auth", "web")
	if code != 0 || !strings.HasPrefix(out, w.url+"/auth/?access=") {
		t.Fatalf("web: %d %q %q", code, out, errOut)
	}
	w.noSecrets(out+errOut, "auth web output")
	plain := newAuthWorld(t, worldOpt{daemon: true})
	if out, _, _ := runCLI(t, plain.env(), "", "auth", "web"); out != plain.url+"/auth/\n" {
		t.Errorf("web without a token: %q", out)
	}
	none := newAuthWorld(t, worldOpt{})
	if _, errOut, code := runCLI(t, none.env(), "", "auth", "web"); code != 1 || !strings.Contains(errOut, "no daemon answers") {
		t.Errorf("web without a daemon: %d %q", code, errOut)
	}
}

// The browser is opened with xdg-open when a display is present, with the
// environment minus LASTFMD_* and CREDENTIALS_DIRECTORY.
func TestAuthCLIOpensBrowser(t *testing.T) {
	w := newAuthWorld(t, worldOpt{daemon: true})
	bin := t.TempDir()
	record := filepath.Join(bin, "record")
	script := "#!/bin/sh\n{ echo \"ARG=$1\"; env; } > " + record + ".tmp && mv " + record + ".tmp " + record + "\n"
	if err := os.WriteFile(filepath.Join(bin, "xdg-open"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	env := w.env("PATH="+bin+":"+os.Getenv("PATH"), "DISPLAY=:99", "DBUS_SESSION_BUS_ADDRESS=unix:path=/x",
		"LASTFMD_API_SECRET=leak-me", "CREDENTIALS_DIRECTORY=/run/credentials/lastfmd.service")
	url, out, errOut, code := w.loginRun(env, "alice")
	if code != 0 {
		t.Fatalf("login: %d %s %s", code, out, errOut)
	}
	var rec []byte
	for i := 0; i < 100; i++ {
		if rec, _ = os.ReadFile(record); len(rec) > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	got := string(rec)
	if !strings.Contains(got, "ARG="+url+"\n") {
		t.Errorf("xdg-open not given the URL:\n%s", got)
	}
	if !strings.Contains(got, "DISPLAY=:99") || !strings.Contains(got, "DBUS_SESSION_BUS_ADDRESS=") {
		t.Error("the browser lost DISPLAY or DBUS")
	}
	for _, bad := range []string{"LASTFMD_", "CREDENTIALS_DIRECTORY", "leak-me"} {
		if strings.Contains(got, bad) {
			t.Errorf("the browser's environment holds %s", bad)
		}
	}
	// Without a display, nothing is opened.
	os.Remove(record)
	env = w.env("PATH="+bin+":"+os.Getenv("PATH"), "DISPLAY=", "WAYLAND_DISPLAY=")
	if _, _, _, code = w.loginRun(env, "alice"); code != 0 {
		t.Fatal("login without a display failed")
	}
	time.Sleep(100 * time.Millisecond)
	if _, err := os.Stat(record); err == nil {
		t.Error("xdg-open ran without a display")
	}
}
