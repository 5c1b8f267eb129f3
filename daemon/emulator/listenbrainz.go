package emulator

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ListenBrainz's native API (Options.Service ListenBrainz), the emulator's own
// reading of metabrainz/listenbrainz-server (webserver/views/api.py,
// api_tools.py), never lastfmd's:
//
//   - POST /1/submit-listens, "Authorization: Token <user token>", a JSON
//     object {"listen_type": "single"|"import"|"playing_now", "payload":
//     [listen, ...]}. Checked in ListenBrainz's order: the rate limit (429),
//     the token (401), the document (400: not JSON, not an object, no
//     payload or listen_type, no listens, too large in aggregate, an unknown
//     listen_type, more than one listen for single or playing_now, more than
//     ListenBrainzMaxListens), then each listen (400 "payload[i]: ...": a
//     listen larger than ListenBrainzMaxListenSize, listened_at missing, not
//     an integer, before ListenBrainzMinimumTS or more than 10 minutes ahead
//     of the emulator clock, or present on playing_now; other top-level keys;
//     track_metadata missing or not an object; artist_name and track_name
//     missing, not strings or blank; release_name not a string;
//     additional_info not an object). A refused request stores nothing.
//     200 {"status":"ok"} stores every listen ([Server.Listens]) or the
//     playing-now one ([Server.PlayingNow]).
//   - GET /1/validate-token, the token in ?token= or the Authorization header:
//     200 {"code":200,"message":"Token valid.","valid":true,"user_name":U} or
//     {"code":200,"message":"Token invalid.","valid":false}; 400 without a
//     token.
//
// Errors answer {"code":STATUS,"error":"..."} with that HTTP status; another
// verb answers 405 and another path 404, in the same shape. Every answer of
// the two routes (faults' included, 405 and 404 not) carries
// X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset-In and
// X-RateLimit-Reset (Options.RateLimit, RateWindow).
//
// Choices where ListenBrainz is looser or silent: listened_at must be a JSON
// integer (ListenBrainz's int() also takes "123" and 1.5); the scheme must be
// exactly "Token" (ListenBrainz takes any first word); artist_name and
// track_name must not be blank; the size of a listen is that of its compact
// JSON. Duplicates are stored as they arrive (ListenBrainz deduplicates later,
// on its side), so that a test counts what was sent twice; a listen does not
// clear the playing-now one, the next playing_now replaces it.
// The request records ([Server.Requests]) keep the Authorization header, the
// user token in clear, so that a test can check it was sent; the log
// (Options.Logf) never has it.

// ListenBrainz's limits (api_tools.py).
const (
	// ListenBrainzMaxListens is MAX_LISTENS_PER_REQUEST: listens per import.
	ListenBrainzMaxListens = 1000
	// ListenBrainzMaxListenSize is MAX_LISTEN_SIZE: bytes of one listen.
	ListenBrainzMaxListenSize = 10240
	// ListenBrainzMinimumTS is LISTEN_MINIMUM_TS: 2002-10-01 00:00:00 UTC.
	ListenBrainzMinimumTS = 1033430400
)

// Listen types of submit-listens.
const (
	ListenSingle     = "single"
	ListenImport     = "import"
	ListenPlayingNow = "playing_now"
)

const (
	lbSubmit   = "submit-listens" // Request.Method and Fault.Method of POST /1/submit-listens
	lbValidate = "validate-token" // ... of GET /1/validate-token
	lbMaxAhead = 10 * time.Minute // listened_at further ahead: "too high"
	// lbMaxBody bounds a submit-listens body: a full import and change.
	lbMaxBody = (ListenBrainzMaxListens + 1) * ListenBrainzMaxListenSize

	defaultRateLimit  = 100000 // Options.RateLimit
	defaultRateWindow = 10     // Options.RateWindow, seconds
)

// Listen is one listen a ListenBrainz emulator accepted, as sent.
type Listen struct {
	ListenType     string         // ListenSingle, ListenImport or ListenPlayingNow
	ListenedAt     int64          // listened_at, Unix seconds; 0 for playing_now
	Artist         string         // track_metadata.artist_name
	Track          string         // track_metadata.track_name
	Release        string         // track_metadata.release_name ("" when absent)
	AdditionalInfo map[string]any // track_metadata.additional_info (nil when absent); numbers as json.Number
	Raw            string         // the listen's JSON, compacted
	At             time.Time      // when it arrived, emulator clock
}

