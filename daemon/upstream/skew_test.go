package upstream

import (
	"testing"
	"time"
)

// The clock-skew warning fires once when the local clock drifts more than
// the limit from Last.fm's Date, and again only after it came back.
func TestOnClockSkewWarnsOncePerEpisode(t *testing.T) {
	s := &Stats{}
	var warned []time.Duration
	s.OnClockSkew(2*time.Minute, func(d time.Duration) { warned = append(warned, d) })
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	answer := func(dateOffset time.Duration) {
		s.record("artist.getInfo", "ok", &Response{Status: 200, Date: now.Add(dateOffset)}, now)
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
	s.record("artist.getInfo", "ok", &Response{Status: 200}, now)
	if len(warned) != 2 {
		t.Error("warned on an answer without a Date")
	}
}
