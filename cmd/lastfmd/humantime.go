package main

import (
	"fmt"
	"time"
)

// ago renders t for a person reading the terminal: how long ago (or how
// soon) in whole units, then the local clock time, e.g. "3 min ago
// (14:02:11)". The zero time is "never".
func ago(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t)
	rel := relative(d) + " ago"
	if d < 0 {
		rel = "in " + relative(-d)
	}
	if d > -time.Second && d < time.Second {
		rel = "just now"
	}
	lt, ln := t.Local(), now.Local()
	clock := lt.Format("15:04:05")
	if lt.YearDay() != ln.YearDay() || lt.Year() != ln.Year() {
		clock = lt.Format("2006-01-02 15:04")
	}
	return rel + " (" + clock + ")"
}

// relative is a non-negative duration in its largest whole unit.
func relative(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d/time.Hour))
	}
	return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
}

// parseTime reads an RFC 3339 time from a status or queue document; ""
// or a bad value is the zero time ("never").
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}
