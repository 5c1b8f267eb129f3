package e2e_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/api"
	"github.com/lastfmd/lastfmd/daemon/waitfor"
)

// postJSON posts a JSON body.
func (h *harness) postJSON(path, body string, hdr ...string) answer {
	h.t.Helper()
	return h.post(path, "application/json", body, hdr...)
}

func (h *harness) del(path string, hdr ...string) answer {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodDelete, h.url+path, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	setHeaders(req, hdr)
	return h.do(req)
}

func decode[T any](t testing.TB, a answer) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(a.body), &v); err != nil {
		t.Fatalf("answer is not the JSON expected: %v: %s", err, a.body)
	}
	return v
}

type loginAnswer struct {
	ID      string `json:"id"`
	State   string `json:"state"`
	Account string `json:"account"`
	Message string `json:"message"`
	URL     string `json:"url"`
}

type lfmError struct {
	Error   int    `json:"error"`
	Message string `json:"message"`
}

// waitLogin polls GET /v1/auth/login/{id} until the flow ends.
func (h *harness) waitLogin(id string, hdr ...string) loginAnswer {
	h.t.Helper()
	var lg loginAnswer
	waitfor.True(h.t, "the sign-in to end", func() bool {
		a := h.get("/v1/auth/login/"+id, hdr...)
		wantStatus(h.t, a, 200)
		lg = decode[loginAnswer](h.t, a)
		return lg.State != "pending"
	})
	return lg
}

// statusAccounts reads the accounts of /v1/status.
func (h *harness) statusAccounts(hdr ...string) map[string]api.AccountStatus {
	h.t.Helper()
	a := h.get("/v1/status", hdr...)
	wantStatus(h.t, a, 200)
	doc := decode[api.Status](h.t, a)
	out := map[string]api.AccountStatus{}
	for _, acc := range doc.Accounts {
		out[acc.Name] = acc
	}
	return out
}

// noLeak fails if any secret shows in the logs, /v1/status or /metrics.
func (h *harness) noLeak(secrets []string, hdr ...string) {
	h.t.Helper()
	places := map[string]string{
		"logs":       h.logs.String(),
		"/v1/status": h.get("/v1/status", hdr...).body,
		"/metrics":   h.get("/metrics", hdr...).body,
	}
	for where, text := range places {
		for _, s := range secrets {
			if s != "" && strings.Contains(text, s) {
				h.t.Errorf("a secret (%.4s…) appears in %s", s, where)
			}
		}
	}
}

// liveKey is the session key the daemon stored for account.
func (h *harness) liveKey(account string) string {
	h.t.Helper()
	a, ok := h.m.Accounts.Get(account)
	if !ok {
		h.t.Fatalf("account %q not stored", account)
	}
	return a.Key
}

// tokenOf extracts token= from an approval URL.
func tokenOf(t testing.TB, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("token")
}

// love sends a write as account and returns the answer.
func (h *harness) love(account, track string) answer {
	h.t.Helper()
	hdr := []string{}
	if account != "" {
		hdr = append(hdr, "X-Lastfmd-Account", account)
	}
	return h.postForm("/v1/track.love", url.Values{"artist": {"Cher"}, "track": {track}}, hdr...)
}
