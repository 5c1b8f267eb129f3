package authflow

import (
	"net/url"
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/emulator"
	"github.com/lastfmd/lastfmd/daemon/upstream"
	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// mirrorFlows is Flows in front of two emulators: Last.fm, and Libre.fm as
// the mirror "librefm" (its own key, secret and users; authToken-only
// mobile sign-in), through a client of its own. mod changes the mirror.
type mirrorFlows struct {
	*emuFlows
	libre *emulator.Server
}

const librePassword = "alice-libre-pw"

func newMirrorFlows(t *testing.T, mod func(*Mirror)) *mirrorFlows {
	t.Helper()
	libre, err := emulator.New(emulator.Options{Service: emulator.LibreFM})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { libre.Close() })
	libre.AddUser("alice", librePassword, false)
	up, err := upstream.New(upstream.Options{Endpoint: libre.URL(), APIKey: emulator.LibreFMAPIKey, Secret: emulator.LibreFMSecret,
		Timeout: waitfor.Bound, UserAgent: "authflow-test"})
	if err != nil {
		t.Fatal(err)
	}
	m := Mirror{Name: "librefm", Upstream: up, APIKey: emulator.LibreFMAPIKey, AuthURL: libre.AuthURL(), AuthToken: true}
	if mod != nil {
		mod(&m)
	}
	ef := newEmuFlows(t, func(o *Options) { o.Mirrors = []Mirror{m} })
	for _, a := range []accounts.Account{accountWith("alice"), accountWith("bob")} {
		if err := ef.store.Put(a); err != nil {
			t.Fatal(err)
		}
	}
	return &mirrorFlows{emuFlows: ef, libre: libre}
}

