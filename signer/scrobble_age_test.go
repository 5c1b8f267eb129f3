package signer

import (
	"math"
	"testing"
	"time"
)

func TestScrobbleAge(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	maxAge := 312 * time.Hour
	cases := []struct {
		at   time.Time
		want int
	}{
		{now, 0},
		{now.Add(-maxAge + time.Minute), 0},
		{now.Add(-maxAge - time.Minute), 3},
		{now.Add(MaxScrobbleAhead), 0},
		{now.Add(MaxScrobbleAhead + time.Second), 4},
		{now.Add(24 * time.Hour), 4},
	}
	for _, c := range cases {
		if got := ScrobbleAge(c.at.Unix(), now, maxAge); got != c.want {
			t.Errorf("ScrobbleAge(%v) = %d, want %d", c.at.Sub(now), got, c.want)
		}
	}
	// Timestamps beyond time.Unix's range are too new, not too old.
	for _, ts := range []int64{math.MaxInt64, math.MaxInt64 - 1, 1 << 62, 253402300800} {
		if got := ScrobbleAge(ts, now, maxAge); got != 4 {
			t.Errorf("ScrobbleAge(%d) = %d, want 4 (too new)", ts, got)
		}
	}
	if got := ScrobbleAge(1, now, maxAge); got != 3 {
		t.Errorf("ScrobbleAge(1) = %d, want 3 (too old)", got)
	}
}
