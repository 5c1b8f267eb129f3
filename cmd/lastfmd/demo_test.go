package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A demo asked to listen where a daemon from `lastfmd run` answers says a
// lastfmd answers there, not that a demo must be running.
func TestDemoPortHeldByDaemon(t *testing.T) {
	w := newWorld(t, false)
	addr := strings.TrimPrefix(w.url, "http://")
	out, errOut, code := runCLI(t, noConfigEnv(t), "", "demo", "--listen", addr)
	teach(t, out, errOut, code, addr+" is in use: a lastfmd answers there (another `lastfmd demo`, or a `lastfmd run` listening on it)",
		"`lastfmd demo --listen 127.0.0.1:0`")
	if strings.Contains(errOut, "is a demo already running") {
		t.Errorf("guesses a demo: %s", errOut)
	}
}

// The demo prints its user's password, docs/signing-in.md gives the same,
// and with it `lastfmd auth mobile` signs in against the demo.
func TestDemoPasswordSignsIn(t *testing.T) {
	url, _, printed := startDemo(t)
	banner := strings.Join(printed, "\n")
	want := "user      " + demoUser + ", password " + demoPassword
	if !strings.Contains(banner, want) {
		t.Errorf("the banner lacks %q:\n%s", want, banner)
	}
	doc, err := os.ReadFile(filepath.Join(repoRoot, "docs", "signing-in.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "echo "+demoPassword+" | lastfmd auth mobile --username "+demoUser+" --password-stdin") {
		t.Errorf("docs/signing-in.md does not show the demo's password %q", demoPassword)
	}
	out, errOut, code := runCLI(t, cleanEnv(t, "LASTFMD_URL="+url), demoPassword+"\n", "auth", "mobile", "--username", demoUser, "--password-stdin")
	if code != 0 || !strings.Contains(out, "Signed in as "+demoUser) {
		t.Errorf("auth mobile against the demo: exit %d, %q %q", code, out, errOut)
	}
}
