package daemon

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// PIDFileName is the file in state_dir where a running daemon notes its
// pid and address. The journal's lock says that a daemon runs; this file
// says which one and where, so that a second `lastfmd run` with the same
// configuration can say "already running (pid N, on ADDRESS)" instead of
// sending the user to another --state-dir and then into "port in use".
const PIDFileName = "lastfmd.pid"

// writePIDFile records this process and its listener once it listens.
// Failing to write it costs only the better message, so it is logged, not
// fatal.
func (m *Main) writePIDFile() {
	addr := describeAddr(m.ln.Addr())
	p := filepath.Join(m.Config.StateDir, PIDFileName)
	if err := os.WriteFile(p, []byte(strconv.Itoa(os.Getpid())+" "+addr+"\n"), 0o600); err != nil {
		m.Log.Warn("cannot note the pid", "file", p, "err", err)
		return
	}
	m.pidFile = p
}

// removePIDFile removes the file if it still names this process (a second
// daemon that failed to start must not remove the first one's). Run and
// Close both call it; only the first call acts.
func (m *Main) removePIDFile() {
	m.pidOnce.Do(func() {
		if m.pidFile == "" {
			return
		}
		if pid, _, ok := readPIDFile(filepath.Dir(m.pidFile)); ok && pid == os.Getpid() {
			os.Remove(m.pidFile)
		}
	})
}

func describeAddr(a net.Addr) string {
	if a.Network() == "unix" {
		return "unix:" + a.String()
	}
	return "http://" + a.String()
}

// readPIDFile reads state_dir's pid file: the pid and the address.
func readPIDFile(dir string) (int, string, bool) {
	b, err := os.ReadFile(filepath.Join(dir, PIDFileName))
	if err != nil {
		return 0, "", false
	}
	return parsePIDFile(b)
}

// parsePIDFile reads "PID ADDRESS"; anything else (a damaged or foreign
// file) is not an answer, and the message falls back to naming state_dir.
func parsePIDFile(b []byte) (int, string, bool) {
	if len(b) > 4096 || !utf8.Valid(b) {
		return 0, "", false
	}
	pidText, addr, _ := strings.Cut(strings.TrimSpace(string(b)), " ")
	pid, err := strconv.Atoi(pidText)
	if err != nil || pid <= 0 || addr == "" || strings.ContainsAny(addr, " \n\r\t") {
		return 0, "", false
	}
	return pid, addr, true
}

// alreadyRunning is the error for a journal another daemon holds.
func alreadyRunning(stateDir string) error {
	pid, addr, ok := readPIDFile(stateDir)
	if !ok {
		return fmt.Errorf("lastfmd is already running with state_dir %s (another process holds its journal): see it with `lastfmd status`; stop it before starting another", stateDir)
	}
	see := "lastfmd status"
	if strings.HasPrefix(addr, "http://") {
		see = "LASTFMD_URL=" + addr + " lastfmd status"
	}
	return fmt.Errorf("lastfmd is already running (pid %d, on %s) with state_dir %s: use that one (%s), or stop it before starting another", pid, addr, stateDir, see)
}
