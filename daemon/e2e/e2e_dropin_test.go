package e2e_test

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

const dummyKey = "ffffffffffffffffffffffffffffffff" // a drop-in client's own key; lastfmd drops it

func TestDropInJSON(t *testing.T) {
	h := newHarness(t)
	a := h.get("/2.0/?method=artist.getInfo&artist=Cher&format=json&api_key=" + dummyKey)
	wantStatus(t, a, 200)
	wantContains(t, a.header.Get("Content-Type"), "application/json")
	wantContains(t, a.body, `"artist"`, `"Cher"`)
	if got := h.last("artist.getInfo").Params["api_key"]; got != testKey {
		t.Errorf("api_key sent %q: the client's key must be replaced", got)
	}
}

// Every call POSTed with no format, as pylast does: XML answers.
func TestDropInPOSTWithoutFormatIsXML(t *testing.T) {
	h := newHarness(t)
	a := h.postForm("/2.0/", url.Values{"method": {"artist.getInfo"}, "artist": {"Cher"}, "api_key": {dummyKey}})
	wantStatus(t, a, 200)
	wantContains(t, a.header.Get("Content-Type"), "xml")
	wantContains(t, a.body, `<lfm status="ok">`, "<name>Cher</name>")
	if err := xml.Unmarshal([]byte(a.body), new(struct{})); err != nil {
		t.Errorf("not XML: %v", err)
	}
}

func TestDropInJSONP(t *testing.T) {
	h := newHarness(t)
	a := h.get("/2.0/?method=artist.getInfo&artist=Cher&format=json&callback=cb.show_1")
	wantStatus(t, a, 200)
	if !strings.HasPrefix(a.body, "cb.show_1(") {
		t.Fatalf("body %.60s", a.body)
	}
	wantContains(t, a.header.Get("Content-Type"), "javascript")
	// A callback that is not an identifier is refused, never echoed.
	a = h.get("/2.0/?method=artist.getInfo&artist=Cher&format=json&callback=alert(1)//")
	wantStatus(t, a, 400)
	if strings.Contains(a.body, "alert(1)") {
		t.Errorf("callback echoed: %s", a.body)
	}
}

// JSONP is honoured only for unsigned reads.
func TestDropInJSONPRefusedWhenSigned(t *testing.T) {
	h := newHarness(t)
	a := h.get("/2.0/?method=user.getInfo&format=json&callback=cb&sk=anything")
	wantStatus(t, a, 400)
	wantContains(t, a.body, `"error":6`)
}

func TestDropInOwnErrorsInXMLWithoutFormat(t *testing.T) {
	h := newHarness(t)
	a := h.get("/2.0/?artist=Cher") // no method
	wantStatus(t, a, 400)
	wantContains(t, a.header.Get("Content-Type"), "xml")
	wantContains(t, a.body, `<lfm status="failed">`, `<error code="6">`)
	a = h.get("/2.0/?artist=Cher&format=json")
	wantStatus(t, a, 400)
	wantContains(t, a.body, `"error":6`)
}

func TestDropInPassesLastfmErrorThrough(t *testing.T) {
	h := newHarness(t)
	a := h.get("/2.0/?method=artist.getInfo&artist=Unknown+Artist")
	if a.status < 400 {
		t.Fatalf("status %d", a.status)
	}
	wantContains(t, a.body, `<error code="6">`)
}

// A POST body labelled text/plain is still a form.
func TestDropInTextPlainBody(t *testing.T) {
	h := newHarness(t)
	a := h.post("/2.0/", "text/plain;charset=UTF-8", "method=track.love&artist=Cher&track=Believe&api_key="+dummyKey+"&sk=x&format=json")
	wantStatus(t, a, 200)
	if len(h.emu.Loved("alice")) != 1 {
		t.Error("not loved")
	}
}

// format in the query of a POST, the rest in the body; /2.0 without the
// trailing slash; method names in any case.
func TestDropInFormatInQueryOfPOST(t *testing.T) {
	h := newHarness(t)
	a := h.postForm("/2.0?format=json", url.Values{"method": {"Track.love"}, "artist": {"Cher"}, "track": {"Believe"}, "sk": {"x"}})
	wantStatus(t, a, 200)
	wantContains(t, a.header.Get("Content-Type"), "json")
	if got := h.last("track.love").Params["method"]; got != "track.love" {
		t.Errorf("sent method %q", got)
	}
	a = h.postForm("/2.0", url.Values{"method": {"auth.getsession"}, "token": {"t"}, "format": {"JSON"}})
	wantStatus(t, a, 403)
	wantContains(t, a.body, `"error":4`, "lastfmd auth login")
}

func TestDropInWriteByGETRefused(t *testing.T) {
	h := newHarness(t)
	a := h.get("/2.0/?method=track.love&artist=Cher&track=Believe&sk=x&api_key=" + dummyKey)
	wantStatus(t, a, 400)
	wantContains(t, a.body, `<error code="3">`, "POST")
	a = h.get("/2.0/?method=auth.getMobileSession&username=alice&password=alice-pw")
	wantStatus(t, a, 403)
	wantContains(t, a.body, `<error code="4">`, "POST")
	if n := h.emu.Count(""); n != 0 {
		t.Errorf("%d requests reached the emulator", n)
	}
}

