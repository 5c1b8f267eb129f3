package client

import (
	"bytes"
	"context"
	"fmt"
	"net/http"

	"github.com/lastfmd/lastfmd/api"
)

// QueueImportMaxBody bounds one POST /v1/queue/import; QueueImport sends
// a larger file in parts.
const QueueImportMaxBody = api.QueueImportMaxBody

// ndjson is a request body of JSON lines, sent as it is.
type ndjson []byte

// QueueImport sends lines of `lastfmd queue export` or of a salvage's
// .jsonl file to POST /v1/queue/import, in parts of at most
// QueueImportMaxBody bytes, and adds up what each part added. dest, when
// not "", has the daemon import only the lines of that destination (a
// line names its lane; none is Last.fm's). Importing is idempotent, so
// after an error the whole file may be sent again.
func (c *Client) QueueImport(ctx context.Context, lines [][]byte, dest string) (*QueueImported, error) {
	var total QueueImported
	var part bytes.Buffer
	flush := func() error {
		if part.Len() == 0 {
			return nil
		}
		var got QueueImported
		err := c.getJSON(ctx, request{method: http.MethodPost, path: "/v1/queue/import", query: destQuery(dest), body: ndjson(part.Bytes())}, &got)
		part.Reset()
		total.Pending += got.Pending
		total.Dead += got.Dead
		total.AnswerUnknown += got.AnswerUnknown
		total.Results += got.Results
		total.Unchanged += got.Unchanged
		total.Skipped += got.Skipped
		return err
	}
	for i, l := range lines {
		if len(l)+1 > QueueImportMaxBody {
			return &total, fmt.Errorf("client: line %d is larger than the %d bytes one request may carry", i+1, QueueImportMaxBody)
		}
		if part.Len()+len(l)+1 > QueueImportMaxBody {
			if err := flush(); err != nil {
				return &total, err
			}
		}
		part.Write(l)
		part.WriteByte('\n')
	}
	return &total, flush()
}
