package client

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/lastfmd/lastfmd/daemon/closedport"
)

// seen is one request as the fake daemon received it.
type seen struct {
	method, uri, body, auth, account, ctype string
}

// fakeDaemon answers every request with status and body, and records it.
func fakeDaemon(t *testing.T, status int, body string) (*httptest.Server, *seen) {
	t.Helper()
	got := &seen{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		*got = seen{r.Method, r.URL.RequestURI(), string(b), r.Header.Get("Authorization"), r.Header.Get("X-Lastfmd-Account"), r.Header.Get("Content-Type")}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, got
}

// Each method: the request it sends, and what it makes of the answer.
func TestMethods(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		answer string
		call   func(c *Client) (any, error)
		want   seen // auth "Bearer tok" unless a probe
		result any
	}{
		{"read", `{"artist":{"name":"Cher"}}`,
			func(c *Client) (any, error) {
				a, err := c.Call(ctx, "ARTIST.getinfo", map[string]string{"artist": "Cher & Sonny"}, "work")
				return string(a.Body), err
			},
			seen{method: "GET", uri: "/v1/artist.getInfo?artist=Cher+%26+Sonny", account: "work"}, `{"artist":{"name":"Cher"}}`},
		{"write", `{}`,
			func(c *Client) (any, error) {
				_, err := c.Call(ctx, "track.love", map[string]string{"artist": "Cher", "track": "Believe"}, "")
				return nil, err
			},
			seen{method: "POST", uri: "/v1/track.love", body: `{"artist":"Cher","track":"Believe"}`, ctype: "application/json"}, nil},
		{"unknown method goes by GET", `{}`,
			func(c *Client) (any, error) { _, err := c.Call(ctx, "no.such", nil, ""); return nil, err },
			seen{method: "GET", uri: "/v1/no.such"}, nil},
		{"status", `{"version":"1.2","accounts":[{"name":"a","default":true,"needs_signin":false,"scrobbles_today":3}],"queue":{"pending":2}}`,
			func(c *Client) (any, error) { return c.Status(ctx) },
			seen{method: "GET", uri: "/v1/status"},
			&Status{Version: "1.2", Accounts: []AccountStatus{{Name: "a", Default: true, ScrobblesToday: 3}}, Queue: QueueStatus{Pending: 2}}},
		{"queue", `{"pending":1,"dead":0,"accounts":[],"items":[{"id":7,"destination":"librefm","account":"a","method":"track.scrobble","params":{"artist":"Cher"},"added":"2026-01-02T03:04:05Z"}],"dead_letters":[]}`,
			func(c *Client) (any, error) {
				q, err := c.Queue(ctx, 5, "")
				return len(q.Items) == 1 && q.Items[0].ID == 7 && q.Items[0].Destination == "librefm" && q.Items[0].Added.Year() == 2026, err
			},
			seen{method: "GET", uri: "/v1/queue?limit=5"}, true},
		{"queue of a mirror", `{"accounts":[],"items":[]}`,
			func(c *Client) (any, error) { _, err := c.Queue(ctx, 0, "libre fm"); return nil, err },
			seen{method: "GET", uri: "/v1/queue?mirror=libre+fm"}, nil},
		{"queue of a mirror, limited", `{"accounts":[],"items":[]}`,
			func(c *Client) (any, error) { _, err := c.Queue(ctx, 2, "librefm"); return nil, err },
			seen{method: "GET", uri: "/v1/queue?limit=2&mirror=librefm"}, nil},
		{"queue retry", `{"items":[{"id":7,"destination":"lastfm","result":"retrying"}]}`,
			func(c *Client) (any, error) { return c.QueueRetry(ctx, "", 7) },
			seen{method: "POST", uri: "/v1/queue/retry", body: `{"ids":[7]}`, ctype: "application/json"}, []QueueChange{{ID: 7, Destination: "lastfm", Result: "retrying"}}},
		{"queue retry on a mirror", `{"items":[{"id":7,"destination":"librefm","result":"retrying"}]}`,
			func(c *Client) (any, error) { return c.QueueRetry(ctx, "librefm", 7) },
			seen{method: "POST", uri: "/v1/queue/retry?mirror=librefm", body: `{"ids":[7]}`, ctype: "application/json"}, []QueueChange{{ID: 7, Destination: "librefm", Result: "retrying"}}},
		{"queue retry --force", `{"items":[{"id":7,"result":"retrying"}]}`,
			func(c *Client) (any, error) { return c.QueueRetryForce(ctx, "lastfm", 7) },
			seen{method: "POST", uri: "/v1/queue/retry?mirror=lastfm", body: `{"force":true,"ids":[7]}`, ctype: "application/json"}, []QueueChange{{ID: 7, Result: "retrying"}}},
		{"queue drop", `{"items":[{"id":8,"destination":"lastfm","result":"dropped"},{"id":9,"result":"unknown"}]}`,
			func(c *Client) (any, error) { return c.QueueDrop(ctx, "", 8, 9) },
			seen{method: "POST", uri: "/v1/queue/drop", body: `{"ids":[8,9]}`, ctype: "application/json"},
			[]QueueChange{{ID: 8, Destination: "lastfm", Result: "dropped"}, {ID: 9, Result: "unknown"}}},
		{"queue drop on a mirror", `{"items":[{"id":8,"destination":"librefm","result":"dropped"}]}`,
			func(c *Client) (any, error) { return c.QueueDrop(ctx, "librefm", 8) },
			seen{method: "POST", uri: "/v1/queue/drop?mirror=librefm", body: `{"ids":[8]}`, ctype: "application/json"}, []QueueChange{{ID: 8, Destination: "librefm", Result: "dropped"}}},
		{"queue export", "{\"state\":\"pending\"}\n{\"state\":\"sent\"}\n",
			func(c *Client) (any, error) {
				var b bytes.Buffer
				err := c.QueueExport(ctx, &b, "")
				return b.String(), err
			},
			seen{method: "GET", uri: "/v1/queue/export"}, "{\"state\":\"pending\"}\n{\"state\":\"sent\"}\n"},
		{"queue export of a mirror", "",
			func(c *Client) (any, error) { return nil, c.QueueExport(ctx, io.Discard, "librefm") },
			seen{method: "GET", uri: "/v1/queue/export?mirror=librefm"}, nil},
		{"queue import of a mirror", `{"pending":1,"skipped":2}`,
			func(c *Client) (any, error) {
				return c.QueueImport(ctx, [][]byte{[]byte(`{"state":"pending"}`)}, "librefm")
			},
			seen{method: "POST", uri: "/v1/queue/import?mirror=librefm", body: "{\"state\":\"pending\"}\n", ctype: "application/x-ndjson"},
			&QueueImported{Pending: 1, Skipped: 2}},
		{"login start", `{"id":"L1","state":"pending","url":"https://www.last.fm/api/auth?token=t","expires_at":"2026-01-01T00:00:00Z"}`,
			func(c *Client) (any, error) { return c.LoginStart(ctx, "work") },
			seen{method: "POST", uri: "/v1/auth/login", body: `{"account":"work"}`, ctype: "application/json"},
			&Login{ID: "L1", State: LoginPending, URL: "https://www.last.fm/api/auth?token=t", ExpiresAt: "2026-01-01T00:00:00Z"}},
		{"login poll", `{"id":"a/b","state":"signed_in","account":"work","user":"rj"}`,
			func(c *Client) (any, error) { return c.LoginPoll(ctx, "a/b") },
			seen{method: "GET", uri: "/v1/auth/login/a%2Fb"}, &Login{ID: "a/b", State: LoginSignedIn, Account: "work", User: "rj"}},
		{"mobile", `{"account":"rj","user":"rj","message":"Signed in as rj"}`,
			func(c *Client) (any, error) { return c.Mobile(ctx, "rj", "pw", "") },
			seen{method: "POST", uri: "/v1/auth/mobile", body: `{"account":"","password":"pw","username":"rj"}`, ctype: "application/json"},
			&SignedIn{Account: "rj", User: "rj", Message: "Signed in as rj"}},
		{"import", `{"account":"home","user":"rj","message":"m"}`,
			func(c *Client) (any, error) { return c.Import(ctx, "rj", "sk", "home") },
			seen{method: "POST", uri: "/v1/auth/import", body: `{"account":"home","session_key":"sk","username":"rj"}`, ctype: "application/json"},
			&SignedIn{Account: "home", User: "rj", Message: "m"}},
		{"default", `{"default":"home"}`,
			func(c *Client) (any, error) { return nil, c.SetDefault(ctx, "home") },
			seen{method: "POST", uri: "/v1/auth/default", body: `{"account":"home"}`, ctype: "application/json"}, nil},
		{"logout", `{"removed":"a b"}`,
			func(c *Client) (any, error) { return nil, c.Logout(ctx, "a b", true) },
			seen{method: "DELETE", uri: "/v1/auth/accounts/a%20b?force=1"}, nil},
		{"accounts", `{"accounts":[{"name":"rj","default":true,"needs_signin":false,"from_config":true}]}`,
			func(c *Client) (any, error) { return c.Accounts(ctx) },
			seen{method: "GET", uri: "/v1/auth/accounts"}, []Account{{Name: "rj", Default: true, FromConfig: true}}},
		{"web", `{"url":"http://127.0.0.1:7375/auth/?access=x"}`,
			func(c *Client) (any, error) { return c.WebURL(ctx) },
			seen{method: "POST", uri: "/v1/auth/web", body: `{}`, ctype: "application/json"}, "http://127.0.0.1:7375/auth/?access=x"},
		{"ready, no token", "ready\n",
			func(c *Client) (any, error) { return nil, c.Ready(ctx) },
			seen{method: "GET", uri: "/readyz", auth: "-"}, nil},
		{"health, no token", "ok\n",
			func(c *Client) (any, error) { return nil, c.Health(ctx) },
			seen{method: "GET", uri: "/healthz", auth: "-"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, got := fakeDaemon(t, 200, tc.answer)
			c, err := New(srv.URL+"/", WithToken("tok"))
			if err != nil {
				t.Fatal(err)
			}
			res, err := tc.call(c)
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			want := tc.want
			switch want.auth {
			case "":
				want.auth = "Bearer tok"
			case "-":
				want.auth = ""
			}
			if *got != want {
				t.Errorf("sent %+v\nwant %+v", *got, want)
			}
			if tc.result != nil && !reflect.DeepEqual(res, tc.result) {
				t.Errorf("result %#v\nwant %#v", res, tc.result)
			}
		})
	}
}

