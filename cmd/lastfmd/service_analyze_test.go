//go:build linux

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// maxExposure is the highest `systemd-analyze security` exposure the system
// unit may have (the bar; miniflux's shipped unit rates 7.3).
const maxExposure = 1.2

// shippedUnit copies a unit from systemd/ into dir with ExecStart= naming
// the binary these tests built, so verify finds it executable.
func shippedUnit(t *testing.T, rel, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", rel))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(b), "ExecStart=/usr/local/bin/lastfmd ", "ExecStart="+binPath+" ")
	if strings.HasSuffix(rel, ".service") && !strings.Contains(text, "ExecStart="+binPath+" ") {
		t.Fatalf("%s does not start /usr/local/bin/lastfmd", rel)
	}
	p := filepath.Join(dir, filepath.Base(rel))
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSystemdAnalyzeVerify: `systemd-analyze verify` accepts every shipped
// unit, with the binary at its ExecStart path.
func TestSystemdAnalyzeVerify(t *testing.T) {
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Skip("systemd-analyze is not installed")
	}
	sys := t.TempDir()
	svc := shippedUnit(t, "systemd/lastfmd.service", sys)
	sock := shippedUnit(t, "systemd/lastfmd.socket", sys)
	if out, err := exec.Command("systemd-analyze", "verify", svc, sock).CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify (system): %v\n%s", err, out)
	}
	user := shippedUnit(t, "systemd/user/lastfmd.service", t.TempDir())
	cmd := exec.Command("systemd-analyze", "--user", "verify", user)
	cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze --user verify: %v\n%s", err, out)
	}
	// The check can fail: a unit naming a missing binary is refused.
	bad := filepath.Join(t.TempDir(), "lastfmd.service")
	os.WriteFile(bad, []byte("[Service]\nExecStart=/nonexistent/lastfmd run\n"), 0o644)
	if err := exec.Command("systemd-analyze", "verify", bad).Run(); err == nil {
		t.Error("systemd-analyze verify accepted a missing binary: this test proves nothing")
	}
}

var exposureRE = regexp.MustCompile(`Overall exposure level for lastfmd\.service: ([0-9.]+)`)

// TestSystemdAnalyzeSecurity: the system unit's exposure is at most 1.2,
// and the figure docs/operations.md and the unit record is the measured one.
func TestSystemdAnalyzeSecurity(t *testing.T) {
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Skip("systemd-analyze is not installed")
	}
	out, err := exec.Command("systemd-analyze", "security", "--offline=yes", "--no-pager", filepath.Join("..", "..", "systemd", "lastfmd.service")).CombinedOutput()
	m := exposureRE.FindSubmatch(out)
	if m == nil {
		t.Fatalf("no exposure figure (%v):\n%s", err, out)
	}
	got, _ := strconv.ParseFloat(string(m[1]), 64)
	if got > maxExposure {
		t.Errorf("exposure %.1f, want at most %.1f:\n%s", got, maxExposure, out)
	}
	figure := string(m[1])
	for _, f := range []string{"docs/operations.md", "systemd/lastfmd.service"} {
		b, err := os.ReadFile(filepath.Join("..", "..", f))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.Join(strings.Fields(string(b)), " "), "exposure of "+figure) {
			t.Errorf("%s does not record the measured exposure (%q)", f, "exposure of "+figure)
		}
	}
}
