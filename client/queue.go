package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

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
