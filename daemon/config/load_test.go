package config

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLoadDefaults(t *testing.T) {
	env := newEnv(t)
	c, warnings := mustLoad(t, env.opts())
	if len(warnings) != 0 {
		t.Errorf("warnings: %q", warnings)
	}
	want := Defaults()
	want.StateDir = filepath.Join(env.vars["HOME"], ".local", "state", "lastfmd")
	if got := plain(c); !reflect.DeepEqual(got, want) {
		t.Errorf("Load with nothing set:\n got %+v\nwant %+v", got, want)
	}
	if c.File != "" {
		t.Errorf("File = %q, want none", c.File)
	}
}

func TestPrecedence(t *testing.T) {
	file := `
listen = "127.0.0.1:1111"
state_dir = "/file/state"
log_level = "debug"
[lastfm]
timeout = "11s"
rate = 1.5
sign_unknown_methods = ["file.method"]
[cache]
max_bytes = 1048576
[scrobble]
batch_size = 10
[security]
allowed_hosts = ["file.example"]
`
	tests := []struct {
		key     string
		env     string // value of the key's env var, "" = unset
		flag    string // value of the flag, "" = not given
		inFile  bool
		want    any
		wantSrc string // origin kind
		get     func(*Config) any
	}{
		{key: "listen", want: "127.0.0.1:7375", get: func(c *Config) any { return c.Listen }},
		{key: "listen", inFile: true, want: "127.0.0.1:1111", wantSrc: "file", get: func(c *Config) any { return c.Listen }},
		{key: "listen", inFile: true, env: "127.0.0.1:2222", want: "127.0.0.1:2222", wantSrc: "env", get: func(c *Config) any { return c.Listen }},
		{key: "listen", inFile: true, env: "127.0.0.1:2222", flag: "[::1]:3333", want: "[::1]:3333", wantSrc: "flag", get: func(c *Config) any { return c.Listen }},
		{key: "state_dir", inFile: true, want: "/file/state", wantSrc: "file", get: func(c *Config) any { return c.StateDir }},
		{key: "state_dir", inFile: true, env: "/env/state", want: "/env/state", wantSrc: "env", get: func(c *Config) any { return c.StateDir }},
		{key: "state_dir", env: "/env/state", flag: "/flag/state", want: "/flag/state", wantSrc: "flag", get: func(c *Config) any { return c.StateDir }},
		{key: "log_level", inFile: true, env: "WARN", want: "warn", wantSrc: "env", get: func(c *Config) any { return c.LogLevel }},
		{key: "lastfm.timeout", want: 10 * time.Second, get: func(c *Config) any { return c.LastFM.Timeout.Duration }},
		{key: "lastfm.timeout", inFile: true, want: 11 * time.Second, wantSrc: "file", get: func(c *Config) any { return c.LastFM.Timeout.Duration }},
		{key: "lastfm.timeout", inFile: true, env: "12s", want: 12 * time.Second, wantSrc: "env", get: func(c *Config) any { return c.LastFM.Timeout.Duration }},
		{key: "lastfm.timeout", inFile: true, env: "12s", flag: "13s", want: 13 * time.Second, wantSrc: "flag", get: func(c *Config) any { return c.LastFM.Timeout.Duration }},
		{key: "lastfm.rate", inFile: true, want: 1.5, wantSrc: "file", get: func(c *Config) any { return c.LastFM.Rate }},
		{key: "lastfm.rate", inFile: true, env: "0.5", want: 0.5, wantSrc: "env", get: func(c *Config) any { return c.LastFM.Rate }},
		{key: "lastfm.sign_unknown_methods", inFile: true, want: []string{"file.method"}, wantSrc: "file", get: func(c *Config) any { return c.LastFM.SignUnknownMethods }},
		{key: "lastfm.sign_unknown_methods", inFile: true, env: "a.b, c.d,", want: []string{"a.b", "c.d"}, wantSrc: "env", get: func(c *Config) any { return c.LastFM.SignUnknownMethods }},
		{key: "cache.max_bytes", want: Size(64 << 20), get: func(c *Config) any { return c.Cache.MaxBytes }},
		{key: "cache.max_bytes", inFile: true, want: Size(1 << 20), wantSrc: "file", get: func(c *Config) any { return c.Cache.MaxBytes }},
		{key: "cache.max_bytes", inFile: true, env: "10MB", want: Size(10_000_000), wantSrc: "env", get: func(c *Config) any { return c.Cache.MaxBytes }},
		{key: "cache.max_bytes", inFile: true, env: "10MB", flag: "1GiB", want: Size(1 << 30), wantSrc: "flag", get: func(c *Config) any { return c.Cache.MaxBytes }},
		{key: "scrobble.batch_size", inFile: true, env: "20", want: 20, wantSrc: "env", get: func(c *Config) any { return c.Scrobble.BatchSize }},
		{key: "security.allowed_hosts", inFile: true, want: []string{"file.example"}, wantSrc: "file", get: func(c *Config) any { return c.Security.AllowedHosts }},
		{key: "security.allowed_hosts", inFile: true, env: "Env.Example,10.0.0.1", want: []string{"env.example", "10.0.0.1"}, wantSrc: "env", get: func(c *Config) any { return c.Security.AllowedHosts }},
	}
	for _, tt := range tests {
		name := tt.key + "/file=" + map[bool]string{true: "yes", false: "no"}[tt.inFile] + "/env=" + tt.env + "/flag=" + tt.flag
		t.Run(name, func(t *testing.T) {
			env := newEnv(t)
			if tt.env != "" {
				env.vars[settingByPath[tt.key].env] = tt.env
			}
			o := env.opts()
			if tt.inFile {
				o.Path = writeConfig(t, file)
			}
			if tt.flag != "" {
				o.Flags = map[string]string{tt.key: tt.flag}
			}
			c, _ := mustLoad(t, o)
			if got := tt.get(c); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("%s = %#v, want %#v", tt.key, got, tt.want)
			}
			if got := c.origin[tt.key].kind; got != tt.wantSrc {
				t.Errorf("%s came from %q, want %q", tt.key, got, tt.wantSrc)
			}
		})
	}
}

