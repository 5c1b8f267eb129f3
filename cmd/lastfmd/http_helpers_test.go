package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// How the CLI's tests reach a daemon themselves, beside the CLI: an HTTP
// client for a TCP or unix socket address, one request read whole, and
// addresses in use and free.

// httpClient reaches a daemon over TCP ("127.0.0.1:port") or a unix
// socket path.
func httpClient(addr string) (*http.Client, string) {
	if strings.HasPrefix(addr, "/") {
		return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
			DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, "unix", addr)
			}}}, "http://localhost"
	}
	return &http.Client{Timeout: 30 * time.Second}, "http://" + addr
}

// get sends GET and returns status and body.
func get(t *testing.T, hc *http.Client, url string, hdr ...string) (int, string) {
	t.Helper()
	return fetch(t, hc, http.MethodGet, url, "", hdr...)
}

// fetch sends a request with hc, a non-empty body as JSON, hdr as header
// name, value pairs, and returns the status and the body read whole.
func fetch(t *testing.T, hc *http.Client, method, url, body string, hdr ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// busyAddr is a loopback address a listener holds until the test ends.
func busyAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().String()
}
