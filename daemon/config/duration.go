package config

import (
	"fmt"
	"strings"
	"time"
)

// Duration is a non-negative time.Duration written as text, e.g. "10s",
// "30m", "312h". It embeds time.Duration so callers use it directly
// (cfg.LastFM.Timeout.Duration) or through its methods.
type Duration struct{ time.Duration }

// ParseDuration parses Go duration text ("1m30s", "312h"); negative values
// are refused because every duration in the configuration is a length of time.
func ParseDuration(s string) (Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return Duration{}, fmt.Errorf("bad duration %q (use a number with a unit: ms, s, m, h)", s)
	}
	if d < 0 {
		return Duration{}, fmt.Errorf("bad duration %q: must not be negative", s)
	}
	return Duration{d}, nil
}

// String writes the duration without trailing zero units ("312h", not
// "312h0m0s") so dumps read like the documented defaults.
func (d Duration) String() string {
	s := d.Duration.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// MarshalText writes the duration as text (see String).
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses duration text (see ParseDuration).
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
