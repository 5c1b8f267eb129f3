package httpapi

import (
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/api"
)

var viewNow = time.Date(2026, 3, 1, 12, 30, 0, 0, time.UTC)

func ago(d time.Duration) string { return viewNow.Add(-d).UTC().Format(time.RFC3339) }

// What each state of Last.fm's health renders as: a refused key before a
// back-off, before the later of the last success and failure.
func TestViewHealth(t *testing.T) {
	for _, c := range []struct {
		name  string
		up    api.UpstreamStatus
		level string
		words string
	}{
		{"no call yet", api.UpstreamStatus{}, "ok", "No call to Last.fm yet."},
		{"answers", api.UpstreamStatus{LastSuccess: ago(3 * time.Minute)}, "ok", "Last.fm answers: its last answer came 3 min ago."},
		{"failed since", api.UpstreamStatus{LastSuccess: ago(time.Hour), LastFailure: ago(time.Minute), LastError: "connection refused"},
			"warn", "Last.fm's last answer was a failure (1 min ago): connection refused"},
		{"failed before", api.UpstreamStatus{LastSuccess: ago(time.Minute), LastFailure: ago(time.Hour), LastError: "x"}, "ok", "Last.fm answers"},
		{"back-off", api.UpstreamStatus{LastSuccess: ago(time.Minute), BackoffUntil: viewNow.Add(40 * time.Second).Format(time.RFC3339)},
			"warn", "slow down (error 29): no call until 2026-03-01 12:30:40 UTC"},
		{"key", api.UpstreamStatus{KeyProblem: "Last.fm says the API key is invalid (error 10)", BackoffUntil: ago(-time.Minute)},
			"bad", "refuses lastfmd's API key: Last.fm says the API key is invalid (error 10)"},
	} {
		h := buildHealth(api.Status{Upstream: c.up}, viewNow)
		if h.Level != c.level || !strings.Contains(h.Words, c.words) {
			t.Errorf("%s: %s %q, want %s %q", c.name, h.Level, h.Words, c.level, c.words)
		}
	}
	for _, c := range []struct {
		up    api.UpstreamStatus
		level string
		words string
	}{
		{api.UpstreamStatus{}, "ok", "not measured yet"},
		{api.UpstreamStatus{ClockKnown: true, ClockSkewSeconds: -3}, "ok", "within 3 s of Last.fm's"},
		{api.UpstreamStatus{ClockKnown: true, ClockSkewSeconds: 400}, "bad", "off from Last.fm's by 6 min 40 s: Last.fm ignores scrobbles from the future"},
	} {
		h := buildHealth(api.Status{Upstream: c.up}, viewNow)
		if h.ClockLevel != c.level || !strings.Contains(h.Clock, c.words) {
			t.Errorf("clock %+v: %s %q", c.up, h.ClockLevel, h.Clock)
		}
	}
	if h := buildHealth(api.Status{Limiter: api.LimiterStatus{Rate: 4.5, Burst: 8, Waiting: 2}}, viewNow); h.Limiter != "4.5 calls a second (bursts of 8), 2 waiting" {
		t.Errorf("limiter %q", h.Limiter)
	}
}

// Each outcome of a scrobble in words, naming the destination.
func TestViewOutcomes(t *testing.T) {
	for _, c := range []struct {
		r    api.RecentScrobble
		want string
	}{
		{api.RecentScrobble{Destination: "lastfm", Outcome: "accepted"}, "accepted"},
		{api.RecentScrobble{Destination: "lastfm", Outcome: "accepted", Corrected: map[string]string{"track": "Believe", "artist": "Cher"}},
			"accepted; Last.fm changed artist to \u201cCher\u201d, Last.fm changed track to \u201cBelieve\u201d"},
		{api.RecentScrobble{Destination: "lastfm", Outcome: "ignored", IgnoredCode: 1, IgnoredMessage: "Artist name failed filter"},
			"ignored by Last.fm: Artist name failed filter (code 1)"},
		{api.RecentScrobble{Destination: "lb", Outcome: "skipped"}, "skipped: lb does not take it"},
		{api.RecentScrobble{Destination: "lastfm", Outcome: "queued"}, "queued"},
		{api.RecentScrobble{Destination: "lastfm", Outcome: "queued", Reason: "connection refused"}, "queued; the last try failed: connection refused"},
		{api.RecentScrobble{Destination: "librefm", Outcome: "dead", Reason: "Invalid parameters (error 6)"}, "dead letter: Invalid parameters (error 6)"},
		{api.RecentScrobble{Destination: "librefm", Outcome: "answer_unknown"}, "sent, answer unknown: librefm may have it"},
		{api.RecentScrobble{Destination: "lastfm", Outcome: "dropped_maybe_sent"}, "dropped; Last.fm may have it (a send got no answer)"},
	} {
		if got := outcomeWords(c.r); got != c.want {
			t.Errorf("%+v: %q, want %q", c.r, got, c.want)
		}
	}
}