// An extra parameter such as lang is signed along with the rest.
func TestDropInExtraSignedParam(t *testing.T) {
	h := newHarness(t)
	a := h.postForm("/2.0/", url.Values{"method": {"track.love"}, "artist": {"Cher"}, "track": {"Believe"}, "lang": {"de"}, "sk": {"x"}, "api_sig": {"whatever"}})
	wantStatus(t, a, 200)
	r := h.last("track.love")
	if r.Params["lang"] != "de" {
		t.Errorf("lang not forwarded")
	}
}

// A client that signs its reads and sends a dummy sk: the read is signed
// with the default account and sent by POST.
func TestDropInSignedReadWithDummySK(t *testing.T) {
	h := newHarness(t)
	a := h.get("/2.0/?method=user.getInfo&format=json&api_key=" + dummyKey + "&sk=PLACEHOLDER&api_sig=0123")
	wantStatus(t, a, 200)
	wantContains(t, a.body, `"name":"alice"`)
	r := h.last("user.getInfo")
	if r.HTTPMethod != http.MethodPost || r.Params["sk"] != h.sk || r.RawQuery != "" {
		t.Errorf("signed read sent by %s, sk ok=%v, query %q", r.HTTPMethod, r.Params["sk"] == h.sk, r.RawQuery)
	}
}

func TestDropInGetTokenAnswers4WithHint(t *testing.T) {
	h := newHarness(t)
	a := h.get("/2.0/?method=auth.getToken&api_key=" + dummyKey + "&api_sig=abc")
	wantStatus(t, a, 403)
	wantContains(t, a.body, `<error code="4">`, "lastfmd auth login", "sk=ACCOUNT")
	if n := h.emu.Count(""); n != 0 {
		t.Errorf("%d requests reached the emulator", n)
	}
}

// auth.getMobileSession in both forms answers an account name, never a key;
// that name sent back as sk selects the account.
func TestDropInMobileSession(t *testing.T) {
	h := newHarnessAccount(t, noAccount)
	md := func(s string) string { x := md5.Sum([]byte(s)); return hex.EncodeToString(x[:]) }
	forms := map[string]url.Values{
		"password":  {"method": {"auth.getMobileSession"}, "username": {"bob"}, "password": {"bob-pw"}, "api_key": {dummyKey}, "api_sig": {"x"}, "format": {"json"}},
		"authToken": {"method": {"auth.getMobileSession"}, "username": {"alice"}, "authToken": {md("alice" + md("alice-pw"))}, "api_key": {dummyKey}, "api_sig": {"x"}},
	}
	for name, form := range forms {
		t.Run(name, func(t *testing.T) {
			a := h.postForm("/2.0/", form)
			wantStatus(t, a, 200)
			user := form.Get("username")
			if form.Get("format") == "json" {
				var v struct {
					Session struct{ Name, Key string } `json:"session"`
				}
				if err := json.Unmarshal([]byte(a.body), &v); err != nil || v.Session.Name != user || v.Session.Key != user {
					t.Fatalf("body %s", a.body)
				}
			} else {
				wantContains(t, a.body, "<name>"+user+"</name>", "<key>"+user+"</key>")
			}
			r := h.last("auth.getMobileSession")
			if r.HTTPMethod != http.MethodPost || r.Params["api_sig"] == "" {
				t.Errorf("getMobileSession not a signed POST")
			}
			// The name as sk selects that account for a write.
			a = h.postForm("/2.0/", url.Values{"method": {"track.love"}, "artist": {"A-" + user}, "track": {"T"}, "sk": {user}})
			wantStatus(t, a, 200)
			if got := h.emu.Loved(user); len(got) != 1 {
				t.Errorf("%s loved %v", user, got)
			}
		})
	}
	for _, acc := range h.m.Accounts.List() {
		if strings.Contains(h.logs.String(), acc.Key) {
			t.Errorf("session key of %s logged", acc.Name)
		}
	}
	// A wrong password: Last.fm's error 4, in the client's format.
	a := h.postForm("/2.0/", url.Values{"method": {"auth.getMobileSession"}, "username": {"bob"}, "password": {"wrong"}})
	if a.status != 403 || !strings.Contains(a.body, `<error code="4">`) {
		t.Errorf("wrong password: %d %s", a.status, a.body)
	}
	if strings.Contains(h.logs.String(), "bob-pw") || strings.Contains(h.logs.String(), "wrong") {
		t.Error("a password appears in the logs")
	}
}

func TestDropInTooManyScrobbles(t *testing.T) {
	h := newHarness(t)
	v := url.Values{"method": {"track.scrobble"}, "sk": {"x"}}
	for i := 0; i <= 50; i++ {
		n := strconv.Itoa(i)
		v.Set("artist["+n+"]", "A")
		v.Set("track["+n+"]", "T"+n)
		v.Set("timestamp["+n+"]", nowTS())
	}
	a := h.postForm("/2.0/", v)
	wantStatus(t, a, 400)
	wantContains(t, a.body, `<error code="6">`)
	if n := h.emu.Count(""); n != 0 {
		t.Errorf("%d requests reached the emulator", n)
	}
}

func TestDropInParamTwiceDifferentValues(t *testing.T) {
	h := newHarness(t)
	a := h.postForm("/2.0/?artist=Cher", url.Values{"method": {"artist.getInfo"}, "artist": {"Madonna"}})
	wantStatus(t, a, 400)
	wantContains(t, a.body, "twice")
	// The same value twice is fine.
	a = h.postForm("/2.0/?artist=Cher", url.Values{"method": {"artist.getInfo"}, "artist": {"Cher"}})
	wantStatus(t, a, 200)
}
