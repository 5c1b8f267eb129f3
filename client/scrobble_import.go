package client

import (
	"context"
	"net/http"

	"github.com/lastfmd/lastfmd/api"
	"github.com/lastfmd/lastfmd/signer"
)

// ScrobbleImport sends one batch of an import's plays (`lastfmd import`,
// docs/importing.md) to POST /v1/track.scrobble as a JSON array, marked
// X-Lastfmd-Import: 1 (the daemon's import ledger answers a play an
// earlier import fed "duplicate") and Prefer: wait=0 (answered once
// journalled, without waiting for Last.fm). account names the account
// ("": the default). The caller sends its batches one at a time, each once
// the previous one is answered; at most MaxScrobblesPerImport plays a
// batch.
func (c *Client) ScrobbleImport(ctx context.Context, account string, items []map[string]string) (*api.ScrobbleAnswer, error) {
	var ans api.ScrobbleAnswer
	h := http.Header{}
	h.Set("X-Lastfmd-Import", "1")
	h.Set("Prefer", "wait=0")
	err := c.getJSON(ctx, request{method: http.MethodPost, path: "/v1/" + signer.MethodScrobble, account: account, body: items, header: h}, &ans)
	if err != nil {
		return nil, err
	}
	return &ans, nil
}

// MaxScrobblesPerImport is the most plays one ScrobbleImport batch
// carries: a request of 500 plays is journalled in one commit and answered
// in well under a second; MaxImportBody bounds its JSON, below the
// daemon's 1 MiB limit on a /v1/ body.
const (
	MaxScrobblesPerImport = 500
	MaxImportBody         = 768 << 10
)