// The page's parts from the documents: destinations with their accounts,
// dead letters with a key per lane, the last 50 scrobbles, the cache, the
// accounts, problems first.
func TestBuildView(t *testing.T) {
	in := pageInput{Now: viewNow, StateDir: "/var/lib/lastfmd",
		Status: api.Status{Version: "1.2.3", UptimeSeconds: 3*86400 + 4*3600, Listen: "127.0.0.1:7375",
			Accounts: []api.AccountStatus{{Name: "alice", User: "alice_fm", Default: true, ScrobblesToday: 7}, {Name: "bob", NeedsSignin: true}},
			Cache:    api.CacheStatus{Entries: 3, Bytes: 3 << 20, MaxBytes: 64 << 20, Hits: 87, Misses: 13, Stale: 2},
			Queue:    api.QueueStatus{Dead: 2, DiskProblem: "the disk is full: free space"},
			Destinations: []api.DestinationStatus{
				{Name: "lastfm", Type: "lastfm", Pending: 1, Dead: 1, LastSuccess: ago(time.Minute)},
				{Name: "librefm", Type: "lastfm", Dead: 1, LastFailure: &api.FailureStatus{At: ago(2 * time.Minute), Error: "HTTP 503"}, NotSignedIn: []string{"bob"}},
			}},
		Queue: api.Queue{
			Accounts: []api.AccountQueue{
				{Destination: "lastfm", Account: "alice", Pending: 1, Dead: 1, ScrobblesToday: 7, Paused: "paused by the daily cap until 00:00 UTC: Last.fm's daily scrobble limit was reached; sending resumes at 2026-03-02T00:00:00Z"},
				{Destination: "librefm", Account: "alice", Dead: 1},
			},
			DeadLetters: []api.QueueItem{
				{ID: 9, Destination: "lastfm", Account: "alice", Method: "track.scrobble", Params: map[string]string{"artist": "Cher", "track": "Believe"}, Reason: "too old", Died: viewNow.Add(-time.Hour)},
				{ID: 9, Destination: "librefm", Account: "alice", Method: "track.love", Params: map[string]string{"artist": "Cher", "track": "Believe"}, MaybeSent: true},
			}},
	}
	for i := range 60 {
		in.Recent = append(in.Recent, api.RecentScrobble{ID: uint64(100 - i), Destination: "lastfm", Outcome: "accepted", At: viewNow})
	}
	v := buildView(in)
	if v.Daemon.Uptime != "3 days 4 h" || v.Daemon.StateDir != "/var/lib/lastfmd" || v.Daemon.Version != "1.2.3" {
		t.Errorf("daemon %+v", v.Daemon)
	}
	if len(v.Problems) != 1 || !strings.Contains(v.Problems[0], "disk is full") {
		t.Errorf("problems %q", v.Problems)
	}
	if len(v.Destinations) != 2 || v.Destinations[0].Label != "Last.fm" || v.Destinations[1].LastError != "HTTP 503" ||
		len(v.Destinations[0].Accounts) != 1 || !strings.Contains(v.Destinations[0].Accounts[0].Paused, "daily scrobble limit") ||
		v.Destinations[1].Accounts[0].Dead != 1 {
		t.Errorf("destinations %+v", v.Destinations)
	}
	if len(v.Dead) != 2 || v.Dead[0].Key() == v.Dead[1].Key() || v.Dead[0].What != "Cher \u2013 Believe" ||
		v.Dead[1].What != "track.love Cher \u2013 Believe" || !v.Dead[1].MaybeSent || v.Dead[0].Died.Rel != "1 h ago" || v.DeadMore != 0 {
		t.Errorf("dead %+v", v.Dead)
	}
	if len(v.Recent) != recentShown || v.Recent[0].ID != 100 {
		t.Errorf("recent: %d, first %d", len(v.Recent), v.Recent[0].ID)
	}
	if v.Cache.Size != "3.0 MiB of 64.0 MiB" || v.Cache.Full != 5 || v.Cache.HitRatio != "87 % of 100 reads" || v.Cache.Stale != 2 {
		t.Errorf("cache %+v", v.Cache)
	}
	if len(v.Accounts) != 2 || !v.Accounts[0].Default || !v.Accounts[1].NeedsSignin || v.Accounts[0].Today != 7 {
		t.Errorf("accounts %+v", v.Accounts)
	}
	if v := buildView(pageInput{Now: viewNow}); v.Cache.HitRatio != "no reads yet" || len(v.Chart.Bars) != chartHours || v.Chart.Total != 0 {
		t.Errorf("empty view %+v", v)
	}
}

// The chart counts Last.fm's lane per hour over the last 24 hours, the
// current hour last.
func TestViewChart(t *testing.T) {
	rs := []api.RecentScrobble{
		{Destination: "lastfm", At: viewNow},
		{Destination: "lastfm", At: viewNow.Add(-time.Minute)},
		{Destination: "librefm", At: viewNow},                     // another lane: counted on Last.fm's
		{Destination: "lastfm", At: viewNow.Add(-2 * time.Hour)},  // 10:xx
		{Destination: "lastfm", At: viewNow.Add(-25 * time.Hour)}, // too old
	}
	c := buildChart(rs, viewNow)
	if c.Total != 3 || c.Max != 2 || len(c.Bars) != chartHours {
		t.Fatalf("chart %+v", c)
	}
	last, ten := c.Bars[chartHours-1], c.Bars[chartHours-3]
	if last.Count != 2 || last.H != chartHeight || last.Y != 0 || last.Label != "12:00\u201313:00 UTC: 2 scrobbles" {
		t.Errorf("current hour %+v", last)
	}
	if ten.Count != 1 || ten.H != chartHeight/2 || ten.Label != "10:00\u201311:00 UTC: 1 scrobble" {
		t.Errorf("10:00 %+v", ten)
	}
}

func TestRelative(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "just now", 30 * time.Second: "30 s ago", 3 * time.Minute: "3 min ago", 5 * time.Hour: "5 h ago",
		72 * time.Hour: "3 days ago", -2 * time.Hour: "in 2 h",
	} {
		if got := relative(viewNow.Add(-d), viewNow); got != want {
			t.Errorf("%v: %q, want %q", d, got, want)
		}
	}
	if m := moment(time.Time{}, viewNow); !m.Never() || m.Rel != "never" {
		t.Errorf("zero moment %+v", m)
	}
}
