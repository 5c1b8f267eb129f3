package e2e_test

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/emulator"
)

// errorCase is one way a request fails, through one endpoint.
type errorCase struct {
	name     string
	harness  string // "" (account alice), "noacct" (none signed in), "token" (listener token set), "rl…" (its own: Last.fm's 29 pauses lastfmd's calls), "down", "slow", "disk" (journal commits fail)
	fault    *emulator.Fault
	method   string // HTTP verb
	path     string
	ctype    string
	body     string
	header   []string
	status   int
	code     int
	format   string // "xml", "json" or "jsonp": the shape the error comes in
	contains string
}

// Every error path of /2.0/ and /v1/: the HTTP status (on /2.0/ the one
// Last.fm pairs with the code, docs/http-api.md), the Last.fm code, and the
// body's format (/2.0/: the request's; /v1/: always JSON).
func TestErrorsTable(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	recentTS := strconv.FormatInt(time.Now().Add(-time.Hour).Unix(), 10)
	many := strings.Repeat("&p=x", 601)
	const love = "method=track.love&artist=Cher&track=Believe"
	cases := []errorCase{
		// /2.0/: lastfmd's own refusals.
		{name: "2.0 no method", method: "GET", path: "/2.0/?artist=Cher", status: 400, code: 6, format: "xml", contains: "method"},
		{name: "2.0 no method, json", method: "GET", path: "/2.0/?artist=Cher&format=json", status: 400, code: 6, format: "json"},
		{name: "2.0 bad format", method: "GET", path: "/2.0/?method=artist.getInfo&artist=Cher&format=yaml", status: 400, code: 5, format: "xml"},
		{name: "2.0 not a method name", method: "GET", path: "/2.0/?method=nope&format=json", status: 400, code: 3, format: "json"},
		{name: "2.0 unknown auth method", method: "GET", path: "/2.0/?method=auth.getWhatever", status: 400, code: 3, format: "xml"},
		{name: "2.0 write by GET", method: "GET", path: "/2.0/?" + love, status: 400, code: 3, format: "xml", contains: "POST"},
		{name: "2.0 auth.getToken", method: "GET", path: "/2.0/?method=auth.getToken&format=json", status: 403, code: 4, format: "json", contains: "lastfmd auth login"},
		{name: "2.0 getMobileSession by GET", method: "GET", path: "/2.0/?method=auth.getMobileSession&username=alice&password=x",
			status: 403, code: 4, format: "xml", contains: "Authentication Failed - You must use POST"},
		{name: "2.0 getMobileSession without a password", method: "POST", path: "/2.0/", ctype: "application/x-www-form-urlencoded",
			body: "method=auth.getMobileSession&username=alice", status: 400, code: 6, format: "xml"},
		{name: "2.0 getMobileSession, wrong password", method: "POST", path: "/2.0/", ctype: "application/x-www-form-urlencoded",
			body: "method=auth.getMobileSession&username=alice&password=wrong&format=json", status: 403, code: 4, format: "json"},
		// The checks of `lastfmd auth mobile` hold on /2.0/ too: one path.
		{name: "2.0 getMobileSession, password too long", method: "POST", path: "/2.0/", ctype: "application/x-www-form-urlencoded",
			body: "method=auth.getMobileSession&username=alice&password=" + strings.Repeat("p", 1025) + "&format=json", status: 400, code: 6, format: "json", contains: "password longer than 1024"},
		{name: "2.0 getMobileSession, user name too long", method: "POST", path: "/2.0/", ctype: "application/x-www-form-urlencoded",
			body: "method=auth.getMobileSession&username=" + strings.Repeat("u", 257) + "&password=x", status: 400, code: 6, format: "xml", contains: "user name longer than 256"},
		{name: "2.0 callback not an identifier", method: "GET", path: "/2.0/?method=artist.getInfo&artist=Cher&format=json&callback=a(1)",
			status: 400, code: 6, format: "json"},
		{name: "2.0 callback on a signed read", method: "GET", path: "/2.0/?method=user.getInfo&format=json&callback=cb&sk=x",
			status: 400, code: 6, format: "jsonp"},
		{name: "2.0 callback on a write", method: "POST", path: "/2.0/?format=json&callback=cb", ctype: "application/x-www-form-urlencoded",
			body: love, status: 400, code: 6, format: "jsonp"},
		{name: "2.0 a name twice, different values", method: "GET", path: "/2.0/?method=artist.getInfo&artist=Cher&artist=Madonna",
			status: 400, code: 6, format: "xml", contains: "twice"},
		{name: "2.0 value not UTF-8", method: "GET", path: "/2.0/?method=artist.getInfo&artist=%ff", status: 400, code: 6, format: "xml", contains: "UTF-8"},
		{name: "2.0 name not UTF-8", method: "GET", path: "/2.0/?method=artist.getInfo&artist=Cher&%ff=1", status: 400, code: 6, format: "xml", contains: "UTF-8"},
		{name: "2.0 601 parameters", method: "POST", path: "/2.0/", ctype: "application/x-www-form-urlencoded",
			body: "method=artist.getInfo&artist=Cher" + many, status: 400, code: 6, format: "xml", contains: "600"},
		{name: "2.0 body over 1 MiB", method: "POST", path: "/2.0/?format=json", ctype: "application/x-www-form-urlencoded",
			body: "method=artist.getInfo&artist=" + big, status: 413, code: 6, format: "json"},
		{name: "2.0 a JSON body", method: "POST", path: "/2.0/", ctype: "application/json", body: `{}`, status: 400, code: 6, format: "xml", contains: "Content-Type"},
		{name: "2.0 scrobble without track", method: "POST", path: "/2.0/", ctype: "application/x-www-form-urlencoded",
			body: "method=track.scrobble&artist=A&timestamp=1700000000", status: 400, code: 6, format: "xml", contains: `track`},
		{name: "2.0 scrobble, fractional timestamp", method: "POST", path: "/2.0/?format=json", ctype: "application/x-www-form-urlencoded",
			body: "method=track.scrobble&artist=A&track=T&timestamp=1.5", status: 400, code: 6, format: "json", contains: "whole number"},
		{name: "2.0 scrobble, empty artist", method: "POST", path: "/2.0/?format=json", ctype: "application/x-www-form-urlencoded",
			body: "method=track.scrobble&artist=%20&track=T&timestamp=1700000000", status: 400, code: 6, format: "json", contains: "artist"},
		{name: "2.0 scrobble, index 50", method: "POST", path: "/2.0/", ctype: "application/x-www-form-urlencoded",
			body: "method=track.scrobble&artist[50]=A&track[50]=T&timestamp[50]=1", status: 400, code: 6, format: "xml", contains: "0 to 49"},
		{name: "2.0 scrobble, a gap", method: "POST", path: "/2.0/", ctype: "application/x-www-form-urlencoded",
			body:   "method=track.scrobble&artist[0]=A&track[0]=T&timestamp[0]=1&artist[2]=A&track[2]=T&timestamp[2]=1",
			status: 400, code: 6, format: "xml", contains: "gap"},
		{name: "2.0 unknown account header", method: "GET", path: "/2.0/?method=user.getInfo&format=json", header: []string{"X-Lastfmd-Account", "carol"},
			status: 400, code: 6, format: "json", contains: "carol"},
		{name: "2.0 write, nobody signed in", harness: "noacct", method: "POST", path: "/2.0/", ctype: "application/x-www-form-urlencoded",
			body: love, status: 403, code: 9, format: "xml", contains: "lastfmd auth login"},
		{name: "2.0 wrong listener token", harness: "token", method: "GET", path: "/2.0/?method=artist.getInfo&artist=Cher&api_key=nope&format=json",
			status: 403, code: 10, format: "json"},
		{name: "2.0 Host not allowed", method: "GET", path: "/2.0/?method=artist.getInfo&artist=Cher", header: []string{"Host", "evil.example"},
			status: 403, code: 4, format: "xml"},
		{name: "2.0 PUT", method: "PUT", path: "/2.0/?format=json", status: 404, code: 3, format: "json"},
		// /2.0/: Last.fm's own answers, relayed with Last.fm's status.
		{name: "2.0 Last.fm not found", method: "GET", path: "/2.0/?method=artist.getInfo&artist=Unknown+Artist&format=json", status: 404, code: 6, format: "json"},
		{name: "2.0 Last.fm rate limit", harness: "rl20", fault: &emulator.Fault{Method: "track.love", Code: 29}, method: "POST", path: "/2.0/",
			ctype: "application/x-www-form-urlencoded", body: love, status: 429, code: 29, format: "xml"},
		{name: "2.0 Last.fm bad signature", fault: &emulator.Fault{Method: "track.love", Code: 13}, method: "POST", path: "/2.0/",
			ctype: "application/x-www-form-urlencoded", body: love + "&format=json", status: 400, code: 13, format: "json"},
		{name: "2.0 Last.fm private profile", fault: &emulator.Fault{Method: "track.love", Code: 17}, method: "POST", path: "/2.0/",
			ctype: "application/x-www-form-urlencoded", body: love, status: 403, code: 17, format: "xml"},

		// /2.0/: the road to Last.fm.
		{name: "2.0 Last.fm down", harness: "down", method: "GET", path: "/2.0/?method=artist.getInfo&artist=Cher",
			status: 502, code: 11, format: "xml"},
		{name: "2.0 Last.fm slow", harness: "slow", fault: &emulator.Fault{Method: "artist.getInfo", Delay: 5 * time.Second},
			method: "GET", path: "/2.0/?method=artist.getInfo&artist=Cher&format=json", status: 504, code: 11, format: "json"},

		{name: "2.0 journal unwritable", harness: "disk", method: "POST", path: "/2.0/", ctype: "application/x-www-form-urlencoded",
			body: "method=track.scrobble&artist=A&track=T&timestamp=" + recentTS, status: 503, code: 16, format: "xml", contains: "nothing was accepted"},

		// /v1/: its JSON contract, statuses by kind.
		{name: "v1 unknown route", method: "GET", path: "/v2/x", status: 404, code: 3, format: "json"},
		{name: "v1 PUT", method: "PUT", path: "/v1/artist.getInfo", status: 404, code: 3, format: "json"},
		{name: "v1 not a method name", method: "GET", path: "/v1/nope", status: 400, code: 3, format: "json"},
		{name: "v1 unknown auth method", method: "GET", path: "/v1/auth.getWhatever", status: 403, code: 3, format: "json"},
		{name: "v1 auth method", method: "POST", path: "/v1/auth.getMobileSession", ctype: "application/json",
			body: `{"username":"alice","password":"alice-pw"}`, status: 403, code: 4, format: "json", contains: "lastfmd auth"},
		{name: "v1 write by GET", method: "GET", path: "/v1/track.love?artist=Cher&track=Believe", status: 405, code: 3, format: "json"},
		{name: "v1 method disagrees with the path", method: "POST", path: "/v1/track.love", ctype: "application/json",
			body: `{"method":"track.unlove","artist":"a","track":"b"}`, status: 400, code: 6, format: "json"},
		{name: "v1 malformed JSON", method: "POST", path: "/v1/track.love", ctype: "application/json", body: `{"a":`, status: 400, code: 6, format: "json"},
		{name: "v1 a name twice", method: "POST", path: "/v1/track.love?artist=a", ctype: "application/x-www-form-urlencoded",
			body: "artist=b&track=t", status: 400, code: 6, format: "json", contains: "twice"},
		{name: "v1 bad Content-Type", method: "POST", path: "/v1/track.love", ctype: "application/xml", body: "<a/>", status: 400, code: 6, format: "json"},
		{name: "v1 body over 1 MiB", method: "POST", path: "/v1/track.love", ctype: "application/json", body: `{"artist":"` + big + `"}`,
			status: 413, code: 6, format: "json"},
		{name: "v1 bad format", method: "GET", path: "/v1/artist.getInfo?artist=Cher&format=yaml", status: 400, code: 5, format: "json"},
		{name: "v1 scrobble array, bad item", method: "POST", path: "/v1/track.scrobble", ctype: "application/json",
			body: `[{"artist":"A","track":"T","timestamp":"soon"}]`, status: 400, code: 6, format: "json", contains: "whole number"},
		{name: "v1 scrobble array, empty", method: "POST", path: "/v1/track.scrobble", ctype: "application/json", body: `[]`,
			status: 400, code: 6, format: "json"},
		{name: "v1 unknown account", method: "GET", path: "/v1/user.getInfo", header: []string{"X-Lastfmd-Account", "carol"},
			status: 400, code: 6, format: "json"},
		{name: "v1 write, nobody signed in", harness: "noacct", method: "POST", path: "/v1/track.love", ctype: "application/json",
			body: `{"artist":"a","track":"b"}`, status: 403, code: 9, format: "json"},
		{name: "v1 no listener token", harness: "token", method: "GET", path: "/v1/artist.getInfo?artist=Cher", status: 401, code: 4, format: "json"},
		{name: "v1 Last.fm not found", method: "GET", path: "/v1/artist.getInfo?artist=Unknown+Artist", status: 404, code: 6, format: "json"},
		{name: "v1 Last.fm down", harness: "down", method: "GET", path: "/v1/artist.getInfo?artist=Madonna", status: 502, code: 11, format: "json"},
		{name: "v1 Last.fm slow", harness: "slow", fault: &emulator.Fault{Method: "artist.getInfo", Delay: 5 * time.Second},
			method: "GET", path: "/v1/artist.getInfo?artist=Madonna", status: 504, code: 11, format: "json"},
		{name: "v1 journal unwritable", harness: "disk", method: "POST", path: "/v1/track.scrobble", ctype: "application/json",
			body: `[{"artist":"A","track":"T","timestamp":` + recentTS + `}]`, status: 503, code: 16, format: "json", contains: "nothing was accepted"},
		{name: "v1 Last.fm rate limit", harness: "rlv1", fault: &emulator.Fault{Method: "track.love", Code: 29}, method: "POST", path: "/v1/track.love",
			ctype: "application/json", body: `{"artist":"a","track":"b"}`, status: 429, code: 29, format: "json"},
	}
	harnesses := map[string]*harness{"": newHarness(t), "noacct": newHarnessAccount(t, noAccount), "token": newHarness(t, withToken(t)),
		"rl20": newHarness(t, noRetries), "rlv1": newHarness(t, noRetries),
		"down": newHarness(t, noRetries), "slow": newHarness(t, noRetries, shortTimeout), "disk": newHarness(t)}
	if err := harnesses["down"].emu.Stop(); err != nil {
		t.Fatal(err)
	}
	harnesses["disk"].m.Journal.SetCommitHook(func() error { return errors.New("disk full") })
	defer func() {
		for _, h := range harnesses {
			h.t = t // the subtests' t are finished; cleanups report to the parent
		}
	}()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := harnesses[c.harness]
			h.t = t
			if c.fault != nil {
				h.emu.Fail(*c.fault)
				defer h.emu.ClearFaults()
			}
			req, err := http.NewRequest(c.method, h.url+c.path, strings.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			if c.ctype != "" {
				req.Header.Set("Content-Type", c.ctype)
			}
			setHeaders(req, c.header)
			a := h.do(req)
			wantStatus(t, a, c.status)
			code, text := errorOf(t, c.format, a)
			if code != c.code {
				t.Errorf("code %d, want %d: %.200s", code, c.code, a.body)
			}
			if !strings.Contains(text, c.contains) {
				t.Errorf("message %q lacks %q", text, c.contains)
			}
		})
	}
}

