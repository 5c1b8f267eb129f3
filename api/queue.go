package api

import "time"

// The /v1/queue documents: the journal as GET /v1/queue lists it, and what
// retry, drop and import did. The journal's file has a record of its own
// (journal.Item), converted to QueueItem explicitly, so a field renamed
// here never changes the file.

// Queue is the GET /v1/queue document: per-account figures, pending items
// in send order and dead letters, oldest first.
type Queue struct {
	Pending int `json:"pending"`
	Dead    int `json:"dead"`
	// AnswerUnknown counts items in the state "sent, answer unknown": Last.fm
	// may have them (docs/journal.md#in-flight).
	AnswerUnknown int            `json:"answer_unknown"`
	KeyProblem    string         `json:"key_problem,omitempty"`
	Accounts      []AccountQueue `json:"accounts"`
	Items         []QueueItem    `json:"items"`
	DeadLetters   []QueueItem    `json:"dead_letters"`
	// Unsure lists the items whose answer is unknown, oldest first.
	Unsure []QueueItem `json:"answer_unknown_items"`
	// Truncated: there were more items of a kind than the limit asked.
	Truncated bool `json:"truncated,omitempty"`
}

// AccountQueue is one account's part of the queue.
type AccountQueue struct {
	// Destination is the lane: "lastfm", or a mirror's name
	// (docs/mirrors.md).
	Destination          string    `json:"destination"`
	Account              string    `json:"account"`
	Pending              int       `json:"pending"`
	Dead                 int       `json:"dead"`
	AnswerUnknown        int       `json:"answer_unknown"`
	InFlight             int       `json:"in_flight"`
	ScrobblesToday       int       `json:"scrobbles_today"`
	NextAttempt          time.Time `json:"next_attempt,omitzero"`
	Paused               string    `json:"paused,omitempty"`
	LastError            string    `json:"last_error,omitempty"`
	LastErrorAt          time.Time `json:"last_error_at,omitzero"`
	OldestPendingSeconds int64     `json:"oldest_pending_seconds"`
	// DiskProblem is set while answers wait in memory because the journal
	// cannot write them (a full disk).
	DiskProblem string `json:"disk_problem,omitempty"`
}

// QueueItem is one journalled call: a scrobble or a write that waits to
// reach Last.fm, or a dead letter (Reason and Died set). It is also the
// record the daemon's journal stores (journal.Item), so a field added here
// is kept in the journal's file too.
type QueueItem struct {
	ID uint64 `json:"id"`
	// Destination is the item's lane: "lastfm", or a mirror's name. One
	// play has the same id on every lane that holds it.
	Destination string `json:"destination"`
	Account     string `json:"account"`
	Method      string `json:"method"`
	// Params are one item's parameters: never indexed, never sk or api_sig.
	Params map[string]string `json:"params"`
	// Timestamp is when a scrobbled track started (unix seconds); 0 for a
	// write.
	Timestamp int64     `json:"timestamp,omitempty"`
	Added     time.Time `json:"added"`
	Attempts  int       `json:"attempts,omitempty"`
	LastError string    `json:"last_error,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	Died      time.Time `json:"died,omitzero"`
	// MaybeSent: a send of this item left lastfmd and no answer came back
	// (a timeout, a cut connection, an answer not understood), so Last.fm
	// may have recorded it. Such an item keeps its deduplication entry
	// whatever an operator does with it (docs/journal.md#in-flight).
	MaybeSent bool `json:"maybe_sent,omitempty"`
	// InFlight: the item is in the batch being sent right now (GET
	// /v1/queue only; never stored).
	InFlight bool `json:"in_flight,omitempty"`
}

// QueueChange is what a retry or drop did with one id: Result is
// "retrying", "dropped", "sent" (Last.fm answered it already), "unknown",
// or why nothing was done.
type QueueChange struct {
	ID          uint64 `json:"id"`
	Destination string `json:"destination,omitempty"` // the lane acted on; empty when no lane holds the id
	Result      string `json:"result"`
}

// QueueImported is what POST /v1/queue/import (`lastfmd queue import`)
// added to the journal.
type QueueImported struct {
	Pending       int `json:"pending"`        // items journalled pending, with new ids
	Dead          int `json:"dead"`           // dead letters
	AnswerUnknown int `json:"answer_unknown"` // items whose answer is unknown
	// Results are kept results restored for deduplication only: nothing
	// is sent for them.
	Results int `json:"results"`
	// Unchanged counts the lines that added nothing: their item is in the
	// journal already (pending, sent, dead or answer unknown), or a kept
	// result has no deduplication to restore.
	Unchanged int `json:"unchanged"`
	// Skipped counts the lines for a destination this lastfmd does not
	// send to (a mirror no longer configured): nothing of them was added.
	Skipped int `json:"skipped,omitempty"`
}

// QueueImportMaxBody bounds one POST /v1/queue/import; a client sends a
// larger file in parts.
const QueueImportMaxBody = 4 << 20

// RecentScrobble is one of the last scrobbles a destination was given,
// with its outcome (`Journal.Recent`; the page at /).
type RecentScrobble struct {
	ID          uint64 `json:"id"`
	Destination string `json:"destination"`
	Account     string `json:"account"`
	Artist      string `json:"artist"`
	Track       string `json:"track"`
	Timestamp   int64  `json:"timestamp"`
	// Outcome is "accepted", "ignored", "skipped" (a mirror lacking the
	// method, or a play it cannot take), "queued", "dead",
	// "answer_unknown" or "dropped_maybe_sent".
	Outcome        string            `json:"outcome"`
	IgnoredCode    int               `json:"ignored_code,omitempty"`
	IgnoredMessage string            `json:"ignored_message,omitempty"`
	Corrected      map[string]string `json:"corrected,omitempty"` // field -> the value the destination changed it to
	Reason         string            `json:"reason,omitempty"`    // dead: why; queued: the last error, if any
	// At is when the outcome came: answered, given up, or journalled for
	// one still queued.
	At time.Time `json:"at"`
}
