package config

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/endpoint"
	"github.com/lastfmd/lastfmd/signer"
)

// Mirror is one [[mirror]] table: another service every scrobble also goes
// to (docs/configuration.md#mirrors). Which keys a table takes, their
// defaults and their rules depend on its Type (mirrorTypes); a field the
// type does not take stays zero.
type Mirror struct {
	// Name identifies the mirror (its journal lane, `--mirror NAME`, its
	// systemd credentials): [a-z0-9_-]{1,32}, unique, never "lastfm".
	Name string `toml:"name"`
	// Type is the API the service speaks: MirrorTypeLastFM or
	// MirrorTypeListenBrainz.
	Type string `toml:"type"`
	// APIRoot is the service's API root; https://, or http:// to loopback.
	APIRoot string `toml:"api_root"`
	// AuthURL is where a user approves a desktop sign-in; "" = none (the
	// mobile sign-in still works). Same rule as APIRoot.
	AuthURL string `toml:"auth_url"`
	// MobileSignin is the form of the service's auth.getMobileSession
	// (`lastfmd auth mobile --mirror NAME`): MobileSigninAuthToken or
	// MobileSigninPassword.
	MobileSignin string `toml:"mobile_signin"`
	// APIKey is lastfmd's API key at the service (not a secret).
	APIKey string `toml:"api_key"`
	// APISecretFile names the file holding the service's shared secret.
	APISecretFile string `toml:"api_secret_file"`
	// APISecret is the resolved shared secret (see resolveMirrorSecrets).
	APISecret Secret `toml:"-"`
	// SessionKeyFile names the file holding the session key of the
	// account "default" at the service.
	SessionKeyFile string `toml:"session_key_file"`
	// SessionKey is the resolved session key of the account "default".
	SessionKey Secret `toml:"-"`
	// TokenFile names the file holding the user token of the account
	// "default" at a ListenBrainz service.
	TokenFile string `toml:"token_file"`
	// Token is the resolved user token of the account "default".
	Token Secret `toml:"-"`
	// Rate and Burst bound the calls to this service: its own limiter, so
	// a mirror never spends Last.fm's budget, nor the reverse.
	Rate  float64 `toml:"rate"`
	Burst int     `toml:"burst"`
	// Timeout bounds one call to the service.
	Timeout Duration `toml:"timeout"`
	// MaxAge is the oldest scrobble sent to the service; 0 = no limit.
	MaxAge Duration `toml:"max_age"`
	// IgnoredCodes reads the service's ignored codes (see IgnoredCodes).
	IgnoredCodes IgnoredCodes `toml:"ignored_codes"`
}

// MirrorTypeLastFM is the type of a service speaking the Last.fm 2.0 API
// (Libre.fm, GNU FM and others).
const MirrorTypeLastFM = "lastfm"

// MirrorTypeListenBrainz is the type of a service speaking ListenBrainz's
// native API (ListenBrainz, a self-hosted server, Maloja's
// /apis/listenbrainz/): a user token per account, no API key or secret.
const MirrorTypeListenBrainz = "listenbrainz"

// The forms of auth.getMobileSession a mirror takes (mobile_signin): the
// older authToken = md5(lowercase(username) + md5(password)), all Libre.fm
// (GNU FM) reads, or the password itself, as Last.fm and Maloja take it.
const (
	MobileSigninAuthToken = "auth_token"
	MobileSigninPassword  = "password"
)

// IgnoredCodes maps the code a service answers for an ignored scrobble
// (ignoredMessage's code) to the Last.fm code with the same meaning
// (signer.IgnoredTooOld, ...), so that each lane reads its service's
// answers with Last.fm's rules. A code the map does not name has no known
// meaning. In the file the meanings are words (ignoredMeanings):
// { 3 = "too_new", 4 = "too_old" } is Libre.fm's.
type IgnoredCodes map[int]int

// An ignoredMeaning is the word a file gives a Last.fm ignored code.
type ignoredMeaning struct {
	word string
	code int
}

// ignoredMeanings are the words a file gives a code, in Last.fm's order.
var ignoredMeanings = []ignoredMeaning{
	{"artist_ignored", signer.IgnoredArtist},
	{"track_ignored", signer.IgnoredTrack},
	{"too_old", signer.IgnoredTooOld},
	{"too_new", signer.IgnoredTooNew},
	{"daily_limit", signer.IgnoredDailyLimit},
}

// lastfmIgnoredCodes is Last.fm's own reading: each code means itself.
func lastfmIgnoredCodes() IgnoredCodes {
	m := IgnoredCodes{}
	for _, e := range ignoredMeanings {
		m[e.code] = e.code
	}
	return m
}

