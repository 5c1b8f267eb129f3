package e2e_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/lastfmd/lastfmd/daemon/emulator"
)

// metricSpec is one metric docs/operations.md#metrics names: its type and
// its exact label names.
type metricSpec struct {
	name   string
	typ    dto.MetricType
	labels []string
}

// designMetrics is the table of docs/operations.md#metrics, in its order,
// but for lastfmd_limiter_waiting, which this list does not check.
var designMetrics = []metricSpec{
	{"lastfmd_requests_total", dto.MetricType_COUNTER, []string{"class", "code", "route"}},
	{"lastfmd_request_duration_seconds", dto.MetricType_HISTOGRAM, []string{"route"}},
	{"lastfmd_upstream_calls_total", dto.MetricType_COUNTER, []string{"method", "outcome"}},
	{"lastfmd_upstream_duration_seconds", dto.MetricType_HISTOGRAM, []string{"method"}},
	{"lastfmd_cache_hits_total", dto.MetricType_COUNTER, nil},
	{"lastfmd_cache_misses_total", dto.MetricType_COUNTER, nil},
	{"lastfmd_cache_stale_total", dto.MetricType_COUNTER, nil},
	{"lastfmd_cache_evictions_total", dto.MetricType_COUNTER, nil},
	{"lastfmd_cache_bytes", dto.MetricType_GAUGE, nil},
	{"lastfmd_cache_entries", dto.MetricType_GAUGE, nil},
	{"lastfmd_queue_pending", dto.MetricType_GAUGE, []string{"account", "destination"}},
	{"lastfmd_queue_dead", dto.MetricType_GAUGE, []string{"account", "destination"}},
	{"lastfmd_scrobbles_sent_total", dto.MetricType_COUNTER, []string{"account", "destination", "result"}},
	{"lastfmd_limiter_wait_seconds", dto.MetricType_HISTOGRAM, []string{"priority"}},
	{"lastfmd_upstream_backoff_active", dto.MetricType_GAUGE, nil},
}

// scrapeMetrics GETs /metrics and parses it as Prometheus does.
func scrapeMetrics(t *testing.T, h *harness) map[string]*dto.MetricFamily {
	t.Helper()
	a := h.get("/metrics")
	wantStatus(t, a, 200)
	if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Errorf("/metrics Content-Type %q", ct)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(a.body))
	if err != nil {
		t.Fatalf("parsing /metrics: %v\n%s", err, a.body)
	}
	return fams
}

// sample finds the metric of fam whose labels are exactly want.
func sample(fam *dto.MetricFamily, want map[string]string) *dto.Metric {
	for _, m := range fam.GetMetric() {
		got := map[string]string{}
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		if fmt.Sprint(got) == fmt.Sprint(want) {
			return m
		}
	}
	return nil
}

// value is a counter's or gauge's value, or a histogram's count.
func value(m *dto.Metric) float64 {
	switch {
	case m.GetCounter() != nil:
		return m.GetCounter().GetValue()
	case m.GetGauge() != nil:
		return m.GetGauge().GetValue()
	case m.GetHistogram() != nil:
		return float64(m.GetHistogram().GetSampleCount())
	}
	return -1
}

