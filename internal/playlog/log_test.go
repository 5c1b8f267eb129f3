package playlog

import (
	"errors"
	"maps"
	"strconv"
	"strings"
	"testing"
	"time"
)

// header is Rockbox's header, the comment line naming the columns
// included.
const header = "#AUDIOSCROBBLER/1.1\n#TZ/UNKNOWN\n#CLIENT/Rockbox ipodvideo $Revision$\n" +
	"#ARTIST #ALBUM #TITLE #TRACKNUM #LENGTH #RATING #TIMESTAMP #MUSICBRAINZ_TRACKID\n"

// utcHeader is a log whose times are UTC.
const utcHeader = "#AUDIOSCROBBLER/1.1\n#TZ/UTC\n#CLIENT/Some player 1.0\n"

// line is a play line of the log.
func line(fields ...string) string { return strings.Join(fields, "\t") + "\n" }

func ts(s string) string { return strconv.FormatInt(wallOf(s), 10) }

// A table of lines, each read alone after a header: the play it gives
// (its parameters) or why it is refused or skipped.
func TestLogLines(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	long := strings.Repeat("Ä long title ", 20000) // 280 kB on one line
	for _, c := range []struct {
		name    string
		header  string
		line    string
		want    map[string]string // the play's parameters; nil: none
		refused string            // the reason, when refused
		skipped bool
		gap     bool
		overlap bool
	}{
		{"a full play, winter", header, line("Portishead", "Dummy", "Roads", "7", "305", "L", ts("2026-01-10 21:00:00"), "2b3bfd8e-7a1c-4b5d-a9d0-1b53ef5fd6a4"),
			map[string]string{"artist": "Portishead", "album": "Dummy", "track": "Roads", "trackNumber": "7", "duration": "305",
				"timestamp": ts("2026-01-10 20:00:00"), "mbid": "2b3bfd8e-7a1c-4b5d-a9d0-1b53ef5fd6a4"}, "", false, false, false},
		{"summer: the summer offset", header, line("Portishead", "Dummy", "Roads", "7", "305", "L", ts("2026-07-10 21:00:00"), ""),
			map[string]string{"artist": "Portishead", "album": "Dummy", "track": "Roads", "trackNumber": "7", "duration": "305",
				"timestamp": ts("2026-07-10 19:00:00")}, "", false, false, false},
		{"in the spring gap", header, line("A", "", "T", "", "200", "L", ts("2026-03-29 02:30:00"), ""),
			map[string]string{"artist": "A", "track": "T", "duration": "200", "timestamp": ts("2026-03-29 01:30:00")}, "", false, true, false},
		{"in the autumn overlap", header, line("A", "", "T", "", "200", "L", ts("2026-10-25 02:30:00"), ""),
			map[string]string{"artist": "A", "track": "T", "duration": "200", "timestamp": ts("2026-10-25 00:30:00")}, "", false, false, true},
		{"#TZ/UTC: as is", utcHeader, line("A", "", "T", "", "200", "L", ts("2026-03-29 02:30:00"), ""),
			map[string]string{"artist": "A", "track": "T", "duration": "200", "timestamp": ts("2026-03-29 02:30:00")}, "", false, false, false},
		{"empty optional fields", header, line("A", "", "T", "", "", "L", ts("2026-01-10 12:00:00"), ""),
			map[string]string{"artist": "A", "track": "T", "timestamp": ts("2026-01-10 11:00:00")}, "", false, false, false},
		{"no MusicBrainz column", header, strings.Join([]string{"A", "B", "T", "3", "200", "L", ts("2026-01-10 12:00:00")}, "\t") + "\n",
			map[string]string{"artist": "A", "album": "B", "track": "T", "trackNumber": "3", "duration": "200", "timestamp": ts("2026-01-10 11:00:00")}, "", false, false, false},
		{"track number -1 is empty", header, line("A", "B", "T", "-1", "200", "L", ts("2026-01-10 12:00:00"), ""),
			map[string]string{"artist": "A", "album": "B", "track": "T", "duration": "200", "timestamp": ts("2026-01-10 11:00:00")}, "", false, false, false},
		{"track number 0 is empty, 07 is 7", header, line("A", "B", "T", "0", "0200", "L", ts("2026-01-10 12:00:00"), ""),
			map[string]string{"artist": "A", "album": "B", "track": "T", "duration": "200", "timestamp": ts("2026-01-10 11:00:00")}, "", false, false, false},
		{"CRLF line ending", header, strings.TrimSuffix(line("A", "B", "T", "1", "200", "L", ts("2026-01-10 12:00:00"), "mb"), "\n") + "\r\n",
			map[string]string{"artist": "A", "album": "B", "track": "T", "trackNumber": "1", "duration": "200", "timestamp": ts("2026-01-10 11:00:00"), "mbid": "mb"}, "", false, false, false},
		{"a long line", header, line("A", "B", long, "1", "200", "L", ts("2026-01-10 12:00:00"), ""),
			map[string]string{"artist": "A", "album": "B", "track": strings.TrimSpace(long), "trackNumber": "1", "duration": "200", "timestamp": ts("2026-01-10 11:00:00")}, "", false, false, false},
		{"an artist starting with #", header, line("#1 Dads", "B", "T", "1", "200", "L", ts("2026-01-10 12:00:00"), ""),
			map[string]string{"artist": "#1 Dads", "album": "B", "track": "T", "trackNumber": "1", "duration": "200", "timestamp": ts("2026-01-10 11:00:00")}, "", false, false, false},
		{"skipped", header, line("A", "B", "T", "1", "200", "S", ts("2026-01-10 12:00:00"), ""), nil, "", true, false, false},
		{"FAILED", header, "# FAILED - " + line("A", "B", "T", "1", "200", "L", ts("2026-01-10 12:00:00"), ""), nil, ReasonFailed, false, false, false},
		{"<UNTAGGED>", header, line("<UNTAGGED>", "", "/Music/track01.mp3", "", "200", "L", ts("2026-01-10 12:00:00"), ""), nil, ReasonNoArtist, false, false, false},
		{"<untagged>, any case", header, line("<Untagged>", "", "x.mp3", "", "200", "L", ts("2026-01-10 12:00:00"), ""), nil, ReasonNoArtist, false, false, false},
		{"empty artist", header, line("", "", "x.mp3", "", "200", "L", ts("2026-01-10 12:00:00"), ""), nil, ReasonNoArtist, false, false, false},
		{"no title", header, line("A", "B", " ", "1", "200", "L", ts("2026-01-10 12:00:00"), ""), nil, ReasonNoTitle, false, false, false},
		{"time 0", header, line("A", "B", "T", "1", "200", "L", "0", ""), nil, ReasonTimeZero, false, false, false},
		{"time 0 with #TZ/UTC", utcHeader, line("A", "B", "T", "1", "200", "L", "0", ""), nil, ReasonTimeZero, false, false, false},
		{"a bad rating", header, line("A", "B", "T", "1", "200", "X", ts("2026-01-10 12:00:00"), ""), nil, reasonRating, false, false, false},
		{"a bad time", header, line("A", "B", "T", "1", "200", "L", "yesterday", ""), nil, reasonTime, false, false, false},
		{"a negative time", header, line("A", "B", "T", "1", "200", "L", "-5", ""), nil, reasonTime, false, false, false},
		{"a bad track number", header, line("A", "B", "T", "one", "200", "L", ts("2026-01-10 12:00:00"), ""), nil, reasonTrackNum, false, false, false},
		{"a bad duration", header, line("A", "B", "T", "1", "3:20", "L", ts("2026-01-10 12:00:00"), ""), nil, reasonDuration, false, false, false},
		{"too few fields", header, "A\tT\tL\n", nil, "not a play line", false, false, false},
		{"not UTF-8", header, line("A\xff", "B", "T", "1", "200", "L", ts("2026-01-10 12:00:00"), ""), nil, ReasonUTF8, false, false, false},
		{"in the future", header, line("A", "B", "T", "1", "200", "L", ts("2027-01-10 12:00:00"), ""), nil, ReasonFuture, false, false, false},
	} {
		l, err := Read(strings.NewReader(c.header+c.line), Options{Location: berlin, Now: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			if !errors.As(err, new(*NotPlaysError)) || c.refused != ReasonTimeZero {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
		}
		lineNo := strings.Count(c.header, "\n") + 1
		switch {
		case c.want != nil:
			if len(l.Plays) != 1 || len(l.Refused) != 0 || !maps.Equal(l.Plays[0].Params, c.want) || l.Plays[0].Line != lineNo {
				t.Errorf("%s: plays %+v refused %v, want %v at line %d", c.name, l.Plays, l.Refused, c.want, lineNo)
				continue
			}
			if p := l.Plays[0]; p.Gap != c.gap || p.Overlap != c.overlap || l.Gaps != b2i(c.gap) || l.Overlaps != b2i(c.overlap) {
				t.Errorf("%s: gap %v overlap %v (counted %d, %d), want %v %v", c.name, p.Gap, p.Overlap, l.Gaps, l.Overlaps, c.gap, c.overlap)
			}
		case c.skipped:
			if len(l.Plays) != 0 || len(l.Skipped) != 1 || l.Skipped[0] != lineNo || len(l.Refused) != 0 {
				t.Errorf("%s: plays %v skipped %v refused %v", c.name, l.Plays, l.Skipped, l.Refused)
			}
		default:
			if len(l.Plays) != 0 || len(l.Refused) != 1 || l.Refused[0].Line != lineNo || !strings.HasPrefix(l.Refused[0].Reason, c.refused) {
				t.Errorf("%s: plays %v refused %v, want %q at line %d", c.name, l.Plays, l.Refused, c.refused, lineNo)
			}
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// A whole log: a BOM, CRLF endings, every kind of line; the counts and the
// line numbers of the summary; plays on both sides of the spring change.
func TestLogWhole(t *testing.T) {
	text := "\xEF\xBB\xBF" + header +
		line("A", "B", "Before", "1", "200", "L", ts("2026-03-28 23:00:00"), "") + // line 5
		line("A", "B", "Skipped", "2", "200", "S", ts("2026-03-28 23:04:00"), "") +
		"# FAILED - " + line("A", "B", "Failed", "3", "200", "L", ts("2026-03-28 23:08:00"), "") +
		"\n" + // an empty line: nothing
		line("<UNTAGGED>", "", "x.mp3", "", "200", "L", ts("2026-03-29 01:00:00"), "") + // line 9
		line("A", "B", "Gap", "4", "200", "L", ts("2026-03-29 02:10:00"), "") + // line 10
		line("A", "B", "After", "5", "200", "L", ts("2026-03-29 10:00:00"), "") // line 11
	text = strings.ReplaceAll(text, "\n", "\r\n")
	l, err := Read(strings.NewReader(text), Options{Location: mustZone(t, "Europe/Berlin")})
	if err != nil {
		t.Fatal(err)
	}
	if l.Format != FormatLog || l.TZ != "UNKNOWN" || l.Client != "Rockbox ipodvideo $Revision$" {
		t.Errorf("format %q tz %q client %q", l.Format, l.TZ, l.Client)
	}
	var got []string
	for _, p := range l.Plays {
		got = append(got, strconv.Itoa(p.Line)+" "+p.Params["track"]+" "+time.Unix(p.Timestamp, 0).UTC().Format(time.DateTime))
	}
	want := []string{"5 Before 2026-03-28 22:00:00", "10 Gap 2026-03-29 01:10:00", "11 After 2026-03-29 08:00:00"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("plays %q, want %q", got, want)
	}
	if len(l.Skipped) != 1 || l.Skipped[0] != 6 || l.Failed != 1 || l.Gaps != 1 || l.Overlaps != 0 {
		t.Errorf("skipped %v failed %d gaps %d overlaps %d", l.Skipped, l.Failed, l.Gaps, l.Overlaps)
	}
	wantRefused := []Problem{{7, ReasonFailed}, {9, ReasonNoArtist}}
	if len(l.Refused) != 2 || l.Refused[0] != wantRefused[0] || l.Refused[1] != wantRefused[1] {
		t.Errorf("refused %v, want %v", l.Refused, wantRefused)
	}
	if first, last := l.Span(); first != l.Plays[0].Timestamp || last != l.Plays[2].Timestamp {
		t.Errorf("span %d-%d", first, last)
	}
}

// A timeless log is refused as a whole, with the explanation; a log
// without a header is still a log (its times the device's wall clock).
func TestLogTimelessAndHeaderless(t *testing.T) {
	timelessLog := header + line("A", "B", "T", "1", "200", "L", "0", "") + line("A", "B", "U", "2", "200", "L", "0", "")
	_, err := Read(strings.NewReader(timelessLog), Options{Location: time.UTC})
	var np *NotPlaysError
	if !errors.As(err, &np) || !np.Timeless || !strings.Contains(err.Error(), "timeless log") || !strings.Contains(err.Error(), "no true time") {
		t.Errorf("timeless: %v", err)
	}
	l, err := Read(strings.NewReader(line("A", "B", "T", "1", "200", "L", ts("2026-01-10 12:00:00"), "")), Options{Location: mustZone(t, "Europe/Berlin")})
	if err != nil || len(l.Plays) != 1 || l.Plays[0].Timestamp != wallOf("2026-01-10 11:00:00") {
		t.Errorf("headerless: %v %+v", err, l)
	}
}
