package config

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/lastfmd/lastfmd/internal/clip"
	"github.com/lastfmd/lastfmd/internal/suggest"
)

// decode applies a TOML file's values to l.cfg. Values are converted first,
// so that a bad value is reported in terms of its key; then any key the
// decoder did not place (MetaData.Undecoded), or placed only by its
// case-insensitive matching, is an unknown key.
func (l *loader) decode(path string, data []byte) error {
	// A first, untyped pass reports syntax errors and a section given as a
	// value ("lastfm = 5"), which the typed pass would report by printing
	// its generated struct type.
	var raw map[string]any
	if _, err := toml.Decode(string(data), &raw); err != nil {
		return decodeError(path, err)
	}
	for _, s := range sections {
		for k, v := range raw {
			if _, table := v.(map[string]any); strings.EqualFold(k, s) && !table {
				return fmt.Errorf("config: %s: must be a table ([%s]), not %s (in %s)", k, s, tomlTypeName(v), path)
			}
		}
	}

	layout := reflect.New(layoutType)
	md, err := toml.Decode(string(data), layout.Interface())
	if err != nil {
		return decodeError(path, err)
	}
	for _, s := range settings {
		v := layout.Elem().FieldByIndex(s.index).Interface()
		if v == nil {
			continue
		}
		if err := setTOML(s.field(l.cfg), v); err != nil {
			return fmt.Errorf("config: %s: %v (in %s)", s.path, err, path)
		}
		l.cfg.setOrigin(s.path, origin{kind: "file", name: path})
	}
	// TOML keys are case-sensitive but the decoder matches struct fields
	// case-insensitively; refuse "Listen" rather than half-accept it. This
	// runs first so that "[[Mirror]]" is named as itself, not by its keys.
	// The keys of [[mirror]] tables are decodeMirrors's to check: decoded
	// into an `any`, they stay in Undecoded too.
	for _, k := range md.Keys() {
		if k[0] != mirrorTable && !isKnownKey(k.String()) {
			return unknownKey(k.String(), path)
		}
	}
	for _, k := range md.Undecoded() {
		if k[0] != mirrorTable {
			return unknownKey(k.String(), path)
		}
	}
	if v := layout.Elem().FieldByName("Mirrors").Interface(); v != nil {
		return l.decodeMirrors(v, path)
	}
	return nil
}

func isKnownKey(k string) bool {
	if _, ok := settingByPath[k]; ok {
		return true
	}
	for _, s := range sections {
		if k == s {
			return true
		}
	}
	return false
}

// secretKeyHints answer the likeliest unknown key: a secret written into
// the file itself, which lastfmd refuses so that config files can be shared
// and dumped.
var secretKeyHints = map[string]string{
	"api_secret":  "lastfm.api_secret_file",
	"secret":      "lastfm.api_secret_file",
	"session_key": "lastfm.session_key_file",
	"token":       "security.token_file",
}

// unknownKey builds the error for key k, with a hint when one fits.
func unknownKey(k, path string) error {
	last := k[strings.LastIndex(k, ".")+1:]
	known := append([]string{mirrorTable}, sections...)
	for _, s := range settings {
		known = append(known, s.path)
	}
	return unknownKeyIn("", k, path, secretKeyHints[strings.ToLower(last)], nearest(k, known))
}

// unknownKeyIn is the message for an unknown key k of a table (where: ""
// for the file's own keys, else the table and ": "): a secret written in
// the file is told the key for its file (fileKey), else the nearest known
// key is suggested.
func unknownKeyIn(where, k, path, fileKey, near string) error {
	msg := fmt.Sprintf("config: %sunknown key %q in %s", where, k, path)
	if fileKey != "" {
		return errors.New(msg + " (secrets are not written in the config file: put it in a file and set " + fileKey + ")")
	}
	if near != "" {
		return errors.New(msg + fmt.Sprintf(" (did you mean %q?)", near))
	}
	return errors.New(msg)
}

// nearest finds the known key an unknown one most likely meant: the same
// key in another case or section, else the nearest by the one "did you
// mean" (internal/suggest).
func nearest(k string, known []string) string {
	last := k[strings.LastIndex(k, ".")+1:]
	for _, p := range known {
		if strings.EqualFold(p, k) || strings.EqualFold(p[strings.LastIndex(p, ".")+1:], last) {
			return p
		}
	}
	if near := suggest.Closest(k, known); len(near) > 0 {
		return near[0]
	}
	return ""
}

// quotedText matches a quoted fragment of the input in a parser message.
var quotedText = regexp.MustCompile(`"[^"]{4,}"`)

// decodeError turns a TOML syntax or structure error into one line naming
// the file and line. The parser quotes the text it choked on ("expected
// value but found "abc123" instead"); that text is elided, because it may
// be a secret pasted unquoted, and the line and key locate it anyway.
func decodeError(path string, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		msg := clip.Line(quotedText.ReplaceAllString(pe.Message, `"..."`), 0)
		where := fmt.Sprintf("%s line %d", path, pe.Position.Line)
		if pe.LastKey != "" {
			return fmt.Errorf("config: %s (key %q): %s", where, pe.LastKey, msg)
		}
		return fmt.Errorf("config: %s: %s", where, msg)
	}
	msg := strings.TrimPrefix(err.Error(), "toml: ")
	return fmt.Errorf("config: %s: %s", path, clip.Line(quotedText.ReplaceAllString(msg, `"..."`), 0))
}
