package httpapi

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/api"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/signer"
)

// fakeQueue records what each queue route asked of the journal: the
// action, its destination and its arguments. A destination other than
// "lastfm" or "librefm" is refused as the journal refuses it.
type fakeQueue struct{ got string }

func (f *fakeQueue) note(dest, format string, args ...any) error {
	f.got = fmt.Sprintf("dest=%q ", dest) + fmt.Sprintf(format, args...)
	if dest != "" && dest != "lastfm" && dest != "librefm" {
		return apperr.New(apperr.Invalid, signer.ErrInvalidParams, "no destination %q: the destinations are [lastfm librefm]", dest)
	}
	return nil
}

func (f *fakeQueue) List(limit int, dest string) (api.Queue, error) {
	return api.Queue{}, f.note(dest, "list %d", limit)
}

func (f *fakeQueue) Export(w io.Writer, dest string) error {
	io.WriteString(w, "{}\n")
	return f.note(dest, "export")
}

func (f *fakeQueue) Retry(ids []uint64, force bool, dest string) ([]api.QueueChange, error) {
	return []api.QueueChange{{ID: ids[0], Destination: dest, Result: "retrying"}}, f.note(dest, "retry %v %v", ids, force)
}

func (f *fakeQueue) Drop(ids []uint64, dest string) ([]api.QueueChange, error) {
	return nil, f.note(dest, "drop %v", ids)
}

func (f *fakeQueue) Import(lines [][]byte, dest string) (api.QueueImported, error) {
	return api.QueueImported{}, f.note(dest, "import %d", len(lines))
}

// Each queue route takes ?mirror=NAME, the one lane it acts on (absent:
// every lane), and hands it to the journal, which says whether NAME is a
// lane; a parameter it does not take, one given twice or an empty mirror
// is refused before the journal is asked.
func TestQueueRoutesTakeAMirror(t *testing.T) {
	f := &fakeQueue{}
	s := New(Options{})
	s.HandleQueue(f)
	s.HandleQueueImport(f)
	for _, c := range []struct {
		method, target, body string
		status               int
		want                 string // what the journal was asked, or the refusal
	}{
		{"GET", "/v1/queue", "", 200, `dest="" list 0`},
		{"GET", "/v1/queue?limit=3&mirror=librefm", "", 200, `dest="librefm" list 3`},
		{"GET", "/v1/queue?mirror=lastfm", "", 200, `dest="lastfm" list 0`},
		{"GET", "/v1/queue/export", "", 200, `dest="" export`},
		{"GET", "/v1/queue/export?mirror=librefm", "", 200, `dest="librefm" export`},
		{"POST", "/v1/queue/retry", `{"ids":[4]}`, 200, `dest="" retry [4] false`},
		{"POST", "/v1/queue/retry?mirror=librefm", `{"ids":[4],"force":true}`, 200, `dest="librefm" retry [4] true`},
		{"POST", "/v1/queue/drop?mirror=lastfm", `{"ids":[5,6]}`, 200, `dest="lastfm" drop [5 6]`},
		{"POST", "/v1/queue/import?mirror=librefm", "{\"state\":\"pending\"}\n{\"state\":\"sent\"}\n", 200, `dest="librefm" import 2`},
		{"GET", "/v1/queue?mirror=maloja", "", 400, `no destination \"maloja\": the destinations are [lastfm librefm]`},
		{"POST", "/v1/queue/drop?mirror=maloja", `{"ids":[5]}`, 400, `no destination \"maloja\"`},
		{"GET", "/v1/queue?mirror=", "", 400, `parameter \"mirror\" is empty`},
		{"POST", "/v1/queue/retry?mirror=lastfm&mirror=librefm", `{"ids":[4]}`, 400, `parameter \"mirror\" given 2 times`},
		{"GET", "/v1/queue?destination=librefm", "", 400, `/v1/queue takes no parameter \"destination\": it takes mirror, limit`},
		{"GET", "/v1/queue/export?limit=3", "", 400, `/v1/queue/export takes no parameter \"limit\": it takes mirror`},
		{"POST", "/v1/queue/import?mirrors=librefm", "{}\n", 400, `takes no parameter \"mirrors\"`},
		{"GET", "/v1/queue?mirror=%zz", "", 400, "bad percent-encoding"},
	} {
		f.got = ""
		req := httptest.NewRequest(c.method, c.target, strings.NewReader(c.body))
		req.Host = "127.0.0.1"
		if c.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		got := f.got
		if rec.Code != http.StatusOK {
			got = rec.Body.String()
			if f.got != "" && !strings.Contains(c.target, "maloja") {
				t.Errorf("%s %s: the journal was asked %q", c.method, c.target, f.got)
			}
		}
		if rec.Code != c.status || !strings.Contains(got, c.want) {
			t.Errorf("%s %s: %d %s\nwant %d %s", c.method, c.target, rec.Code, got, c.status, c.want)
		}
	}
}
