package daemon

import (
	"time"

	"github.com/lastfmd/lastfmd/api"
)

// Status builds the /v1/status document (docs/operations.md#v1status;
// declared once, in package api): counts and names only, never a key,
// token or signature.
func (m *Main) Status() api.Status {
	doc := api.Status{
		Version:       Version,
		UptimeSeconds: int64(m.Now().Sub(m.started) / time.Second),
		Listen:        m.Config.Listen,
		Accounts:      []api.AccountStatus{},
	}
	if m.ln != nil {
		doc.Listen = m.ln.Addr().String()
		doc.Page = m.PageURL() // wire_page.go
	}
	def, hasDef := m.Accounts.Default()
	for _, a := range m.Accounts.List() {
		doc.Accounts = append(doc.Accounts, api.AccountStatus{
			Name: a.Name, User: a.User, Default: hasDef && a.Name == def.Name, NeedsSignin: a.NeedsSignin,
		})
	}
	st := m.Cache.Stats()
	doc.Cache = api.CacheStatus{Entries: st.Entries, Bytes: st.Bytes, MaxBytes: st.MaxBytes,
		Hits: st.Hits, Misses: st.Misses, Stale: st.Stale, Evictions: st.Evictions}
	up := m.Upstream.Stats().Snapshot()
	doc.Upstream = api.UpstreamStatus{Calls: up.Calls, Errors: up.Errors, LastError: up.LastError,
		ClockSkewSeconds: int64(up.ClockSkew / time.Second), ClockKnown: up.ClockKnown, KeyProblem: up.KeyProblem,
		LastSuccess: rfc3339(up.LastOKAt), LastFailure: rfc3339(up.LastErrorAt)}
	lim := m.Upstream.Limiter()
	if until := lim.BackoffUntil(); until.After(m.Now()) {
		doc.Upstream.BackoffUntil = until.UTC().Format(time.RFC3339)
	}
	doc.Limiter = api.LimiterStatus{Rate: lim.Rate(), Burst: lim.Burst(), Waiting: lim.Waiting()}
	m.journalStatus(&doc) // wire_journal.go
	return doc
}

// rfc3339 renders t for the status document, "" for the zero time.
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}
