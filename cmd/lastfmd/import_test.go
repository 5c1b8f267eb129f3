package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/daemontest"
	"github.com/lastfmd/lastfmd/daemon/emulator"
	"github.com/lastfmd/lastfmd/daemon/fakeclock"
	"github.com/lastfmd/lastfmd/daemon/journal"
	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// importDaemon runs a daemon in front of an emulator, alice signed in, its
// clock the given one, and returns both.
func importDaemon(t *testing.T, clock *fakeclock.Clock) (string, *emulator.Server) {
	t.Helper()
	emu := daemontest.Emulator(t)
	state := t.TempDir()
	daemontest.SignInAlice(t, emu, state)
	cfg := daemontest.Config(emu, state)
	m := daemontest.Main(&cfg, nil, daemontest.Pace{
		Journal: journal.Tuning{BackoffBase: 50 * time.Millisecond, BackoffMax: 200 * time.Millisecond, Poll: 10 * time.Millisecond}})
	m.Now = clock.Now
	return daemontest.Run(t, m, nil), emu
}

// rockboxLog writes a Rockbox log (#TZ/UNKNOWN) of n plays in zone, one
// every step from start, each the device's wall clock there; extra lines
// go after the header. It returns the file and the plays' true times.
func rockboxLog(t *testing.T, n int, start time.Time, step time.Duration, zone *time.Location, extra ...string) (string, []int64) {
	t.Helper()
	var b strings.Builder
	b.WriteString("#AUDIOSCROBBLER/1.1\n#TZ/UNKNOWN\n#CLIENT/Rockbox ipodvideo 3.15\n")
	b.WriteString("#ARTIST #ALBUM #TITLE #TRACKNUM #LENGTH #RATING #TIMESTAMP #MUSICBRAINZ_TRACKID\n")
	for _, l := range extra {
		b.WriteString(l + "\n")
	}
	var want []int64
	for i := range n {
		at := start.Add(time.Duration(i) * step).Truncate(time.Second)
		wall := time.Date(at.In(zone).Year(), at.In(zone).Month(), at.In(zone).Day(), at.In(zone).Hour(), at.In(zone).Minute(), at.In(zone).Second(), 0, time.UTC)
		fmt.Fprintf(&b, "Artist %d\tAlbum\tTrack %d\t%d\t%d\tL\t%d\t\n", i%97, i, i%12+1, 180+i%60, wall.Unix())
		want = append(want, at.Unix())
	}
	file := filepath.Join(t.TempDir(), ".scrobbler.log")
	if err := os.WriteFile(file, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return file, want
}

// importJSON runs `lastfmd import --json` with args and decodes its
// summary.
func importJSON(t *testing.T, env []string, args ...string) (importSummary, string, int) {
	t.Helper()
	out, errOut, code := runCLI(t, env, "", append([]string{"import", "--json"}, args...)...)
	var sum importSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("import %v: %d %q %q", args, code, out, errOut)
	}
	return sum, errOut, code
}

// receivedInOrder checks that Last.fm holds exactly the plays want, each
// once, in timestamp order.
func receivedInOrder(t *testing.T, emu *emulator.Server, want []int64) {
	t.Helper()
	got := emu.Scrobbles("alice")
	ts := make([]int64, len(got))
	for i, s := range got {
		ts[i] = s.Timestamp
	}
	if !slices.IsSorted(ts) {
		t.Errorf("Last.fm received the plays out of timestamp order")
	}
	if !slices.Equal(ts, want) {
		t.Errorf("Last.fm holds %d plays, want %d, each once at its true time", len(ts), len(want))
	}
}

