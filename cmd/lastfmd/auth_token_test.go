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

	"github.com/lastfmd/lastfmd/daemon/daemontest"
	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// `lastfmd auth token --mirror NAME`, with the real binary against the
// emulator as Last.fm, as Libre.fm ("librefm") and as ListenBrainz
// ("listenbrainz") over loopback, where a daemon runs and where none
// does: the token read from stdin is checked with validate-token (in the
// Authorization header, never the URL) and stored as the account's
// session there, its user shown; auth status lists it; an invalid token,
// no --mirror, a mirror of the other type, the other sign-ins on a
// ListenBrainz mirror: one line naming what to do, nothing stored; logout
// --mirror removes it. Through the daemon a scrobble then reaches
// ListenBrainz too. The token shows in no output, log, status or list.
func TestAuthCLIToken(t *testing.T) {
	for _, withDaemon := range []bool{false, true} {
		name := map[bool]string{false: "local", true: "daemon"}[withDaemon]
		t.Run(name, func(t *testing.T) {
			w := newAuthWorld(t, worldOpt{mirror: true, listenbrainz: true, daemon: withDaemon})
			daemontest.SignInAlice(t, w.emu, w.stateDir)
			alice, _ := w.store().Get("alice")
			tok := w.lb.NewUserToken(lbUser)
			const wrong = "5f0e7a52-0000-4000-8000-00000000dead"
			secrets := []string{tok, wrong, alice.Key}

			out, errOut, code := runCLI(t, w.env(), wrong+"\n", "auth", "token", "--mirror", "listenbrainz")
			if want := "mirror \"listenbrainz\" says the token is not valid there: copy your user token from https://listenbrainz.org/settings/ (a self-hosted server: its settings page; Maloja: an API key from its API keys page), then run `lastfmd auth token --mirror listenbrainz` again"; code != 1 || out != "" || len(saidLines(errOut)) != 1 || !strings.Contains(errOut, want) {
				t.Errorf("an invalid token: %d %q %q", code, out, errOut)
			}
			w.noSecrets(out+errOut, "auth token's refusal", secrets...)
			if a, _ := w.store().Get("alice"); len(a.Mirrors) != 0 {
				t.Fatalf("an invalid token stored: %v", a.Mirrors)
			}

			out, errOut, code = runCLI(t, w.env(), tok+"\n", "auth", "token", "--mirror", "listenbrainz")
			if code != 0 || strings.TrimSpace(out) != "Signed in to listenbrainz as the user "+lbUser+", stored with the account alice" {
				t.Fatalf("auth token --mirror: %d %q %q", code, out, errOut)
			}
			w.noSecrets(out+errOut, "auth token's output", secrets...)
			a, _ := w.store().Get("alice")
			if ms, ok := a.Mirror("listenbrainz"); !ok || ms.Key != tok || ms.User != lbUser || a.Key != alice.Key {
				t.Fatalf("after the sign-in: %v, user %q, token stored %v, Last.fm session kept %v", ok, ms.User, ms.Key == tok, a.Key == alice.Key)
			}
			reqs := w.lb.Requests()
			last := reqs[len(reqs)-1]
			if last.Path != "/1/validate-token" || last.Header.Get("Authorization") != "Token "+tok || strings.Contains(last.RawQuery, tok) {
				t.Errorf("checked with %s %s?%s", last.HTTPMethod, last.Path, last.RawQuery)
			}

			out, errOut, code = runCLI(t, w.env(), "", "auth", "status")
			if code != 0 || !regexpMatch(`(?m)^alice\s+alice\s+yes\s+no\s+.*UTC\s+listenbrainz \(as `+lbUser+`\)$`, out) {
				t.Errorf("auth status: %d %q %q", code, out, errOut)
			}
			w.noSecrets(out+errOut, "auth status", secrets...)

			for _, c := range []struct {
				name  string
				stdin string
				args  []string
				code  int
				want  string
			}{
				{"no --mirror", tok + "\n", []string{"auth", "token"}, 2,
					"auth token signs an account in to a mirror of type listenbrainz: add --mirror NAME; Last.fm signs in with `lastfmd auth login`"},
				{"a mirror speaking the Last.fm API", tok + "\n", []string{"auth", "token", "--mirror", "librefm"}, 1,
					`mirror "librefm" speaks the Last.fm API and takes no user token; it signs in with lastfmd auth login --mirror librefm (or auth mobile --mirror librefm)`},
				{"not a token", "two words\n", []string{"auth", "token", "--mirror", "listenbrainz"}, 1,
					"not a user token (the token holds a space or a character that is not printable ASCII): copy your user token from https://listenbrainz.org/settings/"},
				{"login on a ListenBrainz mirror", "", []string{"auth", "login", "--mirror", "listenbrainz", "--no-browser"}, 1,
					`mirror "listenbrainz" signs in with a user token, not a password or a browser: lastfmd auth token --mirror listenbrainz`},
				{"mobile on a ListenBrainz mirror", "pw\n", []string{"auth", "mobile", "--mirror", "listenbrainz", "--account", "alice", "--username", "alice", "--password-stdin"}, 1,
					`mirror "listenbrainz" signs in with a user token, not a password or a browser: lastfmd auth token --mirror listenbrainz --account alice`},
				{"no token", "\n", []string{"auth", "token", "--mirror", "listenbrainz"}, 1,
					"no token on stdin: pipe the user token, e.g. lastfmd auth token --mirror listenbrainz < FILE"},
				{"an unknown account", tok + "\n", []string{"auth", "token", "--mirror", "listenbrainz", "--account", "bob"}, 1,
					`unknown account "bob": sign it in to Last.fm first (lastfmd auth login --account bob), then to listenbrainz (lastfmd auth token --mirror listenbrainz --account bob)`},
			} {
				out, errOut, code := runCLI(t, w.env(), c.stdin, c.args...)
				if code != c.code || out != "" || len(saidLines(errOut)) != 1 || !strings.Contains(errOut, c.want) {
					t.Errorf("%s: %d %q %q, want %q", c.name, code, out, errOut, c.want)
				}
				w.noSecrets(out+errOut, c.name, secrets...)
			}

			if withDaemon {
				// The account's plays now reach ListenBrainz too.
				body := fmt.Sprintf(`{"artist":"Cher","track":"Believe","timestamp":%d}`, time.Now().Add(-time.Minute).Unix())
				resp, err := http.Post(w.url+"/v1/track.scrobble", "application/json", strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || !strings.Contains(string(b), `"listenbrainz":"queued"`) {
					t.Fatalf("scrobble: %d %s", resp.StatusCode, b)
				}
				waitfor.True(t, "the listen at ListenBrainz", func() bool { return len(w.lb.Listens(lbUser)) == 1 })
				for _, path := range []string{"/v1/status", "/v1/auth/accounts", "/metrics"} {
					resp, err := http.Get(w.url + path)
					if err != nil {
						t.Fatal(err)
					}
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					w.noSecrets(string(b), path, secrets...)
					if path == "/v1/auth/accounts" && !strings.Contains(string(b), `"mirror":"listenbrainz","type":"listenbrainz","user":"`+lbUser+`"`) {
						t.Errorf("%s: %s", path, b)
					}
				}
				out, errOut, code = runCLI(t, w.env(), "", "status")
				if code != 0 || !strings.Contains(out, "to listenbrainz: ") {
					t.Errorf("status: %d %q %q", code, out, errOut)
				}
				w.noSecrets(out+errOut, "status", secrets...)
			}

			out, errOut, code = runCLI(t, w.env(), "", "auth", "logout", "--mirror", "listenbrainz", "--force")
			if code != 0 || strings.TrimSpace(out) != "Signed alice out of listenbrainz; its Last.fm session stays" {
				t.Fatalf("auth logout --mirror: %d %q %q", code, out, errOut)
			}
			a, _ = w.store().Get("alice")
			if _, still := a.Mirror("listenbrainz"); still || a.Key != alice.Key {
				t.Errorf("after logout --mirror: still on listenbrainz %v, Last.fm session kept %v", still, a.Key == alice.Key)
			}
			if w.logs != nil {
				w.noSecrets(w.logs.String(), "the daemon's log", secrets...)
			}
		})
	}
}

// `config check` validates each ListenBrainz mirror's token_file token
// with validate-token through the mirror's own client: one line (valid,
// and whose; not verified when the mirror is out of reach); a token the
// mirror says is not valid is a configuration error naming its file, as a
// refused Last.fm key is. A mirror without token_file has nothing to
// check. The token never shows, nor in `config dump`.
func TestConfigCheckValidatesListenBrainzToken(t *testing.T) {
	w := newAuthWorld(t, worldOpt{listenbrainz: true, lbTokenFile: true})
	tokenFile := filepath.Join(filepath.Dir(w.confPath), "listenbrainz-token")
	cases := []struct {
		name    string
		do      func(t *testing.T) // before the check; undone by t.Cleanup
		want    string
		wantErr bool
	}{
		{name: "valid", want: `mirror "listenbrainz": user token valid, as user ` + lbUser + " (from file " + tokenFile},
		{name: "out of reach", do: func(t *testing.T) {
			if err := w.lb.Stop(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { w.lb.Start() })
		}, want: `mirror "listenbrainz": user token not verified: listenbrainz at ` + w.lb.URL() + " cannot be reached or did not say ("},
		{name: "revoked", do: func(t *testing.T) { w.lb.RevokeUserToken(w.lbToken) }, wantErr: true,
			want: `config: mirror "listenbrainz": listenbrainz says the user token from file ` + tokenFile},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.do != nil {
				c.do(t)
			}
			w.probeSays(t, c.want, c.wantErr, w.lbToken)
			errOut := w.checkSays(t, c.want, c.wantErr, w.lbToken)
			if c.wantErr && !strings.Contains(errOut, "https://listenbrainz.org/settings/") {
				t.Errorf("config check of a revoked token: %q", errOut)
			}
		})
	}
	for _, r := range w.lb.Requests() {
		if strings.Contains(r.Path+"?"+r.RawQuery, w.lbToken) {
			t.Errorf("the token went in the URL: %s?%s", r.Path, r.RawQuery)
		}
	}
	if n := w.emu.Count("auth.getToken"); n == 0 {
		t.Error("config check did not probe Last.fm")
	}

	out, errOut, code := runCLI(t, w.env(), "", "config", "dump")
	if code != 0 || !strings.Contains(out, `# user token of account "default": from file `+tokenFile) {
		t.Errorf("config dump: %d %q %q", code, out, errOut)
	}
	w.noSecrets(out+errOut, "config dump", w.lbToken)

	// Without token_file: a line saying so, nothing sent.
	conf, err := os.ReadFile(w.confPath)
	if err != nil {
		t.Fatal(err)
	}
	noToken := strings.Replace(string(conf), "token_file = \""+tokenFile+"\"\n", "", 1)
	if err := os.WriteFile(w.confPath, []byte(noToken), 0o600); err != nil {
		t.Fatal(err)
	}
	before := len(w.lb.Requests())
	out, errOut, code = runCLI(t, w.env(), "", "config", "check")
	if code != 0 || !strings.Contains(out, `mirror "listenbrainz": no user token configured (token_file): accounts give theirs with `+"`lastfmd auth token --mirror listenbrainz`") {
		t.Errorf("config check without token_file: %d %q %q", code, out, errOut)
	}
	if len(w.lb.Requests()) != before {
		t.Error("config check without a token asked the mirror")
	}
}

// saidLines is what a command said on stderr, its lines without the log's
// (time=...) and cobra's usage hint.
func saidLines(errOut string) []string {
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(errOut), "\n") {
		if !strings.HasPrefix(l, "time=") && !strings.HasPrefix(l, "Run '") {
			lines = append(lines, l)
		}
	}
	return lines
}
