package playlog

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/lastfmd/lastfmd/signer"
)

// FuzzRead: whatever the file, Read never panics; every play it returns is
// one signer.ParseScrobble accepts, valid UTF-8, with an artist and a
// title and a start time not 0; every line is a play, skipped, refused or
// nothing (a header, a comment, an empty line), never two of these; and an
// error is a one-line *NotPlaysError.
func FuzzRead(f *testing.F) {
	f.Add(header + line("A", "B", "T", "1", "200", "L", "1767225600", "") + "# FAILED - x\n" + line("<UNTAGGED>", "", "x", "-1", "1", "S", "0", ""))
	f.Add(utcHeader + "A\tB\tT\t\t\tL\t1767225600\r\n")
	f.Add("\xEF\xBB\xBF[{\"artist\":\"A\",\"track\":\"T\",\"timestamp\":1767225600}]")
	f.Add(`{"artist":"A","track":"T","timestamp":"1767225600","duration":3}` + "\n" + `{"state":"pending","item":{}}`)
	f.Add("#1 Dads\t\tT\t1\t2\tL\t1767225600\t\n")
	f.Add("")
	loc := time.FixedZone("X", 3600)
	berlin := mustZone(f, "Europe/Berlin")
	f.Fuzz(func(t *testing.T, text string) {
		for _, l := range []*time.Location{loc, berlin} {
			got, err := Read(strings.NewReader(text), Options{Location: l})
			if err != nil {
				var np *NotPlaysError
				if !errors.As(err, &np) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("error %v", err)
				}
				continue
			}
			seen := map[int]bool{}
			mark := func(n int) {
				if n < 1 || seen[n] {
					t.Fatalf("line %d counted twice or out of range", n)
				}
				seen[n] = true
			}
			for _, p := range got.Plays {
				mark(p.Line)
				sc, problems := signer.ParseScrobble(p.Params)
				if len(problems) > 0 || sc.Timestamp != p.Timestamp || p.Timestamp == 0 && p.Wall == 0 {
					t.Fatalf("play %+v: %v", p, problems)
				}
				for _, v := range p.Params {
					if !utf8.ValidString(v) || v == "" {
						t.Fatalf("play %+v: a value empty or not UTF-8", p)
					}
				}
				if a := strings.TrimSpace(p.Params["artist"]); a == "" || strings.EqualFold(a, "<untagged>") || strings.TrimSpace(p.Params["track"]) == "" {
					t.Fatalf("play %+v without artist or title", p)
				}
			}
			for _, n := range got.Skipped {
				mark(n)
			}
			for _, r := range got.Refused {
				if got.Format == FormatLog && strings.HasPrefix(r.Reason, "unknown time header") {
					continue // a header line, refused but not a play
				}
				mark(r.Line)
			}
		}
	})
}
