package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// Names of the systemd credentials (LoadCredential=NAME:...) lastfmd reads
// from $CREDENTIALS_DIRECTORY.
const (
	CredentialAPISecret  = "api-secret"
	CredentialSessionKey = "session-key"
	CredentialToken      = "token"
)

// EnvAPISecret carries the API secret itself; Load removes it from the
// environment once read so no child process inherits it.
const EnvAPISecret = "LASTFMD_API_SECRET"

// maxSecretFile bounds a secret file: secrets are a few dozen bytes, and a
// mistaken path (a log, a device) must not be read whole.
const maxSecretFile = 64 << 10

// secretSources says where each secret came from, for Dump. It holds
// descriptions such as "file /etc/lastfmd/api-secret", never values.
type secretSources struct {
	apiSecret, sessionKey, token string
	// mirrors says, for each mirror, where each of its secrets came
	// from, by file key ("api_secret_file").
	mirrors []map[string]string
}

// resolveSecrets fills the Secret fields. The API secret is taken from the
// first of:
//
//  1. lastfm.api_secret_file, from the flag, LASTFMD_API_SECRET_FILE or the
//     file, in the usual flag > env > file order. LASTFMD_API_SECRET_FILE is
//     simply that key's environment variable, so it belongs here: listing it
//     again after the credential would make it both beat and lose to the
//     file's setting.
//  2. the systemd credential "api-secret" ($CREDENTIALS_DIRECTORY/api-secret),
//     if that file exists. It comes after an explicit path because a path
//     someone wrote down is the more deliberate choice.
//  3. $LASTFMD_API_SECRET, the value itself: last, being the easiest to leak
//     (ps e, /proc/PID/environ, child processes).
//
// LASTFMD_API_SECRET is removed from the environment whether or not it is
// used. The session key of the account "default" comes from
// lastfm.session_key_file, else the credential "session-key"; the listener
// token from security.token_file, else the credential "token". Both are
// optional. Each mirror's secrets come the same way, from its own files or
// credentials (resolveMirrorSecrets).
//
// Unless needCreds, the API secret, session keys and mirrors' secrets are
// not read at all: client commands never need them and usually may not
// read them.
func (l *loader) resolveSecrets(needCreds bool) error {
	c := l.cfg
	rawEnvSecret := l.getenv(EnvAPISecret)
	envSecret := strings.TrimSpace(rawEnvSecret)
	if rawEnvSecret != "" {
		if err := l.unsetenv(EnvAPISecret); err != nil {
			return fmt.Errorf("config: cannot remove %s from the environment: %v", EnvAPISecret, err)
		}
	}

	src := l.pick("lastfm.api_secret_file", c.LastFM.APISecretFile, CredentialAPISecret)
	src.what = "the shared secret of your API account (https://www.last.fm/api/accounts)"
	if envSecret != "" {
		if src.desc == "" {
			src = secretSource{key: EnvAPISecret, desc: "env " + EnvAPISecret, value: Secret(envSecret)}
		} else {
			l.warn(fmt.Sprintf("config: %s is ignored: the API secret comes from %s", EnvAPISecret, src.desc))
		}
	}
	var err error
	if c.LastFM.APISecret, c.secrets.apiSecret, err = l.load(src, needCreds, 0o077); err != nil {
		return err
	}

	if c.LastFM.SessionKey, c.secrets.sessionKey, err = l.secret("lastfm.session_key_file", c.LastFM.SessionKeyFile,
		CredentialSessionKey, "", needCreds, 0o077); err != nil {
		return err
	}

	// The token is read even for client commands, which present it. Only
	// "readable by others" is warned about: the system install shares it
	// with the lastfmd group on purpose (root:lastfmd 0640).
	if c.Security.Token, c.secrets.token, err = l.secret("security.token_file", c.Security.TokenFile,
		CredentialToken, "", true, 0o007); err != nil {
		return err
	}
	// Last: a mirror's secrets are compared with those above.
	return l.resolveMirrorSecrets(needCreds)
}

// secret resolves a secret that has a file key and a systemd credential
// (a session key, the token, each mirror's): its source (pick), then its
// value (load). what describes the value for a missing file's message;
// "" says "the secret".
func (l *loader) secret(key, path, credential, what string, read bool, warnMask fs.FileMode) (Secret, string, error) {
	src := l.pick(key, path, credential)
	src.what = what
	return l.load(src, read, warnMask)
}

