package waitfor

import (
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

func TestWithin(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int32
		if !Within(time.Second, func() bool { return n.Add(1) == 3 }) {
			t.Fatal("a condition that comes true was not seen")
		}
		start := time.Now()
		if Within(time.Minute, func() bool { return false }) {
			t.Fatal("a condition that never holds was reported")
		}
		// Inside the bubble time is fake: the minute passed exactly.
		if d := time.Since(start); d < time.Minute || d > time.Minute+2*Poll {
			t.Fatalf("gave up after %v, want a minute", d)
		}
	})
}
