package daemon

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lastfmd/lastfmd/daemon/upstream"
)

// registerMetrics exposes the cache, upstream and limiter metrics of
// docs/operations.md#metrics. Cache figures are read from the cache's own
// counters at scrape time, so the hot path pays nothing for them.
func registerMetrics(reg *prometheus.Registry, m *Main) {
	upCalls := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "lastfmd_upstream_calls_total", Help: "Calls made to Last.fm, by method and outcome (ok, the error class, transport, or canceled: the caller left first).",
	}, []string{"method", "outcome"})
	upDur := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "lastfmd_upstream_duration_seconds", Help: "Time Last.fm took to answer, by method.",
		Buckets: prometheus.ExponentialBuckets(0.01, 2.5, 10),
	}, []string{"method"})
	reg.MustRegister(upCalls, upDur)
	m.Upstream.Stats().OnKeyProblem(func(problem string) {
		m.Log.Error("LAST.FM REFUSED THE API KEY: check lastfm.api_key and the secret, or whether the key was suspended",
			"error", problem)
	})
	m.Upstream.Stats().Observe(func(method, outcome string, d time.Duration) {
		method = metricMethod(method)
		upCalls.WithLabelValues(method, outcome).Inc()
		if d > 0 {
			upDur.WithLabelValues(method).Observe(d.Seconds())
		}
	})
	// By priority, so that scripts' waits (interactive) show apart from
	// the journal's drain and sign-in polling (background), which yield
	// to them (docs/performance.md#scripts-go-first).
	limWait := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "lastfmd_limiter_wait_seconds", Help: "Time a call waited for the outbound limiter (refused waits included), by priority (interactive, background).",
		Buckets: []float64{.001, .01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
	}, []string{"priority"})
	reg.MustRegister(limWait)
	for _, p := range []upstream.Priority{upstream.Interactive, upstream.Background} {
		limWait.WithLabelValues(p.String()) // both series from the start
	}
	m.Upstream.Limiter().ObserveWait(func(d time.Duration, p upstream.Priority) { limWait.WithLabelValues(p.String()).Observe(d.Seconds()) })
	counter := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, f)
	}
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f)
	}
	c := m.Cache
	reg.MustRegister(
		counter("lastfmd_cache_hits_total", "Reads answered from the cache.", func() float64 { return float64(c.Stats().Hits) }),
		counter("lastfmd_cache_misses_total", "Reads that went to Last.fm.", func() float64 { return float64(c.Stats().Misses) }),
		counter("lastfmd_cache_stale_total", "Reads answered with an expired entry because Last.fm failed.", func() float64 { return float64(c.Stats().Stale) }),
		counter("lastfmd_cache_evictions_total", "Entries evicted to stay within cache.max_bytes.", func() float64 { return float64(c.Stats().Evictions) }),
		gauge("lastfmd_cache_bytes", "Bytes held by the cache.", func() float64 { return float64(c.Stats().Bytes) }),
		gauge("lastfmd_cache_entries", "Entries held by the cache.", func() float64 { return float64(c.Stats().Entries) }),
		gauge("lastfmd_limiter_waiting", "Callers waiting for the outbound limiter.", func() float64 { return float64(m.Upstream.Limiter().Waiting()) }),
		gauge("lastfmd_upstream_backoff_active", "1 while the global back-off after Last.fm's error 29 is on.", func() float64 {
			if m.Upstream.Limiter().BackoffUntil().After(m.Now()) {
				return 1
			}
			return 0
		}),
	)
}

// metricMethod keeps label cardinality bounded: catalog methods by name,
// anything else as "other".
func metricMethod(name string) string {
	if _, ok := lookupMethod(name); ok {
		return name
	}
	return "other"
}
