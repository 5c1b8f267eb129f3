package e2e_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// withTmpfsState runs the daemon on a state directory that is a tmpfs of
// size bytes (the accounts the harness stored are copied there). It skips
// the test when mounting is not allowed (not root, no mount(8)).
func withTmpfsState(t *testing.T, size string) harnessOpt {
	return withStateDir(func(old string) string {
		dir := filepath.Join(t.TempDir(), "state")
		if err := os.Mkdir(dir, 0o700); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size+",mode=0700", "tmpfs", dir).CombinedOutput()
		if err != nil {
			t.Skipf("cannot mount a tmpfs (needs root): %v: %s", err, out)
		}
		t.Cleanup(func() {
			if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
				t.Errorf("umount %s: %v: %s", dir, err, out)
			}
		})
		raw, err := os.ReadFile(sessionsFile(old))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(sessionsFile(dir), raw, 0o600); err != nil {
			t.Fatal(err)
		}
		return dir
	})
}

// fillDisk writes a file in dir until the filesystem is full, and returns
// its path.
func fillDisk(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return path
		}
	}
}

// A full disk never causes a resend (issue 14, must-show 3), on a real
// full filesystem: Last.fm accepts a batch whose answer cannot be written.
// The answer waits in memory, the write is retried, the batch is not sent
// again; /v1/status says the disk is full; new scrobbles get 503 "nothing
// was accepted"; once space is freed everything settles, each scrobble at
// Last.fm once.
func TestJournalFullDiskNeverResends(t *testing.T) {
	h := newHarness(t, withJournal(fastJournal), withTmpfsState(t, "1m"))
	h.emu.Stop()
	// Long titles: Last.fm's answers to a batch (its results, which echo
	// the titles) then need more pages than the journal's file has free,
	// so recording them needs new space, which the full disk refuses.
	its := items(60, "full", time.Now())
	for i := range its {
		its[i].Track = strings.Repeat("t", 1500) + its[i].Track
	}
	a, v := h.scrobble(its, "Prefer", "wait=0")
	wantStatus(t, a, 202)
	if v.Queued != 60 {
		t.Fatalf("answer %s", a.body)
	}
	filler := fillDisk(t, h.m.Config.StateDir)
	if err := h.emu.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the status to say the disk is full", func() bool {
		return strings.Contains(h.status().Queue.DiskProblem, "is full")
	})
	retries := func() int { return strings.Count(h.logs.String(), "the disk still refuses the owed write") }
	waitFor(t, "three more refused writes", func() bool { return retries() >= 3 })
	if n := h.emu.Count("track.scrobble"); n != 1 {
		t.Fatalf("%d track.scrobble calls while the disk is full, want 1", n)
	}
	s := h.status()
	if s.Queue.Pending != 60 || !strings.Contains(s.Queue.LastError, "no space left on device") {
		t.Errorf("status while full: %+v", s.Queue)
	}
	wantContains(t, h.logs.String(), "is full (no space left on device)")
	// A new scrobble is refused whole when its commit fails (503, "nothing
	// was accepted"); bbolt may also fit it in pages its file already
	// holds, and then it is journalled (and waits behind the owed write).
	// TestScrobbleFailedCommitAnswers503 pins the 503 with an injected
	// failing write.
	want := 60
	a, v = h.scrobble(items(1, "late", time.Now()), "Prefer", "wait=0")
	switch a.status {
	case 503:
		wantContains(t, a.body, "nothing was accepted", "is full")
	case 202:
		want = 61
		if v.Queued != 1 {
			t.Fatalf("late scrobble: %s", a.body)
		}
	default:
		t.Fatalf("late scrobble: HTTP %d %s", a.status, a.body)
	}
	if n := h.emu.Count("track.scrobble"); n != 1 {
		t.Fatalf("%d track.scrobble calls while the disk is full, want 1", n)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	h.settled()
	got := h.delivered("alice")
	if len(got) != want {
		t.Fatalf("%d scrobbles at Last.fm for %d unique ones", len(got), want)
	}
	seen := map[string]bool{}
	for _, tr := range got {
		if seen[tr] {
			t.Errorf("%s delivered twice", tr)
		}
		seen[tr] = true
	}
	if n := h.emu.Count("track.scrobble"); n != 2 {
		t.Errorf("%d track.scrobble calls, want 2 (50, then the rest)", n)
	}
	if s := h.status(); s.Queue.DiskProblem != "" {
		t.Errorf("disk problem after space was freed: %q", s.Queue.DiskProblem)
	}
}
