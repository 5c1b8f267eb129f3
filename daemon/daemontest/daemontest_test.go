package daemontest

import (
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon"
	"github.com/lastfmd/lastfmd/daemon/journal"
)

// SetPace sets daemon.Main's Tuning and nothing else; the fields a call
// leaves zero keep what an earlier one gave them, so a test's options
// compose.
func TestSetPaceMerges(t *testing.T) {
	m := Main(nil, nil, Pace{})
	if m.Tuning != (daemon.Tuning{}) {
		t.Fatalf("an unpaced daemon's Tuning = %+v, want production's (the zero value)", m.Tuning)
	}
	fast := journal.Tuning{Poll: time.Millisecond}
	steps := []struct {
		set  Pace
		want daemon.Tuning // m.Tuning after this SetPace
	}{
		{Pace{RetryBase: time.Millisecond}, daemon.Tuning{RetryBase: time.Millisecond}},
		{Pace{SignInPoll: 2 * time.Millisecond}, daemon.Tuning{RetryBase: time.Millisecond, SignInPoll: 2 * time.Millisecond}},
		{Pace{Journal: fast}, daemon.Tuning{RetryBase: time.Millisecond, SignInPoll: 2 * time.Millisecond, Journal: fast}},
		{Pace{RetryBase: 3 * time.Millisecond}, daemon.Tuning{RetryBase: 3 * time.Millisecond, SignInPoll: 2 * time.Millisecond, Journal: fast}},
		{Pace{SignInLease: 4 * time.Millisecond}, daemon.Tuning{RetryBase: 3 * time.Millisecond, SignInPoll: 2 * time.Millisecond, SignInLease: 4 * time.Millisecond, Journal: fast}},
		{Pace{}, daemon.Tuning{RetryBase: 3 * time.Millisecond, SignInPoll: 2 * time.Millisecond, SignInLease: 4 * time.Millisecond, Journal: fast}},
	}
	for i, s := range steps {
		SetPace(m, s.set)
		if m.Tuning != s.want {
			t.Fatalf("after step %d: %+v, want %+v", i, m.Tuning, s.want)
		}
	}
	if got := Main(nil, nil, Pace{SignInPoll: time.Second}).Tuning; got != (daemon.Tuning{SignInPoll: time.Second}) {
		t.Errorf("Main's pace: %+v", got)
	}
}