// Every method turns a refusal into the one *Error, with the code and
// message decoded; a /v1/ call also keeps the body as received.
func TestRefusals(t *testing.T) {
	ctx := context.Background()
	doc := `{"error":6,"message":"unknown account \"x\": see lastfmd auth status"}`
	srv, _ := fakeDaemon(t, 404, doc)
	c, _ := New(srv.URL)
	for name, call := range map[string]func() error{
		"Call":       func() error { _, err := c.Call(ctx, "artist.getInfo", nil, "x"); return err },
		"Status":     func() error { _, err := c.Status(ctx); return err },
		"Queue":      func() error { _, err := c.Queue(ctx, 0, ""); return err },
		"QueueRetry": func() error { _, err := c.QueueRetry(ctx, "", 1); return err },
		"Export":     func() error { return c.QueueExport(ctx, io.Discard, "") },
		"LoginStart": func() error { _, err := c.LoginStart(ctx, ""); return err },
		"Mobile":     func() error { _, err := c.Mobile(ctx, "u", "p", ""); return err },
		"SetDefault": func() error { return c.SetDefault(ctx, "x") },
		"Logout":     func() error { return c.Logout(ctx, "x", false) },
		"Accounts":   func() error { _, err := c.Accounts(ctx); return err },
		"WebURL":     func() error { _, err := c.WebURL(ctx); return err },
		"Ready":      func() error { return c.Ready(ctx) },
	} {
		e, ok := AsError(call())
		if !ok || e.Status != 404 || e.Code != 6 || !strings.HasPrefix(e.Message, `unknown account "x"`) || e.TokenSent || e.Addr != srv.URL {
			t.Errorf("%s: %#v", name, e)
		}
	}
	ans, err := c.Call(ctx, "artist.getInfo", nil, "")
	if ans == nil || ans.Status != 404 || string(ans.Body) != doc || err == nil {
		t.Errorf("Call keeps the error document: %+v %v", ans, err)
	}

	// Last.fm's error in a 200 answer is an error too.
	srv, _ = fakeDaemon(t, 200, `{"error":29,"message":"Rate Limit Exceeded"}`)
	c, _ = New(srv.URL, WithToken("tok"))
	ans, err = c.Call(ctx, "artist.getInfo", nil, "")
	if e, ok := AsError(err); !ok || e.Code != 29 || e.Status != 200 || !e.TokenSent || ans == nil || ans.Status != 200 {
		t.Errorf("error in a 200: %+v %v", ans, err)
	}

	// A document that is not what was asked for.
	srv, _ = fakeDaemon(t, 200, `<html>`)
	c, _ = New(srv.URL)
	if _, err := c.Status(ctx); err == nil || !strings.Contains(err.Error(), "/v1/status") {
		t.Errorf("not JSON: %v", err)
	}
}

