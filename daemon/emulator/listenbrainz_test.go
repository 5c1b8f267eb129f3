package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// lbNow is the ListenBrainz tests' clock: 2026-03-01 12:00:03 UTC, 3 s into
// a 10 s rate window.
var lbNow = time.Date(2026, time.March, 1, 12, 0, 3, 0, time.UTC)

// newLB starts an emulator playing ListenBrainz on lbNow, with user alice
// holding the token "tok-alice".
func newLB(t *testing.T, o Options) *Server {
	t.Helper()
	o.Service = ListenBrainz
	if o.Now == nil {
		o.Now = func() time.Time { return lbNow }
	}
	s := newTestServer(t, o)
	s.AddUserToken("alice", "tok-alice")
	return s
}

// lbDo sends one request; auth is the Authorization header ("" for none).
func lbDo(t *testing.T, s *Server, verb, path, auth, body string) reply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(verb, strings.TrimSuffix(s.URL(), "/")+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", verb, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// submit posts a submit-listens body with alice's token.
func submit(t *testing.T, s *Server, body string) reply {
	t.Helper()
	return lbDo(t, s, http.MethodPost, "/1/submit-listens", "Token tok-alice", body)
}

// listenJSON is one listen; ts 0 leaves listened_at out.
func listenJSON(ts int64, artist, track string) string {
	tm := fmt.Sprintf(`"track_metadata":{"artist_name":%q,"track_name":%q}`, artist, track)
	if ts == 0 {
		return "{" + tm + "}"
	}
	return fmt.Sprintf(`{"listened_at":%d,%s}`, ts, tm)
}

func doc(typ string, listens ...string) string {
	return fmt.Sprintf(`{"listen_type":%q,"payload":[%s]}`, typ, strings.Join(listens, ","))
}

// lbError returns the error of a ListenBrainz error answer, checking its shape.
func lbError(t *testing.T, r reply) string {
	t.Helper()
	m := jsonOf(t, r)
	if c, _ := m["code"].(float64); int(c) != r.status {
		t.Errorf("code %v in a %d answer: %s", m["code"], r.status, r.body)
	}
	msg, _ := m["error"].(string)
	return msg
}

func checkRateHeaders(t *testing.T, r reply) {
	t.Helper()
	for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset-In", "X-RateLimit-Reset"} {
		if r.header.Get(h) == "" {
			t.Errorf("answer %d lacks %s", r.status, h)
		}
	}
}

