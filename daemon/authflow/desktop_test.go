package authflow

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/daemon/fakeclock"
	"github.com/lastfmd/lastfmd/daemon/waitfor"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/upstream"
	"github.com/lastfmd/lastfmd/signer"
)

// scripted answers auth.getSession from a script and counts the calls.
type scripted struct {
	mu     sync.Mutex
	script []step
	calls  int
	clock  *fakeclock.Clock
	last   upstream.Call
}

type step struct {
	code    int // Last.fm error code, 0 = none
	status  int // HTTP status (default 200, or 403 with a code)
	err     error
	body    string
	advance time.Duration
}

func (s *scripted) Do(_ context.Context, c upstream.Call) (*upstream.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last = c
	if c.Method == "auth.getToken" {
		return &upstream.Response{Status: 200, Body: []byte(`{"token":"_AijaIJbA789aA7NMXmanQLKalG8zqDY"}`)}, nil
	}
	st := s.script[min(s.calls, len(s.script)-1)]
	s.calls++
	if s.clock != nil {
		s.clock.Advance(st.advance)
	}
	if st.err != nil {
		return nil, st.err
	}
	r := &upstream.Response{Status: st.status, Body: []byte(st.body)}
	if r.Status == 0 {
		r.Status = 200
	}
	if st.code != 0 {
		r.APIError = &signer.APIError{Code: st.code, Message: signer.Message(st.code)}
		r.Class = signer.Classify(st.code, false)
		if st.status == 0 {
			r.Status = 403
		}
	} else if r.Failed() {
		r.Class = signer.ClassifyHTTP(r.Status)
	}
	return r, nil
}

const okSession = `{"session":{"name":"Alice","key":"SESSIONkey_0123456789-abcdefghijk","subscriber":0}}`

func TestDesktopPolling(t *testing.T) {
	transport := &apperr.Error{Kind: apperr.BadGateway, Code: 11, Message: "Last.fm unreachable"}
	cases := []struct {
		name    string
		script  []step
		want    error // nil: signed in
		calls   int
		account string
	}{
		{"approved after two polls", []step{{code: 14}, {code: 14}, {body: okSession}}, nil, 3, ""},
		{"named account", []step{{body: okSession}}, nil, 1, "work"},
		{"expired", []step{{code: 14}, {code: 15}}, ErrTokenExpired, 2, ""},
		{"never issued or used", []step{{code: 4}}, ErrTokenInvalid, 1, ""},
		{"transient failures keep polling", []step{{code: 29}, {code: 11}, {code: 16}, {code: 8}, {err: transport}, {status: 503, body: "<html>"}, {code: 14}, {body: okSession}}, nil, 8, ""},
		{"broken key ends it", []step{{code: 14}, {code: 10}}, errKind(apperr.BadGateway), 2, ""},
		{"permanent error ends it", []step{{code: 6}}, errKind(apperr.Forbidden), 1, ""},
		{"garbled session", []step{{body: `{"session":{}}`}}, errKind(apperr.BadGateway), 1, ""},
		{"never approved: 60-minute give-up", []step{{code: 14, advance: 10 * time.Minute}}, ErrNotApproved, 6, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clock := newFakeClock()
			sc := &scripted{script: c.script, clock: clock}
			store, err := accounts.Open(t.TempDir(), nil)
			if err != nil {
				t.Fatal(err)
			}
			f, err := New(Options{Upstream: sc, Accounts: store, APIKey: testKey, AuthURL: "https://www.last.fm/api/auth/",
				Now: clock.Now, After: instant})
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			d, err := f.Begin(ctxT(t), Target{Account: c.account})
			if err != nil {
				t.Fatal(err)
			}
			if want := "https://www.last.fm/api/auth/?api_key=" + testKey + "&token=_AijaIJbA789aA7NMXmanQLKalG8zqDY"; d.URL() != want {
				t.Errorf("URL %s, want %s", d.URL(), want)
			}
			if sc.last.Background {
				t.Error("auth.getToken sent as a background call: a person waits for it")
			}
			a, err := f.Wait(ctxT(t), d)
			if sc.calls != c.calls {
				t.Errorf("%d auth.getSession calls, want %d", sc.calls, c.calls)
			}
			if !sc.last.Post || !sc.last.Sign || sc.last.SessionKey != "" || sc.last.Params["token"] == "" || !sc.last.Background {
				t.Errorf("auth.getSession sent as %+v: want signed, POST, no sk, background", sc.last)
			}
			if c.want == nil {
				if err != nil {
					t.Fatalf("Wait: %v", err)
				}
				name := c.account
				if name == "" {
					name = "Alice"
				}
				if a.Name != name || a.User != "Alice" || a.Key != "" {
					t.Errorf("account %+v (key must not be returned)", a)
				}
				if got, ok := store.Get(name); !ok || got.Key != "SESSIONkey_0123456789-abcdefghijk" {
					t.Errorf("stored %+v, %v", got, ok)
				}
				return
			}
			if err == nil {
				t.Fatalf("Wait signed in as %s, want %v", a.Name, c.want)
			}
			if ek, ok := c.want.(errKind); ok {
				if apperr.As(err).Kind != apperr.Kind(ek) {
					t.Errorf("error %v: kind %v, want %v", err, apperr.As(err).Kind, ek)
				}
			} else if !errors.Is(err, c.want) {
				t.Errorf("error %v, want %v", err, c.want)
			}
			if strings.Contains(err.Error(), "_AijaIJbA789aA7NMXmanQLKalG8zqDY") {
				t.Error("the token appears in the error")
			}
			if len(store.List()) != 0 {
				t.Error("an account was stored")
			}
		})
	}
}