func TestStateDirDefaultFromSystemd(t *testing.T) {
	env := newEnv(t, "STATE_DIRECTORY", "/var/lib/lastfmd:/var/lib/other", "XDG_STATE_HOME", "/xdg/state")
	c, _ := mustLoad(t, env.opts())
	if c.StateDir != "/var/lib/lastfmd" {
		t.Errorf("StateDir = %q, want the first $STATE_DIRECTORY entry", c.StateDir)
	}
	env = newEnv(t, "XDG_STATE_HOME", "/xdg/state")
	c, _ = mustLoad(t, env.opts())
	if c.StateDir != "/xdg/state/lastfmd" {
		t.Errorf("StateDir = %q, want $XDG_STATE_HOME/lastfmd", c.StateDir)
	}
}

func TestHomeExpansion(t *testing.T) {
	env := newEnv(t)
	o := env.opts()
	o.Path = writeConfig(t, `state_dir = "~/state"`)
	c, _ := mustLoad(t, o)
	if want := filepath.Join(env.vars["HOME"], "state"); c.StateDir != want {
		t.Errorf("StateDir = %q, want %q", c.StateDir, want)
	}
}

func TestBadValues(t *testing.T) {
	tests := []struct {
		name  string
		file  string            // config file content, "" = none
		env   map[string]string // environment
		flags map[string]string
		want  []string // substrings of the error
	}{
		{name: "file duration", file: "[lastfm]\ntimeout = \"10x\"", want: []string{`config: lastfm.timeout: bad duration "10x"`, "lastfmd.toml"}},
		{name: "env duration", env: map[string]string{"LASTFMD_TIMEOUT": "10x"}, want: []string{`lastfm.timeout: bad duration "10x"`, "LASTFMD_TIMEOUT"}},
		{name: "flag duration", flags: map[string]string{"lastfm.queue_wait": "soon"}, want: []string{`lastfm.queue_wait: bad duration "soon"`, "command line"}},
		{name: "negative duration", file: "[cache]\nshort_ttl = \"-1m\"", want: []string{"cache.short_ttl", "negative"}},
		{name: "duration as integer", file: "[cache]\nlong_ttl = 60", want: []string{"cache.long_ttl", "duration string"}},
		{name: "zero timeout", env: map[string]string{"LASTFMD_TIMEOUT": "0s"}, want: []string{"lastfm.timeout", "greater than 0", "LASTFMD_TIMEOUT"}},
		{name: "file size", file: "[cache]\nmax_bytes = \"64XB\"", want: []string{`cache.max_bytes: bad size "64XB"`}},
		{name: "env size", env: map[string]string{"LASTFMD_CACHE_MAX_BYTES": "lots"}, want: []string{"cache.max_bytes", "LASTFMD_CACHE_MAX_BYTES"}},
		{name: "negative size", file: "[cache]\nmax_bytes = -5", want: []string{"cache.max_bytes", "negative"}},
		{name: "zero size", file: "[cache]\nmax_bytes = 0", want: []string{"cache.max_bytes", "greater than 0"}},
		{name: "rate zero", file: "[lastfm]\nrate = 0.0", want: []string{"lastfm.rate", "greater than 0"}},
		{name: "rate negative env", env: map[string]string{"LASTFMD_RATE": "-1"}, want: []string{"lastfm.rate", "LASTFMD_RATE"}},
		{name: "rate not a number", env: map[string]string{"LASTFMD_RATE": "fast"}, want: []string{`lastfm.rate: bad number "fast"`, "LASTFMD_RATE"}},
		{name: "rate NaN", env: map[string]string{"LASTFMD_RATE": "NaN"}, want: []string{"lastfm.rate", "LASTFMD_RATE"}},
		{name: "burst zero", file: "[lastfm]\nburst = 0", want: []string{"lastfm.burst", "at least 1"}},
		{name: "burst string", file: "[lastfm]\nburst = \"5\"", want: []string{"lastfm.burst", "must be an integer"}},
		{name: "burst env", env: map[string]string{"LASTFMD_BURST": "five"}, want: []string{`lastfm.burst: bad integer "five"`, "LASTFMD_BURST"}},
		{name: "max_retries negative", file: "[lastfm]\nmax_retries = -1", want: []string{"lastfm.max_retries", "negative"}},
		{name: "batch too big", file: "[scrobble]\nbatch_size = 51", want: []string{"scrobble.batch_size", "1 to 50"}},
		{name: "batch zero env", env: map[string]string{"LASTFMD_SCROBBLE_BATCH_SIZE": "0"}, want: []string{"scrobble.batch_size", "LASTFMD_SCROBBLE_BATCH_SIZE"}},
		{name: "max_age too old", file: "[scrobble]\nmax_age = \"337h\"", want: []string{"scrobble.max_age", "336h"}},
		{name: "max_age zero", env: map[string]string{"LASTFMD_SCROBBLE_MAX_AGE": "0s"}, want: []string{"scrobble.max_age", "LASTFMD_SCROBBLE_MAX_AGE"}},
		{name: "log_format", file: `log_format = "xml"`, want: []string{"log_format", "text or json"}},
		{name: "log_level", env: map[string]string{"LASTFMD_LOG_LEVEL": "loud"}, want: []string{"log_level", "LASTFMD_LOG_LEVEL"}},
		{name: "listen no port", file: `listen = "127.0.0.1"`, want: []string{"listen", "host:port"}},
		{name: "listen bad port", flags: map[string]string{"listen": "127.0.0.1:http"}, want: []string{"listen", "bad port"}},
		{name: "listen port range", env: map[string]string{"LASTFMD_LISTEN": "127.0.0.1:70000"}, want: []string{"listen", "LASTFMD_LISTEN"}},
		{name: "listen unix no path", file: `listen = "unix:"`, want: []string{"listen", "socket path"}},
		{name: "listen integer", file: `listen = 7375`, want: []string{"listen", "must be a string"}},
		{name: "upstream http", file: "[lastfm]\nupstream = \"http://ws.audioscrobbler.com/2.0/\"", want: []string{"lastfm.upstream", "http://", `"ws.audioscrobbler.com"`}},
		{name: "auth_url http", env: map[string]string{"LASTFMD_AUTH_URL": "http://www.last.fm/api/auth/"}, want: []string{"lastfm.auth_url", "LASTFMD_AUTH_URL"}},
		{name: "upstream ftp", file: "[lastfm]\nupstream = \"ftp://example.com/\"", want: []string{"lastfm.upstream", "https://"}},
		{name: "upstream relative", file: "[lastfm]\nupstream = \"/2.0/\"", want: []string{"lastfm.upstream", "absolute"}},
		{name: "upstream userinfo", file: "[lastfm]\nupstream = \"https://u:p@example.com/\"", want: []string{"lastfm.upstream", "password"}},
		{name: "api_key spaces", env: map[string]string{"LASTFMD_API_KEY": "abc def"}, want: []string{"lastfm.api_key", "spaces"}},
		{name: "sign method", file: "[lastfm]\nsign_unknown_methods = [\"nodot\"]", want: []string{"lastfm.sign_unknown_methods", "package.method"}},
		{name: "sign auth method", env: map[string]string{"LASTFMD_SIGN_UNKNOWN_METHODS": "auth.getThing"}, want: []string{"lastfm.sign_unknown_methods", "auth", "LASTFMD_SIGN_UNKNOWN_METHODS"}},
		{name: "sign not strings", file: "[lastfm]\nsign_unknown_methods = [1]", want: []string{"lastfm.sign_unknown_methods", "array of strings"}},
		{name: "host scheme", file: "[security]\nallowed_hosts = [\"http://example.com\"]", want: []string{"security.allowed_hosts", "not a URL"}},
		{name: "host port", env: map[string]string{"LASTFMD_SECURITY_ALLOWED_HOSTS": "example.com:7375"}, want: []string{"security.allowed_hosts", "port", "LASTFMD_SECURITY_ALLOWED_HOSTS"}},
		{name: "host junk", file: "[security]\nallowed_hosts = [\"exa mple\"]", want: []string{"security.allowed_hosts", "not a host name"}},
		{name: "host empty", file: "[security]\nallowed_hosts = [\"\"]", want: []string{"security.allowed_hosts", "empty"}},
		{name: "section not a table", file: "lastfm = 5", want: []string{"lastfmd.toml", "lastfm"}},
		{name: "syntax", file: "listen = \"127.0.0.1:7375\nlog_level = \"info\"", want: []string{"lastfmd.toml line"}},
		{name: "unknown flag", flags: map[string]string{"lastfm.nope": "1"}, want: []string{`unknown key "lastfm.nope"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t)
			for k, v := range tt.env {
				env.vars[k] = v
			}
			o := env.opts()
			o.Flags = tt.flags
			if tt.file != "" {
				o.Path = writeConfig(t, tt.file)
			}
			c, _, err := Load(o)
			checkOneLine(t, err)
			t.Log(err)
			if c != nil {
				t.Error("Load returned a config with its error")
			}
			for _, w := range tt.want {
				if err != nil && !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestUnknownKey(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"[lastfm]\napi_secret = \"do-not-print-me\"", []string{`unknown key "lastfm.api_secret"`, "lastfm.api_secret_file"}},
		{"[lastfm]\ntimout = \"5s\"", []string{`unknown key "lastfm.timout"`}},
		{"bogus = 1", []string{`unknown key "bogus"`}},
		{"[lastfmx]\nrate = 1.0", []string{`unknown key "lastfmx`}},
		{"[cache.deep]\nx = 1", []string{`unknown key "cache.deep`}},
		{"Listen = \"127.0.0.1:1\"", []string{`unknown key "Listen"`, `did you mean "listen"`}},
		{"api_key = \"abc\"", []string{`unknown key "api_key"`, `did you mean "lastfm.api_key"`}},
		{"[security]\ntoken = \"do-not-print-me\"", []string{`unknown key "security.token"`, "security.token_file"}},
	}
	for _, tt := range tests {
		// Named by the expected key: the file would put the value into
		// the temp dir's name.
		t.Run(tt.want[0], func(t *testing.T) {
			env := newEnv(t)
			o := env.opts()
			o.Path = writeConfig(t, tt.file)
			_, _, err := Load(o)
			checkOneLine(t, err)
			t.Log(err)
			want := append(tt.want, o.Path)
			for _, w := range want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "do-not-print-me") {
				t.Errorf("error shows the value: %q", err)
			}
		})
	}
}

func TestRequiredCredentials(t *testing.T) {
	dir := t.TempDir()
	secret := writeFile(t, dir, "secret", "s\n", 0o600)
	path := writeConfig(t, "[lastfm]\n")

	env := newEnv(t)
	o := env.opts()
	o.Path, o.NeedCredentials = path, true
	_, _, err := Load(o)
	checkOneLine(t, err)
	for _, w := range []string{"lastfm.api_key is required", path, "LASTFMD_API_KEY"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}

	env = newEnv(t, "LASTFMD_API_KEY", "key")
	o = env.opts()
	o.NeedCredentials = true
	_, _, err = Load(o)
	checkOneLine(t, err)
	for _, w := range []string{"lastfm.api_secret_file is required", "LASTFMD_API_SECRET_FILE", `"api-secret"`, "LASTFMD_API_SECRET"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}

	// Without NeedCredentials neither is required, and the secret file is
	// not even opened.
	env = newEnv(t, "LASTFMD_API_SECRET_FILE", filepath.Join(dir, "missing"))
	c, _ := mustLoad(t, env.opts())
	if c.LastFM.APISecret.IsSet() {
		t.Error("API secret read for a client command")
	}

	env = newEnv(t, "LASTFMD_API_KEY", "key", "LASTFMD_API_SECRET_FILE", secret)
	o = env.opts()
	o.NeedCredentials = true
	c, _ = mustLoad(t, o)
	if c.LastFM.APISecret.Reveal() != "s" {
		t.Errorf("APISecret = %q", c.LastFM.APISecret.Reveal())
	}
}

func TestMissingExplicitFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.toml")
	env := newEnv(t)
	o := env.opts()
	o.Path = missing
	_, _, err := Load(o)
	checkOneLine(t, err)
	if !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), "--config") {
		t.Errorf("error %q should name the file and --config", err)
	}

	env = newEnv(t, "LASTFMD_CONFIG", missing)
	_, _, err = Load(env.opts())
	checkOneLine(t, err)
	if !strings.Contains(err.Error(), "LASTFMD_CONFIG") {
		t.Errorf("error %q should name LASTFMD_CONFIG", err)
	}
}

