package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
)

// Distinctive values that must never appear in any rendering.
const (
	leakSecret  = "SECRET-7f3a9c-api"
	leakSession = "SECRET-5be21d-session"
	leakToken   = "SECRET-c0ffee-token"
)

// loadWithSecrets loads a config holding all three secrets.
func loadWithSecrets(t *testing.T) *Config {
	t.Helper()
	dir := t.TempDir()
	creds := filepath.Join(dir, "creds")
	writeFile(t, creds, "session-key", leakSession+"\n", 0o400)
	env := newEnv(t,
		"LASTFMD_API_KEY", "0123456789abcdef",
		"LASTFMD_API_SECRET", leakSecret,
		"CREDENTIALS_DIRECTORY", creds,
		"LASTFMD_SECURITY_TOKEN_FILE", writeFile(t, dir, "token", leakToken, 0o600),
	)
	o := env.opts()
	o.NeedCredentials = true
	c, _ := mustLoad(t, o)
	if c.LastFM.APISecret.Reveal() != leakSecret || c.LastFM.SessionKey.Reveal() != leakSession || c.Security.Token.Reveal() != leakToken {
		t.Fatal("secrets not loaded")
	}
	return c
}

func assertNoSecret(t *testing.T, what, out string) {
	t.Helper()
	if strings.Contains(out, "SECRET-") {
		t.Errorf("%s shows a secret:\n%s", what, out)
	}
}

func TestNoSecretInRenderings(t *testing.T) {
	c := loadWithSecrets(t)

	var dump bytes.Buffer
	if err := c.Dump(&dump); err != nil {
		t.Fatal(err)
	}
	assertNoSecret(t, "Dump", dump.String())
	if !strings.Contains(dump.String(), `"<redacted>"`) {
		t.Errorf("Dump does not show secrets as <redacted>:\n%s", dump.String())
	}

	assertNoSecret(t, "fmt", fmt.Sprintf("%v %+v %#v %s %q %x %X", c, c, c, c.LastFM.APISecret, c.LastFM.APISecret, c.LastFM.APISecret, c.Security.Token))
	assertNoSecret(t, "fmt of value", fmt.Sprintf("%v %+v %#v", *c, *c, *c))
	assertNoSecret(t, "fmt of section", fmt.Sprint(c.LastFM, c.Security, []Secret{c.LastFM.SessionKey}))

	js, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	assertNoSecret(t, "json", string(js))

	for _, h := range []func(*bytes.Buffer) slog.Handler{
		func(b *bytes.Buffer) slog.Handler { return slog.NewJSONHandler(b, nil) },
		func(b *bytes.Buffer) slog.Handler { return slog.NewTextHandler(b, nil) },
	} {
		var b bytes.Buffer
		slog.New(h(&b)).Info("config", "config", c, "lastfm", c.LastFM, "secret", c.LastFM.APISecret, slog.Any("token", c.Security.Token))
		assertNoSecret(t, "slog", b.String())
		if !strings.Contains(b.String(), "<redacted>") {
			t.Errorf("slog line does not show <redacted>: %s", b.String())
		}
	}
}

func TestDumpSources(t *testing.T) {
	c := loadWithSecrets(t)
	var b bytes.Buffer
	if err := c.Dump(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		`# API secret = "<redacted>", from env LASTFMD_API_SECRET`,
		`# session key of account "default" = "<redacted>", from systemd credential "session-key"`,
		`# listener token = "<redacted>", from file `,
		`api_key = "0123456789abcdef"  # env LASTFMD_API_KEY`,
		"# No configuration file was read",
		"\n[lastfm]\n", "\n[cache]\n", "\n[scrobble]\n", "\n[security]\n",
		`max_bytes = "64MiB"`, `max_age = "312h"`, "rate = 2.0", "batch_size = 50", "sign_unknown_methods = []",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("Dump lacks %q:\n%s", want, out)
		}
	}
	// Keys come in the documented order.
	last := -1
	for _, s := range settings {
		_, key, ok := strings.Cut(s.path, ".")
		if !ok {
			key = s.path
		}
		i := strings.Index(out[last+1:], "\n"+key+" = ")
		if i < 0 {
			t.Errorf("Dump lacks %s after offset %d", s.path, last)
			continue
		}
		last += 1 + i
	}

	var none Config = Defaults()
	b.Reset()
	if err := none.Dump(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "# API secret: not set") {
		t.Errorf("Dump of a config without secrets:\n%s", b.String())
	}
}

