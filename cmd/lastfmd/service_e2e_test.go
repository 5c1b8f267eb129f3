//go:build !windows

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon"
	"github.com/lastfmd/lastfmd/daemon/closedport"
	"github.com/lastfmd/lastfmd/daemon/daemontest"
	"github.com/lastfmd/lastfmd/daemon/emulator"
	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// timeoutStopSec is the system unit's TimeoutStopSec=: how long systemd
// waits after SIGTERM before SIGKILL.
func timeoutStopSec(t *testing.T) time.Duration {
	v := unitValue(t, "systemd/lastfmd.service", "TimeoutStopSec")
	if _, err := strconv.Atoi(v); err == nil {
		v += "s"
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		t.Fatalf("TimeoutStopSec=%s: %v", v, err)
	}
	return d
}

// TestSystemdNotifyReadyWatchdogStopping: started as systemd starts it
// (Type=notify, WatchdogSec=), lastfmd sends READY=1 once it answers,
// WATCHDOG=1 at half the interval, also while Last.fm is down, and
// STOPPING=1 on SIGTERM, then exits 0.
func TestSystemdNotifyReadyWatchdogStopping(t *testing.T) {
	w := newSvcWorld(t, svcOpts{})
	var l svcListeners
	l.listenTCP(t, "127.0.0.1:0")
	d := w.start(&l, "WATCHDOG_USEC=200000") // 200 ms
	addr := w.ready(d)
	if addr != l.tcp {
		t.Errorf("READY says %q, the socket is %q", addr, l.tcp)
	}
	hc, base := httpClient(addr)
	if st, body := get(t, hc, base+"/readyz"); st != 200 {
		t.Fatalf("/readyz after READY=1: %d %s", st, body)
	}
	for range 3 {
		w.notify.next(t, "WATCHDOG=1", d)
	}
	// Last.fm unreachable: the daemon is still healthy, the watchdog fed.
	if err := w.emu.Stop(); err != nil {
		t.Fatal(err)
	}
	if st, _ := get(t, hc, base+"/v1/artist.getInfo?artist=Cher"); st < 500 {
		t.Errorf("a read with Last.fm down answered %d, want 5xx", st)
	}
	for range 3 {
		w.notify.next(t, "WATCHDOG=1", d)
	}
	if st, _ := get(t, hc, base+"/readyz"); st != 200 {
		t.Errorf("/readyz with Last.fm down: %d", st)
	}
	if err := w.emu.Start(); err != nil {
		t.Fatal(err)
	}

	d.signal(syscall.SIGTERM)
	w.notify.next(t, "STOPPING=1", d)
	if code := d.wait(); code != 0 {
		t.Errorf("exit status %d after SIGTERM; log:\n%s", code, d.stderr.String())
	}
}

