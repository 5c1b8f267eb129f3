package main

import (
	"net/http"
	"strings"
	"testing"
)

// What call prints of an answer ends with a newline, except --raw piped,
// which is the bytes as received; a terminal gets pretty JSON unless --raw.
func TestCallOutput(t *testing.T) {
	const lastfm = `{"artist":{"name":"Cher"}}` // Last.fm's: no final newline
	const own = "{\"error\":6,\"message\":\"x\"}\n"
	for _, tc := range []struct {
		name          string
		body          string
		raw, terminal bool
		want          string
	}{
		{"piped", lastfm, false, false, lastfm + "\n"},
		{"piped, lastfmd's own error", own, false, false, own},
		{"piped --raw", lastfm, true, false, lastfm},
		{"terminal", lastfm, false, true, "{\n  \"artist\": {\n    \"name\": \"Cher\"\n  }\n}\n"},
		{"terminal --raw", lastfm, true, true, lastfm + "\n"},
		{"terminal, not JSON", "<lfm status=\"ok\"/>", false, true, "<lfm status=\"ok\"/>\n"},
		{"empty", "", false, false, "\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := []byte(tc.body)
			if got := string(callOutput(body, tc.raw, tc.terminal)); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if string(body) != tc.body {
				t.Errorf("the answer itself changed: %q", body)
			}
		})
	}
}

// `lastfmd call` says whose error it prints: lastfmd's own refusals (an
// unknown account, no account for a write) as "lastfmd error N", Last.fm's
// answers (a missing parameter, an unknown method it was asked about) as
// "last.fm error N"; and its piped output ends with a newline.
func TestCallSaysWhoRefused(t *testing.T) {
	w := newWorld(t, true)
	env := cleanEnv(t, "LASTFMD_URL="+w.url)
	for _, tc := range []struct {
		name string
		args []string
		want []string
		not  string
	}{
		{"unknown account", []string{"track.love", "artist=Cher", "track=Believe", "--account", "carol"},
			[]string{`lastfmd error 6: unknown account "carol"`, "lastfmd auth status"}, "last.fm error"},
		{"a missing parameter, at Last.fm", []string{"artist.getInfo"},
			[]string{"last.fm error 6: Invalid parameters - Your request is missing a required parameter"}, "lastfmd error"},
		{"a typo, at Last.fm", []string{"track.lvoe", "artist=Cher", "track=Believe"},
			[]string{"last.fm error 3", "did you mean track.love?"}, "lastfmd error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, env, "", append([]string{"call"}, tc.args...)...)
			teach(t, out, errOut, code, tc.want[0], tc.want[1:]...)
			if strings.Contains(errOut, tc.not) {
				t.Errorf("mislabelled: %s", errOut)
			}
			if !strings.HasSuffix(out, "\n") {
				t.Errorf("the error document printed lacks a final newline: %q", out)
			}
		})
	}
	none := newWorld(t, false)
	_, errOut, code := runCLI(t, cleanEnv(t, "LASTFMD_URL="+none.url), "", "call", "track.love", "artist=Cher", "track=Believe")
	teach(t, "", errOut, code, "lastfmd error 9: Invalid session key - no Last.fm account is signed in", "`lastfmd auth login`")

	// Piped, Last.fm's answer gets its final newline; --raw is the bytes
	// the daemon sent.
	out, errOut, code := runCLI(t, env, "", "call", "artist.getInfo", "artist=Cher")
	if code != 0 || !strings.HasPrefix(out, `{"artist":`) || !strings.HasSuffix(out, "}\n") {
		t.Errorf("piped: exit %d %s, stdout %q", code, errOut, out)
	}
	_, body := fetch(t, http.DefaultClient, "GET", w.url+"/v1/artist.getInfo?artist=Cher", "")
	if raw, _, _ := runCLI(t, env, "", "call", "artist.getInfo", "artist=Cher", "--raw"); raw != body {
		t.Errorf("--raw: %q, the daemon sent %q", raw, body)
	}
}
