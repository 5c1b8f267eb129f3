package cache

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"
)

// BenchmarkKeyAndGet is the cost of a cached read's lookup: building the
// key of a 4-parameter read and a fresh Get (target <= 1 µs, <= 4 allocs).
func BenchmarkKeyAndGet(b *testing.B) {
	params := map[string]string{"artist": "Cher", "autocorrect": "1", "lang": "en", "format": "json"}
	c := New(Options{})
	c.Set(Key("artist.getInfo", params, ""), Entry{Status: 200, Body: make([]byte, 4096)}, time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		if _, fresh, _ := c.Get(Key("artist.getInfo", params, "")); !fresh {
			b.Fatal("miss")
		}
	}
}

// BenchmarkKeyAndGetParallel is BenchmarkKeyAndGet from every P at once,
// over 1,000 keys: what the cache's one lock costs under load.
func BenchmarkKeyAndGetParallel(b *testing.B) {
	const keys = 1000
	c := New(Options{})
	params := make([]map[string]string, keys)
	for i := range params {
		params[i] = map[string]string{"artist": fmt.Sprint("artist ", i), "autocorrect": "1", "lang": "en", "format": "json"}
		c.Set(Key("artist.getInfo", params[i], ""), Entry{Status: 200, Body: make([]byte, 4096)}, time.Hour)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, fresh, _ := c.Get(Key("artist.getInfo", params[i%keys], "")); !fresh {
				b.Error("miss")
				return
			}
			i++
		}
	})
}

// BenchmarkSetEvict is Set in steady state: every Set evicts.
func BenchmarkSetEvict(b *testing.B) {
	const n = 1 << 14
	keys := make([]string, n)
	for i := range keys {
		keys[i] = Key("artist.getInfo", map[string]string{"artist": fmt.Sprint("artist ", i), "format": "json"}, "")
	}
	payload := make([]byte, 1024)
	c := New(Options{MaxBytes: 1 << 20})
	for i := range keys {
		c.Set(keys[i], Entry{Status: 200, Body: payload}, time.Hour)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.Set(keys[i%n], Entry{Status: 200, ContentType: "application/json", Body: payload}, time.Hour)
		i++
	}
	if s := c.Stats(); s.Bytes > s.MaxBytes {
		b.Fatalf("bytes %d over bound", s.Bytes)
	}
}

// BenchmarkMemory100k pushes 100,000 distinct ~4 KB answers through a
// 64 MiB cache and reports the heap in use afterwards (target < 100 MiB).
// Bodies are read with io.ReadAll, as the daemon reads upstream answers, so
// its intermediate buffers churn the heap as they would there, and its
// size-class-rounded result is what is kept.
func BenchmarkMemory100k(b *testing.B) {
	src := bytes.Repeat([]byte(`{"artist":{"name":"Cher","bio":"lorem ipsum"}}`), 200)
	var inuseMiB, allocMiB, chargedMiB, entries float64
	for b.Loop() {
		c := New(Options{MaxBytes: 64 << 20, StaleIfError: 24 * time.Hour})
		for i := 0; i < 100_000; i++ {
			n := 3584 + (i*7919)%1024 // 3.5-4.5 KB
			body, err := io.ReadAll(bytes.NewReader(src[:n]))
			if err != nil {
				b.Fatal(err)
			}
			key := Key("artist.getInfo", map[string]string{"artist": fmt.Sprint("artist ", i), "format": "json"}, "")
			c.Set(key, Entry{Status: 200, ContentType: "application/json", Body: body}, time.Hour)
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		s := c.Stats()
		inuseMiB = float64(ms.HeapInuse) / (1 << 20)
		allocMiB = float64(ms.HeapAlloc) / (1 << 20)
		chargedMiB = float64(s.Bytes) / (1 << 20)
		entries = float64(s.Entries)
		runtime.KeepAlive(c)
	}
	b.ReportMetric(inuseMiB, "heapinuse-MiB")
	b.ReportMetric(allocMiB, "heapalloc-MiB")
	b.ReportMetric(chargedMiB, "charged-MiB")
	b.ReportMetric(entries, "entries")
}
