package main

import (
	"context"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/lastfmd/lastfmd/client"
)

// demoListen is where `lastfmd demo` listens unless told otherwise; status
// looks there when nothing answers at the configured address.
const demoListen = "127.0.0.1:7376"

// demoURL is where status looks for a demo: $LASTFMD_DEMO_URL (for a demo
// started with --listen elsewhere), else the demo's default address.
func demoURL() string {
	if u := os.Getenv("LASTFMD_DEMO_URL"); u != "" {
		return strings.TrimRight(u, "/")
	}
	return "http://" + demoListen
}

// findDemo asks the demo's address whether a lastfmd answers there. It is
// someone else's daemon as far as this configuration knows, so it gets only
// the unauthenticated /healthz: never the listener token, never a question
// whose answer would say more.
func findDemo(base string) bool { return lastfmdAnswers(base, statusTimeout) }

// lastfmdAnswers reports whether a lastfmd answers /healthz at base within
// wait. No token, no redirects followed.
func lastfmdAnswers(base string, wait time.Duration) bool {
	c, err := client.New(base, client.WithHTTPClient(&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}))
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	return c.Health(ctx) == nil
}