// TestDumpRoundTrip checks Dump writes a valid configuration file that
// loads back to the same values.
func TestDumpRoundTrip(t *testing.T) {
	env := newEnv(t)
	o := env.opts()
	o.Path = writeConfig(t, `
listen = "unix:/run/lastfmd/lastfmd.sock"
state_dir = "/var/lib/lastfmd \"quoted\"\\dir"
log_format = "JSON"
[lastfm]
api_key = "k"
upstream = "http://127.0.0.1:8080/2.0/"
timeout = "1m30s"
rate = 0.25
sign_unknown_methods = ["user.getSecretThing", "x.y"]
[cache]
max_bytes = "1000kB"
[security]
allowed_hosts = ["Music.LAN", "[fe80::1]", "192.168.1.2"]
`)
	c, _ := mustLoad(t, o)
	var b bytes.Buffer
	if err := c.Dump(&b); err != nil {
		t.Fatal(err)
	}
	o.Path = writeConfig(t, b.String())
	c2, _ := mustLoad(t, o)
	c.File, c2.File = "", ""
	if fmt.Sprintf("%+v", plain(c)) != fmt.Sprintf("%+v", plain(c2)) {
		t.Errorf("round trip changed the config:\n got %+v\nwant %+v\ndump:\n%s", plain(c2), plain(c), b.String())
	}
	if got := c.Security.AllowedHosts; fmt.Sprint(got) != "[music.lan fe80::1 192.168.1.2]" {
		t.Errorf("AllowedHosts = %q", got)
	}
}

func TestSecretFormatting(t *testing.T) {
	s := Secret("hunter2")
	for _, got := range []string{
		s.String(), s.GoString(), fmt.Sprint(s), fmt.Sprintf("%s|%v|%+v|%#v|%q|%x|%10s|%d", s, s, s, s, s, s, s, s),
		slog.AnyValue(s).Resolve().String(),
	} {
		if strings.Contains(got, "hunter2") || !strings.Contains(got, "<redacted>") {
			t.Errorf("rendering %q", got)
		}
	}
	if b, _ := s.MarshalText(); string(b) != "<redacted>" {
		t.Errorf("MarshalText = %q", b)
	}
	var back map[string]string
	if b, _ := json.Marshal(map[string]Secret{"k": s}); json.Unmarshal(b, &back) != nil || back["k"] != "<redacted>" {
		t.Errorf("json = %s", b)
	}
	var empty Secret
	if empty.String() != "" || fmt.Sprint(empty) != "" || empty.IsSet() {
		t.Errorf("empty secret renders as %q", fmt.Sprint(empty))
	}
	if b, _ := json.Marshal(empty); string(b) != `""` {
		t.Errorf("empty json = %s", b)
	}
	if s.Reveal() != "hunter2" {
		t.Error("Reveal lost the value")
	}
}

// TestSyntaxErrorHidesValue: a secret pasted unquoted into the file is a
// syntax error, and the parser's message would quote it.
func TestSyntaxErrorHidesValue(t *testing.T) {
	for _, content := range []string{
		"[lastfm]\napi_secret = SECRETabcdef0123\n",
		"[lastfm]\nsecrets = [SECRETabcdef0123]\n",
	} {
		env := newEnv(t)
		o := env.opts()
		o.Path = writeConfig(t, content)
		_, _, err := Load(o)
		checkOneLine(t, err)
		assertNoSecret(t, "syntax error", err.Error())
		if !strings.Contains(err.Error(), "line 2") {
			t.Errorf("error %q does not give the line", err)
		}
	}
}

