package httpapi

import (
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
)

// httpMetrics are the request metrics of DESIGN.md "Observability".
type httpMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
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

func (m *httpMetrics) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err) // render now so the status is known
			err = nil
		}
		rt := route(c.Request().URL.Path)
		code := c.Response().Status
		m.requests.WithLabelValues(rt, strconv.Itoa(code/100)+"xx", strconv.Itoa(code)).Inc()
		m.duration.WithLabelValues(rt).Observe(time.Since(start).Seconds())
		return err
	}
}
