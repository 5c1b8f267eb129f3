package journal

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/signer"
)

// The lines `lastfmd queue import` reads: those of `lastfmd queue export`
// and of a salvage's journal-salvaged-TIME.jsonl (ExportLine), one JSON
// object a line. They come from outside (a file, a request body), so each
// is checked as a submission would be before anything is journalled.

// MaxExportLine bounds one line: an item's parameters are a few hundred
// bytes; a line past this is not one lastfmd wrote.
const MaxExportLine = 256 << 10

// exportLineShape is what a line must look like, for the refusals.
const exportLineShape = `{"state":"pending|dead|answer_unknown","item":{…}} or {"state":"sent","result":{…}}, as ` +
	"`lastfmd queue export` and `lastfmd queue salvage` write them"

// ReadExport reads a whole file of export lines: their bytes as read (to
// send them on) and what they hold. Empty lines are skipped. The first
// line that is not an export line refuses the whole file, in one line that
// names it.
func ReadExport(r io.Reader) (raw [][]byte, lines []ExportLine, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, MaxExportLine)
	n := 0
	for sc.Scan() {
		n++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		l, err := ParseExportLine(b)
		if err != nil {
			return nil, nil, fmt.Errorf("line %d: %w", n, err)
		}
		raw = append(raw, bytes.Clone(b))
		lines = append(lines, l)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, nil, fmt.Errorf("line %d is longer than %d bytes: not a line of %s", n+1, MaxExportLine, exportLineShape)
		}
		return nil, nil, err
	}
	if len(lines) == 0 {
		return nil, nil, fmt.Errorf("no lines: want JSON lines %s", exportLineShape)
	}
	return raw, lines, nil
}

// ParseExport parses lines already split (a request body's), refusing the
// first bad one as a bad request.
func ParseExport(raw [][]byte) ([]ExportLine, error) {
	lines := make([]ExportLine, 0, len(raw))
	for i, b := range raw {
		l, err := ParseExportLine(b)
		if err != nil {
			return nil, apperr.Invalidf("line %d: %v", i+1, err)
		}
		lines = append(lines, l)
	}
	return lines, nil
}

// ParseExportLine reads one export line and checks what it holds as the
// journal would have: a known state with an item (pending, dead, answer
// unknown) or a result (sent); a valid account name; a scrobble lastfmd
// would accept, or a love or tag write lastfmd journals. A scrobble's
// parameters come back as signer.ParseScrobble keeps them.
func ParseExportLine(b []byte) (ExportLine, error) {
	var l ExportLine
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&l); err != nil {
		return ExportLine{}, fmt.Errorf("not a line of %s", exportLineShape)
	}
	if _, err := d.Token(); err != io.EOF {
		return ExportLine{}, fmt.Errorf("more than one JSON value on the line: want one line of %s", exportLineShape)
	}
	switch l.State {
	case Pending, Dead, AnswerUnknown:
		if l.Item == nil || l.Result != nil {
			return ExportLine{}, fmt.Errorf("a %q line holds an item and no result: want %s", l.State, exportLineShape)
		}
		return l, checkImportItem(l.Item)
	case Sent:
		if l.Result == nil || l.Item != nil {
			return ExportLine{}, fmt.Errorf("a %q line holds a result and no item: want %s", l.State, exportLineShape)
		}
		return l, checkImportResult(l.Result)
	}
	return ExportLine{}, fmt.Errorf("state %q is none of pending, dead, answer_unknown, sent: want %s", oneLine(string(l.State)), exportLineShape)
}

// checkImportItem checks an item and puts a scrobble's parameters in the
// form Submit journals.
func checkImportItem(it *Item) error {
	if err := accounts.CheckName(it.Account); err != nil {
		return fmt.Errorf("its item: %v", err)
	}
	for _, k := range []string{"sk", "api_key", "api_sig"} {
		if _, ok := it.Params[k]; ok {
			return fmt.Errorf("its item's params hold %q, which lastfmd never journals", k)
		}
	}
	if it.Method == MethodScrobble {
		sc, problems := signer.ParseScrobble(it.Params)
		if len(problems) > 0 {
			return fmt.Errorf("its scrobble is not valid: %s", strings.Join(problems, "; "))
		}
		it.Params, it.Timestamp = sc.Params, sc.Timestamp
		return nil
	}
	if _, ok := signer.WriteTarget(it.Method, it.Params); !ok {
		return fmt.Errorf("its item's method %q is neither track.scrobble nor a love or tag write lastfmd journals", oneLine(it.Method))
	}
	return nil
}

// checkImportResult checks a kept result: all it restores is a scrobble's
// deduplication, so a scrobble's names and time must be there.
func checkImportResult(r *Result) error {
	if err := accounts.CheckName(r.Account); err != nil {
		return fmt.Errorf("its result: %v", err)
	}
	if !signer.IsMethodName(r.Method) || r.Status == "" {
		return errors.New("its result lacks a method or a status")
	}
	if r.Method == MethodScrobble && (strings.TrimSpace(r.Artist) == "" || strings.TrimSpace(r.Track) == "" || r.Timestamp <= 0) {
		return errors.New("its result of a scrobble lacks the artist, track or timestamp")
	}
	return nil
}