// Every metric docs/operations.md#metrics names is on /metrics, with its type, its exact
// label names and figures that follow what the daemon did: a miss then a
// hit, a refused GET of a write, a scrobble Last.fm accepted, and a 29 that
// starts the global back-off.
func TestMetricsScrapeNamesTypesLabels(t *testing.T) {
	h := newHarness(t, withQueueWait(time.Second))

	before := scrapeMetrics(t, h)
	if f := before["lastfmd_upstream_backoff_active"]; f == nil || value(f.GetMetric()[0]) != 0 {
		t.Fatalf("back-off active before any 29: %v", f)
	}

	wantStatus(t, h.get("/v1/artist.getInfo?artist=Cher"), 200) // miss: one upstream call
	a := h.get("/v1/artist.getInfo?artist=Cher")                // hit
	wantStatus(t, a, 200)
	if a.header.Get("X-Lastfmd-Cache") != "HIT" {
		t.Fatalf("second read: X-Lastfmd-Cache %q", a.header.Get("X-Lastfmd-Cache"))
	}
	wantStatus(t, h.get("/v1/track.love?artist=Cher&track=Believe"), 405)
	ts := time.Now().Unix()
	s := h.post("/v1/track.scrobble", "application/json", fmt.Sprintf(`[{"artist":"Cher","track":"Believe","timestamp":%d}]`, ts), answeredWait...)
	wantStatus(t, s, 200)
	wantContains(t, s.body, `"accepted":1`)
	h.emu.Fail(emulator.Fault{Method: "artist.getSimilar", Code: 29, Times: 1})
	if r := h.get("/v1/artist.getSimilar?artist=Cher"); r.status < 400 {
		t.Fatalf("a read answered 29 upstream, with no stale copy: %d %s", r.status, r.body)
	}

	fams := scrapeMetrics(t, h)
	for _, spec := range designMetrics {
		f := fams[spec.name]
		if f == nil {
			t.Errorf("%s: missing from /metrics", spec.name)
			continue
		}
		if f.GetType() != spec.typ {
			t.Errorf("%s: type %s, want %s", spec.name, f.GetType(), spec.typ)
		}
		if f.GetHelp() == "" {
			t.Errorf("%s: no HELP", spec.name)
		}
		if len(f.GetMetric()) == 0 {
			t.Errorf("%s: no sample", spec.name)
		}
		for _, m := range f.GetMetric() {
			var names []string
			for _, l := range m.GetLabel() {
				names = append(names, l.GetName())
			}
			slices.Sort(names)
			if !slices.Equal(names, spec.labels) {
				t.Errorf("%s: labels %v, want %v", spec.name, names, spec.labels)
			}
		}
	}

	// The figures follow what happened.
	checks := []struct {
		name   string
		labels map[string]string
		ok     func(float64) bool
		want   string
	}{
		{"lastfmd_requests_total", map[string]string{"route": "/v1/", "class": "2xx", "code": "200"}, func(v float64) bool { return v >= 3 }, ">= 3"},
		{"lastfmd_requests_total", map[string]string{"route": "/v1/", "class": "4xx", "code": "405"}, func(v float64) bool { return v == 1 }, "1"},
		{"lastfmd_request_duration_seconds", map[string]string{"route": "/v1/"}, func(v float64) bool { return v >= 5 }, ">= 5 observations"},
		{"lastfmd_upstream_calls_total", map[string]string{"method": "artist.getInfo", "outcome": "ok"}, func(v float64) bool { return v == 1 }, "1 (the second read was a hit)"},
		{"lastfmd_upstream_calls_total", map[string]string{"method": "track.scrobble", "outcome": "ok"}, func(v float64) bool { return v == 1 }, "1"},
		{"lastfmd_upstream_duration_seconds", map[string]string{"method": "artist.getInfo"}, func(v float64) bool { return v == 1 }, "1 observation"},
		{"lastfmd_cache_hits_total", nil, func(v float64) bool { return v == 1 }, "1"},
		{"lastfmd_cache_misses_total", nil, func(v float64) bool { return v >= 2 }, ">= 2"},
		{"lastfmd_cache_entries", nil, func(v float64) bool { return v == 1 }, "1"},
		{"lastfmd_cache_bytes", nil, func(v float64) bool { return v > 0 }, "> 0"},
		{"lastfmd_queue_pending", map[string]string{"destination": "lastfm", "account": "alice"}, func(v float64) bool { return v == 0 }, "0"},
		{"lastfmd_queue_dead", map[string]string{"destination": "lastfm", "account": "alice"}, func(v float64) bool { return v == 0 }, "0"},
		{"lastfmd_scrobbles_sent_total", map[string]string{"destination": "lastfm", "account": "alice", "result": "accepted"}, func(v float64) bool { return v == 1 }, "1"},
		{"lastfmd_limiter_wait_seconds", map[string]string{"priority": "interactive"}, func(v float64) bool { return v >= 2 }, ">= 2 observations (the scripts' calls)"},
		{"lastfmd_limiter_wait_seconds", map[string]string{"priority": "background"}, func(v float64) bool { return v >= 1 }, ">= 1 observation (the journal's send)"},
		{"lastfmd_upstream_backoff_active", nil, func(v float64) bool { return v == 1 }, "1 after Last.fm's 29"},
	}
	for _, c := range checks {
		f := fams[c.name]
		if f == nil {
			continue // reported above
		}
		lab := c.labels
		if lab == nil {
			lab = map[string]string{}
		}
		m := sample(f, lab)
		if m == nil {
			t.Errorf("%s%v: no such sample", c.name, c.labels)
			continue
		}
		if v := value(m); !c.ok(v) {
			t.Errorf("%s%v = %v, want %s", c.name, c.labels, v, c.want)
		}
	}
	// The 29 is counted under its class, not as ok.
	var rateLimited bool
	for _, m := range fams["lastfmd_upstream_calls_total"].GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["method"] == "artist.getSimilar" && labels["outcome"] != "ok" && value(m) >= 1 {
			rateLimited = true
		}
	}
	if !rateLimited {
		t.Error("the call answered 29 is not counted with a failure outcome")
	}
	// A made-up method name never becomes a label value.
	h.get("/v1/made.up?x=1")
	for _, m := range scrapeMetrics(t, h)["lastfmd_upstream_calls_total"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetValue() == "made.up" {
				t.Error("an unknown method name became a label value")
			}
		}
	}
}
