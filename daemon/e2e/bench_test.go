package e2e_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// runEconomy draws reads Zipf-distributed over keys, from callers
// goroutines, and returns the distinct keys drawn and the upstream calls.
func runEconomy(tb testing.TB, h *harness, reads, keys, callers int) (distinct, upstream int) {
	tb.Helper()
	z := rand.NewZipf(rand.New(rand.NewPCG(1, 2)), 1.1, 1, uint64(keys-1))
	draws := make([]uint64, reads)
	seen := map[uint64]bool{}
	for i := range draws {
		draws[i] = z.Uint64()
		seen[draws[i]] = true
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: callers}}
	var next atomic.Int64
	var wg sync.WaitGroup
	var failures atomic.Int32
	for c := 0; c < callers; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(reads) {
					return
				}
				resp, err := client.Get(fmt.Sprintf("%s/v1/artist.getInfo?artist=Artist%%20%d", h.url, draws[i]))
				if err != nil {
					failures.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					failures.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if failures.Load() > 0 {
		tb.Fatalf("%d reads failed", failures.Load())
	}
	return len(seen), h.emu.Count("artist.getInfo")
}

// TestCacheUpstreamEconomy: every distinct key is fetched exactly once,
// however many callers race for it (a smaller run of the benchmark below).
func TestCacheUpstreamEconomy(t *testing.T) {
	h := newHarness(t)
	distinct, upstream := runEconomy(t, h, 2000, 200, 32)
	if upstream != distinct {
		t.Fatalf("%d upstream calls for %d distinct keys", upstream, distinct)
	}
}

// BenchmarkUpstreamEconomy is issue 3's figure: 10,000 reads drawn
// Zipf-distributed over 1,000 keys by 32 concurrent callers.
//
//	go test -run '^$' -bench UpstreamEconomy -benchtime 1x ./daemon/e2e/
func BenchmarkUpstreamEconomy(b *testing.B) {
	for i := 0; i < b.N; i++ {
		h := newHarness(b)
		distinct, upstream := runEconomy(b, h, 10000, 1000, 32)
		b.ReportMetric(float64(distinct), "distinct-keys")
		b.ReportMetric(float64(upstream), "upstream-calls")
		if upstream != distinct {
			b.Fatalf("%d upstream calls for %d distinct keys", upstream, distinct)
		}
	}
}

// BenchmarkDaemonMemory100k sends 100,000 distinct reads answered with ~4 KB
// each through a daemon with cache.max_bytes = 64 MiB and reports the heap.
//
//	go test -run '^$' -bench DaemonMemory100k -benchtime 1x ./daemon/e2e/
func BenchmarkDaemonMemory100k(b *testing.B) {
	body := []byte(`{"artist":{"name":"x","bio":"` + strings.Repeat("a", 4000) + `"}}`)
	fake := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	defer fake.Close()
	for i := 0; i < b.N; i++ {
		h := newHarness(b, withUpstream(fake.URL+"/2.0/"), withRate(1e6, 1000))
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
		var next atomic.Int64
		var wg sync.WaitGroup
		for c := 0; c < 16; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					n := next.Add(1)
					if n > 100000 {
						return
					}
					resp, err := client.Get(fmt.Sprintf("%s/v1/artist.getInfo?artist=A%d", h.url, n))
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}()
		}
		wg.Wait()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		st := h.m.Cache.Stats()
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-inuse-MiB")
		b.ReportMetric(float64(st.Bytes)/(1<<20), "cache-MiB")
		b.ReportMetric(float64(st.Entries), "entries")
		if ms.HeapInuse > 100<<20 {
			b.Errorf("heap %d MiB", ms.HeapInuse>>20)
		}
	}
}