func TestListenBrainzSubmitChecks(t *testing.T) {
	ts := lbNow.Unix() - 3600
	good := listenJSON(ts, "A", "T")
	many := make([]string, ListenBrainzMaxListens+1)
	for i := range many {
		many[i] = listenJSON(ts+int64(i), "A", "T")
	}
	big := fmt.Sprintf(`{"listened_at":%d,"track_metadata":{"artist_name":"A","track_name":"T","additional_info":{"x":%q}}}`,
		ts, strings.Repeat("x", ListenBrainzMaxListenSize))
	cases := []struct {
		name, body string
		status     int
		msg        string // a part of the error
	}{
		{"single", doc("single", good), 200, ""},
		{"import", doc("import", good, good, listenJSON(ts+1, "B", "U")), 200, ""},
		{"import of 1000", doc("import", many[:ListenBrainzMaxListens]...), 200, ""},
		{"playing_now", doc("playing_now", listenJSON(0, "A", "T")), 200, ""},
		{"at the minimum", doc("single", listenJSON(ListenBrainzMinimumTS, "A", "T")), 200, ""},
		{"ahead within 10 min", doc("single", listenJSON(lbNow.Unix()+600, "A", "T")), 200, ""},
		{"not JSON", `{"listen_type":`, 400, "Cannot parse JSON document"},
		{"empty body", ``, 400, "Cannot parse JSON document"},
		{"array", `[` + good + `]`, 400, "Invalid JSON document submitted."},
		{"no payload", `{"listen_type":"single"}`, 400, "Invalid JSON document submitted."},
		{"no listen_type", `{"payload":[` + good + `]}`, 400, "Invalid JSON document submitted."},
		{"payload not a list", `{"listen_type":"single","payload":{}}`, 400, "Invalid JSON document submitted."},
		{"no listens", `{"listen_type":"import","payload":[]}`, 400, "does not contain any listens"},
		{"unknown type", doc("loved", good), 400, "valid listen_type"},
		{"type not a string", `{"listen_type":1,"payload":[` + good + `]}`, 400, "valid listen_type"},
		{"two singles", doc("single", good, good), 400, "only one"},
		{"two playing_now", doc("playing_now", listenJSON(0, "A", "T"), listenJSON(0, "A", "T")), 400, "only one"},
		{"import of 1001", doc("import", many...), 400, "more than 1000 listens"},
		{"listen too large", doc("import", good, big), 400, "payload[1]: JSON document is too large"},
		{"aggregate too large", `{"listen_type":"single","payload":[` + good + `],"x":"` + strings.Repeat("x", ListenBrainzMaxListenSize) + `"}`, 400, "In aggregate"},
		{"no listened_at", doc("import", good, listenJSON(0, "A", "T")), 400, "payload[1]: JSON document must contain the key listened_at"},
		{"listened_at a string", doc("single", `{"listened_at":"1700000000","track_metadata":{"artist_name":"A","track_name":"T"}}`), 400, "payload[0]: JSON document must contain an int value for listened_at"},
		{"listened_at a fraction", doc("single", `{"listened_at":1700000000.5,"track_metadata":{"artist_name":"A","track_name":"T"}}`), 400, "int value for listened_at"},
		{"too old", doc("import", good, good, listenJSON(ListenBrainzMinimumTS-1, "A", "T")), 400, "payload[2]: Value for key listened_at is too low"},
		{"too new", doc("single", listenJSON(lbNow.Unix()+601, "A", "T")), 400, "payload[0]: Value for key listened_at is too high"},
		{"playing_now with listened_at", doc("playing_now", good), 400, "must not contain listened_at"},
		{"extra key", doc("single", fmt.Sprintf(`{"listened_at":%d,"x":1,"track_metadata":{"artist_name":"A","track_name":"T"}}`, ts)), 400, "may only contain listened_at and track_metadata"},
		{"playing_now extra key", doc("playing_now", `{"x":1,"track_metadata":{"artist_name":"A","track_name":"T"}}`), 400, "may only contain track_metadata"},
		{"null listen", doc("single", `null`), 400, "Listen is empty"},
		{"listen not an object", doc("single", `5`), 400, "must be a JSON object"},
		{"no track_metadata", doc("single", fmt.Sprintf(`{"listened_at":%d}`, ts)), 400, "must contain the key track_metadata"},
		{"track_metadata not an object", doc("single", fmt.Sprintf(`{"listened_at":%d,"track_metadata":"A - T"}`, ts)), 400, "track_metadata must be a JSON object"},
		{"no artist_name", doc("single", fmt.Sprintf(`{"listened_at":%d,"track_metadata":{"track_name":"T"}}`, ts)), 400, "required track_metadata.artist_name"},
		{"no track_name", doc("single", fmt.Sprintf(`{"listened_at":%d,"track_metadata":{"artist_name":"A"}}`, ts)), 400, "required track_metadata.track_name"},
		{"blank artist_name", doc("single", listenJSON(ts, " ", "T")), 400, "track_metadata.artist_name must be a non-empty string"},
		{"empty track_name", doc("single", listenJSON(ts, "A", "")), 400, "track_metadata.track_name must be a non-empty string"},
		{"artist_name not a string", doc("single", fmt.Sprintf(`{"listened_at":%d,"track_metadata":{"artist_name":["A"],"track_name":"T"}}`, ts)), 400, "artist_name must be a non-empty string"},
		{"release_name not a string", doc("single", fmt.Sprintf(`{"listened_at":%d,"track_metadata":{"artist_name":"A","track_name":"T","release_name":1}}`, ts)), 400, "release_name must be a string"},
		{"additional_info not an object", doc("single", fmt.Sprintf(`{"listened_at":%d,"track_metadata":{"artist_name":"A","track_name":"T","additional_info":[]}}`, ts)), 400, "additional_info must be a JSON object"},
		{"NUL", doc("single", fmt.Sprintf(`{"listened_at":%d,"track_metadata":{"artist_name":"A\u0000","track_name":"T"}}`, ts)), 400, "NUL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newLB(t, Options{})
			r := submit(t, s, tc.body)
			checkRateHeaders(t, r)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			if tc.status == 200 {
				if strings.TrimSpace(r.body) != `{"status":"ok"}` {
					t.Errorf("body %s", r.body)
				}
				return
			}
			if msg := lbError(t, r); !strings.Contains(msg, tc.msg) {
				t.Errorf("error %q, want it to hold %q", msg, tc.msg)
			}
			if n := len(s.Listens("alice")); n != 0 || s.PlayingNow("alice") != nil {
				t.Errorf("a refused submission stored %d listens, playing now %v", n, s.PlayingNow("alice"))
			}
		})
	}
}

