package e2e_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkCachedReadHandler is one cache hit through the whole HTTP stack
// in-process (guard, metrics, routing, parsing, cache), without sockets.
//
//	go test -run '^$' -bench CachedReadHandler -benchmem ./daemon/e2e/
func BenchmarkCachedReadHandler(b *testing.B) {
	// Info level, as a daemon runs: the debug request log is not on the path.
	h := newHarness(b, quietLog)
	handler := h.m.HTTP.Handler()
	req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:7375/v1/artist.getInfo?artist=Cher&lang=en", nil)
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	b.ReportAllocs()
	b.ResetTimer()
	w := &discardWriter{h: http.Header{}}
	for i := 0; i < b.N; i++ {
		clear(w.h)
		w.code = 0
		handler.ServeHTTP(w, req)
		if w.code != 200 {
			b.Fatal(w.code)
		}
	}
}

// discardWriter is a ResponseWriter that keeps nothing, so the benchmark
// measures lastfmd rather than a recorder's buffer.
type discardWriter struct {
	h    http.Header
	code int
}

func (d *discardWriter) Header() http.Header { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) {
	if d.code == 0 {
		d.code = 200
	}
	return len(p), nil
}
func (d *discardWriter) WriteHeader(code int) { d.code = code }
