package fakeclock

import (
	"testing"
	"testing/synctest"
	"time"
)

func TestStoppedClock(t *testing.T) {
	tests := []struct {
		name  string
		start time.Time
		moves []time.Duration
		want  time.Time
	}{
		{"zero start is Start", time.Time{}, nil, Start},
		{"advance adds", Start, []time.Duration{time.Minute, time.Hour}, Start.Add(time.Hour + time.Minute)},
		{"negative goes back", Start, []time.Duration{-time.Second}, Start.Add(-time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(tt.start)
			for _, d := range tt.moves {
				c.Advance(d)
			}
			if got := c.Now(); !got.Equal(tt.want) {
				t.Fatalf("Now() = %v, want %v", got, tt.want)
			}
			c.Set(Start)
			if got := c.Now(); !got.Equal(Start) {
				t.Fatalf("after Set: %v", got)
			}
		})
	}
}

// The running clock is checked inside a synctest bubble, where the wall
// clock itself is fake and moves only when every goroutine is blocked.
func TestRunningClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := Running(Start)
		if got := c.Now(); !got.Equal(Start) {
			t.Fatalf("start: %v", got)
		}
		time.Sleep(3 * time.Second)
		if got := c.Now(); !got.Equal(Start.Add(3 * time.Second)) {
			t.Fatalf("after 3 s: %v", got)
		}
		c.Advance(time.Hour)
		if got := c.Now(); !got.Equal(Start.Add(time.Hour + 3*time.Second)) {
			t.Fatalf("after a jump: %v", got)
		}
		c.Set(Start)
		if got := c.Now(); !got.Equal(Start) {
			t.Fatalf("after Set: %v", got)
		}
	})
}
