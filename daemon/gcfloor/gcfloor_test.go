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

// TestStartRaisesAndStopRestoresGOGC: with the floor running a small heap
// gets a GOGC above Go's default, and stop restores the default. How much
// less often it collects is a measurement, not a test:
// BenchmarkCollections.
func TestStartRaisesAndStopRestoresGOGC(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	stop := Start(DefaultFloor)
	runtime.GC() // the first re-pacing runs after a collection
	runtime.GC()
	if p := gcPercent(); p <= 100 {
		t.Errorf("GOGC with the floor running = %d, want above 100", p)
	}
	stop()
	if p := gcPercent(); p != 100 {
		t.Errorf("GOGC after stop = %d, want 100", p)
	}
}

// BenchmarkCollections counts the collections while 256 MiB of short-lived
// garbage is allocated, at Go's default pacing and with the floor:
//
//	go test -run='^$' -bench=Collections -count=5 ./daemon/gcfloor/
func BenchmarkCollections(b *testing.B) {
	b.Setenv("GOGC", "")
	b.Setenv("GOMEMLIMIT", "")
	for _, floored := range []bool{false, true} {
		name := map[bool]string{false: "default", true: "floor"}[floored]
		b.Run(name, func(b *testing.B) {
			if floored {
				stop := Start(DefaultFloor)
				defer stop()
			}
			runtime.GC()
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				garbage(256 << 20)
			}
			runtime.ReadMemStats(&after)
			b.ReportMetric(float64(after.NumGC-before.NumGC)/float64(b.N), "GCs/op")
		})
	}
}

// garbage allocates n bytes of short-lived 4 KiB blocks.
func garbage(n int) {
	var keep []byte
	for i := 0; i < n/4096; i++ {
		keep = make([]byte, 4096)
	}
	_ = keep
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
