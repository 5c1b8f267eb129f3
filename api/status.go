package api

// Status is the /v1/status document: counts and names only, never a key,
// token or signature.
type Status struct {
	Version       string `json:"version"`
	UptimeSeconds int64  `json:"uptime_seconds"`
	Listen        string `json:"listen"`
	// Page is the address of the page at / (docs/page.md), "" when it is
	// not served (a unix socket, which browsers cannot open).
	Page     string          `json:"page"`
	Accounts []AccountStatus `json:"accounts"`
	Cache    CacheStatus     `json:"cache"`
	Queue    QueueStatus     `json:"queue"`
	Upstream UpstreamStatus  `json:"upstream"`
	Limiter  LimiterStatus   `json:"limiter"`
	// Destinations are where scrobbles go: "lastfm" first, then each
	// mirror by name (docs/mirrors.md#status).
	Destinations []DestinationStatus `json:"destinations"`
}

// DestinationStatus is one destination (Last.fm or a mirror) and its lane
// of the journal. Times are RFC 3339, "" for never.
type DestinationStatus struct {
	Name string `json:"name"` // "lastfm" or the mirror's name
	// Type is the API the destination speaks: "lastfm" (the Last.fm 2.0
	// API, Libre.fm's too) or "listenbrainz" (ListenBrainz's, Maloja's).
	Type string `json:"type"`
	// Skipped counts the plays it cannot take, skipped since start (a
	// ListenBrainz destination: plays before 2002-10-01).
	Skipped       int            `json:"skipped"`
	Pending       int            `json:"pending"`
	Dead          int            `json:"dead"`
	AnswerUnknown int            `json:"answer_unknown"`
	LastSuccess   string         `json:"last_success"`
	LastFailure   *FailureStatus `json:"last_failure,omitempty"`
	NextAttempt   string         `json:"next_attempt"`
	KeyProblem    string         `json:"key_problem,omitempty"`
	// Accounts are the accounts sent there: every account for Last.fm,
	// those with a session on it for a mirror.
	Accounts []string `json:"accounts"`
	// NotSignedIn are the accounts with no session there (mirrors only):
	// their plays are not mirrored to it.
	NotSignedIn []string `json:"not_signed_in,omitempty"`
	// Lacks are the methods the destination answered error 3 for: they are
	// no longer sent there.
	Lacks []string `json:"lacks"`
	// OneByOne: the destination's batches failed, so its lane sends one
	// scrobble per call.
	OneByOne bool `json:"one_by_one,omitempty"`
}

// FailureStatus is a destination's last failure.
type FailureStatus struct {
	At    string `json:"at"`
	Error string `json:"error"`
}

// AccountStatus is one account in the status document, without its key.
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

// QueueStatus is the scrobble journal's figures. NextAttempt is an RFC
// 3339 time, "" for none.
type QueueStatus struct {
	Pending              int    `json:"pending"`
	Dead                 int    `json:"dead"`
	OldestPendingSeconds int64  `json:"oldest_pending_seconds"`
	NextAttempt          string `json:"next_attempt"`
	LastError            string `json:"last_error"`
	// DiskProblem is set while the journal cannot write (a full disk):
	// what is wrong and what to do.
	DiskProblem string `json:"disk_problem,omitempty"`
}

// UpstreamStatus is what the daemon knows of Last.fm's health. The times
// are RFC 3339, "" for never.
type UpstreamStatus struct {
	Calls            uint64 `json:"calls"`
	Errors           uint64 `json:"errors"`
	LastError        string `json:"last_error"`
	BackoffUntil     string `json:"backoff_until"`
	ClockSkewSeconds int64  `json:"clock_skew_seconds"`
	ClockKnown       bool   `json:"clock_known"` // ClockSkewSeconds was measured: the Date of an answer was read (before, its 0 means nothing)
	KeyProblem       string `json:"key_problem"`
	// LastSuccess and LastFailure: the later of the two says whether
	// Last.fm answers well now.
	LastSuccess string `json:"last_success"`
	LastFailure string `json:"last_failure"`
}

// LimiterStatus is the outbound limiter's configuration and queue.
type LimiterStatus struct {
	Rate    float64 `json:"rate"`
	Burst   int     `json:"burst"`
	Waiting int     `json:"waiting"`
}
