//go:build !windows

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/api"
	"github.com/lastfmd/lastfmd/daemon/closedport"
	"github.com/lastfmd/lastfmd/daemon/config"
	"github.com/lastfmd/lastfmd/daemon/daemontest"
)

// `lastfmd config check` asks Last.fm (here the emulator) whether the key
// and the secret belong together, and names the wrong one.
func TestConfigCheckVerifiesCredentials(t *testing.T) {
	emu := daemontest.Emulator(t)
	wrongSecret := filepath.Join(t.TempDir(), "api-secret")
	if err := os.WriteFile(wrongSecret, []byte("not-the-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const otherKey = "ffffffffffffffffffffffffffffffff"
	closed := "http://" + closedport.Addr(t) + "/2.0/"
	cases := []struct {
		name      string
		env       []string
		code      int
		stdout    string
		stderr    []string
		notStderr string
		once      string // said exactly once on stdout
	}{
		{"right key and secret", []string{"LASTFMD_API_KEY=" + daemontest.Key, "LASTFMD_API_SECRET_FILE=" + secretFile(t), "LASTFMD_UPSTREAM=" + emu.URL()},
			0, "credentials verified: Last.fm accepts api_key " + daemontest.Key, nil, "", ""},
		{"wrong secret", []string{"LASTFMD_API_KEY=" + daemontest.Key, "LASTFMD_API_SECRET_FILE=" + wrongSecret, "LASTFMD_UPSTREAM=" + emu.URL()},
			1, "", []string{"Last.fm rejects the signature: the API secret in " + wrongSecret, "does not belong to api_key " + daemontest.Key, "last.fm error 13", "https://www.last.fm/api/accounts"}, "not-the-secret", ""},
		{"unknown key", []string{"LASTFMD_API_KEY=" + otherKey, "LASTFMD_API_SECRET_FILE=" + secretFile(t), "LASTFMD_UPSTREAM=" + emu.URL()},
			1, "", []string{"Last.fm does not know api_key " + otherKey, "last.fm error 10"}, daemontest.Secret, ""},
		{"Last.fm out of reach", []string{"LASTFMD_API_KEY=" + daemontest.Key, "LASTFMD_API_SECRET_FILE=" + secretFile(t), "LASTFMD_UPSTREAM=" + closed},
			0, "credentials not verified: Last.fm at " + closed + " cannot be reached", nil, "", "connection refused"},
		{"a 5-character key", []string{"LASTFMD_API_KEY=abcde", "LASTFMD_API_SECRET_FILE=" + secretFile(t), "LASTFMD_UPSTREAM=" + emu.URL()},
			1, "", []string{`lastfm.api_key: "abcde" is not an API key: Last.fm issues 32 letters and digits (this has 5 characters)`, "LASTFMD_API_KEY"}, "", ""},
		{"the demo's key has the shape", []string{"LASTFMD_API_KEY=" + demoAPIKey, "LASTFMD_API_SECRET_FILE=" + secretFile(t), "LASTFMD_UPSTREAM=" + closed},
			0, "configuration OK", nil, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, noConfigEnv(t, c.env...), "", "config", "check")
			if code != c.code {
				t.Errorf("exit %d, want %d; stdout %q stderr %q", code, c.code, out, errOut)
			}
			if !strings.Contains(out, c.stdout) {
				t.Errorf("stdout %q lacks %q", out, c.stdout)
			}
			if c.code != 0 {
				teach(t, out, errOut, code, c.stderr[0], c.stderr[1:]...)
			}
			if c.once != "" && strings.Count(out, c.once) != 1 {
				t.Errorf("stdout says %q %d times: %s", c.once, strings.Count(out, c.once), out)
			}
			if c.notStderr != "" && strings.Contains(out+errOut, c.notStderr) {
				t.Errorf("a secret is shown: %s", errOut)
			}
		})
	}
}

// A daemon running with a wrong secret (13) or an unknown key (10): sign-in,
// /v1/status and `lastfmd status` all name the same cause.
func TestWrongCredentialsSameCauseEverywhere(t *testing.T) {
	cases := []struct {
		name  string
		set   func(*config.Config)
		cause string
	}{
		{"wrong secret", func(c *config.Config) { c.LastFM.APISecret = config.Secret("not-the-secret") },
			"Last.fm rejects the signature: the API secret does not belong to the API key"},
		{"unknown key", func(c *config.Config) { c.LastFM.APIKey = "ffffffffffffffffffffffffffffffff" },
			"Last.fm does not know the API key"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t, false, c.set)
			env := cleanEnv(t, "LASTFMD_URL="+w.url)
			out, errOut, code := runCLI(t, env, "", "auth", "login", "--no-browser")
			teach(t, out, errOut, code, c.cause, "https://www.last.fm/api/accounts", "lastfmd config check")
			// A read in between (unsigned: it cannot clear a wrong secret).
			w.do(t, "GET", "/v1/artist.getInfo?artist=Cher", "")

			_, body := w.do(t, "GET", "/v1/status", "")
			var doc api.Status
			if err := json.Unmarshal([]byte(body), &doc); err != nil {
				t.Fatalf("%v: %s", err, body)
			}
			if !strings.HasPrefix(doc.Upstream.KeyProblem, c.cause) {
				t.Errorf("/v1/status key_problem %q does not name %q", doc.Upstream.KeyProblem, c.cause)
			}
			fake, _ := fakeSystemd(t)
			out, _, _ = runCLI(t, cleanEnv(t, append(fake, "LASTFMD_URL="+w.url)...), "", "status")
			for _, want := range []string{"upstream: Last.fm refuses lastfmd's API key or secret", c.cause, "https://www.last.fm/api/accounts"} {
				if !strings.Contains(out, want) {
					t.Errorf("status lacks %q:\n%s", want, out)
				}
			}
		})
	}
}
