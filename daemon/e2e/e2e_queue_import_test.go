package e2e_test

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/client"
	"github.com/lastfmd/lastfmd/daemon/journal"
)

// importFile is a salvage's .jsonl as lastfmd writes it: pending
// scrobbles and a pending love, a dead letter, an item whose answer is
// unknown, and two kept results.
func importFile(t *testing.T, now time.Time) (raw [][]byte, pending, kept []string) {
	t.Helper()
	var lines []journal.ExportLine
	add := func(state journal.State, id uint64, method, track string, ts int64) {
		params := map[string]string{"artist": "Cher", "track": track}
		if ts != 0 {
			params["timestamp"] = strconv.FormatInt(ts, 10)
		}
		it := &journal.Item{ID: id, Account: "alice", Method: method, Params: params, Timestamp: ts, Added: now.Add(-time.Hour)}
		switch state {
		case journal.Dead:
			it.Reason, it.Died = "Last.fm refused it", now.Add(-time.Minute)
		case journal.AnswerUnknown:
			it.Reason, it.MaybeSent = "salvage found it only in an out-of-date part", true
		}
		lines = append(lines, journal.ExportLine{State: state, Item: it})
	}
	for i := range 3 {
		track := "imported" + strconv.Itoa(i)
		add(journal.Pending, uint64(10+i), journal.MethodScrobble, track, now.Add(-time.Duration(30-i)*time.Minute).Unix())
		pending = append(pending, track)
	}
	add(journal.Pending, 13, "track.love", "Believe", 0)
	add(journal.Dead, 14, journal.MethodScrobble, "refused", now.Add(-20*time.Minute).Unix())
	add(journal.AnswerUnknown, 15, journal.MethodScrobble, "unknown", now.Add(-19*time.Minute).Unix())
	for i := range 2 {
		track := "kept" + strconv.Itoa(i)
		lines = append(lines, journal.ExportLine{State: journal.Sent, Result: &journal.Result{ID: uint64(16 + i), Account: "alice",
			Method: journal.MethodScrobble, Artist: "Cher", Track: track, Timestamp: now.Add(-time.Duration(40-i) * time.Minute).Unix(),
			Status: journal.StatusAccepted, Sent: now.Add(-time.Minute)}})
		kept = append(kept, track)
	}
	for _, l := range lines {
		b, err := json.Marshal(l)
		if err != nil {
			t.Fatal(err)
		}
		raw = append(raw, b)
	}
	return raw, pending, kept
}

// `lastfmd queue import` through a running daemon (issue 21, must-show
// 2): the lines go to POST /v1/queue/import; pending items are sent, dead
// letters and items whose answer is unknown are kept as such, kept results
// only deduplicate and never reach Last.fm; importing again adds nothing.
func TestQueueImportThroughTheDaemon(t *testing.T) {
	h := newHarness(t, withJournal(fastJournal))
	now := time.Now()
	raw, pending, kept := importFile(t, now)
	c, err := client.New(h.url)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := c.QueueImport(context.Background(), raw, "")
	if want := (client.QueueImported{Pending: 4, Dead: 1, AnswerUnknown: 1, Results: 2}); err != nil || *rep != want {
		t.Fatalf("import: %+v %v, want %+v", rep, err, want)
	}
	h.settled()
	if got := h.delivered("alice"); !slices.Equal(got, pending) {
		t.Errorf("Last.fm got %q, want %q", got, pending)
	}
	if loved := h.emu.Loved("alice"); len(loved) != 1 {
		t.Errorf("loved %q", loved)
	}
	q := h.queue()
	if q.Pending != 0 || q.Dead != 1 || q.DeadLetters[0].Params["track"] != "refused" {
		t.Errorf("queue %+v", q)
	}
	requests := len(h.emu.Requests())
	rep, err = c.QueueImport(context.Background(), raw, "")
	if want := (client.QueueImported{Unchanged: len(raw)}); err != nil || *rep != want {
		t.Errorf("second import: %+v %v, want %+v", rep, err, want)
	}
	// A kept result deduplicates: a client sending that scrobble again is
	// answered a duplicate, and nothing goes to Last.fm.
	a, v := h.scrobble([]scrobbleItem{{Artist: "Cher", Track: kept[0], Timestamp: now.Add(-40 * time.Minute).Unix()}})
	wantStatus(t, a, 200)
	if !v.Scrobbles[0].Duplicate {
		t.Errorf("a scrobble whose result was imported: %s", a.body)
	}
	steady(t, "requests to Last.fm", 300*time.Millisecond, func() int { return len(h.emu.Requests()) })
	if n := len(h.emu.Requests()); n != requests {
		t.Errorf("%d requests to Last.fm after the second import and the duplicate", n-requests)
	}
	for _, r := range h.emu.Requests() {
		for _, track := range append(kept, "refused", "unknown") {
			if slices.Contains(valuesOf(r.Params), track) {
				t.Errorf("Last.fm got %q (%s): it was not pending", track, r.Method)
			}
		}
	}
}

func valuesOf(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// POST /v1/queue/import refuses what is not export lines in one line,
// through the one decoder of /v1/ bodies, and journals nothing of it.
func TestQueueImportRefuses(t *testing.T) {
	h := newHarness(t, withJournal(fastJournal))
	raw, _, _ := importFile(t, time.Now())
	good := string(raw[0])
	for name, c := range map[string]struct{ body, want string }{
		"not JSON":       {"hello\n", "line 1: malformed JSON"},
		"a repeated key": {strings.Replace(good, `{"state":"pending"`, `{"state":"dead","state":"pending"`, 1), `"state" given twice`},
		"not an export":  {good + "\n" + `{"ids":[1]}`, `line 2: not a line of {"state"`},
		"empty":          {"\n", "no lines"},
	} {
		t.Run(name, func(t *testing.T) {
			a := h.post("/v1/queue/import", "application/x-ndjson", c.body)
			wantStatus(t, a, 400)
			var e struct{ Message string }
			if err := json.Unmarshal([]byte(a.body), &e); err != nil {
				t.Fatal(err)
			}
			wantContains(t, e.Message, c.want)
		})
	}
	if q := h.queue(); q.Pending != 0 || q.Dead != 0 {
		t.Errorf("something was journalled: %+v", q)
	}
}
