package client

import (
	"errors"
	"net/http"
	"strings"
	"syscall"
	"testing"
)

func TestDecodeError(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		source string // the ErrorSourceHeader sent, "" for none
		body   string
		code   int
		ours   bool // ByLastfmd
		msg    string
		line   string
	}{
		{"lastfmd refusal", 400, "lastfmd", `{"error":6,"message":"unknown account \"x\""}`, 6, true, `unknown account "x"`, `lastfmd error 6: unknown account "x" (HTTP 400)`},
		{"Last.fm's refusal, passed on", 400, "", `{"error":6,"message":"Invalid parameters - Your request is missing a required parameter"}`, 6, false,
			"Invalid parameters - Your request is missing a required parameter", "last.fm error 6: Invalid parameters - Your request is missing a required parameter (HTTP 400)"},
		{"another value is not lastfmd's", 400, "someone", `{"error":6,"message":"x"}`, 6, false, "x", "last.fm error 6: x (HTTP 400)"},
		{"code as a string", 503, "lastfmd", `{"error":"16","message":" busy "}`, 16, true, "busy", "lastfmd error 16: busy (HTTP 503)"},
		{"XML from a drop-in", 403, "", `<lfm status="failed"><error code="9">Invalid session key</error></lfm>`, 9, false, "Invalid session key", "last.fm error 9: Invalid session key (HTTP 403)"},
		{"plain text probe", 503, "", "not ready: journal: cannot write journal.db\n", 0, false, "not ready: journal: cannot write journal.db", "/p at http://d answered HTTP 503: not ready: journal: cannot write journal.db"},
		{"empty body", 502, "", "", 0, false, "Bad Gateway", "/p at http://d answered HTTP 502: Bad Gateway"},
		{"not an error document", 404, "lastfmd", `{"message":"x"}`, 0, false, `{"message":"x"}`, `/p at http://d answered HTTP 404: {"message":"x"}`},
		{"long HTML page, one short line", 500, "", "<html>\n" + strings.Repeat("word ", 100), 0, false, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.source != "" {
				h.Set(ErrorSourceHeader, tc.source)
			}
			e := decodeError("http://d", "/p", tc.status, h, []byte(tc.body), false)
			if e.Status != tc.status || e.Code != tc.code || e.ByLastfmd != tc.ours || e.NoAnswer() {
				t.Errorf("got %+v", e)
			}
			if tc.msg != "" && e.Message != tc.msg {
				t.Errorf("message %q, want %q", e.Message, tc.msg)
			}
			if tc.line != "" && e.Error() != tc.line {
				t.Errorf("Error() = %q, want %q", e.Error(), tc.line)
			}
			if strings.Contains(e.Error(), "\n") || len(e.Message) > maxMessage+3 {
				t.Errorf("not one short line: %q", e.Error())
			}
		})
	}
}

func TestErrorNoAnswer(t *testing.T) {
	e := &Error{Addr: "http://127.0.0.1:1", Path: "/v1/status", Err: syscall.ECONNREFUSED}
	if !e.NoAnswer() || !errors.Is(e, syscall.ECONNREFUSED) || !strings.HasPrefix(e.Error(), "no daemon answers at http://127.0.0.1:1") {
		t.Errorf("%v", e)
	}
	var wrapped error = &Error{Addr: "x", Status: http.StatusUnauthorized}
	if got, ok := AsError(errors.Join(errors.New("context"), wrapped)); !ok || got.Status != 401 {
		t.Errorf("AsError: %v %v", got, ok)
	}
	if _, ok := AsError(errors.New("other")); ok {
		t.Error("AsError of a plain error")
	}
}

// FuzzDecodeError: any body of any status is one line, and an error
// document's code survives.
func FuzzDecodeError(f *testing.F) {
	f.Add(400, `{"error":6,"message":"x"}`)
	f.Add(503, "not ready\n")
	f.Add(500, "\xff\xfe<html>")
	f.Fuzz(func(t *testing.T, status int, body string) {
		if status < 400 || status > 599 {
			return
		}
		e := decodeError("http://d", "/p", status, nil, []byte(body), false)
		if strings.ContainsAny(e.Error(), "\n\r") && !strings.ContainsAny(body, "\n\r") {
			t.Fatalf("multi-line: %q", e.Error())
		}
		if e.Code == 0 && len(e.Message) > maxMessage+3 {
			t.Fatalf("message of %d bytes", len(e.Message))
		}
	})
}
