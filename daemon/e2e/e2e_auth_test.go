package e2e_test

import (
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/emulator"
)

// The desktop flow driven through the running daemon, as `lastfmd auth
// login` does: the daemon fetches the token and polls, the user approves
// on the (emulated) Last.fm page, and the next write uses the new session
// at once, without a restart.
func TestAuthDesktopThroughDaemon(t *testing.T) {
	h := newHarnessAccount(t, noAccount, withSignInPoll(10*time.Millisecond))
	// With no account at all, a write says how to sign in.
	a := h.love("", "Believe")
	wantStatus(t, a, http.StatusForbidden)
	if e := decode[lfmError](t, a); e.Error != 9 || !strings.Contains(e.Message, "lastfmd auth login") {
		t.Fatalf("write without an account: %s", a.body)
	}

	a = h.postJSON("/v1/auth/login", `{}`)
	wantStatus(t, a, 200)
	lg := decode[loginAnswer](t, a)
	tok := tokenOf(t, lg.URL)
	if lg.State != "pending" || lg.ID == "" || len(tok) != 32 ||
		!strings.HasPrefix(lg.URL, h.emu.AuthURL()+"?api_key="+testKey+"&token=") {
		t.Fatalf("login answer %+v", lg)
	}
	// Polling, answered 14 until the user approves.
	waitFor(t, "two polls", func() bool { return h.emu.Count("auth.getSession") >= 2 })
	if got := decode[loginAnswer](t, h.get("/v1/auth/login/"+lg.ID)); got.State != "pending" || got.URL != "" {
		t.Fatalf("pending: %+v", got)
	}
	// The user opens the URL and presses "Allow access".
	approve(t, lg.URL, "alice")
	done := h.waitLogin(lg.ID)
	if done.State != "signed_in" || done.Account != "alice" || done.Message != "Signed in as alice" {
		t.Fatalf("finished: %+v", done)
	}
	sk := h.liveKey("alice")
	if u, ok := h.emu.SessionUser(sk); !ok || u != "alice" {
		t.Fatalf("stored key is not alice's live session (%q)", u)
	}
	polls := h.emu.Count("auth.getSession")
	time.Sleep(50 * time.Millisecond)
	if h.emu.Count("auth.getSession") != polls {
		t.Error("auth.getSession called again after the session was obtained")
	}

	// The next write uses it, no restart.
	wantStatus(t, h.love("", "Believe"), 200)
	if got := h.last("track.love").Params["sk"]; got != sk {
		t.Error("the write was not signed with the new session")
	}
	if !slices.Contains(h.emu.Loved("alice"), "Cher - Believe") {
		t.Errorf("alice's loved tracks: %v", h.emu.Loved("alice"))
	}
	acc := h.statusAccounts()["alice"]
	if !acc.Default || acc.NeedsSignin {
		t.Errorf("status: %+v", acc)
	}
	h.noLeak([]string{tok, sk, testSecret})
}

