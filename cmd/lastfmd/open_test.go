package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/client"
)

// lastfmd open: the page's address on 127.0.0.1 with a one-time code
// (never the token), printed where no browser can be opened; status names
// the page; a daemon on a unix socket has no page, and both say so.
func TestOpenCLI(t *testing.T) {
	w := newAuthWorld(t, worldOpt{daemon: true, token: true})
	noDisplay := []string{"DISPLAY=", "WAYLAND_DISPLAY="}
	out, errOut, code := runCLI(t, w.env(noDisplay...), "", "open")
	if code != 0 || !strings.HasPrefix(out, w.url+"/ui/?access=") || !strings.HasPrefix(w.url, "http://127.0.0.1:") {
		t.Fatalf("open: %d %q %q", code, out, errOut)
	}
	if !strings.Contains(errOut, "Open this address in a browser") {
		t.Errorf("open without a display: %q", errOut)
	}
	w.noSecrets(out+errOut, "open's output")
	out, _, _ = runCLI(t, w.env(), "", "status")
	if !strings.Contains(out, "page:     "+w.url+"/ (lastfmd open opens it)") {
		t.Errorf("status does not name the page:\n%s", out)
	}
	plain := newAuthWorld(t, worldOpt{daemon: true})
	if out, _, _ := runCLI(t, plain.env(noDisplay...), "", "open", "--no-browser"); out != plain.url+"/ui/\n" {
		t.Errorf("open without a token: %q", out)
	}
	none := newAuthWorld(t, worldOpt{})
	if _, errOut, code := runCLI(t, none.env(), "", "open"); code != 1 || !strings.Contains(errOut, "no daemon answers") {
		t.Errorf("open without a daemon: %d %q", code, errOut)
	}
	conf, err := os.ReadFile(none.confPath)
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "lastfmd.sock")
	lines := strings.Split(string(conf), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "listen = ") {
			lines[i] = "listen = \"unix:" + sock + "\""
		}
	}
	if err := os.WriteFile(none.confPath, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{}
	for _, kv := range none.env() {
		if !strings.HasPrefix(kv, "LASTFMD_URL=") {
			env = append(env, kv)
		}
	}
	if _, errOut, code := runCLI(t, env, "", "open"); code != 1 || !strings.Contains(errOut, "unix socket, which browsers cannot open") {
		t.Errorf("open on a unix socket: %d %q", code, errOut)
	}
	if got := pageLine(&client.Status{}); !strings.Contains(got, "not served: the daemon listens on a unix socket") {
		t.Errorf("status on a unix socket: %q", got)
	}
}