// lbState is what a ListenBrainz emulator keeps; guarded by Server.mu.
type lbState struct {
	tokens  map[string]string    // user token -> lowercase user name
	users   map[string]*lbUser   // by lowercase name
	windows map[string]*lbWindow // rate-limit windows by token, or "ip:" + client address
}

type lbUser struct {
	name       string
	listens    []Listen
	playingNow *Listen
}

type lbWindow struct {
	start int64 // Unix seconds
	count int
}

func (s *Server) lbUserLocked(name string, create bool) *lbUser {
	k := strings.ToLower(name)
	if u := s.lb.users[k]; u != nil || !create {
		return u
	}
	if s.lb.users == nil {
		s.lb.users = map[string]*lbUser{}
	}
	u := &lbUser{name: name}
	s.lb.users[k] = u
	return u
}

// AddUserToken makes tok a valid ListenBrainz user token of userName (added if
// unknown; names are case-insensitive, answered as first added). A token
// belongs to one user: adding it again moves it.
func (s *Server) AddUserToken(userName, tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.lbUserLocked(userName, true)
	if s.lb.tokens == nil {
		s.lb.tokens = map[string]string{}
	}
	s.lb.tokens[tok] = strings.ToLower(u.name)
}

// NewUserToken mints a user token for userName (added if unknown) in
// ListenBrainz's form, a random UUID, and returns it.
func (s *Server) NewUserToken(userName string) string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	tok := fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
	s.AddUserToken(userName, tok)
	return tok
}

// RevokeUserToken makes tok unknown, as a user resetting their token does:
// submit-listens then answers 401, validate-token "Token invalid.".
func (s *Server) RevokeUserToken(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.lb.tokens, tok)
}

// TokenUser returns the user a ListenBrainz user token belongs to.
func (s *Server) TokenUser(tok string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.tokenUserLocked(tok)
	if u == nil {
		return "", false
	}
	return u.name, true
}

func (s *Server) tokenUserLocked(tok string) *lbUser {
	k, ok := s.lb.tokens[tok]
	if !ok {
		return nil
	}
	return s.lb.users[k]
}

// Listens returns the listens (single and import) the user's tokens
// submitted, in the order received, duplicates included.
func (s *Server) Listens(userName string) []Listen {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.lbUserLocked(userName, false)
	if u == nil {
		return nil
	}
	out := make([]Listen, len(u.listens))
	for i, l := range u.listens {
		out[i] = l.clone()
	}
	return out
}

// PlayingNow returns the user's last playing_now listen, or nil.
func (s *Server) PlayingNow(userName string) *Listen {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.lbUserLocked(userName, false)
	if u == nil || u.playingNow == nil {
		return nil
	}
	l := u.playingNow.clone()
	return &l
}

func (l Listen) clone() Listen {
	l.AdditionalInfo = maps.Clone(l.AdditionalInfo)
	return l
}

// lbErr builds a ListenBrainz error answer: status 0 is 400, msg "" its usual
// wording for the status.
func lbErr(status int, msg string) *apiError {
	if status == 0 {
		status = http.StatusBadRequest
	}
	if msg == "" {
		msg = lbMessages[status]
	}
	if msg == "" {
		msg = http.StatusText(status)
	}
	return &apiError{code: status, status: status, msg: msg}
}

// lbMessages are ListenBrainz's (and its rate limiter's) words for a status.
var lbMessages = map[int]string{
	http.StatusBadRequest:          "Invalid JSON document submitted.",
	http.StatusUnauthorized:        "Invalid authorization token.",
	http.StatusNotFound:            "The requested URL was not found on the server.",
	http.StatusMethodNotAllowed:    "The method is not allowed for the requested URL.",
	http.StatusTooManyRequests:     "You have exceeded your rate limit. See the X-RateLimit-* response headers for more information on your current rate limit.",
	http.StatusInternalServerError: "An unknown error occurred.",
	http.StatusServiceUnavailable:  "Cannot submit listens to queue, please try again later.",
}

// lbFail writes a ListenBrainz error answer, {"code":N,"error":"..."}.
func (c *call) lbFail(e *apiError) {
	body, _ := json.Marshal(struct {
		Code  int    `json:"code"`
		Error string `json:"error"`
	}{e.code, e.msg})
	c.s.log("%s %s -> %d", c.r.Method, c.method, e.status)
	writeReply(c.w, e.status, "application/json", append(body, '\n'))
}

