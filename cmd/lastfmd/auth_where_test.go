package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/lastfmd/lastfmd/client"
	"github.com/lastfmd/lastfmd/daemon/closedport"
)

// silentAddr is a loopback address that takes requests and never answers
// them, as a daemon too busy to answer would (the upstream tests' hanging
// server: the handler waits until the caller gives up).
func silentAddr(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

// Which failures of the health probe mean "nothing listens" (work
// locally) and which "something took the connection and said nothing"
// (stop: it is probably a busy daemon).
func TestSilentListener(t *testing.T) {
	notLastfmd := httptest.NewServer(http.NotFoundHandler())
	defer notLastfmd.Close()
	cases := []struct {
		name, addr string
		silent     bool
	}{
		{"nothing listens", "http://" + closedport.Addr(t), false},
		{"a server that is not lastfmd", notLastfmd.URL, false},
		{"a listener that never answers", "http://" + silentAddr(t), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cl, err := client.New(c.addr)
			if err != nil {
				t.Fatal(err)
			}
			// The bound only ends the silent case's wait.
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			err = cl.Health(ctx)
			if err == nil {
				t.Fatal("healthy")
			}
			if got := silentListener(err); got != c.silent {
				t.Errorf("silentListener(%v) = %v, want %v", err, got, c.silent)
			}
		})
	}
}

// The auth commands do not fall back to working locally beside a daemon
// that took the connection but did not answer: they say so and stop.
func TestAuthBesideASilentDaemon(t *testing.T) {
	w := newAuthWorld(t, worldOpt{})
	addr := silentAddr(t)
	_, errOut, code := runCLI(t, w.env("LASTFMD_URL=http://"+addr), "", "auth", "status")
	if code != 1 || !strings.Contains(errOut, "took the connection but did not answer") || !strings.Contains(errOut, "lastfmd status") {
		t.Errorf("auth status beside a silent listener: %d %q", code, errOut)
	}
}
