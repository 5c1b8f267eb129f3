package playlog

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lastfmd/lastfmd/signer"
)

// Format is what a file was recognised as.
type Format string

// The formats Read recognises.
const (
	FormatLog       Format = "scrobbler.log" // the portable-player log
	FormatJSON      Format = "JSON array"    // a JSON array of /v1/ scrobbles
	FormatJSONLines Format = "JSON lines"    // one /v1/ scrobble a line
)

// Options are how Read converts times.
type Options struct {
	// Location is the zone whose wall clock a #TZ/UNKNOWN log counts;
	// nil: time.Local.
	Location *time.Location
	// Now, when set, refuses plays that start after Now plus
	// signer.MaxScrobbleAhead (after time-zone conversion): a play cannot
	// start in the future.
	Now time.Time
}

// Play is one play to import.
type Play struct {
	// Line is the play's line in the file (1-based).
	Line int
	// Params are the scrobble's fields (artist, track, timestamp and,
	// when given, album, albumArtist, trackNumber, duration, mbid):
	// signer.ParseScrobble accepts them.
	Params map[string]string
	// Timestamp is the start time, Unix seconds (UTC).
	Timestamp int64
	// Wall is the start time as the file wrote it: in a #TZ/UNKNOWN log,
	// the device's wall clock counted as if it were UTC; else Timestamp.
	Wall int64
	// Gap: the wall time fell in a daylight-saving gap (read with the
	// offset in force before the change). Overlap: it fell in an overlap
	// (read as the earlier instant).
	Gap, Overlap bool
}

// Problem is a line not imported, and why.
type Problem struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// Log is what Read found in a file.
type Log struct {
	Format Format
	// Client is a log's #CLIENT/ header ("" when absent).
	Client string
	// TZ is a log's #TZ/ header: "UNKNOWN" (also when absent) or "UTC";
	// "" for JSON, whose times are UTC.
	TZ string
	// Plays are the plays to import, in file order.
	Plays []Play
	// Skipped are the lines of plays the player marked skipped (rating
	// S): not plays, never imported.
	Skipped []int
	// Refused are the lines not imported, in file order: lines the player
	// failed to write (# FAILED - ), lines that do not parse, plays with
	// no artist or title, a start time of 0, a start in the future.
	Refused []Problem
	// Counts of some of the above, for the summary.
	Failed, TimeZero, Future int
	// Gaps and Overlaps count the plays whose wall time fell in a
	// daylight-saving gap or overlap.
	Gaps, Overlaps int
}

// Span is the first and last start time of the plays (0, 0 without any).
func (l *Log) Span() (first, last int64) {
	for i, p := range l.Plays {
		if i == 0 || p.Timestamp < first {
			first = p.Timestamp
		}
		if i == 0 || p.Timestamp > last {
			last = p.Timestamp
		}
	}
	return first, last
}

// refuse records a line not imported.
func (l *Log) refuse(line int, reason string) {
	l.Refused = append(l.Refused, Problem{Line: line, Reason: reason})
}

// NotPlaysError is a file Read does not take as a whole: not a format it
// knows, a `lastfmd queue export` or salvage file (QueueExport), a
// timeless log, a JSON array that breaks off. Its message is one line
// naming what was expected, or the command that takes the file.
type NotPlaysError struct {
	Msg string
	// QueueExport: the file is a `lastfmd queue export` or salvage
	// file, which `lastfmd queue import` reads back.
	QueueExport bool
	// Timeless: a log whose every play has the start time 0.
	Timeless bool
}

func (e *NotPlaysError) Error() string { return e.Msg }

// Expected names the formats Read takes, for the refusal of anything else.
const Expected = "a portable-player log (.scrobbler.log: #AUDIOSCROBBLER/1.1, then tab-separated plays) " +
	`or JSON scrobbles in /v1/'s shape, an array or one a line: {"artist":…,"track":…,"timestamp":…}`

// Reasons a line is refused (fixed texts: no value of the file in them).
const (
	ReasonFailed    = "the player could not write this play (# FAILED)"
	ReasonUTF8      = "not valid UTF-8"
	ReasonNoArtist  = "no artist (an untagged file)"
	ReasonNoTitle   = "no title"
	ReasonTimeZero  = "start time 0: the player had no clock, and there is no true time to give Last.fm"
	ReasonFuture    = "starts in the future (after time-zone conversion): check --tz and the player's clock"
	reasonRating    = "rating must be L (listened) or S (skipped)"
	reasonTime      = "start time is not a whole number of seconds"
	reasonNoTime    = "no timestamp"
	reasonTrackNum  = "track number is not a whole number"
	reasonDuration  = "duration is not a whole number of seconds"
	reasonNotObject = "not a JSON object"
)

