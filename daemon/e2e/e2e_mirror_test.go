package e2e_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/config"
	"github.com/lastfmd/lastfmd/daemon/daemontest"
	"github.com/lastfmd/lastfmd/daemon/emulator"
	"github.com/lastfmd/lastfmd/daemon/journal"
	"github.com/lastfmd/lastfmd/daemon/listenbrainz"
	"github.com/lastfmd/lastfmd/signer"
)

// Mirrors (issue 23, docs/mirrors.md): script → lastfmd → two emulators,
// one as Last.fm, one as Libre.fm with its own key, secret, session, age
// rule and ignored codes.

const mirrorName = "librefm"

// withMirror adds the emulator as Libre.fm as the mirror "librefm", with
// alice signed in there (bob is not), and fast journal back-offs.
func withMirror(h *harness) {
	h.mirror = daemontest.Mirror(h.t, h.m.Config, mirrorName)
	h.mirrorSK = daemontest.SignInMirror(h.t, h.mirror, h.m.Config.StateDir, "alice", daemontest.Alice, mirrorName)
	h.m.Tuning.Journal = journal.Tuning{BackoffBase: 20 * time.Millisecond, BackoffMax: 200 * time.Millisecond, Poll: 20 * time.Millisecond}
}

// v1Mirrors reads each item's "mirrors" of a /v1/ scrobble answer.
func v1Mirrors(t testing.TB, body string) []map[string]string {
	t.Helper()
	var v struct {
		Scrobbles []struct {
			Mirrors map[string]string `json:"mirrors"`
		} `json:"scrobbles"`
	}
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("answer %q: %v", body, err)
	}
	out := make([]map[string]string, len(v.Scrobbles))
	for i, s := range v.Scrobbles {
		out[i] = s.Mirrors
	}
	return out
}

func trackNames(scs []emulator.Scrobble) []string {
	out := make([]string, len(scs))
	for i, s := range scs {
		out[i] = s.Track
	}
	return out
}

// One scrobble reaches both services exactly once, and the caller's
// answer is Last.fm's, with each mirror's state beside it.
func TestMirrorScrobbleReachesBothOnce(t *testing.T) {
	h := newHarness(t, withMirror)
	its := items(3, "both", time.Now())
	a, v := h.scrobble(its)
	wantStatus(t, a, 200)
	if v.Accepted != 3 {
		t.Fatalf("answer %s", a.body)
	}
	for i, m := range v1Mirrors(t, a.body) {
		if m[mirrorName] != journal.MirrorQueued {
			t.Errorf("item %d: mirrors %v", i, m)
		}
	}
	waitFor(t, "the mirror has the three scrobbles", func() bool { return len(h.mirror.Scrobbles(daemontest.Alice)) >= 3 })
	// Submitted again: a duplicate on both lanes, sent nowhere.
	a, _ = h.scrobble(its)
	wantStatus(t, a, 200)
	for i, m := range v1Mirrors(t, a.body) {
		if m[mirrorName] != journal.MirrorDuplicate {
			t.Errorf("again, item %d: mirrors %v", i, m)
		}
	}
	waitFor(t, "every lane empty", func() bool { return h.queue().Pending == 0 })
	if got, want := trackNames(h.mirror.Scrobbles(daemontest.Alice)), tracks(its); !slices.Equal(got, want) {
		t.Errorf("mirror has %q, want %q once each", got, want)
	}
	if got, want := trackNames(h.emu.Scrobbles(daemontest.Alice)), tracks(its); !slices.Equal(got, want) {
		t.Errorf("Last.fm has %q, want %q once each", got, want)
	}
	// Each service got its own credentials, never the other's.
	for _, r := range h.mirror.Requests() {
		if r.Params["api_key"] != emulator.LibreFMAPIKey || r.Params["sk"] == h.sk {
			t.Fatalf("the mirror got %v", r.Params)
		}
	}
	for _, r := range h.emu.Requests() {
		if r.Params["api_key"] == emulator.LibreFMAPIKey {
			t.Fatalf("Last.fm got the mirror's key: %v", r.Params)
		}
	}
	h.assertNoSecrets(a.body, "answer")
	for _, path := range []string{"/v1/status", "/v1/queue", "/metrics", "/v1/queue/export"} {
		h.assertNoSecrets(h.get(path).body, path)
	}
}

