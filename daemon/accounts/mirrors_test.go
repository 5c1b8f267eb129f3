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
