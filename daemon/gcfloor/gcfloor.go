// Package gcfloor gives the Go garbage collector a floor of headroom: the
// heap may grow at least Floor bytes past its live size before the next
// collection, while a large heap keeps Go's default pacing (GOGC=100, a
// collection each time the heap doubles).
//
// Why: lastfmd's live heap is small (a few MiB plus the cache), and at the
// default pacing a busy daemon collects every ~4 MiB of allocation, dozens of
// times a second, each time re-marking everything live. With 16 MiB of
// headroom it collects several times less often, for at most 16 MiB more
// memory, and a full cache (live heap over the floor) is paced exactly as
// before. It is the "heap floor" a memory ballast used to give, done by
// moving GOGC after each collection instead of holding a dummy allocation.
// See https://go.dev/doc/gc-guide#GOGC.
package gcfloor

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// DefaultFloor is the headroom lastfmd runs with.
const DefaultFloor = 16 << 20

// heapMinimum is the runtime's smallest heap goal at GOGC=100; it scales
// with GOGC (runtime/mgcpacer.go, defaultHeapMinimum).
const heapMinimum = 4 << 20

// Percent is the GOGC that makes the next heap goal live+floor, or 100 if
// Go's default already gives that much. The runtime's goal for GOGC=p is
// max(live + roots*p/100, heapMinimum*p/100), roots being the live heap
// plus goroutine stacks and globals, so the smaller of the two p that reach
// live+floor is the one.
func Percent(live, roots, floor uint64) int {
	target := live + floor
	p := target * 100 / heapMinimum
	if roots > 0 {
		p = min(p, floor*100/roots)
	}
	return int(max(p, 100))
}

var (
	mu   sync.Mutex
	gen  int // the running floor's generation; 0 = none
	last int // the GOGC last set
)

// Start keeps the floor from now on; it does nothing when the user set
// GOGC or GOMEMLIMIT (their choice wins) or when it is already running. The
// returned stop restores Go's default pacing.
func Start(floor uint64) (stop func()) {
	mu.Lock()
	defer mu.Unlock()
	if gen > 0 || os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	gen = nextGen
	nextGen++
	last = 0
	adjustLocked(floor)
	arm(gen, floor)
	mine := gen
	return func() {
		mu.Lock()
		defer mu.Unlock()
		if gen == mine {
			gen = 0
			debug.SetGCPercent(100)
		}
	}
}

var nextGen = 1

// sentinel is garbage made on purpose: its cleanup runs after the
// collection that frees it, which is the moment to pace the next one.
// (Large enough to stay out of the tiny allocator, whose blocks can outlive
// a single object.)
type sentinel struct{ _ [32]byte }

type chain struct {
	gen   int
	floor uint64
}

func arm(g int, floor uint64) {
	runtime.AddCleanup(new(sentinel), func(c chain) {
		mu.Lock()
		defer mu.Unlock()
		if c.gen != gen { // stopped, or a later Start runs its own chain
			return
		}
		adjustLocked(c.floor)
		arm(c.gen, c.floor)
	}, chain{g, floor})
}

var samples = []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/scan/stack:bytes"}, {Name: "/gc/scan/globals:bytes"}}

// adjustLocked sets GOGC for the live heap the last collection measured,
// unless it is within a tenth of what is set already.
func adjustLocked(floor uint64) {
	metrics.Read(samples)
	var v [3]uint64
	for i, s := range samples {
		if s.Value.Kind() != metrics.KindUint64 {
			return // a runtime without these metrics keeps its default pacing
		}
		v[i] = s.Value.Uint64()
	}
	p := Percent(v[0], v[0]+v[1]+v[2], floor)
	if last != 0 && p*10 > last*9 && p*10 < last*11 {
		return
	}
	debug.SetGCPercent(p)
	last = p
}
