package testpace

import (
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/journal"
)

func TestSetMergesAndTakeForgets(t *testing.T) {
	m := new(int) // any pointer stands for a daemon
	fast := journal.Tuning{Poll: time.Millisecond}
	steps := []struct {
		set  Pace
		want Pace // what Take would give after this Set
	}{
		{Pace{RetryBase: time.Millisecond}, Pace{RetryBase: time.Millisecond}},
		{Pace{SignInPoll: 2 * time.Millisecond}, Pace{RetryBase: time.Millisecond, SignInPoll: 2 * time.Millisecond}},
		{Pace{Journal: fast}, Pace{RetryBase: time.Millisecond, SignInPoll: 2 * time.Millisecond, Journal: fast}},
		{Pace{RetryBase: 3 * time.Millisecond}, Pace{RetryBase: 3 * time.Millisecond, SignInPoll: 2 * time.Millisecond, Journal: fast}},
		{Pace{SignInLease: 4 * time.Millisecond}, Pace{RetryBase: 3 * time.Millisecond, SignInPoll: 2 * time.Millisecond, SignInLease: 4 * time.Millisecond, Journal: fast}},
	}
	for i, s := range steps {
		Set(m, s.set)
		mu.Lock()
		got := paces[m]
		mu.Unlock()
		if got != s.want {
			t.Fatalf("after step %d: %+v, want %+v", i, got, s.want)
		}
	}
	if got := Take(m); got != steps[len(steps)-1].want {
		t.Fatalf("Take = %+v", got)
	}
	if got := Take(m); got != (Pace{}) {
		t.Fatalf("a second Take = %+v, want the defaults (the zero Pace)", got)
	}
	if got := Take(new(int)); got != (Pace{}) {
		t.Fatalf("an unpaced daemon's Take = %+v", got)
	}
}
