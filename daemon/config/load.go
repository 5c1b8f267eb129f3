package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
)

// Options tell Load where to look and what to override.
type Options struct {
	// Path is the --config flag's value; "" resolves it (see ResolvePath).
	Path string
	// Flags overrides keys by dotted path ("listen", "state_dir",
	// "lastfm.upstream", ...); highest precedence. Values are written as in
	// the environment (lists comma-separated).
	Flags map[string]string
	// Getenv reads the environment; nil means os.Getenv. Tests inject one.
	Getenv func(string) string
	// Unsetenv removes a variable; nil means os.Unsetenv.
	Unsetenv func(string) error
	// NeedCredentials is set by commands that talk to Last.fm themselves
	// (run): lastfm.api_key and the API secret are then required, and the
	// API secret and session key are read. Otherwise they are not read.
	NeedCredentials bool
}

func (o Options) getenv() func(string) string {
	if o.Getenv != nil {
		return o.Getenv
	}
	return os.Getenv
}

// loader carries one Load call's state.
type loader struct {
	cfg      *Config
	getenv   func(string) string
	unsetenv func(string) error
	warnings []string
}

func (l *loader) warn(msg string) { l.warnings = append(l.warnings, msg) }

// Load resolves the configuration file, decodes it, applies the environment
// and o.Flags (flag > environment > file > default), validates every value
// and resolves the secrets. Warnings, such as a secret file readable by
// others, are returned for the caller to log. An error is one line naming
// the key at fault and where its value came from; it never contains a
// secret.
//
// The API secret comes from the first of: lastfm.api_secret_file (flag,
// LASTFMD_API_SECRET_FILE or file), the systemd credential "api-secret",
// $LASTFMD_API_SECRET. The session key of the account "default" comes from
// lastfm.session_key_file, else the credential "session-key"; the token
// from security.token_file, else the credential "token". Secret files are
// trimmed of surrounding whitespace; an empty one is an error.
//
// Load removes LASTFMD_API_SECRET from the environment, so a second Load in
// the same process no longer sees it: a caller that reloads should keep the
// first Config's secret.
func Load(o Options) (*Config, []string, error) {
	l := &loader{getenv: o.getenv(), unsetenv: o.Unsetenv}
	if l.unsetenv == nil {
		l.unsetenv = os.Unsetenv
	}
	c := Defaults()
	l.cfg = &c

	path, explicit := ResolvePath(o)
	if err := l.readFile(path, explicit, o.Path != ""); err != nil {
		return nil, l.warnings, err
	}
	if err := l.applyEnv(); err != nil {
		return nil, l.warnings, err
	}
	if err := l.applyFlags(o.Flags); err != nil {
		return nil, l.warnings, err
	}
	if err := l.fillDerived(); err != nil {
		return nil, l.warnings, err
	}
	if err := c.validate(); err != nil {
		return nil, l.warnings, err
	}
	if o.NeedCredentials && c.LastFM.APIKey == "" {
		return nil, l.warnings, l.missingCredential("lastfm.api_key", settingByPath["lastfm.api_key"].env, // hints.go
			"get a key", ", or try `lastfmd demo`, which needs no key")
	}
	if err := l.resolveSecrets(o.NeedCredentials); err != nil {
		return nil, l.warnings, err
	}
	if o.NeedCredentials && !c.LastFM.APISecret.IsSet() {
		return nil, l.warnings, l.missingCredential("lastfm.api_secret_file",
			fmt.Sprintf("%s, or provide the systemd credential %q or %s", settingByPath["lastfm.api_secret_file"].env, CredentialAPISecret, EnvAPISecret),
			"put the shared secret in a file only you can read", "")
	}
	return &c, l.warnings, nil
}

// applyEnv applies each key's environment variable. An empty variable
// counts as unset: Getenv cannot tell the two apart.
func (l *loader) applyEnv() error {
	for _, s := range settings {
		v := l.getenv(s.env)
		if v == "" {
			continue
		}
		if err := setText(s.field(l.cfg), v); err != nil {
			return fmt.Errorf("config: %s: %v (from env %s)", s.path, err, s.env)
		}
		l.cfg.setOrigin(s.path, origin{kind: "env", name: s.env})
	}
	return nil
}

// applyFlags applies command-line overrides, in key order so that with two
// bad flags the same one is reported every time.
func (l *loader) applyFlags(flags map[string]string) error {
	keys := make([]string, 0, len(flags))
	for k := range flags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		s, ok := settingByPath[k]
		if !ok {
			return fmt.Errorf("config: unknown key %q on the command line", k)
		}
		if err := setText(s.field(l.cfg), flags[k]); err != nil {
			return fmt.Errorf("config: %s: %v (from the command line)", s.path, err)
		}
		l.cfg.setOrigin(s.path, origin{kind: "flag"})
	}
	return nil
}

// fillDerived expands "~/" in paths and computes the default state_dir,
// which depends on the environment rather than being a constant.
func (l *loader) fillDerived() error {
	c := l.cfg
	paths := []*string{&c.StateDir, &c.LastFM.APISecretFile, &c.LastFM.SessionKeyFile, &c.Security.TokenFile}
	for i := range c.Mirrors {
		for _, s := range mirrorTypes[c.Mirrors[i].Type].secrets {
			file, _ := s.field(&c.Mirrors[i])
			paths = append(paths, file)
		}
	}
	for _, p := range paths {
		*p = expandHome(*p, l.getenv)
	}
	if c.StateDir != "" {
		return nil
	}
	d, err := DefaultStateDir(l.getenv)
	if err != nil {
		return fmt.Errorf("config: state_dir: no default (%v); set state_dir or %s",
			err, settingByPath["state_dir"].env)
	}
	c.StateDir = d
	o := origin{kind: "default", name: "default"}
	if l.getenv("STATE_DIRECTORY") != "" {
		o.name = "default, from $STATE_DIRECTORY"
	}
	c.setOrigin("state_dir", o)
	return nil
}

// readFile decodes the configuration file, if any, into l.cfg.
func (l *loader) readFile(path string, explicit, fromFlag bool) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if !explicit {
			return nil // no file: defaults and environment only
		}
		how := "$LASTFMD_CONFIG"
		if fromFlag {
			how = "--config"
		}
		return fmt.Errorf("config: config file %s (named by %s) does not exist", path, how)
	}
	if err != nil {
		return fmt.Errorf("config: cannot read config file %s: %v", path, pathErr(err))
	}
	if err := l.decode(path, data); err != nil {
		return err
	}
	l.cfg.File = path
	return nil
}