// lbOK writes a ListenBrainz answer of status 200.
func (c *call) lbOK(v any) {
	body, _ := json.Marshal(v)
	c.s.log("%s %s -> 200 ok", c.r.Method, c.method)
	writeReply(c.w, http.StatusOK, "application/json", append(body, '\n'))
}

// serveListenBrainz answers every request to an emulator playing
// ListenBrainz: record, route, rate limit, faults, then the route's checks.
func (s *Server) serveListenBrainz(w http.ResponseWriter, r *http.Request) {
	var method, verb string
	switch r.URL.Path {
	case "/1/submit-listens":
		method, verb = lbSubmit, http.MethodPost
	case "/1/validate-token":
		method, verb = lbValidate, http.MethodGet
	}
	vals, _ := url.ParseQuery(r.URL.RawQuery)
	var body []byte
	if r.Body != nil && r.Method != http.MethodGet {
		body, _ = io.ReadAll(io.LimitReader(r.Body, lbMaxBody+1))
	}
	s.record(r, vals, string(body), method)
	c := &call{s: s, w: w, r: r, vals: vals, out: outFmt{json: true}, method: method, body: string(body), lb: true}
	if method == "" {
		c.method = r.URL.Path
		c.fail(lbErr(http.StatusNotFound, ""))
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	if r.Method == http.MethodOptions {
		w.Header().Set("Access-Control-Allow-Methods", verb+", OPTIONS")
		w.Header().Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
		w.WriteHeader(http.StatusOK)
		return
	}
	if r.Method != verb {
		w.Header().Set("Allow", verb+", OPTIONS")
		c.fail(lbErr(http.StatusMethodNotAllowed, ""))
		return
	}

	tok, header := lbToken(r, method)
	key := tok
	if key == "" {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		key = "ip:" + host
	}
	s.mu.Lock()
	rl := s.lbRateLocked(key)
	f, faulted := s.takeFaultLocked(method, false, nil)
	s.mu.Unlock()
	if faulted && (f.ResetIn > 0 || f.Code == http.StatusTooManyRequests) {
		rl.remaining = 0
		if f.ResetIn > 0 {
			rl.resetIn = int64((f.ResetIn + time.Second - 1) / time.Second)
			rl.reset = s.now().Unix() + rl.resetIn
		}
	}
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(s.rateLimit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(rl.remaining))
	h.Set("X-RateLimit-Reset-In", strconv.FormatInt(rl.resetIn, 10))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(rl.reset, 10))
	if faulted && s.applyFault(c, f) {
		return
	}
	if cw, ok := c.w.(*cutWriter); ok {
		defer cw.flush() // AnswerTruncated: processed, then cut
	}
	if rl.limited {
		c.fail(lbErr(http.StatusTooManyRequests, ""))
		return
	}
	if method == lbValidate {
		s.lbValidateToken(c, tok)
		return
	}
	s.lbSubmitListens(c, tok, header)
}

// lbToken returns the user token a request carries: for validate-token
// ?token= first, else "Authorization: Token X". header is the Authorization
// header as sent.
func lbToken(r *http.Request, method string) (tok, header string) {
	header = r.Header.Get("Authorization")
	if method == lbValidate {
		if t := r.URL.Query().Get("token"); t != "" {
			return t, header
		}
	}
	if t, ok := strings.CutPrefix(header, "Token "); ok && strings.TrimSpace(t) != "" && !strings.ContainsAny(t, " \t") {
		return t, header
	}
	return "", header
}

// lbRate is what the rate-limit headers of one answer say.
type lbRate struct {
	remaining      int
	resetIn, reset int64 // seconds; Unix seconds
	limited        bool
}

// lbRateLocked counts a request against key's window: windows of
// rateWindow seconds aligned on the emulator clock's Unix seconds, as
// ListenBrainz's limiter (brainzutils.ratelimit) aligns them.
func (s *Server) lbRateLocked(key string) lbRate {
	t := s.now().Unix()
	start := t - t%s.rateWindow
	if s.lb.windows == nil {
		s.lb.windows = map[string]*lbWindow{}
	}
	win := s.lb.windows[key]
	if win == nil || win.start != start {
		win = &lbWindow{start: start}
		s.lb.windows[key] = win
	}
	win.count++
	reset := start + s.rateWindow
	return lbRate{remaining: max(0, s.rateLimit-win.count), resetIn: reset - t, reset: reset,
		limited: win.count > s.rateLimit}
}