// approve does what the user does on Last.fm's page: open it, press
// "Allow access" (the emulator's form), as user.
func approve(t testing.TB, pageURL, user string) *http.Response {
	t.Helper()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(pageURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("approval page: HTTP %d", resp.StatusCode)
	}
	u, _ := url.Parse(pageURL)
	q := u.Query()
	form := url.Values{"api_key": {q.Get("api_key")}, "token": {q.Get("token")}, "cb": {q.Get("cb")}, "username": {user}, "approve": {"1"}}
	u.RawQuery = ""
	resp, err = hc.PostForm(u.String(), form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 && resp.StatusCode != 302 {
		t.Fatalf("approving: HTTP %d", resp.StatusCode)
	}
	return resp
}

// Never approved: the daemon polls (14) and gives up after 60 minutes of
// its (injected) clock; nothing is stored, polling stops.
func TestAuthDesktopNeverApproved(t *testing.T) {
	clock := newFakeClock()
	h := newHarnessAccount(t, noAccount, withClock(clock), withSignInPoll(5*time.Millisecond))
	lg := decode[loginAnswer](t, h.postJSON("/v1/auth/login", `{"account":"later"}`))
	waitFor(t, "three polls", func() bool { return h.emu.Count("auth.getSession") >= 3 })
	clock.Advance(59 * time.Minute)
	// Two more polls after the jump: the flow has seen the 59th minute.
	polled := h.emu.Count("auth.getSession")
	waitFor(t, "polls after 59 minutes", func() bool { return h.emu.Count("auth.getSession") >= polled+2 })
	if got := decode[loginAnswer](t, h.get("/v1/auth/login/"+lg.ID)); got.State != "pending" {
		t.Fatalf("gave up before 60 minutes: %+v", got)
	}
	clock.Advance(time.Minute)
	done := h.waitLogin(lg.ID)
	if done.State != "failed" || !strings.Contains(done.Message, "60 minutes") || !strings.Contains(done.Message, "lastfmd auth login") {
		t.Fatalf("give-up: %+v", done)
	}
	n := h.emu.Count("auth.getSession")
	time.Sleep(30 * time.Millisecond)
	if h.emu.Count("auth.getSession") != n {
		t.Error("still polling after giving up")
	}
	if len(h.m.Accounts.List()) != 0 {
		t.Error("an account was stored")
	}
	h.noLeak([]string{tokenOf(t, lg.URL)})
}

// Token expired (15) and token unknown (4) end the flow with a message.
func TestAuthDesktopTokenDead(t *testing.T) {
	h := newHarnessAccount(t, noAccount, withSignInPoll(5*time.Millisecond))
	lg := decode[loginAnswer](t, h.postJSON("/v1/auth/login", `{}`))
	h.emu.SetClock(func() time.Time { return time.Now().Add(61 * time.Minute) })
	done := h.waitLogin(lg.ID)
	if done.State != "failed" || !strings.Contains(done.Message, "expired") {
		t.Fatalf("expired token: %+v", done)
	}
	h.emu.SetClock(nil)

	// Error 4 (never issued, or spent): Last.fm says so for a token it
	// does not know.
	h.emu.Fail(emulator.Fault{Method: "auth.getSession", Code: 4})
	lg = decode[loginAnswer](t, h.postJSON("/v1/auth/login", `{}`))
	done = h.waitLogin(lg.ID)
	if done.State != "failed" || !strings.Contains(done.Message, "error 4") {
		t.Fatalf("invalid token: %+v", done)
	}
	if a := h.get("/v1/auth/login/no-such-flow"); a.status != http.StatusNotFound {
		t.Errorf("unknown flow id: %d", a.status)
	}
}

// The mobile flow through the daemon: POST with password, wrong password
// refused with Last.fm's 4, the password never shown anywhere.
func TestAuthMobileThroughDaemon(t *testing.T) {
	h := newHarnessAccount(t, noAccount)
	a := h.postJSON("/v1/auth/mobile", `{"username":"alice","password":"not-Alices-pw"}`)
	wantStatus(t, a, http.StatusForbidden)
	if e := decode[lfmError](t, a); e.Error != 4 || !strings.Contains(e.Message, "user name or password") {
		t.Fatalf("wrong password: %s", a.body)
	}
	if len(h.m.Accounts.List()) != 0 {
		t.Fatal("stored an account for a wrong password")
	}
	a = h.postJSON("/v1/auth/mobile", `{"username":"alice","password":"alice-pw"}`)
	wantStatus(t, a, 200)
	wantContains(t, a.body, `"account":"alice"`, "Signed in as alice")
	sk := h.liveKey("alice")
	if strings.Contains(a.body, sk) {
		t.Fatal("the session key was answered")
	}
	r := h.last("auth.getMobileSession")
	if r.HTTPMethod != "POST" || r.Params["password"] != "alice-pw" || r.Params["authToken"] != "" {
		t.Errorf("sent by %s with password=%v authToken=%v", r.HTTPMethod, r.Params["password"] != "", r.Params["authToken"] != "")
	}
	// A second account by name.
	wantStatus(t, h.postJSON("/v1/auth/mobile", `{"username":"bob","password":"bob-pw","account":"bob-work"}`), 200)
	wantStatus(t, h.love("bob-work", "Strong Enough"), 200)
	if h.last("track.love").Params["sk"] != h.liveKey("bob-work") {
		t.Error("bob-work's write not signed with bob's session")
	}
	// On /2.0/, the account name as sk picks it; any other sk the default.
	for sk, want := range map[string]string{"bob-work": h.liveKey("bob-work"), "placeholder": h.liveKey("alice")} {
		a := h.postForm("/2.0/", url.Values{"method": {"track.love"}, "artist": {"Cher"}, "track": {"Believe"}, "sk": {sk}, "format": {"json"}})
		wantStatus(t, a, 200)
		if h.last("track.love").Params["sk"] != want {
			t.Errorf("/2.0/ with sk=%s signed with the wrong account", sk)
		}
	}
	// Bad input: never reaches Last.fm.
	before := h.emu.Count("")
	for _, body := range []string{`{"username":"alice"}`, `{"password":"x"}`, `{"username":"alice","password":"alice-pw","account":"a b"}`,
		`{"username":"alice","password":"alice-pw","extra":1}`, `[1]`, `{"username":`} {
		if a := h.postJSON("/v1/auth/mobile", body); a.status != http.StatusBadRequest {
			t.Errorf("%s: HTTP %d", body, a.status)
		}
	}
	if a := h.post("/v1/auth/mobile", "application/x-www-form-urlencoded", "username=alice&password=alice-pw"); a.status != http.StatusBadRequest {
		t.Errorf("form body: HTTP %d", a.status)
	}
	if h.emu.Count("") != before {
		t.Error("bad input reached Last.fm")
	}
	h.noLeak([]string{"alice-pw", "not-Alices-pw", "bob-pw", sk, h.liveKey("bob-work")})
}

// Import: a key someone holds, checked with Last.fm before it is stored.
func TestAuthImportThroughDaemon(t *testing.T) {
	h := newHarnessAccount(t, noAccount)
	sk := h.emu.NewSession("bob")
	revoked := h.emu.NewSession("bob")
	h.emu.RevokeSession(revoked)
	a := h.postJSON("/v1/auth/import", `{"username":"bob","session_key":"`+revoked+`"}`)
	wantStatus(t, a, http.StatusForbidden)
	wantContains(t, a.body, "does not accept this session key")
	a = h.postJSON("/v1/auth/import", `{"username":"alice","session_key":"`+sk+`"}`)
	wantStatus(t, a, http.StatusBadRequest)
	wantContains(t, a.body, `belongs to the Last.fm user \"bob\"`)
	a = h.postJSON("/v1/auth/import", `{"username":"bob","session_key":"`+sk+`"}`)
	wantStatus(t, a, 200)
	if h.liveKey("bob") != sk {
		t.Fatal("imported key not stored")
	}
	wantStatus(t, h.love("bob", "Believe"), 200)
	if h.last("track.love").Params["sk"] != sk {
		t.Error("write not signed with the imported key")
	}
	for _, s := range []string{sk, revoked} {
		if strings.Contains(a.body, s) {
			t.Error("a key was answered")
		}
	}
	h.noLeak([]string{sk, revoked})
}

// Default account, logout (with the journal's hook), unknown names, and a
// cross-site page that tries to change them.
func TestAuthDefaultLogoutUnknown(t *testing.T) {
	h := newHarness(t, withJournal(fastJournal))
	if !h.statusAccounts()["alice"].Default {
		t.Fatal("alice should start as the default")
	}
	a := h.postJSON("/v1/auth/default", `{"account":"nobody"}`)
	wantStatus(t, a, http.StatusNotFound)
	wantContains(t, a.body, "unknown account", "lastfmd auth status")

	// A cross-site page can neither change the default nor start a flow.
	for _, hdr := range [][]string{{"Origin", "https://evil.example"}, {"Sec-Fetch-Site", "cross-site"}, {"Referer", "https://evil.example/x"}} {
		wantStatus(t, h.postJSON("/v1/auth/default", `{"account":"bob"}`, hdr...), http.StatusForbidden)
		wantStatus(t, h.postJSON("/v1/auth/login", `{}`, hdr...), http.StatusForbidden)
		wantStatus(t, h.del("/v1/auth/accounts/bob", hdr...), http.StatusForbidden)
	}
	// A form (what a page can send without a preflight) is refused too.
	wantStatus(t, h.post("/v1/auth/default", "text/plain", `{"account":"bob"}`), http.StatusBadRequest)
	if h.emu.Count("auth.getToken") != 0 || !h.statusAccounts()["alice"].Default {
		t.Fatal("a refused request had an effect")
	}

	wantStatus(t, h.postJSON("/v1/auth/default", `{"account":"bob"}`), 200)
	if !h.statusAccounts()["bob"].Default || h.statusAccounts()["alice"].Default {
		t.Fatal("default not changed")
	}
	wantStatus(t, h.love("", "Believe"), 200)
	if h.last("track.love").Params["sk"] != h.skBob {
		t.Error("a write without an account did not use the new default")
	}
	// Unknown names are 4xx everywhere.
	a = h.love("nobody", "Believe")
	wantStatus(t, a, http.StatusBadRequest)
	wantContains(t, a.body, "unknown account")
	wantStatus(t, h.del("/v1/auth/accounts/nobody"), http.StatusNotFound)
	wantStatus(t, h.postJSON("/v1/auth/login", `{"account":"no/slash"}`), http.StatusBadRequest)

	// The journal refuses bob's logout without force while a scrobble of
	// his waits for Last.fm.
	h.emu.Stop()
	a, _ = h.scrobble(items(1, "bob", time.Now()), "Prefer", "wait=0", "X-Lastfmd-Account", "bob")
	wantStatus(t, a, http.StatusAccepted)
	a = h.del("/v1/auth/accounts/bob")
	wantStatus(t, a, http.StatusForbidden)
	wantContains(t, a.body, "waiting to be sent", "--force")
	if _, ok := h.m.Accounts.Get("bob"); !ok {
		t.Fatal("refused logout removed bob")
	}
	wantStatus(t, h.del("/v1/auth/accounts/bob?force=1"), 200)
	if _, ok := h.m.Accounts.Get("bob"); ok {
		t.Fatal("bob still there")
	}
	if q := h.queue(); q.Dead != 1 || !strings.Contains(q.DeadLetters[0].Reason, "logged out") {
		t.Errorf("bob's pending scrobble after a forced logout: %+v", q)
	}
	a = h.love("bob", "Believe")
	wantStatus(t, a, http.StatusBadRequest)
	list := decode[struct {
		Accounts []struct {
			Name    string    `json:"name"`
			Default bool      `json:"default"`
			Added   time.Time `json:"added"`
			Key     string    `json:"key"`
		} `json:"accounts"`
	}](t, h.get("/v1/auth/accounts"))
	if len(list.Accounts) != 1 || list.Accounts[0].Name != "alice" || !list.Accounts[0].Default || list.Accounts[0].Added.IsZero() || list.Accounts[0].Key != "" {
		t.Errorf("accounts after logout: %+v", list.Accounts)
	}
}

// A revoked session (Last.fm's 9): marked as needing sign-in, shown in
// status, logged once, the key no longer sent; signing in again clears it.
func TestAuthRevokedSession(t *testing.T) {
	h := newHarness(t)
	h.emu.RevokeSession(h.sk)
	a := h.love("alice", "Believe")
	if e := decode[lfmError](t, a); e.Error != 9 {
		t.Fatalf("revoked key: %s", a.body)
	}
	if !h.statusAccounts()["alice"].NeedsSignin {
		t.Fatal("status does not show that alice needs to sign in")
	}
	sent := h.emu.Count("track.love")
	for i := 0; i < 3; i++ {
		a = h.love("alice", "Believe")
		wantStatus(t, a, http.StatusForbidden)
		wantContains(t, a.body, "needs to sign in again", "lastfmd auth login --account alice")
	}
	if h.emu.Count("track.love") != sent {
		t.Error("the revoked key was sent again")
	}
	if n := strings.Count(h.logs.String(), "needs to sign in again"); n != 1 {
		t.Errorf("logged %d times, want once", n)
	}
	list := h.get("/v1/auth/accounts")
	wantContains(t, list.body, `"name":"alice"`, `"needs_signin":true`)
	// bob is untouched.
	wantStatus(t, h.love("bob", "Believe"), 200)

	// Signing in again clears it, and the next write uses the new key.
	wantStatus(t, h.postJSON("/v1/auth/mobile", `{"username":"alice","password":"alice-pw"}`), 200)
	if h.statusAccounts()["alice"].NeedsSignin {
		t.Fatal("still needs sign-in after signing in")
	}
	wantStatus(t, h.love("alice", "Believe"), 200)
	sk := h.liveKey("alice")
	if sk == h.sk || h.last("track.love").Params["sk"] != sk {
		t.Error("the write did not use the new session")
	}
	h.noLeak([]string{sk})
}

// A reserved account name is a client mistake naming the rule (issue 14):
// "default" is the account of session_key_file. It used to answer 503,
// error 8, once Last.fm had been asked.
func TestAuthImportReservedName(t *testing.T) {
	var staticKey string
	h := newHarnessAccount(t, noAccount, withSessionKeyFile("alice", &staticKey))
	sk := h.emu.NewSession("bob")
	before := h.emu.Count("")
	for _, body := range []string{
		`{"username":"bob","session_key":"` + sk + `","account":"default"}`,
		`{"username":"default","session_key":"` + sk + `"}`,
	} {
		a := h.postJSON("/v1/auth/import", body)
		wantStatus(t, a, http.StatusBadRequest)
		wantContains(t, a.body, `\"default\" is reserved`, "session_key_file", "--account")
	}
	if h.emu.Count("") != before {
		t.Error("a refused import reached Last.fm")
	}
	h.noLeak([]string{sk, staticKey})
}

// A sign-in through the daemon answered with an echo of the request never
// hands the password, an authToken or the call's signature back, whether
// the client asked on /v1/ or as a drop-in on /2.0/ (a short password is
// masked by its shape).
func TestSignInEchoLeaksNoCredential(t *testing.T) {
	h := newHarness(t)
	h.emu.AddUser("carol", "qz!", false)
	for _, c := range []struct {
		name, secret string
		send         func() answer
	}{
		{"/v1/auth/mobile", "alice-pw", func() answer {
			return h.postJSON("/v1/auth/mobile", `{"username":"alice","password":"alice-pw"}`)
		}},
		{"/v1/auth/mobile, a short password", "qz!", func() answer {
			return h.postJSON("/v1/auth/mobile", `{"username":"carol","password":"qz!"}`)
		}},
		{"/2.0/ with authToken", md5hex("alice" + md5hex("alice-pw")), func() answer {
			return h.postForm("/2.0/", url.Values{"method": {"auth.getMobileSession"}, "username": {"alice"},
				"authToken": {md5hex("alice" + md5hex("alice-pw"))}, "format": {"json"}})
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			h.emu.Fail(emulator.Fault{Method: "auth.getMobileSession", Answer: emulator.AnswerEcho, Times: 1})
			a := c.send()
			if a.status < 400 {
				t.Fatalf("an echo was taken for a sign-in: %d %s", a.status, a.body)
			}
			sig := h.emu.Requests()[len(h.emu.Requests())-1].Params["api_sig"]
			for _, secret := range []string{c.secret, sig} {
				if strings.Contains(a.body, secret) {
					t.Errorf("the answer hands back %q: %s", secret, a.body)
				}
			}
			h.assertNoSecrets(a.body, c.name)
		})
	}
}

// md5hex is a hex md5, the form of auth.getMobileSession's authToken.
func md5hex(s string) string { x := md5.Sum([]byte(s)); return hex.EncodeToString(x[:]) }
