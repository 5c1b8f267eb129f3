package client

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// QueueImport sends a file larger than one request may carry in parts,
// each whole lines of JSON within QueueImportMaxBody, and adds up the
// answers.
func TestQueueImportSendsParts(t *testing.T) {
	var mu sync.Mutex
	var bodies [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, b)
		mu.Unlock()
		if r.URL.Path != "/v1/queue/import" || r.Header.Get("Content-Type") != "application/x-ndjson" {
			t.Errorf("%s %s %s", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"pending":1,"unchanged":2}`)
	}))
	defer srv.Close()
	c, err := New(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	line := []byte(`{"state":"pending","item":{"pad":"` + strings.Repeat("x", 1000) + `"}}`)
	lines := make([][]byte, 10000) // about 10 MB
	for i := range lines {
		lines[i] = line
	}
	rep, err := c.QueueImport(context.Background(), lines, "")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, b := range bodies {
		if len(b) > QueueImportMaxBody || !bytes.HasSuffix(b, []byte("}\n")) {
			t.Errorf("a part of %d bytes", len(b))
		}
		n += bytes.Count(b, []byte("\n"))
	}
	if len(bodies) < 3 || n != len(lines) || *rep != (QueueImported{Pending: len(bodies), Unchanged: 2 * len(bodies)}) {
		t.Errorf("%d parts, %d lines, report %+v", len(bodies), n, rep)
	}
}