// TestSystemdSocketActivation: lastfmd serves the sockets systemd passes
// (a TCP port and a unix socket at once), ignoring listen; stopped and
// started again on the same sockets, as lastfmd.socket does across
// `systemctl restart lastfmd`, it answers the requests that queued while
// it was down, and the socket file is still there.
func TestSystemdSocketActivation(t *testing.T) {
	w := newSvcWorld(t, svcOpts{})
	var l svcListeners
	l.listenTCP(t, "127.0.0.1:0")
	l.listenUnix(t, w.dir+"/lastfmd.sock")

	d1 := w.start(&l)
	w.ready(d1)
	for _, addr := range []string{l.tcp, l.unix} {
		hc, base := httpClient(addr)
		st, body := get(t, hc, base+"/v1/artist.getInfo?artist=Cher")
		if st != 200 || !strings.Contains(body, "Cher") {
			t.Errorf("via %s: %d %s", addr, st, body)
		}
	}
	if strings.Contains(d1.stderr.String(), "address already in use") {
		t.Error("lastfmd tried the configured listen address")
	}
	d1.signal(syscall.SIGTERM)
	if code := d1.wait(); code != 0 {
		t.Fatalf("exit status %d; log:\n%s", code, d1.stderr.String())
	}
	if st, err := os.Stat(l.unix); err != nil || st.Mode()&os.ModeSocket == 0 {
		t.Fatalf("the socket file is gone after the service stopped: %v", err)
	}

	// Requests sent while no lastfmd runs wait in the sockets' queues.
	type result struct {
		addr   string
		status int
		body   string
		err    error
	}
	results := make(chan result, 2)
	for _, addr := range []string{l.tcp, l.unix} {
		go func() {
			hc, base := httpClient(addr)
			resp, err := hc.Get(base + "/v1/artist.getInfo?artist=Cher")
			if err != nil {
				results <- result{addr: addr, err: err}
				return
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			results <- result{addr, resp.StatusCode, string(b), nil}
		}()
	}
	time.Sleep(200 * time.Millisecond)
	select {
	case r := <-results:
		t.Fatalf("answered with no daemon running: %+v", r)
	default:
	}
	d2 := w.start(&l)
	w.ready(d2)
	for range 2 {
		r := <-results
		if r.err != nil || r.status != 200 || !strings.Contains(r.body, "Cher") {
			t.Errorf("queued request via %s: %d %v %s", r.addr, r.status, r.err, r.body)
		}
	}
	d2.signal(syscall.SIGTERM)
	if code := d2.wait(); code != 0 {
		t.Errorf("exit status %d", code)
	}
}

// TestSystemdSocketActivationRules: a passed non-loopback TCP socket is
// refused without a token and served with one, like listen; a passed
// socket that is not a stream listener is refused by name.
func TestSystemdSocketActivationRules(t *testing.T) {
	t.Run("non-loopback without token", func(t *testing.T) {
		w := newSvcWorld(t, svcOpts{})
		var l svcListeners
		l.listenTCP(t, "0.0.0.0:0")
		d := w.start(&l)
		if code := d.wait(); code != 1 {
			t.Errorf("exit status %d, want 1", code)
		}
		log := d.stderr.String()
		if !strings.Contains(log, "is not a loopback address") || !strings.Contains(log, "token") {
			t.Errorf("log: %s", log)
		}
	})
	t.Run("non-loopback with token", func(t *testing.T) {
		w := newSvcWorld(t, svcOpts{token: true})
		var l svcListeners
		l.listenTCP(t, "0.0.0.0:0")
		d := w.start(&l)
		w.ready(d)
		_, port, _ := net.SplitHostPort(l.tcp)
		hc, base := httpClient("127.0.0.1:" + port)
		if st, _ := get(t, hc, base+"/v1/status"); st != 401 {
			t.Errorf("no token: %d, want 401", st)
		}
		if st, _ := get(t, hc, base+"/v1/status", "Authorization", "Bearer "+daemontest.Token); st != 200 {
			t.Errorf("with token: %d", st)
		}
		d.signal(syscall.SIGTERM)
		if code := d.wait(); code != 0 {
			t.Errorf("exit status %d", code)
		}
	})
	t.Run("datagram socket", func(t *testing.T) {
		w := newSvcWorld(t, svcOpts{})
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer pc.Close()
		f, err := pc.(*net.UDPConn).File()
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		d := w.start(&svcListeners{files: []*os.File{f}, names: []string{"udp"}})
		if code := d.wait(); code != 1 {
			t.Errorf("exit status %d, want 1", code)
		}
		if log := d.stderr.String(); !strings.Contains(log, "file descriptor 3 (udp), which is not a listening stream socket") {
			t.Errorf("log: %s", log)
		}
	})
}

// TestSignalTermDrainsInFlight: SIGTERM while reads and scrobbles are in
// flight (Last.fm answering slowly): every request is answered, every
// scrobble reaches Last.fm exactly once, and lastfmd exits 0 well within
// the unit's TimeoutStopSec.
func TestSignalTermDrainsInFlight(t *testing.T) {
	w := newSvcWorld(t, svcOpts{})
	var l svcListeners
	l.listenTCP(t, "127.0.0.1:0")
	d := w.start(&l)
	hc, base := httpClient(w.ready(d))

	const slow = 1500 * time.Millisecond
	w.emu.Fail(emulator.Fault{Method: "track.scrobble", Delay: slow})
	w.emu.Fail(emulator.Fault{Method: "artist.getInfo", Delay: slow})
	const n = 4
	ts := time.Now().Add(-time.Hour).Unix()
	type answer struct {
		what   string
		status int
		err    error
	}
	answers := make(chan answer, 2*n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			body := fmt.Sprintf(`{"artist":"Drain Artist","track":"Track %d","timestamp":%d}`, i, ts+int64(i))
			resp, err := hc.Post(base+"/v1/track.scrobble", "application/json", strings.NewReader(body))
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				answers <- answer{"scrobble", resp.StatusCode, nil}
				return
			}
			answers <- answer{"scrobble", 0, err}
		})
		wg.Go(func() {
			resp, err := hc.Get(base + "/v1/artist.getInfo?artist=" + url.QueryEscape(fmt.Sprintf("Drain %d", i)))
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				answers <- answer{"read", resp.StatusCode, nil}
				return
			}
			answers <- answer{"read", 0, err}
		})
	}
	// In flight: Last.fm has them all (or, for scrobbles the journal sends
	// in batches, at least one) and is still answering.
	waitfor.True(t, "the requests to reach the emulator", func() bool {
		return w.emu.Count("artist.getInfo") >= n && w.emu.Count("track.scrobble") >= 1
	})
	d.signal(syscall.SIGTERM)
	w.notify.next(t, "STOPPING=1", d)
	if code := d.wait(); code != 0 {
		t.Errorf("exit status %d; log:\n%s", code, d.stderr.String())
	}
	// How long a stop may take is a bound in the code, not a stopwatch
	// reading: the drain bound is well inside systemd's patience.
	if limit := timeoutStopSec(t); daemon.DefaultDrainTimeout > limit/2 {
		t.Errorf("the drain bound %v is over half of TimeoutStopSec=%v", daemon.DefaultDrainTimeout, limit)
	}
	wg.Wait()
	close(answers)
	for a := range answers {
		if a.err != nil || a.status >= 300 {
			t.Errorf("%s in flight at SIGTERM: status %d, %v", a.what, a.status, a.err)
		}
	}

	// Nothing lost: every scrobble is at Last.fm, or, journalled, gets
	// there once lastfmd runs again.
	missing := func() []string {
		got := map[string]int{}
		for _, s := range w.emu.Scrobbles("alice") {
			got[s.Track]++
		}
		var out []string
		for i := range n {
			tr := fmt.Sprintf("Track %d", i)
			if got[tr] != 1 {
				out = append(out, fmt.Sprintf("%s x%d", tr, got[tr]))
			}
		}
		return out
	}
	if m := missing(); len(m) > 0 {
		w.emu.ClearFaults()
		d2 := w.start(&l)
		w.ready(d2)
		waitfor.Within(waitfor.Bound, func() bool { return len(missing()) == 0 })
		if m := missing(); len(m) > 0 {
			// The logs say which batch was in flight at the stop and
			// what the second start sent, should this ever happen.
			t.Errorf("scrobbles lost or duplicated: %q\nfirst daemon's log:\n%s\nsecond daemon's log:\n%s", m, d.stderr.String(), d2.stderr.String())
		}
	}
}

