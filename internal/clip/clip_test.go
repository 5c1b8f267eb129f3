package clip

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	cases := []struct {
		name, in string
		max      int
		want     string
	}{
		{"empty", "", 0, ""},
		{"one line", "cannot store the session", 0, "cannot store the session"},
		{"first line of several", "open journal.db: timeout\nstack:\n  main.go:1", 0, "open journal.db: timeout"},
		{"carriage return ends a line", "READY\rSTATUS=x", 0, "READY"},
		{"CRLF", "one\r\ntwo", 0, "one"},
		{"surrounding space", "  \n\t spaced out \t\nnext", 0, "spaced out"},
		{"inner space kept", "a  b\tc", 0, "a  b\tc"},
		{"short enough", "example.com", 64, "example.com"},
		{"exactly max", "abcd", 4, "abcd"},
		{"cut", "abcdef", 4, "abcd…"},
		{"cut after the first line", "abcdef\nghi", 4, "abcd…"},
		{"a quoted value's further lines are marked", "bad\nname", 64, "bad…"},
		{"trailing line breaks are not a further line", "name\n\n", 64, "name"},
		{"cut keeps a rune whole", "aé", 2, "a…"},
		{"cut before a multi-byte rune", "ab\u20acd", 3, "ab…"},
		{"no limit", strings.Repeat("x", 1000), 0, strings.Repeat("x", 1000)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Line(c.in, c.max)
			if got != c.want {
				t.Fatalf("Line(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
			}
			if strings.ContainsAny(got, "\r\n") || !utf8.ValidString(got) && utf8.ValidString(c.in) {
				t.Errorf("Line(%q, %d) = %q: not one valid line", c.in, c.max, got)
			}
			if c.max > 0 && len(got) > c.max+len(Ellipsis) {
				t.Errorf("Line(%q, %d) = %q: longer than max", c.in, c.max, got)
			}
		})
	}
}

func FuzzLine(f *testing.F) {
	f.Add("a\nb", 3)
	f.Add("h\u00e9llo w\u00f6rld", 4)
	f.Fuzz(func(t *testing.T, s string, max int) {
		got := Line(s, max)
		if strings.ContainsAny(got, "\r\n") {
			t.Fatalf("Line(%q, %d) = %q holds a line break", s, max, got)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("Line(%q, %d) = %q split a rune", s, max, got)
		}
		if max > 0 && len(got) > max+len(Ellipsis) {
			t.Fatalf("Line(%q, %d) = %q is too long", s, max, got)
		}
	})
}
