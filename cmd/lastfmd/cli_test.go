package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

var binPath string

// TestMain builds the real binary once: these tests run it as a user would.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lastfmd-bin-")
	if err != nil {
		panic(err)
	}
	binPath = filepath.Join(dir, "lastfmd")
	out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
	if err != nil {
		os.Stderr.Write(out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func runCLI(t *testing.T, env []string, stdin string, args ...string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitfor.Bound)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, args...)
	cmd.Env = env
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("lastfmd %s hung; stderr: %s", strings.Join(args, " "), errb.String())
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// startDemo runs `lastfmd demo` and returns its URL once it printed the
// ready line, the command, and the lines it printed up to then (the Quick
// start shows them).
func startDemo(t *testing.T) (string, *exec.Cmd, []string) {
	t.Helper()
	cmd := exec.Command(binPath, "demo", "--listen", "127.0.0.1:0")
	cmd.Env = cleanEnv(t)
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	ready := regexp.MustCompile(`^lastfmd demo ready at (http://\S+)`)
	sc := bufio.NewScanner(stdout)
	var printed []string
	deadline := time.AfterFunc(waitfor.Bound, func() { cmd.Process.Kill() }) // only a hang
	defer deadline.Stop()
	for sc.Scan() {
		line := sc.Text()
		printed = append(printed, line)
		if m := ready.FindStringSubmatch(line); m != nil {
			go io.Copy(io.Discard, stdout)
			if text := strings.Join(printed, "\n"); !strings.Contains(text, "export LASTFMD_URL="+m[1]) {
				t.Errorf("demo did not print the export line:\n%s", text)
			}
			return m[1], cmd, printed
		}
	}
	t.Fatalf("demo never got ready; printed:\n%s", strings.Join(printed, "\n"))
	return "", nil, nil
}

// The README's first command serves a signed round trip once it printed
// its ready line.
func TestDemoSignedRoundTrip(t *testing.T) {
	url, cmd, _ := startDemo(t)
	resp, err := http.Post(url+"/v1/track.love", "application/json", strings.NewReader(`{"artist":"Cher","track":"Believe"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || strings.Contains(string(body), "error") {
		t.Fatalf("love: %d %s", resp.StatusCode, body)
	}
	resp, err = http.Get(url + "/v1/user.getLovedTracks?user=demo")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "Believe") {
		t.Fatalf("loved tracks: %s", body)
	}
	// `lastfmd call` against it, then a graceful SIGTERM.
	out, errOut, code := runCLI(t, cleanEnv(t, "LASTFMD_URL="+url), "", "call", "artist.getInfo", "artist=Cher")
	if code != 0 || !strings.Contains(out, `"Cher"`) {
		t.Errorf("call: %d %s %s", code, out, errOut)
	}
	out, _, code = runCLI(t, cleanEnv(t, "LASTFMD_URL="+url), "", "call", "artist.getInfo", "artist=Unknown Artist")
	if code != 1 || !strings.Contains(out, `"error":6`) {
		t.Errorf("call with a Last.fm error: exit %d, %s", code, out)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("demo exit after SIGTERM: %v", err)
		}
	case <-time.After(waitfor.Bound):
		t.Error("demo did not stop on SIGTERM")
	}
}

func TestCLIErrors(t *testing.T) {
	cases := []struct {
		name string
		env  []string
		args []string
		code int
		msg  string
	}{
		{"unknown command", nil, []string{"frobnicate"}, 2, "unknown command"},
		{"unknown flag", nil, []string{"run", "--nope"}, 2, "unknown flag"},
		{"call without method", nil, []string{"call"}, 2, "missing METHOD"},
		{"call bad arg", []string{"LASTFMD_URL=http://127.0.0.1:1"}, []string{"call", "artist.getInfo", "artist"}, 2, "name=value"},
		{"call no daemon", []string{"LASTFMD_URL=http://127.0.0.1:1"}, []string{"call", "artist.getInfo", "artist=Cher"}, 1, "lastfmd run"},
		{"run without api key", nil, []string{"run"}, 1, "lastfm.api_key"},
		{"run without secret", []string{"LASTFMD_API_KEY=0123456789abcdef0123456789abcdef"}, []string{"run"}, 1, "secret"},
		{"bad duration", []string{"LASTFMD_TIMEOUT=10x"}, []string{"config", "dump"}, 1, "LASTFMD_TIMEOUT"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, cleanEnv(t, c.env...), "", c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d; stderr %q", code, c.code, errOut)
			}
			if !strings.Contains(errOut, c.msg) {
				t.Errorf("stderr %q does not say %q", errOut, c.msg)
			}
			if strings.Contains(errOut, "goroutine ") || strings.Contains(errOut, "panic") {
				t.Errorf("stack trace: %s", errOut)
			}
			_ = out
		})
	}
}

func TestConfigDumpRedactsSecrets(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	os.WriteFile(secretFile, []byte("SUPER-secret-value\n"), 0o600)
	env := cleanEnv(t, "LASTFMD_API_KEY=0123456789abcdef0123456789abcdef", "LASTFMD_API_SECRET_FILE="+secretFile,
		"LASTFMD_UPSTREAM=http://127.0.0.1:1/2.0/") // config check must not reach the internet
	out, errOut, code := runCLI(t, env, "", "config", "dump")
	if code != 0 {
		t.Fatalf("dump: %d %s", code, errOut)
	}
	if strings.Contains(out, "SUPER-secret-value") {
		t.Error("dump shows the secret")
	}
	if !strings.Contains(out, "0123456789abcdef0123456789abcdef") || !strings.Contains(out, "[lastfm]") {
		t.Errorf("dump: %s", out)
	}
	out, errOut, code = runCLI(t, env, "", "config", "check")
	if code != 0 || !strings.Contains(out, "OK") {
		t.Errorf("check: %d %s %s", code, out, errOut)
	}
	out, _, code = runCLI(t, env, "", "version")
	if code != 0 || !strings.HasPrefix(out, "lastfmd ") {
		t.Errorf("version: %d %s", code, out)
	}
}