// TestSignalHupReloadsLogLevel: SIGHUP (systemctl reload) applies a new
// log_level without dropping a connection, says which changed keys need a
// restart, and keeps the running configuration when the new one is bad.
// Request lines (debug) never carry the query.
func TestSignalHupReloadsLogLevel(t *testing.T) {
	w := newSvcWorld(t, svcOpts{logLevel: "info", token: true})
	var l svcListeners
	l.listenTCP(t, "127.0.0.1:0")
	d := w.start(&l)
	addr := w.ready(d)
	hc := &http.Client{Timeout: 30 * time.Second} // keep-alive
	var reused []bool
	var mu sync.Mutex
	call := func(artist string) {
		t.Helper()
		trace := &httptrace.ClientTrace{GotConn: func(i httptrace.GotConnInfo) {
			mu.Lock()
			reused = append(reused, i.Reused)
			mu.Unlock()
		}}
		req, _ := http.NewRequest(http.MethodGet, "http://"+addr+"/v1/artist.getInfo?artist="+url.QueryEscape(artist), nil)
		req.Header.Set("Authorization", "Bearer "+daemontest.Token)
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
		resp, err := hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", artist, resp.StatusCode)
		}
	}
	call("Before Reload")
	if strings.Contains(d.stderr.String(), "msg=request") {
		t.Fatal("a request line at log_level info")
	}

	w.writeConfig("debug", "max_retries = 2")
	d.signal(syscall.SIGHUP)
	w.notify.next(t, "RELOADING=1", d)
	w.notify.next(t, "READY=1", d)
	d.waitLog("log_level changed")
	d.waitLog("apply only after a restart") // logged apart from the change, maybe after it
	if log := d.stderr.String(); !strings.Contains(log, "keys=lastfm.max_retries") {
		t.Errorf("no restart warning for lastfm.max_retries:\n%s", log)
	}
	call("Secret Query Value")
	d.waitLog("msg=request")
	log := d.stderr.String()
	line := log[strings.Index(log, "msg=request"):]
	line = line[:strings.IndexByte(line, '\n')]
	for _, want := range []string{"http_method=GET", "route=/v1/", "lastfm_method=artist.getInfo", "status=200", "duration="} {
		if !strings.Contains(line, want) {
			t.Errorf("request line %q lacks %q", line, want)
		}
	}
	if strings.Contains(log, "Secret+Query") || strings.Contains(log, "Secret Query") || strings.Contains(log, "artist=") {
		t.Errorf("the request line carries the query: %q", line)
	}
	mu.Lock()
	if len(reused) != 2 || !reused[1] {
		t.Errorf("the keep-alive connection did not survive SIGHUP: reused %v", reused)
	}
	mu.Unlock()

	// A configuration that does not load changes nothing.
	w.writeConfig("loud", "")
	d.signal(syscall.SIGHUP)
	d.waitLog("the running one stays")
	before := strings.Count(d.stderr.String(), "msg=request")
	call("After Bad Reload")
	waitfor.True(t, "the request's log line: a bad reload changed the log level", func() bool {
		return strings.Count(d.stderr.String(), "msg=request") > before
	})
	if !d.running() {
		t.Fatalf("SIGHUP stopped lastfmd:\n%s", d.stderr.String())
	}
	d.signal(syscall.SIGTERM)
	if code := d.wait(); code != 0 {
		t.Errorf("exit status %d", code)
	}
}

