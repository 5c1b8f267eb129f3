package listenbrainz

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/signer"
)

func rateHeaders(limit, remaining, resetIn string) http.Header {
	h := http.Header{}
	for k, v := range map[string]string{"X-RateLimit-Limit": limit, "X-RateLimit-Remaining": remaining, "X-RateLimit-Reset-In": resetIn} {
		if v != "" {
			h.Set(k, v)
		}
	}
	return h
}

func TestParseAnswer(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		failed  bool
		class   signer.Class
		message string
		notLB   bool // ErrNotAnswer
	}{
		{name: "ok", status: 200, body: `{"status": "ok"}`},
		{name: "ok with more", status: 200, body: `{"status":"ok","note":1}` + "\n"},
		{name: "bad request", status: 400, body: `{"code": 400, "error": "Value for key listened_at is too low."}`, failed: true,
			class: signer.ClassBadItem, message: "Value for key listened_at is too low."},
		{name: "bad request multi-line", status: 400, body: `{"code":400,"error":"first\nsecond"}`, failed: true, class: signer.ClassBadItem, message: "first…"},
		{name: "unauthorized", status: 401, body: `{"code": 401, "error": "Invalid authorization token."}`, failed: true,
			class: signer.ClassReauth, message: "Invalid authorization token."},
		{name: "maloja unauthorized", status: 401, body: `{"code": 401, "error": "Incorrect Authorization"}`, failed: true, class: signer.ClassReauth, message: "Incorrect Authorization"},
		{name: "forbidden", status: 403, body: `{"code":403,"error":"no"}`, failed: true, class: signer.ClassReauth, message: "no"},
		{name: "wrong root", status: 404, body: `{"code": 404, "error": "Not Found"}`, failed: true, class: signer.ClassKeyBroken, message: "Not Found"},
		{name: "maloja duplicate timestamp", status: 409, body: `{"error": "Scrobble with the same timestamp already exists."}`, failed: true,
			class: signer.ClassBadItem, message: "Scrobble with the same timestamp already exists."},
		{name: "gone", status: 410, body: `{"code":410,"error":"gone"}`, failed: true, class: signer.ClassPermanent, message: "gone"},
		{name: "too large html", status: 413, body: `<html>413</html>`, failed: true, class: signer.ClassBadItem},
		{name: "rate limited", status: 429, body: `{"code": 429, "error": "Too many requests"}`, failed: true, class: signer.ClassRateLimited, message: "Too many requests"},
		{name: "rate limited html", status: 429, body: `<html>slow down</html>`, failed: true, class: signer.ClassRateLimited},
		{name: "server error", status: 500, body: `{"code": 500, "error": "Something went wrong. Please try again."}`, failed: true,
			class: signer.ClassTransient, message: "Something went wrong. Please try again."},
		{name: "maloja server error", status: 500, body: `{"status":"Unknown error","code":500}`, failed: true, class: signer.ClassTransient},
		{name: "bad gateway html", status: 502, body: `<html>502</html>`, failed: true, class: signer.ClassTransient},
		{name: "unavailable empty", status: 503, body: ``, failed: true, class: signer.ClassTransient},

		{name: "200 html", status: 200, body: `<html>captive portal</html>`, notLB: true},
		{name: "200 empty", status: 200, body: ``, notLB: true},
		{name: "200 truncated", status: 200, body: `{"status": "o`, notLB: true},
		{name: "200 trailing", status: 200, body: `{"status":"ok"} {"status":"ok"}`, notLB: true},
		{name: "200 not ok", status: 200, body: `{"status": "error"}`, notLB: true},
		{name: "200 status not a string", status: 200, body: `{"status": true}`, notLB: true},
		{name: "200 array", status: 200, body: `[{"status":"ok"}]`, notLB: true},
		{name: "200 null", status: 200, body: `null`, notLB: true},
		{name: "200 maloja wrong method", status: 200, body: `{"code": 200, "error": "Invalid Method"}`, notLB: true},
		{name: "200 last.fm", status: 200, body: `<lfm status="ok"><scrobbles/></lfm>`, notLB: true},
		{name: "204", status: 204, body: ``, notLB: true},
		{name: "201 ok", status: 201, body: `{"status":"ok"}`, notLB: true},
		{name: "redirect", status: 302, body: ``, notLB: true},
		{name: "400 html", status: 400, body: `<html>bad</html>`, notLB: true},
		{name: "401 html", status: 401, body: `<html>login</html>`, notLB: true},
		{name: "400 code mismatch", status: 400, body: `{"code": 401, "error": "x"}`, notLB: true},
		{name: "400 error not a string", status: 400, body: `{"code": 400, "error": 5}`, notLB: true},
		{name: "400 no error", status: 400, body: `{"code": 400}`, notLB: true},
		{name: "100", status: 100, body: ``, notLB: true},
		{name: "600", status: 600, body: `{"code":600,"error":"x"}`, notLB: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ParseAnswer(tt.status, rateHeaders("10", "3", "7"), []byte(tt.body))
			if tt.notLB {
				if !errors.Is(err, ErrNotAnswer) || a != nil {
					t.Fatalf("ParseAnswer = %+v, %v; want ErrNotAnswer", a, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Failed() != tt.failed || (tt.failed && a.Class != tt.class) || a.Message != tt.message {
				t.Errorf("got failed=%v class=%v message=%q, want %v %v %q", a.Failed(), a.Class, a.Message, tt.failed, tt.class, tt.message)
			}
			if a.RateLimit != (RateLimit{Limit: 10, Remaining: 3, ResetIn: 7 * time.Second}) {
				t.Errorf("RateLimit = %+v", a.RateLimit)
			}
		})
	}
}

func TestReadRateLimit(t *testing.T) {
	tests := []struct {
		h    http.Header
		want RateLimit
	}{
		{rateHeaders("", "", ""), RateLimit{Limit: -1, Remaining: -1}},
		{rateHeaders("50", "0", "10"), RateLimit{Limit: 50, Remaining: 0, ResetIn: 10 * time.Second}},
		{rateHeaders(" 50 ", "-1", "1.5"), RateLimit{Limit: 50, Remaining: -1}},
		{rateHeaders("x", "99999999999999999999999", "99999999"), RateLimit{Limit: -1, Remaining: -1, ResetIn: MaxResetIn}},
	}
	for _, tt := range tests {
		if got := ReadRateLimit(tt.h); got != tt.want {
			t.Errorf("ReadRateLimit(%v) = %+v, want %+v", tt.h, got, tt.want)
		}
	}
}

func TestAnswerPause(t *testing.T) {
	tests := []struct {
		status int
		rl     RateLimit
		want   time.Duration
	}{
		{200, RateLimit{Limit: 10, Remaining: 5, ResetIn: 7 * time.Second}, 0},
		{200, RateLimit{Limit: 10, Remaining: 0, ResetIn: 7 * time.Second}, 7 * time.Second}, // slow down before a 429
		{200, RateLimit{Limit: -1, Remaining: -1}, 0},
		{429, RateLimit{Limit: 10, Remaining: 0, ResetIn: 9 * time.Second}, 9 * time.Second},
		{429, RateLimit{Limit: -1, Remaining: -1}, 0}, // the back-off applies
		{500, RateLimit{Limit: 10, Remaining: 4, ResetIn: 9 * time.Second}, 0},
	}
	for _, tt := range tests {
		a := &Answer{Status: tt.status, RateLimit: tt.rl}
		if got := a.Pause(); got != tt.want {
			t.Errorf("Pause(%d, %+v) = %v, want %v", tt.status, tt.rl, got, tt.want)
		}
	}
}

func TestParseValidation(t *testing.T) {
	tests := []struct {
		status int
		body   string
		valid  bool
		user   string
		err    bool
	}{
		{200, `{"code": 200, "message": "Token valid.", "valid": true, "user_name": "rob"}`, true, "rob", false},
		{200, `{"code": 200, "message": "Token invalid.", "valid": false}`, false, "", false},
		{401, `{"code": 401, "error": "Incorrect Authorization"}`, false, "", false}, // Maloja
		{200, `{"code": 200, "message": "Token valid.", "valid": true}`, false, "", true},
		{200, `{"code": 200, "error": "Invalid Method"}`, false, "", true},
		{200, `<html></html>`, false, "", true},
		{400, `{"code": 400, "error": "You need to provide an Authorization token."}`, false, "", true},
		{429, ``, false, "", true},
		{401, `<html></html>`, false, "", true},
	}
	for _, tt := range tests {
		valid, user, err := parseValidation(tt.status, http.Header{}, []byte(tt.body))
		if valid != tt.valid || user != tt.user || (err != nil) != tt.err {
			t.Errorf("parseValidation(%d, %s) = %v, %q, %v", tt.status, tt.body, valid, user, err)
		}
	}
}

// FuzzParseAnswer: whatever comes back, the parser never panics, and a
// success is only ever a 200 whose body says "ok"; a failure carries a
// class and a one-line message; not an answer is ErrNotAnswer.
func FuzzParseAnswer(f *testing.F) {
	for _, s := range []struct {
		status int
		body   string
	}{
		{200, `{"status":"ok"}`}, {400, `{"code":400,"error":"bad"}`}, {401, `{"code":401,"error":"x"}`},
		{429, ``}, {500, `<html>`}, {409, `{"error":"dup"}`}, {200, `{"status":"o`}, {302, ``}, {200, `{"code":200,"error":"Invalid Method"}`},
	} {
		f.Add(s.status, []byte(s.body), "5", "0", "10")
	}
	f.Fuzz(func(t *testing.T, status int, body []byte, limit, remaining, resetIn string) {
		a, err := ParseAnswer(status, rateHeaders(limit, remaining, resetIn), body)
		if err != nil {
			if a != nil || !errors.Is(err, ErrNotAnswer) {
				t.Fatalf("error %v with answer %+v", err, a)
			}
			return
		}
		if !a.Failed() {
			if status != 200 || !strings.Contains(string(body), "ok") {
				t.Fatalf("success from HTTP %d %q", status, body)
			}
		} else if a.Class == signer.ClassDailyCap || a.Class < signer.ClassTransient || a.Class > signer.ClassPermanent {
			t.Fatalf("class %v", a.Class)
		}
		if strings.ContainsAny(a.Message, "\r\n") || len(a.Message) > maxMessage+len("…") {
			t.Fatalf("message %q", a.Message)
		}
		if rl := a.RateLimit; rl.Limit < -1 || rl.Remaining < -1 || rl.ResetIn < 0 || rl.ResetIn > MaxResetIn {
			t.Fatalf("rate limit %+v", rl)
		}
		if p := a.Pause(); p < 0 || p > MaxResetIn {
			t.Fatalf("pause %v", p)
		}
	})
}
