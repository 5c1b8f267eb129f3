package authflow

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// The daemon's background desktop flow: started, polled in the background,
// read by id; Close stops the flows still waiting.
func TestBackgroundLogin(t *testing.T) {
	clock := newFakeClock()
	ef := newEmuFlows(t, func(o *Options) { o.Now = clock.Now })
	lg, err := ef.StartLogin(ctxT(t), "")
	if err != nil {
		t.Fatal(err)
	}
	if lg.State != LoginPending || lg.ID == "" || !strings.Contains(lg.URL, "token=") || lg.ExpiresAt == "" {
		t.Fatalf("started %+v", lg)
	}
	u, _ := url.Parse(lg.URL)
	tok := u.Query().Get("token")
	if strings.Contains(lg.ID, tok) {
		t.Fatal("the flow id reveals the token")
	}
	if got, ok := ef.Login(lg.ID); !ok || got.State != LoginPending || got.URL != "" {
		t.Fatalf("pending: %+v %v", got, ok)
	}
	if _, ok := ef.Login("nope"); ok {
		t.Error("unknown id found")
	}
	if err := ef.emu.ApproveToken(tok, "bob"); err != nil {
		t.Fatal(err)
	}
	got := waitLogin(t, ef.Flows, lg.ID)
	if got.State != LoginSignedIn || got.Account != "bob" || got.Message != "Signed in as bob" {
		t.Fatalf("finished %+v", got)
	}

	// A second flow, never approved: the give-up on the injected clock.
	lg2, err := ef.StartLogin(ctxT(t), "later")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	clock.Advance(61 * time.Minute)
	got = waitLogin(t, ef.Flows, lg2.ID)
	if got.State != LoginFailed || !strings.Contains(got.Message, "60 minutes") {
		t.Fatalf("give-up %+v", got)
	}
	if _, ok := ef.store.Get("later"); ok {
		t.Error("stored an account for an unapproved flow")
	}

	// Close ends a pending flow.
	lg3, _ := ef.StartLogin(ctxT(t), "")
	ef.Close()
	if got, _ := ef.Login(lg3.ID); got.State != LoginFailed {
		t.Errorf("after Close: %+v", got)
	}
	if _, err := ef.StartLogin(ctxT(t), ""); err == nil {
		t.Error("started a flow after Close")
	}
	if _, err := ef.StartLogin(ctxT(t), "bad name"); err == nil {
		t.Error("bad account name accepted")
	}
}

func waitLogin(t *testing.T, f *Flows, id string) Login {
	t.Helper()
	var lg Login
	waitfor.True(t, "the flow to end", func() bool {
		lg, _ = f.Login(id)
		return lg.State != LoginPending
	})
	return lg
}