// testImportThroughADaemon imports a log of n plays through a running
// daemon: every play reaches Last.fm once, at its true time (the zone's
// wall clock converted), in timestamp order; importing it again eight days
// later (past the journal's own deduplication) adds nothing.
func testImportThroughADaemon(t *testing.T, n int) {
	clock := fakeclock.Running(time.Now())
	url, emu := importDaemon(t, clock)
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	step := 20 * time.Second
	file, want := rockboxLog(t, n, time.Now().Add(-time.Duration(n)*step-time.Hour), step, berlin)
	env := cleanEnv(t, "LASTFMD_URL="+url)
	started := time.Now()
	sum, errOut, code := importJSON(t, env, "--tz", "Europe/Berlin", file)
	if code != 0 || sum.Queued["lastfm"] != n || sum.Plays != n || !sum.Safe || sum.TimeZone != "Europe/Berlin" || errOut != "" {
		t.Fatalf("import: %d %+v %q", code, sum, errOut)
	}
	journalled := time.Since(started)
	waitfor.True(t, "every play delivered", func() bool { return len(emu.Scrobbles("alice")) >= n })
	t.Logf("%d plays: journalled through the daemon in %v, delivered after %v", n, journalled.Round(time.Millisecond), time.Since(started).Round(time.Millisecond))
	receivedInOrder(t, emu, want)

	clock.Advance(8 * 24 * time.Hour)
	again, errOut, code := importJSON(t, env, "--tz", "Europe/Berlin", file)
	if code != 0 || again.Duplicates != n || len(again.Queued) != 0 || !again.Safe {
		t.Fatalf("import again, 8 days later: %d %+v %q", code, again, errOut)
	}
	if waitfor.Within(300*time.Millisecond, func() bool { return len(emu.Scrobbles("alice")) > n }) {
		t.Errorf("the second import sent plays again")
	}
}

func TestImportThroughADaemon(t *testing.T) { testImportThroughADaemon(t, 300) }

// The size: a 12,000-line log (a long test: .ci/run's long step).
func TestImportLongLogThroughADaemon(t *testing.T) {
	if testing.Short() {
		t.Skip("long: 12,000 plays")
	}
	testImportThroughADaemon(t, 12000)
}

