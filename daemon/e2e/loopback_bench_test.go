package e2e_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/lastfmd/lastfmd/daemon/httpapi"
)

// loopbackPath is the cached read both loopback benchmarks serve.
const loopbackPath = "/v1/artist.getInfo?artist=Cher"

// BenchmarkCachedReadLoopback is the cached-read load of bench/vs-nginx.sh
// inside one test binary, so that a CPU or allocation profile shows where a
// request's time goes, net/http and the kernel's sockets included: 32
// keep-alive connections send the same GET and read the answer. The client
// parses nothing it need not (status line, Content-Length): beside its own
// socket calls, which -ignore drops, the profile is the daemon's.
//
//	go test -run '^$' -bench CachedReadLoopback -benchtime 300000x -cpuprofile cpu.out -o e2e.test ./daemon/e2e/
//	go tool pprof -top -cum -ignore 'CachedReadLoopback.func1' e2e.test cpu.out
func BenchmarkCachedReadLoopback(b *testing.B) {
	h := newHarness(b, quietLog)
	if a := h.get(loopbackPath); a.status != 200 {
		b.Fatalf("warming the cache: %d %s", a.status, a.body)
	}
	if a := h.get(loopbackPath); a.header.Get("X-Lastfmd-Cache") != "HIT" {
		b.Fatalf("not a cache hit: %v", a.header)
	}
	loopbackLoad(b, strings.TrimPrefix(h.url, "http://"))
}

// BenchmarkBareHandlerLoopback is the same load against the least a Go
// server can do for it: a net/http handler writing the same headers and a
// body of the same length from memory, with lastfmd's server timeouts. Its
// difference from BenchmarkCachedReadLoopback is what lastfmd adds.
func BenchmarkBareHandlerLoopback(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 3707) // artist.getInfo?artist=Cher's length
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	t := httpapi.DefaultTimeouts
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Content-Type", "application/json; charset=UTF-8")
			h.Set("X-Lastfmd-Cache", "HIT")
			h.Set("Age", "0")
			h.Set("Content-Length", strconv.Itoa(len(body)))
			w.Write(body)
		}),
		ReadHeaderTimeout: t.ReadHeader, ReadTimeout: t.Read, WriteTimeout: t.Write, IdleTimeout: t.Idle,
	}
	go srv.Serve(ln)
	b.Cleanup(func() { srv.Close() })
	loopbackLoad(b, ln.Addr().String())
}

// loopbackLoad sends b.N GETs of loopbackPath to addr over 32 keep-alive
// connections and reports, beside the time, the collector's CPU time and
// cycles per request: what a heap-pacing change moves.
func loopbackLoad(b *testing.B, addr string) {
	req := []byte("GET " + loopbackPath + " HTTP/1.1\r\nHost: " + addr + "\r\nUser-Agent: bench\r\n\r\n")
	const conns = 32
	var wg sync.WaitGroup
	work := make(chan struct{}, 1024)
	errc := make(chan error, conns)
	b.ReportAllocs()
	gc0 := gcStats()
	b.ResetTimer()
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", addr)
			if err != nil {
				errc <- err
				return
			}
			defer c.Close()
			r := bufio.NewReaderSize(c, 16<<10)
			for range work {
				if _, err := c.Write(req); err != nil {
					errc <- err
					return
				}
				if err := readAnswer(r); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	for range b.N {
		work <- struct{}{}
	}
	close(work)
	wg.Wait()
	b.StopTimer()
	gc1 := gcStats()
	b.ReportMetric((gc1[0]-gc0[0])*1e9/float64(b.N), "gc-ns/op")
	b.ReportMetric((gc1[1]-gc0[1])/float64(b.N)*1e6, "gcs/1M-op")
	close(errc)
	for err := range errc {
		b.Fatal(err)
	}
}

// readAnswer reads one 200 answer with a Content-Length off r.
func readAnswer(r *bufio.Reader) error {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(line, []byte("HTTP/1.1 200 ")) {
		return io.ErrUnexpectedEOF
	}
	n := -1
	for {
		line, err = r.ReadSlice('\n')
		if err != nil {
			return err
		}
		if len(line) <= 2 {
			break
		}
		if v, ok := bytes.CutPrefix(line, []byte("Content-Length: ")); ok {
			n, err = strconv.Atoi(string(bytes.TrimSpace(v)))
			if err != nil {
				return err
			}
		}
	}
	if n < 0 {
		return io.ErrUnexpectedEOF
	}
	_, err = r.Discard(n)
	return err
}

// gcStats reads the collector's CPU seconds and cycles so far.
func gcStats() [2]float64 {
	s := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}, {Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return [2]float64{s[0].Value.Float64(), float64(s[1].Value.Uint64())}
}
