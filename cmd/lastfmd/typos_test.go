//go:build !windows

package main

import (
	"strings"
	"testing"
)

// Mistyped commands and flags exit 2 with a "did you mean"; --version works.
func TestTyposGetSuggestions(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"auth", "loign"}, `lastfmd auth: unknown command "loign" for "lastfmd auth"; did you mean login?`},
		{[]string{"config", "chek"}, `unknown command "chek" for "lastfmd config"; did you mean check?`},
		{[]string{"completion", "bsh"}, `unknown command "bsh" for "lastfmd completion"; did you mean bash`},
		{[]string{"queue", "lst"}, `did you mean list?`},
		{[]string{"stauts"}, `unknown command "stauts" for "lastfmd"; did you mean status`},
		{[]string{"run", "--lisen", "127.0.0.1:1"}, `lastfmd run: unknown flag: --lisen; did you mean --listen?`},
		{[]string{"status", "--jsn"}, `did you mean --json?`},
		{[]string{"frobnicate"}, `unknown command "frobnicate" for "lastfmd"`},
		{[]string{"help", "stauts"}, `unknown help topic "stauts" for "lastfmd"; did you mean status`},
		{[]string{"help", "auth", "loign"}, `unknown help topic "loign" for "lastfmd auth"; did you mean login?`},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			out, errOut, code := runCLI(t, cleanEnv(t), "", c.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2 (usage)", code)
			}
			if !strings.Contains(errOut, c.want) || !strings.Contains(errOut, "--help' for usage") {
				t.Errorf("stderr %q lacks %q", errOut, c.want)
			}
			if out != "" {
				t.Errorf("help printed on stdout as if it worked:\n%.200s", out)
			}
		})
	}
	if out, _, code := runCLI(t, cleanEnv(t), "", "help", "auth", "login"); code != 0 || !strings.Contains(out, "--no-browser") {
		t.Errorf("lastfmd help auth login: exit %d\n%s", code, out)
	}
	// The group commands alone still show their help.
	if out, _, code := runCLI(t, cleanEnv(t), "", "auth"); code != 0 || !strings.Contains(out, "login") {
		t.Errorf("lastfmd auth: exit %d\n%s", code, out)
	}
	out, _, code := runCLI(t, cleanEnv(t), "", "--version")
	ver, _, _ := runCLI(t, cleanEnv(t), "", "version")
	if code != 0 || !strings.HasPrefix(out, "lastfmd dev (go") || out != ver {
		t.Errorf("--version: exit %d %q; version: %q", code, out, ver)
	}
}

// A method the catalog does not know is still forwarded; when Last.fm
// answers error 3 for it, the client is told the nearest catalog names.
func TestUnknownMethodDidYouMean(t *testing.T) {
	w := newWorld(t, true)
	before := len(w.emu.Requests())
	code, body := w.do(t, "POST", "/v1/track.lvoe", `{"artist":"Cher","track":"Believe"}`, "Content-Type", "application/json")
	if code != 400 || !strings.Contains(body, `"error":3`) || !strings.Contains(body, "did you mean track.love?") {
		t.Errorf("/v1/track.lvoe: %d %s", code, body)
	}
	if len(w.emu.Requests()) == before {
		t.Error("track.lvoe was not forwarded to Last.fm")
	}
	code, body = w.do(t, "GET", "/2.0/?method=user.getRecentTrack&user=alice", "")
	if code != 400 || !strings.Contains(body, `<error code="3">`) || !strings.Contains(body, "did you mean user.getRecentTracks?") {
		t.Errorf("/2.0/ user.getRecentTrack: %d %s", code, body)
	}
	// Nothing near: Last.fm's answer as it was.
	code, body = w.do(t, "GET", "/v1/zzz.qqq", "")
	if code != 400 || !strings.Contains(body, `"error":3`) || strings.Contains(body, "did you mean") {
		t.Errorf("/v1/zzz.qqq: %d %s", code, body)
	}
	// And `lastfmd call` shows it on its one line.
	_, errOut, exit := runCLI(t, cleanEnv(t, "LASTFMD_URL="+w.url), "", "call", "artist.getInf", "artist=Cher")
	teach(t, "", errOut, exit, "last.fm error 3", "did you mean artist.getInfo?")
}