// meaningWord is the file's word for a Last.fm ignored code.
func meaningWord(code int) string {
	for _, e := range ignoredMeanings {
		if e.code == code {
			return e.word
		}
	}
	return strconv.Itoa(code) // not reached: the map holds only known meanings
}

// parseIgnoredCodes converts a decoded TOML table such as
// { 3 = "too_new", 4 = "too_old" }.
func parseIgnoredCodes(v any) (IgnoredCodes, error) {
	t, ok := v.(map[string]any)
	if !ok {
		return nil, wrongType(`a table such as { 3 = "too_new", 4 = "too_old" }`, v)
	}
	words := make([]string, len(ignoredMeanings))
	for i, e := range ignoredMeanings {
		words[i] = strconv.Quote(e.word)
	}
	out := IgnoredCodes{}
	for _, k := range slices.Sorted(maps.Keys(t)) {
		code, err := strconv.Atoi(k)
		if err != nil || code < 1 || strconv.Itoa(code) != k {
			return nil, fmt.Errorf("%q is not an ignored code: codes are whole numbers from 1", k)
		}
		word, ok := t[k].(string)
		if !ok {
			return nil, fmt.Errorf("code %d: %v", code, wrongType("a meaning such as \"too_old\"", t[k]))
		}
		i := slices.IndexFunc(ignoredMeanings, func(e ignoredMeaning) bool { return e.word == word })
		if i < 0 {
			return nil, fmt.Errorf("code %d: %q is not a meaning; use %s", code, word, strings.Join(words, ", "))
		}
		out[code] = ignoredMeanings[i].code
	}
	return out, nil
}

// mirrorTable is the key of the [[mirror]] tables.
const mirrorTable = "mirror"

// A mirrorType is what one type of mirror takes: its keys besides name and
// type (in Dump's order), the values of those not given, its secrets and
// its own rules. A type is one entry here.
type mirrorType struct {
	keys     []string
	defaults func() Mirror
	secrets  []mirrorSecret
	check    func(c *Config, i int) error
}

// A mirrorSecret is a secret a type of mirror needs, read as [lastfm]'s
// are: the file its key names, else the systemd credential NAME-<cred>
// (e.g. "librefm-api-secret"). Never from the TOML or the environment.
type mirrorSecret struct {
	fileKey  string // "api_secret_file"
	cred     string // "api-secret"
	what     string // for Dump and messages: "API secret"
	required bool   // with Options.NeedCredentials
	field    func(*Mirror) (file *string, value *Secret)
	// account, for the credential of the account "default" at the
	// service: its name in a message ("session") and the command that
	// gives another account one ("auth login"); "" for the service's own.
	account, command string
}

var mirrorTypes = map[string]mirrorType{
	MirrorTypeLastFM: {
		keys: []string{"api_root", "auth_url", "mobile_signin", "api_key", "api_secret_file", "session_key_file",
			"rate", "burst", "timeout", "max_age", "ignored_codes"},
		defaults: func() Mirror {
			// [lastfm]'s defaults, not its values: a mirror never takes
			// Last.fm's budget or settings by accident.
			d := Defaults().LastFM
			return Mirror{Rate: d.Rate, Burst: d.Burst, Timeout: d.Timeout, IgnoredCodes: lastfmIgnoredCodes(),
				MobileSignin: MobileSigninAuthToken}
		},
		secrets: []mirrorSecret{
			{"api_secret_file", "api-secret", "API secret", true,
				func(m *Mirror) (*string, *Secret) { return &m.APISecretFile, &m.APISecret }, "", ""},
			{"session_key_file", "session-key", `session key of account "default"`, false,
				func(m *Mirror) (*string, *Secret) { return &m.SessionKeyFile, &m.SessionKey }, "session", "sign an account in there: lastfmd auth login"},
		},
		check: checkLastFMMirror,
	},
	MirrorTypeListenBrainz: {
		keys: []string{"api_root", "token_file", "rate", "burst", "timeout", "max_age"},
		defaults: func() Mirror {
			d := Defaults().LastFM
			return Mirror{Rate: d.Rate, Burst: d.Burst, Timeout: d.Timeout}
		},
		secrets: []mirrorSecret{
			{"token_file", "token", `user token of account "default"`, false,
				func(m *Mirror) (*string, *Secret) { return &m.TokenFile, &m.Token }, "user token", "give an account its token there: lastfmd auth token"},
		},
		check: checkListenBrainzMirror,
	},
}

