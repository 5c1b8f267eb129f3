package emulator

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxBody bounds a request body.
const maxBody = 8 << 20

// call is one API request being answered.
type call struct {
	s      *Server
	w      http.ResponseWriter
	r      *http.Request
	vals   url.Values        // query and body merged, every value
	p      map[string]string // first value of each name
	out    outFmt
	method string      // canonical when known, else as sent
	info   *methodInfo // nil when unknown
	sk     string      // the session key sent, if valid
	user   *user       // the session's user, if a valid sk came
	delay  time.Duration
	body   string // the request body as received (AnswerEcho)
	lb     bool   // a ListenBrainz request: errors in its shape (lbFail)
}

// get returns a parameter (first value).
func (c *call) get(name string) string { return c.p[name] }

// fail writes an error answer in the request's format.
func (c *call) fail(e *apiError) {
	if c.lb {
		c.lbFail(e)
		return
	}
	ct, body := renderError(c.out, e.code, e.msg)
	c.s.log("%s %s -> %d error %d", c.r.Method, c.method, e.status, e.code)
	writeReply(c.w, e.status, ct, body)
}

// ok writes a successful answer.
func (c *call) ok(kids []*node) {
	ct, body := renderOK(c.out, kids)
	c.s.log("%s %s -> 200 ok", c.r.Method, c.method)
	writeReply(c.w, http.StatusOK, ct, body)
}

// readParams merges the query and a form body (whatever its Content-Type).
func readParams(r *http.Request) (url.Values, string) {
	vals, _ := url.ParseQuery(r.URL.RawQuery)
	if vals == nil {
		vals = url.Values{}
	}
	var body string
	if r.Body != nil && r.Method != http.MethodGet {
		b, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
		body = string(b)
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
			bv, _ := url.ParseQuery(body)
			for k, v := range bv {
				vals[k] = append(vals[k], v...)
			}
		}
	}
	return vals, body
}

// serveAPI answers /2.0/: record, faults, then Last.fm's checks in order.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	vals, body := readParams(r)
	c := &call{s: s, w: w, r: r, vals: vals, p: map[string]string{}, body: body}
	for k, v := range vals {
		c.p[k] = v[0]
	}
	c.method = canonicalMethod(c.get("method"))
	c.info = lookupMethod(c.method)
	if c.info != nil && s.lacks[strings.ToLower(c.info.name)] {
		c.info = nil // Options.Lacks: answered 3 by check, as a method Last.fm does not know
	}
	s.record(r, vals, body, c.method)

	format := strings.ToLower(c.get("format"))
	c.out = outFmt{json: format == "json", raw: c.get("raw") == "true"}
	if c.out.json {
		c.out.callback = c.get("callback")
	}

	if r.Method == http.MethodOptions {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		w.Header().Set("Access-Control-Allow-Methods", "POST, GET, OPTIONS")
		w.Header().Set("Access-Control-Max-Age", "86400")
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST, OPTIONS")
		writeHTMLStatus(w, http.StatusMethodNotAllowed)
		return
	}

	s.mu.Lock()
	f, faulted := s.takeFaultLocked(c.method, false, nil)
	s.mu.Unlock()
	if faulted && s.applyFault(c, f) {
		return
	}
	if cw, ok := c.w.(*cutWriter); ok {
		defer cw.flush() // AnswerTruncated: processed, then cut
	}

	if e := s.check(c, format); e != nil {
		c.fail(e)
		return
	}
	s.mu.Lock()
	kids, e := c.info.h(c)
	s.mu.Unlock()
	if !s.sleep(r.Context(), c.delay) {
		return
	}
	if e != nil {
		c.fail(e)
		return
	}
	c.ok(kids)
}

// check runs Last.fm's request checks in order: key (10), format (5), method
// (3, 27), POST (3; 4 for auth.getMobileSession), signature (13), session (9),
// required parameters (6).
func (s *Server) check(c *call, format string) *apiError {
	if c.get("api_key") != s.apiKey {
		return lfmErr(ErrInvalidAPIKey)
	}
	if format != "" && format != "json" && format != "xml" {
		return lfmErr(ErrInvalidFormat)
	}
	if c.info == nil {
		if deprecatedMethods[strings.ToLower(c.method)] {
			return lfmErr(ErrDeprecated)
		}
		return lfmErr(ErrInvalidMethod)
	}
	if c.info.post && c.r.Method != http.MethodPost {
		if c.info.kind == kindAuth {
			return lfmErrMsg(ErrAuthFailed, "Authentication Failed - You must use POST")
		}
		return lfmErrMsg(ErrInvalidMethod, "Invalid Method - This method must be POSTed")
	}
	_, hasSK := c.vals["sk"]
	_, hasSig := c.vals["api_sig"]
	if c.info.kind != kindRead || hasSK || hasSig {
		if !checkSignature(c.vals, s.secret) {
			return lfmErr(ErrInvalidSignature)
		}
	}
	if c.info.kind == kindWrite || hasSK {
		s.mu.Lock()
		c.user = s.sessionUserLocked(c.get("sk"))
		s.mu.Unlock()
		if c.user == nil {
			return lfmErr(ErrInvalidSessionKey)
		}
		c.sk = c.get("sk")
	}
	for _, group := range c.info.need {
		if !c.hasAny(group) {
			return lfmErr(ErrInvalidParameters)
		}
	}
	return nil
}

// hasAny reports whether one of names is present and non-empty ("sk" counts
// only with a valid session).
func (c *call) hasAny(names []string) bool {
	for _, n := range names {
		if n == "sk" {
			if c.user != nil {
				return true
			}
			continue
		}
		if strings.TrimSpace(c.get(n)) != "" {
			return true
		}
	}
	return false
}
