package config

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/signer"
)

// librefm is a good [[mirror]] table; %s is the directory of its files.
const librefm = `
[[mirror]]
name = "librefm"
type = "lastfm"
api_root = "https://libre.fm/2.0/"
auth_url = "https://libre.fm/api/auth/"
api_key = "librefm-key"
api_secret_file = "%[1]s/librefm-secret"
session_key_file = "%[1]s/librefm-session"
ignored_codes = { 3 = "too_new", 4 = "too_old" }
`

// mirrorEnv is an environment with [lastfm]'s credentials, for loads with
// NeedCredentials.
func mirrorEnv(t *testing.T, dir string) *fakeEnv {
	t.Helper()
	return newEnv(t, "LASTFMD_API_KEY", "key", "LASTFMD_API_SECRET_FILE", writeFile(t, dir, "lastfm-secret", "lastfm-secret-value", 0o600))
}

func TestMirrorGood(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "librefm-secret", "librefm-secret-value\n", 0o600)
	writeFile(t, dir, "librefm-session", "librefm-session-value", 0o644) // tightened, with a warning
	creds := filepath.Join(dir, "creds")
	writeFile(t, creds, "local-api-secret", "local-secret-value", 0o400)
	env := mirrorEnv(t, dir)
	env.vars["CREDENTIALS_DIRECTORY"] = creds
	o := env.opts()
	o.NeedCredentials = true
	o.Path = writeConfig(t, fmt.Sprintf(librefm, dir)+`
[[mirror]]
name = "local"
type = "lastfm"
api_root = "http://127.0.0.1:8080/2.0/"
api_key = "local-key"
mobile_signin = "password"
rate = 1
burst = 2
timeout = "3s"
max_age = "720h"

[mirror.ignored_codes]
7 = "daily_limit"
`)
	c, warnings := mustLoad(t, o)

	want := []Mirror{{
		Name: "librefm", Type: "lastfm", APIRoot: "https://libre.fm/2.0/", AuthURL: "https://libre.fm/api/auth/",
		MobileSignin: MobileSigninAuthToken, APIKey: "librefm-key", APISecretFile: dir + "/librefm-secret", APISecret: "librefm-secret-value",
		SessionKeyFile: dir + "/librefm-session", SessionKey: "librefm-session-value",
		Rate: 2.0, Burst: 5, Timeout: Duration{10 * time.Second}, // [lastfm]'s defaults
		IgnoredCodes: IgnoredCodes{1: signer.IgnoredArtist, 2: signer.IgnoredTrack, 3: signer.IgnoredTooNew, 4: signer.IgnoredTooOld, 5: signer.IgnoredDailyLimit},
	}, {
		Name: "local", Type: "lastfm", APIRoot: "http://127.0.0.1:8080/2.0/", APIKey: "local-key", MobileSignin: MobileSigninPassword,
		APISecret: "local-secret-value", // the credential local-api-secret
		Rate:      1, Burst: 2, Timeout: Duration{3 * time.Second}, MaxAge: Duration{720 * time.Hour},
		IgnoredCodes: IgnoredCodes{1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 7: signer.IgnoredDailyLimit},
	}}
	if !reflect.DeepEqual(c.Mirrors, want) {
		t.Errorf("Mirrors:\n got %#v\nwant %#v", c.Mirrors, want)
	}
	// Checked apart: %#v shows secrets redacted.
	for i := range want {
		if c.Mirrors[i].APISecret.Reveal() != want[i].APISecret.Reveal() || c.Mirrors[i].SessionKey.Reveal() != want[i].SessionKey.Reveal() {
			t.Errorf("mirror %d: secrets not loaded", i)
		}
	}
	if !slices.ContainsFunc(warnings, func(w string) bool {
		return strings.Contains(w, `mirror "librefm".session_key_file: `+dir+"/librefm-session was readable")
	}) {
		t.Errorf("no mode warning for the mirror's session key file: %q", warnings)
	}
	// Without [lastfm]'s session key there is no account "default" for
	// the mirror's session to belong to: said, not refused.
	if !slices.ContainsFunc(warnings, func(w string) bool {
		return strings.Contains(w, `mirror "librefm".session_key_file is not used: it is the session of the account "default" there, and that account exists only with lastfm.session_key_file`)
	}) {
		t.Errorf("no warning for a mirror session without the account \"default\": %q", warnings)
	}
	if st, err := os.Stat(filepath.Join(dir, "librefm-session")); err != nil || st.Mode().Perm()&0o077 != 0 {
		t.Errorf("session key file not tightened: %v %v", st.Mode(), err)
	}
	if got := c.secrets.mirrors[1]["api_secret_file"]; !strings.Contains(got, `systemd credential "local-api-secret"`) {
		t.Errorf("local's API secret source = %q", got)
	}

	// A client command reads no mirror secret; nor does it require one.
	o.NeedCredentials = false
	c, _ = mustLoad(t, o)
	if c.Mirrors[0].APISecret.IsSet() || c.Mirrors[0].SessionKey.IsSet() {
		t.Error("mirror secrets read without NeedCredentials")
	}
}