// --remove keeps a file with a refused line unless --force, then deletes
// it once every play is safe; skipped plays and refused lines are counted,
// the refused ones by line; the human summary says the same.
func TestImportRemove(t *testing.T) {
	url, emu := importDaemon(t, fakeclock.Running(time.Now()))
	now := time.Now().Add(-time.Hour)
	wall := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	file, want := rockboxLog(t, 5, now, time.Minute, time.UTC,
		"Skipped\t\tSkipped track\t1\t200\tS\t"+wall(-time.Hour)+"\t",
		"# FAILED - Broken\t\tBroken\t1\t200\tL\t"+wall(-time.Hour)+"\t",
		"<UNTAGGED>\t\t/Music/x.mp3\t-1\t200\tL\t"+wall(-time.Hour)+"\t")
	env := cleanEnv(t, "LASTFMD_URL="+url)
	out, errOut, code := runCLI(t, env, "", "import", "--tz", "UTC", "--remove", file)
	for _, w := range []string{"5 plays from", "1 play skipped on the player (S), never sent; 2 lines refused.", "queued for lastfm: 5",
		"line 6: the player could not write this play (# FAILED)", "line 7: no artist (an untagged file)", "Kept " + file + ": 2 lines were refused (--force removes it all the same)."} {
		if !strings.Contains(out, w) {
			t.Errorf("lacks %q:\n%s", w, out)
		}
	}
	if code != 0 || errOut != "" {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if _, err := os.Stat(file); err != nil {
		t.Fatalf("the file is gone: %v", err)
	}
	waitfor.True(t, "the plays delivered", func() bool { return len(emu.Scrobbles("alice")) >= 5 })
	sum, errOut, code := importJSON(t, env, "--tz", "UTC", "--remove", "--force", file)
	if code != 0 || !sum.Removed || sum.Duplicates != 5 || sum.Skipped != 1 || len(sum.Refused) != 2 || sum.Refused[0].Line != 6 {
		t.Errorf("--remove --force: %d %+v %q", code, sum, errOut)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("the file is still there: %v", err)
	}
	receivedInOrder(t, emu, want)
}

// With no daemon running, the plays go straight into the journal of the
// state directory, through the ledger: a second import adds nothing. A
// dry run writes nothing and shows the conversion; a state directory of
// another user is refused, naming sudo -u.
func TestImportWithoutADaemon(t *testing.T) {
	emu := daemontest.Emulator(t)
	state := t.TempDir()
	daemontest.SignInAlice(t, emu, state)
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	file, _ := rockboxLog(t, 20, time.Now().Add(-3*time.Hour), time.Minute, berlin)
	env := cleanEnv(t)

	out, errOut, code := runCLI(t, env, "", "import", "--dry-run", "--tz", "Europe/Berlin", "--state-dir", state, file)
	if code != 0 || !strings.Contains(out, "Dry run: nothing was written.") || !strings.Contains(out, "line 5: ") ||
		!strings.Contains(out, " on the player → ") || !strings.Contains(out, "Europe/Berlin") {
		t.Errorf("dry run: %d %q %q", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(state, journal.FileName)); err == nil {
		t.Errorf("the dry run created the journal")
	}

	sum, errOut, code := importJSON(t, env, "--tz", "Europe/Berlin", "--state-dir", state, file)
	if code != 0 || sum.Queued["lastfm"] != 20 || sum.Account != "alice" || sum.Into != filepath.Join(state, journal.FileName) {
		t.Fatalf("import: %d %+v %q", code, sum, errOut)
	}
	again, errOut, code := importJSON(t, env, "--tz", "Europe/Berlin", "--state-dir", state, file)
	if code != 0 || again.Duplicates != 20 || len(again.Queued) != 0 {
		t.Errorf("import again: %d %+v %q", code, again, errOut)
	}
	j, err := journal.Open(journal.Options{Dir: state})
	if err != nil {
		t.Fatal(err)
	}
	if st := j.Stats(); st.Pending != 20 {
		t.Errorf("%d pending, want 20", st.Pending)
	}
	j.Close()

	if os.Getuid() == 0 {
		other := t.TempDir()
		if err := os.Chown(other, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		_, errOut, code = runCLI(t, env, "", "import", "--state-dir", other, file)
		if code != 1 || !strings.Contains(errOut, "belongs to the user") || !strings.Contains(errOut, "sudo -u ") {
			t.Errorf("a state directory of another user: %d %q", code, errOut)
		}
	}
}

// What is not a file of plays is refused in one line, exit 1: a queue
// export pointed to queue import; a timeless log explained; a missing
// file; a play list of plays all too old for every destination.
func TestImportRefusals(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	env := cleanEnv(t)
	for _, c := range []struct{ name, file, want string }{
		{"queue export", write("backup.jsonl", `{"state":"pending","item":{"id":1}}`+"\n"), "`lastfmd queue import FILE`"},
		{"timeless", write(".scrobbler-timeless.log", "#AUDIOSCROBBLER/1.1\n#TZ/UNKNOWN\nA\t\tT\t1\t200\tL\t0\t\n"), "timeless log"},
		{"text", write("notes.txt", "my plays\n"), "want a portable-player log"},
		{"missing", filepath.Join(dir, "absent.log"), "no such file"},
		{"bad zone", write("ok.json", `[{"artist":"A","track":"T","timestamp":1767225600}]`), "is not a time zone"},
	} {
		args := []string{"import", c.file}
		if c.name == "bad zone" {
			args = []string{"import", "--tz", "Mars/Olympus", c.file}
		}
		_, errOut, code := runCLI(t, env, "", args...)
		if code == 0 || !strings.Contains(errOut, c.want) || strings.Count(strings.TrimSpace(errOut), "\n") > 1 {
			t.Errorf("%s: %d %q", c.name, code, errOut)
		}
	}
}

// Each destination applies its own age rule: a 20-day-old play is too old
// for Last.fm, counted with its date, and reaches the ListenBrainz mirror;
// a recent one reaches both. The file is safe, so the import exits 0.
func TestImportOldPlayReachesListenBrainzOnly(t *testing.T) {
	emu := daemontest.Emulator(t)
	state := t.TempDir()
	daemontest.SignInAlice(t, emu, state)
	cfg := daemontest.Config(emu, state)
	lb := daemontest.ListenBrainzMirror(t, &cfg, "listenbrainz")
	daemontest.SignInListenBrainz(t, lb, state, "alice", daemontest.Alice, "listenbrainz")
	_, url := daemontest.Start(t, &cfg, nil, daemontest.Pace{
		Journal: journal.Tuning{BackoffBase: 50 * time.Millisecond, BackoffMax: 200 * time.Millisecond, Poll: 10 * time.Millisecond}})
	old, recent := time.Now().Add(-20*24*time.Hour).Unix(), time.Now().Add(-time.Hour).Unix()
	file := filepath.Join(t.TempDir(), "plays.json")
	text := fmt.Sprintf(`[{"artist":"Cher","track":"Old","timestamp":%d},{"artist":"Cher","track":"Recent","timestamp":%d}]`, old, recent)
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	sum, errOut, code := importJSON(t, cleanEnv(t, "LASTFMD_URL="+url), file)
	if code != 0 || sum.Queued["lastfm"] != 1 || sum.Queued["listenbrainz"] != 2 || sum.TooOld.Count != 1 ||
		sum.TooOld.First.Unix() != old || sum.NotTaken != 0 || !sum.Safe {
		t.Fatalf("import: %d %+v %q", code, sum, errOut)
	}
	waitfor.True(t, "both plays on ListenBrainz", func() bool { return len(lb.Listens(daemontest.Alice)) == 2 })
	waitfor.True(t, "the recent play on Last.fm", func() bool { return len(emu.Scrobbles("alice")) == 1 })
	if got := emu.Scrobbles("alice"); got[0].Track != "Recent" {
		t.Errorf("Last.fm got %+v", got)
	}
}

// --remove never deletes a file whose plays are not all in the journal:
// an import killed with SIGKILL part-way keeps the file (or, when every
// batch was answered before the kill, the file may be gone and every play
// is journalled); a second import completes, removes it, and every play
// reaches Last.fm once, in timestamp order.
func TestImportRemoveKilled(t *testing.T) {
	url, emu := importDaemon(t, fakeclock.Running(time.Now()))
	file, want := rockboxLog(t, 4000, time.Now().Add(-5*24*time.Hour), time.Minute, time.UTC)
	env := cleanEnv(t, "LASTFMD_URL="+url)
	cmd := exec.Command(binPath, "import", "--tz", "UTC", "--remove", file)
	cmd.Env = env
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitfor.True(t, "the first batch journalled", func() bool { return len(emu.Scrobbles("alice")) > 0 })
	cmd.Process.Kill() // SIGKILL, part-way
	cmd.Wait()
	if _, err := os.Stat(file); err != nil {
		// Removed before the kill: only once every play was journalled.
		waitfor.True(t, "every play delivered", func() bool { return len(emu.Scrobbles("alice")) >= len(want) })
		receivedInOrder(t, emu, want)
		t.Skip("the import finished before the kill: nothing to show here on this run")
	}
	sum, errOut, code := importJSON(t, env, "--tz", "UTC", "--remove", file)
	if code != 0 || !sum.Removed {
		t.Fatalf("second import: %d %+v %q", code, sum, errOut)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("the file is still there: %v", err)
	}
	waitfor.True(t, "every play delivered", func() bool { return len(emu.Scrobbles("alice")) >= len(want) })
	receivedInOrder(t, emu, want)
}
