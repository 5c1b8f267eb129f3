package service

import (
	"maps"
	"strings"
	"testing"
)

func TestParseShow(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want map[string]string
	}{
		{"", map[string]string{}},
		{"A=1\nB=\n", map[string]string{"A": "1", "B": ""}},
		{"ExecStart={ path=/x ; argv[]=/x run }\r\n", map[string]string{"ExecStart": "{ path=/x ; argv[]=/x run }"}},
		{"no equals\n=value\nkey with space=x\nOK=yes", map[string]string{"OK": "yes"}},
		{"A=1\nA=2\n", map[string]string{"A": "2"}},
	} {
		if got := ParseShow(tc.in); !maps.Equal(got, tc.want) {
			t.Errorf("ParseShow(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// FuzzParseShow: any systemctl output parses without panicking, every
// property comes from a line of it, and the state is one of the five.
func FuzzParseShow(f *testing.F) {
	f.Add("LoadState=loaded\nActiveState=active\nSubState=running\nMainPID=12\n")
	f.Add("LoadState=not-found\n")
	f.Add("=\n==\nA==B\n\x00=\xff\n")
	f.Fuzz(func(t *testing.T, out string) {
		props := ParseShow(out)
		for k, v := range props {
			if k == "" || strings.ContainsAny(k, " \t\n") {
				t.Fatalf("bad key %q", k)
			}
			if !strings.Contains(out, k+"="+v) {
				t.Fatalf("%q=%q is not in the output", k, v)
			}
		}
		switch s := stateOf(props); s {
		case StateNotInstalled, StateStopped, StateRunning, StateFailed, StateUnknown:
		default:
			t.Fatalf("state %q", s)
		}
	})
}

func TestCheckBinary(t *testing.T) {
	for _, tc := range []struct {
		exe  string
		user bool
		ok   bool
	}{
		{"/usr/local/bin/lastfmd", false, true},
		{"/usr/bin/lastfmd", false, true},
		{"/opt/lastfmd/bin/lastfmd", false, true},
		{"/homestead/lastfmd", false, true}, // not /home
		{"/home/alice/go/bin/lastfmd", false, false},
		{"/home/alice/go/bin/lastfmd", true, true},
		{"/tmp/lastfmd", false, false},
		{"/tmp/lastfmd", true, true},
		{"/tmp/go-build1/b001/exe/lastfmd", true, false},
		{"/home/a/.cache/go-build/x/go-build9/b001/exe/lastfmd", true, false},
	} {
		err := checkBinary(tc.exe, tc.user)
		if (err == nil) != tc.ok {
			t.Errorf("checkBinary(%q, user=%v) = %v", tc.exe, tc.user, err)
		}
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"/usr/local/bin/lastfmd": "/usr/local/bin/lastfmd",
		"/home/a b/lastfmd":      "'/home/a b/lastfmd'",
		"it's":                   `'it'\''s'`,
		"":                       "''",
		"$(rm -rf /)":            "'$(rm -rf /)'",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %q, want %q", in, got, want)
		}
	}
}