// An account with no session on a mirror is not mirrored there, and the
// answer says so.
func TestMirrorNotSignedIn(t *testing.T) {
	h := newHarness(t, withMirror)
	a, v := h.scrobble(items(1, "bob", time.Now()), "X-Lastfmd-Account", "bob")
	wantStatus(t, a, 200)
	if v.Accepted != 1 {
		t.Fatalf("answer %s", a.body)
	}
	if m := v1Mirrors(t, a.body)[0]; m[mirrorName] != journal.MirrorNoSession {
		t.Errorf("mirrors %v", m)
	}
	if n := len(h.mirror.Scrobbles(daemontest.Bob)); n != 0 {
		t.Errorf("bob's scrobble reached the mirror (%d)", n)
	}
}

// A mirror that is down delays nothing but its own lane: the caller gets
// Last.fm's answer at once; when the mirror comes back, its backlog goes
// out once, in timestamp order.
func TestMirrorDownThenBack(t *testing.T) {
	h := newHarness(t, withMirror)
	h.mirror.Fail(emulator.Fault{Method: "track.scrobble", HTTPStatus: 503, Times: 1 << 20})
	var all []scrobbleItem
	base := time.Now().Add(-time.Hour)
	// Three requests, the later ones played earlier: the backlog must go
	// out by timestamp, not by arrival.
	for i, at := range []time.Time{base, base.Add(-20 * time.Minute), base.Add(-40 * time.Minute)} {
		its := items(3, "down"+strconv.Itoa(i)+"-", at)
		a, v := h.scrobble(its)
		wantStatus(t, a, 200)
		if v.Accepted != 3 {
			t.Fatalf("Last.fm's answer changed while the mirror is down: %s", a.body)
		}
		all = append(all, its...)
	}
	waitFor(t, "the mirror's lane to try and fail", func() bool {
		st := h.status()
		return strings.Contains(st.raw, "HTTP 503")
	})
	if n := len(h.mirror.Scrobbles(daemontest.Alice)); n != 0 {
		t.Fatalf("the mirror took %d while down", n)
	}
	h.mirror.ClearFaults()
	waitFor(t, "the backlog to reach the mirror", func() bool { return len(h.mirror.Scrobbles(daemontest.Alice)) >= len(all) })
	waitFor(t, "every lane empty", func() bool { return h.queue().Pending == 0 })
	got := h.mirror.Scrobbles(daemontest.Alice)
	if len(got) != len(all) {
		t.Fatalf("the mirror has %d scrobbles, want %d once each", len(got), len(all))
	}
	if !slices.IsSortedFunc(got, func(a, b emulator.Scrobble) int { return int(a.Timestamp - b.Timestamp) }) {
		t.Errorf("the backlog was not sent in timestamp order: %v", got)
	}
	if n := len(h.emu.Scrobbles(daemontest.Alice)); n != len(all) {
		t.Errorf("Last.fm has %d scrobbles, want %d", n, len(all))
	}
}

// A play too old for Last.fm (scrobble.max_age) is answered ignored for
// Last.fm as without mirrors, and still goes to a mirror without that
// limit.
func TestMirrorTakesWhatIsTooOldForLastfm(t *testing.T) {
	h := newHarness(t, withMirror)
	old := items(1, "old", time.Now().Add(-20*24*time.Hour))
	a, v := h.scrobble(old)
	wantStatus(t, a, 200)
	if v.Ignored != 1 || v.Scrobbles[0].IgnoredMessage == nil || v.Scrobbles[0].IgnoredMessage.Code != 3 {
		t.Fatalf("Last.fm's part of the answer: %s", a.body)
	}
	if m := v1Mirrors(t, a.body)[0]; m[mirrorName] != journal.MirrorQueued {
		t.Errorf("mirrors %v", m)
	}
	waitFor(t, "the mirror has it", func() bool { return len(h.mirror.Scrobbles(daemontest.Alice)) == 1 })
	if n := len(h.emu.Scrobbles(daemontest.Alice)); n != 0 {
		t.Errorf("Last.fm got %d too-old scrobbles", n)
	}
}

// love then unlove, while the mirror is down: on the mirror's lane too the
// caller's last word stands.
func TestMirrorLoveOrder(t *testing.T) {
	h := newHarness(t, withMirror)
	release := make(chan struct{})
	h.mirror.Fail(emulator.Fault{Hold: release, Times: 1 << 20})
	for _, m := range []string{"track.love", "track.unlove", "track.love", "track.unlove"} {
		a := h.post("/v1/"+m, "application/x-www-form-urlencoded", "artist=Cher&track=Believe")
		wantStatus(t, a, 200)
	}
	if got := h.emu.Loved(daemontest.Alice); len(got) != 0 {
		t.Fatalf("Last.fm: %v", got)
	}
	close(release)
	waitFor(t, "the mirror's lane to drain", func() bool { return h.queue().Pending == 0 })
	n := 0
	for _, r := range h.mirror.Requests() {
		if r.Method == "track.love" || r.Method == "track.unlove" {
			n++
		}
	}
	if n != 4 {
		t.Errorf("the mirror got %d love calls, want 4", n)
	}
	if got := h.mirror.Loved(daemontest.Alice); len(got) != 0 {
		t.Errorf("the mirror ends with %v loved; the caller's last word was unlove", got)
	}
}

