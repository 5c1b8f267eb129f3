package backoff

import (
	"context"
	"slices"
	"testing"
	"testing/synctest"
	"time"
)

func TestNext(t *testing.T) {
	s := time.Second
	cases := []struct {
		name      string
		base, max time.Duration
		steps     int
		want      []time.Duration
	}{
		{"journal: 5 s to 8 min", 5 * s, 8 * time.Minute, 10, []time.Duration{5 * s, 10 * s, 20 * s, 40 * s, 80 * s,
			160 * s, 320 * s, 8 * time.Minute, 8 * time.Minute, 8 * time.Minute}},
		{"limiter: 10 s to 5 min", 10 * s, 5 * time.Minute, 7, []time.Duration{10 * s, 20 * s, 40 * s, 80 * s, 160 * s,
			5 * time.Minute, 5 * time.Minute}},
		{"proxy: 250 ms to 8 s", 250 * time.Millisecond, 8 * s, 7, []time.Duration{250 * time.Millisecond, 500 * time.Millisecond,
			s, 2 * s, 4 * s, 8 * s, 8 * s}},
		{"base above max", time.Minute, s, 2, []time.Duration{s, s}},
		{"max not a power of two of base", 3 * s, 10 * s, 4, []time.Duration{3 * s, 6 * s, 10 * s, 10 * s}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []time.Duration
			var step time.Duration
			for i := range c.steps {
				step = Next(step, c.base, c.max)
				got = append(got, step)
				if a := Attempt(c.base, c.max, i); a != step {
					t.Errorf("Attempt(%d) = %v, Next gave %v", i, a, step)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Fatalf("steps %v, want %v", got, c.want)
			}
		})
	}
}

func TestJitter(t *testing.T) {
	cases := []struct {
		d      time.Duration
		div    int
		lowest time.Duration
	}{
		{5 * time.Second, 4, 3750 * time.Millisecond},
		{8 * time.Minute, 4, 6 * time.Minute},
		{time.Second, 2, 500 * time.Millisecond},
		{3, 2, 2},
		{0, 4, 0},
		{-time.Second, 4, -time.Second},
		{time.Second, 0, time.Second},
	}
	for _, c := range cases {
		for range 1000 {
			if got := Jitter(c.d, c.div); got < c.lowest || got > max(c.d, c.lowest) {
				t.Fatalf("Jitter(%v, %d) = %v, outside [%v, %v]", c.d, c.div, got, c.lowest, c.d)
			}
		}
	}
}

func TestSleep(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		start := time.Now() // the bubble's clock
		if err := Sleep(context.Background(), time.Minute); err != nil || time.Since(start) != time.Minute {
			t.Errorf("Sleep(1m) = %v after %v", err, time.Since(start))
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start = time.Now()
		if err := Sleep(ctx, time.Hour); err != context.DeadlineExceeded || time.Since(start) != time.Second {
			t.Errorf("Sleep(1h) with a 1 s deadline = %v after %v", err, time.Since(start))
		}
	})
}
