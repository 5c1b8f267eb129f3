package authflow

import (
	"crypto/md5"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/signer"
)

func TestMobile(t *testing.T) {
	ef := newEmuFlows(t)
	cases := []struct {
		name, user, password, account string
		kind                          apperr.Kind // 0: signed in
		code                          int
		stored                        string
	}{
		{"right password", "alice", "alice-pw", "", 0, 0, "alice"},
		{"user name in another case", "ALICE", "alice-pw", "", 0, 0, "alice"},
		{"named account", "bob", "bob-pw", "bob-work", 0, 0, "bob-work"},
		{"wrong password", "alice", "wrong-pw", "", apperr.Forbidden, 4, ""},
		{"unknown user", "nobody", "pw", "", apperr.Forbidden, 4, ""},
		{"no user", "", "pw", "", apperr.Invalid, 6, ""},
		{"no password", "alice", "", "", apperr.Invalid, 6, ""},
		{"bad account name", "alice", "alice-pw", "a b", apperr.Invalid, 6, ""},
		{"huge password", "alice", strings.Repeat("p", MaxPassword+1), "", apperr.Invalid, 6, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := ef.emu.Count("auth.getMobileSession")
			a, err := ef.Mobile(ctxT(t), Target{Account: c.account}, c.user, c.password)
			if c.kind == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if a.Name != c.stored || a.Key != "" {
					t.Errorf("account %+v", a)
				}
				got, ok := ef.store.Get(c.stored)
				if u, live := ef.emu.SessionUser(got.Key); !ok || !live || !strings.EqualFold(u, c.user) {
					t.Errorf("stored key of %q is %q (%v %v)", c.stored, u, ok, live)
				}
				r := ef.emu.Requests()
				last := r[len(r)-1]
				if last.HTTPMethod != "POST" || last.Params["password"] != c.password || last.Params["authToken"] != "" || strings.Contains(last.RawQuery, "password") {
					t.Errorf("sent %s with query %q: want POST with password in the body", last.HTTPMethod, last.RawQuery)
				}
				return
			}
			if err == nil {
				t.Fatalf("signed in as %s", a.Name)
			}
			ae := apperr.As(err)
			if ae.Kind != c.kind || ae.Code != c.code {
				t.Errorf("error %v: kind %v code %d, want %v %d", err, ae.Kind, ae.Code, c.kind, c.code)
			}
			if c.password != "" && strings.Contains(err.Error(), c.password) {
				t.Error("the password appears in the error")
			}
			if c.kind == apperr.Invalid && ef.emu.Count("auth.getMobileSession") != before {
				t.Error("bad input reached Last.fm")
			}
		})
	}
}

func TestImport(t *testing.T) {
	ef := newEmuFlows(t)
	sk := ef.emu.NewSession("alice")
	skBob := ef.emu.NewSession("bob")
	revoked := ef.emu.NewSession("alice")
	ef.emu.RevokeSession(revoked)
	cases := []struct {
		name, user, key, account string
		kind                     apperr.Kind
		stored                   string
	}{
		{"good key", "alice", sk, "", 0, "alice"},
		{"user name in another case", "Alice", sk, "laptop", 0, "laptop"},
		{"another user's key", "alice", skBob, "", apperr.Invalid, ""},
		{"revoked key", "alice", revoked, "", apperr.Forbidden, ""},
		{"never issued", "alice", "NotAKey_NotAKey_NotAKey_NotAKey_", "", apperr.Forbidden, ""},
		{"empty key", "alice", "", "", apperr.Invalid, ""},
		{"key with a space", "alice", "a b", "", apperr.Invalid, ""},
		{"no user", "", sk, "", apperr.Invalid, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := ef.Import(ctxT(t), c.user, c.key, c.account)
			if c.kind == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if got, _ := ef.store.Get(c.stored); got.Key != c.key || a.Name != c.stored || a.Key != "" {
					t.Errorf("stored %q as %+v", c.stored, a)
				}
				return
			}
			if err == nil || apperr.As(err).Kind != c.kind {
				t.Fatalf("error %v, want kind %v", err, c.kind)
			}
			if c.key != "" && strings.Contains(err.Error(), c.key) {
				t.Error("the key appears in the error")
			}
		})
	}
	if _, ok := ef.store.Get("bob"); ok {
		t.Error("a refused key was stored")
	}
}

