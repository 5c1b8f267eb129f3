package redact

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestString(t *testing.T) {
	r := New(func() []string { return []string{"SESSIONKEY-dynamic"} }, "the-api-secret", "listener-token", "x")
	cases := []struct{ in, want string }{
		{"secret is the-api-secret!", "secret is <redacted>!"},
		{"sk=abcDEF_123&artist=Cher", "sk=<redacted>&artist=Cher"},
		{"api_sig=0123abcd&method=track.love", "api_sig=<redacted>&method=track.love"},
		{`{"password": "hunter22", "user":"bob"}`, `{"password": "<redacted>", "user":"bob"}`},
		{"authToken=5f4dcc3b5aa765d61d8327deb882cf99", "authToken=<redacted>"},
		{"token=tok123 more", "token=<redacted> more"},
		{"Authorization: Bearer abc.def-123", "Authorization: Bearer <redacted>"},
		// ListenBrainz's user token (a UUID; Maloja's keys are any text).
		{"Authorization: Token 0b3d5e8a-1c2f-4a6b-9d7e-8f9a0b1c2d3e", "Authorization: Token <redacted>"},
		{"authorization:token k3y!", "authorization:token <redacted>"},
		{`{"Authorization": "Token abc-123", "x": 1}`, `{"Authorization": "Token <redacted>", "x": 1}`},
		{"header map[Authorization:[Token abc-123] Accept:[*/*]]", "header map[Authorization:[Token <redacted>] Accept:[*/*]]"},
		{"-H 'Authorization: Token abc-123'", "-H 'Authorization: Token <redacted>'"},
		{"the token expired; Token invalid.", "the token expired; Token invalid."},
		{"uses SESSIONKEY-dynamic now", "uses <redacted> now"},
		{"api_key=listener-token", "api_key=<redacted>"},
		{"plain artist=x track=y", "plain artist=x track=y"},
		{"a short x stays", "a short x stays"},
	}
	for _, c := range cases {
		if got := r.String(c.in); got != c.want {
			t.Errorf("String(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestHandler(t *testing.T) {
	var buf bytes.Buffer
	r := New(nil, "the-api-secret")
	log := slog.New(NewHandler(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}), r))
	log = log.With("startup", "secret=the-api-secret")
	log.Debug("calling with sk=abcdef123456", "err", errors.New("POST failed: password=hunter22"),
		slog.Group("req", "body", "api_sig=deadbeef"), "n", 3)
	out := buf.String()
	for _, leak := range []string{"the-api-secret", "abcdef123456", "hunter22", "deadbeef"} {
		if strings.Contains(out, leak) {
			t.Errorf("%q leaked: %s", leak, out)
		}
	}
	if !strings.Contains(out, `"n":3`) {
		t.Errorf("non-string attrs lost: %s", out)
	}
}

func FuzzString(f *testing.F) {
	for _, s := range []string{"sk=abc", "Bearer x", "password=", `"token":"x"`, "the-api-secret", "Authorization: Token x"} {
		f.Add(s)
	}
	r := New(nil, "the-api-secret")
	f.Fuzz(func(t *testing.T, s string) {
		out := r.String(s)
		if strings.Contains(out, "the-api-secret") {
			t.Fatalf("secret survived in %q", out)
		}
	})
}

func TestAnswer(t *testing.T) {
	r := New(func() []string { return []string{"SESSIONKEY-dynamic"} }, "the-api-secret", "short")
	cases := []struct{ in, want string }{
		{`{"message":"got sk=SESSIONKEY-dynamic&api_sig=0123456789abcdef"}`, `{"message":"got sk=REDACTED&api_sig=REDACTED"}`},
		{`<lfm status="failed"><error code="6">the-api-secret</error></lfm>`, `<lfm status="failed"><error code="6">REDACTED</error></lfm>`},
		{`{"bio":"key: C major; token=abc"}`, `{"bio":"key: C major; token=abc"}`},
		{`call-sk-value-1 short`, `REDACTED short`},
	}
	for _, c := range cases {
		if got := string(r.Answer([]byte(c.in), "0123456789abcdef", "call-sk-value-1", "")); got != c.want {
			t.Errorf("Answer(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	var none *Redactor
	if got := string(none.Answer([]byte("x call-sk-value-1"), "call-sk-value-1")); got != "x REDACTED" {
		t.Errorf("nil Redactor: %q", got)
	}
}
