//go:build !windows

package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/closedport"
	"github.com/lastfmd/lastfmd/daemon/daemontest"
	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// `lastfmd config check` and `lastfmd run` judge a configuration alike:
// whatever check accepts, run does not refuse as a configuration error,
// and what run refuses, check refuses in the same words. Both are the
// real binary, on the same file.
func TestConfigCheckAgreesWithRun(t *testing.T) {
	emu := daemontest.Emulator(t)
	dir := t.TempDir()
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(daemontest.Token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	secret := secretFile(t)
	cases := []struct {
		name   string
		listen string
		token  bool
		// upstream is lastfm.upstream ("": the emulator).
		upstream string
		key      string // lastfm.api_key ("": daemontest.Key)
		refused  string // what both say, "" when both accept
	}{
		{name: "loopback", listen: "127.0.0.1:0"},
		{name: "every interface without a token", listen: "0.0.0.0:17377",
			refused: "config: listen: 0.0.0.0:17377 is not a loopback address; set security.token_file to listen there"},
		{name: "every IPv6 interface without a token", listen: "[::]:17377",
			refused: "config: listen: [::]:17377 is not a loopback address; set security.token_file to listen there"},
		{name: "every interface with a token", listen: "0.0.0.0:17377", token: true},
		{name: "a unix socket", listen: "unix:" + filepath.Join(dir, "lastfmd.sock")},
		{name: "an upstream in clear text to another host", listen: "127.0.0.1:0", upstream: "http://example.com/2.0/",
			refused: "config: lastfm.upstream:"},
		{name: "Last.fm out of reach", listen: "127.0.0.1:0", upstream: "http://" + closedport.Addr(t) + "/2.0/"},
		{name: "a key of the wrong shape", listen: "127.0.0.1:0", key: "abcde",
			refused: `config: lastfm.api_key: "abcde" is not an API key`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			up, key, tokenLine := c.upstream, c.key, ""
			if up == "" {
				up = emu.URL()
			}
			if key == "" {
				key = daemontest.Key
			}
			if c.token {
				tokenLine = fmt.Sprintf("token_file = %q\n", tokenFile)
			}
			conf := filepath.Join(t.TempDir(), "lastfmd.toml")
			text := fmt.Sprintf("listen = %q\nstate_dir = %q\n[lastfm]\napi_key = %q\napi_secret_file = %q\nupstream = %q\n[security]\n%s",
				c.listen, t.TempDir(), key, secret, up, tokenLine)
			if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			env := noConfigEnv(t, "LASTFMD_CONFIG="+conf)

			_, errOut, code := runCLI(t, env, "", "config", "check")
			check := ""
			if code != 0 {
				check = strings.TrimPrefix(strings.TrimSpace(errOut), "lastfmd config check: ")
			}
			run := runVerdict(t, env)
			if check != run {
				t.Errorf("config check and run disagree:\n  check: %q\n  run:   %q", check, run)
			}
			if c.refused == "" && check != "" || !strings.HasPrefix(check, c.refused) {
				t.Errorf("verdict %q, want %q", check, c.refused)
			}
		})
	}
}

// runVerdict starts `lastfmd run` in env and returns its configuration
// error, or "" once it listens: then it is stopped. A refusal for a reason
// outside the configuration (the port taken by another program) is no
// verdict on the configuration, so it counts as accepted too.
func runVerdict(t *testing.T, env []string) string {
	t.Helper()
	cmd := exec.Command(binPath, "run")
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.AfterFunc(waitfor.Bound, func() { cmd.Process.Kill() }) // only a hang
	defer deadline.Stop()
	var lines []string
	listened := false
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if !listened && strings.Contains(sc.Text(), "lastfmd listening") {
			listened = true
			cmd.Process.Signal(syscall.SIGTERM) // then read on until it exits
		}
	}
	err = cmd.Wait()
	if listened {
		if err != nil {
			t.Errorf("run after SIGTERM: %v; stderr:\n%s", err, strings.Join(lines, "\n"))
		}
		return ""
	}
	last := ""
	if len(lines) > 0 {
		last = lines[len(lines)-1]
	}
	msg, ok := strings.CutPrefix(last, "lastfmd run: ")
	if !ok {
		t.Fatalf("run neither listened nor said why; stderr:\n%s", strings.Join(lines, "\n"))
	}
	if !strings.HasPrefix(msg, "config: ") {
		t.Logf("run refused, not for its configuration: %s", msg)
		return ""
	}
	return msg
}