// bom is UTF-8's byte order mark, which some editors put first.
var bom = []byte{0xEF, 0xBB, 0xBF}

// Read recognises r's format from its content and reads its plays. Lines
// it cannot use are reported in Log.Refused, never fatal; the error is a
// *NotPlaysError for a file it does not take as a whole, or r's own.
func Read(r io.Reader, opt Options) (*Log, error) {
	if opt.Location == nil {
		opt.Location = time.Local
	}
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(4 << 10)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	if bytes.HasPrefix(head, bom) {
		br.Discard(len(bom))
		head = head[len(bom):]
	}
	first := bytes.TrimLeft(head, " \t\r\n")
	switch {
	case len(first) == 0:
		return nil, &NotPlaysError{Msg: "the file is empty: want " + Expected}
	case first[0] == '#' || looksLikeLogLine(first):
		return readLog(br, opt)
	case first[0] == '[':
		return readJSONArray(br, opt)
	case first[0] == '{':
		return readJSONLines(br, opt)
	}
	return nil, &NotPlaysError{Msg: "not a file of plays: want " + Expected}
}

// looksLikeLogLine: a first line of a log without its header, tab-separated
// with the log's columns (the mbid column may be missing).
func looksLikeLogLine(b []byte) bool {
	line, _, _ := bytes.Cut(b, []byte{'\n'})
	n := bytes.Count(bytes.TrimRight(line, "\r"), []byte{'\t'})
	return n == logFields-1 || n == logFields-2
}

// readLines calls fn with each line of br (1-based number, without its
// line ending), however long.
func readLines(br *bufio.Reader, fn func(n int, line string) error) error {
	for n := 1; ; n++ {
		s, err := br.ReadString('\n')
		if len(s) > 0 {
			s = strings.TrimSuffix(s, "\n")
			s = strings.TrimSuffix(s, "\r")
			if ferr := fn(n, s); ferr != nil {
				return ferr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// finish applies what every play shares, whatever the format: an artist
// and a title, a start time not 0 and not in the future, signer's rule.
// It appends the play, or refuses the line.
func (l *Log) finish(opt Options, p Play) {
	artist, title := strings.TrimSpace(p.Params["artist"]), strings.TrimSpace(p.Params["track"])
	switch {
	case artist == "" || strings.EqualFold(artist, "<untagged>"):
		l.refuse(p.Line, ReasonNoArtist)
		return
	case title == "":
		l.refuse(p.Line, ReasonNoTitle)
		return
	case p.Wall == 0:
		l.TimeZero++
		l.refuse(p.Line, ReasonTimeZero)
		return
	}
	for k, v := range p.Params {
		if !utf8.ValidString(v) {
			l.refuse(p.Line, ReasonUTF8)
			return
		}
		if v == "" {
			delete(p.Params, k)
		}
	}
	if !opt.Now.IsZero() && p.Timestamp > opt.Now.Unix()+int64(signer.MaxScrobbleAhead/time.Second) {
		l.Future++
		l.refuse(p.Line, ReasonFuture)
		return
	}
	sc, problems := signer.ParseScrobble(p.Params)
	if len(problems) > 0 {
		l.refuse(p.Line, strings.Join(problems, ", "))
		return
	}
	p.Params = sc.Params
	if p.Gap {
		l.Gaps++
	}
	if p.Overlap {
		l.Overlaps++
	}
	l.Plays = append(l.Plays, p)
}

// timeless is the refusal of a log whose every play starts at 0.
func timeless(l *Log) error {
	if len(l.Plays) > 0 || l.TimeZero == 0 {
		return nil
	}
	return &NotPlaysError{Timeless: true, Msg: fmt.Sprintf("every play in this file starts at time 0 (%d plays): it is a timeless log "+
		"(.scrobbler-timeless.log), written by a player without a clock, and there is no true time to give Last.fm, "+
		"so nothing is imported (sending them as \"now\" would put them all at one wrong time)", l.TimeZero)}
}
