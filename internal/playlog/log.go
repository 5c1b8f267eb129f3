package playlog

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/lastfmd/lastfmd/signer"
)

// The portable-player log, from the specification and Rockbox's writer
// (apps/plugins/lastfm_scrobbler.c): header lines #AUDIOSCROBBLER/1.1,
// #TZ/UNKNOWN or #TZ/UTC, #CLIENT/<player>, and Rockbox's comment line
// naming the columns; then one play a line, tab-separated: artist, album,
// title, track number, duration (seconds), rating (L or S), start time
// (Unix seconds), MusicBrainz track id.

// logFields is the number of columns of a play line.
const logFields = 8

// failedPrefix starts a line the player could not write.
const failedPrefix = "# FAILED - "

// readLog reads a portable-player log.
func readLog(br *bufio.Reader, opt Options) (*Log, error) {
	l := &Log{Format: FormatLog, TZ: "UNKNOWN"}
	err := readLines(br, func(n int, line string) error {
		l.logLine(n, line, opt)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := timeless(l); err != nil {
		return l, err
	}
	return l, nil
}

// logLine reads one line of a log.
func (l *Log) logLine(n int, line string, opt Options) {
	if strings.TrimSpace(line) == "" {
		return
	}
	if strings.HasPrefix(line, failedPrefix) {
		l.Failed++
		l.refuse(n, ReasonFailed)
		return
	}
	if strings.HasPrefix(line, "#") && !playShaped(line) {
		switch {
		case strings.HasPrefix(line, "#TZ/"):
			l.TZ = strings.ToUpper(strings.TrimSpace(strings.TrimPrefix(line, "#TZ/")))
			if l.TZ != "UTC" && l.TZ != "UNKNOWN" {
				l.refuse(n, "unknown time header (#TZ/UNKNOWN or #TZ/UTC expected); the plays' times are read as the device's wall clock")
				l.TZ = "UNKNOWN"
			}
		case strings.HasPrefix(line, "#CLIENT/"):
			l.Client = strings.TrimSpace(strings.TrimPrefix(line, "#CLIENT/"))
		}
		return // #AUDIOSCROBBLER/, Rockbox's column names, other comments
	}
	if !utf8.ValidString(line) {
		l.refuse(n, ReasonUTF8)
		return
	}
	f := strings.Split(line, "\t")
	if len(f) == logFields-1 {
		f = append(f, "") // no MusicBrainz id column
	}
	if len(f) != logFields {
		l.refuse(n, fmt.Sprintf("not a play line: %d tab-separated fields, want %d (artist, album, title, track number, duration, rating, start time, MusicBrainz id)", len(f), logFields))
		return
	}
	for i := range f {
		f[i] = strings.TrimSpace(f[i])
	}
	artist, album, title, trackNum, duration, rating, start, mbid := f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]
	switch strings.ToUpper(rating) {
	case "L":
	case "S":
		l.Skipped = append(l.Skipped, n)
		return
	default:
		l.refuse(n, reasonRating)
		return
	}
	wall, err := strconv.ParseInt(start, 10, 64)
	if err != nil || !signer.Digits(start) {
		l.refuse(n, reasonTime)
		return
	}
	if trackNum == "-1" {
		trackNum = ""
	}
	if trackNum != "" && !signer.Digits(trackNum) {
		l.refuse(n, reasonTrackNum)
		return
	}
	if duration != "" && !signer.Digits(duration) {
		l.refuse(n, reasonDuration)
		return
	}
	if strings.Trim(trackNum, "0") == "" {
		trackNum = ""
	}
	if strings.Trim(duration, "0") == "" {
		duration = ""
	}
	p := Play{Line: n, Wall: wall, Timestamp: wall, Params: map[string]string{
		"artist": artist, "album": album, "track": title, "trackNumber": trimZeros(trackNum),
		"duration": trimZeros(duration), "mbid": mbid,
	}}
	if l.TZ != "UTC" && wall != 0 {
		p.Timestamp, p.Gap, p.Overlap = Instant(wall, opt.Location)
	}
	p.Params["timestamp"] = strconv.FormatInt(p.Timestamp, 10)
	l.finish(opt, p)
}

// playShaped: a line starting with # that is still a play (an artist
// named "#1 Dads"): a play's columns, a rating and a start time, which
// neither a header nor Rockbox's comment line naming the columns has.
func playShaped(line string) bool {
	f := strings.Split(line, "\t")
	if len(f) != logFields && len(f) != logFields-1 {
		return false
	}
	r := strings.ToUpper(strings.TrimSpace(f[5]))
	return (r == "L" || r == "S") && signer.Digits(strings.TrimSpace(f[6]))
}

// trimZeros drops a number's leading zeros ("07" is 7).
func trimZeros(s string) string {
	if t := strings.TrimLeft(s, "0"); t != "" {
		return t
	}
	return s
}
