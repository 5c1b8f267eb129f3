package e2e_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/proxy"
	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// scrobbleItem is one item of a /v1/ JSON scrobble array.
type scrobbleItem struct {
	Artist    string `json:"artist"`
	Track     string `json:"track"`
	Timestamp int64  `json:"timestamp"`
	Album     string `json:"album,omitempty"`
}

// items makes n scrobbles a minute apart ending a few minutes before at,
// titled prefix+i.
func items(n int, prefix string, at time.Time) []scrobbleItem {
	base := at.Add(-time.Duration(n+3) * time.Minute).Unix()
	out := make([]scrobbleItem, n)
	for i := range out {
		out[i] = scrobbleItem{Artist: "Artist", Track: prefix + strconv.Itoa(i), Timestamp: base + int64(i)*60}
	}
	return out
}

func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// v1Scrobbles is the /v1/track.scrobble answer.
type v1Scrobbles struct {
	Accepted  int `json:"accepted"`
	Ignored   int `json:"ignored"`
	Queued    int `json:"queued"`
	Failed    int `json:"failed"`
	Scrobbles []struct {
		Status         string            `json:"status"`
		ID             uint64            `json:"id"`
		Duplicate      bool              `json:"duplicate"`
		Artist         string            `json:"artist"`
		Track          string            `json:"track"`
		Timestamp      int64             `json:"timestamp"`
		Corrected      map[string]string `json:"corrected"`
		Error          string            `json:"error"`
		IgnoredMessage *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"ignoredMessage"`
	} `json:"scrobbles"`
}

// scrobble posts items to /v1/track.scrobble and decodes the answer.
// answeredWait is the header of a scrobble whose test is about Last.fm's
// answer: wait for it as long as lastfmd allows (proxy.MaxWait).
var answeredWait = []string{"Prefer", fmt.Sprintf("wait=%d", int(proxy.MaxWait/time.Second))}

func (h *harness) scrobble(its []scrobbleItem, hdr ...string) (answer, v1Scrobbles) {
	h.t.Helper()
	// Without a Prefer of its own, a test waits for Last.fm's answer
	// itself, up to the longest wait lastfmd allows, rather than for the
	// 5 s default: a busy machine may take longer, and "answered" is the
	// event such a test is about.
	if !slices.ContainsFunc(hdr, func(s string) bool { return strings.EqualFold(s, "Prefer") }) {
		hdr = append(hdr, answeredWait...)
	}
	a := h.post("/v1/track.scrobble", "application/json", jsonOf(its), hdr...)
	var v v1Scrobbles
	if a.status == 200 || a.status == 202 {
		if err := json.Unmarshal([]byte(a.body), &v); err != nil {
			h.t.Fatalf("answer %q: %v", a.body, err)
		}
	}
	return a, v
}

// queueDoc is GET /v1/queue.
type queueDoc struct {
	Pending    int    `json:"pending"`
	Dead       int    `json:"dead"`
	KeyProblem string `json:"key_problem"`
	Accounts   []struct {
		Account              string `json:"account"`
		Pending              int    `json:"pending"`
		Dead                 int    `json:"dead"`
		ScrobblesToday       int    `json:"scrobbles_today"`
		NextAttempt          string `json:"next_attempt"`
		Paused               string `json:"paused"`
		LastError            string `json:"last_error"`
		OldestPendingSeconds int64  `json:"oldest_pending_seconds"`
	} `json:"accounts"`
	Items []struct {
		ID        uint64            `json:"id"`
		Account   string            `json:"account"`
		Method    string            `json:"method"`
		Params    map[string]string `json:"params"`
		Timestamp int64             `json:"timestamp"`
		Attempts  int               `json:"attempts"`
		LastError string            `json:"last_error"`
	} `json:"items"`
	DeadLetters []struct {
		ID      uint64            `json:"id"`
		Account string            `json:"account"`
		Params  map[string]string `json:"params"`
		Reason  string            `json:"reason"`
	} `json:"dead_letters"`
}

func (h *harness) queue() queueDoc {
	h.t.Helper()
	a := h.get("/v1/queue")
	wantStatus(h.t, a, 200)
	var q queueDoc
	if err := json.Unmarshal([]byte(a.body), &q); err != nil {
		h.t.Fatalf("queue %q: %v", a.body, err)
	}
	return q
}

func (q queueDoc) account(name string) (i int, ok bool) {
	for i, a := range q.Accounts {
		if a.Account == name {
			return i, true
		}
	}
	return 0, false
}

// statusDoc is the part of /v1/status the journal fills.
type statusDoc struct {
	raw          string           // the document as answered
	Destinations []destinationDoc `json:"destinations"`
	Accounts     []struct {
		Name           string `json:"name"`
		NeedsSignin    bool   `json:"needs_signin"`
		ScrobblesToday int    `json:"scrobbles_today"`
	} `json:"accounts"`
	Queue struct {
		Pending              int    `json:"pending"`
		Dead                 int    `json:"dead"`
		OldestPendingSeconds int64  `json:"oldest_pending_seconds"`
		NextAttempt          string `json:"next_attempt"`
		LastError            string `json:"last_error"`
		DiskProblem          string `json:"disk_problem"`
	} `json:"queue"`
	Upstream struct {
		BackoffUntil     string `json:"backoff_until"`
		ClockSkewSeconds int64  `json:"clock_skew_seconds"`
		KeyProblem       string `json:"key_problem"`
	} `json:"upstream"`
}

// destinationDoc is one of /v1/status's destinations.
type destinationDoc struct {
	Name        string `json:"name"`
	Type        string `json:"type"`
	Pending     int    `json:"pending"`
	Dead        int    `json:"dead"`
	Skipped     int    `json:"skipped"`
	LastSuccess string `json:"last_success"`
	LastFailure *struct {
		At    string `json:"at"`
		Error string `json:"error"`
	} `json:"last_failure"`
	Accounts []string `json:"accounts"`
	Lacks    []string `json:"lacks"`
}

func (h *harness) status() statusDoc {
	h.t.Helper()
	a := h.get("/v1/status")
	wantStatus(h.t, a, 200)
	s := statusDoc{raw: a.body}
	if err := json.Unmarshal([]byte(a.body), &s); err != nil {
		h.t.Fatalf("status %q: %v", a.body, err)
	}
	return s
}

// settled waits until nothing is pending in the journal (Last.fm's
// answers are recorded just after the emulator stores the scrobbles).
func (h *harness) settled() {
	h.t.Helper()
	waitFor(h.t, "the journal to settle", func() bool { return h.m.Journal.Stats().Pending == 0 })
}

// waitFor waits for cond to hold; the bound only catches a hang.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	waitfor.True(t, what, cond)
}

// steady checks that f stays the same for d: nothing more happens.
func steady[T comparable](t testing.TB, what string, d time.Duration, f func() T) {
	t.Helper()
	first := f()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if now := f(); now != first {
			t.Fatalf("%s changed from %v to %v", what, first, now)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// delivered returns the tracks the emulator holds for user, in order.
func (h *harness) delivered(user string) []string {
	var out []string
	for _, s := range h.emu.Scrobbles(user) {
		out = append(out, s.Track)
	}
	return out
}

func tracks(its []scrobbleItem) []string {
	out := make([]string, len(its))
	for i, it := range its {
		out[i] = it.Track
	}
	return out
}

func idsJSON(ids ...uint64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = fmt.Sprint(id)
	}
	return `{"ids":[` + strings.Join(parts, ",") + `]}`
}

// streamScrobble posts one scrobble (a JSON object) to lastfmd at url as a
// script streaming plays does, with Prefer: wait=0: safe from any
// goroutine, nil once lastfmd answered 200 or 202.
func streamScrobble(hc *http.Client, url, body string) error {
	req, err := http.NewRequest(http.MethodPost, url+"/v1/track.scrobble", strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Prefer", "wait=0")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 && resp.StatusCode != 202 {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return nil
}