// fakeSystemd puts systemctl and loginctl stand-ins first on $PATH: they
// log their arguments, and `systemctl show` answers from the user unit's
// presence (--user) or $FAKE_SHOW_SYSTEM. With $FAKE_NOBUS set, no
// manager answers: every systemctl fails as it does without one.
func fakeSystemd(t *testing.T) (env []string, log func() string) {
	dir := t.TempDir()
	logf := dir + "/calls.log"
	systemctl := `#!/bin/sh
echo "systemctl $*" >> "$FAKE_LOG"
if [ -n "$FAKE_NOBUS" ]; then
  echo "Failed to connect to bus: No medium found" >&2; exit 1
fi
if [ -n "$FAKE_FAIL" ]; then
  case " $* " in
  *" $FAKE_FAIL "*) echo "$FAKE_STDERR" >&2; echo 'See "systemctl status lastfmd.service" for details.' >&2; exit 1 ;;
  esac
fi
case " $* " in
*" show "*)
  case " $* " in
  *" --user "*)
    if [ -f "$HOME/.config/systemd/user/lastfmd.service" ]; then
      printf 'LoadState=loaded\nActiveState=inactive\nSubState=dead\nResult=success\nUnitFileState=enabled\nMainPID=0\n'
    else
      printf 'LoadState=not-found\nActiveState=inactive\nSubState=dead\n'
    fi ;;
  *) printf '%b' "${FAKE_SHOW_SYSTEM:-LoadState=not-found\n}" ;;
  esac ;;
esac
exit 0
`
	loginctl := "#!/bin/sh\necho \"loginctl $*\" >> \"$FAKE_LOG\"\necho no\n"
	for name, body := range map[string]string{"systemctl": systemctl, "loginctl": loginctl} {
		if err := os.WriteFile(dir+"/"+name, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return []string{"PATH=" + dir + ":" + os.Getenv("PATH"), "FAKE_LOG=" + logf}, func() string {
		b, _ := os.ReadFile(logf)
		return string(b)
	}
}

// TestServiceUserInstallCLI: the real binary installs, controls and
// uninstalls a user service through kardianos, against stand-in systemctl
// and loginctl.
func TestServiceUserInstallCLI(t *testing.T) {
	fake, calls := fakeSystemd(t)
	env := cleanEnv(t, fake...)
	home := homeOf(env)
	unit := home + "/.config/systemd/user/lastfmd.service"

	out, errOut, code := runCLI(t, env, "", "status", "--user", "--json")
	var st statusReport
	if code != 1 || json.Unmarshal([]byte(out), &st) != nil || st.Service.State != "not installed" || st.Daemon != "not running" {
		t.Errorf("status before install: %d %q %q", code, out, errOut)
	}

	out, errOut, code = runCLI(t, env, "", "install", "--user")
	if code != 0 {
		t.Fatalf("install --user: %d %s %s", code, out, errOut)
	}
	for _, want := range []string{"installed the user service lastfmd", unit + " (enabled)", binPath, "lingering is off", "loginctl enable-linger", "start --user"} {
		if !strings.Contains(out, want) {
			t.Errorf("install output lacks %q:\n%s", want, out)
		}
	}
	text, err := os.ReadFile(unit)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ExecStart=" + binPath + ` "run"` + "\n", "Type=notify\n", "WantedBy=default.target\n", "RuntimeDirectoryPreserve=yes\n"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("unit lacks %q:\n%s", want, text)
		}
	}
	// The unit install wrote, naming this binary, passes systemd's checks.
	if _, err := exec.LookPath("systemd-analyze"); err == nil {
		cmd := exec.Command("systemd-analyze", "--user", "verify", unit)
		cmd.Env = append(os.Environ(), "XDG_RUNTIME_DIR="+t.TempDir())
		if out, err := cmd.CombinedOutput(); err != nil || len(out) > 0 {
			t.Errorf("systemd-analyze --user verify %s: %v\n%s", unit, err, out)
		}
	}
	for _, want := range []string{"systemctl enable --user lastfmd.service", "systemctl daemon-reload --user", "loginctl show-user"} {
		if !strings.Contains(calls(), want) {
			t.Errorf("no %q in:\n%s", want, calls())
		}
	}

	if _, errOut, code = runCLI(t, env, "", "install", "--user"); code != 1 || !strings.Contains(errOut, "already installed") || !strings.Contains(errOut, "--force") {
		t.Errorf("second install: %d %s", code, errOut)
	}
	if out, _, code = runCLI(t, env, "", "status", "--user"); code != 1 || !strings.Contains(out, "service:  stopped") || !strings.Contains(out, "daemon:   not running") {
		t.Errorf("status: %d\n%s", code, out)
	}
	if out, errOut, code = runCLI(t, env, "", "start", "--user"); code != 0 || !strings.Contains(calls(), "systemctl --user start lastfmd.service") {
		t.Errorf("start: %d %s %s\n%s", code, out, errOut, calls())
	}
	// systemctl refuses: its own words reach the user, with the next step.
	failing := append(env, "FAKE_FAIL=start", "FAKE_STDERR=Job for lastfmd.service failed because the control process exited with error code.")
	_, errOut, code = runCLI(t, failing, "", "start", "--user")
	teach(t, "", errOut, code, "start failed: `systemctl --user start lastfmd.service`: Job for lastfmd.service failed because the control process exited with error code.",
		"systemctl --user status lastfmd", "journalctl --user -u lastfmd")
	if strings.Contains(errOut, "exit status 1") {
		t.Errorf("only the exit status: %s", errOut)
	}
	failing = append(env, "FAKE_FAIL=disable", "FAKE_STDERR=Failed to disable unit: Access denied")
	_, errOut, code = runCLI(t, failing, "", "uninstall", "--user")
	teach(t, "", errOut, code, "removing the user service failed: `systemctl --user disable lastfmd.service`: Failed to disable unit: Access denied", "lastfmd uninstall --user` again")
	if out, errOut, code = runCLI(t, env, "", "uninstall", "--user"); code != 0 || !strings.Contains(out, "uninstalled") {
		t.Errorf("uninstall: %d %s %s", code, out, errOut)
	}
	if _, err := os.Stat(unit); !os.IsNotExist(err) {
		t.Errorf("unit still there: %v", err)
	}
	if !strings.Contains(calls(), "systemctl disable --user lastfmd.service") {
		t.Errorf("not disabled:\n%s", calls())
	}
	if _, errOut, code = runCLI(t, env, "", "start", "--user"); code != 1 || !strings.Contains(errOut, "not installed") {
		t.Errorf("start after uninstall: %d %s", code, errOut)
	}
}

