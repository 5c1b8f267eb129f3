package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// setText sets a field from text: an environment variable or a flag.
// Lists are comma-separated.
func setText(field any, s string) error {
	switch p := field.(type) {
	case *string:
		*p = s
	case *int:
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("bad integer %q", s)
		}
		*p = n
	case *float64:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("bad number %q", s)
		}
		*p = f
	case *[]string:
		*p = splitList(s)
	case *Duration:
		return p.UnmarshalText([]byte(s))
	case *Size:
		return p.UnmarshalText([]byte(s))
	default:
		panic(fmt.Sprintf("config: no text conversion for %T", field))
	}
	return nil
}

// splitList splits a comma-separated list, dropping blanks so that
// "a, b," is [a b].
func splitList(s string) []string {
	out := []string{}
	for _, e := range strings.Split(s, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

// setTOML sets a field from a raw decoded TOML value. TOML is typed, so a
// value of the wrong type is an error rather than being converted (burst =
// "5" is refused); durations and sizes are strings, and a size may also be
// a plain integer.
func setTOML(field any, v any) error {
	switch p := field.(type) {
	case *string:
		s, ok := v.(string)
		if !ok {
			return wrongType("a string", v)
		}
		*p = s
	case *int:
		n, ok := v.(int64)
		if !ok {
			return wrongType("an integer", v)
		}
		if int64(int(n)) != n {
			return fmt.Errorf("integer %d out of range", n)
		}
		*p = int(n)
	case *float64:
		switch n := v.(type) {
		case float64:
			if math.IsNaN(n) || math.IsInf(n, 0) {
				return fmt.Errorf("bad number %v", n)
			}
			*p = n
		case int64:
			*p = float64(n)
		default:
			return wrongType("a number", v)
		}
	case *[]string:
		arr, ok := v.([]any)
		if !ok {
			return wrongType("an array of strings", v)
		}
		out := make([]string, 0, len(arr))
		for _, e := range arr {
			s, ok := e.(string)
			if !ok {
				return wrongType("an array of strings", e)
			}
			out = append(out, s)
		}
		*p = out
	case *Duration:
		s, ok := v.(string)
		if !ok {
			return wrongType(`a duration string such as "10s"`, v)
		}
		return p.UnmarshalText([]byte(s))
	case *Size:
		switch n := v.(type) {
		case string:
			return p.UnmarshalText([]byte(n))
		case int64:
			if n < 0 {
				return fmt.Errorf("bad size %d: must not be negative", n)
			}
			*p = Size(n)
		default:
			return wrongType(`a size such as "64MiB" or a byte count`, v)
		}
	default:
		panic(fmt.Sprintf("config: no TOML conversion for %T", field))
	}
	return nil
}

func wrongType(want string, v any) error {
	return fmt.Errorf("must be %s, not %s", want, tomlTypeName(v))
}

// tomlTypeName names a decoded value's TOML type for error messages; the
// value itself is not shown, in case a secret was pasted in the wrong place.
func tomlTypeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	case time.Time:
		return "a date-time"
	default:
		return "a date or time"
	}
}