func TestListenBrainzStores(t *testing.T) {
	s := newLB(t, Options{})
	ts := lbNow.Unix() - 60
	one := fmt.Sprintf(`{"listened_at":%d,"track_metadata":{"artist_name":"Ä","track_name":"T1","release_name":"R",`+
		`"additional_info":{"duration_ms":215000,"tracknumber":"3","recording_mbid":"m","submission_client":"lastfmd"}}}`, ts)
	for _, body := range []string{
		doc("playing_now", listenJSON(0, "A", "Now")),
		doc("single", one),
		doc("import", listenJSON(ts+1, "B", "T2"), one), // one again: a duplicate, stored
		doc("playing_now", `{"track_metadata":{"artist_name":"A","track_name":"Later"}}`),
	} {
		if r := submit(t, s, body); r.status != 200 {
			t.Fatalf("%s: %d %s", body, r.status, r.body)
		}
	}
	got := s.Listens("ALICE")
	if len(got) != 3 {
		t.Fatalf("listens %+v", got)
	}
	l := got[0]
	if l.ListenType != ListenSingle || l.ListenedAt != ts || l.Artist != "Ä" || l.Track != "T1" || l.Release != "R" || !l.At.Equal(lbNow) {
		t.Errorf("listen %+v", l)
	}
	if l.AdditionalInfo["duration_ms"] != json.Number("215000") || l.AdditionalInfo["tracknumber"] != "3" ||
		l.AdditionalInfo["recording_mbid"] != "m" || l.AdditionalInfo["submission_client"] != "lastfmd" {
		t.Errorf("additional_info %#v", l.AdditionalInfo)
	}
	if !strings.HasPrefix(l.Raw, `{"listened_at":`) || !strings.Contains(l.Raw, `"duration_ms":215000`) {
		t.Errorf("raw %s", l.Raw)
	}
	if got[1].ListenType != ListenImport || got[1].Track != "T2" || got[2].Track != "T1" || got[2].ListenedAt != ts {
		t.Errorf("import stored %+v", got[1:])
	}
	np := s.PlayingNow("alice")
	if np == nil || np.Track != "Later" || np.ListenType != ListenPlayingNow || np.ListenedAt != 0 {
		t.Errorf("playing now %+v", np)
	}
	got[0].AdditionalInfo["duration_ms"] = "changed"
	if s.Listens("alice")[0].AdditionalInfo["duration_ms"] != json.Number("215000") {
		t.Error("Listens shares its maps with the emulator")
	}
	if s.Listens("bob") != nil || s.PlayingNow("bob") != nil {
		t.Error("an unknown user has listens")
	}
}

func TestListenBrainzTokens(t *testing.T) {
	s := newLB(t, Options{})
	bobTok := s.NewUserToken("Bob")
	if len(bobTok) != 36 || strings.Count(bobTok, "-") != 4 {
		t.Errorf("token %q is not a UUID", bobTok)
	}
	if u, ok := s.TokenUser(bobTok); !ok || u != "Bob" {
		t.Errorf("TokenUser = %q %v", u, ok)
	}
	s.AddUserToken("carol", "tok-carol")
	s.RevokeUserToken("tok-carol")
	body := doc("single", listenJSON(lbNow.Unix(), "A", "T"))
	cases := []struct {
		name, auth string
		status     int
		msg        string
	}{
		{"valid", "Token " + bobTok, 200, ""},
		{"no header", "", 401, "You need to provide an Authorization header."},
		{"no scheme", bobTok, 401, "Provided Authorization header is invalid."},
		{"Bearer", "Bearer " + bobTok, 401, "Provided Authorization header is invalid."},
		{"empty token", "Token ", 401, "Provided Authorization header is invalid."},
		{"unknown", "Token nope", 401, "Invalid authorization token."},
		{"revoked", "Token tok-carol", 401, "Invalid authorization token."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := lbDo(t, s, http.MethodPost, "/1/submit-listens", tc.auth, body)
			checkRateHeaders(t, r)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.status != 200 && lbError(t, r) != tc.msg {
				t.Errorf("error %q, want %q", lbError(t, r), tc.msg)
			}
		})
	}
	if n := len(s.Listens("bob")); n != 1 {
		t.Errorf("bob has %d listens, want 1", n)
	}
	// 401 comes before the document's checks.
	if r := lbDo(t, s, http.MethodPost, "/1/submit-listens", "Token nope", "junk"); r.status != 401 {
		t.Errorf("unknown token with a bad body: %d", r.status)
	}
}