// TestServiceSystemInstallRefusesTemporaryBinary: the test binary lives in
// a temporary directory, which the system unit's PrivateTmp= hides.
func TestServiceSystemInstallRefusesTemporaryBinary(t *testing.T) {
	if !strings.HasPrefix(binPath, "/tmp/") {
		t.Skipf("the test binary %s is not under /tmp", binPath)
	}
	fake, calls := fakeSystemd(t)
	_, errOut, code := runCLI(t, cleanEnv(t, fake...), "", "install")
	if code != 1 || !strings.Contains(errOut, "is under /tmp") || !strings.Contains(errOut, "sudo install -m 755 "+binPath+" /usr/local/bin/lastfmd") {
		t.Errorf("%d %s", code, errOut)
	}
	if calls() != "" {
		t.Errorf("commands ran: %s", calls())
	}
}

// TestServiceStatusCLI: status combines the service manager's state with
// the daemon's /readyz and /v1/status, as text or JSON, without the token.
func TestServiceStatusCLI(t *testing.T) {
	w := newSvcWorld(t, svcOpts{token: true})
	var l svcListeners
	l.listenTCP(t, "127.0.0.1:0")
	d := w.start(&l)
	addr := w.ready(d)
	fake, _ := fakeSystemd(t)
	show := `FAKE_SHOW_SYSTEM=LoadState=loaded\nActiveState=active\nSubState=running\nResult=success\nUnitFileState=enabled\nMainPID=4242\n`
	env := cleanEnv(t, append(fake, show, "LASTFMD_CONFIG="+w.conf, "LASTFMD_URL=http://"+addr)...)

	out, errOut, code := runCLI(t, env, "", "status", "--json")
	if code != 0 {
		t.Fatalf("status --json: %d %s %s", code, out, errOut)
	}
	var r struct {
		Service struct {
			State   string `json:"state"`
			MainPID int    `json:"main_pid"`
		} `json:"service"`
		Ready  bool `json:"ready"`
		Daemon struct {
			Version  string `json:"version"`
			Accounts []struct {
				Name string `json:"name"`
			} `json:"accounts"`
		} `json:"daemon"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if r.Service.State != "running" || r.Service.MainPID != 4242 || !r.Ready || r.Daemon.Version == "" || len(r.Daemon.Accounts) != 1 || r.Daemon.Accounts[0].Name != "alice" {
		t.Errorf("status --json: %s", out)
	}
	out, _, code = runCLI(t, env, "", "status")
	if code != 0 {
		t.Errorf("status exit %d with the daemon ready", code)
	}
	for _, want := range []string{"service:  running (system unit lastfmd.service, active/running, enabled, pid 4242)", "daemon:   ready at http://" + addr, "accounts: alice (default)", "queue:", "upstream:"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	w.noSecrets(out, "status")

	d.signal(syscall.SIGTERM)
	d.wait()
	out, _, code = runCLI(t, append(env, "LASTFMD_URL=http://"+closedport.Addr(t)), "", "status", "--json")
	var down statusReport
	if code != 1 || json.Unmarshal([]byte(out), &down) != nil || down.Daemon != "not running" || down.Ready || down.Service.State != "running" {
		t.Errorf("status with the daemon gone: %d %s", code, out)
	}
}

// TestServiceHealthcheck: exit 0 when /readyz answers 200 (by URL, unix
// socket or the configured address), 1 when nothing answers, 2 for a bad
// argument.
func TestServiceHealthcheck(t *testing.T) {
	w := newSvcWorld(t, svcOpts{token: true})
	var l svcListeners
	l.listenTCP(t, "127.0.0.1:0")
	l.listenUnix(t, w.dir+"/hc.sock")
	d := w.start(&l)
	w.ready(d)
	env := cleanEnv(t)
	for _, tc := range []struct {
		args []string
		env  []string
		code int
		out  string
	}{
		{[]string{"http://" + l.tcp}, nil, 0, "ready\n"},
		{[]string{"http://" + l.tcp + "/"}, nil, 0, "ready\n"},
		{[]string{"http://" + l.tcp + "/readyz"}, nil, 0, "ready\n"},
		{[]string{"unix:" + l.unix}, nil, 0, "ready\n"},
		{nil, []string{"LASTFMD_URL=http://" + l.tcp}, 0, "ready\n"},
		{[]string{"http://" + l.tcp + "/nope"}, nil, 1, ""},
		{[]string{"http://" + closedport.Addr(t)}, nil, 1, ""},
		{[]string{"ftp://x"}, nil, 2, ""},
		{[]string{"unix:"}, nil, 2, ""},
		{[]string{"http://u:p@127.0.0.1:1"}, nil, 2, ""},
		{[]string{"a", "b"}, nil, 2, ""},
	} {
		out, errOut, code := runCLI(t, append(env, tc.env...), "", append([]string{"healthcheck"}, tc.args...)...)
		if code != tc.code || out != tc.out {
			t.Errorf("healthcheck %q: %d %q %q, want %d %q", tc.args, code, out, errOut, tc.code, tc.out)
		}
		if code != 0 && (errOut == "" || strings.Count(strings.TrimSpace(errOut), "\n") > 1) {
			t.Errorf("healthcheck %q: error output %q", tc.args, errOut)
		}
		if strings.Contains(errOut, "p@") {
			t.Errorf("healthcheck echoed a password: %q", errOut)
		}
	}
}

// TestServiceCredentialsAndStateDirectory: run as systemd runs the system
// unit, with the API secret, the session key of "default" and the token
// only as credentials ($CREDENTIALS_DIRECTORY) and no state_dir: the token
// is required, "default" scrobbles with its key, and a session signed in
// later is stored in $STATE_DIRECTORY.
func TestServiceCredentialsAndStateDirectory(t *testing.T) {
	w := newSvcWorld(t, svcOpts{})
	w.emu.AddUser("bob", "bob-pw", false)
	creds := t.TempDir()
	for name, v := range map[string]string{"api-secret": daemontest.Secret, "session-key": w.sk, "token": daemontest.Token} {
		if err := os.WriteFile(creds+"/"+name, []byte(v+"\n"), 0o400); err != nil {
			t.Fatal(err)
		}
	}
	state := t.TempDir()
	conf := fmt.Sprintf("listen = %q\n[lastfm]\napi_key = %q\nupstream = %q\n", w.busy, daemontest.Key, w.emu.URL())
	if err := os.WriteFile(w.conf, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	var l svcListeners
	l.listenTCP(t, "127.0.0.1:0")
	d := w.start(&l, "CREDENTIALS_DIRECTORY="+creds, "STATE_DIRECTORY="+state)
	hc, base := httpClient(w.ready(d))
	auth := []string{"Authorization", "Bearer " + daemontest.Token}

	if st, _ := get(t, hc, base+"/v1/status"); st != 401 {
		t.Errorf("no token: %d, want 401", st)
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/track.love", strings.NewReader(`{"artist":"Cred Artist","track":"Cred Track"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(auth[0], auth[1])
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(strings.Join(w.emu.Loved("alice"), ","), "Cred Artist - Cred Track") {
		t.Errorf("love as default: %d %s; loved %q", resp.StatusCode, body, w.emu.Loved("alice"))
	}
	w.noSecrets(string(body), "the love answer")

	form := url.Values{"method": {"auth.getMobileSession"}, "username": {"bob"}, "password": {"bob-pw"}, "api_key": {daemontest.Token}, "format": {"json"}}
	resp, err = hc.PostForm(base+"/2.0/", form)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("getMobileSession: %d %s", resp.StatusCode, body)
	}
	w.noSecrets(string(body), "the sign-in answer")
	sessions, err := os.ReadFile(state + "/sessions.json")
	if err != nil {
		t.Fatalf("no sessions.json in $STATE_DIRECTORY: %v", err)
	}
	if !strings.Contains(string(sessions), `"bob"`) {
		t.Errorf("bob's session is not in $STATE_DIRECTORY/sessions.json")
	}
	if _, err := os.Stat(w.state + "/sessions.json"); err == nil {
		entries, _ := os.ReadFile(w.state + "/sessions.json")
		if strings.Contains(string(entries), `"bob"`) {
			t.Error("the session went to another state directory")
		}
	}
	d.signal(syscall.SIGTERM)
	if code := d.wait(); code != 0 {
		t.Errorf("exit status %d", code)
	}
}
