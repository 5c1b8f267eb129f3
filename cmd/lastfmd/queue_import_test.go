package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/daemon/journal"
	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// exportFile writes the `queue export` lines of a journal of n pending
// scrobbles to a file.
func exportFile(t *testing.T, n int) string {
	t.Helper()
	j, err := journal.Open(journal.Options{Dir: journalWith(t, n)})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	file := filepath.Join(t.TempDir(), "backup.jsonl")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := j.Export(f, ""); err != nil {
		t.Fatal(err)
	}
	return file
}

// `lastfmd queue import FILE` with no daemon running writes straight into
// the journal of the state directory; a second run adds nothing; a file
// that is not export lines is refused in one line.
func TestQueueImportWithoutADaemon(t *testing.T) {
	file := exportFile(t, 5)
	state := t.TempDir()
	env := cleanEnv(t)
	out, errOut, code := runCLI(t, env, "", "queue", "import", "--state-dir", state, file)
	if code != 0 || !strings.Contains(out, "Imported into "+filepath.Join(state, journal.FileName)+": 5 pending items") {
		t.Fatalf("import: %d %q %q", code, out, errOut)
	}
	out, errOut, code = runCLI(t, env, "", "queue", "import", "--state-dir", state, file)
	if code != 0 || !strings.Contains(out, ": 0 pending items") || !strings.Contains(out, "5 lines added nothing") {
		t.Errorf("import again: %d %q %q", code, out, errOut)
	}
	j, err := journal.Open(journal.Options{Dir: state})
	if err != nil {
		t.Fatal(err)
	}
	if st := j.Stats(); st.Pending != 5 {
		t.Errorf("%d pending, want 5", st.Pending)
	}
	j.Close()

	bad := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(bad, []byte("my scrobbles\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code = runCLI(t, env, "", "queue", "import", "--state-dir", state, bad)
	if code == 0 || !strings.Contains(errOut, bad+": line 1: not a line of {\"state\"") || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
		t.Errorf("a file that is not export lines: %d %q", code, errOut)
	}
}

// Through a running daemon the CLI sends the file's lines to its API; the
// daemon sends the pending scrobbles; a second run adds nothing.
func TestQueueImportThroughADaemon(t *testing.T) {
	file := exportFile(t, 5)
	m, emu := queueDaemon(t)
	env := cleanEnv(t, "LASTFMD_URL="+m.URL())
	out, errOut, code := runCLI(t, env, "", "queue", "import", file)
	if code != 0 || !strings.Contains(out, "Imported into the daemon at ") || !strings.Contains(out, ": 5 pending items") {
		t.Fatalf("import: %d %q %q", code, out, errOut)
	}
	waitfor.True(t, "the imported scrobbles sent", func() bool { return len(emu.Scrobbles("alice")) == 5 })
	out, errOut, code = runCLI(t, env, "", "queue", "import", file)
	if code != 0 || !strings.Contains(out, "5 lines added nothing") {
		t.Errorf("import again: %d %q %q", code, out, errOut)
	}
	if n := len(emu.Scrobbles("alice")); n != 5 {
		t.Errorf("Last.fm holds %d scrobbles, want 5", n)
	}
}