func TestManage(t *testing.T) {
	ef := newEmuFlows(t)
	for _, n := range []string{"alice", "bob"} {
		if err := ef.store.Put(accountWith(n)); err != nil {
			t.Fatal(err)
		}
	}
	if err := ef.SetDefault("nobody"); apperr.As(err).Kind != apperr.NotFound {
		t.Errorf("SetDefault(nobody): %v", err)
	}
	if err := ef.SetDefault("bob"); err != nil {
		t.Fatal(err)
	}
	list := ef.List()
	if len(list) != 2 || list[0].Name != "alice" || list[0].Default || !list[1].Default || list[1].Added.IsZero() {
		t.Errorf("List %+v", list)
	}
	refuse := func(a string, force bool) error {
		if !force {
			return apperr.New(apperr.Invalid, 6, "account %s has 3 pending scrobbles: use --force", a)
		}
		return nil
	}
	if err := ef.Logout("bob", false, refuse); err == nil || !strings.Contains(err.Error(), "pending") {
		t.Errorf("Logout refused by the journal: %v", err)
	}
	if _, ok := ef.store.Get("bob"); !ok {
		t.Fatal("refused logout removed the account")
	}
	if err := ef.Logout("bob", true, refuse); err != nil {
		t.Fatal(err)
	}
	if _, ok := ef.store.Get("bob"); ok {
		t.Error("bob still there")
	}
	if err := ef.Logout("bob", false, nil); apperr.As(err).Kind != apperr.NotFound {
		t.Errorf("second logout: %v", err)
	}
}

func TestCheckAccountName(t *testing.T) {
	good := []string{"alice", "A", "rj_2", "work-laptop", "x.y", "_x", strings.Repeat("a", 64)}
	bad := []string{"", "-x", ".x", "a b", "a/b", "a\nb", "ä", "a%2F", strings.Repeat("a", 65), "a:b"}
	for _, n := range good {
		if err := CheckAccountName(n); err != nil {
			t.Errorf("%q refused: %v", n, err)
		}
	}
	for _, n := range bad {
		if err := CheckAccountName(n); err == nil {
			t.Errorf("%q accepted", n)
		}
	}
}

func FuzzCheckAccountName(f *testing.F) {
	for _, s := range []string{"alice", "-x", "a b", "ä", "x.y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if CheckAccountName(name) != nil {
			return
		}
		if len(name) == 0 || len(name) > MaxAccountName || strings.ContainsAny(name, " /\\:\r\n\t%?#&=\"'<>") {
			t.Fatalf("accepted %q", name)
		}
	})
}

// The /2.0/ form of auth.getMobileSession: the older authToken instead of
// a password takes the same path with the same checks.
func TestMobileSessionAuthToken(t *testing.T) {
	ef := newEmuFlows(t)
	md := func(s string) string { x := md5.Sum([]byte(s)); return hex.EncodeToString(x[:]) }
	cases := []struct {
		name  string
		login signer.MobileLogin
		kind  apperr.Kind // 0: signed in
	}{
		{"authToken", signer.MobileLogin{Username: "alice", AuthToken: md("alice" + md("alice-pw"))}, 0},
		{"wrong authToken", signer.MobileLogin{Username: "alice", AuthToken: md("alice" + md("wrong"))}, apperr.Forbidden},
		{"neither", signer.MobileLogin{Username: "alice"}, apperr.Invalid},
		{"huge authToken", signer.MobileLogin{Username: "alice", AuthToken: strings.Repeat("a", MaxPassword+1)}, apperr.Invalid},
		{"huge user name", signer.MobileLogin{Username: strings.Repeat("u", 257), AuthToken: "x"}, apperr.Invalid},
		{"bad account name", signer.MobileLogin{Username: "alice", AuthToken: "x", Account: "-a"}, apperr.Invalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := ef.emu.Count("auth.getMobileSession")
			a, s, err := ef.MobileSession(ctxT(t), c.login)
			if c.kind == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if a.Name != "alice" || a.Key != "" || s.Name != "alice" {
					t.Errorf("account %+v, session name %q", a, s.Name)
				}
				last := ef.emu.Requests()[ef.emu.Count("")-1]
				if last.Params["authToken"] != c.login.AuthToken || last.Params["password"] != "" {
					t.Errorf("sent authToken %v, password %v", last.Params["authToken"] != "", last.Params["password"] != "")
				}
				return
			}
			if ae := apperr.As(err); err == nil || ae.Kind != c.kind {
				t.Fatalf("error %v, want kind %v", err, c.kind)
			}
			if c.kind == apperr.Invalid && ef.emu.Count("auth.getMobileSession") != before {
				t.Error("bad input reached Last.fm")
			}
		})
	}
}