// A mirror that answers error 3 for a method is marked as lacking it:
// no dead letters, and it is not sent there again.
func TestMirrorLackingAMethod(t *testing.T) {
	h := newHarness(t, withMirror)
	h.mirror.Fail(emulator.Fault{Method: "track.love", Code: 3, Times: 1 << 20})
	a := h.post("/v1/track.love", "application/x-www-form-urlencoded", "artist=Cher&track=Believe")
	wantStatus(t, a, 200)
	waitFor(t, "the lane settles the love", func() bool { return h.queue().Pending == 0 })
	if q := h.queue(); q.Dead != 0 {
		t.Fatalf("%d dead letters for a method the mirror lacks", q.Dead)
	}
	waitFor(t, "status shows the method lacking", func() bool { return strings.Contains(h.status().raw, `"track.love"`) })
	calls := func() int {
		n := 0
		for _, r := range h.mirror.Requests() {
			if r.Method == "track.love" {
				n++
			}
		}
		return n
	}
	before := calls()
	wantStatus(t, h.post("/v1/track.love", "application/x-www-form-urlencoded", "artist=Cher&track=Strong+Enough"), 200)
	if q := h.queue(); q.Pending != 0 {
		t.Errorf("a love for a mirror lacking it was journalled: %d pending", q.Pending)
	}
	if calls() != before {
		t.Error("the mirror was asked again for a method it lacks")
	}
	if got := h.emu.Loved(daemontest.Alice); len(got) != 2 {
		t.Errorf("Last.fm's loves: %v", got)
	}
}

// Now playing reaches the mirror once, never journalled; the drop-in
// answer is Last.fm's.
func TestMirrorNowPlaying(t *testing.T) {
	h := newHarness(t, withMirror)
	a := h.post("/2.0/", "application/x-www-form-urlencoded", "method=track.updateNowPlaying&artist=Cher&track=Believe&format=json&sk=x&api_key=x&api_sig=x")
	wantStatus(t, a, 200)
	waitFor(t, "the mirror's now playing", func() bool { return h.mirror.NowPlaying(daemontest.Alice) != nil })
	if q := h.queue(); q.Pending != 0 {
		t.Errorf("now playing journalled: %d", q.Pending)
	}
}

