package gcfloor

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestPercent(t *testing.T) {
	const MiB = 1 << 20
	cases := []struct {
		name              string
		live, roots, want uint64
	}{
		// heapMinimum*p/100 reaches live+floor first while the heap is small.
		{"before the first collection", 0, 0, 400},
		{"1 MiB live", 1 * MiB, 2 * MiB, 425},
		{"4 MiB live", 4 * MiB, 5 * MiB, 320},
		// then live + roots*p/100 does.
		{"10 MiB live", 10 * MiB, 11 * MiB, 145},
		// and a heap over the floor is paced as Go's default.
		{"16 MiB live", 16 * MiB, 17 * MiB, 100},
		{"80 MiB live", 80 * MiB, 81 * MiB, 100},
	}
	for _, c := range cases {
		if got := Percent(c.live, c.roots, 16*MiB); uint64(got) != c.want {
			t.Errorf("%s: Percent = %d, want %d", c.name, got, c.want)
		}
	}
}

// gcPercent reads GOGC without changing it.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// cycles counts the collections while n bytes of short-lived garbage are
// allocated.
func cycles(n int) uint32 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var keep []byte
	for i := 0; i < n/4096; i++ {
		keep = make([]byte, 4096)
	}
	_ = keep
	runtime.ReadMemStats(&after)
	return after.NumGC - before.NumGC
}

// TestStartPacesCollections: with the floor a small heap is collected
// several times less often than at Go's default pacing, and stop restores
// that pacing.
func TestStartPacesCollections(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	runtime.GC()
	plain := cycles(256 << 20)

	stop := Start(DefaultFloor)
	runtime.GC() // the first re-pacing runs after a collection
	runtime.GC()
	if p := gcPercent(); p <= 100 {
		t.Errorf("GOGC with the floor running = %d, want above 100", p)
	}
	floored := cycles(256 << 20)
	stop()
	if p := gcPercent(); p != 100 {
		t.Errorf("GOGC after stop = %d, want 100", p)
	}
	t.Logf("collections for 256 MiB of garbage: %d at Go's default, %d with a %d MiB floor", plain, floored, DefaultFloor>>20)
	if floored*3 > plain {
		t.Errorf("with the floor: %d collections, want under a third of the default's %d", floored, plain)
	}
}

// TestStartLeavesUsersChoice: GOGC or GOMEMLIMIT set by the user wins.
func TestStartLeavesUsersChoice(t *testing.T) {
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv("GOGC", "")
			t.Setenv("GOMEMLIMIT", "")
			t.Setenv(env, map[string]string{"GOGC": "150", "GOMEMLIMIT": "1GiB"}[env])
			debug.SetGCPercent(150)
			defer debug.SetGCPercent(100)
			stop := Start(DefaultFloor)
			defer stop()
			runtime.GC()
			runtime.GC()
			if p := gcPercent(); p != 150 {
				t.Errorf("GOGC = %d, want the user's 150", p)
			}
		})
	}
}
