package httpapi

import (
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// httpMetrics are the request metrics of docs/operations.md#metrics.
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// byRoute holds each route's labelled children, made once: looking a
	// child up by its label values hashes them, which shows on the
	// cache-hit path. The map is read-only after construction.
	byRoute map[string]*routeMetrics
}

// routeMetrics are one route's children: the duration observer, and a
// counter per status code made on first use.
type routeMetrics struct {
	observer prometheus.Observer
	codes    [600]atomic.Pointer[prometheus.Counter]
}

// routes are every value route() returns.
var routes = []string{"/2.0/", "/v1/status", "/v1/auth/", "/v1/queue", "/v1/", "/auth/", "/healthz", "/readyz", "/metrics", "other"}

func (m *httpMetrics) counter(route string, code int) prometheus.Counter {
	rm := m.byRoute[route]
	if code < 100 || code >= len(rm.codes) {
		return m.requests.WithLabelValues(route, strconv.Itoa(code/100)+"xx", strconv.Itoa(code))
	}
	if c := rm.codes[code].Load(); c != nil {
		return *c
	}
	c := m.requests.WithLabelValues(route, strconv.Itoa(code/100)+"xx", strconv.Itoa(code))
	rm.codes[code].Store(&c)
	return c
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
		byRoute: map[string]*routeMetrics{},
	}
	for _, r := range routes {
		m.byRoute[r] = &routeMetrics{observer: m.duration.WithLabelValues(r)}
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
func (m *httpMetrics) observe(route string, code int, took time.Duration) {
	m.counter(route, code).Inc()
	m.byRoute[route].observer.Observe(took.Seconds())
}
