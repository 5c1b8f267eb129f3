package main

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/daemon/daemontest"
	"github.com/lastfmd/lastfmd/daemon/emulator"
)

// md5hex is a hex md5, the form of Libre.fm's authToken.
func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Signing an account in to a mirror and out of it again, with the real
// binary against two emulators over loopback (Last.fm, and Libre.fm as
// the mirror "librefm"), where a daemon runs and where none does: the
// mobile sign-in sends Libre.fm's authToken with the mirror's key and
// stores the session beside the account's Last.fm one; auth status lists
// it; the desktop sign-in uses the mirror's approval page; logout --mirror
// removes that session only. No secret of either service shows.
func TestAuthCLIMirrorSignIn(t *testing.T) {
	for _, withDaemon := range []bool{false, true} {
		name := map[bool]string{false: "local", true: "daemon"}[withDaemon]
		t.Run(name, func(t *testing.T) {
			w := newAuthWorld(t, worldOpt{mirror: true, daemon: withDaemon})
			daemontest.SignInAlice(t, w.emu, w.stateDir)
			alice, _ := w.store().Get("alice")

			out, errOut, code := runCLI(t, w.env(), librePassword+"\n", "auth", "mobile", "--mirror", "librefm", "--username", libreUser, "--password-stdin")
			if code != 0 || strings.TrimSpace(out) != "Signed in to librefm as alice" {
				t.Fatalf("auth mobile --mirror: %d %q %q", code, out, errOut)
			}
			a, _ := w.store().Get("alice")
			ms, ok := a.Mirror("librefm")
			if u, live := w.libre.SessionUser(ms.Key); !ok || !live || u != libreUser || a.Key != alice.Key {
				t.Fatalf("after the sign-in: alice %v, her session on librefm %v (live %v, %q)", a.Key == alice.Key, ok, live, u)
			}
			reqs := w.libre.Requests()
			last := reqs[len(reqs)-1]
			if last.Method != "auth.getMobileSession" || last.Params["authToken"] != md5hex(libreUser+md5hex(librePassword)) ||
				last.Params["password"] != "" || last.Params["api_key"] != emulator.LibreFMAPIKey {
				t.Errorf("sent %s with password %v, api_key %q", last.Method, last.Params["password"] != "", last.Params["api_key"])
			}
			if n := w.emu.Count("auth.getMobileSession"); n != 0 {
				t.Errorf("the mirror's sign-in reached Last.fm %d times", n)
			}
			secrets := []string{librePassword, md5hex(libreUser + md5hex(librePassword)), ms.Key, alice.Key}
			w.noSecrets(out+errOut, "auth mobile's output", secrets...)

			out, errOut, code = runCLI(t, w.env(), "", "auth", "status")
			if code != 0 || !regexpMatch(`(?m)^alice\s+alice\s+yes\s+no\s+.*UTC\s+librefm \(as alice\)$`, out) {
				t.Errorf("auth status: %d %q %q", code, out, errOut)
			}
			w.noSecrets(out+errOut, "auth status", secrets...)

			// The desktop sign-in: the mirror's page, its key; bob's account
			// does not exist, so it is refused before anything is sent.
			url, out, errOut, code := w.loginAt(w.libre, w.env(), libreUser, "--mirror", "librefm", "--no-browser")
			if code != 0 || !strings.HasPrefix(url, w.libre.AuthURL()+"?api_key="+emulator.LibreFMAPIKey+"&token=") ||
				!strings.HasSuffix(strings.TrimSpace(out), "Signed in to librefm as alice") {
				t.Errorf("auth login --mirror: %d %q %q", code, out, errOut)
			}
			if !strings.Contains(errOut, "log in to librefm if asked") {
				t.Errorf("the prompt does not name the mirror: %q", errOut)
			}
			_, errOut, code = runCLI(t, w.env(), librePassword+"\n", "auth", "mobile", "--mirror", "librefm", "--account", "bob", "--username", libreUser, "--password-stdin")
			if want := `unknown account "bob": sign it in to Last.fm first (lastfmd auth login --account bob), then to librefm (lastfmd auth login --mirror librefm --account bob)`; code != 1 || !strings.Contains(errOut, want) {
				t.Errorf("a mirror sign-in for an unknown account: %d %q", code, errOut)
			}
			_, errOut, code = runCLI(t, w.env(), librePassword+"\n", "auth", "mobile", "--mirror", "maloja", "--username", libreUser, "--password-stdin")
			if code != 1 || !strings.Contains(errOut, `no mirror "maloja" in the configuration (the mirrors are librefm)`) {
				t.Errorf("an unknown mirror: %d %q", code, errOut)
			}
			_, errOut, code = runCLI(t, w.env(), "wrong\n", "auth", "mobile", "--mirror", "librefm", "--username", libreUser, "--password-stdin")
			if code != 1 || !strings.Contains(errOut, `mirror "librefm" refused the user name or password (error 4)`) {
				t.Errorf("a wrong password: %d %q", code, errOut)
			}
			_, errOut, code = runCLI(t, w.env(), "", "auth", "logout", "--mirror", "Libre.fm")
			if code != 2 {
				t.Errorf("a malformed --mirror: %d %q", code, errOut)
			}

			out, errOut, code = runCLI(t, w.env(), "", "auth", "logout", "--mirror", "librefm")
			if code != 0 || strings.TrimSpace(out) != "Signed alice out of librefm; its Last.fm session stays" {
				t.Fatalf("auth logout --mirror: %d %q %q", code, out, errOut)
			}
			a, ok = w.store().Get("alice")
			if _, still := a.Mirror("librefm"); !ok || still || a.Key != alice.Key {
				t.Errorf("after logout --mirror: alice %v, still on librefm %v, Last.fm session kept %v", ok, still, a.Key == alice.Key)
			}
			_, errOut, code = runCLI(t, w.env(), "", "auth", "logout", "--mirror", "librefm")
			if code != 1 || !strings.Contains(errOut, `account "alice" has no session on mirror "librefm"`) {
				t.Errorf("a second logout --mirror: %d %q", code, errOut)
			}
			if w.logs != nil {
				w.noSecrets(w.logs.String(), "the daemon's log", secrets...)
			}
		})
	}
}