// TestNoMirrorSecretInRenderingsOrErrors: a mirror's API secret and
// session key appear in no rendering of the configuration (Dump, fmt,
// JSON, slog), and in no error of a configuration that holds them.
func TestNoMirrorSecretInRenderingsOrErrors(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "librefm-secret", "SECRET-librefm-api\n", 0o600)
	writeFile(t, dir, "librefm-session", "SECRET-librefm-session\n", 0o644)
	env := newEnv(t, "LASTFMD_API_KEY", "key", "LASTFMD_API_SECRET", leakSecret)
	o := env.opts()
	o.Path, o.NeedCredentials = writeConfig(t, fmt.Sprintf(librefm, dir)), true
	c, warnings := mustLoad(t, o)
	if c.Mirrors[0].APISecret.Reveal() != "SECRET-librefm-api" || c.Mirrors[0].SessionKey.Reveal() != "SECRET-librefm-session" {
		t.Fatal("mirror secrets not loaded")
	}
	assertNoSecret(t, "warnings", strings.Join(warnings, "\n"))

	var dump bytes.Buffer
	if err := c.Dump(&dump); err != nil {
		t.Fatal(err)
	}
	assertNoSecret(t, "Dump", dump.String())
	if n := strings.Count(dump.String(), `= "<redacted>", from file `+dir+"/librefm-"); n != 2 {
		t.Errorf("Dump shows %d mirror secrets as <redacted>, want 2:\n%s", n, dump.String())
	}
	assertNoSecret(t, "fmt", fmt.Sprintf("%v %+v %#v %v %+v %#v", c, *c, *c, c.Mirrors, c.Mirrors, c.Mirrors[0]))
	js, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	assertNoSecret(t, "json", string(js))
	var b bytes.Buffer
	slog.New(slog.NewTextHandler(&b, nil)).Info("config", "config", c, "mirror", c.Mirrors[0], "mirrors", c.Mirrors)
	slog.New(slog.NewJSONHandler(&b, nil)).Info("config", "config", c, "mirror", c.Mirrors[0])
	assertNoSecret(t, "slog", b.String())

	// Errors of configurations that hold the secrets: of their files, of
	// a later table, of the secrets themselves.
	for name, tt := range map[string]struct{ file, extra string }{
		"two-line secret":     {"SECRET-librefm-api\nSECRET-second-line\n", ""},
		"empty session key":   {"SECRET-librefm-api", ""},
		"secret is lastfm's":  {leakSecret, ""},
		"later mirror broken": {"SECRET-librefm-api", "[[mirror]]\nname = \"Bad Name\"\n"},
		"later mirror secret": {"SECRET-librefm-api", strings.ReplaceAll(strings.Replace(fmt.Sprintf(librefm, dir), `"librefm"`, `"other"`, 1), "librefm-", "missing-")},
	} {
		t.Run(name, func(t *testing.T) {
			d := t.TempDir()
			writeFile(t, d, "librefm-secret", tt.file, 0o600)
			writeFile(t, d, "librefm-session", "SECRET-librefm-session", 0o600)
			if name == "empty session key" {
				writeFile(t, d, "librefm-session", "\n", 0o600)
			}
			// A fresh environment: Load removed LASTFMD_API_SECRET.
			o := newEnv(t, "LASTFMD_API_KEY", "key", "LASTFMD_API_SECRET", leakSecret).opts()
			o.NeedCredentials = true
			o.Path = writeConfig(t, fmt.Sprintf(librefm, d)+strings.ReplaceAll(tt.extra, dir, d))
			_, _, err := Load(o)
			checkOneLine(t, err)
			t.Log(err)
			if err != nil {
				assertNoSecret(t, "error", err.Error())
			}
		})
	}
}
