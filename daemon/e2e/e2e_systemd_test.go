package e2e_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon"
	"github.com/lastfmd/lastfmd/daemon/config"
	"github.com/lastfmd/lastfmd/daemon/daemontest"
	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// TestSystemdReadinessFollowsHealthChecks: a registered health check (the
// journal's) decides /readyz and the watchdog's self-check; Last.fm being
// down decides neither.
func TestSystemdReadinessFollowsHealthChecks(t *testing.T) {
	h := newHarness(t)
	var broken atomic.Bool
	h.m.AddHealthCheck("journal", func() error {
		if broken.Load() {
			return errors.New("cannot write journal.db: no space left on device")
		}
		return nil
	})
	ctx := context.Background()
	if err := h.m.SelfCheck(ctx); err != nil {
		t.Fatalf("healthy daemon: %v", err)
	}
	wantStatus(t, h.get("/readyz"), 200)

	h.emu.Stop()
	if err := h.m.SelfCheck(ctx); err != nil {
		t.Errorf("Last.fm down made the self-check fail: %v", err)
	}
	wantStatus(t, h.get("/readyz"), 200)
	h.emu.Start()

	broken.Store(true)
	err := h.m.SelfCheck(ctx)
	if err == nil || !strings.Contains(err.Error(), "/readyz answered 503") || !strings.Contains(err.Error(), "journal: cannot write journal.db") {
		t.Errorf("self-check with a broken journal: %v", err)
	}
	a := h.get("/readyz")
	wantStatus(t, a, 503)
	wantContains(t, a.body, "journal: cannot write journal.db")

	broken.Store(false)
	if err := h.m.SelfCheck(ctx); err != nil {
		t.Errorf("recovered: %v", err)
	}
	// The watchdog's probes are not clients' requests: only the three
	// GET /readyz above are logged.
	if n := strings.Count(h.logs.String(), "msg=request http_method=GET route=/readyz"); n != 3 {
		t.Errorf("%d /readyz request lines, want 3 (self-checks logged?):\n%s", n, h.logs.String())
	}
}

// TestSystemdSelfCheckDeadline: a wedged handler fails the self-check by
// its deadline instead of hanging the watchdog.
func TestSystemdSelfCheckDeadline(t *testing.T) {
	h := newHarness(t)
	release := make(chan struct{})
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	h.m.AddHealthCheck("stuck", func() error { <-release; return nil })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- h.m.SelfCheck(ctx) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "did not answer /readyz in time") {
			t.Errorf("err = %v", err)
		}
	case <-time.After(waitfor.Bound):
		t.Fatal("the self-check hung on a wedged handler, past its deadline")
	}
	once.Do(func() { close(release) })
}

// TestSystemdRequestLog: at debug level each request is one line with its
// route, Last.fm method, status and duration, and nothing of the query,
// body or token.
func TestSystemdRequestLog(t *testing.T) {
	h := newHarness(t, withToken(t))
	h.get("/v1/artist.getInfo?artist=Query+Value+Hidden", "Authorization", "Bearer "+testToken)
	h.post("/v1/track.love", "application/json", `{"artist":"Body Value Hidden","track":"T"}`, "Authorization", "Bearer "+testToken)
	h.get("/v1/made.upMethodName", "Authorization", "Bearer "+testToken)
	logs := h.logs.String()
	for _, want := range []string{
		"msg=request http_method=GET route=/v1/ lastfm_method=artist.getInfo status=200 duration=",
		"msg=request http_method=POST route=/v1/ lastfm_method=track.love status=200 duration=",
		"msg=request http_method=GET route=/v1/ status=",
	} {
		if !strings.Contains(logs, want) {
			t.Errorf("logs lack %q:\n%s", want, logs)
		}
	}
	for _, bad := range []string{"Query", "Hidden", "made.upMethodName", testToken} {
		if strings.Contains(logs, bad) {
			t.Errorf("logs contain %q", bad)
		}
	}
}

