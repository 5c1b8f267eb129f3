package daemon

import (
	"time"
)

// StatusDoc is the /v1/status document (docs/operations.md#v1status). It
// holds counts and names only: never a key, token or signature.
type StatusDoc struct {
	Version       string          `json:"version"`
	UptimeSeconds int64           `json:"uptime_seconds"`
	Listen        string          `json:"listen"`
	Accounts      []AccountStatus `json:"accounts"`
	Cache         CacheStatus     `json:"cache"`
	Queue         QueueStatus     `json:"queue"`
	Upstream      UpstreamStatus  `json:"upstream"`
	Limiter       LimiterStatus   `json:"limiter"`
}

// AccountStatus is one account, without its key.
type AccountStatus struct {
	Name           string `json:"name"`
	User           string `json:"user,omitempty"`
	Default        bool   `json:"default"`
	NeedsSignin    bool   `json:"needs_signin"`
	ScrobblesToday int    `json:"scrobbles_today"`
}

// CacheStatus is the read cache's counters.
type CacheStatus struct {
	Entries   int    `json:"entries"`
	Bytes     int64  `json:"bytes"`
	MaxBytes  int64  `json:"max_bytes"`
	Hits      uint64 `json:"hits"`
	Misses    uint64 `json:"misses"`
	Stale     uint64 `json:"stale"`
	Evictions uint64 `json:"evictions"`
}

// QueueStatus is the scrobble journal's state (filled by the journal).
type QueueStatus struct {
	Pending              int    `json:"pending"`
	Dead                 int    `json:"dead"`
	OldestPendingSeconds int64  `json:"oldest_pending_seconds"`
	NextAttempt          string `json:"next_attempt"`
	LastError            string `json:"last_error"`
	// DiskProblem is set while the journal cannot write (a full disk):
	// Last.fm's answers wait in memory and nothing is sent again.
	DiskProblem string `json:"disk_problem,omitempty"`
}

// UpstreamStatus is what lastfmd knows of Last.fm's health.
type UpstreamStatus struct {
	Calls            uint64 `json:"calls"`
	Errors           uint64 `json:"errors"`
	LastError        string `json:"last_error"`
	BackoffUntil     string `json:"backoff_until"`
	ClockSkewSeconds int64  `json:"clock_skew_seconds"`
	KeyProblem       string `json:"key_problem"`
	// LastSuccess and LastFailure are RFC 3339 times ("" for never): the
	// later of the two says whether Last.fm answers well now.
	LastSuccess string `json:"last_success"`
	LastFailure string `json:"last_failure"`
}

// LimiterStatus is the outbound limiter's configuration and queue.
type LimiterStatus struct {
	Rate    float64 `json:"rate"`
	Burst   int     `json:"burst"`
	Waiting int     `json:"waiting"`
}

// Status builds the status document.
func (m *Main) Status() StatusDoc {
	doc := StatusDoc{
		Version:       Version,
		UptimeSeconds: int64(m.Now().Sub(m.started) / time.Second),
		Listen:        m.Config.Listen,
		Accounts:      []AccountStatus{},
	}
	if m.ln != nil {
		doc.Listen = m.ln.Addr().String()
	}
	def, hasDef := m.Accounts.Default()
	for _, a := range m.Accounts.List() {
		doc.Accounts = append(doc.Accounts, AccountStatus{
			Name: a.Name, User: a.User, Default: hasDef && a.Name == def.Name, NeedsSignin: a.NeedsSignin,
		})
	}
	if m.Cache != nil {
		st := m.Cache.Stats()
		doc.Cache = CacheStatus{Entries: st.Entries, Bytes: st.Bytes, MaxBytes: st.MaxBytes,
			Hits: st.Hits, Misses: st.Misses, Stale: st.Stale, Evictions: st.Evictions}
	}
	up := m.Upstream.Stats().Snapshot()
	doc.Upstream = UpstreamStatus{Calls: up.Calls, Errors: up.Errors, LastError: up.LastError,
		ClockSkewSeconds: int64(up.ClockSkew / time.Second), KeyProblem: up.KeyProblem,
		LastSuccess: rfc3339(up.LastOKAt), LastFailure: rfc3339(up.LastErrorAt)}
	lim := m.Upstream.Limiter()
	if until := lim.BackoffUntil(); until.After(m.Now()) {
		doc.Upstream.BackoffUntil = until.UTC().Format(time.RFC3339)
	}
	doc.Limiter = LimiterStatus{Rate: lim.Rate(), Burst: lim.Burst(), Waiting: lim.Waiting()}
	m.journalStatus(&doc) // journal.go
	return doc
}

// rfc3339 renders t for the status document, "" for the zero time.
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}
