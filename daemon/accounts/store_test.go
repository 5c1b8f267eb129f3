package accounts

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestStoreLifecycle(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, []Account{{Name: DefaultName, Key: "static-key-0001"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(Account{Name: "alice", Key: "alice-key-0001", User: "alice"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(Account{Name: "bob", Key: "bob-key-0001"}); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, FileName))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("sessions.json: %v mode %v", err, st.Mode().Perm())
	}
	if d, _ := s.Default(); d.Name != DefaultName {
		t.Errorf("default %q: the configured account named default wins", d.Name)
	}
	if keys := s.Keys(); !slices.Contains(keys, "static-key-0001") || !slices.Contains(keys, "bob-key-0001") || len(keys) != 3 {
		t.Errorf("Keys %v", keys)
	}
	// Another process (the CLI) changes the file: a new Store sees it,
	// and this one re-reads it on the next lookup.
	other, err := Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Put(Account{Name: "carol", Key: "carol-key-0001"}); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Get("carol"); !ok {
		t.Error("a running store did not see an account added by another process")
	}
	if !slices.Contains(s.Keys(), "carol-key-0001") {
		t.Error("Keys not refreshed after the re-read")
	}
	if err := s.Remove("bob"); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(s.Keys(), "bob-key-0001") {
		t.Error("a removed account's key is still listed")
	}
	if err := s.Remove(DefaultName); err == nil || !strings.Contains(err.Error(), "configuration") {
		t.Errorf("removing the configured account: %v", err)
	}
	changed, err := s.MarkNeedsSignin("alice")
	if err != nil || !changed {
		t.Fatalf("MarkNeedsSignin: %v %v", changed, err)
	}
	if again, _ := s.MarkNeedsSignin("alice"); again {
		t.Error("marked twice: the caller would log twice")
	}
	if err := s.Put(Account{Name: "alice", Key: "alice-key-0002"}); err != nil {
		t.Fatal(err)
	}
	if a, _ := s.Get("alice"); a.NeedsSignin || a.Key != "alice-key-0002" {
		t.Errorf("signing in again: %+v", a.NeedsSignin)
	}
}

func TestStoreRefusesNewerSchema(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, FileName), []byte(`{"version":99,"accounts":[]}`), 0o600)
	if _, err := Open(dir, nil); err == nil || !strings.Contains(err.Error(), "upgrade lastfmd") {
		t.Fatalf("Open: %v", err)
	}
	os.WriteFile(filepath.Join(dir, FileName), []byte(`{not json`), 0o600)
	if _, err := Open(dir, nil); err == nil || !strings.Contains(err.Error(), "not valid JSON") {
		t.Fatalf("Open: %v", err)
	}
}
