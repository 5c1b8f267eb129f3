package e2e_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/daemontest"
	"github.com/lastfmd/lastfmd/daemon/emulator"
	"github.com/lastfmd/lastfmd/daemon/journal"
)

// ListenBrainz natively (issue 24, docs/mirrors.md, ListenBrainz):
// script → lastfmd → the emulator as Last.fm, as Libre.fm and as
// ListenBrainz.

const lbName = "listenbrainz"

// withListenBrainz adds the emulator as ListenBrainz as the mirror
// "listenbrainz", alice's token stored, and fast journal back-offs.
func withListenBrainz(h *harness) {
	h.lb = daemontest.ListenBrainzMirror(h.t, h.m.Config, lbName)
	h.lbToken = daemontest.SignInListenBrainz(h.t, h.lb, h.m.Config.StateDir, "alice", daemontest.Alice, lbName)
	h.m.Tuning.Journal = journal.Tuning{BackoffBase: 20 * time.Millisecond, BackoffMax: 200 * time.Millisecond, Poll: 20 * time.Millisecond}
}

func listenTracks(ls []emulator.Listen) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.Track
	}
	return out
}

// One scrobble reaches all three services exactly once, its fields mapped
// to ListenBrainz's.
func TestListenBrainzReachesAllThree(t *testing.T) {
	h := newHarness(t, withMirror, withListenBrainz)
	ts := time.Now().Add(-time.Hour).Unix()
	body := jsonOf([]map[string]any{{"artist": "Cher", "track": "Believe", "album": "Believe", "timestamp": ts,
		"duration": 239, "trackNumber": "1", "mbid": "6C9AE6F4-2B69-4F33-8E56-4C2B0A0A1E0B"}})
	a := h.post("/v1/track.scrobble", "application/json", body, answeredWait...)
	wantStatus(t, a, 200)
	if m := v1Mirrors(t, a.body)[0]; m[mirrorName] != journal.MirrorQueued || m[lbName] != journal.MirrorQueued {
		t.Fatalf("mirrors %v", m)
	}
	waitFor(t, "every lane drained", func() bool { return h.queue().Pending == 0 })
	ls := h.lb.Listens(daemontest.Alice)
	if len(ls) != 1 {
		t.Fatalf("ListenBrainz has %d listens", len(ls))
	}
	l := ls[0]
	if l.ListenType != "single" || l.ListenedAt != ts || l.Artist != "Cher" || l.Track != "Believe" || l.Release != "Believe" {
		t.Errorf("listen %+v", l)
	}
	for k, want := range map[string]string{"duration_ms": "239000", "tracknumber": "1",
		"recording_mbid": "6c9ae6f4-2b69-4f33-8e56-4c2b0a0a1e0b", "submission_client": "lastfmd"} {
		if got := fmt.Sprint(l.AdditionalInfo[k]); got != want {
			t.Errorf("additional_info.%s = %s, want %s", k, got, want)
		}
	}
	if n := len(h.emu.Scrobbles(daemontest.Alice)); n != 1 {
		t.Errorf("Last.fm has %d", n)
	}
	if n := len(h.mirror.Scrobbles(daemontest.Alice)); n != 1 {
		t.Errorf("Libre.fm has %d", n)
	}
	st := h.status()
	i := slices.IndexFunc(st.Destinations, func(d destinationDoc) bool { return d.Name == lbName })
	if i < 0 || st.Destinations[i].Type != "listenbrainz" || !slices.Contains(st.Destinations[i].Lacks, "track.love") {
		t.Errorf("status destinations %+v", st.Destinations)
	}
	for _, path := range []string{"/v1/status", "/v1/queue", "/metrics", "/v1/queue/export"} {
		h.assertNoSecrets(h.get(path).body, path)
	}
}

