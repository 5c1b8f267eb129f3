//go:build !windows

package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/lastfmd/lastfmd/daemon/closedport"
)

// With nothing at the configured address, status tries the demo's, says
// which addresses it tried, and names a demo as a demo: it sends it only an
// unauthenticated /healthz, never the listener token.
func TestStatusFindsDemo(t *testing.T) {
	const token = "status-find-TOKEN-never-sent"
	var mu sync.Mutex
	var asked []string
	fakeDemo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.Method+" "+r.URL.Path+" auth="+r.Header.Get("Authorization"))
		mu.Unlock()
		if r.URL.Path == "/healthz" {
			w.Write([]byte("ok\n"))
			return
		}
		http.Error(w, "not here", http.StatusTeapot)
	}))
	defer fakeDemo.Close()

	dir := t.TempDir()
	tf := filepath.Join(dir, "token")
	conf := filepath.Join(dir, "lastfmd.toml")
	closed := closedport.Addr(t)
	os.WriteFile(tf, []byte(token+"\n"), 0o600)
	os.WriteFile(conf, []byte("listen = \""+closed+"\"\n[security]\ntoken_file = \""+tf+"\"\n"), 0o600)
	fake, _ := fakeSystemd(t)
	env := noConfigEnv(t, append(fake, "LASTFMD_CONFIG="+conf, "LASTFMD_DEMO_URL="+fakeDemo.URL)...)

	out, errOut, code := runCLI(t, env, "", "status")
	if code != 1 {
		t.Errorf("exit %d, want 1: a demo is not this configuration's daemon\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"daemon:   not running (no answer at http://" + closed + ", nor at " + fakeDemo.URL + ")",
		"a demo answers at " + fakeDemo.URL + " (`lastfmd demo`", "export LASTFMD_URL=" + fakeDemo.URL,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "ready") {
		t.Errorf("status calls something ready:\n%s", out)
	}
	mu.Lock()
	if len(asked) != 1 || asked[0] != "GET /healthz auth=" {
		t.Errorf("the demo's address was asked %q, want only an unauthenticated GET /healthz", asked)
	}
	mu.Unlock()

	out, _, _ = runCLI(t, env, "", "status", "--json")
	var r statusReport
	if err := json.Unmarshal([]byte(out), &r); err != nil || r.Demo != fakeDemo.URL || len(r.Tried) != 2 || r.Ready {
		t.Errorf("status --json: %v %s", err, out)
	}

	// A real demo, and no demo at all.
	url, _, _ := startDemo(t)
	out, _, _ = runCLI(t, noConfigEnv(t, append(fake, "LASTFMD_CONFIG="+conf, "LASTFMD_DEMO_URL="+url)...), "", "status")
	if !strings.Contains(out, "a demo answers at "+url) {
		t.Errorf("status with a real demo:\n%s", out)
	}
	out, _, _ = runCLI(t, noConfigEnv(t, append(fake, "LASTFMD_CONFIG="+conf, "LASTFMD_DEMO_URL=http://"+closedport.Addr(t))...), "", "status")
	if strings.Contains(out, "a demo answers") || !strings.Contains(out, "lastfmd demo") {
		t.Errorf("status with no demo:\n%s", out)
	}
}
