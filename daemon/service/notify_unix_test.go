//go:build !windows

package service

import (
	"context"
	"errors"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// notifySocket is the NOTIFY_SOCKET end systemd would hold: a unixgram
// socket collecting every message.
type notifySocket struct {
	conn *net.UnixConn
	msgs chan string
}

func newNotifySocket(t *testing.T) *notifySocket {
	t.Helper()
	p := filepath.Join(t.TempDir(), "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: p, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	t.Setenv("NOTIFY_SOCKET", p)
	n := &notifySocket{conn: conn, msgs: make(chan string, 1000)}
	go func() {
		buf := make([]byte, 4096)
		for {
			k, err := conn.Read(buf)
			if err != nil {
				close(n.msgs)
				return
			}
			n.msgs <- string(buf[:k])
		}
	}()
	return n
}

// next waits for a message containing want, returning it; other messages
// are skipped.
func (n *notifySocket) next(t *testing.T, want string) string {
	t.Helper()
	deadline := time.After(waitfor.Bound) // only a hang
	for {
		select {
		case m := <-n.msgs:
			if strings.Contains(m, want) {
				return m
			}
		case <-deadline:
			t.Fatalf("no %q within %v", want, waitfor.Bound)
		}
	}
}

// none asserts no message containing unwanted arrives for d.
func (n *notifySocket) none(t *testing.T, unwanted string, d time.Duration) {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case m := <-n.msgs:
			if strings.Contains(m, unwanted) {
				t.Fatalf("got %q", m)
			}
		case <-deadline:
			return
		}
	}
}

// TestSystemdNotifyMessages: the messages are sd_notify's, one datagram
// each; a status never carries a second line.
func TestSystemdNotifyMessages(t *testing.T) {
	s := newNotifySocket(t)
	n := &Notifier{}
	n.Ready("serving on 127.0.0.1:7375\nWATCHDOG=1")
	if got := s.next(t, "READY=1"); got != "READY=1\nSTATUS=serving on 127.0.0.1:7375" {
		t.Errorf("ready: %q", got)
	}
	n.Reloading()
	if got := s.next(t, "RELOADING=1"); !strings.HasPrefix(got, "RELOADING=1\nMONOTONIC_USEC=") {
		t.Errorf("reloading: %q", got)
	}
	n.Stopping()
	if got := s.next(t, "STOPPING=1"); !strings.HasPrefix(got, "STOPPING=1\n") {
		t.Errorf("stopping: %q", got)
	}
}

// TestSystemdNotifyWithoutSocket: outside systemd nothing is sent and
// nothing fails.
func TestSystemdNotifyWithoutSocket(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	n := &Notifier{}
	if n.send("READY=1") {
		t.Error("sent without a socket")
	}
	n.Ready("x")
	n.Stopping()
}

// TestSystemdWatchdog: WATCHDOG=1 arrives while the check passes, stops
// while it fails (with a STATUS saying why), resumes when it passes again,
// and ends with ctx.
func TestSystemdWatchdog(t *testing.T) {
	s := newNotifySocket(t)
	t.Setenv("WATCHDOG_USEC", "40000") // 40 ms: a ping every 20 ms
	t.Setenv("WATCHDOG_PID", "")
	var healthy atomic.Bool
	healthy.Store(true)
	var checks atomic.Int64
	check := func(ctx context.Context) error {
		checks.Add(1)
		if _, ok := ctx.Deadline(); !ok {
			t.Error("check without a deadline")
		}
		if !healthy.Load() {
			return errors.New("journal: disk full")
		}
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { (&Notifier{}).Watchdog(ctx, check) })

	for range 3 {
		s.next(t, "WATCHDOG=1")
	}
	healthy.Store(false)
	if got := s.next(t, "STATUS=unhealthy"); got != "STATUS=unhealthy: journal: disk full" {
		t.Errorf("status: %q", got)
	}
	s.none(t, "WATCHDOG=1", 200*time.Millisecond) // 10 intervals
	healthy.Store(true)
	s.next(t, "WATCHDOG=1")

	cancel()
	wg.Wait()
	n := checks.Load()
	time.Sleep(60 * time.Millisecond)
	if checks.Load() != n {
		t.Error("checks continue after ctx ended")
	}
}

// TestSystemdWatchdogOff: no WATCHDOG_USEC, or one meant for another
// process (WATCHDOG_PID), means no pings and an immediate return.
func TestSystemdWatchdogOff(t *testing.T) {
	newNotifySocket(t)
	for _, env := range [][2]string{{"", ""}, {"40000", strconv.Itoa(1 << 22)}} {
		t.Setenv("WATCHDOG_USEC", env[0])
		t.Setenv("WATCHDOG_PID", env[1])
		done := make(chan struct{})
		go func() {
			(&Notifier{}).Watchdog(context.Background(), func(context.Context) error {
				t.Error("check called")
				return nil
			})
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(waitfor.Bound):
			t.Fatalf("Watchdog(%q) did not return", env)
		}
	}
}
