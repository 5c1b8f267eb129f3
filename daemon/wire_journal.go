package daemon

import (
	"errors"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lastfmd/lastfmd/api"
	"github.com/lastfmd/lastfmd/daemon/accounts"
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
	j, err := journal.Open(journal.Options{
		Mirrors:   JournalMirrors(cfg, m.Mirrors, m.ListenBrainz), // queue_api.go: local mode opens the same lanes
		Version:   Version,
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
		if a.Destination == accounts.LastFM {
			today[a.Account] = a.ScrobblesToday
		}
	}
	for i := range doc.Accounts {
		doc.Accounts[i].ScrobblesToday = today[doc.Accounts[i].Name]
	}
	if doc.Upstream.KeyProblem == "" {
		doc.Upstream.KeyProblem = st.KeyProblem
	}
	doc.Destinations = m.destinations(st)
}

// destinations is /v1/status's "destinations": Last.fm, then each mirror,
// with its lane's figures and who is sent there.
func (m *Main) destinations(st journal.Stats) []api.DestinationStatus {
	accts := m.Accounts.List()
	out := make([]api.DestinationStatus, 0, len(st.Destinations))
	rfc := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, d := range st.Destinations {
		ds := api.DestinationStatus{Name: d.Name, Type: d.Type, Skipped: d.Skipped, Pending: d.Pending, Dead: d.Dead,
			AnswerUnknown: d.AnswerUnknown, LastSuccess: rfc(d.LastSuccess), NextAttempt: rfc(d.NextAttempt),
			KeyProblem: d.KeyProblem, Lacks: d.Lacks, OneByOne: d.Single, Accounts: []string{}}
		if ds.Lacks == nil {
			ds.Lacks = []string{}
		}
		if !d.LastFailure.IsZero() {
			ds.LastFailure = &api.FailureStatus{At: rfc(d.LastFailure), Error: d.LastError}
		}
		for _, a := range accts {
			if _, ok := a.Mirror(d.Name); !d.Mirror || ok {
				ds.Accounts = append(ds.Accounts, a.Name)
			} else {
				ds.NotSignedIn = append(ds.NotSignedIn, a.Name)
			}
		}
		out = append(out, ds)
	}
	return out
}

// queueCollector exposes the journal's figures at scrape time:
// lastfmd_queue_pending{destination,account}, lastfmd_queue_dead{destination,account}
// and lastfmd_scrobbles_sent_total{destination,account,result}
// (docs/operations.md#metrics).
type queueCollector struct{ j *journal.Journal }

var (
	descPending = prometheus.NewDesc("lastfmd_queue_pending", "Journalled items waiting to be sent, by destination and account.", []string{"destination", "account"}, nil)
	descDead    = prometheus.NewDesc("lastfmd_queue_dead", "Dead letters (given up, kept until dropped), by destination and account.", []string{"destination", "account"}, nil)
	descSent    = prometheus.NewDesc("lastfmd_scrobbles_sent_total", "Journalled items settled since start, by destination, account and result (accepted, ignored, failed).", []string{"destination", "account", "result"}, nil)
)

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descPending
	ch <- descDead
	ch <- descSent
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	for _, a := range c.j.Stats().Accounts {
		ch <- prometheus.MustNewConstMetric(descPending, prometheus.GaugeValue, float64(a.Pending), a.Destination, a.Account)
		ch <- prometheus.MustNewConstMetric(descDead, prometheus.GaugeValue, float64(a.Dead), a.Destination, a.Account)
		for _, result := range []string{"accepted", "ignored", "failed"} {
			ch <- prometheus.MustNewConstMetric(descSent, prometheus.CounterValue, float64(a.Sent[result]), a.Destination, a.Account, result)
		}
	}
}
