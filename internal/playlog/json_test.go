package playlog

import (
	"errors"
	"maps"
	"strings"
	"testing"
	"time"
)

// JSON scrobbles in /v1/'s shape, an array or one a line: times as they
// are (UTC), numbers or strings, the lines of refused items named.
func TestJSON(t *testing.T) {
	array := "[\n" +
		`  {"artist":"Cher","track":"Believe","timestamp":1767225600,"album":"Believe","albumArtist":"Cher","trackNumber":1,"duration":"239","mbid":"x","chosenByUser":"1"},` + "\n" +
		`  {"artist":"<untagged>","track":"x.mp3","timestamp":1767225700},` + "\n" +
		`  {"artist":"Cher","track":"Strong Enough","timestamp":"0"},` + "\n" +
		`  {"artist":"Cher","track":"","timestamp":1767225800},` + "\n" +
		`  {"artist":"Cher","track":"Dov'è l'amore","timestamp":1767225900.5},` + "\n" +
		`  "just a string",` + "\n" +
		`  {"artist":["Cher"],"track":"Believe","timestamp":1767226000},` + "\n" +
		`  {"artist":"Cher","track":"All or Nothing"},` + "\n" +
		`  {"artist":"Cher","track":"All or Nothing","timestamp":1767226100}` + "\n]\n"
	lines := strings.ReplaceAll(strings.ReplaceAll(strings.TrimSuffix(strings.TrimPrefix(array, "[\n"), "]\n"), "},\n", "}\n"), "\",\n", "\"\n")
	wantRefused := []Problem{{3, ReasonNoArtist}, {4, ReasonTimeZero}, {5, ReasonNoTitle}, {6, reasonTime}, {7, reasonNotObject},
		{8, "artist must be a string or a number"}, {9, reasonNoTime}}
	for _, c := range []struct {
		name, text string
		format     Format
		offset     int // of line numbers
	}{
		{"array", array, FormatJSON, 0},
		{"lines", lines, FormatJSONLines, -1},
		{"lines, CRLF and a BOM", "\xEF\xBB\xBF" + strings.ReplaceAll(lines, "\n", "\r\n"), FormatJSONLines, -1},
	} {
		l, err := Read(strings.NewReader(c.text), Options{Location: mustZone(t, "Europe/Berlin")})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if l.Format != c.format || l.TZ != "" || len(l.Plays) != 2 {
			t.Fatalf("%s: format %q tz %q plays %+v refused %v", c.name, l.Format, l.TZ, l.Plays, l.Refused)
		}
		want := map[string]string{"artist": "Cher", "track": "Believe", "timestamp": "1767225600", "album": "Believe", "albumArtist": "Cher",
			"trackNumber": "1", "duration": "239", "mbid": "x"}
		if p := l.Plays[0]; !maps.Equal(p.Params, want) || p.Line != 2+c.offset || p.Timestamp != 1767225600 {
			t.Errorf("%s: first play %+v", c.name, p)
		}
		if p := l.Plays[1]; p.Line != 10+c.offset || p.Params["track"] != "All or Nothing" {
			t.Errorf("%s: second play %+v", c.name, p)
		}
		if len(l.Refused) != len(wantRefused) {
			t.Fatalf("%s: refused %v", c.name, l.Refused)
		}
		for i, r := range l.Refused {
			if w := wantRefused[i]; r.Line != w.Line+c.offset || r.Reason != w.Reason {
				t.Errorf("%s: refused %v, want %v (lines %+d)", c.name, r, w, c.offset)
			}
		}
	}
}

// What is not a file of plays is refused in one line naming what was
// expected; a `queue export` or salvage file is pointed to `queue import`.
func TestNotPlays(t *testing.T) {
	for _, c := range []struct {
		name, text, want string
		queueExport      bool
	}{
		{"empty", "", "the file is empty: want a portable-player log", false},
		{"only a BOM and space", "\xEF\xBB\xBF \n", "the file is empty", false},
		{"text", "my plays\nfrom last week\n", "not a file of plays: want a portable-player log", false},
		{"queue export", `{"state":"pending","item":{"id":1,"account":"alice","method":"track.scrobble","params":{"artist":"A"}}}` + "\n", "`lastfmd queue import FILE`", true},
		{"salvage result line", `{"state":"sent","result":{"id":1}}` + "\n", "`lastfmd queue import FILE`", true},
		{"another JSON", `[{"ts":"2026-01-01T00:00:00Z","master_metadata_track_name":"Believe"}]`, "line 1: a JSON object without artist, track or timestamp", false},
		{"JSON not objects", `[1,2,3]`, "line 1: not a JSON object of a scrobble", false},
		{"a broken array", "[\n" + `{"artist":"A","track":"T","timestamp":1767225600},` + "\n" + `{"artist":"A",`, "line 3: the JSON array breaks off", false},
		{"unclosed array", "[\n" + `{"artist":"A","track":"T","timestamp":1767225600}` + "\n", "the JSON array breaks off", false},
	} {
		_, err := Read(strings.NewReader(c.text), Options{})
		var np *NotPlaysError
		if !errors.As(err, &np) || !strings.Contains(err.Error(), c.want) || np.QueueExport != c.queueExport || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

// A play after now (plus Last.fm's five minutes) is refused and counted.
func TestFuture(t *testing.T) {
	now := time.Unix(1767225600, 0)
	text := `{"artist":"A","track":"T","timestamp":1767225900}` + "\n" + `{"artist":"A","track":"U","timestamp":1767225901}` + "\n"
	l, err := Read(strings.NewReader(text), Options{Now: now})
	if err != nil || len(l.Plays) != 1 || l.Future != 1 || len(l.Refused) != 1 || l.Refused[0] != (Problem{2, ReasonFuture}) {
		t.Errorf("%v %+v", err, l)
	}
}