// A mirror without auth_url has no desktop sign-in: one line names the
// mobile one, and nothing is sent.
func TestAuthCLIMirrorWithoutAuthURL(t *testing.T) {
	w := newAuthWorld(t, worldOpt{mirror: true})
	daemontest.SignInAlice(t, w.emu, w.stateDir)
	conf, err := os.ReadFile(w.confPath)
	if err != nil {
		t.Fatal(err)
	}
	noPage := strings.Replace(string(conf), fmt.Sprintf("auth_url = %q\n", w.libre.AuthURL()), "", 1)
	if err := os.WriteFile(w.confPath, []byte(noPage), 0o600); err != nil {
		t.Fatal(err)
	}
	_, out, errOut, code := w.loginAt(w.libre, w.env(), "", "--mirror", "librefm", "--no-browser")
	if want := "\nlastfmd auth login: mirror \"librefm\" has no desktop sign-in (no auth_url): use `lastfmd auth mobile --mirror librefm`\n"; code != 1 || !strings.Contains("\n"+errOut, want) {
		t.Errorf("login --mirror without auth_url: %d %q %q", code, out, errOut)
	}
	if n := len(w.libre.Requests()); n != 0 {
		t.Errorf("%d requests reached the mirror", n)
	}
}

// `config check` probes each mirror with its own key and secret through
// its own client, a line each, and names the mirror whose secret is
// wrong; one out of reach is not verified. Neither secret shows.
func TestConfigCheckProbesMirrors(t *testing.T) {
	w := newAuthWorld(t, worldOpt{mirror: true})
	secretFile := w.loadConfig(t).Mirrors[0].APISecretFile
	cases := []struct {
		name, secret string
		stop         bool // the mirror is out of reach
		want         string
		wantErr      bool
	}{
		{name: "right", secret: emulator.LibreFMSecret,
			want: `mirror "librefm": credentials verified: librefm accepts api_key ` + emulator.LibreFMAPIKey + " signed with the API secret from file " + secretFile},
		{name: "wrong secret", secret: "WRONG-libre-SECRET", wantErr: true,
			want: `config: mirror "librefm": librefm rejects the signature: the API secret in ` + secretFile + ` (mirror "librefm".api_secret_file in ` + w.confPath + ") does not belong to api_key " +
				emulator.LibreFMAPIKey + " (librefm error 13: "},
		{name: "out of reach", secret: emulator.LibreFMSecret, stop: true,
			want: `mirror "librefm": credentials not verified: librefm at ` + w.libre.URL() + " cannot be reached"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := os.WriteFile(secretFile, []byte(c.secret+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if c.stop {
				if err := w.libre.Stop(); err != nil {
					t.Fatal(err)
				}
				defer w.libre.Start()
			}
			before := w.emu.Count("auth.getToken")
			w.probeSays(t, c.want, c.wantErr, c.secret)
			if w.emu.Count("auth.getToken") != before {
				t.Error("a mirror's probe reached Last.fm")
			}
			if !c.stop {
				reqs := w.libre.Requests()
				if last := reqs[len(reqs)-1]; last.Method != "auth.getToken" || last.Params["api_key"] != emulator.LibreFMAPIKey {
					t.Errorf("the mirror was sent %s with api_key %q", last.Method, last.Params["api_key"])
				}
			}

			// The command itself.
			w.checkSays(t, c.want, c.wantErr, c.secret)
		})
	}
}
