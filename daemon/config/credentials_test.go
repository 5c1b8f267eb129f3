package config

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// TestAPISecretSources checks each source of the API secret and their
// order: api_secret_file (flag > env > file), then the systemd credential,
// then LASTFMD_API_SECRET.
func TestAPISecretSources(t *testing.T) {
	type setup struct {
		fileKey, envFileKey, flagFileKey bool // api_secret_file in file / LASTFMD_API_SECRET_FILE / flag
		credential                       bool // $CREDENTIALS_DIRECTORY/api-secret
		envValue                         bool // LASTFMD_API_SECRET
	}
	tests := []struct {
		name     string
		setup    setup
		want     string
		wantFrom string
		warns    bool // LASTFMD_API_SECRET ignored
	}{
		{"config file key", setup{fileKey: true}, "from-config-file-key", "lastfm.api_secret_file in", false},
		{"env file key", setup{envFileKey: true}, "from-env-file-key", "from env LASTFMD_API_SECRET_FILE", false},
		{"flag file key", setup{flagFileKey: true}, "from-flag-file-key", "from the command line", false},
		{"credential", setup{credential: true}, "from-credential", `systemd credential "api-secret"`, false},
		{"env value", setup{envValue: true}, "from-env-value", "env LASTFMD_API_SECRET", false},
		{"env file key beats config file key", setup{fileKey: true, envFileKey: true}, "from-env-file-key", "LASTFMD_API_SECRET_FILE", false},
		{"flag beats env file key", setup{fileKey: true, envFileKey: true, flagFileKey: true}, "from-flag-file-key", "command line", false},
		{"file key beats credential", setup{fileKey: true, credential: true}, "from-config-file-key", "lastfm.api_secret_file", false},
		{"env file key beats credential", setup{envFileKey: true, credential: true}, "from-env-file-key", "LASTFMD_API_SECRET_FILE", false},
		{"credential beats env value", setup{credential: true, envValue: true}, "from-credential", "systemd credential", true},
		{"file key beats env value", setup{fileKey: true, envValue: true}, "from-config-file-key", "lastfm.api_secret_file", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			env := newEnv(t, "LASTFMD_API_KEY", "key")
			o := env.opts()
			o.NeedCredentials = true
			conf := "[lastfm]\n"
			if tt.setup.fileKey {
				conf += `api_secret_file = "` + writeFile(t, dir, "a", "from-config-file-key\n", 0o600) + "\"\n"
			}
			o.Path = writeConfig(t, conf)
			if tt.setup.envFileKey {
				env.vars["LASTFMD_API_SECRET_FILE"] = writeFile(t, dir, "b", "  from-env-file-key  \n", 0o600)
			}
			if tt.setup.flagFileKey {
				o.Flags = map[string]string{"lastfm.api_secret_file": writeFile(t, dir, "c", "from-flag-file-key", 0o600)}
			}
			if tt.setup.credential {
				creds := filepath.Join(dir, "creds")
				writeFile(t, creds, "api-secret", "from-credential\n", 0o400)
				env.vars["CREDENTIALS_DIRECTORY"] = creds
			}
			if tt.setup.envValue {
				env.vars["LASTFMD_API_SECRET"] = "from-env-value"
			}
			c, warnings := mustLoad(t, o)
			if got := c.LastFM.APISecret.Reveal(); got != tt.want {
				t.Errorf("APISecret = %q, want %q", got, tt.want)
			}
			if !strings.Contains(c.secrets.apiSecret, tt.wantFrom) {
				t.Errorf("source %q does not contain %q", c.secrets.apiSecret, tt.wantFrom)
			}
			ignored := slices.ContainsFunc(warnings, func(w string) bool { return strings.Contains(w, "LASTFMD_API_SECRET is ignored") })
			if ignored != tt.warns {
				t.Errorf("warnings %q: want an 'ignored' warning = %v", warnings, tt.warns)
			}
			for _, w := range warnings {
				if strings.Contains(w, "from-") {
					t.Errorf("warning shows a secret: %q", w)
				}
			}
		})
	}
}

