package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/waitfor"
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

// The demo starts with one ListenBrainz mirror (a second emulator): the
// banner names it, a scrobble the README's way reaches it as well as
// Last.fm, and `lastfmd status` shows a line for each, the mirror's with
// nothing pending once it answered.
func TestDemoMirrorsToListenBrainz(t *testing.T) {
	url, _, printed := startDemo(t)
	banner := strings.Join(printed, "\n")
	for _, want := range []string{"  mirror    " + demoMirror + ": a built-in ListenBrainz emulator at http://127.0.0.1:",
		"  account   " + demoUser + " (signed in, the default; on " + demoMirror + " too, as " + demoUser + ")",
		"lastfmd status          # the scrobble went to lastfm and to " + demoMirror + ": a line for each"} {
		if !strings.Contains(banner, want) {
			t.Errorf("the banner lacks %q:\n%s", want, banner)
		}
	}
	body := fmt.Sprintf(`{"artist":"Cher","track":"Believe","timestamp":%d}`, time.Now().Unix())
	resp, err := http.Post(url+"/v1/track.scrobble", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"accepted":1`) || !strings.Contains(string(b), `"mirrors":{"`+demoMirror+`":"queued"}`) {
		t.Fatalf("scrobble: %d %s", resp.StatusCode, b)
	}
	var out string
	waitfor.True(t, "status showing the mirror's answer", func() bool {
		var code int
		out, _, code = runCLI(t, cleanEnv(t, "LASTFMD_URL="+url), "", "status")
		return code == 0 && regexpMatch(`(?m)^to `+demoMirror+`: 0 pending, 0 dead letters, last answer `, out)
	})
	if !regexpMatch(`(?m)^to lastfm: 0 pending, 0 dead letters, last answer `, out) {
		t.Errorf("status:\n%s", out)
	}
}
