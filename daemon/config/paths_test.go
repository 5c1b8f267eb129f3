package config

import (
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestResolvePath(t *testing.T) {
	home := t.TempDir()
	xdg := t.TempDir()
	xdgFile := writeFile(t, xdg, "lastfmd/lastfmd.toml", "", 0o644)
	homeFile := writeFile(t, home, ".config/lastfmd/lastfmd.toml", "", 0o644)
	tests := []struct {
		name         string
		path         string
		env          map[string]string
		want         string
		wantExplicit bool
	}{
		{"flag", "/from/flag.toml", map[string]string{"LASTFMD_CONFIG": "/from/env.toml"}, "/from/flag.toml", true},
		{"env", "", map[string]string{"LASTFMD_CONFIG": "/from/env.toml", "XDG_CONFIG_HOME": xdg}, "/from/env.toml", true},
		{"xdg", "", map[string]string{"XDG_CONFIG_HOME": xdg, "HOME": home}, xdgFile, false},
		{"home", "", map[string]string{"HOME": home}, homeFile, false},
		{"relative xdg ignored", "", map[string]string{"XDG_CONFIG_HOME": "rel", "HOME": home}, homeFile, false},
		{"system", "", map[string]string{"XDG_CONFIG_HOME": t.TempDir(), "HOME": home}, systemConfigFile, false},
		{"no home", "", map[string]string{}, systemConfigFile, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string { return tt.env[k] }
			got, explicit := ResolvePath(Options{Path: tt.path, Getenv: getenv})
			if got != tt.want || explicit != tt.wantExplicit {
				t.Errorf("ResolvePath = %q, %v; want %q, %v", got, explicit, tt.want, tt.wantExplicit)
			}
		})
	}
}

// TestLoadUserFile checks Load reads the user's file when nothing names one.
func TestLoadUserFile(t *testing.T) {
	env := newEnv(t)
	writeFile(t, env.vars["HOME"], ".config/lastfmd/lastfmd.toml", `log_level = "debug"`, 0o644)
	c, _ := mustLoad(t, env.opts())
	if c.LogLevel != "debug" || !strings.HasSuffix(c.File, filepath.Join(".config", "lastfmd", "lastfmd.toml")) {
		t.Errorf("LogLevel %q from File %q", c.LogLevel, c.File)
	}
}

func TestPlatformPaths(t *testing.T) {
	env := map[string]string{
		"HOME": "/home/u", "USERPROFILE": `C:\Users\u`, "AppData": `C:\Users\u\AppData\Roaming`,
		"LocalAppData": `C:\Users\u\AppData\Local`, "ProgramData": `D:\ProgramData`,
	}
	getenv := func(k string) string { return env[k] }
	tests := []struct {
		goos                string
		user, system, state string // suffixes
	}{
		{"linux", "/home/u/.config/lastfmd/lastfmd.toml", "/etc/lastfmd/lastfmd.toml", "/home/u/.local/state/lastfmd"},
		{"openbsd", "/home/u/.config/lastfmd/lastfmd.toml", "/etc/lastfmd/lastfmd.toml", "/home/u/.local/state/lastfmd"},
		{"freebsd", "/home/u/.config/lastfmd/lastfmd.toml", "/usr/local/etc/lastfmd/lastfmd.toml", "/home/u/.local/state/lastfmd"},
		{"darwin", "/home/u/Library/Application Support/lastfmd/lastfmd.toml", "/Library/Application Support/lastfmd/lastfmd.toml", "/home/u/Library/Application Support/lastfmd"},
		// filepath joins with the host's separator; the prefix is what matters.
		{"windows", `C:\Users\u\AppData\Roaming`, `D:\ProgramData`, `C:\Users\u\AppData\Local`},
	}
	for _, tt := range tests {
		user, err := userConfigPath(tt.goos, getenv)
		if err != nil || !strings.HasPrefix(user, tt.user) {
			t.Errorf("%s: user config %q, %v; want %q", tt.goos, user, err, tt.user)
		}
		if sys := systemConfigPath(tt.goos, getenv); !strings.HasPrefix(sys, tt.system) {
			t.Errorf("%s: system config %q; want %q", tt.goos, sys, tt.system)
		}
		state, err := defaultStateDir(tt.goos, getenv)
		if err != nil || !strings.HasPrefix(state, tt.state) {
			t.Errorf("%s: state dir %q, %v; want %q", tt.goos, state, err, tt.state)
		}
	}
	if runtime.GOOS == "linux" && SystemConfigPath() != "/etc/lastfmd/lastfmd.toml" {
		t.Errorf("SystemConfigPath() = %q", SystemConfigPath())
	}

	// Without a home directory there is no default state dir: Load says
	// which key to set.
	_, _, err := Load(Options{Getenv: func(string) string { return "" }, Unsetenv: func(string) error { return nil }})
	if runtime.GOOS != "windows" {
		checkOneLine(t, err)
		if !strings.Contains(err.Error(), "state_dir") || !strings.Contains(err.Error(), "LASTFMD_STATE_DIR") {
			t.Errorf("error %q", err)
		}
	}
}
