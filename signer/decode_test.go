package signer

import (
	"strings"
	"testing"
)

func TestDecodeError(t *testing.T) {
	tests := []struct {
		name string
		body string
		want *APIError // nil: not an error
	}{
		{"JSON number", `{"error":6,"message":"User not found"}`, &APIError{Code: 6, Message: "User not found"}},
		{"JSON number with links", `{"error": 29, "message": "Rate Limit Exceeded", "links": []}`, &APIError{Code: 29, Message: "Rate Limit Exceeded"}},
		{"JSON string code", `{"message":"Invalid API key","error":"10"}`, &APIError{Code: 10, Message: "Invalid API key"}},
		{"JSON no message", `{"error":16}`, &APIError{Code: 16}},
		{"JSON message not a string", `{"error":16,"message":5}`, &APIError{Code: 16}},
		{"JSON with BOM and spaces", "\ufeff \n{\"error\":13,\"message\":\"Invalid method signature supplied\"}\n", &APIError{Code: 13, Message: "Invalid method signature supplied"}},
		{"JSONP", `cb({"error":9,"message":"Invalid session key - Please re-authenticate"});`, &APIError{Code: 9, Message: "Invalid session key - Please re-authenticate"}},
		{"JSONP no semicolon, dotted name", `a.b_c$( {"error":"6","message":"x"} )`, &APIError{Code: 6, Message: "x"}},
		{"JSONP with /**/ prefix", `/**/cb({"error":8,"message":"m"})`, &APIError{Code: 8, Message: "m"}},
		{"XML failed", `<?xml version="1.0" encoding="UTF-8"?>
<lfm status="failed">
  <error code="10">Invalid API Key</error>
</lfm>`, &APIError{Code: 10, Message: "Invalid API Key"}},
		{"XML failed, CDATA message", `<lfm status="failed"><error code="4"><![CDATA[Unauthorized Token - This token has not been issued]]></error></lfm>`,
			&APIError{Code: 4, Message: "Unauthorized Token - This token has not been issued"}},
		{"XML bare error (raw=true)", `<error code="6">Track not found</error>`, &APIError{Code: 6, Message: "Track not found"}},
		{"XML cut off after the code", `<lfm status="failed"><error code="11">Service Off`, &APIError{Code: 11, Message: "Service Off"}},

		{"XML ok", `<?xml version="1.0"?><lfm status="ok"><session><name>rj</name></session></lfm>`, nil},
		{"XML ok empty", `<lfm status="ok"></lfm>`, nil},
		{"XML ok containing an error element deeper", `<lfm status="ok"><x><error code="6">no</error></x></lfm>`, nil},
		{"XML failed without error", `<lfm status="failed"></lfm>`, nil},
		{"XML failed, bad code", `<lfm status="failed"><error code="x">m</error></lfm>`, nil},
		{"XML failed, nested error ignored", `<lfm status="failed"><x><error code="6">m</error></x></lfm>`, nil},
		{"HTML page", `<html><body>502 Bad Gateway</body></html>`, nil},
		{"JSON ok", `{"session":{"name":"rj","key":"k","subscriber":0}}`, nil},
		{"JSON ok mentioning error in a value", `{"track":{"name":"\"error\""}}`, nil},
		{"JSON key in other case", `{"Error":6,"message":"m"}`, nil},
		{"JSON zero code", `{"error":0,"message":"m"}`, nil},
		{"JSON negative code", `{"error":-6,"message":"m"}`, nil},
		{"JSON float code", `{"error":6.5,"message":"m"}`, nil},
		{"JSON null code", `{"error":null}`, nil},
		{"JSON non-digit string", `{"error":"six"}`, nil},
		{"JSON array", `[{"error":6}]`, nil},
		{"JSON broken", `{"error":6,`, nil},
		{"JSONP broken", `cb({"error":6}`, nil},
		{"JSONP bad name", `a b({"error":6})`, nil},
		{"garbage", "\x00\xff garbage", nil},
		{"empty", "", nil},
		{"spaces", "   ", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DecodeError([]byte(tt.body))
			switch {
			case tt.want == nil && got != nil:
				t.Errorf("DecodeError = %+v, want nil", got)
			case tt.want != nil && (got == nil || *got != *tt.want):
				t.Errorf("DecodeError = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestDecodeErrorLargeOK(t *testing.T) {
	body := `<lfm status="ok"><tracks>` + strings.Repeat(`<track><name>x</name></track>`, 100000) + `</tracks></lfm>`
	if DecodeError([]byte(body)) != nil {
		t.Error("large ok body decoded as an error")
	}
}