// errorOf reads a Last.fm-shaped error in the given format.
func errorOf(t *testing.T, format string, a answer) (int, string) {
	t.Helper()
	ct := a.header.Get("Content-Type")
	body := a.body
	switch format {
	case "xml":
		var doc struct {
			Status string `xml:"status,attr"`
			Error  struct {
				Code int    `xml:"code,attr"`
				Text string `xml:",chardata"`
			} `xml:"error"`
		}
		if !strings.Contains(ct, "xml") || xml.Unmarshal([]byte(body), &doc) != nil || doc.Status != "failed" {
			t.Fatalf("not a Last.fm XML error (%s): %.200s", ct, body)
		}
		return doc.Error.Code, doc.Error.Text
	case "jsonp":
		if !strings.Contains(ct, "javascript") || !strings.HasPrefix(body, "cb(") {
			t.Fatalf("not a JSONP error (%s): %.200s", ct, body)
		}
		body = strings.TrimSuffix(strings.TrimPrefix(body, "cb("), ");")
	default:
		if !strings.Contains(ct, "json") {
			t.Fatalf("not JSON (%s): %.200s", ct, body)
		}
	}
	var e struct {
		Error   int    `json:"error"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		t.Fatalf("not a Last.fm JSON error: %v: %.200s", err, body)
	}
	return e.Error, e.Message
}
