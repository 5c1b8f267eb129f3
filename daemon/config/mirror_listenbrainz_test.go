package config

import (
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// listenbrainz is a good ListenBrainz [[mirror]] table; %s is the
// directory of its token file.
const listenbrainz = `
[[mirror]]
name = "listenbrainz"
type = "listenbrainz"
api_root = "https://api.listenbrainz.org/"
token_file = "%[1]s/listenbrainz-token"
`

func TestMirrorListenBrainzGood(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "listenbrainz-token", "SECRET-lb-token\n", 0o600)
	creds := filepath.Join(dir, "creds")
	writeFile(t, creds, "maloja-token", "SECRET-maloja-key", 0o400)
	env := mirrorEnv(t, dir)
	env.vars["CREDENTIALS_DIRECTORY"] = creds
	env.vars["LASTFMD_SESSION_KEY_FILE"] = writeFile(t, dir, "sk", "SECRET-lastfm-session", 0o600)
	o := env.opts()
	o.NeedCredentials = true
	o.Path = writeConfig(t, fmt.Sprintf(listenbrainz, dir)+`
[[mirror]]
name = "maloja"
type = "listenbrainz"
api_root = "http://127.0.0.1:42010/apis/listenbrainz/"
rate = 1
burst = 2
timeout = "3s"
max_age = "8760h"
`)
	c, warnings := mustLoad(t, o)
	want := []Mirror{{
		Name: "listenbrainz", Type: "listenbrainz", APIRoot: "https://api.listenbrainz.org/",
		TokenFile: dir + "/listenbrainz-token", Token: "SECRET-lb-token",
		Rate: 2.0, Burst: 5, Timeout: Duration{10 * time.Second}, // [lastfm]'s defaults; no max_age
	}, {
		Name: "maloja", Type: "listenbrainz", APIRoot: "http://127.0.0.1:42010/apis/listenbrainz/",
		Token: "SECRET-maloja-key", // the credential maloja-token
		Rate:  1, Burst: 2, Timeout: Duration{3 * time.Second}, MaxAge: Duration{8760 * time.Hour},
	}}
	if !reflect.DeepEqual(c.Mirrors, want) {
		t.Errorf("Mirrors:\n got %#v\nwant %#v", c.Mirrors, want)
	}
	for i := range want {
		if c.Mirrors[i].Token.Reveal() != want[i].Token.Reveal() {
			t.Errorf("mirror %d: token %q not loaded", i, want[i].Token.Reveal())
		}
	}
	if len(warnings) != 0 {
		t.Errorf("warnings: %q", warnings)
	}
	if got := c.MirrorTokenSource(1); !strings.Contains(got, `systemd credential "maloja-token"`) {
		t.Errorf("maloja's token source = %q", got)
	}
	if got := c.MirrorTokenSource(0); !strings.HasPrefix(got, "file "+dir+"/listenbrainz-token") || c.MirrorSecretSource(0) != "" || c.MirrorTokenSource(2) != "" {
		t.Errorf("listenbrainz's token source = %q, API secret source %q", got, c.MirrorSecretSource(0))
	}
	// The token joins the redactor's list.
	got := c.Secrets()
	slices.Sort(got)
	if w := []string{"SECRET-lastfm-session", "SECRET-lb-token", "SECRET-maloja-key", "lastfm-secret-value"}; !slices.Equal(got, w) {
		t.Errorf("Secrets() = %q, want %q", got, w)
	}

	// A client command reads no token.
	o.NeedCredentials = false
	c, _ = mustLoad(t, o)
	if c.Mirrors[0].Token.IsSet() || c.Mirrors[1].Token.IsSet() {
		t.Error("tokens read without NeedCredentials")
	}
}

// TestMirrorListenBrainzTokenWithoutDefaultAccount: the token is the
// account "default"'s, which exists only with lastfm.session_key_file:
// said, not refused, with the command for other accounts.
func TestMirrorListenBrainzTokenWithoutDefaultAccount(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "listenbrainz-token", "SECRET-lb-token", 0o600)
	o := mirrorEnv(t, dir).opts()
	o.Path, o.NeedCredentials = writeConfig(t, fmt.Sprintf(listenbrainz, dir)), true
	_, warnings := mustLoad(t, o)
	want := `config: mirror "listenbrainz".token_file is not used: it is the user token of the account "default" there, and that account exists only with lastfm.session_key_file (else give an account its token there: lastfmd auth token --mirror listenbrainz)`
	if !slices.Contains(warnings, want) {
		t.Errorf("warnings %q lack %q", warnings, want)
	}
	for _, w := range warnings {
		assertNoSecret(t, "warning", w)
	}
}