// TestMirrorHomeExpansion: a mirror's file keys take "~/" as [lastfm]'s do.
func TestMirrorHomeExpansion(t *testing.T) {
	env := newEnv(t)
	o := env.opts()
	o.Path = writeConfig(t, fmt.Sprintf(librefm, "~/lastfmd"))
	c, _ := mustLoad(t, o)
	if want := filepath.Join(env.vars["HOME"], "lastfmd", "librefm-secret"); c.Mirrors[0].APISecretFile != want {
		t.Errorf("APISecretFile = %q, want %q", c.Mirrors[0].APISecretFile, want)
	}
}

func TestMirrorBad(t *testing.T) {
	good := func(extra string) string { return fmt.Sprintf(librefm, "/etc/lastfmd") + extra }
	// table replaces a line of the good table.
	table := func(old, new string) string { return strings.Replace(good(""), old, new, 1) }
	tests := []struct {
		name  string
		file  string
		creds bool     // NeedCredentials, with the mirror's files in place
		want  []string // substrings of the error
	}{
		{name: "name with a space", file: table(`name = "librefm"`, `name = "Libre FM"`), want: []string{`mirror[1].name: must be 1 to 32 of a-z, 0-9, _ and -, not "Libre FM"`}},
		{name: "name upper case", file: table(`name = "librefm"`, `name = "LibreFM"`), want: []string{"mirror[1].name", `"LibreFM"`}},
		{name: "name with a dot", file: table(`name = "librefm"`, `name = "libre.fm"`), want: []string{"mirror[1].name", `"libre.fm"`}},
		{name: "name too long", file: table(`name = "librefm"`, `name = "`+strings.Repeat("a", 33)+`"`), want: []string{"mirror[1].name", "1 to 32"}},
		{name: "name missing", file: table(`name = "librefm"`, ``), want: []string{"mirror[1].name: required"}},
		{name: "name not a string", file: table(`name = "librefm"`, `name = 5`), want: []string{"mirror[1].name: must be a string, not an integer"}},
		{name: "name lastfm", file: table(`name = "librefm"`, `name = "lastfm"`), want: []string{`mirror[1].name: "lastfm" is Last.fm's own destination`}},
		{name: "duplicate", file: good(strings.Replace(fmt.Sprintf(librefm, "/etc/x"), "libre.fm/2.0", "other.example/2.0", 1)),
			want: []string{`mirror[2].name: "librefm" is already the name of mirror "librefm"`}},
		{name: "type missing", file: table(`type = "lastfm"`, ``), want: []string{`mirror "librefm".type: required`, `"lastfm"`}},
		{name: "type unknown", file: table(`type = "lastfm"`, `type = "gnufm"`), want: []string{`mirror "librefm".type: "gnufm" is not a type of mirror; the types are "lastfm", "listenbrainz"`}},
		{name: "api_root missing", file: table(`api_root = "https://libre.fm/2.0/"`, ``), want: []string{`mirror "librefm".api_root: required`}},
		{name: "api_root http", file: table(`api_root = "https://libre.fm/2.0/"`, `api_root = "http://libre.fm/2.0/"`), want: []string{`mirror "librefm".api_root: http:// is allowed only to localhost`, `"libre.fm"`}},
		{name: "api_root password", file: table(`api_root = "https://libre.fm/2.0/"`, `api_root = "https://me:hunter2@libre.fm/2.0/"`), want: []string{`mirror "librefm".api_root`, "password"}},
		{name: "auth_url http", file: table(`auth_url = "https://libre.fm/api/auth/"`, `auth_url = "http://10.0.0.1/api/auth/"`), want: []string{`mirror "librefm".auth_url: http://`, `"10.0.0.1"`}},
		{name: "mobile_signin unknown", file: good("mobile_signin = \"md5\"\n"),
			want: []string{`mirror "librefm".mobile_signin: "md5" is not a form of the mobile sign-in: use "auth_token" (authToken, as Libre.fm takes it) or "password"`}},
		{name: "mobile_signin not a string", file: good("mobile_signin = true\n"), want: []string{`mirror "librefm".mobile_signin: must be a string`}},
		{name: "api_key missing", file: table(`api_key = "librefm-key"`, ``), want: []string{`mirror "librefm".api_key: required`}},
		{name: "api_key spaces", file: table(`api_key = "librefm-key"`, `api_key = "libre fm"`), want: []string{`mirror "librefm".api_key: must not contain spaces`}},
		{name: "literal secret", file: table(`api_key = "librefm-key"`, "api_key = \"k\"\napi_secret = \"SECRET-literal\""),
			want: []string{`config: mirror "librefm": unknown key "api_secret" in `, `(secrets are not written in the config file: put it in a file and set mirror "librefm".api_secret_file)`}},
		{name: "literal session key", file: table(`api_key = "librefm-key"`, "api_key = \"k\"\nsession_key = \"SECRET-literal\""),
			want: []string{`unknown key "session_key"`, `set mirror "librefm".session_key_file)`}},
		{name: "literal token", file: table(`api_key = "librefm-key"`, "api_key = \"k\"\ntoken = \"SECRET-literal\""), want: []string{`mirror "librefm": unknown key "token"`}},
		{name: "typo", file: table(`api_key = "librefm-key"`, "api_key = \"k\"\napi_rot = \"x\""), want: []string{`unknown key "api_rot"`, `did you mean "api_root"?`}},
		{name: "key case", file: table(`name = "librefm"`, "name = \"librefm\"\nName = \"x\""), want: []string{`unknown key "Name"`, `did you mean "name"?`}},
		{name: "rate zero", file: good("rate = 0.0\n"), want: []string{`mirror "librefm".rate: must be greater than 0`}},
		{name: "rate text", file: good("rate = \"fast\"\n"), want: []string{`mirror "librefm".rate: must be a number, not a string`}},
		{name: "burst zero", file: good("burst = 0\n"), want: []string{`mirror "librefm".burst: must be at least 1, not 0`}},
		{name: "timeout zero", file: good("timeout = \"0s\"\n"), want: []string{`mirror "librefm".timeout: must be greater than 0`}},
		{name: "max_age negative", file: good("max_age = \"-1h\"\n"), want: []string{`mirror "librefm".max_age: bad duration "-1h": must not be negative`}},
		{name: "ignored code zero", file: table(`ignored_codes = { 3 = "too_new", 4 = "too_old" }`, `ignored_codes = { 0 = "too_old" }`), want: []string{`mirror "librefm".ignored_codes: "0" is not an ignored code`}},
		{name: "ignored code word", file: table(`ignored_codes = { 3 = "too_new", 4 = "too_old" }`, `ignored_codes = { old = "too_old" }`), want: []string{`mirror "librefm".ignored_codes: "old" is not an ignored code`}},
		{name: "ignored meaning", file: table(`ignored_codes = { 3 = "too_new", 4 = "too_old" }`, `ignored_codes = { 3 = "ancient" }`),
			want: []string{`mirror "librefm".ignored_codes: code 3: "ancient" is not a meaning; use "artist_ignored", "track_ignored", "too_old", "too_new", "daily_limit"`}},
		{name: "ignored meaning number", file: table(`ignored_codes = { 3 = "too_new", 4 = "too_old" }`, `ignored_codes = { 3 = 4 }`), want: []string{`mirror "librefm".ignored_codes: code 3: must be a meaning`}},
		{name: "ignored not a table", file: table(`ignored_codes = { 3 = "too_new", 4 = "too_old" }`, `ignored_codes = [3, 4]`), want: []string{`mirror "librefm".ignored_codes: must be a table`}},
		{name: "one table", file: "[mirror]\nname = \"librefm\"\n", want: []string{"config: mirror: must be an array of tables ([[mirror]]), not a table"}},
		{name: "not a table", file: "mirror = 5\n", want: []string{"config: mirror: must be an array of tables ([[mirror]]), not an integer"}},
		{name: "array of values", file: "mirror = [5]\n", want: []string{"config: mirror: must be tables ([[mirror]]), not an integer"}},
		{name: "Mirror", file: "[[Mirror]]\nname = \"x\"\n", want: []string{`unknown key "Mirror"`, `did you mean "mirror"?`}},
		{name: "secret missing", creds: true, file: table(`api_secret_file = "/etc/lastfmd/librefm-secret"`, ``),
			want: []string{`mirror "librefm".api_secret_file: required: name the file holding librefm's API secret, or provide the systemd credential "librefm-api-secret"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			env := mirrorEnv(t, dir)
			o := env.opts()
			o.NeedCredentials = tt.creds
			file := tt.file
			if tt.creds {
				file = strings.ReplaceAll(file, "/etc/lastfmd", dir)
				writeFile(t, dir, "librefm-session", "SECRET-session", 0o600)
			}
			o.Path = writeConfig(t, file)
			assertRefused(t, o, tt.want...)
		})
	}
}

// assertRefused loads o, which must fail with one line holding each of
// want and the file's path, and no secret.
func assertRefused(t *testing.T, o Options, want ...string) {
	t.Helper()
	c, _, err := Load(o)
	checkOneLine(t, err)
	t.Log(err)
	if c != nil {
		t.Error("Load returned a config with its error")
	}
	if err == nil {
		return
	}
	for _, w := range append(want, o.Path) {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
	assertNoSecret(t, "error", err.Error())
}

// TestMirrorFlagsAndEnvironment: mirrors come only from the file; no flag
// or variable names one.
func TestMirrorFlagsAndEnvironment(t *testing.T) {
	o := newEnv(t).opts()
	o.Flags = map[string]string{"mirror.name": "librefm"}
	_, _, err := Load(o)
	checkOneLine(t, err)
	if err != nil && !strings.Contains(err.Error(), `unknown key "mirror.name" on the command line`) {
		t.Errorf("error %q", err)
	}
	for _, s := range settings {
		if strings.HasPrefix(s.path, mirrorTable) {
			t.Errorf("setting %s: mirrors have no environment variable or flag", s.path)
		}
	}
}

// A mirror's secret file that does not exist: the error names the key, the
// configuration file it is set in, the path, and both fixes, as for
// [lastfm]'s (TestMissingSecretFileNamesItsFileAndFix).
func TestMirrorMissingSecretFileNamesItsFileAndFix(t *testing.T) {
	dir := t.TempDir()
	for _, key := range []string{"api_secret_file", "session_key_file"} {
		t.Run(key, func(t *testing.T) {
			writeFile(t, dir, "librefm-secret", "s", 0o600)
			writeFile(t, dir, "librefm-session", "k", 0o600)
			missing := filepath.Join(dir, "librefm-"+map[string]string{"api_secret_file": "secret", "session_key_file": "session"}[key])
			os.Remove(missing)
			o := mirrorEnv(t, dir).opts()
			o.Path, o.NeedCredentials = writeConfig(t, fmt.Sprintf(librefm, dir)), true
			_, _, err := Load(o)
			checkOneLine(t, err)
			what := map[string]string{"api_secret_file": "API secret", "session_key_file": `session key of account "default"`}[key]
			for _, want := range []string{
				`mirror "librefm".` + key + " (in " + o.Path + "): " + missing + " does not exist",
				"create it holding librefm's " + what + " (",
				"`install -m 600 /dev/null " + missing + "`, then paste it in",
				`or set mirror "librefm".` + key + " to the file that holds it",
			} {
				if err != nil && !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
		})
	}
}

// TestMirrorNeverHoldsLastFMCredentials: a mirror signs with its own
// secrets; one holding [lastfm]'s (a copied file) is refused, naming
// which, never showing it. A ListenBrainz token too.
func TestMirrorNeverHoldsLastFMCredentials(t *testing.T) {
	for _, tt := range []struct {
		table string
		files map[string]string
		want  string
	}{
		{librefm, map[string]string{"librefm-secret": "SECRET-lastfm-api", "librefm-session": "SECRET-librefm-session"},
			`mirror "librefm".api_secret_file: holds [lastfm]'s API secret`},
		{librefm, map[string]string{"librefm-secret": "SECRET-librefm-api", "librefm-session": "SECRET-lastfm-session"},
			`mirror "librefm".session_key_file: holds [lastfm]'s session key`},
		{librefm, map[string]string{"librefm-secret": "SECRET-librefm-api", "librefm-session": "SECRET-token"},
			`mirror "librefm".session_key_file: holds the listener token`},
		{listenbrainz, map[string]string{"listenbrainz-token": "SECRET-lastfm-api"}, `mirror "listenbrainz".token_file: holds [lastfm]'s API secret`},
		{listenbrainz, map[string]string{"listenbrainz-token": "SECRET-lastfm-session"}, `mirror "listenbrainz".token_file: holds [lastfm]'s session key`},
		{listenbrainz, map[string]string{"listenbrainz-token": "SECRET-token"}, `mirror "listenbrainz".token_file: holds the listener token`},
	} {
		dir := t.TempDir()
		for name, value := range tt.files {
			writeFile(t, dir, name, value, 0o600)
		}
		env := newEnv(t, "LASTFMD_API_KEY", "key", "LASTFMD_API_SECRET", "SECRET-lastfm-api",
			"LASTFMD_SESSION_KEY_FILE", writeFile(t, dir, "sk", "SECRET-lastfm-session", 0o600),
			"LASTFMD_SECURITY_TOKEN_FILE", writeFile(t, dir, "token", "SECRET-token", 0o600))
		o := env.opts()
		o.Path, o.NeedCredentials = writeConfig(t, fmt.Sprintf(tt.table, dir)), true
		assertRefused(t, o, tt.want, "never sent to another service")
	}
}

// TestMirrorDumpRoundTrip: Dump writes each mirror as a [[mirror]] table
// that loads back to the same values, its secrets as redacted comments.
func TestMirrorDumpRoundTrip(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "librefm-secret", "SECRET-librefm-api", 0o600)
	writeFile(t, dir, "librefm-session", "SECRET-librefm-session", 0o600)
	o := mirrorEnv(t, dir).opts()
	o.Path, o.NeedCredentials = writeConfig(t, fmt.Sprintf(librefm, dir)+"max_age = \"8760h\"\n"), true
	c, _ := mustLoad(t, o)
	out := dumpReloads(t, c, o)
	for _, want := range []string{
		"\n[[mirror]]\nname = \"librefm\"\ntype = \"lastfm\"\napi_root = \"https://libre.fm/2.0/\"\n",
		"auth_url = \"https://libre.fm/api/auth/\"\nmobile_signin = \"auth_token\"\napi_key = \"librefm-key\"\n",
		"api_secret_file = \"" + dir + "/librefm-secret\"\n" +
			`# API secret = "<redacted>", from file ` + dir + `/librefm-secret (mirror "librefm".api_secret_file in ` + o.Path + ")\n",
		`# session key of account "default" = "<redacted>", from file ` + dir + "/librefm-session",
		"rate = 2.0\nburst = 5\ntimeout = \"10s\"\nmax_age = \"8760h\"\n",
		`ignored_codes = { 1 = "artist_ignored", 2 = "track_ignored", 3 = "too_new", 4 = "too_old", 5 = "daily_limit" }`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("Dump lacks %q:\n%s", want, out)
		}
	}

	// Not loaded (a client command): the dump says where they would come from.
	o.NeedCredentials = false
	c, _ = mustLoad(t, o)
	var b bytes.Buffer
	if err := c.Dump(&b); err != nil {
		t.Fatal(err)
	}
	if want := `# API secret: from file ` + dir + `/librefm-secret (mirror "librefm".api_secret_file in ` + o.Path + `), not loaded`; !strings.Contains(b.String(), want) {
		t.Errorf("Dump lacks %q:\n%s", want, b.String())
	}
}

