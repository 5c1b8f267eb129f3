package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/config"
	"github.com/lastfmd/lastfmd/daemon/daemontest"
	"github.com/lastfmd/lastfmd/daemon/emulator"
	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// The journal's operator actions on a daemon with a mirror (issue 23,
// must-show 1): list, retry, drop, export and import take --mirror NAME
// (default: every lane) and show each item's lane. Last.fm answers; the
// mirror is down, so its lane holds the play.
func TestQueueCLIMirror(t *testing.T) {
	var libre *emulator.Server
	m, emu := queueDaemon(t, func(cfg *config.Config) {
		libre = daemontest.Mirror(t, cfg, "librefm")
		daemontest.SignInMirror(t, libre, cfg.StateDir, "alice", daemontest.Alice, "librefm")
		libre.Stop()
	})
	env := cleanEnv(t, "LASTFMD_URL="+m.URL())
	id := strconv.FormatUint(scrobbleNoWait(t, m.URL(), "Believe", time.Now().Add(-5*time.Minute)), 10)
	waitfor.True(t, "Last.fm has the scrobble", func() bool { return len(emu.Scrobbles("alice")) == 1 })
	// Its answer is recorded a moment after Last.fm has it: the listing
	// below counts the lanes' pending items.
	waitfor.True(t, "Last.fm's answer recorded", func() bool { return m.Journal.Stats().Destinations[0].Pending == 0 })

	// list: every lane, or one; each item and account line names its lane.
	for _, c := range []struct {
		args       []string
		want, lack []string
	}{
		{[]string{"queue", "list"},
			[]string{"1 pending, 0 dead letters\n", "  alice on librefm: 1 pending", "\n" + id + "   librefm      alice    Cher - Believe"}, nil},
		{[]string{"queue", "list", "--mirror", "librefm"},
			[]string{"1 pending, 0 dead letters on librefm\n", "  alice on librefm: 1 pending", "  librefm  "}, []string{"alice on lastfm"}},
		{[]string{"queue", "list", "--mirror", "lastfm"},
			[]string{"0 pending, 0 dead letters on lastfm\n"}, []string{"librefm", "PENDING"}},
	} {
		out, errOut, code := runCLI(t, env, "", c.args...)
		for _, w := range c.want {
			if code != 0 || !strings.Contains(out, w) {
				t.Errorf("%v: %d, lacks %q:\n%s%s", c.args, code, w, out, errOut)
			}
		}
		for _, l := range c.lack {
			if strings.Contains(out, l) {
				t.Errorf("%v holds %q:\n%s", c.args, l, out)
			}
		}
	}
	_, errOut, code := runCLI(t, env, "", "queue", "list", "--mirror", "maloja")
	if want := `no destination "maloja": the destinations are [lastfm librefm]`; code != 1 || !strings.Contains(errOut, want) || strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
		t.Errorf("an unknown --mirror: %d %q, want one line with %q", code, errOut, want)
	}

	// export: a mirror's lines name their lane; Last.fm's (a kept result) none.
	backup, errOut, code := runCLI(t, env, "", "queue", "export", "--mirror", "librefm")
	if code != 0 || strings.Count(backup, "\n") != 1 || !strings.Contains(backup, `"state":"pending"`) || !strings.Contains(backup, `"lane":"librefm"`) {
		t.Fatalf("export --mirror librefm: %d %q %q", code, backup, errOut)
	}
	out, _, code := runCLI(t, env, "", "queue", "export", "--mirror", "lastfm")
	if code != 0 || !strings.Contains(out, `"state":"sent"`) || strings.Contains(out, `"lane"`) {
		t.Errorf("export --mirror lastfm: %d %q", code, out)
	}
	file := filepath.Join(t.TempDir(), "librefm.jsonl")
	if err := os.WriteFile(file, []byte(backup), 0o600); err != nil {
		t.Fatal(err)
	}

	// retry and drop say which lane each change applied to.
	out, errOut, code = runCLI(t, env, "", "queue", "retry", id)
	if code != 0 || strings.TrimSpace(out) != id+" on librefm: queued to be sent again" {
		t.Errorf("retry: %d %q %q", code, out, errOut)
	}
	out, errOut, code = runCLI(t, env, "", "queue", "drop", "--mirror", "lastfm", id)
	if code != 1 || !strings.Contains(out, id+": already sent: Last.fm answered it") {
		t.Errorf("drop --mirror lastfm: %d %q %q", code, out, errOut)
	}
	out, errOut, code = runCLI(t, env, "", "queue", "drop", "--mirror", "librefm", id)
	if code != 0 || strings.TrimSpace(out) != id+" on librefm: dropped" {
		t.Fatalf("drop --mirror librefm: %d %q %q", code, out, errOut)
	}

	// import --mirror: only that lane's lines; the others are counted.
	out, errOut, code = runCLI(t, env, "", "queue", "import", "--mirror", "lastfm", file)
	if code != 0 || !strings.Contains(out, "(lastfm): 0 pending items") || !strings.Contains(out, "1 line of other destinations left out (--mirror lastfm)") {
		t.Errorf("import --mirror lastfm: %d %q %q", code, out, errOut)
	}
	out, errOut, code = runCLI(t, env, "", "queue", "import", "--mirror", "librefm", file)
	if code != 0 || !strings.Contains(out, "(librefm): 1 pending item,") || strings.Contains(out, "left out") {
		t.Fatalf("import --mirror librefm: %d %q %q", code, out, errOut)
	}
	if err := libre.Start(); err != nil {
		t.Fatal(err)
	}
	waitfor.True(t, "the mirror has the imported scrobble", func() bool { return len(libre.Scrobbles(daemontest.Alice)) == 1 })
	if n := len(emu.Scrobbles("alice")); n != 1 {
		t.Errorf("Last.fm holds %d scrobbles, want 1", n)
	}
}
