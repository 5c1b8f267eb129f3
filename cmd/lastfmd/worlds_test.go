package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon"
	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/closedport"
	"github.com/lastfmd/lastfmd/daemon/config"
	"github.com/lastfmd/lastfmd/daemon/daemontest"
	"github.com/lastfmd/lastfmd/daemon/emulator"
	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// The worlds the CLI's tests run the real binary in: authWorld for
// sign-in (the CLI with or without a daemon) and statusWorld for the rest
// (a daemon with accounts).

// authWorld is an emulator, optionally a daemon in front of it, and the
// configuration a CLI run uses to reach them.
type authWorld struct {
	t     *testing.T
	emu   *emulator.Server
	libre *emulator.Server // the mirror "librefm", with worldOpt.mirror
	// lb is the mirror "listenbrainz" (the emulator as ListenBrainz), with
	// worldOpt.listenbrainz; lbToken its user lbUser's token in the
	// table's token_file, with worldOpt.lbTokenFile.
	lb       *emulator.Server
	lbToken  string
	m        *daemon.Main
	url      string // the daemon's URL, "" without one
	stateDir string
	confPath string
	logs     *daemontest.Buffer
}

type worldOpt struct {
	daemon bool
	token  bool
	lease  time.Duration // the daemon's sign-in lease (0: its default)
	// mirror adds the mirror "librefm": a second emulator playing Libre.fm,
	// with its own key and secret (a [[mirror]] table; mirrorTable).
	mirror bool
	// listenbrainz adds the mirror "listenbrainz": an emulator playing
	// ListenBrainz's native API; lbTokenFile gives its table a token_file
	// holding a token of lbUser there.
	listenbrainz, lbTokenFile bool
}

// lbUser is the user of the world's ListenBrainz.
const lbUser = "alice_lb"

// libreUser is the user of the world's Libre.fm, and her password there.
const libreUser, librePassword = "alice", "alice-LIBRE-pw"

// mirrorTable is the [[mirror]] table of the Libre.fm emulator libre, its
// secret in secretFile.
func mirrorTable(libre *emulator.Server, secretFile string) string {
	return fmt.Sprintf("[[mirror]]\nname = \"librefm\"\ntype = \"lastfm\"\napi_root = %q\nauth_url = %q\napi_key = %q\napi_secret_file = %q\nrate = 100.0\nburst = 100\n",
		libre.URL(), libre.AuthURL(), emulator.LibreFMAPIKey, secretFile)
}

