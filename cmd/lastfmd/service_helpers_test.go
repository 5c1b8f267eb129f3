//go:build !windows

package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/daemontest"
	"github.com/lastfmd/lastfmd/daemon/emulator"
	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// svcWorld is the emulator, a state directory with alice signed in, a
// configuration file, and the NOTIFY_SOCKET systemd would hold: what a
// `lastfmd run` child process started as systemd starts it needs.
type svcWorld struct {
	t       *testing.T
	emu     *emulator.Server
	dir     string
	state   string
	conf    string
	sk      string
	notify  *sdSocket
	token   bool
	logLvl  string
	busy    string // the configured listen address, held by a listener: a daemon that ignored systemd's sockets would fail
	secrets []string
}

type svcOpts struct {
	token    bool
	logLevel string
	extra    string // more TOML for the [lastfm] section
}

func newSvcWorld(t *testing.T, o svcOpts) *svcWorld {
	t.Helper()
	emu := daemontest.Emulator(t)
	w := &svcWorld{t: t, emu: emu, dir: t.TempDir(), token: o.token, logLvl: o.logLevel}
	w.state = filepath.Join(w.dir, "state")
	w.sk = daemontest.SignInAlice(t, emu, w.state)
	w.secrets = []string{daemontest.Secret, w.sk, daemontest.Token}
	w.busy = busyAddr(t)
	w.notify = newSDSocket(t, filepath.Join(w.dir, "notify.sock"))
	w.conf = filepath.Join(w.dir, "lastfmd.toml")
	w.writeConfig(o.logLevel, o.extra)
	return w
}

// writeConfig writes the configuration file with a log level and extra
// [lastfm] keys.
func (w *svcWorld) writeConfig(level, extra string) {
	w.t.Helper()
	secretFile := filepath.Join(w.dir, "secret")
	if err := os.WriteFile(secretFile, []byte(daemontest.Secret+"\n"), 0o600); err != nil {
		w.t.Fatal(err)
	}
	if level == "" {
		level = "info"
	}
	tok := ""
	if w.token {
		tf := filepath.Join(w.dir, "token")
		if err := os.WriteFile(tf, []byte(daemontest.Token+"\n"), 0o600); err != nil {
			w.t.Fatal(err)
		}
		tok = fmt.Sprintf("token_file = %q\n", tf)
	}
	conf := fmt.Sprintf("listen = %q\nstate_dir = %q\nlog_level = %q\n[lastfm]\napi_key = %q\napi_secret_file = %q\nupstream = %q\nrate = 100.0\nburst = 100\n%s\n[security]\n%s",
		w.busy, w.state, level, daemontest.Key, secretFile, w.emu.URL(), extra, tok)
	if err := os.WriteFile(w.conf, []byte(conf), 0o600); err != nil {
		w.t.Fatal(err)
	}
}

// noSecrets fails the test if s holds a secret.
func (w *svcWorld) noSecrets(s, where string) {
	w.t.Helper()
	for _, sec := range w.secrets {
		if sec != "" && strings.Contains(s, sec) {
			w.t.Errorf("%s leaks a secret", where)
		}
	}
	if strings.Contains(s, "goroutine ") || strings.Contains(s, "panic:") {
		w.t.Errorf("%s holds a Go stack trace:\n%s", where, s)
	}
}

// svcListeners are sockets the test holds as systemd would.
type svcListeners struct {
	files []*os.File
	names []string
	tcp   string // "127.0.0.1:port" of the TCP one, if any
	unix  string // path of the unix one, if any
}

// listenTCP and listenUnix add a socket to pass.
func (l *svcListeners) listenTCP(t *testing.T, addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close(); f.Close() })
	l.files, l.names, l.tcp = append(l.files, f), append(l.names, "tcp"), ln.Addr().String()
}

func (l *svcListeners) listenUnix(t *testing.T, path string) {
	t.Helper()
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := ln.(*net.UnixListener).File()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close(); f.Close() })
	l.files, l.names, l.unix = append(l.files, f), append(l.names, "unix"), path
}

// svcDaemon is one `lastfmd run` child process.
type svcDaemon struct {
	t      *testing.T
	cmd    *exec.Cmd
	stderr *daemontest.Buffer
	done   chan struct{}
	code   int
}