// lbValidateToken answers GET /1/validate-token.
func (s *Server) lbValidateToken(c *call, tok string) {
	if tok == "" {
		c.fail(lbErr(http.StatusBadRequest, "You need to provide an Authorization token."))
		return
	}
	s.mu.Lock()
	u := s.tokenUserLocked(tok)
	s.mu.Unlock()
	if u == nil {
		c.lbOK(map[string]any{"code": 200, "message": "Token invalid.", "valid": false})
		return
	}
	c.lbOK(map[string]any{"code": 200, "message": "Token valid.", "valid": true, "user_name": u.name})
}

// lbSubmitListens answers POST /1/submit-listens.
func (s *Server) lbSubmitListens(c *call, tok, header string) {
	switch {
	case header == "":
		c.fail(lbErr(http.StatusUnauthorized, "You need to provide an Authorization header."))
		return
	case tok == "":
		c.fail(lbErr(http.StatusUnauthorized, "Provided Authorization header is invalid."))
		return
	}
	s.mu.Lock()
	known := s.tokenUserLocked(tok) != nil
	s.mu.Unlock()
	if !known {
		c.fail(lbErr(http.StatusUnauthorized, "Invalid authorization token."))
		return
	}
	typ, listens, msg := parseSubmission([]byte(c.body), s.now())
	if msg != "" {
		c.fail(lbErr(http.StatusBadRequest, msg))
		return
	}

	items := make([]Scrobble, len(listens))
	for i, l := range listens {
		items[i] = Scrobble{Artist: l.Artist, Track: l.Track, Album: l.Release, Timestamp: l.ListenedAt}
	}
	s.mu.Lock()
	f, faulted := s.takeFaultLocked(lbSubmit, true, items)
	var e *apiError
	switch {
	case faulted && f.BadItem != "":
		e = lbBadItem(f, listens)
	case faulted && f.IgnoreCode != 0:
		// accepted, stored nothing
	default:
		u := s.tokenUserLocked(tok)
		if u == nil { // revoked meanwhile
			e = lbErr(http.StatusUnauthorized, "Invalid authorization token.")
			break
		}
		at := s.now()
		for _, l := range listens {
			l.ListenType, l.At = typ, at
			if typ == ListenPlayingNow {
				u.playingNow = &l
				continue
			}
			u.listens = append(u.listens, l)
		}
	}
	s.mu.Unlock()
	if faulted && !s.sleep(c.r.Context(), f.Delay) {
		return
	}
	if e != nil {
		c.fail(e)
		return
	}
	c.lbOK(map[string]string{"status": "ok"})
}

// lbBadItem is a BadItem fault's answer, naming the first listen it matches.
func lbBadItem(f Fault, listens []Listen) *apiError {
	status := f.Code
	if status == 0 {
		status = http.StatusBadRequest
	}
	for i, l := range listens {
		field := "track_name"
		if l.Track != f.BadItem {
			if l.Artist != f.BadItem {
				continue
			}
			field = "artist_name"
		}
		return lbErr(status, fmt.Sprintf("payload[%d]: Value for key track_metadata.%s is refused: %q.", i, field, f.BadItem))
	}
	return lbErr(status, "")
}

