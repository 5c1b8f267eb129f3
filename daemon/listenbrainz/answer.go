package listenbrainz

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/internal/clip"
	"github.com/lastfmd/lastfmd/signer"
)

// Answer is ListenBrainz's answer to a call: a success, or a failure with
// the class of signer's table (docs/design.md#reliability-rules) that
// says what the journal does with it:
//
//   - 200 {"status":"ok"}: success; the listens are taken;
//   - 400, 409 (Maloja: another play at that second) and 413: ClassBadItem,
//     a batch is split to find the bad listen, which alone becomes a dead
//     letter with Message;
//   - 401 and 403 (a missing, unknown or refused token): ClassReauth,
//     that account's lane pauses until a new token;
//   - 404 and 405 (the API root serves no such call: a wrong api_root):
//     ClassKeyBroken, the lane pauses for every account and says so;
//   - 429: ClassRateLimited, honouring RateLimit.ResetIn;
//   - 5xx: ClassTransient;
//   - any other 4xx: ClassPermanent.
//
// A 4xx other than 413 and 429 counts only with ListenBrainz's error body
// ({"code": N, "error": "..."}); 429 and 5xx count with any body (the
// service's front end). Anything else (a redirect, another 2xx, a 200
// that does not say "ok", HTML, a body cut off) is not ListenBrainz
// answering: ParseAnswer returns ErrNotAnswer, a failure, never a success.
type Answer struct {
	Status int
	// Class is the kind of failure; meaningful when Failed().
	Class signer.Class
	// Message is ListenBrainz's "error" text, one line (secrets masked by
	// the client); "" when the answer has none.
	Message   string
	RateLimit RateLimit
	// Duration is how long the call took (set by the client).
	Duration time.Duration
}

// Failed reports whether the answer is a failure (any status but 200).
func (a *Answer) Failed() bool { return a.Status != http.StatusOK }

// Pause is how long to wait before the next call to the service after
// this answer: RateLimit.ResetIn after a 429 or when the window has no
// call left (Remaining 0), so the lane slows down before ListenBrainz
// refuses it; else 0. After a 429 without a Reset-In it is 0 too: the
// policy's back-off then applies.
func (a *Answer) Pause() time.Duration {
	if a.Status == http.StatusTooManyRequests || a.RateLimit.Remaining == 0 {
		return a.RateLimit.ResetIn
	}
	return 0
}

// Describe says what the answer is, in one line for a log, a dead letter
// or status: "HTTP 400: Value for key listened_at is too low."
func (a *Answer) Describe() string {
	if !a.Failed() {
		return "ok"
	}
	if a.Message != "" {
		return fmt.Sprintf("HTTP %d: %s", a.Status, a.Message)
	}
	return fmt.Sprintf("HTTP %d", a.Status)
}

// RateLimit is what an answer's X-RateLimit-* headers say
// (https://listenbrainz.readthedocs.io/en/latest/users/api/#rate-limiting).
// A header that is absent or not a whole number reads as -1 (Limit,
// Remaining) or 0 (ResetIn).
type RateLimit struct {
	Limit     int           // X-RateLimit-Limit: calls allowed in the window
	Remaining int           // X-RateLimit-Remaining: calls left in the window
	ResetIn   time.Duration // X-RateLimit-Reset-In: until the window ends, at most MaxResetIn
}

// MaxResetIn bounds X-RateLimit-Reset-In: ListenBrainz's windows last
// seconds, and a broken header must not stall a lane for days.
const MaxResetIn = time.Hour

// ReadRateLimit reads the X-RateLimit-* headers.
func ReadRateLimit(h http.Header) RateLimit {
	r := RateLimit{Limit: headerInt(h, "X-RateLimit-Limit"), Remaining: headerInt(h, "X-RateLimit-Remaining")}
	if s := headerInt(h, "X-RateLimit-Reset-In"); s >= 0 {
		r.ResetIn = min(time.Duration(s)*time.Second, MaxResetIn)
	}
	return r
}

// headerInt is a header holding a whole number ≥ 0, else -1.
func headerInt(h http.Header, name string) int {
	s := strings.TrimSpace(h.Get(name))
	if s == "" || strings.Trim(s, "0123456789") != "" {
		return -1
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1 // out of range
	}
	return n
}

