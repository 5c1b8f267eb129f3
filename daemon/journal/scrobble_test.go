package journal

import (
	"math"
	"testing"
	"time"
)

func TestAge(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	maxAge := 312 * time.Hour
	cases := []struct {
		at   time.Time
		want int
	}{
		{now, 0},
		{now.Add(-maxAge + time.Minute), 0},
		{now.Add(-maxAge - time.Minute), 3},
		{now.Add(MaxAhead), 0},
		{now.Add(MaxAhead + time.Second), 4},
		{now.Add(24 * time.Hour), 4},
	}
	for _, c := range cases {
		if got := Age(c.at.Unix(), now, maxAge); got != c.want {
			t.Errorf("Age(%v) = %d, want %d", c.at.Sub(now), got, c.want)
		}
	}
	// Timestamps beyond time.Unix's range are too new, not too old.
	for _, ts := range []int64{math.MaxInt64, math.MaxInt64 - 1, 1 << 62, 253402300800} {
		if got := Age(ts, now, maxAge); got != 4 {
			t.Errorf("Age(%d) = %d, want 4 (too new)", ts, got)
		}
	}
	if got := Age(1, now, maxAge); got != 3 {
		t.Errorf("Age(1) = %d, want 3 (too old)", got)
	}
}

func TestDedupKeyIgnoresCaseAndSpace(t *testing.T) {
	a := dedupKey("alice", Scrobble{Artist: "Björk", Track: "Jóga", Timestamp: 5})
	b := dedupKey("alice", Scrobble{Artist: " BJÖRK ", Track: "jóga", Timestamp: 5})
	if string(a) != string(b) {
		t.Errorf("%q != %q", a, b)
	}
	for _, other := range [][]byte{
		dedupKey("bob", Scrobble{Artist: "Björk", Track: "Jóga", Timestamp: 5}),
		dedupKey("alice", Scrobble{Artist: "Björk", Track: "Jóga", Timestamp: 6}),
		dedupKey("alice", Scrobble{Artist: "Björk", Track: "Hyper-ballad", Timestamp: 5}),
	} {
		if string(a) == string(other) {
			t.Errorf("%q collides with %q", a, other)
		}
	}
}

func TestBackoffSchedule(t *testing.T) {
	base, maxStep := 5*time.Second, 8*time.Minute
	var step time.Duration
	var steps []time.Duration
	for range 10 {
		step = nextStep(step, base, maxStep)
		steps = append(steps, step)
	}
	want := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second,
		160 * time.Second, 320 * time.Second, 8 * time.Minute, 8 * time.Minute, 8 * time.Minute}
	for i := range want {
		if steps[i] != want[i] {
			t.Fatalf("steps %v, want %v", steps, want)
		}
	}
	for range 1000 {
		for _, s := range want {
			d := jitter(s)
			if d > s || d < s*3/4 {
				t.Fatalf("jitter(%v) = %v, outside [3/4 step, step]", s, d)
			}
		}
	}
	if jitter(0) != 0 {
		t.Error("jitter(0) != 0")
	}
}
