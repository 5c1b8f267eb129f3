package e2e_test

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// A key given twice in a /v1/ JSON body, at any depth, with the same value
// or another, is refused with 400 and error 6 naming the key and where it
// is, on every route that takes JSON; nothing is journalled and Last.fm
// receives nothing. ({"scrobbles":[First],"scrobbles":[Second]} was once
// answered 200 with Second alone: First was never journalled.)
func TestV1RepeatedJSONKeyRefused(t *testing.T) {
	h := newHarness(t, withJournal(fastJournal))
	its := items(3, "t", time.Now())
	first, second := jsonOf(its[0]), jsonOf(its[1])
	ts := jsonOf(its[0].Timestamp)
	cases := []struct{ name, path, body, msg string }{
		{"two scrobble lists", "/v1/track.scrobble",
			`{"scrobbles":[` + first + `],"scrobbles":[` + second + `]}`, `"scrobbles" given twice at the top level`},
		{"a field twice in a listed scrobble", "/v1/track.scrobble",
			`{"scrobbles":[` + first + `,{"artist":"A","track":"T","artist":"B","timestamp":` + ts + `}]}`, `"artist" given twice in scrobbles[1]`},
		{"an identical repeat in an array's scrobble", "/v1/track.scrobble",
			`[` + second + `,{"artist":"A","artist":"A","track":"T","timestamp":` + ts + `}]`, `"artist" given twice in [1]`},
		{"an identical repeat in a single scrobble", "/v1/track.scrobble",
			`{"artist":"A","track":"T","track":"T","timestamp":` + ts + `}`, `"track" given twice at the top level`},
		{"a write", "/v1/track.love", `{"artist":"A","track":"T","track":"U"}`, `"track" given twice at the top level`},
		{"a sign-in", "/v1/auth/mobile", `{"username":"alice","password":"pw","password":"pw"}`, `"password" given twice at the top level`},
		{"a queue action", "/v1/queue/drop", `{"ids":[1],"ids":[2]}`, `"ids" given twice at the top level`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := h.post(c.path, "application/json", c.body)
			wantStatus(t, a, 400)
			if code, msg := errorOf(t, "json", a); code != 6 || !strings.Contains(msg, c.msg) {
				t.Errorf("error %d %q, want error 6 naming %s", code, msg, c.msg)
			}
		})
	}
	if q := h.queue(); q.Pending != 0 || q.Dead != 0 || len(q.Items) != 0 {
		t.Fatalf("a refused body was journalled: %+v", q)
	}
	// The sender sends oldest first: had a refused scrobble been
	// journalled, it would reach Last.fm before (or with) this one.
	a, _ := h.scrobble(its[2:])
	wantStatus(t, a, 200)
	if got := h.delivered("alice"); !slices.Equal(got, []string{its[2].Track}) {
		t.Errorf("Last.fm holds %v, want only %s", got, its[2].Track)
	}
	for _, r := range h.emu.Requests() {
		if m := r.Params["method"]; m == "track.love" || m == "auth.getMobileSession" {
			t.Errorf("Last.fm received %s", m)
		}
	}
	if n := h.emu.Count("track.scrobble"); n != 1 {
		t.Errorf("Last.fm received %d scrobble requests, want 1", n)
	}
}
