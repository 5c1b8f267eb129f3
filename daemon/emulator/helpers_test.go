package emulator

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// newTestServer starts an emulator closed at the end of the test.
func newTestServer(t *testing.T, o Options) *Server {
	t.Helper()
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// P is a parameter set.
type P map[string]string

// requestCase is one row of a table of requests and the answers they get.
type requestCase struct {
	name   string
	verb   string // GET or POST
	params P
	status int // HTTP status
	code   int // Last.fm error code, 0 for ok
}

// signed returns params with the emulator's api_key and a correct api_sig.
func signed(s *Server, p P) P {
	out := P{"api_key": s.APIKey()}
	for k, v := range p {
		out[k] = v
	}
	out["api_sig"] = Sign(out, s.Secret())
	return out
}

// unsignedP returns params with the emulator's api_key only.
func unsignedP(s *Server, p P) P {
	out := P{"api_key": s.APIKey()}
	for k, v := range p {
		out[k] = v
	}
	return out
}

func form(p P) url.Values {
	v := url.Values{}
	for k, val := range p {
		v.Set(k, val)
	}
	return v
}

// reply is an answer as a test sees it.
type reply struct {
	status int
	header http.Header
	body   string
}

// do sends params by GET (query) or POST (form body).
func do(t *testing.T, s *Server, method string, p P) reply {
	t.Helper()
	var req *http.Request
	var err error
	if method == http.MethodGet {
		req, err = http.NewRequest(method, s.URL()+"?"+form(p).Encode(), nil)
	} else {
		req, err = http.NewRequest(method, s.URL(), strings.NewReader(form(p).Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %v: %v", method, p["method"], err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// jsonOf decodes a JSON answer.
func jsonOf(t *testing.T, r reply) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("bad JSON %q: %v", r.body, err)
	}
	return m
}

// lfm is the XML envelope.
type lfm struct {
	XMLName xml.Name `xml:"lfm"`
	Status  string   `xml:"status,attr"`
	Error   struct {
		Code int    `xml:"code,attr"`
		Text string `xml:",chardata"`
	} `xml:"error"`
	Inner []byte `xml:",innerxml"`
}

func xmlOf(t *testing.T, r reply) lfm {
	t.Helper()
	var l lfm
	if err := xml.Unmarshal([]byte(r.body), &l); err != nil {
		t.Fatalf("bad XML %q: %v", r.body, err)
	}
	return l
}

// errorCode extracts the Last.fm error code of an XML, JSON or JSONP answer (0: ok).
func errorCode(t *testing.T, r reply) int {
	t.Helper()
	body := r.body
	if strings.HasPrefix(r.header.Get("Content-Type"), "text/javascript") {
		i, j := strings.IndexByte(body, '('), strings.LastIndexByte(body, ')')
		body = body[i+1 : j]
	}
	if strings.HasPrefix(r.header.Get("Content-Type"), "text/xml") {
		l := xmlOf(t, reply{body: body})
		if l.Status == "ok" {
			return 0
		}
		return l.Error.Code
	}
	m := jsonOf(t, reply{body: body})
	if c, ok := m["error"].(float64); ok {
		return int(c)
	}
	return 0
}

// path walks a decoded JSON value by keys and indices.
func path(v any, keys ...any) any {
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}
