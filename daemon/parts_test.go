package daemon

import (
	"slices"
	"testing"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/authflow"
	"github.com/lastfmd/lastfmd/daemon/config"
)

// OpenAccounts' static account "default" carries lastfm.session_key_file's
// session and each mirror's session_key_file as its session there; the
// redactor knows them all. Without [lastfm]'s there is no such account
// (config.Load warns about the mirror's file).
func TestOpenAccountsMirrorSessionsOfDefault(t *testing.T) {
	const lastfmKey, libreKey = "LASTFM-SESSION-0123456789", "LIBREFM-SESSION-0123456789"
	cases := []struct {
		name       string
		lastfm     config.Secret
		mirrors    []config.Mirror
		wantLibre  bool
		wantStatic bool
	}{
		{"both", lastfmKey, []config.Mirror{{Name: "librefm", SessionKey: libreKey}, {Name: "other"}}, true, true},
		{"Last.fm's only", lastfmKey, []config.Mirror{{Name: "librefm"}}, false, true},
		{"the mirror's only", "", []config.Mirror{{Name: "librefm", SessionKey: libreKey}}, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := config.Defaults()
			cfg.StateDir = t.TempDir()
			cfg.LastFM.SessionKey = c.lastfm
			cfg.Mirrors = c.mirrors
			r := NewRedactor(&cfg)
			store, err := OpenAccounts(&cfg, r, RedactLog(nil, r))
			if err != nil {
				t.Fatal(err)
			}
			def, ok := store.Get(accounts.DefaultName)
			if ok != c.wantStatic {
				t.Fatalf("account default: %v, want %v", ok, c.wantStatic)
			}
			ms, ok := def.Mirror("librefm")
			if ok != c.wantLibre || ok && ms.Key != libreKey {
				t.Errorf("default's session on librefm: %v (%v)", ok, ms.Key == libreKey)
			}
			if _, ok := def.Mirror("other"); ok {
				t.Error("a session on a mirror without session_key_file")
			}
			if c.wantLibre && !slices.Contains(store.Keys(), libreKey) {
				t.Error("the redactor does not know the mirror's session key")
			}
		})
	}
}

// A ListenBrainz mirror's token_file is the static account "default"'s
// session there, as a lastfm-type mirror's session_key_file is; the
// redactor knows it; a ListenBrainz mirror's (unset) session key is not
// read, nor a lastfm-type mirror's token.
func TestOpenAccountsListenBrainzTokenOfDefault(t *testing.T) {
	const lastfmKey, token = "LASTFM-SESSION-0123456789", "6f1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"
	cfg := config.Defaults()
	cfg.StateDir = t.TempDir()
	cfg.LastFM.SessionKey = lastfmKey
	cfg.Mirrors = []config.Mirror{
		{Name: "listenbrainz", Type: config.MirrorTypeListenBrainz, Token: token},
		{Name: "maloja", Type: config.MirrorTypeListenBrainz},
		{Name: "librefm", Type: config.MirrorTypeLastFM, Token: "not-read"},
	}
	r := NewRedactor(&cfg)
	store, err := OpenAccounts(&cfg, r, RedactLog(nil, r))
	if err != nil {
		t.Fatal(err)
	}
	def, _ := store.Get(accounts.DefaultName)
	if ms, ok := def.Mirror("listenbrainz"); !ok || ms.Key != token {
		t.Errorf("default's session on listenbrainz: %v (%v)", ok, ms.Key == token)
	}
	for _, name := range []string{"maloja", "librefm"} {
		if _, ok := def.Mirror(name); ok {
			t.Errorf("a session on %s", name)
		}
	}
	if !slices.Contains(store.Keys(), token) || r.String("Authorization: Token "+token) == "Authorization: Token "+token {
		t.Error("the redactor does not know the token")
	}
}

// The account list names mirror types as the configuration does.
func TestMirrorTypeNamesAgree(t *testing.T) {
	if authflow.MirrorTypeLastFM != config.MirrorTypeLastFM || authflow.MirrorTypeListenBrainz != config.MirrorTypeListenBrainz {
		t.Error("authflow's mirror type names differ from config's")
	}
}