// kill -9 while every lane sends: a child lastfmd with a Libre.fm mirror
// and a ListenBrainz mirror takes scrobbles while the three services answer
// slowly, is killed mid-stream, and restarts: every scrobble it
// acknowledged reaches every service, none twice beyond one batch in
// flight per lane (docs/journal.md#in-flight), and the restart sends in
// timestamp order on each lane.
func TestMirrorCrashKill9(t *testing.T) {
	emu := daemontest.Emulator(t)
	var mcfg config.Config
	libre := daemontest.Mirror(t, &mcfg, mirrorName)
	lb := daemontest.ListenBrainzMirror(t, &mcfg, lbName)
	state := t.TempDir()
	sk := daemontest.SignInAlice(t, emu, state)
	msk := daemontest.SignInMirror(t, libre, state, "alice", daemontest.Alice, mirrorName)
	token := daemontest.SignInListenBrainz(t, lb, state, "alice", daemontest.Alice, lbName)
	cc := crashChildConfig{StateDir: state, Upstream: emu.URL(), Mirror: libre.URL(), ListenBrainz: lb.URL()}
	var logs daemontest.Buffer
	// Every service slow: batches are in flight on every lane at the kill.
	for _, e := range []*emulator.Server{emu, libre} {
		e.Fail(emulator.Fault{Method: "track.scrobble", Delay: 20 * time.Millisecond, Times: 1 << 20})
	}
	lb.Fail(emulator.Fault{Method: "submit-listens", Delay: 20 * time.Millisecond, Times: 1 << 20})
	child, url := startChild(t, cc, &logs)
	base := time.Now().Add(-3 * time.Hour).Unix()
	const total = 300
	var acked []int
	for i := range total {
		body := jsonOf(scrobbleItem{Artist: "Crash", Track: fmt.Sprintf("m%03d", i), Timestamp: base + int64(i)*30})
		req, _ := http.NewRequest(http.MethodPost, url+"/v1/track.scrobble", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Prefer", "wait=0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 && resp.StatusCode != 202 {
			t.Fatalf("scrobble %d: %d", i, resp.StatusCode)
		}
		acked = append(acked, i)
		if i == total/2 {
			// Wait until both lanes have sent something, so the kill
			// lands while both are sending.
			waitFor(t, "every lane sending", func() bool {
				return len(emu.Scrobbles(daemontest.Alice)) > 0 && len(libre.Scrobbles(daemontest.Alice)) > 0 &&
					len(lb.Listens(daemontest.Alice)) > 0
			})
		}
	}
	child.Process.Kill() // SIGKILL
	child.Wait()
	for _, e := range []*emulator.Server{emu, libre, lb} {
		e.ClearFaults()
	}
	// What each service holds: the tracks in the order received.
	received := func(name string) []emulator.Scrobble {
		if name == lbName {
			var out []emulator.Scrobble
			for _, l := range lb.Listens(daemontest.Alice) {
				out = append(out, emulator.Scrobble{Artist: l.Artist, Track: l.Track, Timestamp: l.ListenedAt})
			}
			return out
		}
		return map[string]*emulator.Server{"lastfm": emu, mirrorName: libre}[name].Scrobbles(daemontest.Alice)
	}
	lanes := []string{"lastfm", mirrorName, lbName}
	before := map[string]int{}
	for _, name := range lanes {
		before[name] = len(received(name))
	}

	_, url = startChild(t, cc, &logs)
	waitFor(t, "every lane drained after the restart", func() bool { return childQueue(t, url) == 0 })
	for _, name := range lanes {
		got := received(name)
		seen := map[string]int{}
		dup := 0
		for _, s := range got {
			seen[s.Track]++
			if seen[s.Track] > 1 {
				dup++
			}
		}
		for _, i := range acked {
			if tr := fmt.Sprintf("m%03d", i); seen[tr] == 0 {
				t.Errorf("%s: acknowledged scrobble %s lost", name, tr)
			}
		}
		if dup > listenbrainz.MaxListensPerImport || name != lbName && dup > signer.MaxScrobblesPerCall {
			t.Errorf("%s: %d sent twice, more than one batch in flight", name, dup)
		}
		if restart := got[before[name]:]; !slices.IsSortedFunc(restart, func(a, b emulator.Scrobble) int { return int(a.Timestamp - b.Timestamp) }) {
			t.Errorf("%s: the restart did not send in timestamp order", name)
		}
		t.Logf("%s: %d before the kill, %d after, %d twice", name, before[name], len(got)-before[name], dup)
	}
	for _, secret := range []string{testSecret, sk, msk, emulator.LibreFMSecret, token} {
		if strings.Contains(logs.String(), secret) {
			t.Error("a secret appears in the child's logs")
		}
	}
}

// On /2.0/, a drop-in client's answer is byte for byte what it is without
// mirrors.
func TestMirrorDropInAnswerUnchanged(t *testing.T) {
	ts := strconv.FormatInt(time.Now().Add(-time.Hour).Unix(), 10)
	form := "method=track.scrobble&artist=Cher&track=Believe&timestamp=" + ts + "&format=json&api_key=x&sk=x&api_sig=x"
	var bodies []string
	for _, opts := range [][]harnessOpt{nil, {withMirror}} {
		h := newHarness(t, opts...)
		a := h.post("/2.0/", "application/x-www-form-urlencoded", form)
		wantStatus(t, a, 200)
		bodies = append(bodies, a.body)
	}
	if bodies[0] != bodies[1] {
		t.Errorf("with a mirror the drop-in answer changed:\n%s\nwithout:\n%s", bodies[1], bodies[0])
	}
}

// A call Last.fm refuses for a missing parameter is not passed on to the
// mirrors either: no dead letter on their lanes.
func TestMirrorSkipsACallMissingParameters(t *testing.T) {
	h := newHarness(t, withMirror)
	a := h.post("/v1/track.love", "application/x-www-form-urlencoded", "artist=Cher")
	if a.status == 200 {
		t.Fatalf("a love without a track: %d %s", a.status, a.body)
	}
	if q := h.queue(); q.Pending != 0 || q.Dead != 0 {
		t.Errorf("journalled for the mirror: pending %d, dead %d", q.Pending, q.Dead)
	}
}
