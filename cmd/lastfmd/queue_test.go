package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/client"
	"github.com/lastfmd/lastfmd/daemon"
	"github.com/lastfmd/lastfmd/daemon/config"
	"github.com/lastfmd/lastfmd/daemon/daemontest"
	"github.com/lastfmd/lastfmd/daemon/emulator"
	"github.com/lastfmd/lastfmd/daemon/journal"
	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// queueDaemon runs a daemon in front of an emulator, alice signed in, and
// returns both; setup, when not nil, changes the configuration first
// (the state directory is cfg.StateDir).
func queueDaemon(t *testing.T, setup func(cfg *config.Config)) (*daemon.Main, *emulator.Server) {
	t.Helper()
	emu := daemontest.Emulator(t)
	state := t.TempDir()
	daemontest.SignInAlice(t, emu, state)
	cfg := daemontest.Config(emu, state)
	if setup != nil {
		setup(&cfg)
	}
	m, _ := daemontest.Start(t, &cfg, nil, daemontest.Pace{
		Journal: journal.Tuning{BackoffBase: 50 * time.Millisecond, BackoffMax: 200 * time.Millisecond, Poll: 10 * time.Millisecond}})
	return m, emu
}

// scrobbleNoWait scrobbles Cher's track played at ts through the daemon
// at url, not waiting for Last.fm (Prefer: wait=0: 202, journalled), and
// returns the item's id.
func scrobbleNoWait(t *testing.T, url, track string, ts time.Time) uint64 {
	t.Helper()
	body := fmt.Sprintf(`{"artist":"Cher","track":%q,"timestamp":%d}`, track, ts.Unix())
	req, _ := http.NewRequest(http.MethodPost, url+"/v1/track.scrobble", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Prefer", "wait=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct {
		Scrobbles []struct {
			ID uint64 `json:"id"`
		} `json:"scrobbles"`
	}
	json.NewDecoder(resp.Body).Decode(&v)
	if resp.StatusCode != 202 || len(v.Scrobbles) != 1 {
		t.Fatalf("scrobble: %d", resp.StatusCode)
	}
	return v.Scrobbles[0].ID
}

func TestQueueCLI(t *testing.T) {
	m, emu := queueDaemon(t, nil)
	env := cleanEnv(t, "LASTFMD_URL="+m.URL())
	emu.Stop()
	var ids []uint64
	for i, track := range []string{"First", "Second"} {
		ids = append(ids, scrobbleNoWait(t, m.URL(), track, time.Now().Add(-time.Duration(10-i)*time.Minute)))
	}
	id0, id1 := strconv.FormatUint(ids[0], 10), strconv.FormatUint(ids[1], 10)

	out, errOut, code := runCLI(t, env, "", "queue", "list")
	if code != 0 || !strings.Contains(out, "2 pending, 0 dead letters") || !strings.Contains(out, "alice on lastfm: 2 pending") ||
		!strings.Contains(out, "ID  DESTINATION  ACCOUNT") || !strings.Contains(out, "  lastfm       alice  ") || !strings.Contains(out, "Cher - First") || !strings.Contains(out, id1+"  ") {
		t.Fatalf("list: %d %q %q", code, out, errOut)
	}
	// Times are local and relative, never RFC 3339 to the nanosecond.
	if !strings.Contains(out, " min ago (") || regexp.MustCompile(`\d{4}-\d\d-\d\dT`).MatchString(out) || strings.Contains(out, "UTC") {
		t.Errorf("list times are not relative and local:\n%s", out)
	}
	out, _, code = runCLI(t, env, "", "queue", "list", "--json")
	var doc struct {
		Pending int `json:"pending"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &doc) != nil || doc.Pending != 2 {
		t.Fatalf("list --json: %d %q", code, out)
	}
	out, _, code = runCLI(t, env, "", "queue", "export")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 2 || !strings.Contains(lines[0], `"state":"pending"`) || !strings.Contains(lines[0], `"First"`) {
		t.Fatalf("export: %d %q", code, out)
	}

	// A dead letter (forced logout), retried; the other dropped.
	if err := m.Journal.BeforeLogout("alice", "", true); err != nil {
		t.Fatal(err)
	}
	out, _, code = runCLI(t, env, "", "queue", "list")
	if code != 0 || !strings.Contains(out, "DEAD LETTERS") || !strings.Contains(out, "logged out") {
		t.Fatalf("list with dead letters: %d %q", code, out)
	}
	if want := "Next: fix what REASON names, then send them again: lastfmd queue retry " + id0 + " " + id1; !strings.Contains(out, want) &&
		!strings.Contains(out, "lastfmd queue retry "+id1+" "+id0) {
		t.Errorf("list does not say what to do with the dead letters (%q):\n%s", want, out)
	}
	out, errOut, code = runCLI(t, env, "", "queue", "drop", id1)
	if code != 0 || strings.TrimSpace(out) != id1+" on lastfm: dropped" {
		t.Fatalf("drop: %d %q %q", code, out, errOut)
	}
	out, errOut, code = runCLI(t, env, "", "queue", "retry", id0, "999999")
	if code != 1 || !strings.Contains(out, id0+" on lastfm: queued to be sent again") || !strings.Contains(out, "999999: not in the queue: no item has this id") || !strings.Contains(errOut, "1 of 2 ids") {
		t.Fatalf("retry: %d %q %q", code, out, errOut)
	}
	emu.Start()
	waitfor.True(t, "the retried dead letter's delivery", func() bool { return len(emu.Scrobbles("alice")) == 1 })
	if got := emu.Scrobbles("alice"); got[0].Track != "First" {
		t.Errorf("delivered %+v", got)
	}
	// Retrying it once sent says so, not "unknown".
	waitfor.Within(waitfor.Bound, func() bool { // the answer is being settled
		out, errOut, code = runCLI(t, env, "", "queue", "retry", id0)
		return strings.Contains(out, "already sent")
	})
	if code != 1 || !strings.Contains(out, id0+": already sent: its destination answered it") {
		t.Errorf("retry of a sent item: %d %q %q", code, out, errOut)
	}
	out, errOut, code = runCLI(t, env, "", "queue", "retry", "--mirror", "lastfm", id0)
	if code != 1 || !strings.Contains(out, id0+": already sent: Last.fm answered it") {
		t.Errorf("retry of a sent item: %d %q %q", code, out, errOut)
	}

	// --force warns before it sends; an id that is gone still says so.
	out, errOut, code = runCLI(t, env, "", "queue", "retry", "--force", "999999")
	if code != 1 || !strings.Contains(errOut, "may show twice") || !strings.Contains(out, "999999: not in the queue") {
		t.Errorf("retry --force: %d %q %q", code, out, errOut)
	}

	// Usage errors exit 2; no daemon exits 1; never a stack trace.
	for _, c := range []struct {
		env  []string
		args []string
		code int
		msg  string
	}{
		{env, []string{"queue"}, 2, "missing subcommand"},
		{env, []string{"queue", "retry"}, 2, "missing ID"},
		{env, []string{"queue", "drop", "abc"}, 2, "not a queue id"},
		{env, []string{"queue", "drop", "0"}, 2, "not a queue id"},
		{env, []string{"queue", "list", "--limit", "0"}, 2, "--limit"},
		{env, []string{"queue", "list", "extra"}, 2, "accepts 0 arg"},
		{env, []string{"queue", "drop", "--mirror", "", "1"}, 2, "--mirror is empty"},
		{env, []string{"queue", "list", "--mirror=librefm"}, 1, `no destination "librefm": the destinations are [lastfm]`},
		{env, []string{"queue", "retry", "--mirror", "librefm", "1"}, 1, `no destination "librefm": the destinations are [lastfm]`},
		{env, []string{"queue", "export", "--mirror", "librefm"}, 1, `no destination "librefm": the destinations are [lastfm]`},
		{cleanEnv(t, "LASTFMD_URL=http://127.0.0.1:1"), []string{"queue", "list"}, 1, "no daemon answers"},
	} {
		_, errOut, code := runCLI(t, c.env, "", c.args...)
		if code != c.code || !strings.Contains(errOut, c.msg) || strings.Contains(errOut, "goroutine ") ||
			c.code == 1 && strings.Count(strings.TrimSpace(errOut), "\n") > 0 { // a usage error adds its hint
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errOut, c.code, c.msg)
		}
	}
}

// Dead letters and items whose answer is unknown print as one table each,
// with their reason, and give their ids for the next command.
func TestGivenUpTable(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	items := []client.QueueItem{
		{ID: 7, Destination: "lastfm", Account: "alice", Method: "track.scrobble", Params: map[string]string{"artist": "Cher", "track": "Believe"},
			Timestamp: now.Add(-time.Hour).Unix(), Reason: "found by salvage only on pages that may have been freed"},
		// One play has one id on every lane: its id is given once.
		{ID: 7, Destination: "librefm", Account: "alice", Method: "track.scrobble", Params: map[string]string{"artist": "Cher", "track": "Believe"},
			Timestamp: now.Add(-time.Hour).Unix(), Reason: "found by salvage only on pages that may have been freed"},
		{ID: 9, Destination: "lastfm", Account: "bob", Method: "track.love", Params: map[string]string{"artist": "Cher", "track": "Strong Enough"}, Reason: "Last.fm refused it"},
	}
	var b strings.Builder
	ids := givenUpTable(&b, "ANSWER UNKNOWN (the destination may have them)", "WHY", items, now)
	if strings.Join(ids, " ") != "7 9" {
		t.Errorf("ids %v", ids)
	}
	for _, want := range []string{"ANSWER UNKNOWN (the destination may have them)\nID\tDESTINATION\tACCOUNT\tWHAT\tPLAYED\tWHY\n",
		"7\tlastfm\talice\tCher - Believe\t", "7\tlibrefm\talice\tCher - Believe\t", "may have been freed\n",
		"9\tlastfm\tbob\ttrack.love Cher - Strong Enough\t-\tLast.fm refused it\n"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
	if ids := givenUpTable(&b, "DEAD LETTERS", "REASON", nil, now); ids != nil {
		t.Errorf("no items gave ids %v", ids)
	}
}