func TestMirrorListenBrainzBad(t *testing.T) {
	good := func(extra string) string { return fmt.Sprintf(listenbrainz, "/etc/lastfmd") + extra }
	table := func(old, new string) string { return strings.Replace(good(""), old, new, 1) }
	root := `api_root = "https://api.listenbrainz.org/"`
	tests := []struct {
		name string
		file string
		want []string
	}{
		{"api_root missing", table(root, ""), []string{`mirror "listenbrainz".api_root: required: the service's API root, e.g. "https://api.listenbrainz.org/" (Maloja: "https://HOST/apis/listenbrainz/")`}},
		{"api_root http", table(root, `api_root = "http://api.listenbrainz.org/"`), []string{`mirror "listenbrainz".api_root: http:// is allowed only to localhost`}},
		{"api_root with 1/", table(root, `api_root = "https://api.listenbrainz.org/1/"`), []string{`mirror "listenbrainz".api_root: is the root the API's calls are under, without 1/`}},
		{"api_root a call", table(root, `api_root = "https://maloja.example/apis/listenbrainz/1/submit-listens"`), []string{`mirror "listenbrainz".api_root: is the root`}},
		{"api_key", good("api_key = \"k\"\n"), []string{`mirror "listenbrainz": unknown key "api_key"`}},
		{"api_secret_file", good("api_secret_file = \"/etc/x\"\n"), []string{`mirror "listenbrainz": unknown key "api_secret_file"`}},
		{"session_key_file", good("session_key_file = \"/etc/x\"\n"), []string{`mirror "listenbrainz": unknown key "session_key_file"`}},
		{"auth_url", good("auth_url = \"https://x/\"\n"), []string{`mirror "listenbrainz": unknown key "auth_url"`}},
		{"ignored_codes", good("ignored_codes = { 3 = \"too_new\" }\n"), []string{`mirror "listenbrainz": unknown key "ignored_codes"`}},
		{"mobile_signin", good("mobile_signin = \"password\"\n"), []string{`mirror "listenbrainz": unknown key "mobile_signin"`}},
		{"literal token", good("token = \"SECRET-literal\"\n"),
			[]string{`mirror "listenbrainz": unknown key "token"`, `(secrets are not written in the config file: put it in a file and set mirror "listenbrainz".token_file)`}},
		{"typo", good("token_fle = \"/etc/x\"\n"), []string{`unknown key "token_fle"`, `did you mean "token_file"?`}},
		{"rate zero", good("rate = 0.0\n"), []string{`mirror "listenbrainz".rate: must be greater than 0`}},
		{"burst zero", good("burst = 0\n"), []string{`mirror "listenbrainz".burst: must be at least 1, not 0`}},
		{"timeout zero", good("timeout = \"0s\"\n"), []string{`mirror "listenbrainz".timeout: must be greater than 0`}},
		{"max_age negative", good("max_age = \"-1h\"\n"), []string{`mirror "listenbrainz".max_age: bad duration "-1h"`}},
		// token_file is ListenBrainz's: a Last.fm-type mirror refuses it.
		{"token_file on lastfm", fmt.Sprintf(librefm, "/etc/lastfmd") + "token_file = \"/etc/x\"\n", []string{`mirror "librefm": unknown key "token_file"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newEnv(t).opts()
			o.Path = writeConfig(t, tt.file)
			assertRefused(t, o, tt.want...)
		})
	}
}

// TestMirrorListenBrainzDumpRoundTrip: Dump writes the keys the type
// takes, the token as a redacted comment, and loads back the same.
func TestMirrorListenBrainzDumpRoundTrip(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "listenbrainz-token", "SECRET-lb-token", 0o600)
	env := mirrorEnv(t, dir)
	env.vars["LASTFMD_SESSION_KEY_FILE"] = writeFile(t, dir, "sk", "SECRET-lastfm-session", 0o600)
	o := env.opts()
	o.Path, o.NeedCredentials = writeConfig(t, fmt.Sprintf(listenbrainz, dir)), true
	c, _ := mustLoad(t, o)
	out := dumpReloads(t, c, o)
	want := "\n[[mirror]]\nname = \"listenbrainz\"\ntype = \"listenbrainz\"\napi_root = \"https://api.listenbrainz.org/\"\n" +
		"token_file = \"" + dir + "/listenbrainz-token\"\n" +
		`# user token of account "default" = "<redacted>", from file ` + dir + `/listenbrainz-token (mirror "listenbrainz".token_file in ` + o.Path + ")\n" +
		"rate = 2.0\nburst = 5\ntimeout = \"10s\"\nmax_age = \"0s\"\n"
	if !strings.Contains(out, want) {
		t.Errorf("Dump lacks %q:\n%s", want, out)
	}
	for _, k := range []string{"api_key", "auth_url", "ignored_codes", "session_key_file"} {
		if strings.Contains(out[strings.Index(out, "[[mirror]]"):], k) {
			t.Errorf("Dump writes %s for a ListenBrainz mirror:\n%s", k, out)
		}
	}
}

// TestMirrorListenBrainzDocExample: the ListenBrainz and Maloja example of
// docs/configuration.md loads.
func TestMirrorListenBrainzDocExample(t *testing.T) {
	c := loadDocExample(t, "### ListenBrainz and Maloja")
	if len(c.Mirrors) != 2 || c.Mirrors[0].Type != MirrorTypeListenBrainz || c.Mirrors[1].Type != MirrorTypeListenBrainz ||
		c.Mirrors[0].APIRoot != "https://api.listenbrainz.org/" || c.Mirrors[0].TokenFile != "/etc/lastfmd/listenbrainz-token" {
		t.Errorf("Mirrors = %+v", c.Mirrors)
	}
}
