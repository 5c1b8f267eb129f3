package e2e_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/daemontest"
)

// Desktop sign-ins the person gave up on stop polling Last.fm, and the
// limiter serves scripts before background calls (issue 21, point 7).

// polls counts the auth.getSession calls Last.fm got for one sign-in.
func (h *harness) polls(token string) int { return h.emu.CountWith("auth.getSession", "token", token) }

// startSignIn starts a desktop sign-in through the daemon, as `lastfmd
// auth login` does, and returns its id and token.
func (h *harness) startSignIn() (id, token string) {
	h.t.Helper()
	a := h.postJSON("/v1/auth/login", `{}`)
	wantStatus(h.t, a, http.StatusOK)
	lg := decode[loginAnswer](h.t, a)
	return lg.ID, tokenOf(h.t, lg.URL)
}

// silentAfter fails unless the sign-in with token stopped polling: while a
// live sign-in (live, whose client keeps asking) polls three more times,
// the stopped one polls no more. Events, not durations.
func (h *harness) silentAfter(token, liveID, liveToken string) {
	h.t.Helper()
	stopped, live := h.polls(token), h.polls(liveToken)
	waitFor(h.t, "the live sign-in to poll three more times", func() bool {
		h.get("/v1/auth/login/" + liveID) // its client asks, keeping it alive
		return h.polls(liveToken) >= live+3
	})
	if n := h.polls(token); n != stopped {
		h.t.Errorf("the stopped sign-in polled %d more times", n-stopped)
	}
}

// A sign-in whose client stops asking how it goes (the `lastfmd auth
// login` that started it exited or was killed) stops polling once its
// lease runs out; one whose client keeps asking goes on.
func TestSignInAbandonedStopsPolling(t *testing.T) {
	h := newHarnessAccount(t, noAccount, withSignInPoll(5*time.Millisecond),
		withPace(daemontest.Pace{SignInLease: 300 * time.Millisecond}))
	abandonedID, abandoned := h.startSignIn()
	liveID, live := h.startSignIn()
	waitFor(t, "the abandoned sign-in to poll", func() bool { return h.polls(abandoned) > 0 })
	// Its end is logged; asking about it now would renew its lease.
	waitFor(t, "the abandoned sign-in to end", func() bool {
		h.get("/v1/auth/login/" + liveID)
		return strings.Contains(h.logs.String(), "nothing asked how the sign-in goes")
	})
	h.silentAfter(abandoned, liveID, live)
	got := decode[loginAnswer](t, h.get("/v1/auth/login/"+abandonedID))
	if got.State != "failed" || !strings.Contains(got.Message, "cancelled") {
		t.Errorf("the abandoned sign-in: %+v", got)
	}
	if got := decode[loginAnswer](t, h.get("/v1/auth/login/"+liveID)); got.State != "pending" {
		t.Errorf("the live sign-in ended: %+v", got)
	}
	h.noLeak([]string{abandoned, live})
}

// DELETE /v1/auth/login/{id} (`lastfmd auth login` interrupted) and
// DELETE /v1/auth/login (`lastfmd auth cancel`) stop the polling before
// they answer.
func TestSignInCancelStopsPolling(t *testing.T) {
	h := newHarnessAccount(t, noAccount, withSignInPoll(5*time.Millisecond))
	oneID, one := h.startSignIn()
	_, two := h.startSignIn()
	_, three := h.startSignIn()
	waitFor(t, "every sign-in to poll", func() bool {
		return h.polls(one) > 0 && h.polls(two) > 0 && h.polls(three) > 0
	})

	a := h.del("/v1/auth/login/" + oneID)
	wantStatus(t, a, http.StatusOK)
	if lg := decode[loginAnswer](t, a); lg.State != "failed" || !strings.Contains(lg.Message, "cancelled") {
		t.Fatalf("cancelled sign-in: %s", a.body)
	}
	liveID, live := h.startSignIn()
	h.silentAfter(one, liveID, live)

	a = h.del("/v1/auth/login")
	wantStatus(t, a, http.StatusOK)
	if n := decode[struct{ Cancelled int }](t, a).Cancelled; n != 3 {
		t.Fatalf("DELETE /v1/auth/login: %s, want 3 cancelled", a.body)
	}
	nextID, next := h.startSignIn()
	for _, tok := range []string{two, three, live} {
		h.silentAfter(tok, nextID, next)
	}
	wantStatus(t, h.del("/v1/auth/login/no-such-flow"), http.StatusNotFound)
}

// At most four sign-ins wait for approval: the fifth is refused with the
// command that drops them, and starts once they are dropped.
func TestSignInBound(t *testing.T) {
	h := newHarnessAccount(t, noAccount, withSignInPoll(5*time.Millisecond))
	for range 4 {
		h.startSignIn()
	}
	tokens := h.emu.Count("auth.getToken")
	a := h.postJSON("/v1/auth/login", `{}`)
	wantStatus(t, a, http.StatusTooManyRequests)
	if e := decode[lfmError](t, a); !strings.Contains(e.Message, "4 sign-ins are already waiting") ||
		!strings.Contains(e.Message, "lastfmd auth cancel") {
		t.Fatalf("the fifth sign-in: %s", a.body)
	}
	if h.emu.Count("auth.getToken") != tokens {
		t.Error("the refused sign-in fetched a token from Last.fm")
	}
	wantStatus(t, h.del("/v1/auth/login"), http.StatusOK)
	h.startSignIn()
}

// A read arriving while a background call (a sign-in's poll) waits for the
// limiter goes first, at once. With 0.1 calls/s and a bucket of 5, the
// background call may take a token only while it leaves 3; once the
// sign-in's token fetch and a read took two, the poll waits ~10 s for the
// bucket to refill, and the next read still finds a token.
func TestReadBeforeQueuedBackgroundCall(t *testing.T) {
	h := newHarnessAccount(t, noAccount, withSignInPoll(time.Millisecond), withRate(0.1, 5))
	wantStatus(t, h.get("/v1/artist.getInfo?artist=First"), http.StatusOK) // 5 → 4
	id, _ := h.startSignIn()                                               // auth.getToken: 4 → 3
	lim := h.m.Upstream.Limiter()
	waitFor(t, "the first poll to wait for the limiter (or go out)", func() bool {
		return lim.Waiting() == 1 || h.emu.Count("auth.getSession") > 0
	})
	if n := h.emu.Count("auth.getSession"); n > 0 {
		t.Fatalf("the poll went out with 3 tokens left: a background call ate the scripts' reserve")
	}
	a := h.get("/v1/artist.getInfo?artist=Second")
	wantStatus(t, a, http.StatusOK)
	if a.header.Get("X-Lastfmd-Cache") == "HIT" {
		t.Fatal("the read was served from the cache")
	}
	if n := h.emu.Count("auth.getSession"); n > 0 {
		t.Errorf("the queued poll went before the read")
	}
	wantStatus(t, h.del("/v1/auth/login/"+id), http.StatusOK)
}
