package authflow

import (
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/emulator"
	"github.com/lastfmd/lastfmd/daemon/listenbrainz"
	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// tokenFlows is mirrorFlows (Last.fm, and Libre.fm as "librefm") with the
// emulator as ListenBrainz added as the mirror "listenbrainz", whose
// accounts sign in with a user token, checked through a real client over
// loopback.
type tokenFlows struct {
	*emuFlows
	lb *emulator.Server
}

func newTokenFlows(t *testing.T) *tokenFlows {
	t.Helper()
	lb, err := emulator.New(emulator.Options{Service: emulator.ListenBrainz})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lb.Close() })
	c, err := listenbrainz.New(listenbrainz.Options{APIRoot: lb.URL(), Service: `mirror "listenbrainz"`, Timeout: waitfor.Bound})
	if err != nil {
		t.Fatal(err)
	}
	mf := newMirrorFlows(t, nil)
	f, err := New(Options{Upstream: mf.up, Accounts: mf.store, APIKey: testKey, AuthURL: mf.emu.AuthURL(),
		Mirrors:      []Mirror{{Name: "librefm", Upstream: mf.up, APIKey: emulator.LibreFMAPIKey}},
		TokenMirrors: []TokenMirror{{Name: "listenbrainz", Validator: c}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	ef := *mf.emuFlows
	ef.Flows = f
	return &tokenFlows{emuFlows: &ef, lb: lb}
}

// auth token: a valid user token is stored as the account's session on
// the ListenBrainz mirror, with the user name validate-token answers; an
// invalid one, a token for Last.fm or for a mirror speaking the Last.fm
// API, an account that does not exist: refused in one line naming what to
// do, nothing stored, and the token never in the error.
func TestTokenOnListenBrainzMirror(t *testing.T) {
	tf := newTokenFlows(t)
	valid := tf.lb.NewUserToken("alice_lb")
	const wrong = "00000000-0000-4000-8000-000000000000"
	cases := []struct {
		name   string
		to     Target
		token  string
		kind   apperr.Kind
		want   string // in the error
		stored string // the account that gets the session
	}{
		{name: "the default account", to: Target{Mirror: "listenbrainz"}, token: valid, stored: "alice"},
		{name: "a named account", to: Target{Account: "bob", Mirror: "listenbrainz"}, token: valid, stored: "bob"},
		{name: "an invalid token", to: Target{Mirror: "listenbrainz"}, token: wrong, kind: apperr.Forbidden,
			want: `mirror "listenbrainz" says the token is not valid there: copy your user token from https://listenbrainz.org/settings/ (a self-hosted server: its settings page; Maloja: an API key from its API keys page), then run ` + "`lastfmd auth token --mirror listenbrainz`" + ` again`},
		{name: "not a token", to: Target{Mirror: "listenbrainz"}, token: "two words", kind: apperr.Invalid,
			want: "not a user token (the token holds a space"},
		{name: "Last.fm", to: Target{}, token: valid, kind: apperr.Invalid,
			want: "a user token signs in to a mirror of type listenbrainz (--mirror NAME); Last.fm signs in with lastfmd auth login"},
		{name: "a mirror speaking the Last.fm API", to: Target{Account: "bob", Mirror: "librefm"}, token: valid, kind: apperr.Invalid,
			want: `mirror "librefm" speaks the Last.fm API and takes no user token; it signs in with lastfmd auth login --mirror librefm --account bob (or auth mobile --mirror librefm)`},
		{name: "an account not signed in to Last.fm", to: Target{Account: "carol", Mirror: "listenbrainz"}, token: valid, kind: apperr.NotFound,
			want: `unknown account "carol": sign it in to Last.fm first (lastfmd auth login --account carol), then to listenbrainz (lastfmd auth token --mirror listenbrainz --account carol)`},
		{name: "a mirror not configured", to: Target{Mirror: "maloja"}, token: valid, kind: apperr.NotFound,
			want: `no mirror "maloja" in the configuration (the mirrors are librefm, listenbrainz)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, name := range []string{"alice", "bob"} {
				_ = tf.store.RemoveMirror(name, "listenbrainz")
			}
			a, err := tf.Token(ctxT(t), c.to, c.token)
			if c.kind != 0 {
				if err == nil || apperr.As(err).Kind != c.kind || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("error %v (kind %v), want %v %q", err, apperr.As(err).Kind, c.kind, c.want)
				}
				if strings.Contains(err.Error(), c.token) {
					t.Error("the token is in the error")
				}
				for _, name := range []string{"alice", "bob"} {
					if got, _ := tf.store.Get(name); len(got.Mirrors) != 0 {
						t.Errorf("%s has mirror sessions %v", name, got.Mirrors)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Name != c.stored || UserAt(a, "listenbrainz") != "alice_lb" || a.Mirrors["listenbrainz"].Key != "" {
				t.Errorf("answered %+v (no key may be answered)", a)
			}
			got, _ := tf.store.Get(c.stored)
			if ms, ok := got.Mirror("listenbrainz"); !ok || ms.Key != c.token || ms.User != "alice_lb" || got.Key != "key-of-"+c.stored {
				t.Errorf("stored %+v", got)
			}
		})
	}
	for _, r := range tf.lb.Requests() {
		if r.Params["token"] != "" || strings.Contains(r.Path, valid) {
			t.Errorf("the token went in the URL: %+v", r)
		}
	}
}

// The validate-token call fails (the service down, answering 503): the
// error says it could not check, with the service's answer, and nothing is
// stored.
func TestTokenWhenTheMirrorFails(t *testing.T) {
	tf := newTokenFlows(t)
	tok := tf.lb.NewUserToken("alice_lb")
	tf.lb.Fail(emulator.Fault{Method: "validate-token", Code: 503})
	_, err := tf.Token(ctxT(t), Target{Mirror: "listenbrainz"}, tok)
	if err == nil || !strings.Contains(err.Error(), `mirror "listenbrainz" could not check the token (the answer was HTTP 503`) ||
		!strings.Contains(err.Error(), "nothing was stored: try again later") || strings.Contains(err.Error(), tok) {
		t.Fatalf("error %v", err)
	}
	if got, _ := tf.store.Get("alice"); len(got.Mirrors) != 0 {
		t.Errorf("stored %v", got.Mirrors)
	}
}

// The sign-ins that make a session (browser, password) on a mirror that
// takes a user token name `lastfmd auth token` instead; the account list
// says each mirror's type; a token stored can be removed with logout; the
// configuration's own "default" takes its token from token_file only.
func TestTokenMirrorOtherFlows(t *testing.T) {
	tf := newTokenFlows(t)
	want := "mirror \"listenbrainz\" signs in with a user token, not a password or a browser: lastfmd auth token --mirror listenbrainz --account bob"
	if _, err := tf.Mobile(ctxT(t), Target{Account: "bob", Mirror: "listenbrainz"}, "alice", "pw"); err == nil || err.Error() != want {
		t.Errorf("mobile: %v, want %q", err, want)
	}
	if _, err := tf.Begin(ctxT(t), Target{Account: "bob", Mirror: "listenbrainz"}); err == nil || err.Error() != want {
		t.Errorf("desktop: %v, want %q", err, want)
	}
	if _, err := tf.StartLogin(ctxT(t), Target{Account: "bob", Mirror: "listenbrainz"}); err == nil || err.Error() != want {
		t.Errorf("StartLogin: %v, want %q", err, want)
	}
	tok := tf.lb.NewUserToken("bob_lb")
	if _, err := tf.Token(ctxT(t), Target{Account: "bob", Mirror: "listenbrainz"}, tok); err != nil {
		t.Fatal(err)
	}
	if err := tf.store.PutMirror("bob", "librefm", accounts.MirrorSession{Key: "libre-key", User: "bob"}); err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, a := range tf.List() {
		for _, m := range a.Mirrors {
			types = append(types, a.Name+" "+m.Mirror+" "+m.Type+" "+m.User)
		}
	}
	if got := strings.Join(types, "; "); got != "bob librefm lastfm bob; bob listenbrainz listenbrainz bob_lb" {
		t.Errorf("listed %q", got)
	}
	if err := tf.LogoutMirror("bob", "listenbrainz", false, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := tf.store.Get("bob"); len(got.Mirrors) != 1 {
		t.Errorf("after logout: %v", got.Mirrors)
	}

	static, err := accounts.Open(t.TempDir(), []accounts.Account{{Name: "default", Key: "k",
		Mirrors: map[string]accounts.MirrorSession{"listenbrainz": {Key: tok}}}})
	if err != nil {
		t.Fatal(err)
	}
	f, err := New(Options{Upstream: tf.up, Accounts: static, APIKey: testKey, AuthURL: tf.emu.AuthURL(),
		TokenMirrors: []TokenMirror{{Name: "listenbrainz", Validator: tf.Flows.mirrors["listenbrainz"].tokens}}})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = f.Token(ctxT(t), Target{Mirror: "listenbrainz"}, tok)
	if want := `account "default" comes from the configuration: its user token on listenbrainz is mirror "listenbrainz"'s token_file`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("static default: %v, want %q", err, want)
	}
}