// TestEnvSecretRemoved checks LASTFMD_API_SECRET leaves the environment
// once read, whether it was used, ignored, or the command needs no secret.
func TestEnvSecretRemoved(t *testing.T) {
	for _, need := range []bool{true, false} {
		env := newEnv(t, "LASTFMD_API_KEY", "key", "LASTFMD_API_SECRET", "s3cr3t")
		o := env.opts()
		o.NeedCredentials = need
		c, _ := mustLoad(t, o)
		if env.Getenv("LASTFMD_API_SECRET") != "" || !slices.Equal(env.unset, []string{"LASTFMD_API_SECRET"}) {
			t.Errorf("need=%v: LASTFMD_API_SECRET not removed (unset %q)", need, env.unset)
		}
		if want := map[bool]string{true: "s3cr3t", false: ""}[need]; c.LastFM.APISecret.Reveal() != want {
			t.Errorf("need=%v: APISecret = %q, want %q", need, c.LastFM.APISecret.Reveal(), want)
		}
	}

	// Nothing to remove: Unsetenv is not called.
	env := newEnv(t)
	mustLoad(t, env.opts())
	if len(env.unset) != 0 {
		t.Errorf("unset %q with no LASTFMD_API_SECRET", env.unset)
	}
}

func TestSessionKeySources(t *testing.T) {
	dir := t.TempDir()
	creds := filepath.Join(dir, "creds")
	writeFile(t, creds, "session-key", "sk-from-credential\n", 0o400)
	secret := writeFile(t, dir, "secret", "secret", 0o600)
	own := writeFile(t, dir, "sk", "sk-from-file", 0o600)

	env := newEnv(t, "LASTFMD_API_KEY", "key", "LASTFMD_API_SECRET_FILE", secret, "CREDENTIALS_DIRECTORY", creds)
	o := env.opts()
	o.NeedCredentials = true
	c, _ := mustLoad(t, o)
	if got := c.LastFM.SessionKey.Reveal(); got != "sk-from-credential" {
		t.Errorf("SessionKey = %q, want the credential", got)
	}

	env.vars["LASTFMD_SESSION_KEY_FILE"] = own
	c, _ = mustLoad(t, o)
	if got := c.LastFM.SessionKey.Reveal(); got != "sk-from-file" {
		t.Errorf("SessionKey = %q, want session_key_file over the credential", got)
	}

	// Client commands do not read it.
	o.NeedCredentials = false
	c, _ = mustLoad(t, o)
	if c.LastFM.SessionKey.IsSet() {
		t.Error("session key read without NeedCredentials")
	}
	if !strings.Contains(c.secrets.sessionKey, "not loaded") {
		t.Errorf("session key source %q should say it was not loaded", c.secrets.sessionKey)
	}
}

func TestTokenSources(t *testing.T) {
	dir := t.TempDir()
	creds := filepath.Join(dir, "creds")
	writeFile(t, creds, "token", "tok-credential\n", 0o400)
	env := newEnv(t, "CREDENTIALS_DIRECTORY", creds)
	c, _ := mustLoad(t, env.opts())
	if c.Security.Token.Reveal() != "tok-credential" {
		t.Errorf("Token = %q, want the credential", c.Security.Token.Reveal())
	}
	env.vars["LASTFMD_SECURITY_TOKEN_FILE"] = writeFile(t, dir, "token", "\n tok-file \n", 0o600)
	c, _ = mustLoad(t, env.opts())
	if c.Security.Token.Reveal() != "tok-file" {
		t.Errorf("Token = %q, want the token file, trimmed", c.Security.Token.Reveal())
	}
}