// mirrorTypeNames lists the known types for messages: "lastfm", "listenbrainz".
func mirrorTypeNames() string {
	var q []string
	for _, n := range slices.Sorted(maps.Keys(mirrorTypes)) {
		q = append(q, strconv.Quote(n))
	}
	return strings.Join(q, ", ")
}

// mirrorFields maps each TOML key of Mirror to its field index.
var mirrorFields = func() map[string]int {
	m := map[string]int{}
	t := reflect.TypeFor[Mirror]()
	for i := range t.NumField() {
		if name := tomlName(t.Field(i)); name != "" {
			m[name] = i
		}
	}
	for _, typ := range mirrorTypes {
		for _, k := range typ.keys {
			if _, ok := m[k]; !ok {
				panic("config: mirror type key " + k + " is not a field of Mirror")
			}
		}
	}
	return m
}()

// mirrorKeysOf lists the keys a table of type typ takes; for an unknown
// type, every type's keys (validation then refuses the type itself).
func mirrorKeysOf(typ string) []string {
	keys := []string{"name", "type"}
	if t, ok := mirrorTypes[typ]; ok {
		return append(keys, t.keys...)
	}
	for _, n := range slices.Sorted(maps.Keys(mirrorTypes)) {
		for _, k := range mirrorTypes[n].keys {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// A mirror's name has one rule, the session file's (accounts.CheckMirrorName:
// it names a journal lane, a --mirror flag, systemd credentials and a key of
// sessions.json); reservedMirrorName is Last.fm's own destination.
const reservedMirrorName = accounts.LastFM

// mirrorLabel names the i-th mirror in messages: mirror "NAME" when its
// name is valid and no mirror before it has it, else mirror[N], counting
// the [[mirror]] tables from 1 as a reader of the file does.
func (c *Config) mirrorLabel(i int) string {
	n := c.Mirrors[i].Name
	if accounts.CheckMirrorName(n) == nil &&
		!slices.ContainsFunc(c.Mirrors[:i], func(m Mirror) bool { return m.Name == n }) {
		return fmt.Sprintf("%s %q", mirrorTable, n)
	}
	return fmt.Sprintf("%s[%d]", mirrorTable, i+1)
}

// isMirrorPath reports whether a message's key path is a mirror's.
func isMirrorPath(path string) bool {
	return strings.HasPrefix(path, mirrorTable+" ") || strings.HasPrefix(path, mirrorTable+"[")
}

// decodeMirrors applies the [[mirror]] tables (raw: as the TOML decoder
// gave them) to l.cfg.Mirrors: each key converted and checked against its
// type's keys, the type's defaults for the rest. Only a file sets mirrors:
// a list of tables has no natural form as an environment variable or flag.
func (l *loader) decodeMirrors(raw any, path string) error {
	c := l.cfg
	var tables []map[string]any
	switch v := raw.(type) {
	case []map[string]any:
		tables = v
	case []any: // mirror = [{ ... }, { ... }]
		for _, e := range v {
			t, ok := e.(map[string]any)
			if !ok {
				return fmt.Errorf("config: %s: must be tables ([[%s]]), not %s (in %s)", mirrorTable, mirrorTable, tomlTypeName(e), path)
			}
			tables = append(tables, t)
		}
	default:
		return fmt.Errorf("config: %s: must be an array of tables ([[%s]]), not %s (in %s)", mirrorTable, mirrorTable, tomlTypeName(raw), path)
	}
	c.setOrigin(mirrorTable, origin{kind: "file", name: path})
	// Names first: messages about any mirror name it (mirrorLabel).
	c.Mirrors = make([]Mirror, len(tables))
	for i, t := range tables {
		c.Mirrors[i].Name, _ = t["name"].(string)
	}
	for i, t := range tables {
		typ, _ := t["type"].(string)
		m := Mirror{}
		if ty, ok := mirrorTypes[typ]; ok {
			m = ty.defaults()
		}
		defaultCodes := m.IgnoredCodes
		keys := mirrorKeysOf(typ)
		for _, k := range slices.Sorted(maps.Keys(t)) {
			if !slices.Contains(keys, k) {
				return c.unknownMirrorKey(i, k, keys, path)
			}
			f := reflect.ValueOf(&m).Elem().Field(mirrorFields[k]).Addr().Interface()
			var err error
			if p, ok := f.(*IgnoredCodes); ok {
				*p, err = parseIgnoredCodes(t[k])
			} else {
				err = setTOML(f, t[k])
			}
			if err != nil {
				return c.bad(c.mirrorLabel(i)+"."+k, "%v", err)
			}
		}
		// The codes given replace the type's for those codes only, so
		// that Libre.fm's two reversed codes are all one writes.
		for code, meaning := range defaultCodes {
			if _, given := m.IgnoredCodes[code]; !given {
				m.IgnoredCodes[code] = meaning
			}
		}
		c.Mirrors[i] = m
	}
	return nil
}

// unknownMirrorKey is unknownKey's message for a key of a [[mirror]]
// table: a secret written in it names the key for its file.
func (c *Config) unknownMirrorKey(i int, k string, keys []string, path string) error {
	label := c.mirrorLabel(i)
	fileKey := ""
	if p, ok := secretKeyHints[strings.ToLower(k)]; ok {
		if bare := p[strings.LastIndex(p, ".")+1:]; slices.Contains(keys, bare) {
			fileKey = label + "." + bare
		}
	}
	return unknownKeyIn(label+": ", k, path, fileKey, nearest(k, keys))
}

// validateMirrors checks each mirror's name and type, then its type's
// rules.
func (c *Config) validateMirrors() error {
	for i, m := range c.Mirrors {
		label := c.mirrorLabel(i)
		switch j := slices.IndexFunc(c.Mirrors[:i], func(o Mirror) bool { return o.Name == m.Name }); {
		case m.Name == "":
			return c.bad(label+".name", "required: a name such as \"librefm\" (a-z, 0-9, _ and -, at most 32)")
		case m.Name == reservedMirrorName:
			return c.bad(label+".name", "%q is Last.fm's own destination: name the mirror after its service, e.g. \"librefm\"", m.Name)
		case accounts.CheckMirrorName(m.Name) != nil:
			return c.bad(label+".name", "must be 1 to 32 of a-z, 0-9, _ and -, not %q", m.Name)
		case j >= 0:
			return c.bad(label+".name", "%q is already the name of %s: each mirror needs its own", m.Name, c.mirrorLabel(j))
		}
		typ, ok := mirrorTypes[m.Type]
		switch {
		case m.Type == "":
			return c.bad(label+".type", "required: the API the service speaks, one of %s", mirrorTypeNames())
		case !ok:
			return c.bad(label+".type", "%q is not a type of mirror; the types are %s", m.Type, mirrorTypeNames())
		}
		if err := typ.check(c, i); err != nil {
			return err
		}
	}
	return nil
}

// checkLastFMMirror is the rule of a mirror speaking the Last.fm 2.0 API.
func checkLastFMMirror(c *Config, i int) error {
	m, label := &c.Mirrors[i], c.mirrorLabel(i)
	if err := c.checkAPIRoot(label, m.APIRoot, `"https://libre.fm/2.0/"`); err != nil {
		return err
	}
	if m.AuthURL != "" {
		if err := endpoint.Check(m.AuthURL); err != nil {
			return c.bad(label+".auth_url", "%v", err)
		}
	}
	switch m.MobileSignin {
	case MobileSigninAuthToken, MobileSigninPassword:
	default:
		return c.bad(label+".mobile_signin", "%q is not a form of the mobile sign-in: use %q (authToken, as Libre.fm takes it) or %q",
			m.MobileSignin, MobileSigninAuthToken, MobileSigninPassword)
	}
	if m.APIKey == "" {
		return c.bad(label+".api_key", "required: lastfmd's API key at that service")
	}
	if err := checkAPIKeyText(m.APIKey); err != nil {
		return c.bad(label+".api_key", "%v", err)
	}
	if key, err := checkLimits(m.Rate, m.Burst, m.Timeout); err != nil {
		return c.bad(label+"."+key, "%v", err)
	}
	return nil
}

// checkAPIRoot is every type's rule for api_root: required (example is
// one, for the message), and endpoint.Check's.
func (c *Config) checkAPIRoot(label, root, example string) error {
	if root == "" {
		return c.bad(label+".api_root", "required: the service's API root, e.g. %s", example)
	}
	if err := endpoint.Check(root); err != nil {
		return c.bad(label+".api_root", "%v", err)
	}
	return nil
}

// checkListenBrainzMirror is the rule of a mirror speaking ListenBrainz's
// native API: its API root, under which the calls are (1/submit-listens).
func checkListenBrainzMirror(c *Config, i int) error {
	m, label := &c.Mirrors[i], c.mirrorLabel(i)
	if err := c.checkAPIRoot(label, m.APIRoot, `"https://api.listenbrainz.org/" (Maloja: "https://HOST/apis/listenbrainz/")`); err != nil {
		return err
	}
	if path := strings.TrimRight(strings.SplitN(m.APIRoot, "?", 2)[0], "/"); strings.HasSuffix(path, "/1") || strings.HasSuffix(path, "/submit-listens") {
		return c.bad(label+".api_root", "is the root the API's calls are under, without 1/ or a call's name: e.g. \"https://api.listenbrainz.org/\"")
	}
	if key, err := checkLimits(m.Rate, m.Burst, m.Timeout); err != nil {
		return c.bad(label+"."+key, "%v", err)
	}
	return nil
}

// resolveMirrorSecrets reads each mirror's secrets as [lastfm]'s are read
// (l.secret: the file its key names, else the systemd credential
// NAME-<cred>), only when needCreds. A mirror's secrets are its own:
// [lastfm]'s are never a mirror's, so one that holds the same value as a
// secret of [lastfm] (or the listener token) is refused, since the mirror
// would sign with it and send a session key to another service.
func (l *loader) resolveMirrorSecrets(needCreds bool) error {
	c := l.cfg
	c.secrets.mirrors = make([]map[string]string, len(c.Mirrors))
	for i := range c.Mirrors {
		m, label := &c.Mirrors[i], c.mirrorLabel(i)
		c.secrets.mirrors[i] = map[string]string{}
		for _, s := range mirrorTypes[m.Type].secrets {
			file, value := s.field(m)
			key, cred := label+"."+s.fileKey, m.Name+"-"+s.cred
			var err error
			if *value, c.secrets.mirrors[i][s.fileKey], err = l.secret(key, *file, cred,
				m.Name+"'s "+s.what, needCreds, 0o077); err != nil {
				return err
			}
			if needCreds && s.required && !value.IsSet() {
				return c.bad(key, "required: name the file holding %s's %s, or provide the systemd credential %q", m.Name, s.what, cred)
			}
			if s.account != "" && value.IsSet() && !c.LastFM.SessionKey.IsSet() {
				l.warn(fmt.Sprintf("config: %s is not used: it is the %s of the account %q there, and that account exists only with lastfm.session_key_file (else %s --mirror %s)",
					key, s.account, accounts.DefaultName, s.command, m.Name))
			}
			for _, own := range []struct {
				what  string
				value Secret
			}{{"[lastfm]'s API secret", c.LastFM.APISecret}, {"[lastfm]'s session key", c.LastFM.SessionKey}, {"the listener token", c.Security.Token}} {
				if value.IsSet() && *value == own.value {
					return c.bad(key, "holds %s: a mirror has credentials of its own, and Last.fm's are never sent to another service", own.what)
				}
			}
		}
	}
	return nil
}

// MirrorSecretSource says where the i-th mirror's API secret was read
// (e.g. "file /etc/lastfmd/librefm-secret"), as SecretSource does for
// [lastfm]'s; "" when it was not read.
func (c *Config) MirrorSecretSource(i int) string {
	return c.mirrorSource(i, "api_secret_file")
}

// MirrorTokenSource says where the i-th mirror's user token (type
// listenbrainz: the account "default"'s) was read, e.g. "file
// /etc/lastfmd/listenbrainz-token" or "systemd credential
// listenbrainz-token"; "" when none was.
func (c *Config) MirrorTokenSource(i int) string {
	return c.mirrorSource(i, "token_file")
}

// mirrorSource is where the i-th mirror's secret of fileKey was read.
func (c *Config) mirrorSource(i int, fileKey string) string {
	if i < 0 || i >= len(c.secrets.mirrors) {
		return ""
	}
	return c.secrets.mirrors[i][fileKey]
}

// dumpMirrors writes each mirror as a [[mirror]] table: the keys its type
// takes, each secret as a comment after its file key.
func (c *Config) dumpMirrors(b *strings.Builder) {
	for i := range c.Mirrors {
		m := &c.Mirrors[i]
		fmt.Fprintf(b, "\n[[%s]]\n", mirrorTable)
		typ := mirrorTypes[m.Type]
		for _, k := range mirrorKeysOf(m.Type) {
			f := reflect.ValueOf(m).Elem().Field(mirrorFields[k]).Addr().Interface()
			b.WriteString(k + " = " + tomlValue(f) + "\n")
			for _, s := range typ.secrets {
				if s.fileKey == k {
					_, value := s.field(m)
					var from string
					if i < len(c.secrets.mirrors) {
						from = c.secrets.mirrors[i][k]
					}
					b.WriteString(secretNote(s.what, *value, from))
				}
			}
		}
	}
}
