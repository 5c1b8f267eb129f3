package emulator

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
)

// AnswerFault is what the emulator answers instead of Last.fm's answer
// (Fault.Answer): the answers a captive portal, a broken proxy or a hostile
// upstream gives.
type AnswerFault string

// The answers that are not Last.fm's.
const (
	// AnswerHTML: 200 with a captive portal's HTML page; nothing is processed.
	AnswerHTML AnswerFault = "html"
	// AnswerEmpty: 200 with an empty body; nothing is processed.
	AnswerEmpty AnswerFault = "empty"
	// AnswerTruncated: the request IS processed (a scrobble is stored), and
	// the answer is cut to half its length, with a Content-Length that
	// matches the cut body: the framing is whole, the document is not.
	AnswerTruncated AnswerFault = "truncated"
	// AnswerWrongShape: 200 with a well-formed document of another shape
	// (a JSON array, XML without <lfm>); nothing is processed.
	AnswerWrongShape AnswerFault = "wrong_shape"
	// AnswerUnexpected: 200 with a well-formed <lfm status="ok"> or JSON
	// object that is not what the method answers ({"status":"ok"}), which
	// only a caller that reads the method's answer (the journal) can tell.
	// ListenBrainz: {"code":200,"message":"ok"}, neither submit-listens'
	// answer nor validate-token's.
	AnswerUnexpected AnswerFault = "unexpected"
	// AnswerEcho: a Last.fm error (Code, default 6) whose message echoes the
	// request's query and body, sk and api_sig included. ListenBrainz: a 400
	// (or Code) whose error echoes the query, the Authorization header
	// (the user token) and the body.
	AnswerEcho AnswerFault = "echo"
	// AnswerRedirect: 302 to another host, as a login portal does.
	AnswerRedirect AnswerFault = "redirect"
	// AnswerOversize: 200 with a valid answer of Size bytes (default 10 MiB),
	// streamed without a Content-Length.
	AnswerOversize AnswerFault = "oversize"
)

// RedirectTarget is where AnswerRedirect points.
const RedirectTarget = "http://127.0.0.1:9/portal/login"

// answerFault writes a fault's answer. It reports false for
// AnswerTruncated, whose request goes on to be processed (c.w is then a
// cutWriter the caller must flush).
func (s *Server) answerFault(c *call, f Fault) bool {
	s.log("%s answered %s", c.method, f.Answer)
	json := c.out.json
	switch f.Answer {
	case AnswerHTML:
		writeReply(c.w, http.StatusOK, "text/html; charset=UTF-8", []byte("<!DOCTYPE html>\n<html><head><title>Sign in to Wi-Fi</title></head>\n"+
			"<body><form action=\"/login\"><input name=\"room\">&nbsp;<button>Connect</button></form></body></html>\n"))
	case AnswerEmpty:
		writeReply(c.w, http.StatusOK, contentType(json), nil)
	case AnswerWrongShape:
		body := `<?xml version="1.0" encoding="UTF-8"?>` + "\n<response status=\"ok\"><ok/></response>\n"
		if json {
			body = `[{"status":"ok"}]`
		}
		writeReply(c.w, http.StatusOK, contentType(json), []byte(body))
	case AnswerUnexpected:
		body := `<?xml version="1.0" encoding="UTF-8"?>` + "\n<lfm status=\"ok\"><status>ok</status></lfm>\n"
		switch {
		case c.lb:
			body = `{"code":200,"message":"ok"}` // neither {"status":"ok"} nor a token verdict
		case json:
			body = `{"status":"ok"}`
		}
		writeReply(c.w, http.StatusOK, contentType(json), []byte(body))
	case AnswerEcho:
		code := f.Code
		if code == 0 {
			code = ErrInvalidParameters
		}
		e := lfmErrMsg(code, "Invalid parameters - you sent: "+c.r.URL.RawQuery+" "+c.body)
		if c.lb {
			e = lbErr(f.Code, "You sent: "+c.r.URL.RawQuery+" Authorization: "+c.r.Header.Get("Authorization")+" "+c.body)
		}
		if f.HTTPStatus != 0 {
			e.status = f.HTTPStatus
		}
		c.fail(e)
	case AnswerRedirect:
		c.w.Header().Set("Location", RedirectTarget)
		writeReply(c.w, http.StatusFound, "text/html; charset=UTF-8", []byte(`<a href="`+RedirectTarget+`">Found</a>.`+"\n"))
	case AnswerOversize:
		writeOversize(c.w, json, f.Size)
	case AnswerTruncated:
		c.w = &cutWriter{ResponseWriter: c.w}
		return false
	default:
		return false
	}
	return true
}

func contentType(json bool) string {
	if json {
		return "application/json; charset=UTF-8"
	}
	return "text/xml; charset=UTF-8"
}

// writeOversize streams a well-formed answer of about size bytes.
func writeOversize(w http.ResponseWriter, json bool, size int) {
	if size <= 0 {
		size = 10 << 20
	}
	head, tail := `<?xml version="1.0" encoding="UTF-8"?>`+"\n<lfm status=\"ok\"><artist><bio>", "</bio></artist></lfm>\n"
	if json {
		head, tail = `{"artist":{"bio":"`, `"}}`
	}
	w.Header().Set("Content-Type", contentType(json))
	w.WriteHeader(http.StatusOK)
	chunk := []byte(strings.Repeat("x", 64<<10))
	f, _ := w.(http.Flusher)
	_, _ = w.Write([]byte(head))
	for n := len(head) + len(tail); n < size; n += len(chunk) {
		if _, err := w.Write(chunk[:min(len(chunk), size-n)]); err != nil {
			return // the client gave up: that is the point
		}
		if f != nil {
			f.Flush()
		}
	}
	_, _ = w.Write([]byte(tail))
}

// cutWriter holds an answer and sends its first half (AnswerTruncated).
type cutWriter struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (w *cutWriter) WriteHeader(status int)      { w.status = status }
func (w *cutWriter) Write(p []byte) (int, error) { return w.buf.Write(p) }

// flush sends the cut answer.
func (w *cutWriter) flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	body := w.buf.Bytes()
	body = body[:len(body)/2]
	w.ResponseWriter.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.ResponseWriter.WriteHeader(w.status)
	_, _ = w.ResponseWriter.Write(body)
}
