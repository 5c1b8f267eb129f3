package journal

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzParseExportLine: `lastfmd queue import` reads lines from outside (a
// file, a request body). Any line is either refused in one line of text,
// or accepted as one lastfmd could have written: it encodes and reads back
// the same, and importing it journals it without an error.
//
//	go test -run='^$' -fuzz='^FuzzParseExportLine$' -fuzztime=60s ./daemon/journal/
func FuzzParseExportLine(f *testing.F) {
	for _, seed := range []string{
		`{"state":"pending","item":{"id":1,"account":"alice","method":"track.scrobble","params":{"artist":"A","track":"T","timestamp":"1700000000"},"added":"2026-01-01T00:00:00Z","maybe_sent":true}}`,
		`{"state":"dead","item":{"id":2,"account":"bob","method":"track.love","params":{"artist":"A","track":"T"},"added":"2026-01-01T00:00:00Z","reason":"r","died":"2026-01-02T00:00:00Z"}}`,
		`{"state":"answer_unknown","item":{"id":3,"account":"alice","method":"track.addTags","params":{"artist":"A","track":"T","tags":"x,y"},"added":"2026-01-01T00:00:00Z","reason":"r"}}`,
		`{"state":"sent","result":{"id":4,"account":"alice","method":"track.scrobble","artist":"A","track":"T","timestamp":1700000000,"status":"accepted","sent":"2026-01-01T00:00:00Z"}}`,
		`{"state":"pending"}`,
		`not json`,
		``,
	} {
		f.Add([]byte(seed))
	}
	j, err := Open(Options{Dir: f.TempDir()})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { j.Close() })
	f.Fuzz(func(t *testing.T, b []byte) {
		l, err := ParseExportLine(b)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("a refusal of more than one line: %q", err)
			}
			return
		}
		again, err := ParseExportLine(encode(l))
		if err != nil {
			t.Fatalf("accepted %q, but not as encoded again (%s): %v", b, encode(l), err)
		}
		if !bytes.Equal(encode(l), encode(again)) {
			t.Fatalf("read back differently: %s, then %s", encode(l), encode(again))
		}
		if _, err := j.Import([]ExportLine{l}, ""); err != nil {
			t.Fatalf("importing %s: %v", encode(l), err)
		}
	})
}
