//go:build !windows

package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/client"
	"github.com/lastfmd/lastfmd/daemon/closedport"
	"github.com/lastfmd/lastfmd/daemon/daemontest"
	"github.com/lastfmd/lastfmd/daemon/emulator"
	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// `lastfmd status` shows every part a person checks at a glance, each
// problem with what to run: an account needing sign-in, the cache's hit
// rate and size, the queue's depth, oldest item and dead letters, the last
// Last.fm error, the clock skew and the limiter's back-off. --json carries
// the same figures in the status document of docs/operations.md#v1status.
func TestStatusAtAGlance(t *testing.T) {
	w := newStatusWorld(t)
	// Two reads of the same thing: one miss, one hit.
	for range 2 {
		if code, body := w.do(t, "GET", "/v1/artist.getInfo?artist=Cher", ""); code != 200 {
			t.Fatalf("read: %d %s", code, body)
		}
	}
	// A scrobble Last.fm refuses for good: a dead letter.
	w.emu.Fail(emulator.Fault{BadItem: "Dead Song", Code: 6})
	now := time.Now().Unix()
	w.do(t, "POST", "/v1/track.scrobble", fmt.Sprintf(`[{"artist":"Cher","track":"Dead Song","timestamp":%d}]`, now))
	// bob's session is revoked: his scrobble waits, and he must sign in.
	w.emu.RevokeSession(w.skBob)
	w.do(t, "POST", "/v1/track.scrobble", fmt.Sprintf(`[{"artist":"Cher","track":"Believe","timestamp":%d}]`, now), "X-Lastfmd-Account", "bob", "Prefer", "wait=0")
	waitfor.True(t, "a dead letter and bob marked as needing sign-in", func() bool {
		st := w.m.Status()
		bobNeeds := false
		for _, a := range st.Accounts {
			bobNeeds = bobNeeds || a.Name == "bob" && a.NeedsSignin
		}
		return st.Queue.Dead == 1 && st.Queue.Pending == 1 && bobNeeds
	})
	// Last.fm's clock is 3 minutes behind ours, then it answers 29.
	w.emu.SetClock(func() time.Time { return time.Now().Add(-3 * time.Minute) })
	if code, body := w.do(t, "GET", "/v1/artist.getSimilar?artist=Cher", ""); code != 200 {
		t.Fatalf("read: %d %s", code, body)
	}
	w.emu.Fail(emulator.Fault{Method: "album.getInfo", Code: 29, Times: 1})
	w.do(t, "GET", "/v1/album.getInfo?artist=Cher&album=Believe", "")

	fake, _ := fakeSystemd(t)
	env := cleanEnv(t, append(fake, "LASTFMD_URL="+w.url)...)
	out, errOut, code := runCLI(t, env, "", "status")
	if code != 0 {
		t.Fatalf("status: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"service:  not installed",
		"daemon:   ready at " + w.url,
		"accounts: alice (default), bob (needs sign-in: lastfmd auth login --account bob)",
		"cache:    2 entries, ",
		" of 64.0 MiB; 25% hit rate (1 hit, 3 misses)", // getInfo twice, getSimilar, album.getInfo (answered 29)
		"queue:    1 pending (oldest ",
		", 1 dead letter\n",
		"last error: ",
		"see the dead letters: lastfmd queue list",
		"upstream: Last.fm asked lastfmd to slow down (rate limited); ", "; last success ", ", last failure ",
		"last error: last.fm error 29",
		"clock:    3m0s ahead of Last.fm's: Last.fm ignores scrobbles from the future; synchronise the clock",
		"limiter:  100 calls/s, burst 100, 0 waiting; backing off for ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{daemontest.Secret, w.skAlice, w.skBob} {
		if strings.Contains(out+errOut, secret) {
			t.Error("status shows a secret")
		}
	}

	out, errOut, code = runCLI(t, env, "", "status", "--json")
	if code != 0 {
		t.Fatalf("status --json: exit %d %s", code, errOut)
	}
	var r struct {
		Service struct {
			State string `json:"state"`
		} `json:"service"`
		Ready  bool                       `json:"ready"`
		Daemon map[string]json.RawMessage `json:"daemon"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if r.Service.State != "not installed" || !r.Ready {
		t.Errorf("status --json: %s", out)
	}
	// The document of docs/operations.md#v1status, every key.
	design := map[string][]string{
		"version": nil, "uptime_seconds": nil, "listen": nil,
		"accounts": {"name", "default", "needs_signin", "scrobbles_today"},
		"cache":    {"entries", "bytes", "max_bytes", "hits", "misses", "stale", "evictions"},
		"queue":    {"pending", "dead", "oldest_pending_seconds", "next_attempt", "last_error"},
		"upstream": {"calls", "errors", "last_error", "backoff_until", "clock_skew_seconds", "clock_known", "key_problem"},
		"limiter":  {"rate", "burst", "waiting"},
	}
	for k, sub := range design {
		raw, ok := r.Daemon[k]
		if !ok {
			t.Errorf("status --json: daemon.%s missing", k)
			continue
		}
		if sub == nil {
			continue
		}
		var obj map[string]json.RawMessage
		if k == "accounts" {
			var list []map[string]json.RawMessage
			if json.Unmarshal(raw, &list) != nil || len(list) != 2 {
				t.Errorf("daemon.accounts: %s", raw)
				continue
			}
			obj = list[0]
		} else if err := json.Unmarshal(raw, &obj); err != nil {
			t.Errorf("daemon.%s: %s", k, raw)
			continue
		}
		for _, s := range sub {
			if _, ok := obj[s]; !ok {
				t.Errorf("status --json: daemon.%s.%s missing", k, s)
			}
		}
	}
	var doc client.Status
	raw, _ := json.Marshal(r.Daemon)
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Queue.Pending != 1 || doc.Queue.Dead != 1 || doc.Cache.Hits != 1 || doc.Upstream.ClockSkewSeconds != 180 || !doc.Upstream.ClockKnown || doc.Upstream.BackoffUntil == "" {
		t.Errorf("status --json figures: %+v", doc)
	}
}

// With no daemon, status says so and what to run, and exits 1; --json gives
// the service's state and "daemon": "not running".
func TestStatusNoDaemon(t *testing.T) {
	fake, _ := fakeSystemd(t)
	env := cleanEnv(t, append(fake, "LASTFMD_URL=http://"+closedport.Addr(t))...)
	out, _, code := runCLI(t, env, "", "status")
	if code != 1 || !strings.Contains(out, "daemon:   not running") || !strings.Contains(out, "lastfmd demo") || !strings.Contains(out, "lastfmd run") {
		t.Errorf("status, no daemon: exit %d\n%s", code, out)
	}
	out, _, code = runCLI(t, env, "", "status", "--json")
	var r struct {
		Service struct {
			State string `json:"state"`
		} `json:"service"`
		Daemon any `json:"daemon"`
	}
	if code != 1 || json.Unmarshal([]byte(out), &r) != nil || r.Daemon != "not running" || r.Service.State != "not installed" {
		t.Errorf("status --json, no daemon: exit %d\n%s", code, out)
	}
	// A stopped service: the hint is to start it.
	env = append(env, `FAKE_SHOW_SYSTEM=LoadState=loaded\nActiveState=inactive\nSubState=dead\nResult=success\nUnitFileState=enabled\nMainPID=0\n`)
	out, _, _ = runCLI(t, env, "", "status")
	if !strings.Contains(out, "start it: sudo lastfmd start") {
		t.Errorf("status, service stopped:\n%s", out)
	}
}

// The human lines, from documents a daemon could send.
func TestStatusLines(t *testing.T) {
	now := time.Date(2025, 11, 26, 10, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		doc  client.Status
		want []string
	}{
		{"fresh daemon, no account", client.Status{Version: "1.0", Listen: "127.0.0.1:7375", Cache: client.CacheStatus{MaxBytes: 64 << 20}, Limiter: client.LimiterStatus{Rate: 2, Burst: 5}},
			[]string{"accounts: none signed in: reads work; for writes run `lastfmd auth login`", "cache:    0 entries, 0 B of 64.0 MiB; no reads yet",
				"queue:    0 pending, 0 dead letters", "upstream: no call to Last.fm yet; 0 calls, 0 errors\n", "clock:    not yet known", "limiter:  2 calls/s, burst 5, 0 waiting\n"}},
		{"busy", client.Status{
			Accounts: []client.AccountStatus{{Name: "home", User: "rj", Default: true, ScrobblesToday: 12}},
			Cache:    client.CacheStatus{Entries: 3, Bytes: 1536, MaxBytes: 1 << 30, Hits: 3, Misses: 1, Stale: 1, Evictions: 2},
			Queue:    client.QueueStatus{Pending: 5, OldestPendingSeconds: 125, NextAttempt: now.Add(30 * time.Second).Format(time.RFC3339), LastError: "Last.fm unreachable"},
			Upstream: client.UpstreamStatus{Calls: 10, Errors: 1, LastError: "HTTP 503 from Last.fm", ClockSkewSeconds: -30, ClockKnown: true,
				LastSuccess: now.Add(-2 * time.Second).Format(time.RFC3339Nano), LastFailure: now.Add(-3 * time.Minute).Format(time.RFC3339Nano)},
			Limiter: client.LimiterStatus{Rate: 2, Burst: 5, Waiting: 1}},
			[]string{"accounts: home (Last.fm user rj, default, 12 scrobbles today)", "cache:    3 entries, 1.5 KiB of 1.0 GiB; 60% hit rate (3 hits, 1 miss, 1 stale, 2 evicted)",
				"queue:    5 pending (oldest 2m5s, next attempt in 30s), 0 dead letters", "last error: Last.fm unreachable",
				"upstream: working again: the last call succeeded; 10 calls, 1 error; last success 2 s ago (" + now.Add(-2*time.Second).Local().Format("15:04:05") + "), last failure 3 min ago (", "\n          last error: HTTP 503 from Last.fm", "clock:    30s behind Last.fm's (fine: under 2m0s)", "limiter:  2 calls/s, burst 5, 1 waiting"}},
		{"key broken", client.Status{Upstream: client.UpstreamStatus{Calls: 1, Errors: 1, ClockKnown: true, KeyProblem: "Last.fm does not know the API key (last.fm error 10: Invalid API key)"}},
			[]string{"upstream: Last.fm refuses lastfmd's API key or secret", "Last.fm does not know the API key (last.fm error 10: Invalid API key): compare lastfm.api_key", "clock:    in step"}},
		{"Last.fm down now", client.Status{Upstream: client.UpstreamStatus{Calls: 3, Errors: 2, LastError: "artist.getInfo: no answer from Last.fm (connection failed or timed out)",
			LastSuccess: now.Add(-time.Hour).Format(time.RFC3339Nano), LastFailure: now.Add(-5 * time.Second).Format(time.RFC3339Nano)}},
			[]string{"upstream: failing: Last.fm's last answer was an error; 3 calls, 2 errors; last success 1 h ago (", "last failure 5 s ago (",
				"last error: artist.getInfo: no answer from Last.fm"}},
		{"never worked", client.Status{Upstream: client.UpstreamStatus{Calls: 1, Errors: 1, LastFailure: now.Format(time.RFC3339Nano)}},
			[]string{"upstream: failing: no call to Last.fm has succeeded yet; 1 call, 1 error; last success never, last failure just now (",
				"clock:    not yet known (it is compared with the Date of Last.fm's answers, and none has been read yet)"}},
		{"disk full (issue 14)", client.Status{Queue: client.QueueStatus{Pending: 60, LastError: "the disk holding /s/journal.db is full (no space left on device): free space there; 50 settled items are kept in memory",
			DiskProblem: "the disk holding /s/journal.db is full (no space left on device): free space there; 50 settled items are kept in memory"}},
			[]string{"queue:    60 pending", "          disk: the disk holding /s/journal.db is full (no space left on device): free space there; 50 settled items are kept in memory"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var b strings.Builder
			printDaemonStatus(&b, &c.doc, now)
			for _, w := range c.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("lacks %q:\n%s", w, b.String())
				}
			}
		})
	}
}