// start runs `lastfmd run` as systemd would: with the sockets as fds 3...,
// LISTEN_PID its own pid (set by a shell that then execs lastfmd),
// LISTEN_FDS, NOTIFY_SOCKET, and the extra environment.
func (w *svcWorld) start(l *svcListeners, extraEnv ...string) *svcDaemon {
	w.t.Helper()
	cmd := exec.Command("/bin/sh", "-c", `LISTEN_PID=$$ exec "$0" run`, binPath)
	env := []string{"LASTFMD_CONFIG=" + w.conf, "NOTIFY_SOCKET=" + w.notify.path}
	if l != nil && len(l.files) > 0 {
		cmd.ExtraFiles = l.files
		env = append(env, fmt.Sprintf("LISTEN_FDS=%d", len(l.files)), "LISTEN_FDNAMES="+strings.Join(l.names, ":"))
	}
	cmd.Env = cleanEnv(w.t, append(env, extraEnv...)...)
	d := &svcDaemon{t: w.t, cmd: cmd, stderr: &daemontest.Buffer{}, done: make(chan struct{})}
	cmd.Stderr = d.stderr
	cmd.Stdout = d.stderr
	if err := cmd.Start(); err != nil {
		w.t.Fatal(err)
	}
	go func() {
		err := cmd.Wait()
		d.code = 0
		if ee, ok := err.(*exec.ExitError); ok {
			d.code = ee.ExitCode()
		} else if err != nil {
			d.code = -1
		}
		close(d.done)
	}()
	w.t.Cleanup(func() {
		cmd.Process.Kill()
		<-d.done
		w.noSecrets(d.stderr.String(), "the daemon's log")
	})
	return d
}

// signal sends sig to the daemon.
func (d *svcDaemon) signal(sig syscall.Signal) {
	d.t.Helper()
	if err := d.cmd.Process.Signal(sig); err != nil {
		d.t.Fatal(err)
	}
}

// wait waits for the daemon to exit and returns its status.
func (d *svcDaemon) wait() int {
	d.t.Helper()
	select {
	case <-d.done:
		return d.code
	case <-time.After(waitfor.Bound): // only a hang
		d.t.Fatalf("lastfmd did not exit within %v; its log:\n%s", waitfor.Bound, d.stderr.String())
	}
	return -1
}

// running reports whether the daemon is still running.
func (d *svcDaemon) running() bool {
	select {
	case <-d.done:
		return false
	default:
		return true
	}
}

// waitLog waits for the daemon's log to contain s.
func (d *svcDaemon) waitLog(s string) {
	d.t.Helper()
	if !waitfor.Within(waitfor.Bound, func() bool { return strings.Contains(d.stderr.String(), s) }) {
		d.t.Fatalf("the log has no %q within %v:\n%s", s, waitfor.Bound, d.stderr.String())
	}
}

// ready waits for READY=1 and returns the address in its STATUS.
func (w *svcWorld) ready(d *svcDaemon) string {
	w.t.Helper()
	msg := w.notify.next(w.t, "READY=1", d)
	_, addr, ok := strings.Cut(msg, "STATUS=serving on ")
	if !ok {
		w.t.Fatalf("READY=1 without the address: %q", msg)
	}
	return strings.TrimSpace(addr)
}

// sdSocket is the NOTIFY_SOCKET end systemd holds.
type sdSocket struct {
	path string
	msgs chan string
}

func newSDSocket(t *testing.T, path string) *sdSocket {
	t.Helper()
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	s := &sdSocket{path: path, msgs: make(chan string, 10000)}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			s.msgs <- string(buf[:n])
		}
	}()
	return s
}

// next waits for a message containing want; others are skipped. A daemon
// that exits first fails the test with its log.
func (s *sdSocket) next(t *testing.T, want string, d *svcDaemon) string {
	t.Helper()
	deadline := time.After(waitfor.Bound) // only a hang
	exited := d.done
	for {
		select {
		case m := <-s.msgs:
			if strings.Contains(m, want) {
				return m
			}
		case <-exited:
			// What it sent before exiting may still be on its way from
			// the socket to msgs: allow a moment for it.
			exited = nil
			deadline = time.After(time.Second)
		case <-deadline:
			if exited == nil {
				t.Fatalf("lastfmd exited (status %d) without sending %q; its log:\n%s", d.code, want, d.stderr.String())
			}
			t.Fatalf("no %q from lastfmd within %v; its log:\n%s", want, waitfor.Bound, d.stderr.String())
		}
	}
}

// unitValue reads a directive from a shipped unit file.
func unitValue(t *testing.T, file, key string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", file))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), key+"="); ok {
			return v
		}
	}
	t.Fatalf("%s has no %s=", file, key)
	return ""
}
