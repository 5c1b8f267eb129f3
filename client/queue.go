package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

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
	ID      uint64 `json:"id"`
	Account string `json:"account"`
	Method  string `json:"method"`
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
	ID     uint64 `json:"id"`
	Result string `json:"result"`
}

// Queue asks GET /v1/queue for at most limit items of each kind (0: the
// daemon's default, 1000).
func (c *Client) Queue(ctx context.Context, limit int) (*Queue, error) {
	var q url.Values
	if limit > 0 {
		q = url.Values{"limit": {strconv.Itoa(limit)}}
	}
	var doc Queue
	if err := c.getJSON(ctx, request{method: http.MethodGet, path: "/v1/queue", query: q}, &doc); err != nil {
		return nil, err
	}
	return &doc, nil
}

// QueueRetry asks the daemon to send items again now (a dead letter goes
// back to the queue; the account's pauses are lifted).
func (c *Client) QueueRetry(ctx context.Context, ids ...uint64) ([]QueueChange, error) {
	return c.queueAct(ctx, "retry", ids, false)
}

// QueueRetryForce is QueueRetry that also sends again the items Last.fm
// may already have (maybe_sent, answer_unknown): they may show twice.
func (c *Client) QueueRetryForce(ctx context.Context, ids ...uint64) ([]QueueChange, error) {
	return c.queueAct(ctx, "retry", ids, true)
}

// QueueDrop deletes pending items or dead letters for good. An item being
// sent is waited for: Last.fm's answer decides (docs/journal.md).
func (c *Client) QueueDrop(ctx context.Context, ids ...uint64) ([]QueueChange, error) {
	return c.queueAct(ctx, "drop", ids, false)
}

func (c *Client) queueAct(ctx context.Context, action string, ids []uint64, force bool) ([]QueueChange, error) {
	var res struct {
		Items []QueueChange `json:"items"`
	}
	body := map[string]any{"ids": ids}
	if force {
		body["force"] = true
	}
	if err := c.getJSON(ctx, request{method: http.MethodPost, path: "/v1/queue/" + action, body: body}, &res); err != nil {
		return nil, err
	}
	return res.Items, nil
}

// QueueExport copies GET /v1/queue/export to w: every pending item, dead
// letter and kept result, one JSON object a line (for backups).
func (c *Client) QueueExport(ctx context.Context, w io.Writer) error {
	const path = "/v1/queue/export"
	resp, err := c.send(ctx, request{method: http.MethodGet, path: path})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("copying %s from %s: %w", path, c.addr, err)
	}
	return nil
}
