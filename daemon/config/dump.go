package config

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Dump writes the effective configuration as TOML, every key in the
// documented order, so that the output is itself a valid configuration
// file. Values from the environment or the command line carry a comment
// saying so; the [[mirror]] tables come last, each with the keys its type
// takes. Secrets are not TOML keys (the file names files, never secrets),
// so each appears as a comment after its file key: "<redacted>" and where
// it came from, never its value.
func (c *Config) Dump(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# lastfmd effective configuration; secrets are never shown.\n")
	if c.File != "" {
		fmt.Fprintf(&b, "# Read from %s.\n", c.File)
	} else {
		b.WriteString("# No configuration file was read: defaults and environment only.\n")
	}
	b.WriteString("\n")

	section := ""
	for _, s := range settings {
		sec, key, ok := strings.Cut(s.path, ".")
		if !ok {
			sec, key = "", s.path
		}
		if sec != section {
			fmt.Fprintf(&b, "\n[%s]\n", sec)
			section = sec
		}
		line := key + " = " + tomlValue(s.field(c))
		if note := c.origin[s.path].comment(); note != "" {
			line += "  # " + note
		}
		b.WriteString(line + "\n")

		switch s.path {
		case "lastfm.api_secret_file":
			b.WriteString(secretNote("API secret", c.LastFM.APISecret, c.secrets.apiSecret))
		case "lastfm.session_key_file":
			b.WriteString(secretNote(`session key of account "default"`, c.LastFM.SessionKey, c.secrets.sessionKey))
		case "security.token_file":
			b.WriteString(secretNote("listener token", c.Security.Token, c.secrets.token))
		}
	}
	c.dumpMirrors(&b) // mirror.go
	_, err := io.WriteString(w, b.String())
	return err
}

// secretNote is the comment line describing a secret without its value.
func secretNote(what string, s Secret, from string) string {
	switch {
	case s.IsSet() && from != "":
		return fmt.Sprintf("# %s = %q, from %s\n", what, s.String(), from)
	case s.IsSet():
		return fmt.Sprintf("# %s = %q\n", what, s.String())
	case from != "":
		return fmt.Sprintf("# %s: from %s\n", what, from)
	}
	return fmt.Sprintf("# %s: not set\n", what)
}

// tomlValue renders a setting's field as a TOML value.
func tomlValue(field any) string {
	switch p := field.(type) {
	case *string:
		return tomlQuote(*p)
	case *int:
		return strconv.Itoa(*p)
	case *float64:
		s := strconv.FormatFloat(*p, 'g', -1, 64)
		// TOML needs a fraction or exponent to read a float back as one.
		if !strings.ContainsAny(s, ".e") {
			s += ".0"
		}
		return s
	case *[]string:
		q := make([]string, len(*p))
		for i, e := range *p {
			q[i] = tomlQuote(e)
		}
		return "[" + strings.Join(q, ", ") + "]"
	case *Duration:
		return tomlQuote(p.String())
	case *Size:
		return tomlQuote(p.String())
	case *IgnoredCodes:
		var e []string
		for _, code := range slices.Sorted(maps.Keys(*p)) {
			e = append(e, fmt.Sprintf("%d = %s", code, tomlQuote(meaningWord((*p)[code]))))
		}
		if len(e) == 0 {
			return "{}"
		}
		return "{ " + strings.Join(e, ", ") + " }"
	}
	panic(fmt.Sprintf("config: no TOML rendering for %T", field))
}

// tomlQuote writes a TOML basic string. strconv.Quote is not used because
// its \x escapes are not valid TOML.
func tomlQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x20 || r == 0x7f {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
