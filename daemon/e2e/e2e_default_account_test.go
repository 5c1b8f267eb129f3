package e2e_test

import (
	"strings"
	"testing"
)

// The account from session_key_file is named "default" and has only a
// key: its Last.fm user name is learned once (signed user.getInfo), so
// writes can drop that user's cached reads.
func TestDefaultAccountFromSessionKeyFile(t *testing.T) {
	var sk string
	h := newHarnessAccount(t, noAccount, withSessionKeyFile("alice", &sk))
	loved := func() answer { return h.get("/v1/user.getLovedTracks?user=alice") }
	wantStatus(t, loved(), 200)
	wantStatus(t, h.post("/v1/track.love", "application/json", `{"artist":"Cher","track":"Believe"}`), 200)
	if a := loved(); a.header.Get("X-Lastfmd-Cache") != "MISS" || !strings.Contains(a.body, "Believe") {
		t.Errorf("loved tracks after a love by the default account: %s", a.header.Get("X-Lastfmd-Cache"))
	}
	wantStatus(t, h.post("/v1/track.unlove", "application/json", `{"artist":"Cher","track":"Believe"}`), 200)
	if n := h.emu.Count("user.getInfo"); n != 1 {
		t.Errorf("user name looked up %d times, want once", n)
	}
	st := h.m.Status()
	if len(st.Accounts) != 1 || st.Accounts[0].Name != "default" || st.Accounts[0].User != "alice" || !st.Accounts[0].Default {
		t.Errorf("accounts %+v", st.Accounts)
	}
	for _, s := range []string{h.logs.String(), h.get("/v1/status").body} {
		if strings.Contains(s, sk) {
			t.Error("the session key leaked")
		}
	}
}