// A stream of scrobbles from concurrent scripts, as in
// BenchmarkScrobbleDurable: while it lasts the mirrors yield to it
// (journal.Tuning.MirrorYield, docs/design.md#lanes); once it ends every
// play is on all three services, once each.
func TestMirrorsCatchUpAfterAStream(t *testing.T) {
	h := newHarness(t, withMirror, withListenBrainz)
	const scripts, each = 8, 40
	base := time.Now().Add(-2 * time.Hour).Unix()
	errs := make(chan error, scripts)
	var wg sync.WaitGroup
	for s := range scripts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				n := s*each + i
				body := fmt.Sprintf(`{"artist":"Stream","track":"s%d","timestamp":%d}`, n, base+int64(n))
				if err := streamScrobble(http.DefaultClient, h.url, body); err != nil {
					errs <- fmt.Errorf("scrobble %d: %w", n, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	waitFor(t, "every lane drained", func() bool { return h.queue().Pending == 0 })
	const want = scripts * each
	for _, got := range []struct {
		where  string
		tracks []string
	}{
		{"Last.fm", trackNames(h.emu.Scrobbles(daemontest.Alice))},
		{"Libre.fm", trackNames(h.mirror.Scrobbles(daemontest.Alice))},
		{"ListenBrainz", listenTracks(h.lb.Listens(daemontest.Alice))},
	} {
		distinct := map[string]bool{}
		for _, tr := range got.tracks {
			distinct[tr] = true
		}
		if len(got.tracks) != want || len(distinct) != want {
			t.Errorf("%s has %d plays, %d distinct; want each of the %d once", got.where, len(got.tracks), len(distinct), want)
		}
	}
}

// A backlog goes as import batches in timestamp order once ListenBrainz is
// back; Last.fm's answers never change meanwhile.
func TestListenBrainzDownThenBack(t *testing.T) {
	h := newHarness(t, withListenBrainz)
	h.lb.Fail(emulator.Fault{Method: "submit-listens", HTTPStatus: 503, Times: 1 << 20})
	var all []scrobbleItem
	base := time.Now().Add(-time.Hour)
	for i, at := range []time.Time{base, base.Add(-30 * time.Minute)} {
		its := items(4, "lbdown"+string(rune('a'+i)), at)
		a, v := h.scrobble(its)
		wantStatus(t, a, 200)
		if v.Accepted != 4 {
			t.Fatalf("Last.fm's answer changed: %s", a.body)
		}
		all = append(all, its...)
	}
	waitFor(t, "the lane to try and fail", func() bool { return strings.Contains(h.status().raw, "503") })
	h.lb.ClearFaults()
	waitFor(t, "the backlog to arrive", func() bool { return h.queue().Pending == 0 })
	ls := h.lb.Listens(daemontest.Alice)
	if len(ls) != len(all) {
		t.Fatalf("ListenBrainz has %d listens, want %d once each", len(ls), len(all))
	}
	if !slices.IsSortedFunc(ls, func(a, b emulator.Listen) int { return int(a.ListenedAt - b.ListenedAt) }) {
		t.Errorf("not in timestamp order: %v", listenTracks(ls))
	}
	if ls[0].ListenType != "import" {
		t.Errorf("a backlog went as %q", ls[0].ListenType)
	}
}

// A 400 on a batch is split to find the bad listen, which alone becomes a
// dead letter with ListenBrainz's message.
func TestListenBrainzSplitsABadBatch(t *testing.T) {
	h := newHarness(t, withListenBrainz)
	release := make(chan struct{})
	h.lb.Fail(emulator.Fault{Method: "submit-listens", Hold: release, Times: 1})
	h.lb.Fail(emulator.Fault{Method: "submit-listens", BadItem: "bad1", Times: 1 << 20})
	// The first call is held, so the rest gathers into one batch.
	its := items(1, "first", time.Now())
	h.scrobble(its)
	batch := items(4, "bad", time.Now().Add(-10*time.Minute))
	h.scrobble(batch)
	close(release)
	waitFor(t, "the lane settled", func() bool { return h.queue().Pending == 0 })
	q := h.queue()
	if q.Dead != 1 || len(q.DeadLetters) != 1 || q.DeadLetters[0].Params["track"] != "bad1" || !strings.Contains(q.DeadLetters[0].Reason, "bad1") {
		t.Fatalf("dead letters %+v", q.DeadLetters)
	}
	got := listenTracks(h.lb.Listens(daemontest.Alice))
	for _, want := range []string{"first0", "bad0", "bad2", "bad3"} {
		if !slices.Contains(got, want) {
			t.Errorf("%s missing from %v", want, got)
		}
	}
}

// A 401 pauses that account on the lane until a new token; status says so.
func TestListenBrainzRevokedToken(t *testing.T) {
	h := newHarness(t, withListenBrainz)
	h.lb.RevokeUserToken(h.lbToken)
	a, v := h.scrobble(items(1, "revoked", time.Now()))
	wantStatus(t, a, 200)
	if v.Accepted != 1 {
		t.Fatalf("Last.fm's answer: %s", a.body)
	}
	waitFor(t, "the pause in plain words", func() bool {
		return strings.Contains(h.get("/v1/queue").body, "lastfmd auth token --mirror "+lbName)
	})
	if q := h.queue(); q.Pending != 1 || q.Dead != 0 {
		t.Fatalf("pending %d dead %d", q.Pending, q.Dead)
	}
	// A new token: sending resumes.
	daemontest.SignInListenBrainz(t, h.lb, h.m.Config.StateDir, "alice", daemontest.Alice, lbName)
	waitFor(t, "sent with the new token", func() bool { return len(h.lb.Listens(daemontest.Alice)) == 1 })
}

// A 429 with X-RateLimit-Reset-In waits that long: the listen stays pending
// until the clock passes it (an injected clock; never timed).
func TestListenBrainzHonoursResetIn(t *testing.T) {
	clock := newFakeClock()
	h := newHarness(t, withClock(clock), withListenBrainz)
	h.lb.Fail(emulator.Fault{Method: "submit-listens", Code: 429, ResetIn: 30 * time.Second, Times: 1})
	h.scrobble(items(1, "limited", clock.Now()), "Prefer", "wait=0")
	waitFor(t, "the 429", func() bool { return h.lb.Count("submit-listens") >= 1 })
	steady(t, "the lane waits for Reset-In", 200*time.Millisecond, func() int { return h.lb.Count("submit-listens") })
	if n := len(h.lb.Listens(daemontest.Alice)); n != 0 {
		t.Fatalf("%d listens before Reset-In passed", n)
	}
	clock.Advance(31 * time.Second)
	waitFor(t, "sent after Reset-In", func() bool { return len(h.lb.Listens(daemontest.Alice)) == 1 })
}

// A play older than 2002-10-01 is skipped on the ListenBrainz lane and
// counted; a 20-day-old play reaches ListenBrainz and not Last.fm.
func TestListenBrainzByAge(t *testing.T) {
	h := newHarness(t, withListenBrainz)
	ancient := []scrobbleItem{{Artist: "Cher", Track: "Ancient", Timestamp: 1009500000}} // January 2002
	old := items(1, "twenty", time.Now().Add(-20*24*time.Hour))
	a, _ := h.scrobble(append(ancient, old...))
	wantStatus(t, a, 200)
	ms := v1Mirrors(t, a.body)
	if ms[0][lbName] != journal.MirrorTooOld || ms[1][lbName] != journal.MirrorQueued {
		t.Fatalf("mirrors %v", ms)
	}
	waitFor(t, "the twenty-day-old play reaches ListenBrainz", func() bool { return len(h.lb.Listens(daemontest.Alice)) == 1 })
	if n := len(h.emu.Scrobbles(daemontest.Alice)); n != 0 {
		t.Errorf("Last.fm took %d too-old plays", n)
	}
	if !strings.Contains(h.status().raw, `"skipped":1`) {
		t.Errorf("the skipped play is not counted: %s", h.status().raw)
	}
}

// Now playing reaches ListenBrainz as playing_now, once; love does not.
func TestListenBrainzNowPlayingNotLove(t *testing.T) {
	h := newHarness(t, withListenBrainz)
	wantStatus(t, h.post("/v1/track.updateNowPlaying", "application/x-www-form-urlencoded", "artist=Cher&track=Believe"), 200)
	waitFor(t, "playing_now", func() bool { return h.lb.PlayingNow(daemontest.Alice) != nil })
	wantStatus(t, h.post("/v1/track.love", "application/x-www-form-urlencoded", "artist=Cher&track=Believe"), 200)
	if q := h.queue(); q.Pending != 0 {
		t.Errorf("a love was journalled for ListenBrainz: %d pending", q.Pending)
	}
}

// When ListenBrainz's window has no call left (X-RateLimit-Remaining 0),
// the lane waits X-RateLimit-Reset-In before its next call, before any
// 429 (an injected clock; never timed).
func TestListenBrainzSlowsDownAtRemainingZero(t *testing.T) {
	clock := newFakeClock()
	h := newHarness(t, withClock(clock), withListenBrainz)
	h.lb.Fail(emulator.Fault{Method: "submit-listens", ResetIn: 30 * time.Second, Times: 1})
	h.scrobble(items(1, "first", clock.Now()), "Prefer", "wait=0")
	waitFor(t, "the first listen", func() bool { return len(h.lb.Listens(daemontest.Alice)) == 1 })
	h.scrobble(items(1, "second", clock.Now()), "Prefer", "wait=0")
	steady(t, "the lane waits for the window", 200*time.Millisecond, func() int { return h.lb.Count("submit-listens") })
	if n := len(h.lb.Listens(daemontest.Alice)); n != 1 {
		t.Fatalf("%d listens sent while the window had no call left", n)
	}
	clock.Advance(31 * time.Second)
	waitFor(t, "the second listen after Reset-In", func() bool { return len(h.lb.Listens(daemontest.Alice)) == 2 })
}

// An answer that is not ListenBrainz's (HTML, cut off, another shape) is
// a failure, never a success: the play stays queued and goes once the
// service answers as itself.
func TestListenBrainzGarbageIsNoAnswer(t *testing.T) {
	for _, garbage := range []emulator.AnswerFault{emulator.AnswerHTML, emulator.AnswerTruncated, emulator.AnswerWrongShape} {
		t.Run(string(garbage), func(t *testing.T) {
			h := newHarness(t, withListenBrainz)
			h.lb.Fail(emulator.Fault{Method: "submit-listens", Answer: garbage, Times: 1})
			h.scrobble(items(1, "garbage", time.Now()), "Prefer", "wait=0")
			waitFor(t, "the lane settled", func() bool { return h.queue().Pending == 0 })
			if q := h.queue(); q.Dead != 0 {
				t.Fatalf("%d dead letters after %s", q.Dead, garbage)
			}
			// Sent again after the garbage: the listen is there (twice
			// when the cut-off answer's listen was stored: maybe sent).
			if n := len(h.lb.Listens(daemontest.Alice)); n < 1 || n > 2 || garbage != emulator.AnswerTruncated && n != 1 {
				t.Errorf("%d listens after %s", n, garbage)
			}
			if h.lb.Count("submit-listens") < 2 {
				t.Errorf("the garbage answer was taken for a success")
			}
		})
	}
}