// pick returns a secret's source: the file named by key when set, else the
// systemd credential if present, else none.
func (l *loader) pick(key, path, credential string) secretSource {
	if path != "" {
		return secretSource{key: key, path: path,
			desc: "file " + path + " (" + key + l.cfg.originOf(key).suffixInner() + ")"}
	}
	dir := l.getenv("CREDENTIALS_DIRECTORY")
	if dir == "" {
		return secretSource{}
	}
	p := filepath.Join(dir, credential)
	// Anything but "not there" counts, so that e.g. permission denied is
	// reported rather than silently skipped.
	if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
		return secretSource{}
	}
	return secretSource{
		key:  fmt.Sprintf("systemd credential %q", credential),
		path: p,
		desc: fmt.Sprintf("systemd credential %q (%s)", credential, p),
	}
}

// load reads a secret from its source and returns it with the description
// Dump shows. Unless read is set, nothing is read and the description says
// so.
func (l *loader) load(src secretSource, read bool, warnMask fs.FileMode) (Secret, string, error) {
	switch {
	case src.desc == "":
		return "", "", nil
	case !read:
		return "", src.desc + ", not loaded", nil
	case src.path == "":
		return src.value, src.desc, nil
	}
	s, err := l.readSecret(src, warnMask)
	if err != nil {
		return "", "", err
	}
	return s, src.desc, nil
}

// suffixInner renders an origin inside Dump's parenthesised source note.
func (o origin) suffixInner() string {
	switch o.kind {
	case "file":
		return " in " + o.name
	case "env":
		return " from env " + o.name
	case "flag":
		return " from the command line"
	}
	return ""
}

// secretSource is one place a secret can come from; desc == "" is none.
type secretSource struct {
	key   string // what error messages name: a key, a credential, an env var
	path  string // file to read; "" when the value came with the source
	desc  string // for Dump and warnings, e.g. `systemd credential "token"`
	value Secret // the value, for the environment source
	what  string // what a missing file should hold; "" = "the secret"
}

// readSecret reads a one-line secret file, trimmed of surrounding
// whitespace. A file whose permission bits intersect warnMask is warned
// about, not refused: the daemon should still start, and the warning tells
// the operator what to chmod.
func (l *loader) readSecret(src secretSource, warnMask fs.FileMode) (Secret, error) {
	f, err := os.Open(src.path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", l.missingSecretFile(src)
	}
	if err != nil {
		return "", fmt.Errorf("config: %s: cannot read %s: %v", src.key, src.path, pathErr(err))
	}
	defer f.Close()
	// Stat the open file, not the path, so the mode checked is the mode of
	// what was read.
	info, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("config: %s: cannot read %s: %v", src.key, src.path, pathErr(err))
	}
	if info.IsDir() {
		return "", fmt.Errorf("config: %s: %s is a directory, not a file", src.key, src.path)
	}
	// Windows has no such permission bits; its ACLs are not checked here.
	// As ssh does with keys: a file others may read is tightened (with a
	// warning) when lastfmd may change its mode, else refused with the
	// chmod that fixes it (docs/security.md).
	if perm := info.Mode().Perm(); runtime.GOOS != "windows" && perm&warnMask != 0 {
		who, fix := "group or others", "chmod 600"
		if warnMask&0o070 == 0 {
			who, fix = "others", "chmod o-rwx"
		}
		if err := f.Chmod(perm &^ warnMask); err != nil {
			return "", fmt.Errorf("config: %s: %s is readable by %s (mode %04o) and lastfmd cannot change that (%v): %s %s",
				src.key, src.path, who, perm, pathErr(err), fix, src.path)
		}
		l.warn(fmt.Sprintf("config: %s: %s was readable by %s (mode %04o); lastfmd tightened it to %04o (%s %s)",
			src.key, src.path, who, perm, perm&^warnMask, fix, src.path))
	}
	data, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", fmt.Errorf("config: %s: cannot read %s: %v", src.key, src.path, pathErr(err))
	}
	if len(data) > maxSecretFile {
		return "", fmt.Errorf("config: %s: %s is too large to be a secret", src.key, src.path)
	}
	s := strings.TrimSpace(string(data))
	if s == "" {
		return "", fmt.Errorf("config: %s: %s is empty", src.key, src.path)
	}
	if strings.ContainsAny(s, "\r\n") {
		return "", fmt.Errorf("config: %s: %s must hold the secret alone on one line", src.key, src.path)
	}
	return Secret(s), nil
}

// missingSecretFile is the error for a secret file that does not exist:
// which setting names it and where that setting was made (a user who did
// not write the path must find it), and the two fixes: create the file, or
// point the setting at the one that holds the secret.
func (l *loader) missingSecretFile(src secretSource) error {
	what := src.what
	if what == "" {
		what = "the secret"
	}
	return fmt.Errorf("config: %s%s: %s does not exist: create it holding %s (`install -m 600 /dev/null %s`, then paste it in), or set %s to the file that holds it",
		src.key, l.cfg.from(src.key), src.path, what, src.path, src.key)
}

// pathErr drops the operation and path from an *fs.PathError, which the
// caller's message already names.
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
