package journal

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

func TestYieldFor(t *testing.T) {
	const quiet, most = 20 * time.Millisecond, time.Second
	for _, c := range []struct {
		name              string
		sinceLast, waited time.Duration
		want              time.Duration
	}{
		{"quiet long enough: send", 20 * time.Millisecond, 0, 0},
		{"quiet for ages: send", time.Hour, 0, 0},
		{"a write just now: wait the quiet period", 0, 0, 20 * time.Millisecond},
		{"a write 15 ms ago: wait the rest", 15 * time.Millisecond, 0, 5 * time.Millisecond},
		{"a stream near the cap: wait no longer than the cap", 0, 990 * time.Millisecond, 10 * time.Millisecond},
		{"a stream past the cap: send", 0, time.Second, 0},
		{"a stream well past the cap: send", 0, 5 * time.Second, -4 * time.Second},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := yieldFor(c.sinceLast, c.waited, quiet, most)
			if (got > 0) != (c.want > 0) || (c.want > 0 && got != c.want) {
				t.Errorf("yieldFor(%v, %v) = %v, want %v", c.sinceLast, c.waited, got, c.want)
			}
		})
	}
}

// A mirror's sender waits for a quiet moment between scripts' writes
// (Tuning.MirrorYield) and for no longer than Tuning.MirrorYieldMax in a
// stream that never pauses, while Last.fm's lane sends at once; Close ends
// a wait at once and the play stays for the next start. The monotonic
// clock is the test's: it moves only when the test says.
func TestMirrorYieldsToSubmissions(t *testing.T) {
	e := newEnv(t, Tuning{})
	emu, m := e.mirror(libre)
	tune := Tuning{MirrorYield: 20 * time.Millisecond, MirrorYieldMax: time.Second}
	e.reopen(tune, m)
	var clock atomic.Int64
	clock.Store(int64(time.Hour))
	yielding := make(chan struct{}, 1)
	use := func(j *Journal) {
		j.mono = func() time.Duration { return time.Duration(clock.Load()) }
		j.yieldHook = func() {
			select {
			case yielding <- struct{}{}:
			default:
			}
		}
	}
	use(e.j)
	e.j.Start()
	onMirror := func() int { return len(emu.Scrobbles("alice")) }
	waitYield := func() {
		t.Helper()
		select {
		case <-yielding:
		case <-time.After(waitfor.Bound):
			t.Fatal("the mirror's sender never yielded")
		}
	}
	plays := scrobbles(3, "yield")

	// A write just committed: Last.fm's lane sends, the mirror's waits.
	tk, err := e.j.Submit("alice", plays[:1])
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range waitAll(e.j, tk) {
		if o.State != Sent {
			t.Fatalf("Last.fm's lane: %+v", o)
		}
	}
	waitYield()
	if n := onMirror(); n != 0 {
		t.Fatalf("the mirror has %d plays while its sender yields", n)
	}
	clock.Add(int64(20 * time.Millisecond)) // quiet for MirrorYield
	eventually(t, "the first play on the mirror", func() bool { return onMirror() == 1 })

	// A stream that never pauses: a write every 10 ms.
	if _, err := e.j.Submit("alice", plays[1:2]); err != nil {
		t.Fatal(err)
	}
	waitYield()
	start := clock.Load()
	for onMirror() == 1 {
		if time.Duration(clock.Load()-start) > 2*time.Second {
			t.Fatal("the mirror still yields after twice MirrorYieldMax")
		}
		clock.Add(int64(10 * time.Millisecond))
		e.j.foreground()
		eventually(t, "the sender to yield again or send", func() bool {
			select {
			case <-yielding:
				return true
			default:
				return onMirror() == 2
			}
		})
	}
	if d := time.Duration(clock.Load() - start); d < time.Second {
		t.Fatalf("the mirror sent after %v of a stream, before MirrorYieldMax", d)
	}

	// Close while the sender yields: it returns, and the play is sent on
	// the next start.
	if _, err := e.j.Submit("alice", plays[2:]); err != nil {
		t.Fatal(err)
	}
	waitYield()
	closed := make(chan error, 1)
	go func() { closed <- e.j.Close() }()
	select {
	case err := <-closed:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(waitfor.Bound):
		t.Fatal("Close waits for a yielding sender")
	}
	if n := onMirror(); n != 2 {
		t.Fatalf("the mirror has %d plays after Close, want 2", n)
	}
	e.j = e.open(tune, m)
	e.j.Start()
	eventually(t, "the third play on the mirror after a restart", func() bool { return onMirror() == 3 })
	if n := emu.Count("track.scrobble"); n != 3 {
		t.Errorf("%d calls to the mirror, want 3: each play once", n)
	}
}
