package playlog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/lastfmd/lastfmd/signer"
)

// jsonFields are the fields of /v1/'s scrobble item an import takes
// (docs/http-api.md); any other field is left out, as /v1/ does.
var jsonFields = []string{"artist", "track", "timestamp", "album", "albumArtist", "trackNumber", "duration", "mbid"}

// queueExportMsg points a `queue export` or salvage file to the command
// that reads it.
const queueExportMsg = "this is a `lastfmd queue export` or salvage file (journal items with their state), not a list of plays: " +
	"read it back with `lastfmd queue import FILE`"

// readJSONArray reads a JSON array of scrobbles.
func readJSONArray(br *bufio.Reader, opt Options) (*Log, error) {
	data, err := io.ReadAll(br)
	if err != nil {
		return nil, err
	}
	l := &Log{Format: FormatJSON}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // the '['
		return nil, &NotPlaysError{Msg: "not JSON: " + err.Error() + "; want " + Expected}
	}
	line, seen := 1, 0 // the line at byte seen
	lineAt := func(off int) int {
		// the item starts after the comma and spaces that follow off
		for off < len(data) && strings.IndexByte(", \t\r\n", data[off]) >= 0 {
			off++
		}
		line += bytes.Count(data[seen:off], []byte{'\n'})
		seen = off
		return line
	}
	first := true
	for dec.More() {
		n := lineAt(int(dec.InputOffset()))
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, &NotPlaysError{Msg: fmt.Sprintf("line %d: the JSON array breaks off (%v), so the file cannot be read whole: fix it and import it again", n, err)}
		}
		if err := l.jsonItem(n, raw, first, opt); err != nil {
			return nil, err
		}
		first = false
	}
	if _, err := dec.Token(); err != nil { // the ']'
		return nil, &NotPlaysError{Msg: fmt.Sprintf("line %d: the JSON array breaks off (%v), so the file cannot be read whole: fix it and import it again", lineAt(len(data)), err)}
	}
	return l, timeless(l)
}

// readJSONLines reads one JSON scrobble a line.
func readJSONLines(br *bufio.Reader, opt Options) (*Log, error) {
	l := &Log{Format: FormatJSONLines}
	first := true
	err := readLines(br, func(n int, line string) error {
		line = strings.TrimSpace(line)
		if line == "" {
			return nil
		}
		err := l.jsonItem(n, []byte(line), first, opt)
		first = false
		return err
	})
	if err != nil {
		return nil, err
	}
	return l, timeless(l)
}

// jsonItem reads one scrobble of a JSON file at line n. The first item
// decides whether the file is one of plays at all.
func (l *Log) jsonItem(n int, raw []byte, first bool, opt Options) error {
	var obj map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&obj); err != nil || obj == nil || dec.More() {
		if first {
			return &NotPlaysError{Msg: fmt.Sprintf("line %d: not a JSON object of a scrobble; want %s", n, Expected)}
		}
		l.refuse(n, reasonNotObject)
		return nil
	}
	if first {
		_, state := obj["state"]
		_, item := obj["item"]
		_, result := obj["result"]
		if state && (item || result) {
			return &NotPlaysError{QueueExport: true, Msg: queueExportMsg}
		}
		_, artist := obj["artist"]
		_, track := obj["track"]
		_, ts := obj["timestamp"]
		if !artist && !track && !ts {
			return &NotPlaysError{Msg: fmt.Sprintf("line %d: a JSON object without artist, track or timestamp; want %s", n, Expected)}
		}
	}
	params := map[string]string{}
	for _, k := range jsonFields {
		switch v := obj[k].(type) {
		case nil:
		case string:
			params[k] = strings.TrimSpace(v)
		case json.Number:
			params[k] = v.String()
		default:
			l.refuse(n, fmt.Sprintf("%s must be a string or a number", k))
			return nil
		}
	}
	tsRaw := params["timestamp"]
	if tsRaw == "" {
		l.refuse(n, reasonNoTime)
		return nil
	}
	ts, err := strconv.ParseInt(tsRaw, 10, 64)
	if err != nil || !signer.Digits(tsRaw) {
		l.refuse(n, reasonTime)
		return nil
	}
	p := Play{Line: n, Params: params, Timestamp: ts, Wall: ts}
	l.finish(opt, p)
	return nil
}
