package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/daemontest"
	"github.com/lastfmd/lastfmd/daemon/emulator"
	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// The journal across the daemon's life: an orderly shutdown, a second
// daemon on the same state directory, and a kill -9 with a restart (of the
// child daemon in crash_child_test.go).

// Shutdown: the HTTP server drains first (a request waiting for its
// scrobble's answer gets it), then the sender finishes the batch it is
// sending, then the journal closes; a restart finds nothing pending.
func TestJournalShutdownOrder(t *testing.T) {
	emu := daemontest.Emulator(t)
	state := t.TempDir()
	daemontest.SignInAlice(t, emu, state)
	cfg := daemontest.Config(emu, state)
	m := daemontest.Main(&cfg, nil, daemontest.Pace{Journal: fastJournal})
	if err := m.Open(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()

	emu.Fail(emulator.Fault{Method: "track.scrobble", Delay: 700 * time.Millisecond, Times: 1})
	answered := make(chan *http.Response, 1)
	go func() {
		resp, err := http.Post(m.URL()+"/v1/track.scrobble", "application/json", strings.NewReader(jsonOf(items(3, "s", time.Now()))))
		if err != nil {
			t.Error(err)
			answered <- nil
			return
		}
		answered <- resp
	}()
	waitFor(t, "the batch in flight", func() bool { return emu.Count("track.scrobble") == 1 })
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(waitfor.Bound):
		t.Fatal("Run did not return")
	}
	resp := <-answered
	if resp == nil {
		t.FailNow()
	}
	var v v1Scrobbles
	json.NewDecoder(resp.Body).Decode(&v)
	resp.Body.Close()
	if resp.StatusCode != 200 || v.Accepted != 3 {
		t.Errorf("the request in flight got %d %+v: the drain did not wait for its answer", resp.StatusCode, v)
	}
	if n := len(emu.Scrobbles("alice")); n != 3 {
		t.Fatalf("%d delivered: the in-flight batch was cut", n)
	}
	if m.Journal.Healthy() == nil {
		t.Error("the journal is still open after Run returned")
	}
	m.Close()

	m2 := daemontest.Main(&cfg, nil, daemontest.Pace{Journal: fastJournal})
	if err := m2.Open(); err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	if st := m2.Journal.Stats(); st.Pending != 0 || st.Results != 3 {
		t.Errorf("after restart: %+v", st)
	}
}

// A second lastfmd on the same state dir fails at once with an error
// naming the directory, instead of hanging or sharing the journal.
func TestJournalSecondDaemonSameStateDir(t *testing.T) {
	h := newHarness(t, withJournal(fastJournal))
	cfg := *h.m.Config
	cfg.Listen = "127.0.0.1:0"
	tune := fastJournal
	tune.OpenTimeout = 200 * time.Millisecond
	m2 := daemontest.Main(&cfg, nil, daemontest.Pace{Journal: tune})
	err := m2.Open() // without the open timeout this hangs, and the suite's bound fails it

	m2.Close()
	if err == nil {
		t.Fatal("a second daemon opened the same state dir")
	}
	wantContains(t, err.Error(), cfg.StateDir, "lastfmd is already running (pid ", h.m.URL())
	// The first one still works.
	a, _ := h.scrobble(items(1, "still", time.Now()))
	wantStatus(t, a, 200)
}

// A child lastfmd takes scrobbles while Last.fm is down, is killed with
// SIGKILL mid-stream, and restarts with Last.fm up: every scrobble it
// acknowledged reaches Last.fm, none twice, and the restart sends them in
// timestamp order.
func TestJournalCrashKill9(t *testing.T) {
	emu := daemontest.Emulator(t)
	state := t.TempDir()
	sk := daemontest.SignInAlice(t, emu, state)
	cc := crashChildConfig{StateDir: state, Upstream: emu.URL()}
	var logs daemontest.Buffer

	// Run 1, Last.fm up: 10 scrobbles delivered at once.
	child, url := startChild(t, cc, &logs)
	base := time.Now().Add(-3 * time.Hour).Unix()
	post := func(url string, i int, hdr string) (int, error) {
		body := jsonOf(scrobbleItem{Artist: "Crash", Track: fmt.Sprintf("t%03d", i), Timestamp: base + int64(i)*30})
		req, _ := http.NewRequest(http.MethodPost, url+"/v1/track.scrobble", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if hdr != "" {
			req.Header.Set("Prefer", hdr)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	for i := range 10 {
		if code, err := post(url, i, ""); err != nil || code != 200 {
			t.Fatalf("run 1, scrobble %d: %d %v", i, code, err)
		}
	}

	// Last.fm goes down. 16 submitters send 400 more, one per request,
	// timestamps interleaved across submitters; the daemon is killed with
	// SIGKILL once 200 were acknowledged, while requests are in flight.
	emu.Stop()
	const total, submitters = 400, 16
	var acked sync.Map // index -> true once answered 202
	var nAcked atomic.Int64
	killed := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	for g := range submitters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 10 + g; i < 10+total; i += submitters {
				code, err := post(url, i, "wait=0")
				if err != nil {
					return // the daemon is gone
				}
				if code != 202 {
					t.Errorf("scrobble %d with Last.fm down: %d", i, code)
					return
				}
				acked.Store(i, true)
				if nAcked.Add(1) == 200 {
					once.Do(func() {
						child.Process.Kill() // SIGKILL
						close(killed)
					})
				}
			}
		}()
	}
	select {
	case <-killed:
	case <-time.After(waitfor.Bound):
		t.Fatal("never reached 200 acknowledged scrobbles")
	}
	child.Wait()
	wg.Wait()
	if n := len(emu.Scrobbles("alice")); n != 10 {
		t.Fatalf("%d scrobbles reached Last.fm while it was down", n)
	}
	var want []int
	acked.Range(func(k, _ any) bool { want = append(want, k.(int)); return true })
	slices.Sort(want)

	// Run 2, Last.fm up: the journal is sent at once.
	emu.Start()
	emu.Reset()
	_, url = startChild(t, cc, &logs)
	deadline := time.Now().Add(waitfor.Bound)
	for {
		pending := childQueue(t, url)
		if pending == 0 && len(emu.Scrobbles("alice")) >= 10+len(want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the restart: %d pending, %d delivered of %d", pending, len(emu.Scrobbles("alice")), 10+len(want))
		}
		time.Sleep(20 * time.Millisecond)
	}

	got := emu.Scrobbles("alice")
	seen := map[string]int{}
	for _, s := range got {
		seen[fmt.Sprintf("%s|%s|%d", s.Artist, s.Track, s.Timestamp)]++
	}
	for key, n := range seen {
		if n > 1 {
			t.Errorf("%s delivered %d times", key, n)
		}
	}
	for _, i := range append([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, want...) {
		key := fmt.Sprintf("Crash|t%03d|%d", i, base+int64(i)*30)
		if seen[key] != 1 {
			t.Errorf("acknowledged scrobble %s delivered %d times", key, seen[key])
		}
	}
	restart := got[10:]
	if !slices.IsSortedFunc(restart, func(a, b emulator.Scrobble) int { return int(a.Timestamp - b.Timestamp) }) {
		t.Error("the restart did not send in timestamp order")
	}
	t.Logf("%d acknowledged before SIGKILL, %d delivered after the restart (%d journalled but unanswered)",
		len(want), len(restart), len(restart)-len(want))
	for _, secret := range []string{testSecret, sk} {
		if strings.Contains(logs.String(), secret) {
			t.Error("a secret appears in the child's logs")
		}
	}
}
