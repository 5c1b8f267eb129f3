package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// selfCheckKey marks the daemon's own liveness probe in a request's context,
// so it is neither logged nor counted as a client's request.
type selfCheckKey struct{}

// isSelfCheck reports the daemon's own probe.
func isSelfCheck(r *http.Request) bool { return r.Context().Value(selfCheckKey{}) != nil }

// SelfCheck sends GET /readyz through the whole handler chain (router,
// guard, readiness: the journal and whatever else registered a check)
// in-process, as the systemd watchdog's liveness probe. It never depends on
// Last.fm. It fails when /readyz does not answer 200 or when the handler
// does not answer before ctx ends (a wedged daemon).
func (s *Server) SelfCheck(ctx context.Context) error {
	req, err := http.NewRequestWithContext(context.WithValue(ctx, selfCheckKey{}, true), http.MethodGet, "http://localhost/readyz", nil)
	if err != nil {
		return err
	}
	req.RemoteAddr = "127.0.0.1:0"
	rec := &probeRecorder{header: http.Header{}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.ServeHTTP(rec, req)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("the request handler did not answer /readyz in time: %w", ctx.Err())
	}
	if rec.status != http.StatusOK {
		return fmt.Errorf("/readyz answered %d: %s", rec.status, strings.TrimSpace(rec.body.String()))
	}
	return nil
}

// probeRecorder is the ResponseWriter of SelfCheck: status and a bounded
// body (the readiness message).
type probeRecorder struct {
	header http.Header
	status int
	body   strings.Builder
}

func (p *probeRecorder) Header() http.Header { return p.header }

func (p *probeRecorder) WriteHeader(code int) {
	if p.status == 0 {
		p.status = code
	}
}

func (p *probeRecorder) Write(b []byte) (int, error) {
	if p.status == 0 {
		p.status = http.StatusOK
	}
	if room := 512 - p.body.Len(); room > 0 {
		p.body.Write(b[:min(len(b), room)])
	}
	return len(b), nil
}
