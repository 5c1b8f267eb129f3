package journal

import (
	"fmt"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/emulator"
)

// A full disk never causes a resend (issue 14): Last.fm accepted the batch
// but its answer could not be written. The answer is kept in memory and
// written again with back-off; the batch is not sent again; the status
// says the disk is full; once the disk has room the items settle.
func TestFullDiskNeverResends(t *testing.T) {
	e := newEnv(t, Tuning{})
	// The first batch (50) is answered and its write refused; the sender
	// then retries the write, never the send.
	tickets, full := sendOnFullDisk(t, e, scrobbles(60, "d"))
	st := e.j.Stats()
	if !strings.Contains(st.DiskProblem, "is full") || !strings.Contains(st.DiskProblem, "50 settled items are kept in memory") ||
		!strings.Contains(st.LastError, "is full") || st.Pending != 60 {
		t.Fatalf("stats while full: %+v", st)
	}
	// A new submission is refused and claims nothing.
	if _, err := e.j.Submit("alice", scrobbles(1, "late")); err == nil || !IsDiskFull(err) {
		t.Fatalf("submission on a full disk: %v", err)
	}
	full.Store(false)
	for _, o := range waitAll(e.j, tickets) {
		if o.State != Sent {
			t.Fatalf("outcome %+v after the disk has room", o)
		}
	}
	if got := len(e.emu.Scrobbles("alice")); got != 60 {
		t.Errorf("%d scrobbles at Last.fm for 60 unique ones", got)
	}
	if n := e.emu.Count("track.scrobble"); n != 2 {
		t.Errorf("%d track.scrobble calls, want 2 (50 + 10)", n)
	}
	if st := e.j.Stats(); st.DiskProblem != "" || st.Pending != 0 || st.LastError != "" {
		t.Errorf("stats after: %+v", st)
	}
}

// A dead letter that cannot be written is kept too: the refused item is
// not sent again while the disk is full.
func TestFullDiskKeepsABurial(t *testing.T) {
	e := newEnv(t, Tuning{})
	e.emu.Fail(emulator.Fault{Method: "track.scrobble", Code: 6})
	tickets, full := sendOnFullDisk(t, e, scrobbles(1, "bad"))
	full.Store(false)
	if o := waitAll(e.j, tickets); o[0].State != Dead {
		t.Fatalf("outcome %+v", o[0])
	}
}

// sendOnFullDisk journals items for alice, fills the disk and starts the
// senders; it returns once three writes were refused, having checked that
// Last.fm was called once only (the sender retries the write, never the
// send). Clearing full gives the disk room again.
func sendOnFullDisk(t *testing.T, e *env, items []Scrobble) (tickets []Ticket, full *atomic.Bool) {
	t.Helper()
	tickets, err := e.j.Submit("alice", items)
	if err != nil {
		t.Fatal(err)
	}
	full, refused := fillDisk(e.j)
	e.j.Start()
	eventually(t, "three refused writes", func() bool { return refused.Load() >= 3 })
	if n := e.emu.Count("track.scrobble"); n != 1 {
		t.Fatalf("%d track.scrobble calls while the disk is full, want 1", n)
	}
	return tickets, full
}

// fillDisk makes every write of j fail with ENOSPC (an injected failing
// write) until the returned flag is cleared; refused counts the failures.
func fillDisk(j *Journal) (full *atomic.Bool, refused *atomic.Int64) {
	full, refused = new(atomic.Bool), new(atomic.Int64)
	full.Store(true)
	j.SetCommitHook(func() error {
		if full.Load() {
			refused.Add(1)
			return fmt.Errorf("write %s: %w", j.Path(), syscall.ENOSPC)
		}
		return nil
	})
	return full, refused
}

// At shutdown the sender tries the owed write once more: if the disk has
// room by then, the answers are recorded and nothing is sent again after
// the restart; if not, the items stay pending (at-least-once).
func TestOwedWritesAtShutdown(t *testing.T) {
	for _, room := range []bool{true, false} {
		t.Run(map[bool]string{true: "room at shutdown", false: "still full"}[room], func(t *testing.T) {
			e := newEnv(t, Tuning{BackoffBase: time.Hour, BackoffMax: time.Hour})
			if _, err := e.j.Submit("alice", scrobbles(3, "s")); err != nil {
				t.Fatal(err)
			}
			full, refused := fillDisk(e.j)
			e.j.Start()
			eventually(t, "a refused write", func() bool { return refused.Load() >= 1 })
			if room {
				full.Store(false)
			}
			if err := e.j.Close(); err != nil {
				t.Fatal(err)
			}
			if room {
				full.Store(false)
			}
			j := e.open(Tuning{})
			want := map[bool]int{true: 0, false: 3}[room]
			if st := j.Stats(); st.Pending != want {
				t.Fatalf("%d pending after the restart, want %d", st.Pending, want)
			}
		})
	}
}