// TestSystemdReload: Reload applies log_level, re-reads the session file
// even when its modification time did not change, names changed keys that
// need a restart, and leaves everything as it was when loading fails.
func TestSystemdReload(t *testing.T) {
	lv := new(slog.LevelVar)
	lv.Set(slog.LevelInfo)
	h := newHarness(t, withLevel(lv))
	next := *h.m.Config
	next.LogLevel = "debug"
	next.LastFM.Rate = 7
	next.Cache.ShortTTL = config.Duration{Duration: time.Hour}
	if err := h.m.Reload(func() (*config.Config, []string, error) { return &next, []string{"a warning"}, nil }); err != nil {
		t.Fatal(err)
	}
	if lv.Level() != slog.LevelDebug {
		t.Errorf("level %v after reload", lv.Level())
	}
	l := h.logs.String()
	wantContains(t, l, "a warning", "log_level changed", `keys=lastfm.rate,cache.short_ttl`, "configuration reloaded")
	if strings.Contains(l, "keys=log_level") || strings.Contains(l, ",log_level") {
		t.Error("log_level reported as needing a restart")
	}

	// The session file changes behind the store's back with the same size
	// and time: only an explicit reload sees it.
	path := sessionsFile(h.m.Config.StateDir)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	changed := strings.Replace(string(raw), `"bob"`, `"bee"`, 1)
	if changed == string(raw) {
		t.Fatalf("no account bob in %s", raw)
	}
	os.WriteFile(path, []byte(changed), 0o600)
	os.Chtimes(path, st.ModTime(), st.ModTime())
	if _, ok := h.m.Accounts.Get("bee"); ok {
		t.Skip("the store noticed the change by itself; nothing left to show")
	}
	if err := h.m.Reload(func() (*config.Config, []string, error) { return &next, nil, nil }); err != nil {
		t.Fatal(err)
	}
	if _, ok := h.m.Accounts.Get("bee"); !ok {
		t.Error("reload did not re-read the session file")
	}

	// A configuration that fails to load changes nothing.
	bad := errors.New("config: log_level: \"loud\" is not debug, info, warn or error")
	if err := h.m.Reload(func() (*config.Config, []string, error) { return nil, nil, bad }); !errors.Is(err, bad) {
		t.Errorf("err = %v", err)
	}
	if lv.Level() != slog.LevelDebug {
		t.Error("a failed reload changed the level")
	}
	wantContains(t, h.logs.String(), "the running one stays")
	h.assertNoSecrets(h.logs.String(), "logs")
}

// TestSystemdPassedListeners: several sockets passed by systemd are served
// together; a non-loopback TCP one without a token is refused like listen.
func TestSystemdPassedListeners(t *testing.T) {
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "l.sock")
	unix, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, withListener(daemon.MergeListeners(tcp, unix)))
	h.url = "http://" + tcp.Addr().String()
	wantStatus(t, h.get("/readyz"), 200)
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(waitfor.Bound))
	c.Write([]byte("GET /readyz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"))
	buf := make([]byte, 64)
	n, _ := c.Read(buf)
	c.Close()
	if !strings.HasPrefix(string(buf[:n]), "HTTP/1.1 200") {
		t.Errorf("via the unix socket: %q", buf[:n])
	}

	wide, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	loop, _ := net.Listen("tcp", "127.0.0.1:0")
	cfg := *h.m.Config
	cfg.StateDir = t.TempDir()
	m := daemontest.Main(&cfg, nil, daemontest.Pace{})
	m.Listener = daemon.MergeListeners(loop, wide)
	err = m.Open()
	m.Close()
	if err == nil || !strings.Contains(err.Error(), "is not a loopback address") {
		t.Errorf("a passed 0.0.0.0 listener without a token: %v", err)
	}
}

// TestSystemdMergeListenersClose: closing the merged listener closes every
// socket and ends Accept.
func TestSystemdMergeListenersClose(t *testing.T) {
	a, _ := net.Listen("tcp", "127.0.0.1:0")
	b, _ := net.Listen("tcp", "127.0.0.1:0")
	m := daemon.MergeListeners(a, b)
	if m.Addr().String() != a.Addr().String() {
		t.Errorf("Addr %v, want the first listener's", m.Addr())
	}
	got := make(chan error, 1)
	go func() {
		for {
			c, err := m.Accept()
			if err != nil {
				got <- err
				return
			}
			c.Close()
		}
	}()
	for _, ln := range []net.Listener{a, b} {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	m.Close()
	select {
	case err := <-got:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Accept after Close: %v", err)
		}
	case <-time.After(waitfor.Bound):
		t.Fatal("Accept did not return after Close")
	}
	for _, ln := range []net.Listener{a, b} {
		if c, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
			c.Close()
			t.Errorf("%v still accepts", ln.Addr())
		}
	}
}
