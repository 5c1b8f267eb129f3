package daemon

import (
	"errors"
	"io"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lastfmd/lastfmd/api"
	"github.com/lastfmd/lastfmd/daemon/journal"
)

// ClockSkewLimit is how far the local clock may be from the Date of
// Last.fm's answers before lastfmd warns (docs/design.md#reliability-rules).
const ClockSkewLimit = 2 * time.Minute

// openJournal opens state_dir/journal.db (a second lastfmd on the same
// state_dir fails here with a clear error) and hooks it to logout,
// readiness and the clock-skew warning. Called by Open once the upstream
// client exists.
func (m *Main) openJournal() error {
	cfg := m.Config
	var mirrors []journal.Mirror
	for _, mc := range cfg.Mirrors {
		mirrors = append(mirrors, journal.Mirror{Name: mc.Name, Upstream: m.Mirrors[mc.Name],
			MaxAge: mc.MaxAge.Duration, IgnoredCodes: mc.IgnoredCodes})
	}
	j, err := journal.Open(journal.Options{
		Mirrors:   mirrors,
		Dir:       cfg.StateDir,
		Accounts:  m.Accounts,
		Upstream:  m.Upstream,
		BatchSize: cfg.Scrobble.BatchSize,
		MaxAge:    cfg.Scrobble.MaxAge.Duration,
		Now:       m.Now,
		Log:       m.Log,
		Tuning:    m.Tuning.Journal,
		Delivered: func(account, method string) {
			if m.Proxy != nil {
				m.Proxy.Delivered(account, method)
			}
		},
	})
	if errors.Is(err, journal.ErrLocked) {
		return alreadyRunning(cfg.StateDir) // pidfile.go
	}
	if err != nil {
		return err
	}
	m.Journal = j
	m.AddHealthCheck("journal", j.Healthy)
	m.Upstream.Stats().OnClockSkew(ClockSkewLimit, func(skew time.Duration) {
		m.Log.Warn("the local clock is off from Last.fm's by more than 2 minutes; Last.fm ignores scrobbles from the future: synchronise the clock (NTP)",
			"skew_seconds", int64(skew/time.Second))
	})
	return nil
}

// startJournal serves the queue endpoints, exposes the queue metrics and
// starts the senders: pending scrobbles are attempted at once.
func (m *Main) startJournal() {
	m.HTTP.HandleQueue(queueAPI{m.Journal})
	m.HTTP.HandleQueueImport(queueAPI{m.Journal})
	m.Registry.MustRegister(&queueCollector{j: m.Journal})
	m.Journal.Start()
}

// closeJournal runs after the HTTP server drained: each sender finishes its
// in-flight batch, then the file closes. Safe to call twice.
func (m *Main) closeJournal() {
	if m.Journal == nil {
		return
	}
	if err := m.Journal.Close(); err != nil {
		m.Log.Error("closing the scrobble journal", "err", err)
	}
}

// journalStatus fills the queue part of /v1/status.
func (m *Main) journalStatus(doc *api.Status) {
	st := m.Journal.Stats()
	doc.Queue = api.QueueStatus{Pending: st.Pending, Dead: st.Dead, LastError: st.LastError, DiskProblem: st.DiskProblem}
	if !st.OldestPending.IsZero() {
		doc.Queue.OldestPendingSeconds = int64(m.Now().Sub(st.OldestPending) / time.Second)
	}
	if !st.NextAttempt.IsZero() {
		doc.Queue.NextAttempt = st.NextAttempt.UTC().Format(time.RFC3339)
	}
	today := map[string]int{}
	for _, a := range st.Accounts {
		today[a.Account] = a.ScrobblesToday
	}
	for i := range doc.Accounts {
		doc.Accounts[i].ScrobblesToday = today[doc.Accounts[i].Name]
	}
	if doc.Upstream.KeyProblem == "" {
		doc.Upstream.KeyProblem = st.KeyProblem
	}
}

// queueAPI adapts the journal to the HTTP transport's Queue.
type queueAPI struct{ j *journal.Journal }

func (q queueAPI) List(limit int) (api.Queue, error) { return q.j.List(limit, "") }
func (q queueAPI) Export(w io.Writer) error          { return q.j.Export(w, "") }
func (q queueAPI) Retry(ids []uint64, force bool) ([]api.QueueChange, error) {
	return q.j.Retry(ids, force, "")
}
func (q queueAPI) Drop(ids []uint64) ([]api.QueueChange, error) { return q.j.Drop(ids, "") }

// Import parses the lines the transport split and checked as JSON, then
// journals them.
func (q queueAPI) Import(lines [][]byte) (api.QueueImported, error) {
	parsed, err := journal.ParseExport(lines)
	if err != nil {
		return api.QueueImported{}, err
	}
	return q.j.Import(parsed)
}

// queueCollector exposes the journal's figures at scrape time:
// lastfmd_queue_pending{account}, lastfmd_queue_dead{account} and
// lastfmd_scrobbles_sent_total{account,result} (docs/operations.md#metrics).
type queueCollector struct{ j *journal.Journal }

var (
	descPending = prometheus.NewDesc("lastfmd_queue_pending", "Journalled items waiting to be sent, by account.", []string{"account"}, nil)
	descDead    = prometheus.NewDesc("lastfmd_queue_dead", "Dead letters (given up, kept until dropped), by account.", []string{"account"}, nil)
	descSent    = prometheus.NewDesc("lastfmd_scrobbles_sent_total", "Journalled items settled since start, by account and result (accepted, ignored, failed).", []string{"account", "result"}, nil)
)

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descPending
	ch <- descDead
	ch <- descSent
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	for _, a := range c.j.Stats().Accounts {
		ch <- prometheus.MustNewConstMetric(descPending, prometheus.GaugeValue, float64(a.Pending), a.Account)
		ch <- prometheus.MustNewConstMetric(descDead, prometheus.GaugeValue, float64(a.Dead), a.Account)
		for _, result := range []string{"accepted", "ignored", "failed"} {
			ch <- prometheus.MustNewConstMetric(descSent, prometheus.CounterValue, float64(a.Sent[result]), a.Account, result)
		}
	}
}
