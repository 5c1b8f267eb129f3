package e2e_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/daemon"
)

// Files and sockets are private (issue 14, must-show 7): a state_dir or
// sessions.json others can read is tightened with a warning, and the
// daemon then serves as usual.
func TestStateDirReadableByOthersIsTightened(t *testing.T) {
	var dir string
	h := newHarness(t, withStateDir(func(d string) string {
		dir = d
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(sessionsFile(dir), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}))
	for path, want := range map[string]os.FileMode{dir: 0o700, sessionsFile(dir): 0o600} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s has mode %04o, want %04o", path, st.Mode().Perm(), want)
		}
	}
	wantContains(t, h.logs.String(), "state_dir "+dir+" was readable by group or others (mode 0755); lastfmd tightened it to 0700",
		"sessions.json "+sessionsFile(dir)+" was readable by group or others (mode 0644)")
	wantStatus(t, h.get("/v1/status"), 200)
}

// What others may write cannot be trusted: refused, naming the chmod.
func TestStateDirWritableByOthersIsRefused(t *testing.T) {
	cases := []struct {
		name   string
		setup  func(dir string) error
		expect string
	}{
		{"world-writable state_dir", func(dir string) error { return os.Chmod(dir, 0o777) }, "chmod 700 "},
		{"group-writable sessions.json", func(dir string) error {
			return os.WriteFile(sessionsFile(dir), []byte(`{"version":1,"accounts":[]}`), 0o660)
		}, "chmod 600 "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := c.setup(dir); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(sessionsFile(dir), 0o660); err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Fatal(err)
			}
			m := bareMain("127.0.0.1:0", dir)
			err := m.Open()
			m.Close()
			var unsafe *daemon.UnsafeStateError
			if !errors.As(err, &unsafe) || !strings.Contains(err.Error(), c.expect) || !strings.Contains(err.Error(), "writable by group or others") {
				t.Fatalf("Open: %v", err)
			}
		})
	}
}