func TestSecretFileModeWarnings(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows files have no group/other permission bits")
	}
	tests := []struct {
		name string
		key  string // env var naming the file
		mode uint32
		warn bool
	}{
		{"secret 0600", "LASTFMD_API_SECRET_FILE", 0o600, false},
		{"secret 0400", "LASTFMD_API_SECRET_FILE", 0o400, false},
		{"secret group-readable", "LASTFMD_API_SECRET_FILE", 0o640, true},
		{"secret world-readable", "LASTFMD_API_SECRET_FILE", 0o604, true},
		{"session key group-readable", "LASTFMD_SESSION_KEY_FILE", 0o640, true},
		// The system install shares the token with the lastfmd group.
		{"token group-readable", "LASTFMD_SECURITY_TOKEN_FILE", 0o640, false},
		{"token world-readable", "LASTFMD_SECURITY_TOKEN_FILE", 0o644, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := writeFile(t, dir, "f", "value", 0o600)
			env := newEnv(t, "LASTFMD_API_KEY", "key", "LASTFMD_API_SECRET", "x", tt.key, path)
			o := env.opts()
			o.NeedCredentials = true
			// Set the mode last: writeFile used 0600 to be readable.
			writeFile(t, dir, "f", "value", osMode(tt.mode))
			_, warnings := mustLoad(t, o)
			warned := slices.ContainsFunc(warnings, func(w string) bool {
				return strings.Contains(w, path) && strings.Contains(w, "readable by")
			})
			if warned != tt.warn {
				t.Errorf("warnings %q: want a mode warning naming %s = %v", warnings, path, tt.warn)
			}
			// Warned about means tightened (issue 14): others lose access.
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := uint32(st.Mode().Perm()); tt.warn && got&0o007 != 0 || !tt.warn && got != tt.mode {
				t.Errorf("mode after loading %04o (was %04o)", got, tt.mode)
			}
		})
	}
}

func TestSecretFileErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		envKey  string
		content string // "" with missing=true: no file at all
		missing bool
		want    []string
	}{
		{"empty secret", "LASTFMD_API_SECRET_FILE", " \n\t\n", false, []string{"lastfm.api_secret_file", "is empty"}},
		{"missing secret", "LASTFMD_API_SECRET_FILE", "", true, []string{"lastfm.api_secret_file (from env LASTFMD_API_SECRET_FILE): ", "does not exist: create it holding the shared secret of your API account (https://www.last.fm/api/accounts)", "or set lastfm.api_secret_file to the file that holds it"}},
		{"two-line secret", "LASTFMD_API_SECRET_FILE", "line-one-value\nline-two-value\n", false, []string{"lastfm.api_secret_file", "one line"}},
		{"empty session key", "LASTFMD_SESSION_KEY_FILE", "\n", false, []string{"lastfm.session_key_file", "is empty"}},
		{"empty token", "LASTFMD_SECURITY_TOKEN_FILE", "", false, []string{"security.token_file", "is empty"}},
		{"missing token", "LASTFMD_SECURITY_TOKEN_FILE", "", true, []string{"security.token_file (from env LASTFMD_SECURITY_TOKEN_FILE): ", "does not exist", "or set security.token_file to the file that holds it"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, "missing", tt.name)
			if !tt.missing {
				path = writeFile(t, dir, string(rune('a'+i)), tt.content, 0o600)
			}
			env := newEnv(t, "LASTFMD_API_KEY", "key", "LASTFMD_API_SECRET", "x", tt.envKey, path)
			o := env.opts()
			o.NeedCredentials = true
			_, _, err := Load(o)
			checkOneLine(t, err)
			for _, w := range append(tt.want, path) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "-value") {
				t.Errorf("error shows the file's content: %q", err)
			}
		})
	}

	// An empty credential names the credential.
	creds := filepath.Join(dir, "creds")
	writeFile(t, creds, "api-secret", "\n", 0o400)
	env := newEnv(t, "LASTFMD_API_KEY", "key", "CREDENTIALS_DIRECTORY", creds)
	o := env.opts()
	o.NeedCredentials = true
	_, _, err := Load(o)
	checkOneLine(t, err)
	if !strings.Contains(err.Error(), `credential "api-secret"`) || !strings.Contains(err.Error(), "empty") {
		t.Errorf("error %q should name the empty credential", err)
	}
}

// A secret file named in the configuration file that does not exist: the
// error names the setting, the configuration file it is set in, the path,
// and both fixes, with the command that creates the file.
func TestMissingSecretFileNamesItsFileAndFix(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "api-secret")
	conf := writeFile(t, dir, "lastfmd.toml", "[lastfm]\napi_key = \"key\"\napi_secret_file = \""+missing+"\"\n", 0o600)
	o := newEnv(t).opts()
	o.Path, o.NeedCredentials = conf, true
	_, _, err := Load(o)
	checkOneLine(t, err)
	for _, want := range []string{
		"lastfm.api_secret_file (in " + conf + "): " + missing + " does not exist",
		"create it holding the shared secret of your API account (https://www.last.fm/api/accounts)",
		"`install -m 600 /dev/null " + missing + "`, then paste it in",
		"or set lastfm.api_secret_file to the file that holds it",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}
