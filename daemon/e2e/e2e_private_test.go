package e2e_test

import (
	"net/http"
	"strings"
	"testing"
)

// A private profile answers an unsigned read with 17; lastfmd then signs
// the read with the account's key (its owner's), POSTed.
func TestPrivateProfileReadRetriedSigned(t *testing.T) {
	h := newHarness(t)
	h.emu.AddUser("carol", "carol-pw", true)
	sk := h.emu.NewSession("carol")
	h.storeAccount("carol", "carol", sk)
	if err := h.m.Accounts.SetDefault("carol"); err != nil {
		t.Fatal(err)
	}
	a := h.get("/v1/user.getRecentTracks?user=carol")
	wantStatus(t, a, 200)
	reqs := h.emu.Requests()
	if len(reqs) != 2 || reqs[0].HTTPMethod != http.MethodGet || reqs[1].HTTPMethod != http.MethodPost || reqs[1].Params["sk"] != sk {
		t.Fatalf("requests: %d, want an unsigned GET then a signed POST", len(reqs))
	}
	if a.header.Get("X-Lastfmd-Cache") != "MISS" {
		t.Errorf("cache %s", a.header.Get("X-Lastfmd-Cache"))
	}
	if b := h.get("/v1/user.getRecentTracks?user=carol"); b.status != 200 {
		t.Errorf("second read %d", b.status)
	}
	// With no account that can see it, the 17 reaches the caller.
	if err := h.m.Accounts.SetDefault("alice"); err != nil {
		t.Fatal(err)
	}
	h.emu.Reset()
	c := h.get("/v1/user.getRecentTracks?user=carol&limit=5")
	wantStatus(t, c, 403)
	wantContains(t, c.body, `"error":17`)
	for _, body := range []string{a.body, c.body, h.logs.String()} {
		if strings.Contains(body, sk) {
			t.Error("carol's session key leaked")
		}
	}
}
