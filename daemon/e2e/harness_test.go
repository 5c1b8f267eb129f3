package e2e_test

import (
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/daemon"
	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/daemontest"
	"github.com/lastfmd/lastfmd/daemon/emulator"
	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// The shared credentials, by their short names here.
const (
	testKey    = daemontest.Key
	testSecret = daemontest.Secret
	testToken  = daemontest.Token
)

// harness is script → lastfmd → emulator, over real loopback sockets.
type harness struct {
	t     testing.TB
	emu   *emulator.Server
	m     *daemon.Main
	url   string
	sk    string // alice's real session key at the emulator
	skBob string
	logs  *daemontest.Buffer
	hc    *http.Client
	// mirror is the second service (withMirror): the emulator as
	// Libre.fm, the mirror "librefm", alice signed in there.
	mirror   *emulator.Server
	mirrorSK string // alice's session key at the mirror
	// lb is the emulator as ListenBrainz (withListenBrainz), lbToken
	// alice's user token there.
	lb      *emulator.Server
	lbToken string
}

// noAccount starts the daemon with no account signed in.
const noAccount = "-"

func newHarness(t testing.TB, opts ...harnessOpt) *harness {
	return newHarnessAccount(t, "alice", opts...)
}

func newHarnessAccount(t testing.TB, account string, opts ...harnessOpt) *harness {
	t.Helper()
	emu := daemontest.Emulator(t)
	h := &harness{t: t, emu: emu, logs: &daemontest.Buffer{}, hc: &http.Client{Timeout: waitfor.Bound,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	state := t.TempDir()
	if account != noAccount {
		keys := daemontest.SignIn(t, emu, state,
			accounts.Account{Name: account, User: daemontest.Alice}, accounts.Account{Name: "bob", User: daemontest.Bob})
		h.sk, h.skBob = keys[0], keys[1]
	}
	cfg := daemontest.Config(emu, state)
	h.m = daemontest.Main(&cfg, h.logs.Logger(), daemontest.Pace{})
	for _, o := range opts {
		o(h)
	}
	h.url = daemontest.Run(t, h.m, func(err error) {
		if err != nil {
			t.Errorf("Run: %v", err)
		}
		h.assertNoSecrets(h.logs.String(), "logs")
	})
	return h
}

// answer is a response read whole.
type answer struct {
	status int
	header http.Header
	body   string
}

func (h *harness) do(req *http.Request) answer {
	h.t.Helper()
	resp, err := h.hc.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, header: resp.Header, body: string(b)}
	h.assertNoSecrets(a.body, "body of "+req.URL.Path)
	for k, vs := range resp.Header {
		h.assertNoSecrets(k+": "+strings.Join(vs, ","), "header")
	}
	return a
}

func (h *harness) get(path string, hdr ...string) answer {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodGet, h.url+path, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	setHeaders(req, hdr)
	return h.do(req)
}

func (h *harness) post(path, contentType, body string, hdr ...string) answer {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.url+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	setHeaders(req, hdr)
	return h.do(req)
}

func (h *harness) postForm(path string, v url.Values, hdr ...string) answer {
	h.t.Helper()
	return h.post(path, "application/x-www-form-urlencoded", v.Encode(), hdr...)
}

func setHeaders(req *http.Request, hdr []string) {
	for i := 0; i+1 < len(hdr); i += 2 {
		if strings.EqualFold(hdr[i], "Host") {
			req.Host = hdr[i+1]
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
}

// assertNoSecrets fails if the secret, a session key or the token shows.
func (h *harness) assertNoSecrets(s, where string) {
	h.t.Helper()
	secrets := []string{testSecret, testToken, h.sk, h.skBob}
	if h.mirror != nil { // the mirror's secret and its session keys
		secrets = append(secrets, emulator.LibreFMSecret, h.mirrorSK)
	}
	if h.lbToken != "" {
		secrets = append(secrets, h.lbToken)
	}
	for _, secret := range secrets {
		if secret != "" && strings.Contains(s, secret) {
			h.t.Errorf("a secret appears in %s", where)
		}
	}
}

// storeAccount signs account name in, as the emulator's user with session
// key, in the running daemon's store.
func (h *harness) storeAccount(name, user, key string) {
	h.t.Helper()
	if err := h.m.Accounts.Put(accounts.Account{Name: name, Key: key, User: user}); err != nil {
		h.t.Fatal(err)
	}
}

// sessionsFile is the accounts' file in the state directory dir.
func sessionsFile(dir string) string { return filepath.Join(dir, accounts.FileName) }

// last returns the last request the emulator received for method.
func (h *harness) last(method string) emulator.Request {
	h.t.Helper()
	reqs := h.emu.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if strings.EqualFold(reqs[i].Params["method"], method) {
			return reqs[i]
		}
	}
	h.t.Fatalf("the emulator received no %s", method)
	return emulator.Request{}
}

func wantStatus(t testing.TB, a answer, status int) {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d; body: %s", a.status, status, a.body)
	}
}

func wantContains(t testing.TB, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Fatalf("%q does not contain %q", s, sub)
		}
	}
}
