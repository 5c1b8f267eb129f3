package journal

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestParseScrobble(t *testing.T) {
	cases := []struct {
		name string
		in   map[string]string
		want []string // substrings of the problems; nil = valid
	}{
		{"valid", map[string]string{"artist": "Cher", "track": "Believe", "timestamp": "1700000000"}, nil},
		{"all optional fields", map[string]string{"artist": "A", "track": "T", "timestamp": "1", "album": "X", "albumArtist": "Y",
			"trackNumber": "3", "duration": "200", "mbid": "m", "chosenByUser": "0", "context": "c", "streamId": "s"}, nil},
		{"missing artist", map[string]string{"track": "T", "timestamp": "1"}, []string{`"artist" is required`}},
		{"blank track", map[string]string{"artist": "A", "track": "  ", "timestamp": "1"}, []string{`"track" is required`}},
		{"missing timestamp", map[string]string{"artist": "A", "track": "T"}, []string{`"timestamp" is required`}},
		{"fractional timestamp", map[string]string{"artist": "A", "track": "T", "timestamp": "1.5"}, []string{"whole number"}},
		{"negative timestamp", map[string]string{"artist": "A", "track": "T", "timestamp": "-1"}, []string{"whole number"}},
		{"zero timestamp", map[string]string{"artist": "A", "track": "T", "timestamp": "0"}, []string{"whole number"}},
		{"plus sign", map[string]string{"artist": "A", "track": "T", "timestamp": "+5"}, []string{"whole number"}},
		{"exponent", map[string]string{"artist": "A", "track": "T", "timestamp": "1e9"}, []string{"whole number"}},
		{"overflow", map[string]string{"artist": "A", "track": "T", "timestamp": "99999999999999999999"}, []string{"whole number"}},
		{"unknown field", map[string]string{"artist": "A", "track": "T", "timestamp": "1", "timeStamp": "2"}, []string{`"timeStamp" is not a scrobble field`}},
		{"several problems", map[string]string{"timestamp": "x"}, []string{`"artist"`, `"track"`, "whole number"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sc, problems := ParseScrobble(c.in)
			if c.want == nil {
				if len(problems) > 0 {
					t.Fatalf("problems %v", problems)
				}
				if sc.Artist != c.in["artist"] || sc.Timestamp <= 0 || sc.Params["track"] != c.in["track"] {
					t.Fatalf("parsed %+v", sc)
				}
				return
			}
			joined := strings.Join(problems, "; ")
			for _, w := range c.want {
				if !strings.Contains(joined, w) {
					t.Errorf("problems %q lack %q", joined, w)
				}
			}
		})
	}
}

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
