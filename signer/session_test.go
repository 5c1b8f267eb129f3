package signer

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

func TestParseSession(t *testing.T) {
	cases := []struct {
		name, body string
		want       Session
		err        bool
	}{
		{"subscriber as string", `{"session":{"name":"Alice","key":"k123","subscriber":"1"}}`, Session{"Alice", "k123", 1}, false},
		{"subscriber as number", `{"session":{"name":"bob","key":"k","subscriber":1}}`, Session{"bob", "k", 1}, false},
		{"not a subscriber", `{"session":{"name":"bob","key":"k","subscriber":"0"}}`, Session{"bob", "k", 0}, false},
		{"no subscriber", `{"session":{"name":"bob","key":"k"}}`, Session{"bob", "k", 0}, false},
		{"no key", `{"session":{"name":"bob"}}`, Session{}, true},
		{"no name", `{"session":{"key":"k"}}`, Session{}, true},
		{"key with a space", `{"session":{"name":"bob","key":"a b"}}`, Session{}, true},
		{"key with a newline", `{"session":{"name":"bob","key":"a\nb"}}`, Session{}, true},
		{"huge key", `{"session":{"name":"bob","key":"` + strings.Repeat("k", MaxOpaque+1) + `"}}`, Session{}, true},
		{"XML", `<lfm status="ok"><session><name>bob</name><key>k</key></session></lfm>`, Session{}, true},
		{"an error answer", `{"error":4,"message":"Authentication Failed"}`, Session{}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := ParseSession([]byte(c.body))
			if (err != nil) != c.err || got != c.want {
				t.Fatalf("ParseSession = %+v, %v; want %+v, error %v", got, err, c.want, c.err)
			}
			if err != nil && strings.Contains(err.Error(), "a b") {
				t.Errorf("error %q repeats the key", err)
			}
		})
	}
}

func TestCheckOpaque(t *testing.T) {
	cases := map[string]bool{
		"":                               false,
		"abc-DEF_123":                    true,
		strings.Repeat("x", MaxOpaque):   true,
		strings.Repeat("x", MaxOpaque+1): false,
		"a b":                            false,
		"a\tb":                           false,
		"caf\u00e9":                      false,
		"a\x7fb":                         false,
		"%2F&=?":                         true,
	}
	for s, ok := range cases {
		if err := CheckOpaque(s); (err == nil) != ok {
			t.Errorf("CheckOpaque(%q) = %v, want ok %v", s, err, ok)
		}
	}
}

func TestSessionAnswerRoundTrip(t *testing.T) {
	s := Session{Name: "a<b&c", Key: "a<b&c", Subscriber: 1}
	ct, body := SessionAnswer("json", s)
	if !strings.HasPrefix(ct, "application/json") {
		t.Errorf("content type %q", ct)
	}
	got, err := ParseSession(body)
	if err != nil || got != s {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	var v map[string]any
	if json.Unmarshal(body, &v) != nil {
		t.Fatalf("not JSON: %s", body)
	}
	ct, body = SessionAnswer("xml", s)
	want := "<name>a&lt;b&amp;c</name>\n<key>a&lt;b&amp;c</key>\n<subscriber>1</subscriber>"
	if !strings.HasPrefix(ct, "text/xml") || !strings.Contains(string(body), want) {
		t.Errorf("XML %s %s", ct, body)
	}
}

func FuzzParseSession(f *testing.F) {
	f.Add([]byte(`{"session":{"name":"Alice","key":"k123","subscriber":"1"}}`))
	f.Add([]byte(`{"session":{"name":"x","key":"a b"}}`))
	f.Add([]byte(`{"session":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		s, err := ParseSession(body)
		if err != nil {
			if s != (Session{}) {
				t.Fatalf("error %v with session %+v", err, s)
			}
			return
		}
		if s.Name == "" || CheckOpaque(s.Key) != nil || (s.Subscriber != 0 && s.Subscriber != 1) {
			t.Fatalf("accepted %+v", s)
		}
	})
}

func TestParseToken(t *testing.T) {
	cases := []struct {
		body string
		ok   bool
	}{
		{`{"token":"_AijaIJbA789aA7NMXmanQLKalG8zqDY"}`, true},
		{`{"token":""}`, false},
		{`{}`, false},
		{`<lfm status="ok"><token>x</token></lfm>`, false},
		{`{"token":"has space"}`, false},
		{`{"token":"a&b=c\n"}`, false},
		{`{"token":"` + strings.Repeat("x", 300) + `"}`, false},
		{`{"token":5}`, false},
	}
	for _, c := range cases {
		tok, err := ParseToken([]byte(c.body))
		if (err == nil) != c.ok {
			t.Errorf("ParseToken(%s) = %q, %v", c.body, tok, err)
		}
	}
}

func FuzzParseToken(f *testing.F) {
	f.Add([]byte(`{"token":"_AijaIJbA789aA7NMXmanQLKalG8zqDY"}`))
	f.Add([]byte(`{"token":"a b"}`))
	f.Add([]byte(`{"token":null}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, body []byte) {
		tok, err := ParseToken(body)
		if err != nil {
			return
		}
		if tok == "" || len(tok) > 256 || strings.ContainsAny(tok, " \t\r\n") {
			t.Fatalf("accepted token %q", tok)
		}
		if url.QueryEscape(tok) == "" {
			t.Fatal("unusable token")
		}
	})
}

// The older authToken form: md5(lowercase(username) + md5(password)), as
// Libre.fm computes it (md5("alice" + md5("alice-pw")), worked out with
// Python's hashlib); a login without a password is left alone.
func TestMobileLoginWithAuthToken(t *testing.T) {
	cases := []struct {
		name string
		in   MobileLogin
		want MobileLogin
	}{
		{"password", MobileLogin{Username: "alice", Password: "alice-pw", Account: "a"},
			MobileLogin{Username: "alice", AuthToken: "b1f700af222fea09e1de2071276cfad7", Account: "a"}},
		{"user name in capitals", MobileLogin{Username: "ALICE", Password: "alice-pw"},
			MobileLogin{Username: "ALICE", AuthToken: "b1f700af222fea09e1de2071276cfad7"}},
		{"already a token", MobileLogin{Username: "alice", AuthToken: "t"}, MobileLogin{Username: "alice", AuthToken: "t"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.in.WithAuthToken(); got != c.want {
				t.Errorf("got %+v, want %+v", got, c.want)
			}
		})
	}
}
