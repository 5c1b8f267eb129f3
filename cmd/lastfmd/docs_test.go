package main

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/signer"
)

// docs/errors.md has a row, with a fix, for every Last.fm error code
// lastfmd knows (and so can pass through or answer), and the README links it.
func TestErrorsDocCoversEveryCode(t *testing.T) {
	doc, err := os.ReadFile("../../docs/errors.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(string(doc), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) == 7 {
			rows[strings.TrimSpace(cells[1])] = strings.TrimSpace(cells[5])
		}
	}
	for code := 1; code <= 30; code++ {
		if strings.HasPrefix(signer.Message(code), "Unknown error") {
			continue
		}
		fix, ok := rows[strconv.Itoa(code)]
		if !ok || len(fix) < 10 {
			t.Errorf("docs/errors.md has no row with a fix for code %d (%s)", code, signer.Message(code))
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "](docs/errors.md)") {
		t.Error("README.md does not link docs/errors.md")
	}
}
