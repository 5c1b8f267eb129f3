package accounts

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestCheckMirrorName(t *testing.T) {
	for name, ok := range map[string]bool{
		"librefm": true, "my_server-2": true, "a": true, strings.Repeat("x", 32): true,
		"": false, strings.Repeat("x", 33): false, "lastfm": false, "LibreFM": false, "libre.fm": false, "a b": false, "é": false,
	} {
		if err := CheckMirrorName(name); (err == nil) != ok {
			t.Errorf("CheckMirrorName(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}

// testdata/sessions-v1.json was written by the build before schema 2
// (commit cc27924). It is read as it is, and the first change writes it in
// schema 2 with the account's mirror sessions beside its Last.fm one.
func TestOpensSessionsOfSchema1(t *testing.T) {
	dir := t.TempDir()
	raw, err := os.ReadFile(filepath.Join("testdata", "sessions-v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, FileName), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	alice, ok := s.Get("alice")
	if def, _ := s.Default(); !ok || !alice.NeedsSignin || alice.User != "alice" || def.Name != "bob-work" {
		t.Fatalf("after opening a schema 1 file: alice %+v, default %+v", alice, def)
	}
	const libreKey = "LIBREFM-SESSION-0123456789abcdef"
	if err := s.PutMirror("alice", "librefm", MirrorSession{Key: libreKey, User: "alice"}); err != nil {
		t.Fatal(err)
	}
	var f struct {
		Version int `json:"version"`
	}
	raw, _ = os.ReadFile(filepath.Join(dir, FileName))
	if err := json.Unmarshal(raw, &f); err != nil || f.Version != SchemaVersion {
		t.Fatalf("written as version %d (%v), want %d", f.Version, err, SchemaVersion)
	}
	again, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	alice, _ = again.Get("alice")
	if ms, ok := alice.Mirror("librefm"); !ok || ms.Key != libreKey || alice.Key != "ALICE-SESSION-KEY-0123456789abcdef" {
		t.Fatalf("alice after reopening: %+v", alice)
	}
	if !slices.Contains(again.Keys(), libreKey) {
		t.Error("the redactor's keys lack the mirror session")
	}
}

// Signing in to Last.fm again keeps the account's mirror sessions; one can
// be removed alone; a mirror session needs an account first.
func TestMirrorSessions(t *testing.T) {
	s, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutMirror("alice", "librefm", MirrorSession{Key: "k1-0123456789"}); !errors.Is(err, ErrUnknown) {
		t.Fatalf("mirror session without an account: %v", err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Put(Account{Name: "alice", Key: "lastfm-0123456789"}))
	must(s.PutMirror("alice", "librefm", MirrorSession{Key: "libre-0123456789"}))
	must(s.PutMirror("alice", "other", MirrorSession{Key: "other-0123456789"}))
	must(s.Put(Account{Name: "alice", Key: "lastfm-new-0123456789"}))
	a, _ := s.Get("alice")
	if len(a.Mirrors) != 2 || a.Key != "lastfm-new-0123456789" {
		t.Fatalf("after signing in again: %+v", a)
	}
	must(s.RemoveMirror("alice", "librefm"))
	a, _ = s.Get("alice")
	if _, ok := a.Mirror("librefm"); ok || len(a.Mirrors) != 1 {
		t.Fatalf("after removing librefm: %+v", a)
	}
	if err := s.RemoveMirror("alice", "librefm"); err == nil {
		t.Error("removing a session that is not there: no error")
	}
	if err := s.PutMirror("alice", "lastfm", MirrorSession{Key: "x-0123456789"}); err == nil {
		t.Error(`a mirror called "lastfm" was stored`)
	}
}

// A mirror session without a key, or under a name of the wrong shape,
// makes the file damaged, as an account's would.
func TestDamagedMirrorSessions(t *testing.T) {
	for name, body := range map[string]string{
		"no key":   `{"version":2,"accounts":[{"name":"a","key":"k","mirrors":{"librefm":{"key":""}}}]}`,
		"bad name": `{"version":2,"accounts":[{"name":"a","key":"k","mirrors":{"Libre.fm":{"key":"x"}}}]}`,
	} {
		var dmg *DamagedError
		if _, err := parseFile("sessions.json", []byte(body)); !errors.As(err, &dmg) {
			t.Errorf("%s: %v, want a damaged file", name, err)
		}
	}
}

// MarkMirrorNeedsSignin marks one account's session on one mirror, once:
// in the file for a stored account, in memory for the static "default"
// (a mirror's session_key_file); nothing else changes, and what does not
// exist is no error.
func TestMarkMirrorNeedsSignin(t *testing.T) {
	cases := []struct {
		name, account, mirror string
		changed               bool
		// marked lists "account/mirror" expected to need a sign-in after.
		marked []string
	}{
		{"a stored account", "alice", "librefm", true, []string{"alice/librefm"}},
		{"the static default", DefaultName, "librefm", true, []string{"default/librefm"}},
		{"another mirror of the account", "alice", "other", true, []string{"alice/other"}},
		{"a mirror the account has no session on", "bob", "other", false, nil},
		{"an unknown account", "nobody", "librefm", false, nil},
		{"an unknown mirror", "alice", "nowhere", false, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := Open(dir, []Account{{Name: DefaultName, Key: "static-0123456789",
				Mirrors: map[string]MirrorSession{"librefm": {Key: "static-libre-0123456789"}}}})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range []string{"alice", "bob"} {
				if err := s.Put(Account{Name: a, Key: a + "-0123456789"}); err != nil {
					t.Fatal(err)
				}
				if err := s.PutMirror(a, "librefm", MirrorSession{Key: a + "-libre-0123456789"}); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.PutMirror("alice", "other", MirrorSession{Key: "alice-other-0123456789"}); err != nil {
				t.Fatal(err)
			}
			changed, err := s.MarkMirrorNeedsSignin(c.account, c.mirror)
			if err != nil || changed != c.changed {
				t.Fatalf("MarkMirrorNeedsSignin = %v, %v; want %v", changed, err, c.changed)
			}
			if again, _ := s.MarkMirrorNeedsSignin(c.account, c.mirror); again {
				t.Error("marking twice reported a change twice")
			}
			// A stored mark is in the file: a new Store sees it.
			reopened, err := Open(dir, s.static)
			if err != nil {
				t.Fatal(err)
			}
			var marked []string
			for _, a := range s.List() {
				if a.NeedsSignin {
					t.Errorf("account %s's Last.fm session was marked", a.Name)
				}
				for name, ms := range a.Mirrors {
					if ms.NeedsSignin {
						marked = append(marked, a.Name+"/"+name)
					}
				}
				if a.Static {
					continue
				}
				b, _ := reopened.Get(a.Name)
				for name, ms := range a.Mirrors {
					if b.Mirrors[name].NeedsSignin != ms.NeedsSignin {
						t.Errorf("%s/%s: the mark is not in the file", a.Name, name)
					}
				}
			}
			slices.Sort(marked)
			if !slices.Equal(marked, c.marked) {
				t.Errorf("marked %v, want %v", marked, c.marked)
			}
			// Signing in there again clears it.
			if c.changed && c.account != DefaultName {
				if err := s.PutMirror(c.account, c.mirror, MirrorSession{Key: "new-0123456789"}); err != nil {
					t.Fatal(err)
				}
				if a, _ := s.Get(c.account); a.Mirrors[c.mirror].NeedsSignin {
					t.Error("signing in again did not clear the mark")
				}
			}
		})
	}
}
