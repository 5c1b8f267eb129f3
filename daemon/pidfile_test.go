package daemon

import (
	"strings"
	"testing"
)

func TestParsePIDFile(t *testing.T) {
	cases := []struct {
		in   string
		pid  int
		addr string
		ok   bool
	}{
		{"123 http://127.0.0.1:7375\n", 123, "http://127.0.0.1:7375", true},
		{"9 unix:/run/lastfmd/lastfmd.sock", 9, "unix:/run/lastfmd/lastfmd.sock", true},
		{"123", 0, "", false},
		{"-1 http://x", 0, "", false},
		{"abc http://x", 0, "", false},
		{"1 two words", 0, "", false},
		{"", 0, "", false},
		{"1 \xff", 0, "", false},
	}
	for _, c := range cases {
		pid, addr, ok := parsePIDFile([]byte(c.in))
		if pid != c.pid || addr != c.addr || ok != c.ok {
			t.Errorf("parsePIDFile(%q) = %d %q %v, want %d %q %v", c.in, pid, addr, ok, c.pid, c.addr, c.ok)
		}
	}
}

func FuzzParsePIDFile(f *testing.F) {
	for _, s := range []string{"123 http://127.0.0.1:7375\n", "1 unix:/x", "", "x y z"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		pid, addr, ok := parsePIDFile(b)
		if ok && (pid <= 0 || addr == "" || strings.ContainsAny(addr, " \n")) {
			t.Fatalf("%q: %d %q", b, pid, addr)
		}
	})
}
