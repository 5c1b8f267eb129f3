package daemon_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon"
	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/config"
	"github.com/lastfmd/lastfmd/daemon/fakeclock"
	"github.com/lastfmd/lastfmd/daemon/lastfmtest"
)

const (
	testKey    = "0123456789abcdef0123456789abcdef"
	testSecret = "s3cr3t-VALUE-never-shown"
	testToken  = "listener-TOKEN-never-shown"
)

// harness is script → lastfmd → emulator, over real loopback sockets.
type harness struct {
	t     testing.TB
	emu   *lastfmtest.Server
	m     *daemon.Main
	url   string
	sk    string // alice's real session key at the emulator
	skBob string
	logs  *syncBuffer
	hc    *http.Client
}

type harnessOpt func(*config.Config, *daemon.Main)

// optEmulator is the emulator of the harness being built, for options that
// need it (tests here do not run in parallel).
var optEmulator *lastfmtest.Server

// withSessionKeyFile configures the account "default" the way
// lastfm.session_key_file does, with a session of user at the emulator.
func withSessionKeyFile(user string, sk *string) harnessOpt {
	return func(c *config.Config, _ *daemon.Main) {
		*sk = optEmulator.NewSession(user)
		c.LastFM.SessionKey = config.Secret(*sk)
	}
}

// withClock makes the daemon (cache TTLs, Age) run on clock.
func withClock(clock *fakeclock.Clock) harnessOpt {
	return func(_ *config.Config, m *daemon.Main) { m.Now = clock.Now }
}

// withRate sets the outbound limiter.
func withRate(rate float64, burst int) harnessOpt {
	return func(c *config.Config, _ *daemon.Main) { c.LastFM.Rate, c.LastFM.Burst = rate, burst }
}

// withUpstream points the daemon at another Last.fm stand-in.
func withUpstream(url string) harnessOpt {
	return func(c *config.Config, _ *daemon.Main) { c.LastFM.Upstream = url }
}

// newFakeClock is a stopped clock at the wall clock's now: scrobble
// timestamps made from time.Now() stay within Last.fm's window.
func newFakeClock() *fakeclock.Clock { return fakeclock.New(time.Now()) }

// withToken requires the listener token.
func withToken(t testing.TB) harnessOpt {
	return func(c *config.Config, _ *daemon.Main) {
		p := filepath.Join(t.TempDir(), "token")
		if err := os.WriteFile(p, []byte(testToken+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		c.Security.TokenFile = p
		c.Security.Token = config.Secret(testToken)
	}
}

// noAccount starts the daemon with no account signed in.
const noAccount = "-"

func newHarness(t testing.TB, opts ...harnessOpt) *harness {
	return newHarnessAccount(t, "alice", opts...)
}

func newHarnessAccount(t testing.TB, account string, opts ...harnessOpt) *harness {
	t.Helper()
	emu, err := lastfmtest.New(lastfmtest.Options{APIKey: testKey, Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	emu.AddUser("alice", "alice-pw", false)
	emu.AddUser("bob", "bob-pw", false)
	h := &harness{t: t, emu: emu, logs: &syncBuffer{}, hc: &http.Client{Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	state := t.TempDir()
	if account != noAccount {
		h.sk = emu.NewSession("alice")
		h.skBob = emu.NewSession("bob")
		store, err := accounts.Open(state, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := store.Put(accounts.Account{Name: account, Key: h.sk, User: "alice"}); err != nil {
			t.Fatal(err)
		}
		if err := store.Put(accounts.Account{Name: "bob", Key: h.skBob, User: "bob"}); err != nil {
			t.Fatal(err)
		}
	}
	cfg := config.Defaults()
	cfg.Listen = "127.0.0.1:0"
	cfg.StateDir = state
	cfg.LastFM.APIKey = testKey
	cfg.LastFM.APISecret = config.Secret(testSecret)
	cfg.LastFM.Upstream = emu.URL()
	cfg.LastFM.AuthURL = emu.AuthURL()
	cfg.LastFM.Rate, cfg.LastFM.Burst = 1000, 1000
	cfg.LastFM.Timeout = config.Duration{Duration: 30 * time.Second} // only a hang: a busy machine is slow
	log := slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h.m = &daemon.Main{Config: &cfg, Log: log}
	optEmulator = emu
	for _, o := range opts {
		o(&cfg, h.m)
	}
	optEmulator = nil
	if err := h.m.Open(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.m.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		h.m.Close()
		h.assertNoSecrets(h.logs.String(), "logs")
	})
	h.url = h.m.URL()
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
	for _, secret := range []string{testSecret, testToken, h.sk, h.skBob} {
		if secret != "" && strings.Contains(s, secret) {
			h.t.Errorf("a secret appears in %s", where)
		}
	}
}

// last returns the last request the emulator received for method.
func (h *harness) last(method string) lastfmtest.Request {
	h.t.Helper()
	reqs := h.emu.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if strings.EqualFold(reqs[i].Params["method"], method) {
			return reqs[i]
		}
	}
	h.t.Fatalf("the emulator received no %s", method)
	return lastfmtest.Request{}
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

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
