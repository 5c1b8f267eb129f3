//go:build !windows

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/daemon/closedport"
	"github.com/lastfmd/lastfmd/daemon/config"
	"github.com/lastfmd/lastfmd/daemon/daemontest"
)

// teach checks an error a new user can hit: exit status 1, one line on
// stderr saying what is wrong (wrong) and what to run or read next (next),
// never a stack trace.
func teach(t *testing.T, stdout, stderr string, code int, wrong string, next ...string) {
	t.Helper()
	if code != 1 {
		t.Errorf("exit %d, want 1; stderr %q", code, stderr)
	}
	if lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n"); len(lines) != 1 {
		t.Errorf("stderr is %d lines, want 1:\n%s", len(lines), stderr)
	}
	if !strings.Contains(stderr, wrong) {
		t.Errorf("stderr does not say what is wrong (%q):\n%s", wrong, stderr)
	}
	for _, n := range next {
		if !strings.Contains(stderr, n) {
			t.Errorf("stderr does not say what to do next (%q):\n%s", n, stderr)
		}
	}
	t.Logf("stderr: %s", stderr)
	if strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "panic") {
		t.Errorf("stack trace:\n%s", stderr)
	}
}

// secretFile writes a readable-only-by-us API secret and returns its path.
func secretFile(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "api-secret")
	if err := os.WriteFile(p, []byte(daemontest.Secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// A fresh machine, `lastfmd run`: no configuration file anywhere.
func TestTeachNoConfig(t *testing.T) {
	env := noConfigEnv(t)
	out, errOut, code := runCLI(t, env, "", "run")
	home := homeOf(env)
	teach(t, out, errOut, code, "lastfm.api_key is required and there is no config file",
		filepath.Join(home, ".config", "lastfmd", "lastfmd.toml"), `README.md "Running it for real"`, "`lastfmd demo`")
}

// A configuration file without the API key.
func TestTeachNoAPIKey(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "lastfmd.toml")
	if err := os.WriteFile(conf, []byte("[lastfm]\napi_secret_file = \""+secretFile(t)+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, noConfigEnv(t, "LASTFMD_CONFIG="+conf), "", "run")
	teach(t, out, errOut, code, "lastfm.api_key is required", conf, "LASTFMD_API_KEY", `"Running it for real"`, "`lastfmd demo`")
}

// The API key but no secret: in a file, and with no file at all.
func TestTeachNoSecret(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "lastfmd.toml")
	if err := os.WriteFile(conf, []byte("[lastfm]\napi_key = \""+daemontest.Key+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, noConfigEnv(t, "LASTFMD_CONFIG="+conf), "", "run")
	teach(t, out, errOut, code, "lastfm.api_secret_file is required", conf, "put the shared secret in a file only you can read", `"Running it for real"`)

	out, errOut, code = runCLI(t, noConfigEnv(t, "LASTFMD_API_KEY="+daemontest.Key), "", "run")
	teach(t, out, errOut, code, "lastfm.api_secret_file is required and there is no config file", "LASTFMD_API_SECRET_FILE", `"Running it for real"`)
}

// A write through `lastfmd call` with no account signed in.
func TestTeachNoAccountForWrite(t *testing.T) {
	w := newWorld(t, false)
	out, errOut, code := runCLI(t, cleanEnv(t, "LASTFMD_URL="+w.url), "", "call", "track.love", "artist=Cher", "track=Believe")
	teach(t, out, errOut, code, "no Last.fm account is signed in", "`lastfmd auth login`")
	if len(w.emu.Loved("alice")) != 0 {
		t.Error("the love reached Last.fm")
	}
	// An account name that does not exist.
	out, errOut, code = runCLI(t, cleanEnv(t, "LASTFMD_URL="+w.url), "", "call", "track.love", "artist=Cher", "track=Believe", "--account", "nobody")
	teach(t, out, errOut, code, "nobody", "lastfmd auth")
}

// `lastfmd call` with no daemon: at $LASTFMD_URL, and at the configured
// listen.
func TestTeachDaemonNotRunning(t *testing.T) {
	addr := closedport.Addr(t)
	out, errOut, code := runCLI(t, cleanEnv(t, "LASTFMD_URL=http://"+addr), "", "call", "artist.getInfo", "artist=Cher")
	teach(t, out, errOut, code, "no daemon answers at http://"+addr, "`lastfmd run`", "`lastfmd demo`")
	out, errOut, code = runCLI(t, noConfigEnv(t, "LASTFMD_LISTEN="+addr), "", "call", "artist.getInfo", "artist=Cher")
	teach(t, out, errOut, code, "no daemon answers at http://"+addr, "`lastfmd run`", "`lastfmd demo`")
}

// `lastfmd run` and `lastfmd demo` on a port something else holds.
func TestTeachPortInUse(t *testing.T) {
	addr := busyAddr(t)
	env := noConfigEnv(t, "LASTFMD_API_KEY="+daemontest.Key, "LASTFMD_API_SECRET_FILE="+secretFile(t))
	out, errOut, code := runCLI(t, env, "", "run", "--listen", addr)
	teach(t, out, errOut, code, "listen "+addr+": the address is in use", "`lastfmd status`")

	out, errOut, code = runCLI(t, noConfigEnv(t), "", "demo", "--listen", addr)
	teach(t, out, errOut, code, addr+" is in use", "`lastfmd demo --listen 127.0.0.1:0`")
}

// A second daemon on the state directory a running one uses fails at once,
// naming the directory and the way out, instead of hanging on the lock.
func TestTeachSecondDaemonSameState(t *testing.T) {
	w := newWorld(t, true)
	env := noConfigEnv(t, "LASTFMD_API_KEY="+daemontest.Key, "LASTFMD_API_SECRET_FILE="+secretFile(t), "LASTFMD_UPSTREAM="+w.emu.URL())
	// Without the lock timeout this hangs, and runCLI's bound fails it.
	out, errOut, code := runCLI(t, env, "", "run", "--listen", "127.0.0.1:0", "--state-dir", w.state)
	teach(t, out, errOut, code, fmt.Sprintf("lastfmd is already running (pid %d, on %s)", os.Getpid(), w.url), w.state, "lastfmd status")
	if strings.Contains(errOut, "--state-dir") {
		t.Error("the second daemon is sent to another --state-dir")
	}
	// The first one still serves.
	if code, body := w.do(t, "GET", "/v1/artist.getInfo?artist=Cher", ""); code != 200 {
		t.Errorf("first daemon after the second one's attempt: %d %s", code, body)
	}
}

// `lastfmd call` prints pretty JSON on a terminal, the bytes as received
// when piped or with --raw, and exits 0 on success, 1 on a Last.fm error
// (the error body on stdout, one line on stderr), 2 on a usage error.
func TestTeachCallOutputAndExitCodes(t *testing.T) {
	w := newWorld(t, true)
	env := cleanEnv(t, "LASTFMD_URL="+w.url)

	out, errOut, code := runCLI(t, env, "", "call", "artist.getInfo", "artist=Cher")
	if code != 0 || !strings.HasPrefix(out, `{"artist":{"name":"Cher"`) || errOut != "" {
		t.Errorf("piped: exit %d, stderr %q, stdout %.80q", code, errOut, out)
	}
	out, errOut, code = runCLI(t, env, "", "call", "artist.getInfo", "artist=Unknown Artist")
	if code != 1 || !strings.Contains(out, `"error":6`) {
		t.Errorf("a Last.fm error: exit %d, stdout %q", code, out)
	}
	teach(t, out, errOut, code, "last.fm error 6")
	if _, _, code = runCLI(t, env, "", "call", "artist.getInfo", "artist"); code != 2 {
		t.Errorf("a bad argument: exit %d, want 2", code)
	}

	// On a terminal (script(1) gives the command a pty).
	script, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script(1) is not installed: the terminal case is not checked")
	}
	onTTY := func(args string) string {
		cmd := exec.Command(script, "-qec", binPath+" "+args, "/dev/null")
		cmd.Env = env
		b, err := cmd.Output()
		if err != nil {
			t.Fatalf("script %s: %v\n%s", args, err, b)
		}
		return strings.ReplaceAll(string(b), "\r\n", "\n")
	}
	if got := onTTY("call artist.getInfo artist=Cher"); !strings.HasPrefix(got, "{\n  \"artist\": {\n    \"name\": \"Cher\",") {
		t.Errorf("on a terminal, not pretty:\n%.200s", got)
	}
	if got := onTTY("call artist.getInfo artist=Cher --raw"); !strings.HasPrefix(got, `{"artist":{"name":"Cher"`) {
		t.Errorf("--raw on a terminal, not raw:\n%.200s", got)
	}
}

// A daemon that requires its listener token (a system install), called by
// a user whose configuration does not name the token file.
func TestTeachTokenRequired(t *testing.T) {
	const token = "teach-listener-TOKEN-never-shown"
	w := newWorld(t, true, func(c *config.Config) {
		c.Security.Token = config.Secret(token)
	})
	out, errOut, code := runCLI(t, cleanEnv(t, "LASTFMD_URL="+w.url), "", "call", "artist.getInfo", "artist=Cher")
	teach(t, out, errOut, code, "this daemon requires its listener token", "security.token_file", "sudo usermod -aG lastfmd")
	if strings.Contains(out+errOut, token) {
		t.Error("the token is shown")
	}
	// With the token file configured, the same call works.
	tf := filepath.Join(t.TempDir(), "token")
	conf := filepath.Join(t.TempDir(), "lastfmd.toml")
	os.WriteFile(tf, []byte(token+"\n"), 0o600)
	os.WriteFile(conf, []byte("[security]\ntoken_file = \""+tf+"\"\n"), 0o600)
	out, errOut, code = runCLI(t, cleanEnv(t, "LASTFMD_URL="+w.url, "LASTFMD_CONFIG="+conf), "", "call", "artist.getInfo", "artist=Cher")
	if code != 0 || !strings.Contains(out, `"Cher"`) {
		t.Errorf("with the token: exit %d %s %s", code, errOut, out)
	}
}

// Small points a newcomer meets: run --help names the file as the README
// does, the completion docs (docs/recipes.md) say bash needs bash-completion,
// and a write with no account at all is not told to send X-Lastfmd-Account.
func TestNewcomerSmallPoints(t *testing.T) {
	out, _, _ := runCLI(t, cleanEnv(t), "", "run", "--help")
	if !strings.Contains(out, "~/.config/lastfmd/api-secret") {
		t.Errorf("run --help does not name the api-secret file as the README does:\n%s", out)
	}
	out, _, _ = runCLI(t, cleanEnv(t), "", "completion", "bash", "--help")
	if !strings.Contains(out, "apt-get install bash-completion") {
		t.Errorf("completion bash --help does not say bash needs bash-completion:\n%s", out)
	}
	recipesDoc, _ := os.ReadFile(filepath.Join(repoRoot, "docs", "recipes.md"))
	if !strings.Contains(string(recipesDoc), "Bash needs the bash-completion\npackage") {
		t.Error("docs/recipes.md's completion section does not say bash needs bash-completion")
	}

	w := newWorld(t, false)
	_, errOut, code := runCLI(t, cleanEnv(t, "LASTFMD_URL="+w.url), "", "call", "track.love", "artist=Cher", "track=Believe")
	teach(t, "", errOut, code, "no Last.fm account is signed in", "`lastfmd auth login`")
	if strings.Contains(errOut, "X-Lastfmd-Account") {
		t.Errorf("with no account at all, the hint names X-Lastfmd-Account: %s", errOut)
	}
}