func TestListenBrainzValidateToken(t *testing.T) {
	s := newLB(t, Options{})
	cases := []struct {
		name, path, auth string
		status           int
		want             string // the body, compacted
	}{
		{"header", "/1/validate-token", "Token tok-alice", 200, `{"code":200,"message":"Token valid.","user_name":"alice","valid":true}`},
		{"query", "/1/validate-token?token=tok-alice", "", 200, `{"code":200,"message":"Token valid.","user_name":"alice","valid":true}`},
		{"query first", "/1/validate-token?token=nope", "Token tok-alice", 200, `{"code":200,"message":"Token invalid.","valid":false}`},
		{"invalid", "/1/validate-token", "Token nope", 200, `{"code":200,"message":"Token invalid.","valid":false}`},
		{"none", "/1/validate-token", "", 400, `{"code":400,"error":"You need to provide an Authorization token."}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := lbDo(t, s, http.MethodGet, tc.path, tc.auth, "")
			checkRateHeaders(t, r)
			if r.status != tc.status || strings.TrimSpace(r.body) != tc.want {
				t.Errorf("%d %s, want %d %s", r.status, r.body, tc.status, tc.want)
			}
		})
	}
}

func TestListenBrainzRoutes(t *testing.T) {
	s := newLB(t, Options{})
	if want := "http://" + s.Addr() + "/"; s.URL() != want {
		t.Errorf("URL %q, want %q", s.URL(), want)
	}
	if s.Name() != "listenbrainz" || ListenBrainz.String() != "listenbrainz" {
		t.Errorf("names %q %q", s.Name(), ListenBrainz)
	}
	cases := []struct {
		verb, path string
		status     int
	}{
		{http.MethodGet, "/1/submit-listens", 405},
		{http.MethodPost, "/1/validate-token", 405},
		{http.MethodGet, "/2.0/?method=auth.getToken", 404},
		{http.MethodGet, "/1/submit-listens/", 404},
		{http.MethodGet, "/1/user/alice/listens", 404},
		{http.MethodOptions, "/1/submit-listens", 200},
	}
	for _, tc := range cases {
		r := lbDo(t, s, tc.verb, tc.path, "Token tok-alice", "")
		if r.status != tc.status {
			t.Errorf("%s %s: %d, want %d", tc.verb, tc.path, r.status, tc.status)
		}
		if tc.status != 200 {
			lbError(t, r)
		}
	}
	for _, o := range []Options{{Lacks: []string{"track.love"}}, {LooseScrobbleAnswer: true}, {RateLimit: -1}} {
		o.Service = ListenBrainz
		if s, err := New(o); err == nil {
			_ = s.Close()
			t.Errorf("New(%+v) accepted", o)
		}
	}
}

func TestListenBrainzRateLimit(t *testing.T) {
	var mu sync.Mutex
	now := lbNow
	s := newLB(t, Options{RateLimit: 2, RateWindow: 10 * time.Second, Now: func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return now
	}})
	s.AddUserToken("bob", "tok-bob")
	body := doc("single", listenJSON(lbNow.Unix(), "A", "T"))
	reset := fmt.Sprint(lbNow.Unix() + 7)
	steps := []struct {
		name      string
		advance   time.Duration
		auth      string
		status    int
		remaining string
		resetIn   string
	}{
		{"first", 0, "Token tok-alice", 200, "1", "7"},
		{"second", 2 * time.Second, "Token tok-alice", 200, "0", "5"},
		{"third: limited", 0, "Token tok-alice", 429, "0", "5"},
		{"another token has its own window", 0, "Token tok-bob", 200, "1", "5"},
		{"a refused one counts and carries the headers", 0, "Token nope", 401, "1", "5"},
		{"still limited", 4 * time.Second, "Token tok-alice", 429, "0", "1"},
		{"next window", time.Second, "Token tok-alice", 200, "1", "10"},
	}
	for _, st := range steps {
		mu.Lock()
		now = now.Add(st.advance)
		mu.Unlock()
		r := submit(t, s, body)
		if st.auth != "Token tok-alice" {
			r = lbDo(t, s, http.MethodPost, "/1/submit-listens", st.auth, body)
		}
		h := r.header
		if r.status != st.status || h.Get("X-RateLimit-Limit") != "2" || h.Get("X-RateLimit-Remaining") != st.remaining ||
			h.Get("X-RateLimit-Reset-In") != st.resetIn {
			t.Errorf("%s: %d limit %s remaining %s reset-in %s, want %d remaining %s reset-in %s (%s)", st.name, r.status,
				h.Get("X-RateLimit-Limit"), h.Get("X-RateLimit-Remaining"), h.Get("X-RateLimit-Reset-In"),
				st.status, st.remaining, st.resetIn, r.body)
		}
		if st.name == "first" && h.Get("X-RateLimit-Reset") != reset {
			t.Errorf("X-RateLimit-Reset %s, want %s", h.Get("X-RateLimit-Reset"), reset)
		}
		if st.status == 429 && !strings.Contains(lbError(t, r), "rate limit") {
			t.Errorf("429 body %s", r.body)
		}
	}
	if n := len(s.Listens("alice")); n != 3 {
		t.Errorf("alice has %d listens, want 3 (the 429s store nothing)", n)
	}
	// The default is generous.
	d := newLB(t, Options{})
	if r := submit(t, d, body); r.header.Get("X-RateLimit-Limit") != "100000" || r.header.Get("X-RateLimit-Reset-In") != "7" {
		t.Errorf("default headers %v", r.header)
	}
}

func TestListenBrainzFaults(t *testing.T) {
	ts := lbNow.Unix() - 60
	batch := doc("import", listenJSON(ts, "A", "Good"), listenJSON(ts+1, "A", "Bad"), listenJSON(ts+2, "Bad", "Other"))
	cases := []struct {
		name      string
		fault     Fault
		body      string // "" = batch
		status    int
		msg       string // a part of the error ("" when not ListenBrainz's JSON error)
		want      string // a part of the body, for answers that are not ListenBrainz's
		stored    int
		remaining string // "" = not checked
		resetIn   string
	}{
		{name: "401", fault: Fault{Method: "submit-listens", Code: 401}, status: 401, msg: "Invalid authorization token."},
		{name: "429 with Reset-In", fault: Fault{Code: 429, ResetIn: 29500 * time.Millisecond}, status: 429, msg: "rate limit", remaining: "0", resetIn: "30"},
		{name: "429 without", fault: Fault{Code: 429}, status: 429, msg: "rate limit", remaining: "0", resetIn: "7"},
		{name: "Remaining 0 on an answer processed", fault: Fault{ResetIn: 5 * time.Second}, status: 200, stored: 3, remaining: "0", resetIn: "5"},
		{name: "503", fault: Fault{Code: 503}, status: 503, msg: "try again later"},
		{name: "500 with its own status", fault: Fault{Code: 500, HTTPStatus: 502}, status: 502, want: `{"code":500,"error":"An unknown error occurred."}`},
		{name: "bare 502", fault: Fault{HTTPStatus: 502}, status: 502, want: "<center><h1>502 Bad Gateway</h1></center>"},
		{name: "HTML", fault: Fault{Answer: AnswerHTML}, status: 200, want: "<!DOCTYPE html>"},
		{name: "wrong shape", fault: Fault{Answer: AnswerWrongShape}, status: 200, want: `[{"status":"ok"}]`},
		{name: "unexpected", fault: Fault{Answer: AnswerUnexpected}, status: 200, want: `{"code":200,"message":"ok"}`},
		{name: "truncated, stored", fault: Fault{Answer: AnswerTruncated}, status: 200, want: `{"statu`, stored: 3},
		{name: "echo", fault: Fault{Answer: AnswerEcho}, status: 400, msg: "Authorization: Token tok-alice"},
		{name: "bad item by track", fault: Fault{BadItem: "Bad"}, status: 400, msg: `payload[1]: Value for key track_metadata.track_name is refused: "Bad".`},
		{name: "bad item by artist", fault: Fault{BadItem: "Bad"}, body: doc("import", listenJSON(ts, "A", "Good"), listenJSON(ts+2, "Bad", "Other")), status: 400, msg: "payload[1]: Value for key track_metadata.artist_name"},
		{name: "bad item absent", fault: Fault{BadItem: "Bad"}, body: doc("single", listenJSON(ts, "A", "Good")), status: 200, stored: 1},
		{name: "bad item with a status", fault: Fault{BadItem: "Bad", Code: 500}, status: 500, msg: "payload[1]"},
		{name: "ignored", fault: Fault{IgnoreCode: 5}, status: 200},
		{name: "for validate-token only", fault: Fault{Method: "validate-token", Code: 503}, status: 200, stored: 3},
		{name: "for a Last.fm method", fault: Fault{Method: "track.scrobble", Code: 503}, status: 200, stored: 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newLB(t, Options{})
			s.Fail(tc.fault)
			body := tc.body
			if body == "" {
				body = batch
			}
			r := submit(t, s, body)
			checkRateHeaders(t, r)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.msg != "" {
				if msg := lbError(t, r); !strings.Contains(msg, tc.msg) {
					t.Errorf("error %q, want it to hold %q", msg, tc.msg)
				}
			}
			if !strings.Contains(r.body, tc.want) {
				t.Errorf("body %q, want it to hold %q", r.body, tc.want)
			}
			if n := len(s.Listens("alice")); n != tc.stored {
				t.Errorf("stored %d listens, want %d", n, tc.stored)
			}
			if tc.remaining != "" && (r.header.Get("X-RateLimit-Remaining") != tc.remaining || r.header.Get("X-RateLimit-Reset-In") != tc.resetIn) {
				t.Errorf("remaining %s reset-in %s, want %s %s", r.header.Get("X-RateLimit-Remaining"),
					r.header.Get("X-RateLimit-Reset-In"), tc.remaining, tc.resetIn)
			}
		})
	}
}

func TestListenBrainzFaultTimesAndValidate(t *testing.T) {
	s := newLB(t, Options{})
	s.Fail(Fault{Method: "validate-token", Code: 503, Times: 1})
	s.Fail(Fault{BadItem: "Bad", Times: 1})
	if r := lbDo(t, s, http.MethodGet, "/1/validate-token", "Token tok-alice", ""); r.status != 503 {
		t.Errorf("validate-token under a fault: %d %s", r.status, r.body)
	}
	if r := lbDo(t, s, http.MethodGet, "/1/validate-token", "Token tok-alice", ""); r.status != 200 {
		t.Errorf("validate-token after the fault: %d %s", r.status, r.body)
	}
	bad := doc("single", listenJSON(lbNow.Unix(), "A", "Bad"))
	if r := submit(t, s, bad); r.status != 400 {
		t.Errorf("bad item: %d", r.status)
	}
	if r := submit(t, s, bad); r.status != 200 {
		t.Errorf("bad item after Times: %d", r.status)
	}
	if len(s.Faults()) != 0 {
		t.Errorf("faults left %+v", s.Faults())
	}
	s.Fail(Fault{Drop: true, Times: 1})
	req, _ := http.NewRequest(http.MethodPost, s.URL()+"1/submit-listens", strings.NewReader(bad))
	req.Header.Set("Authorization", "Token tok-alice")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("dropped request answered %d", resp.StatusCode)
	}
}