// dumpReloads dumps c, loaded with o, and checks the dump shows no
// secret and loads back (o with the dump as its file) to the same values.
func dumpReloads(t *testing.T, c *Config, o Options) string {
	t.Helper()
	var b bytes.Buffer
	if err := c.Dump(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	assertNoSecret(t, "Dump", out)
	o.Path = writeConfig(t, out)
	c2, _ := mustLoad(t, o)
	c1 := *c
	c1.File, c2.File = "", ""
	if !reflect.DeepEqual(plain(&c1), plain(c2)) {
		t.Errorf("round trip changed the config:\n got %+v\nwant %+v\ndump:\n%s", plain(c2), plain(&c1), out)
	}
	return out
}

// TestSecretsListsEverySecret: the redactor's list holds every secret of
// the configuration, each mirror's too, and no empty one.
func TestSecretsListsEverySecret(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "librefm-secret", "SECRET-librefm-api", 0o600)
	writeFile(t, dir, "librefm-session", "SECRET-librefm-session", 0o600)
	env := newEnv(t, "LASTFMD_API_KEY", "key", "LASTFMD_API_SECRET", "SECRET-lastfm-api",
		"LASTFMD_SECURITY_TOKEN_FILE", writeFile(t, dir, "token", "SECRET-token", 0o600))
	o := env.opts()
	o.Path, o.NeedCredentials = writeConfig(t, fmt.Sprintf(librefm, dir)), true
	c, _ := mustLoad(t, o)
	got := c.Secrets()
	slices.Sort(got)
	want := []string{"SECRET-lastfm-api", "SECRET-librefm-api", "SECRET-librefm-session", "SECRET-token"}
	if !slices.Equal(got, want) {
		t.Errorf("Secrets() = %q, want %q", got, want)
	}
}

