package e2e_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// shape is one request a real client library sent, as kept in
// testdata/conformance (README.md there says how they were captured).
type shape struct {
	Method      string `json:"method"`
	Path        string `json:"path"`
	Query       string `json:"query"`
	ContentType string `json:"contentType"`
	UserAgent   string `json:"userAgent"`
	Body        string `json:"body"`
}

// captureTS are the timestamps the captures used (1700000000 + NN); a
// replay moves them to an hour ago + NN, so Last.fm's age rule keeps them.
var captureTS = regexp.MustCompile(`17000000([0-9]{2})`)

// readShapes reads one conformance file: '#' lines are notes, the others
// one JSON shape each.
func readShapes(t *testing.T, path string) []shape {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []shape
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var s shape
		if err := json.Unmarshal([]byte(line), &s); err != nil {
			t.Fatalf("%s: %v in %s", path, err, line)
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("%s holds no shapes", path)
	}
	return out
}

// scrobblesIn lists the scrobbles (artist, track, timestamp) a request
// holds, read independently of lastfmd's own parsing: the indexed form when
// artist[N] is present, else the plain one.
func scrobblesIn(params url.Values) []string {
	var out []string
	for i := 0; i < 50; i++ {
		n := "[" + strconv.Itoa(i) + "]"
		if params.Get("artist"+n) == "" {
			break
		}
		out = append(out, params.Get("artist"+n)+" - "+params.Get("track"+n)+" @"+params.Get("timestamp"+n))
	}
	if len(out) == 0 && params.Get("artist") != "" {
		out = append(out, params.Get("artist")+" - "+params.Get("track")+" @"+params.Get("timestamp"))
	}
	return out
}

// Every request shape captured from real client libraries (and the
// hand-written edge shapes) is accepted through /2.0/ exactly as sent,
// reaches the emulator, and every scrobble arrives there once.
func TestConformanceCapturedShapes(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "conformance", "*.txt"))
	if err != nil || len(files) < 7 {
		t.Fatalf("conformance files: %v, %v", files, err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			replayShapes(t, readShapes(t, file))
		})
	}
}

func replayShapes(t *testing.T, shapes []shape) {
	h := newHarnessAccount(t, "default", withJournal(fastJournal))
	h.emu.AddUser("rj", "rj-pw", false) // the user the captures read
	base := time.Now().Add(-time.Hour).Unix()
	recent := func(s string) string {
		return captureTS.ReplaceAllStringFunc(s, func(m string) string {
			nn, _ := strconv.Atoi(m[8:])
			return strconv.FormatInt(base+int64(nn), 10)
		})
	}
	want := map[string]bool{} // every scrobble sent, once each
	for i, s := range shapes {
		s.Query, s.Body = recent(s.Query), recent(s.Body)
		target := h.url + s.Path
		if s.Query != "" {
			target += "?" + s.Query
		}
		req, err := http.NewRequest(s.Method, target, strings.NewReader(s.Body))
		if err != nil {
			t.Fatal(err)
		}
		if s.ContentType != "" {
			req.Header.Set("Content-Type", s.ContentType)
		}
		if s.UserAgent != "" {
			req.Header.Set("User-Agent", s.UserAgent)
		}
		params, _ := url.ParseQuery(req.URL.RawQuery)
		body, _ := url.ParseQuery(s.Body)
		for k, v := range body {
			params[k] = append(params[k], v...)
		}
		method := params.Get("method")
		before := h.emu.Count(method)
		a := h.do(req)
		if a.status != http.StatusOK || strings.Contains(a.body, `status="failed"`) || strings.Contains(a.body, `"error":`) {
			t.Errorf("shape %d (%s %s): status %d, body %.300s", i, s.Method, method, a.status, a.body)
			continue
		}
		if strings.EqualFold(method, "track.scrobble") {
			for _, sc := range scrobblesIn(params) {
				want[sc] = true
			}
			continue
		}
		if a.header.Get("X-Lastfmd-Cache") != "HIT" && h.emu.Count(method) == before {
			t.Errorf("shape %d (%s): answered 200 but never reached the emulator", i, method)
		}
	}
	h.settled()
	got := map[string]int{}
	for _, sc := range h.emu.Scrobbles("alice") {
		got[sc.Artist+" - "+sc.Track+" @"+strconv.FormatInt(sc.Timestamp, 10)]++
	}
	for sc := range want {
		if got[sc] != 1 {
			t.Errorf("scrobble %q arrived %d times, want once", sc, got[sc])
		}
	}
	if len(got) != len(want) {
		t.Errorf("the emulator holds %d scrobbles, %d were sent: %v", len(got), len(want), got)
	}
}