// ErrNotAnswer marks what came back when it was not ListenBrainz (or
// Maloja) answering: a redirect, a body that is not its JSON (a captive
// portal's HTML, a body cut off, another shape), a 2xx other than 200 or a
// 200 that does not say "ok", a 4xx without its error body. Such an answer
// is a transport failure, like no answer at all, and settles nothing.
var ErrNotAnswer = errors.New("not ListenBrainz's answer")

// maxMessage bounds Message.
const maxMessage = 300

// ParseAnswer reads an answer to submit-listens: its status, headers and
// body. A failure the service answered is an Answer (Failed); an answer
// that is not the service's is an error wrapping ErrNotAnswer.
func ParseAnswer(status int, header http.Header, body []byte) (*Answer, error) {
	a := &Answer{Status: status, RateLimit: ReadRateLimit(header)}
	msg, isError := decodeError(body, status)
	switch {
	case status == http.StatusOK:
		var ok struct {
			Status *string `json:"status"`
		}
		if err := json.Unmarshal(body, &ok); err != nil || ok.Status == nil || *ok.Status != "ok" {
			return nil, notAnswer("HTTP 200 without {\"status\": \"ok\"}")
		}
		return a, nil
	case status == http.StatusTooManyRequests:
		a.Class = signer.ClassRateLimited
	case status >= 500 && status <= 599:
		a.Class = signer.ClassTransient
	case status == http.StatusRequestEntityTooLarge:
		a.Class = signer.ClassBadItem // a front end's limit as well as the service's
	case status >= 400 && status <= 499:
		if !isError {
			return nil, notAnswer(fmt.Sprintf("HTTP %d without a ListenBrainz error", status))
		}
		a.Class = classOf4xx(status)
	case status >= 300 && status <= 399:
		return nil, notAnswer(fmt.Sprintf("a redirect (HTTP %d); not followed", status))
	default:
		return nil, notAnswer(fmt.Sprintf("HTTP %d", status))
	}
	if isError {
		a.Message = msg
	}
	return a, nil
}

// classOf4xx is the class of a 4xx with ListenBrainz's error body.
func classOf4xx(status int) signer.Class {
	switch status {
	case http.StatusBadRequest, http.StatusConflict:
		return signer.ClassBadItem
	case http.StatusUnauthorized, http.StatusForbidden:
		return signer.ClassReauth
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return signer.ClassKeyBroken
	}
	return signer.ClassPermanent
}

// decodeError reads ListenBrainz's error body, {"code": status, "error":
// "..."} (Maloja's 409 has no code): its message, one line, and whether
// body is one.
func decodeError(body []byte, status int) (string, bool) {
	var e struct {
		Code  *json.Number `json:"code"`
		Error *string      `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil || e.Error == nil {
		return "", false
	}
	if e.Code != nil && e.Code.String() != strconv.Itoa(status) {
		return "", false
	}
	return clip.Line(*e.Error, maxMessage), true
}

func notAnswer(why string) error {
	return &apperr.Error{Kind: apperr.BadGateway, Code: signer.ErrServiceOffline,
		Message: "the answer was not ListenBrainz's: " + why + " (a wrong api_root, a captive portal or a broken proxy?)", Err: ErrNotAnswer}
}

// parseValidation reads an answer to validate-token: {"valid": true,
// "user_name": "..."} or {"valid": false} with 200; a 401 with an error
// body (Maloja's way of saying the token is unknown) is not valid either.
// Any other failure is a *Failure.
func parseValidation(status int, header http.Header, body []byte) (bool, string, error) {
	if status == http.StatusOK {
		var v struct {
			Valid    *bool   `json:"valid"`
			UserName *string `json:"user_name"`
		}
		switch err := json.Unmarshal(body, &v); {
		case err != nil || v.Valid == nil:
			return false, "", notAnswer("HTTP 200 without \"valid\"")
		case !*v.Valid:
			return false, "", nil
		case v.UserName == nil || strings.TrimSpace(*v.UserName) == "":
			return false, "", notAnswer("a valid token without a user name")
		}
		return true, clip.Line(*v.UserName, maxMessage), nil
	}
	a, err := ParseAnswer(status, header, body)
	if err != nil {
		return false, "", err
	}
	if status == http.StatusUnauthorized {
		return false, "", nil
	}
	return false, "", &Failure{Answer: a}
}

// Failure is a failed Answer as an error, where a call has no answer to
// return otherwise (ValidateToken): "the answer was HTTP 429: ...".
type Failure struct{ Answer *Answer }

func (f *Failure) Error() string { return "the answer was " + f.Answer.Describe() }