// parseSubmission checks a submit-listens body in ListenBrainz's order and
// returns its listen_type and listens, or the message of a 400.
func parseSubmission(body []byte, now time.Time) (string, []Listen, string) {
	if len(body) > lbMaxBody {
		return "", nil, fmt.Sprintf("JSON document is too large. In aggregate, listens may not be larger than %d characters.", ListenBrainzMaxListenSize)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil {
		var v any
		if err := json.Unmarshal(body, &v); err != nil {
			return "", nil, "Cannot parse JSON document: " + err.Error()
		}
		return "", nil, "Invalid JSON document submitted."
	}
	rawPayload, okP := doc["payload"]
	rawType, okT := doc["listen_type"]
	var payload []json.RawMessage
	if !okP || !okT || json.Unmarshal(rawPayload, &payload) != nil || payload == nil {
		return "", nil, "Invalid JSON document submitted."
	}
	if len(payload) == 0 {
		return "", nil, "JSON document does not contain any listens"
	}
	if len(body) > len(payload)*ListenBrainzMaxListenSize {
		return "", nil, fmt.Sprintf("JSON document is too large. In aggregate, listens may not be larger than %d characters.", ListenBrainzMaxListenSize)
	}
	var typ string
	if json.Unmarshal(rawType, &typ) != nil || (typ != ListenSingle && typ != ListenImport && typ != ListenPlayingNow) {
		return "", nil, "JSON document requires a valid listen_type key."
	}
	if typ != ListenImport && len(payload) > 1 {
		return "", nil, "JSON document contains more than listen for a single/playing_now. It should contain only one."
	}
	if len(payload) > ListenBrainzMaxListens {
		return "", nil, fmt.Sprintf("Too many listens. You may not submit more than %d listens at once.", ListenBrainzMaxListens)
	}
	listens := make([]Listen, len(payload))
	for i, raw := range payload {
		l, msg := parseListen(raw, typ, now)
		if msg != "" {
			return "", nil, fmt.Sprintf("payload[%d]: %s", i, msg)
		}
		listens[i] = l
	}
	return typ, listens, ""
}

// parseListen checks one listen (api_tools.validate_listen) and returns it,
// or the message of a 400.
func parseListen(raw json.RawMessage, typ string, now time.Time) (Listen, string) {
	var compact bytes.Buffer
	_ = json.Compact(&compact, raw) // raw is valid: it was decoded
	l := Listen{Raw: compact.String()}
	if compact.Len() > ListenBrainzMaxListenSize {
		return l, fmt.Sprintf("JSON document is too large. Listens may not be larger than %d characters.", ListenBrainzMaxListenSize)
	}
	if compact.String() == "null" {
		return l, "Listen is empty and cannot be validated."
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil {
		return l, "Listen must be a JSON object."
	}
	_, hasTM := top["track_metadata"]
	tsRaw, hasTS := top["listened_at"]
	if typ == ListenPlayingNow {
		if hasTS {
			return l, "JSON document must not contain listened_at while submitting playing_now."
		}
		if len(top) > 1 || (len(top) == 1 && !hasTM) {
			return l, "JSON document may only contain track_metadata as top level key"
		}
	} else {
		if !hasTS {
			return l, "JSON document must contain the key listened_at at the top level."
		}
		ts, ok := jsonInt(tsRaw)
		if !ok {
			return l, "JSON document must contain an int value for listened_at."
		}
		if len(top) > 2 || (len(top) == 2 && !hasTM) {
			return l, "JSON document may only contain listened_at and track_metadata top level keys"
		}
		if ts > now.Add(lbMaxAhead).Unix() {
			return l, "Value for key listened_at is too high."
		}
		if ts < ListenBrainzMinimumTS {
			return l, fmt.Sprintf("Value for key listened_at is too low. listened_at timestamp should be greater than %d (2002-10-01 00:00:00 UTC).", ListenBrainzMinimumTS)
		}
		l.ListenedAt = ts
	}
	tmRaw, ok := top["track_metadata"]
	if !ok {
		return l, "JSON document must contain the key track_metadata at the top level."
	}
	var tm map[string]json.RawMessage
	if err := json.Unmarshal(tmRaw, &tm); err != nil || tm == nil {
		return l, "Value for key track_metadata must be a JSON object."
	}
	for _, f := range []struct {
		key string
		to  *string
	}{{"artist_name", &l.Artist}, {"track_name", &l.Track}} {
		v, ok := tm[f.key]
		if !ok {
			return l, "JSON document does not contain required track_metadata." + f.key + "."
		}
		if json.Unmarshal(v, f.to) != nil || strings.TrimSpace(*f.to) == "" {
			return l, "Value for key track_metadata." + f.key + " must be a non-empty string."
		}
	}
	if v, ok := tm["release_name"]; ok && string(v) != "null" {
		if json.Unmarshal(v, &l.Release) != nil {
			return l, "Value for key track_metadata.release_name must be a string."
		}
	}
	for _, v := range []string{l.Artist, l.Track, l.Release} {
		if strings.ContainsRune(v, 0) {
			return l, "String values in track_metadata must not contain NUL characters."
		}
	}
	if v, ok := tm["additional_info"]; ok && string(v) != "null" {
		d := json.NewDecoder(bytes.NewReader(v))
		d.UseNumber()
		if d.Decode(&l.AdditionalInfo) != nil {
			return l, "Value for key track_metadata.additional_info must be a JSON object."
		}
	}
	return l, ""
}

// jsonInt reads a JSON integer (not a string, not a fraction).
func jsonInt(raw json.RawMessage) (int64, bool) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if d.Decode(&v) != nil {
		return 0, false
	}
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}
