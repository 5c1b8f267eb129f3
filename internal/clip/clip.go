// Package clip owns the one rule for shortening text that goes into a log
// line, an error message, a CLI message or a status line: one line, of
// bounded length, cut on a UTF-8 boundary. It imports only the standard
// library and sits at the module's root (internal/), so every package of
// lastfmd, signer and client included, can use it.
package clip

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Ellipsis marks a value Line cut.
const Ellipsis = "…"

// Line returns the first line of s (up to the first '\n' or '\r') with the
// white space around it trimmed.
//
// With max > 0, for quoting a value (%q) that may not be echoed in full,
// the line is also cut to at most max bytes on a UTF-8 boundary, and
// Ellipsis marks anything left out (bytes beyond max, or further lines), so
// the reader sees the value was cut. With max <= 0, for passing on an
// error's or a status's first line, nothing is added.
func Line(s string, max int) string {
	s = strings.TrimLeft(s, " \t\r\n")
	rest := false
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		rest = strings.TrimSpace(s[i:]) != ""
		s = s[:i]
	}
	s = strings.TrimRight(s, " \t")
	if max <= 0 {
		return s
	}
	if len(s) <= max {
		if rest {
			return s + Ellipsis
		}
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + Ellipsis
}

// MaxListed is how many problems List names before it only counts the
// rest: a refusal of 10,000 bad scrobbles stays one readable line.
const MaxListed = 50

// List joins problems with "; ", naming at most MaxListed and counting
// the rest ("; and N more").
func List(problems []string) string {
	if len(problems) <= MaxListed {
		return strings.Join(problems, "; ")
	}
	return strings.Join(problems[:MaxListed], "; ") + "; and " + strconv.Itoa(len(problems)-MaxListed) + " more"
}
