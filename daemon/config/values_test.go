package config

import (
	"strings"
	"testing"
	"time"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want Size
		err  bool
	}{
		{"64MiB", 64 << 20, false},
		{"512KiB", 512 << 10, false},
		{"1GiB", 1 << 30, false},
		{"2TiB", 2 << 40, false},
		{"1048576", 1048576, false},
		{"10MB", 10_000_000, false},
		{"10kB", 10_000, false},
		{"10KB", 10_000, false},
		{"3GB", 3_000_000_000, false},
		{"64 mib", 64 << 20, false},
		{"100B", 100, false},
		{"1.5GiB", 3 << 29, false},
		{" 7 ", 7, false},
		{"0", 0, false},
		{"", 0, true},
		{"MiB", 0, true},
		{"64M", 0, true},
		{"64XB", 0, true},
		{"-1", 0, true},
		{"-1MiB", 0, true},
		{"1.2.3MB", 0, true},
		{"1e3", 0, true},
		{"9999999999TiB", 0, true},
		{"99999999999999999999", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.err)
		}
		if err != nil && !strings.Contains(err.Error(), "bad size") {
			t.Errorf("ParseSize(%q) error %q", tt.in, err)
		}
	}
}

func TestSizeString(t *testing.T) {
	for in, want := range map[Size]string{
		64 << 20: "64MiB", 512 << 10: "512KiB", 1 << 30: "1GiB", 1536 << 20: "1536MiB",
		10_000_000: "10000000", 0: "0", 1000: "1000", 3 << 40: "3TiB",
	} {
		if got := in.String(); got != want {
			t.Errorf("Size(%d).String() = %q, want %q", int64(in), got, want)
		}
		if back, err := ParseSize(in.String()); err != nil || back != in {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", in.String(), back, err, int64(in))
		}
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		err  bool
	}{
		{"10s", 10 * time.Second, false},
		{"312h", 312 * time.Hour, false},
		{"1m30s", 90 * time.Second, false},
		{"250ms", 250 * time.Millisecond, false},
		{"0s", 0, false},
		{"0", 0, false},
		{"10x", 0, true},
		{"10", 0, true},
		{"", 0, true},
		{"-1s", 0, true},
		{"1d", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if (err != nil) != tt.err || got.Duration != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
	for in, want := range map[time.Duration]string{
		312 * time.Hour: "312h", time.Minute: "1m", 30 * time.Minute: "30m", 10 * time.Second: "10s",
		90 * time.Minute: "1h30m", 90 * time.Second: "1m30s", 0: "0s", 1500 * time.Millisecond: "1.5s",
	} {
		if got := (Duration{in}).String(); got != want {
			t.Errorf("Duration(%v).String() = %q, want %q", in, got, want)
		}
	}
}

func TestUpstreamURL(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://ws.audioscrobbler.com/2.0/", true},
		{"https://example.com:8443/2.0/", true},
		{"http://127.0.0.1:8080/2.0/", true},
		{"http://127.0.0.1/", true},
		{"http://127.9.9.9:1/", true},
		{"http://[::1]/2.0/", true},
		{"http://[::1]:9999/2.0/", true},
		{"http://localhost:9999/2.0/", true},
		{"HTTP://LOCALHOST:9999/", true},
		{"http://ws.audioscrobbler.com/2.0/", false},
		{"http://10.0.0.1:8080/", false},
		{"http://[::2]:8080/", false},
		{"http://localhost.example.com/", false},
		{"http://0.0.0.0:8080/", false},
		{"ftp://127.0.0.1/", false},
		{"ws.audioscrobbler.com/2.0/", false},
		{"", false},
		{"https://user:pass@example.com/", false},
	}
	for _, tt := range tests {
		for _, key := range []string{"lastfm.upstream", "lastfm.auth_url"} {
			env := newEnv(t, settingByPath[key].env, tt.url)
			if tt.url == "" {
				// An empty env var means unset; set it by flag instead.
				env = newEnv(t)
			}
			o := env.opts()
			if tt.url == "" {
				o.Flags = map[string]string{key: ""}
			}
			_, _, err := Load(o)
			if tt.ok && err != nil {
				t.Errorf("%s = %q refused: %v", key, tt.url, err)
			}
			if !tt.ok {
				checkOneLine(t, err)
				if err != nil && !strings.Contains(err.Error(), key) {
					t.Errorf("%s = %q: error %q does not name the key", key, tt.url, err)
				}
			}
		}
	}
}

func TestAllowedHosts(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"music.lan", "music.lan", true},
		{"Music.LAN.", "music.lan", true},
		{"nas", "nas", true},
		{"192.168.1.5", "192.168.1.5", true},
		{"[fe80::1]", "fe80::1", true},
		{"FE80::1", "fe80::1", true},
		{"my_host-1.example", "my_host-1.example", true},
		{"https://music.lan", "", false},
		{"music.lan:7375", "", false},
		{"[fe80::1]:7375", "", false},
		{"[1.2.3.4]", "", false},
		{"music..lan", "", false},
		{"mu sic", "", false},
		{"music.lan/x", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := normalizeHost(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("normalizeHost(%q) = %q, %v; want %q, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestListen(t *testing.T) {
	tests := []struct {
		listen       string
		ok, local    bool
		network, adr string
	}{
		{"127.0.0.1:7375", true, true, "tcp", "127.0.0.1:7375"},
		{"127.0.0.2:7375", true, true, "tcp", "127.0.0.2:7375"},
		{"[::1]:7375", true, true, "tcp", "[::1]:7375"},
		{"localhost:7375", true, true, "tcp", "localhost:7375"},
		{"unix:/run/lastfmd/lastfmd.sock", true, true, "unix", "/run/lastfmd/lastfmd.sock"},
		{"0.0.0.0:7375", true, false, "tcp", "0.0.0.0:7375"},
		{":7375", true, false, "tcp", ":7375"},
		{"[::]:7375", true, false, "tcp", "[::]:7375"},
		{"192.168.1.5:7375", true, false, "tcp", "192.168.1.5:7375"},
		{"music.lan:0", true, false, "tcp", "music.lan:0"},
		{"unix:", false, true, "unix", ""},
		{"127.0.0.1", false, false, "tcp", "127.0.0.1"},
		{"::1:7375", false, false, "tcp", "::1:7375"},
		{"127.0.0.1:", false, true, "tcp", "127.0.0.1:"},
		{"127.0.0.1:99999", false, true, "tcp", "127.0.0.1:99999"},
		{"127.0.0.1:-1", false, true, "tcp", "127.0.0.1:-1"},
	}
	for _, tt := range tests {
		if err := checkListen(tt.listen); (err == nil) != tt.ok {
			t.Errorf("checkListen(%q) = %v, want ok %v", tt.listen, err, tt.ok)
		}
		c := &Config{Listen: tt.listen}
		if got := c.ListenIsLocal(); got != tt.local {
			t.Errorf("ListenIsLocal(%q) = %v, want %v", tt.listen, got, tt.local)
		}
		if n, a := c.ListenNetwork(); n != tt.network || a != tt.adr {
			t.Errorf("ListenNetwork(%q) = %q, %q", tt.listen, n, a)
		}
	}
}