func TestListenBrainzRecords(t *testing.T) {
	var mu sync.Mutex
	var logged strings.Builder
	s := newLB(t, Options{Logf: func(f string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(&logged, f+"\n", a...)
	}})
	body := doc("single", listenJSON(lbNow.Unix(), "A", "T"))
	submit(t, s, body)
	lbDo(t, s, http.MethodGet, "/1/validate-token?token=tok-alice", "", "")
	lbDo(t, s, http.MethodPost, "/1/submit-listens", "Token tok-alice", "junk")
	reqs := s.Requests()
	if len(reqs) != 3 || s.Count("submit-listens") != 2 || s.Count("validate-token") != 1 {
		t.Fatalf("requests %+v", reqs)
	}
	r := reqs[0]
	if r.HTTPMethod != "POST" || r.Path != "/1/submit-listens" || r.Method != "submit-listens" || r.Body != body ||
		r.Header.Get("Authorization") != "Token tok-alice" || r.Service != "listenbrainz" || !r.At.Equal(lbNow) {
		t.Errorf("record %+v", r)
	}
	if reqs[1].Params["token"] != "tok-alice" {
		t.Errorf("validate-token record %+v", reqs[1])
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(logged.String(), "emulator listenbrainz: POST submit-listens -> 200 ok") {
		t.Errorf("log %q", logged.String())
	}
	if strings.Contains(logged.String(), "tok-alice") {
		t.Errorf("the log has the token: %q", logged.String())
	}
}
