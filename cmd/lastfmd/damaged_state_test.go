package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/journal"
	"github.com/lastfmd/lastfmd/signer"
)

// journalWith writes a journal of n pending scrobbles in a new state_dir.
func journalWith(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	j, err := journal.Open(journal.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	var items []journal.Scrobble
	base := time.Now().Add(-time.Duration(n+5) * time.Minute).Unix()
	for i := range n {
		ts := strconv.FormatInt(base+int64(i)*60, 10)
		sc, problems := signer.ParseScrobble(map[string]string{"artist": "Artist", "track": "Track " + strconv.Itoa(i), "timestamp": ts})
		if len(problems) > 0 {
			t.Fatal(problems)
		}
		items = append(items, sc)
	}
	if _, err := j.Submit("alice", items); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A damaged journal is named, never a crash (issue 14, must-show 4), as the
// user meets it: `lastfmd run` exits with the dedicated status 65 (which
// the systemd units name in RestartPreventExitStatus=) and one line naming
// the file and `lastfmd queue salvage`, never a panic or SIGBUS dump; the
// salvage then saves the readable scrobbles and the daemon's journal opens.
func TestDamagedJournalRefusesToStartAndSalvages(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("s3cr3t\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	damages := map[string]func(path string) error{
		"truncated": func(path string) error { return os.Truncate(path, 20000) },
		"0 bytes":   func(path string) error { return os.Truncate(path, 0) },
		"garbage": func(path string) error {
			return os.WriteFile(path, []byte(strings.Repeat("not a journal\n", 5000)), 0o600)
		},
	}
	for name, damage := range damages {
		t.Run(name, func(t *testing.T) {
			dir := journalWith(t, 500)
			path := filepath.Join(dir, journal.FileName)
			if err := damage(path); err != nil {
				t.Fatal(err)
			}
			env := cleanEnv(t, "LASTFMD_API_KEY=0123456789abcdef0123456789abcdef", "LASTFMD_API_SECRET_FILE="+secret)
			out, errOut, code := runCLI(t, env, "", "run", "--listen", "127.0.0.1:0", "--state-dir", dir)
			if code != exitStateDamaged {
				t.Errorf("exit status %d, want %d; stderr %q", code, exitStateDamaged, errOut)
			}
			for _, want := range []string{path, "is damaged", "lastfmd queue salvage"} {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr lacks %q: %q", want, errOut)
				}
			}
			for _, bad := range []string{"goroutine", "panic", "SIGBUS", "unexpected fault"} {
				if strings.Contains(out+errOut, bad) {
					t.Errorf("output shows %q: %s", bad, errOut)
				}
			}
			out, errOut, code = runCLI(t, env, "", "queue", "salvage", "--state-dir", dir)
			if code != 0 || !strings.Contains(out, "into a new journal") || !strings.Contains(out, "journal.db.damaged-") {
				t.Fatalf("salvage: %d %q %q", code, out, errOut)
			}
			// The summary counts each state and names what it could not read.
			for _, want := range []string{"Damage: ", " pending items, ", " dead letters, ", " whose answer is unknown and ", " results into", "Not readable (", "lastfmd queue import"} {
				if !strings.Contains(out, want) {
					t.Errorf("salvage's summary lacks %q: %s", want, out)
				}
			}
			j, err := journal.Open(journal.Options{Dir: dir})
			if err != nil {
				t.Fatalf("the new journal: %v", err)
			}
			j.Close()
			out, _, code = runCLI(t, env, "", "queue", "salvage", "--state-dir", dir)
			if code != 0 || !strings.Contains(out, "not damaged") {
				t.Errorf("second salvage: %d %q", code, out)
			}
		})
	}
}

// The units' RestartPreventExitStatus= is the status lastfmd exits with.
func TestUnitsDoNotRestartOnDamagedState(t *testing.T) {
	want := "RestartPreventExitStatus=" + strconv.Itoa(exitStateDamaged) + "\n"
	for _, p := range []string{"../../systemd/lastfmd.service", "../../systemd/user/lastfmd.service",
		"../../daemon/service/unit_system.tmpl", "../../daemon/service/unit_user.tmpl"} {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(raw), want) {
			t.Errorf("%s lacks %q", p, want)
		}
	}
}

// A damaged sessions.json gets the same care: one line naming the file and
// what to do, exit status 65.
func TestDamagedSessionsRefuseToStart(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("s3cr3t\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string]string{
		"null":            "null",
		"duplicate names": `{"version":1,"accounts":[{"name":"rj","key":"k1"},{"name":"rj","key":"k2"}]}`,
		"invalid name":    `{"version":1,"accounts":[{"name":"r j","key":"k1"}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Chmod(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "sessions.json")
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			env := cleanEnv(t, "LASTFMD_API_KEY=0123456789abcdef0123456789abcdef", "LASTFMD_API_SECRET_FILE="+secret)
			_, errOut, code := runCLI(t, env, "", "run", "--listen", "127.0.0.1:0", "--state-dir", dir)
			if code != exitStateDamaged || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Errorf("exit status %d, stderr %q", code, errOut)
			}
			for _, want := range []string{path, "is damaged", "lastfmd auth login"} {
				if !strings.Contains(errOut, want) {
					t.Errorf("stderr lacks %q: %q", want, errOut)
				}
			}
		})
	}
}
