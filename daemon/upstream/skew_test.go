package upstream

import (
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/signer"
)

// The clock-skew warning fires once when the local clock drifts more than
// the limit from Last.fm's Date, and again only after it came back.
func TestOnClockSkewWarnsOncePerEpisode(t *testing.T) {
	s := &Stats{}
	var warned []time.Duration
	s.OnClockSkew(2*time.Minute, func(d time.Duration) { warned = append(warned, d) })
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	answer := func(dateOffset time.Duration) {
		s.record("artist.getInfo", "ok", &Response{Status: 200, Date: now.Add(dateOffset)}, now, false)
	}
	for _, off := range []time.Duration{
		-time.Minute,     // within: nothing
		-5 * time.Minute, // local clock 5 min ahead: warn
		-6 * time.Minute, // still off: no second warning
		0,                // back in sync
		3 * time.Minute,  // 3 min behind: warn again
	} {
		answer(off)
	}
	if len(warned) != 2 || warned[0] != 5*time.Minute || warned[1] != -3*time.Minute {
		t.Fatalf("warnings %v, want [5m0s -3m0s]", warned)
	}
	if got := s.Snapshot().ClockSkew; got != -3*time.Minute {
		t.Errorf("ClockSkew %v", got)
	}
	// An answer without a Date changes nothing.
	s.record("artist.getInfo", "ok", &Response{Status: 200}, now, false)
	if len(warned) != 2 {
		t.Error("warned on an answer without a Date")
	}
}

// A wrong secret (13 on an auth.* call) stays reported through unsigned
// reads, which never test the secret, and ends with a signed success; a
// refused key (10) ends with any success.
func TestKeyProblemEndsWithTheRightSuccess(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	fail := func(code int) *Response {
		return &Response{Status: 400, APIError: &signer.APIError{Code: code, Message: signer.Message(code)}, Class: signer.Classify(code, false)}
	}
	var s Stats
	s.record("auth.getToken", "permanent", fail(13), now, true)
	want := "Last.fm rejects the signature: the API secret does not belong to the API key (last.fm error 13: Invalid method signature supplied)"
	if p := s.Snapshot().KeyProblem; p != want {
		t.Fatalf("after 13: %q", p)
	}
	s.record("artist.getInfo", "ok", &Response{Status: 200}, now, false)
	if p := s.Snapshot().KeyProblem; p != want {
		t.Errorf("an unsigned read ended the secret problem: %q", p)
	}
	s.record("track.love", "ok", &Response{Status: 200}, now, true)
	if p := s.Snapshot().KeyProblem; p != "" {
		t.Errorf("a signed success left %q", p)
	}
	s.record("artist.getInfo", "key_broken", fail(10), now, false)
	if p := s.Snapshot().KeyProblem; !strings.HasPrefix(p, "Last.fm does not know the API key") {
		t.Errorf("after 10: %q", p)
	}
	s.record("artist.getInfo", "ok", &Response{Status: 200}, now, false)
	if p := s.Snapshot().KeyProblem; p != "" {
		t.Errorf("a success left %q", p)
	}
	// 13 on a scrobble is the journal's to judge, not a key problem here.
	s.record("track.scrobble", "bad_item", fail(13), now, true)
	if p := s.Snapshot().KeyProblem; p != "" {
		t.Errorf("13 on a scrobble: %q", p)
	}
}

// The clock is known only once an answer's Date was read: calls that got
// no answer, or answers without a Date, leave it unknown, so that a skew
// of 0 is never shown as "in step" when nothing was compared.
func TestClockKnownOnlyFromADate(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		calls []*Response // nil: no answer (a transport failure)
		known bool
		skew  time.Duration
	}{
		{"no call", nil, false, 0},
		{"no answer", []*Response{nil, nil}, false, 0},
		{"answers without a Date", []*Response{{Status: 502}}, false, 0},
		{"an error with a Date", []*Response{nil, {Status: 400, Date: now, APIError: &signer.APIError{Code: 6}}}, true, 0},
		{"a Date, then no answer", []*Response{{Status: 200, Date: now.Add(-time.Minute)}, nil}, true, time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Stats{}
			for _, r := range tc.calls {
				outcome := "ok"
				if r == nil || r.Status >= 400 {
					outcome = "transport"
				}
				s.record("artist.getInfo", outcome, r, now, false)
			}
			if got := s.Snapshot(); got.ClockKnown != tc.known || got.ClockSkew != tc.skew {
				t.Errorf("ClockKnown %v, ClockSkew %v; want %v, %v", got.ClockKnown, got.ClockSkew, tc.known, tc.skew)
			}
		})
	}
}