// Nothing listening: NoAnswer, naming the address, never the token.
func TestNoDaemon(t *testing.T) {
	addr := "http://" + closedport.Addr(t)
	c, _ := New(addr, WithToken("secret-TOKEN"))
	_, err := c.Call(context.Background(), "artist.getInfo", nil, "")
	e, ok := AsError(err)
	if !ok || !e.NoAnswer() || !strings.Contains(err.Error(), "no daemon answers at "+addr) || strings.Contains(err.Error(), "secret-TOKEN") {
		t.Errorf("%v", err)
	}
}

// A daemon on a unix socket: unix:/path.
func TestUnixSocket(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "d.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Skipf("no unix sockets here: %v", err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"version":"v","listen":"unix:`+sock+`"}`)
	}))
	srv.Listener = ln
	srv.Start()
	defer srv.Close()
	c, err := New("unix:" + sock)
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Status(context.Background())
	if err != nil || st.Version != "v" || c.Addr() != "unix:"+sock {
		t.Errorf("%+v %v", st, err)
	}
}

func TestNewAddresses(t *testing.T) {
	for _, tc := range []struct {
		in, addr string // addr "" = refused
	}{
		{"http://127.0.0.1:7375", "http://127.0.0.1:7375"},
		{"http://127.0.0.1:7375/", "http://127.0.0.1:7375"},
		{"https://example.org/lastfmd/", "https://example.org/lastfmd"},
		{"unix:/run/lastfmd/lastfmd.sock", "unix:/run/lastfmd/lastfmd.sock"},
		{"unix:lastfmd.sock", "unix:lastfmd.sock"},
		{"unix:", ""},
		{"127.0.0.1:7375", ""},
		{"ftp://h/", ""},
		{"http://", ""},
		{"http://u:hunter2@h/", ""},
		{"http://h/?q=1", ""},
		{"", ""},
	} {
		c, err := New(tc.in)
		switch {
		case tc.addr == "" && err == nil:
			t.Errorf("%q accepted", tc.in)
		case tc.addr != "" && err != nil:
			t.Errorf("%q: %v", tc.in, err)
		case tc.addr != "" && c.Addr() != tc.addr:
			t.Errorf("%q: Addr %q, want %q", tc.in, c.Addr(), tc.addr)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%q: the error shows the password: %v", tc.in, err)
		}
	}
}

// FuzzNew: any address is refused with a one-line error that never repeats
// a password, or accepted as http(s) or unix.
func FuzzNew(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1:7375", "unix:/x.sock", "https://h/p/", "http://u:pw@h/", "unix:", "\x00", "http://[::1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		c, err := New(addr)
		if err != nil {
			if strings.ContainsRune(err.Error(), '\n') && !strings.ContainsRune(addr, '\n') {
				t.Fatalf("multi-line error: %q", err)
			}
			return
		}
		if a := c.Addr(); !strings.HasPrefix(a, "http://") && !strings.HasPrefix(a, "https://") && !strings.HasPrefix(a, "unix:") {
			t.Fatalf("%q accepted as %q", addr, a)
		}
	})
}
