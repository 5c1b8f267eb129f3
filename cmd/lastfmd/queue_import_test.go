package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/daemon/closedport"
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
	m, emu := queueDaemon(t, nil)
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

// With no daemon running, `queue import` writes into a journal with a lane
// for each configured [[mirror]]: each line goes to its own lane, a line
// of a destination not configured is skipped and counted, and --mirror
// NAME imports only that lane's lines (an unknown NAME: one line naming
// the destinations).
func TestQueueImportMirrorWithoutADaemon(t *testing.T) {
	export, err := os.ReadFile(exportFile(t, 2))
	if err != nil {
		t.Fatal(err)
	}
	lane := func(name string) string {
		return strings.ReplaceAll(string(export), `"item":{`, `"item":{"lane":"`+name+`",`)
	}
	file := filepath.Join(t.TempDir(), "backup.jsonl")
	if err := os.WriteFile(file, []byte(string(export)+lane("librefm")+lane("maloja")), 0o600); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	secret, conf := filepath.Join(home, "librefm-secret"), filepath.Join(home, "lastfmd.toml")
	if err := os.WriteFile(secret, []byte("a-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	toml := "listen = \"" + closedport.Addr(t) + "\"\n[[mirror]]\nname = \"librefm\"\ntype = \"lastfm\"\napi_root = \"https://libre.fm/2.0/\"\n" +
		"api_key = \"0123456789abcdef0123456789abcdef\"\napi_secret_file = \"" + secret + "\"\n"
	if err := os.WriteFile(conf, []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	env := cleanEnv(t, "LASTFMD_CONFIG="+conf)
	for _, c := range []struct {
		mirror   string
		code     int
		want     []string
		lastfm   int // pending on each lane after
		librefm  int
		stderrIn string
	}{
		{"", 0, []string{": 4 pending items,", "2 lines skipped: their destination is no [[mirror]] of this lastfmd"}, 2, 2, ""},
		{"librefm", 0, []string{"(librefm): 2 pending items,", "4 lines of other destinations left out (--mirror librefm)"}, 0, 2, ""},
		{"lastfm", 0, []string{"(lastfm): 2 pending items,", "4 lines of other destinations left out (--mirror lastfm)"}, 2, 0, ""},
		{"maloja", 1, nil, 0, 0, `no destination "maloja": the destinations are [lastfm librefm]`},
	} {
		state := t.TempDir()
		args := []string{"queue", "import", "--state-dir", state, file}
		if c.mirror != "" {
			args = append(args, "--mirror", c.mirror)
		}
		out, errOut, code := runCLI(t, env, "", args...)
		if code != c.code || !strings.Contains(errOut, c.stderrIn) || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
			t.Errorf("--mirror %q: %d %q %q", c.mirror, code, out, errOut)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("--mirror %q: lacks %q:\n%s", c.mirror, w, out)
			}
		}
		if code != 0 {
			continue
		}
		j, err := journal.Open(journal.Options{Dir: state, Mirrors: []journal.Mirror{{Name: "librefm"}}})
		if err != nil {
			t.Fatal(err)
		}
		st := j.Stats()
		j.Close()
		if got := []int{st.Destinations[0].Pending, st.Destinations[1].Pending}; got[0] != c.lastfm || got[1] != c.librefm {
			t.Errorf("--mirror %q: pending on lastfm, librefm: %v, want %d, %d", c.mirror, got, c.lastfm, c.librefm)
		}
	}
}