// TestMirrorDocExample: the Libre.fm example of docs/configuration.md
// loads, with Libre.fm's reversed codes.
func TestMirrorDocExample(t *testing.T) {
	c := loadDocExample(t, "## Mirrors")
	if len(c.Mirrors) != 1 || c.Mirrors[0].Name != "librefm" || c.Mirrors[0].APIRoot != "https://libre.fm/2.0/" {
		t.Fatalf("Mirrors = %+v", c.Mirrors)
	}
	if ic := c.Mirrors[0].IgnoredCodes; ic[3] != signer.IgnoredTooNew || ic[4] != signer.IgnoredTooOld {
		t.Errorf("the example does not reverse codes 3 and 4: %v", ic)
	}
}

// loadDocExample loads the first toml example under heading (a whole
// line, "## Mirrors") of docs/configuration.md.
func loadDocExample(t *testing.T, heading string) *Config {
	t.Helper()
	doc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(doc), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("docs/configuration.md has no %q section", heading)
	}
	_, block, ok := strings.Cut(after, "```toml\n")
	block, _, ok2 := strings.Cut(block, "```")
	if !ok || !ok2 {
		t.Fatalf("the section %q has no toml example", heading)
	}
	o := newEnv(t).opts()
	o.Path = writeConfig(t, block)
	c, _ := mustLoad(t, o)
	return c
}
