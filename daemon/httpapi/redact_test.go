package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/api"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/redact"
)

// What the server says itself passes the one redactor: known values are
// masked, help text that merely names a parameter is not.
func TestServerMasksKnownSecrets(t *testing.T) {
	r := redact.New(func() []string { return []string{"SESSION-KEY-abc"} }, "the-api-secret", "listener-token")
	s := New(Options{Redact: r, Status: func() api.Status {
		return api.Status{Queue: api.QueueStatus{LastError: "Last.fm said: sk=SESSION-KEY-abc; send sk=ACCOUNT"}}
	}})
	cases := []struct{ in, want string }{
		{"Last.fm refused SESSION-KEY-abc", "Last.fm refused REDACTED"},
		{"secret the-api-secret and listener-token", "secret REDACTED and REDACTED"},
		{"sign in, then send sk=ACCOUNT", "sign in, then send sk=ACCOUNT"},
	}
	for _, c := range cases {
		e := &apperr.Error{Kind: apperr.BadGateway, Code: 11, Message: c.in}
		if got := s.cleanError(e).Message; got != c.want {
			t.Errorf("cleanError(%q) = %q, want %q", c.in, got, c.want)
		}
		if e.Message != c.in {
			t.Errorf("the original error was changed")
		}
	}
	req := httptest.NewRequest(http.MethodGet, "/v1/status", nil)
	req.Host = "127.0.0.1"
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	body := rec.Body.String()
	if rec.Code != 200 || strings.Contains(body, "SESSION-KEY-abc") || !strings.Contains(body, "sk=REDACTED") || !strings.Contains(body, "sk=ACCOUNT") {
		t.Errorf("/v1/status: %d %s", rec.Code, body)
	}
}
