package api

// The /v1/track.scrobble answer (docs/scrobbling.md#what-the-answer-means),
// which `lastfmd import` reads item by item (docs/importing.md).

// ScrobbleAnswer is the /v1/track.scrobble answer: the counts, and one
// item per scrobble of the request, in its order.
type ScrobbleAnswer struct {
	Accepted int `json:"accepted"`
	Ignored  int `json:"ignored"`
	Queued   int `json:"queued"`
	Failed   int `json:"failed,omitempty"`
	// Duplicates counts an import's plays an earlier import fed (the
	// import ledger): nothing was journalled for them.
	Duplicates int               `json:"duplicates,omitempty"`
	Scrobbles  []ScrobbleOutcome `json:"scrobbles"`
}

// The statuses of a scrobble in a /v1/ answer.
const (
	ScrobbleAccepted  = "accepted"
	ScrobbleIgnored   = "ignored"
	ScrobbleQueued    = "queued"
	ScrobbleFailed    = "failed"
	ScrobbleDuplicate = "duplicate" // an import's play an earlier import fed (X-Lastfmd-Import: 1 only)
)

// ScrobbleOutcome is one scrobble in a /v1/ answer.
type ScrobbleOutcome struct {
	Status         string            `json:"status"` // accepted, ignored, queued, failed; duplicate (imports)
	ID             uint64            `json:"id,omitempty"`
	Duplicate      bool              `json:"duplicate,omitempty"`
	Artist         string            `json:"artist"`
	Track          string            `json:"track"`
	Album          string            `json:"album,omitempty"`
	AlbumArtist    string            `json:"albumArtist,omitempty"`
	Timestamp      int64             `json:"timestamp"`
	IgnoredMessage *IgnoredMessage   `json:"ignoredMessage,omitempty"`
	Corrected      map[string]string `json:"corrected,omitempty"`
	Error          string            `json:"error,omitempty"` // failed: why it was given up
	// Mirrors is each mirror's state for the item: "queued", "duplicate",
	// "skipped: too old", "not signed in" (docs/mirrors.md); absent
	// without mirrors.
	Mirrors map[string]string `json:"mirrors,omitempty"`
}

// IgnoredMessage is why Last.fm (or lastfmd for it) ignored a scrobble:
// Last.fm's ignoredMessage code and text.
type IgnoredMessage struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}