// The mobile sign-in on a mirror: sent there in its form (authToken, or
// the password), with its key, never Last.fm's; stored beside the
// account's Last.fm session, which stays; refused, in one line naming the
// next step, for an account that does not exist and a mirror that is not
// configured.
func TestMobileOnMirror(t *testing.T) {
	cases := []struct {
		name      string
		to        Target
		password  string
		passwords bool // the mirror's mobile_signin is "password"
		kind      apperr.Kind
		want      string // in the error
		stored    string // the account that gets the session
	}{
		{name: "the default account", to: Target{Mirror: "librefm"}, password: librePassword, stored: "alice"},
		{name: "a named account", to: Target{Account: "bob", Mirror: "librefm"}, password: librePassword, stored: "bob"},
		{name: "wrong password", to: Target{Mirror: "librefm"}, password: "wrong", kind: apperr.Forbidden,
			want: `mirror "librefm" refused the user name or password (error 4)`},
		{name: "the password form where authToken is read", to: Target{Mirror: "librefm"}, password: librePassword, passwords: true,
			kind: apperr.Forbidden, want: `mirror "librefm" refused auth.getMobileSession`},
		{name: "an account not signed in to Last.fm", to: Target{Account: "carol", Mirror: "librefm"}, password: librePassword,
			kind: apperr.NotFound, want: `unknown account "carol": sign it in to Last.fm first (lastfmd auth login --account carol), then to librefm (lastfmd auth login --mirror librefm --account carol)`},
		{name: "a mirror not configured", to: Target{Mirror: "maloja"}, password: librePassword,
			kind: apperr.NotFound, want: `no mirror "maloja" in the configuration (the mirrors are librefm)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mf := newMirrorFlows(t, func(m *Mirror) { m.AuthToken = !c.passwords })
			a, err := mf.Mobile(ctxT(t), c.to, "alice", c.password)
			if c.kind != 0 {
				if err == nil || apperr.As(err).Kind != c.kind || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("error %v (kind %v), want %v %q", err, apperr.As(err).Kind, c.kind, c.want)
				}
				if strings.Contains(err.Error(), c.password) {
					t.Error("the password is in the error")
				}
				for _, name := range []string{"alice", "bob"} {
					if got, _ := mf.store.Get(name); len(got.Mirrors) != 0 {
						t.Errorf("%s has mirror sessions %v", name, got.Mirrors)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Name != c.stored || UserAt(a, "librefm") != "alice" || a.Mirrors["librefm"].Key != "" {
				t.Errorf("answered %+v (no key may be answered)", a)
			}
			got, _ := mf.store.Get(c.stored)
			ms, ok := got.Mirror("librefm")
			if u, live := mf.libre.SessionUser(ms.Key); !ok || !live || u != "alice" {
				t.Errorf("the session stored on librefm is %q's (%v %v)", u, ok, live)
			}
			if got.Key != "key-of-"+c.stored {
				t.Error("the account's Last.fm session changed")
			}
			r := mf.libre.Requests()
			last := r[len(r)-1]
			if last.Params["password"] != "" || last.Params["authToken"] == "" || last.Params["api_key"] != emulator.LibreFMAPIKey {
				t.Errorf("sent password %v, authToken %v, api_key %q", last.Params["password"] != "", last.Params["authToken"] != "", last.Params["api_key"])
			}
			if mf.emu.Count("auth.getMobileSession") != 0 {
				t.Error("the mirror's sign-in reached Last.fm")
			}
		})
	}
}

// With no account at all there is nothing to sign in to a mirror: the
// error says to sign in to Last.fm first.
func TestMirrorSignInNeedsAnAccount(t *testing.T) {
	mf := newMirrorFlows(t, nil)
	for _, name := range []string{"alice", "bob"} {
		if err := mf.store.Remove(name); err != nil {
			t.Fatal(err)
		}
	}
	_, err := mf.Mobile(ctxT(t), Target{Mirror: "librefm"}, "alice", librePassword)
	if want := "no account is signed in: an account signs in to Last.fm first (lastfmd auth login), then to librefm (lastfmd auth login --mirror librefm)"; err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
	if mf.libre.Count("auth.getMobileSession") != 0 {
		t.Error("the mirror was asked anyway")
	}
}

// The desktop sign-in on a mirror: its approval page with its key; the
// session stored beside the account's Last.fm one. Without auth_url there
// is none, and the error names the mobile sign-in.
func TestDesktopOnMirror(t *testing.T) {
	mf := newMirrorFlows(t, nil)
	ctx := ctxT(t)
	d, err := mf.Begin(ctx, Target{Account: "bob", Mirror: "librefm"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(d.URL())
	if !strings.HasPrefix(d.URL(), mf.libre.AuthURL()+"?") || u.Query().Get("api_key") != emulator.LibreFMAPIKey {
		t.Fatalf("approval URL %s: want the mirror's page and key", d.URL())
	}
	if err := mf.libre.ApproveToken(u.Query().Get("token"), "alice"); err != nil {
		t.Fatal(err)
	}
	a, err := mf.Wait(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := mf.store.Get("bob")
	if ms, ok := got.Mirror("librefm"); a.Name != "bob" || !ok || ms.User != "alice" || got.Key != "key-of-bob" {
		t.Errorf("after the sign-in: answered %+v, stored %+v", a, got)
	}
	if n := mf.emu.Count("auth.getToken") + mf.emu.Count("auth.getSession"); n != 0 {
		t.Errorf("%d calls of the mirror's sign-in reached Last.fm", n)
	}

	// Through the daemon's background flow too.
	lg, err := mf.StartLogin(ctx, Target{Mirror: "librefm"})
	if err != nil || lg.Account != "alice" || lg.Mirror != "librefm" {
		t.Fatalf("StartLogin: %+v %v", lg, err)
	}
	u, _ = url.Parse(lg.URL)
	if err := mf.libre.ApproveToken(u.Query().Get("token"), "alice"); err != nil {
		t.Fatal(err)
	}
	waitfor.True(t, "the background sign-in", func() bool {
		got, _ := mf.Login(lg.ID)
		return got.State != "pending"
	})
	if got, _ := mf.Login(lg.ID); got.State != "signed_in" || got.User != "alice" || got.Message != `Signed in as alice on mirror "librefm"` {
		t.Errorf("background sign-in ended %+v", got)
	}

	noPage := newMirrorFlows(t, func(m *Mirror) { m.AuthURL = "" })
	_, err = noPage.Begin(ctx, Target{Mirror: "librefm"})
	if want := "mirror \"librefm\" has no desktop sign-in (no auth_url): use `lastfmd auth mobile --mirror librefm`"; err == nil || err.Error() != want {
		t.Errorf("no auth_url: %v, want %q", err, want)
	}
	if _, err := noPage.StartLogin(ctx, Target{Mirror: "librefm"}); err == nil {
		t.Error("StartLogin without auth_url")
	}
}

// Signing out of a mirror removes that session only; the journal's hook
// is asked first with the mirror's name; a session from the configuration
// is removed there, not here.
func TestLogoutMirror(t *testing.T) {
	mf := newMirrorFlows(t, nil)
	for _, name := range []string{"alice", "bob"} {
		if err := mf.store.PutMirror(name, "librefm", accounts.MirrorSession{Key: "libre-of-" + name}); err != nil {
			t.Fatal(err)
		}
	}
	var asked []string
	hook := func(account, mirror string, force bool) error {
		asked = append(asked, account+"/"+mirror)
		if !force {
			return apperr.Invalidf("account %s has 2 items waiting for %s: use --force", account, mirror)
		}
		return nil
	}
	cases := []struct {
		name, account, mirror string
		force                 bool
		want                  string // in the error; "" = removed
	}{
		{"refused by the hook", "alice", "librefm", false, "2 items waiting for librefm"},
		{"forced", "alice", "librefm", true, ""},
		{"no session there", "alice", "librefm", true, `account "alice" has no session on mirror "librefm"`},
		{"unknown account", "carol", "librefm", true, `unknown account "carol"`},
		{"a mirror no longer configured", "bob", "librefm", true, ""},
	}
	for _, c := range cases {
		err := mf.LogoutMirror(c.account, c.mirror, c.force, hook)
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	for _, name := range []string{"alice", "bob"} {
		if a, ok := mf.store.Get(name); !ok || a.Key != "key-of-"+name || len(a.Mirrors) != 0 {
			t.Errorf("%s after signing out of librefm: %+v", name, a)
		}
	}
	if got := strings.Join(asked, " "); got != "alice/librefm alice/librefm bob/librefm" {
		t.Errorf("the hook was asked for %q", got)
	}

	static, err := accounts.Open(t.TempDir(), []accounts.Account{{Name: accounts.DefaultName, Key: "k-0123456789",
		Mirrors: map[string]accounts.MirrorSession{"librefm": {Key: "libre-0123456789"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := LogoutMirror(static, accounts.DefaultName, "librefm", true, nil); err == nil || !strings.Contains(err.Error(), "comes from the configuration") {
		t.Errorf("a configured session: %v", err)
	}
}

// List shows each account's sessions on mirrors, never a key.
func TestListShowsMirrors(t *testing.T) {
	mf := newMirrorFlows(t, nil)
	if err := mf.store.PutMirror("bob", "librefm", accounts.MirrorSession{Key: "libre-SECRET-of-bob", User: "bobby"}); err != nil {
		t.Fatal(err)
	}
	list := mf.List()
	if len(list) != 2 || len(list[0].Mirrors) != 0 || len(list[1].Mirrors) != 1 {
		t.Fatalf("List %+v", list)
	}
	if m := list[1].Mirrors[0]; m.Mirror != "librefm" || m.User != "bobby" || m.Added.IsZero() || m.NeedsSignin {
		t.Errorf("bob's mirror %+v", m)
	}
}