// TestEnvNames pins the environment variable of every key: scripts and
// unit files depend on these names.
func TestEnvNames(t *testing.T) {
	want := map[string]string{
		"listen":                      "LASTFMD_LISTEN",
		"state_dir":                   "LASTFMD_STATE_DIR",
		"log_format":                  "LASTFMD_LOG_FORMAT",
		"log_level":                   "LASTFMD_LOG_LEVEL",
		"lastfm.api_key":              "LASTFMD_API_KEY",
		"lastfm.api_secret_file":      "LASTFMD_API_SECRET_FILE",
		"lastfm.session_key_file":     "LASTFMD_SESSION_KEY_FILE",
		"lastfm.upstream":             "LASTFMD_UPSTREAM",
		"lastfm.auth_url":             "LASTFMD_AUTH_URL",
		"lastfm.timeout":              "LASTFMD_TIMEOUT",
		"lastfm.queue_wait":           "LASTFMD_QUEUE_WAIT",
		"lastfm.rate":                 "LASTFMD_RATE",
		"lastfm.burst":                "LASTFMD_BURST",
		"lastfm.max_retries":          "LASTFMD_MAX_RETRIES",
		"lastfm.sign_unknown_methods": "LASTFMD_SIGN_UNKNOWN_METHODS",
		"cache.max_bytes":             "LASTFMD_CACHE_MAX_BYTES",
		"cache.short_ttl":             "LASTFMD_CACHE_SHORT_TTL",
		"cache.medium_ttl":            "LASTFMD_CACHE_MEDIUM_TTL",
		"cache.long_ttl":              "LASTFMD_CACHE_LONG_TTL",
		"cache.stale_if_error":        "LASTFMD_CACHE_STALE_IF_ERROR",
		"scrobble.batch_size":         "LASTFMD_SCROBBLE_BATCH_SIZE",
		"scrobble.max_age":            "LASTFMD_SCROBBLE_MAX_AGE",
		"security.allowed_hosts":      "LASTFMD_SECURITY_ALLOWED_HOSTS",
		"security.token_file":         "LASTFMD_SECURITY_TOKEN_FILE",
	}
	got := map[string]string{}
	for _, s := range settings {
		got[s.path] = s.env
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("settings:\n got %v\nwant %v", got, want)
	}
}

// TestKeySpellings checks the other TOML ways of writing a section's keys,
// and that keys are case-sensitive.
func TestKeySpellings(t *testing.T) {
	for _, file := range []string{
		`lastfm.timeout = "5s"`,
		`lastfm = { timeout = "5s" }`,
		"[lastfm]\ntimeout = \"5s\"",
	} {
		env := newEnv(t)
		o := env.opts()
		o.Path = writeConfig(t, file)
		c, _ := mustLoad(t, o)
		if c.LastFM.Timeout.Duration != 5*time.Second {
			t.Errorf("%s: timeout = %v", file, c.LastFM.Timeout)
		}
	}
	for _, file := range []string{"[LastFM]\ntimeout = \"5s\"", "[lastfm]\nTimeout = \"5s\"", "[[lastfm]]\ntimeout = \"5s\""} {
		env := newEnv(t)
		o := env.opts()
		o.Path = writeConfig(t, file)
		_, _, err := Load(o)
		checkOneLine(t, err)
		t.Log(err)
	}
}
