package authflow

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/api"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// The daemon's background desktop flow: started, polled in the background,
// read by id; Close stops the flows still waiting.
func TestBackgroundLogin(t *testing.T) {
	clock := newFakeClock()
	ef := newEmuFlows(t, func(o *Options) { o.Now = clock.Now })
	lg, err := ef.StartLogin(ctxT(t), Target{})
	if err != nil {
		t.Fatal(err)
	}
	if lg.State != api.LoginPending || lg.ID == "" || !strings.Contains(lg.URL, "token=") || lg.ExpiresAt == "" {
		t.Fatalf("started %+v", lg)
	}
	u, _ := url.Parse(lg.URL)
	tok := u.Query().Get("token")
	if strings.Contains(lg.ID, tok) {
		t.Fatal("the flow id reveals the token")
	}
	if got, ok := ef.Login(lg.ID); !ok || got.State != api.LoginPending || got.URL != "" {
		t.Fatalf("pending: %+v %v", got, ok)
	}
	if _, ok := ef.Login("nope"); ok {
		t.Error("unknown id found")
	}
	if err := ef.emu.ApproveToken(tok, "bob"); err != nil {
		t.Fatal(err)
	}
	got := waitLogin(t, ef.Flows, lg.ID)
	if got.State != api.LoginSignedIn || got.Account != "bob" || got.Message != "Signed in as bob" {
		t.Fatalf("finished %+v", got)
	}

	// A second flow, never approved: the give-up on the injected clock.
	lg2, err := ef.StartLogin(ctxT(t), Target{Account: "later"})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	clock.Advance(61 * time.Minute)
	got = waitLogin(t, ef.Flows, lg2.ID)
	if got.State != api.LoginFailed || !strings.Contains(got.Message, "60 minutes") {
		t.Fatalf("give-up %+v", got)
	}
	if _, ok := ef.store.Get("later"); ok {
		t.Error("stored an account for an unapproved flow")
	}

	// Close ends a pending flow.
	lg3, _ := ef.StartLogin(ctxT(t), Target{})
	ef.Close()
	if got, _ := ef.Login(lg3.ID); got.State != api.LoginFailed {
		t.Errorf("after Close: %+v", got)
	}
	if _, err := ef.StartLogin(ctxT(t), Target{}); err == nil {
		t.Error("started a flow after Close")
	}
	if _, err := ef.StartLogin(ctxT(t), Target{Account: "bad name"}); err == nil {
		t.Error("bad account name accepted")
	}
}

func waitLogin(t *testing.T, f *Flows, id string) api.Login {
	t.Helper()
	var lg api.Login
	waitfor.True(t, "the flow to end", func() bool {
		lg, _ = f.Login(id)
		return lg.State != api.LoginPending
	})
	return lg
}

// At most four background flows poll at once: the fifth start is refused
// with the command that drops them, and starts again once they are
// cancelled. Cancelling answers only when their polling has ended.
func TestLoginsBoundedAndCancelled(t *testing.T) {
	ef := newEmuFlows(t)
	var ids []string
	for range maxPendingLogins {
		lg, err := ef.StartLogin(ctxT(t), Target{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, lg.ID)
	}
	_, err := ef.StartLogin(ctxT(t), Target{})
	if e := apperr.As(err); e.Kind != apperr.RateLimited || !strings.Contains(e.Message, "lastfmd auth cancel") ||
		!strings.Contains(e.Message, "4 sign-ins are already waiting") {
		t.Fatalf("a fifth sign-in: %v", err)
	}
	tokens := ef.emu.Count("auth.getToken")
	if tokens != maxPendingLogins {
		t.Errorf("%d tokens fetched: the refused start must not fetch one", tokens)
	}

	// One, by id: the flow as it ended.
	lg, ok, err := ef.CancelLogin(ctxT(t), ids[0])
	if err != nil || !ok || lg.State != api.LoginFailed || !strings.Contains(lg.Message, "cancelled") {
		t.Fatalf("CancelLogin: %+v %v %v", lg, ok, err)
	}
	if _, ok, _ := ef.CancelLogin(ctxT(t), "no-such-flow"); ok {
		t.Error("an unknown id was found")
	}
	// The rest, all at once.
	n, err := ef.CancelLogins(ctxT(t))
	if err != nil || n != maxPendingLogins-1 {
		t.Fatalf("CancelLogins: %d, %v; want %d", n, err, maxPendingLogins-1)
	}
	polls := ef.emu.Count("auth.getSession")
	for _, id := range ids {
		if got, _ := ef.Login(id); got.State != api.LoginFailed {
			t.Errorf("flow %s after cancel: %+v", id, got)
		}
	}
	// A new flow starts, and polls, while the cancelled ones stay silent:
	// every poll from now on carries the new token.
	fresh, err := ef.StartLogin(ctxT(t), Target{})
	if err != nil {
		t.Fatalf("a sign-in after cancel: %v", err)
	}
	u, _ := url.Parse(fresh.URL)
	tok := u.Query().Get("token")
	waitfor.True(t, "the new flow to poll three times", func() bool { return ef.emu.Count("auth.getSession") >= polls+3 })
	old := 0
	for _, r := range ef.emu.Requests() {
		if r.Method == "auth.getSession" && r.Params["token"] != tok {
			old++
		}
	}
	if old != polls {
		t.Errorf("%d polls for cancelled sign-ins after CancelLogins returned", old-polls)
	}
	if n, _ := ef.CancelLogins(ctxT(t)); n != 1 {
		t.Errorf("second CancelLogins stopped %d, want 1", n)
	}
}

// A flow nobody asks about stops when its lease runs out; one asked about
// goes on.
func TestLoginLease(t *testing.T) {
	ef := newEmuFlows(t, func(o *Options) { o.Lease = 200 * time.Millisecond })
	watched, err := ef.StartLogin(ctxT(t), Target{})
	if err != nil {
		t.Fatal(err)
	}
	abandoned, err := ef.StartLogin(ctxT(t), Target{})
	if err != nil {
		t.Fatal(err)
	}
	var got api.Login
	waitfor.True(t, "the unwatched flow to end", func() bool {
		ef.Login(watched.ID) // its client asks, as `lastfmd auth login` does
		got = peek(ef.Flows, abandoned.ID)
		return got.State != api.LoginPending
	})
	if got.State != api.LoginFailed || !strings.Contains(got.Message, "nothing asked") {
		t.Fatalf("abandoned flow: %+v", got)
	}
	if w, _ := ef.Login(watched.ID); w.State != api.LoginPending {
		t.Errorf("the watched flow ended: %+v", w)
	}
}

// peek reads a flow as api.Login does, without renewing its lease.
func peek(f *Flows, id string) api.Login {
	f.logins.mu.Lock()
	defer f.logins.mu.Unlock()
	return f.logins.m[id].Login
}
