package httpapi

import (
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// httpMetrics are the request metrics of DESIGN.md "Observability".
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// counters and observers memoise the labelled children: looking a
	// child up by its label values hashes them on every request, which
	// shows on the cached-read path.
	counters  sync.Map // counterKey -> prometheus.Counter
	observers sync.Map // route -> prometheus.Observer
}

type counterKey struct {
	route string
	code  int
}

func (m *httpMetrics) counter(route string, code int) prometheus.Counter {
	k := counterKey{route, code}
	if c, ok := m.counters.Load(k); ok {
		return c.(prometheus.Counter)
	}
	c := m.requests.WithLabelValues(route, strconv.Itoa(code/100)+"xx", strconv.Itoa(code))
	m.counters.Store(k, c)
	return c
}

func (m *httpMetrics) observer(route string) prometheus.Observer {
	if o, ok := m.observers.Load(route); ok {
		return o.(prometheus.Observer)
	}
	o := m.duration.WithLabelValues(route)
	m.observers.Store(route, o)
	return o
}

func newHTTPMetrics(reg prometheus.Registerer) *httpMetrics {
	m := &httpMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lastfmd_requests_total", Help: "HTTP requests answered, by route, status class and status code.",
		}, []string{"route", "class", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "lastfmd_request_duration_seconds", Help: "Time to answer an HTTP request, by route.",
			Buckets: []float64{.0001, .0005, .001, .005, .01, .05, .1, .5, 1, 5, 30},
		}, []string{"route"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// route names a path for metrics with bounded cardinality: never the
// method name a client made up.
func route(path string) string {
	switch {
	case path == "/2.0" || strings.HasPrefix(path, "/2.0/"):
		return "/2.0/"
	case path == "/v1/status":
		return path
	case strings.HasPrefix(path, "/v1/auth/"):
		return "/v1/auth/"
	case strings.HasPrefix(path, "/v1/queue"):
		return "/v1/queue"
	case strings.HasPrefix(path, "/v1/"):
		return "/v1/"
	case strings.HasPrefix(path, "/auth/"):
		return "/auth/"
	case path == "/healthz" || path == "/readyz" || path == "/metrics":
		return path
	}
	return "other"
}

// observe counts one answered request.
func (m *httpMetrics) observe(route string, code int, start time.Time) {
	m.counter(route, code).Inc()
	m.observer(route).Observe(time.Since(start).Seconds())
}