func newAuthWorld(t *testing.T, o worldOpt) *authWorld {
	t.Helper()
	emu := daemontest.Emulator(t)
	w := &authWorld{t: t, emu: emu, stateDir: t.TempDir(), logs: &daemontest.Buffer{}}
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(secretFile, []byte(daemontest.Secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tokenLine := ""
	if o.token {
		tf := filepath.Join(dir, "token")
		if err := os.WriteFile(tf, []byte(daemontest.Token+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		tokenLine = fmt.Sprintf("token_file = %q\n", tf)
	}
	// Without a daemon, listen names a port nothing answers on.
	listen := closedport.Addr(t)
	w.confPath = filepath.Join(dir, "lastfmd.toml")
	conf := fmt.Sprintf("listen = %q\nstate_dir = %q\n[lastfm]\napi_key = %q\napi_secret_file = %q\nupstream = %q\nauth_url = %q\nrate = 100.0\nburst = 100\n[security]\n%s",
		listen, w.stateDir, daemontest.Key, secretFile, emu.URL(), emu.AuthURL(), tokenLine)
	if o.mirror {
		libre, err := emulator.New(emulator.Options{Service: emulator.LibreFM})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { libre.Close() })
		libre.AddUser(libreUser, librePassword, false)
		w.libre = libre
		libreSecret := filepath.Join(dir, "librefm-secret")
		if err := os.WriteFile(libreSecret, []byte(emulator.LibreFMSecret+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		conf += mirrorTable(libre, libreSecret)
	}
	if o.listenbrainz {
		lb, err := emulator.New(emulator.Options{Service: emulator.ListenBrainz, Name: "listenbrainz"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { lb.Close() })
		w.lb = lb
		conf += fmt.Sprintf("[[mirror]]\nname = \"listenbrainz\"\ntype = \"listenbrainz\"\napi_root = %q\nrate = 100.0\nburst = 100\n", lb.URL())
		if o.lbTokenFile {
			w.lbToken = lb.NewUserToken(lbUser)
			tf := filepath.Join(dir, "listenbrainz-token")
			if err := os.WriteFile(tf, []byte(w.lbToken+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			conf += fmt.Sprintf("token_file = %q\n", tf)
		}
	}
	if err := os.WriteFile(w.confPath, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	if !o.daemon {
		return w
	}
	cfg, _, err := config.Load(config.Options{Path: w.confPath, NeedCredentials: true, Getenv: func(string) string { return "" }, Unsetenv: func(string) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Listen = "127.0.0.1:0"
	w.m, w.url = daemontest.Start(t, cfg, w.logs.Logger(), daemontest.Pace{SignInPoll: 10 * time.Millisecond, SignInLease: o.lease})
	return w
}

// env is the CLI's environment: the world's configuration, and the
// daemon's URL when there is one.
func (w *authWorld) env(extra ...string) []string {
	e := cleanEnv(w.t, "LASTFMD_CONFIG="+w.confPath)
	if w.url != "" {
		e = append(e, "LASTFMD_URL="+w.url)
	}
	return append(e, extra...)
}

// store opens the session file the world's daemon or CLI writes.
func (w *authWorld) store() *accounts.Store {
	w.t.Helper()
	s, err := accounts.Open(w.stateDir, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}

// loadConfig loads the world's configuration, secrets included, as
// `config check` does.
func (w *authWorld) loadConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg, _, err := config.Load(config.Options{Path: w.confPath, NeedCredentials: true, Getenv: func(string) string { return "" }, Unsetenv: func(string) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// probeSays runs probeMirrors on the world's configuration and fails
// unless it says want (a prefix of its one line, or of its error when
// wantErr) without showing secret.
func (w *authWorld) probeSays(t *testing.T, want string, wantErr bool, secret string) {
	t.Helper()
	lines, err := probeMirrors(w.loadConfig(t))
	got := strings.Join(lines, "\n")
	if err != nil {
		got = err.Error()
	}
	if (err != nil) != wantErr || len(lines) > 1 || !strings.HasPrefix(got, want) {
		t.Errorf("probeMirrors: %q (error %v), want %q", got, err != nil, want)
	}
	w.noSecrets(got, "config check's line", secret)
}

// checkSays runs `lastfmd config check` and fails unless it says want,
// exiting 1 when wantErr (else 0), without showing secret; it returns
// what the command printed on stderr.
func (w *authWorld) checkSays(t *testing.T, want string, wantErr bool, secret string) string {
	t.Helper()
	out, errOut, code := runCLI(t, w.env(), "", "config", "check")
	if (code != 0) != wantErr || wantErr && code != 1 || !strings.Contains(out+errOut, want) {
		t.Errorf("config check: %d %q %q", code, out, errOut)
	}
	w.noSecrets(out+errOut, "config check's output", secret)
	return errOut
}

// noSecrets fails if any secret shows in s.
func (w *authWorld) noSecrets(s, where string, secrets ...string) {
	w.t.Helper()
	for _, sec := range append(secrets, daemontest.Secret, daemontest.Token, emulator.LibreFMSecret) {
		if sec != "" && strings.Contains(s, sec) {
			w.t.Errorf("a secret (%.4s…) appears in %s", sec, where)
		}
	}
}

// loginRun runs `lastfmd auth login ARGS`, approves the URL it prints as
// user (unless user is "") at Last.fm, and returns its output and exit
// status.
func (w *authWorld) loginRun(env []string, user string, args ...string) (url, out, errOut string, code int) {
	w.t.Helper()
	return w.loginAt(w.emu, env, user, args...)
}

// loginAt is loginRun approving at emu (the world's Last.fm or its mirror).
func (w *authWorld) loginAt(emu *emulator.Server, env []string, user string, args ...string) (url, out, errOut string, code int) {
	w.t.Helper()
	cmd := exec.Command(binPath, append([]string{"auth", "login", "--poll-interval", "20ms"}, args...)...)
	cmd.Env = env
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	kill := time.AfterFunc(waitfor.Bound, func() { cmd.Process.Kill() }) // only a hang
	defer kill.Stop()
	br := bufio.NewReader(stdout)
	first, _ := br.ReadString('\n')
	url = strings.TrimSpace(first)
	if user != "" && strings.Contains(url, "token=") {
		tok := url[strings.Index(url, "token=")+len("token="):]
		if err := emu.ApproveToken(tok, user); err != nil {
			w.t.Errorf("approving: %v", err)
		}
	}
	rest, _ := io.ReadAll(br)
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	return url, first + string(rest), stderr.String(), code
}

// statusWorld is an emulator and an in-process daemon with the accounts
// alice (default) and bob, on real loopback sockets; `lastfmd status` (the
// real binary) is run against it.
type statusWorld struct {
	emu            *emulator.Server
	m              *daemon.Main
	url            string
	skAlice, skBob string
	state          string
}

func newStatusWorld(t *testing.T) *statusWorld { return newWorld(t, true) }

// newWorld starts the emulator and a daemon, with alice and bob signed in
// or with no account at all.
func newWorld(t *testing.T, signedIn bool, opts ...func(*config.Config)) *statusWorld {
	t.Helper()
	emu := daemontest.Emulator(t)
	w := &statusWorld{emu: emu, skAlice: emu.NewSession("alice"), skBob: emu.NewSession("bob")}
	state := t.TempDir()
	if signedIn {
		daemontest.SignIn(t, emu, state, accounts.Account{Name: "alice", Key: w.skAlice, User: "alice"}, accounts.Account{Name: "bob", Key: w.skBob, User: "bob"})
	}
	cfg := daemontest.Config(emu, state)
	cfg.LastFM.Rate, cfg.LastFM.Burst = 100, 100
	cfg.LastFM.QueueWait = config.Duration{Duration: time.Second} // a call behind the back-off is refused at once
	for _, o := range opts {
		o(&cfg)
	}
	w.m, w.url = daemontest.Start(t, &cfg, nil, daemontest.Pace{})
	w.state = state
	return w
}

func (w *statusWorld) do(t *testing.T, method, path, body string, hdr ...string) (int, string) {
	t.Helper()
	return fetch(t, http.DefaultClient, method, w.url+path, body, hdr...)
}
