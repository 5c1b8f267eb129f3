package config

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// systemConfigFile is the system-wide file ResolvePath falls back to. It is
// a variable only so tests can point it away from the real /etc.
var systemConfigFile = SystemConfigPath()

// ResolvePath finds the configuration file: the --config flag (o.Path),
// else $LASTFMD_CONFIG, else the user's file (userConfigPath) if it exists,
// else the system file (SystemConfigPath). explicit reports that the path
// was named by the flag or the environment: Load treats a missing explicit
// file as an error and a missing default file as "no file".
func ResolvePath(o Options) (path string, explicit bool) {
	getenv := o.getenv()
	if o.Path != "" {
		return o.Path, true
	}
	if p := getenv("LASTFMD_CONFIG"); p != "" {
		return p, true
	}
	if p, err := userConfigPath(runtime.GOOS, getenv); err == nil {
		// Anything but "does not exist" (e.g. permission denied) counts as
		// present, so Load reports the real problem instead of silently
		// falling back to another file.
		if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
			return p, false
		}
	}
	return systemConfigFile, false
}

// userConfigPath returns the per-user configuration file of goos:
// $XDG_CONFIG_HOME/lastfmd/lastfmd.toml (XDG_CONFIG_HOME defaults to
// ~/.config); on macOS ~/Library/Application Support/lastfmd/lastfmd.toml;
// on Windows %AppData%\lastfmd\lastfmd.toml.
func userConfigPath(goos string, getenv func(string) string) (string, error) {
	switch goos {
	case "windows":
		d := getenv("AppData")
		if d == "" {
			return "", errors.New("%AppData% is not set")
		}
		return filepath.Join(d, "lastfmd", "lastfmd.toml"), nil
	case "darwin", "ios":
		h, err := home(goos, getenv)
		if err != nil {
			return "", err
		}
		return filepath.Join(h, "Library", "Application Support", "lastfmd", "lastfmd.toml"), nil
	}
	// The XDG spec says a relative value is invalid and must be ignored.
	if d := getenv("XDG_CONFIG_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "lastfmd", "lastfmd.toml"), nil
	}
	h, err := home(goos, getenv)
	if err != nil {
		return "", err
	}
	return filepath.Join(h, ".config", "lastfmd", "lastfmd.toml"), nil
}

// SystemConfigPath returns the system-wide configuration file of this OS:
// /etc/lastfmd/lastfmd.toml; /usr/local/etc/lastfmd/lastfmd.toml on FreeBSD
// and DragonFly (where packages keep their configuration);
// "/Library/Application Support/lastfmd/lastfmd.toml" on macOS;
// %ProgramData%\lastfmd\lastfmd.toml on Windows.
func SystemConfigPath() string { return systemConfigPath(runtime.GOOS, os.Getenv) }

func systemConfigPath(goos string, getenv func(string) string) string {
	switch goos {
	case "windows":
		d := getenv("ProgramData")
		if d == "" {
			d = `C:\ProgramData`
		}
		return filepath.Join(d, "lastfmd", "lastfmd.toml")
	case "darwin", "ios":
		return "/Library/Application Support/lastfmd/lastfmd.toml"
	case "freebsd", "dragonfly":
		return "/usr/local/etc/lastfmd/lastfmd.toml"
	}
	return "/etc/lastfmd/lastfmd.toml"
}

// DefaultStateDir returns the state directory used when state_dir is not
// set: $STATE_DIRECTORY (set by systemd's StateDirectory=), else
// $XDG_STATE_HOME/lastfmd, else ~/.local/state/lastfmd; on macOS
// ~/Library/Application Support/lastfmd; on Windows %LocalAppData%\lastfmd.
// getenv nil means os.Getenv.
func DefaultStateDir(getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	return defaultStateDir(runtime.GOOS, getenv)
}

func defaultStateDir(goos string, getenv func(string) string) (string, error) {
	if d := getenv("STATE_DIRECTORY"); d != "" {
		// systemd joins several StateDirectory= entries with ':'; ours is
		// the first.
		d, _, _ = strings.Cut(d, ":")
		return d, nil
	}
	switch goos {
	case "windows":
		d := getenv("LocalAppData")
		if d == "" {
			return "", errors.New("%LocalAppData% is not set")
		}
		return filepath.Join(d, "lastfmd"), nil
	case "darwin", "ios":
		h, err := home(goos, getenv)
		if err != nil {
			return "", err
		}
		return filepath.Join(h, "Library", "Application Support", "lastfmd"), nil
	}
	if d := getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, "lastfmd"), nil
	}
	h, err := home(goos, getenv)
	if err != nil {
		return "", err
	}
	return filepath.Join(h, ".local", "state", "lastfmd"), nil
}

// home returns the user's home directory from the (injectable) environment,
// as os.UserHomeDir would.
func home(goos string, getenv func(string) string) (string, error) {
	name := "HOME"
	if goos == "windows" {
		name = "USERPROFILE"
	}
	if h := getenv(name); h != "" {
		return h, nil
	}
	return "", errors.New("$" + name + " is not set")
}

// expandHome turns a leading "~/" into the home directory, because a path
// in a TOML file is not expanded by any shell.
func expandHome(p string, getenv func(string) string) string {
	if p != "~" && !strings.HasPrefix(p, "~/") {
		return p
	}
	h, err := home(runtime.GOOS, getenv)
	if err != nil {
		return p
	}
	return filepath.Join(h, strings.TrimPrefix(p, "~"))
}
