package config

import (
	"fmt"
	"log/slog"
	"reflect"
	"strconv"
)

// redacted is what every rendering of a non-empty Secret shows.
const redacted = "<redacted>"

// Secret is a credential (API secret, session key, token). Every way of
// printing, logging or marshalling it shows "<redacted>" (or "" when it is
// empty, so that "not set" stays visible); only Reveal returns the value.
type Secret string

// Reveal returns the secret's value. Call it only where the value is used
// (signing a request, comparing a token), never to log it.
func (s Secret) Reveal() string { return string(s) }

// IsSet reports whether the secret holds a value.
func (s Secret) IsSet() bool { return s != "" }

// String returns "<redacted>", or "" when the secret is empty.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString makes %#v redacted too.
func (s Secret) GoString() string { return strconv.Quote(s.String()) }

// Format redacts the secret for every fmt verb, including %x and %q, which
// would otherwise bypass String.
func (s Secret) Format(f fmt.State, verb rune) {
	switch verb {
	case 'q':
		fmt.Fprint(f, strconv.Quote(s.String()))
	case 'v':
		if f.Flag('#') {
			fmt.Fprint(f, s.GoString())
			return
		}
		fmt.Fprint(f, s.String())
	default:
		fmt.Fprint(f, s.String())
	}
}

// MarshalText redacts the secret in encoders that use encoding.TextMarshaler
// (slog's text handler, TOML, map keys in JSON).
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// MarshalJSON redacts the secret in JSON output.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(s.String())), nil }

// LogValue redacts the secret in log/slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// Secrets returns the value of every secret c holds ([lastfm]'s API secret
// and session key, the listener token, each mirror's secrets), for the
// redactor and nothing else. It walks Config for Secret fields, so that a
// secret added to the configuration is never one the redactor forgets.
func (c *Config) Secrets() []string {
	var out []string
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch {
		case v.Type() == reflect.TypeFor[Secret]():
			if s := v.Interface().(Secret); s.IsSet() {
				out = append(out, s.Reveal())
			}
		case v.Kind() == reflect.Struct:
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					walk(v.Field(i))
				}
			}
		case v.Kind() == reflect.Slice:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		}
	}
	walk(reflect.ValueOf(c).Elem())
	return out
}