// The polls back off: the first after the poll interval, then doubling up
// to 5 times it.
func TestDesktopPollsBackOff(t *testing.T) {
	sc := &scripted{script: []step{{code: 14}, {code: 14}, {code: 14}, {code: 14}, {code: 14}, {code: 14}, {body: okSession}}}
	store, _ := accounts.Open(t.TempDir(), nil)
	var mu sync.Mutex
	var waits []time.Duration
	after := func(d time.Duration) <-chan time.Time {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		return instant(d)
	}
	f, err := New(Options{Upstream: sc, Accounts: store, APIKey: testKey, AuthURL: "https://www.last.fm/api/auth/", After: after})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, _ := f.Begin(ctxT(t), Target{})
	if _, err := f.Wait(ctxT(t), d); err != nil {
		t.Fatal(err)
	}
	s := time.Second
	want := []time.Duration{3 * s, 6 * s, 12 * s, 15 * s, 15 * s, 15 * s, 15 * s}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(waits, want) {
		t.Errorf("waits before each poll %v, want %v", waits, want)
	}
}

type errKind apperr.Kind

func (e errKind) Error() string { return "kind" }

// The give-up counts from Begin on the injected clock, and a cancelled
// context ends the wait at once.
func TestDesktopGiveUpAndCancel(t *testing.T) {
	clock := newFakeClock()
	sc := &scripted{script: []step{{code: 14}}}
	store, _ := accounts.Open(t.TempDir(), nil)
	f, err := New(Options{Upstream: sc, Accounts: store, APIKey: testKey, AuthURL: "https://www.last.fm/api/auth/", Now: clock.Now, After: instant})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, _ := f.Begin(ctxT(t), Target{})
	clock.Advance(60 * time.Minute)
	if _, err := f.Wait(ctxT(t), d); !errors.Is(err, ErrNotApproved) || sc.calls != 0 {
		t.Errorf("after 60 minutes: %v after %d calls", err, sc.calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f2, _ := New(Options{Upstream: sc, Accounts: store, APIKey: testKey, AuthURL: "https://www.last.fm/api/auth/", PollInterval: time.Hour})
	d2, _ := f2.Begin(context.Background(), Target{})
	if _, err := f2.Wait(ctx, d2); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// Against the emulator over loopback: the whole desktop flow, and the
// token answers Last.fm gives.
func TestDesktopEmulator(t *testing.T) {
	ef := newEmuFlows(t)
	ctx := ctxT(t)
	d, err := ef.Begin(ctx, Target{})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(d.URL())
	tok := u.Query().Get("token")
	if !strings.HasPrefix(d.URL(), ef.emu.AuthURL()+"?") || u.Query().Get("api_key") != testKey || len(tok) != 32 {
		t.Fatalf("approval URL %s", d.URL())
	}
	done := make(chan error, 1)
	go func() {
		_, err := ef.Wait(ctx, d)
		done <- err
	}()
	// A few polls answered 14 first: wait for them, not for a duration.
	waitfor.True(t, "two polls", func() bool { return ef.emu.Count("auth.getSession") >= 2 })
	if err := ef.emu.ApproveToken(tok, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	a, ok := ef.store.Get("alice")
	if !ok {
		t.Fatal("alice not stored")
	}
	if u, ok := ef.emu.SessionUser(a.Key); !ok || u != "alice" {
		t.Errorf("stored key belongs to %q (%v)", u, ok)
	}
	n14 := 0
	for _, r := range ef.emu.Requests() {
		if r.Method == "auth.getSession" {
			if r.HTTPMethod != "POST" {
				t.Errorf("auth.getSession by %s", r.HTTPMethod)
			}
			n14++
		}
	}
	if n14 < 2 {
		t.Errorf("%d auth.getSession calls: expected polling before approval", n14)
	}

	// The token is spent: exchanging it again is error 4.
	if _, err := ef.Exchange(ctx, tok, ""); apperr.As(err).Code != 4 {
		t.Errorf("reused token: %v", err)
	}
	// An expired token (the emulator's clock 61 minutes on) is error 15.
	d, _ = ef.Begin(ctx, Target{})
	ef.emu.SetClock(func() time.Time { return time.Now().Add(61 * time.Minute) })
	if _, err := ef.Wait(ctx, d); !errors.Is(err, ErrTokenExpired) {
		t.Errorf("expired: %v", err)
	}
}
