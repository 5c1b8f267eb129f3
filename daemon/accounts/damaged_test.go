package accounts

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A damaged sessions.json is named, never loaded silently (issue 14,
// must-show 4).
func TestDamagedSessionsFile(t *testing.T) {
	tests := []struct {
		name, content, want string
	}{
		{"null", "null", "holds null"},
		{"empty", "", "is empty"},
		{"not JSON", "{\"version\":1,", "not valid JSON"},
		{"an array", "[]", "not valid JSON"},
		{"duplicate names", `{"version":1,"accounts":[{"name":"rj","key":"k1"},{"name":"rj","key":"k2"}]}`, `"rj" is listed twice`},
		{"invalid name", `{"version":1,"accounts":[{"name":"../etc","key":"k1"}]}`, "account 1: account name"},
		{"empty name", `{"version":1,"accounts":[{"name":"","key":"k1"}]}`, "an account name is required"},
		{"no key", `{"version":1,"accounts":[{"name":"rj","key":""}]}`, `"rj" has no session key`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, FileName)
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Open(dir, nil)
			var d *DamagedError
			if !errors.As(err, &d) {
				t.Fatalf("Open: %v, want a DamagedError", err)
			}
			for _, want := range []string{path, tt.want, "lastfmd auth login"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%q lacks %q", err, want)
				}
			}
			if strings.Contains(err.Error(), "k1") || strings.Contains(err.Error(), "k2") {
				t.Errorf("the message shows a session key: %q", err)
			}
		})
	}
}

// Good files load, including an old account named "default".
func TestSessionsFileGoodShapes(t *testing.T) {
	for _, content := range []string{
		`{"version":1,"accounts":[]}`,
		`{"version":1}`,
		`{"version":1,"default":"b","accounts":[{"name":"a","key":"k"},{"name":"b.work","key":"k2"}]}`,
		`{"version":1,"accounts":[{"name":"default","key":"k"}]}`,
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, FileName), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(dir, nil); err != nil {
			t.Errorf("%s: %v", content, err)
		}
	}
}

func TestCheckNameAndReserved(t *testing.T) {
	for name, ok := range map[string]bool{"rj": true, "rj-work": true, "a.b_c": true, "-x": false, ".x": false,
		"": false, "a b": false, strings.Repeat("a", MaxName): true, strings.Repeat("a", MaxName+1): false} {
		if err := CheckName(name); (err == nil) != ok {
			t.Errorf("CheckName(%q) = %v", name, err)
		}
	}
	for name, want := range map[string]bool{"default": true, "Default": true, "defaults": false, "rj": false} {
		if Reserved(name) != want {
			t.Errorf("Reserved(%q) != %v", name, want)
		}
	}
}

// FuzzParseSessions: sessions.json may hold anything. parseFile never
// panics, and what it accepts has unique names of the right shape, each
// with a key.
//
//	go test -run='^$' -fuzz='^FuzzParseSessions$' -fuzztime=30s ./daemon/accounts/
func FuzzParseSessions(f *testing.F) {
	for _, seed := range []string{"null", "", "[]", `{"version":1,"accounts":[{"name":"rj","key":"k"}]}`,
		`{"version":1,"accounts":[{"name":"rj","key":"k"},{"name":"rj","key":"k"}]}`, `{"version":2}`, `{"accounts":null}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := parseFile("/s/sessions.json", raw)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, a := range got.Accounts {
			if CheckName(a.Name) != nil || seen[a.Name] || strings.TrimSpace(a.Key) == "" {
				t.Fatalf("accepted %+v", a.Name)
			}
			seen[a.Name] = true
		}
	})
}
