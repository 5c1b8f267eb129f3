package client

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
)

// The queue's methods take dest, the destination (journal lane) they act
// on: "lastfm" or a [[mirror]]'s name, sent as ?mirror=NAME; "" for every
// lane. A name that is no destination of the daemon is refused with an
// [Error] that names them (docs/mirrors.md).

// Queue asks GET /v1/queue for at most limit items of each kind (0: the
// daemon's default, 1000) on dest.
func (c *Client) Queue(ctx context.Context, limit int, dest string) (*Queue, error) {
	q := destQuery(dest)
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	var doc Queue
	if err := c.getJSON(ctx, request{method: http.MethodGet, path: "/v1/queue", query: q}, &doc); err != nil {
		return nil, err
	}
	return &doc, nil
}

// destQuery is the query string naming dest, none for every lane.
func destQuery(dest string) url.Values {
	q := url.Values{}
	if dest != "" {
		q.Set("mirror", dest)
	}
	return q
}

// QueueRetry asks the daemon to send items again now on dest (a dead
// letter goes back to the queue; the account's pauses are lifted). Each
// change names the destination it applied to.
func (c *Client) QueueRetry(ctx context.Context, dest string, ids ...uint64) ([]QueueChange, error) {
	return c.queueAct(ctx, "retry", dest, ids, false)
}

// QueueRetryForce is QueueRetry that also sends again the items the
// destination may already have (maybe_sent, answer_unknown): they may
// show twice.
func (c *Client) QueueRetryForce(ctx context.Context, dest string, ids ...uint64) ([]QueueChange, error) {
	return c.queueAct(ctx, "retry", dest, ids, true)
}

// QueueDrop deletes pending items or dead letters on dest for good. An
// item being sent is waited for: the destination's answer decides
// (docs/journal.md).
func (c *Client) QueueDrop(ctx context.Context, dest string, ids ...uint64) ([]QueueChange, error) {
	return c.queueAct(ctx, "drop", dest, ids, false)
}

func (c *Client) queueAct(ctx context.Context, action, dest string, ids []uint64, force bool) ([]QueueChange, error) {
	var res struct {
		Items []QueueChange `json:"items"`
	}
	body := map[string]any{"ids": ids}
	if force {
		body["force"] = true
	}
	if err := c.getJSON(ctx, request{method: http.MethodPost, path: "/v1/queue/" + action, query: destQuery(dest), body: body}, &res); err != nil {
		return nil, err
	}
	return res.Items, nil
}

// QueueExport copies GET /v1/queue/export to w: every pending item, dead
// letter and kept result of dest, one JSON object a line (for backups);
// a mirror's lines name their lane.
func (c *Client) QueueExport(ctx context.Context, w io.Writer, dest string) error {
	const path = "/v1/queue/export"
	resp, err := c.send(ctx, request{method: http.MethodGet, path: path, query: destQuery(dest)})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		return fmt.Errorf("copying %s from %s: %w", path, c.addr, err)
	}
	return nil
}
