// Package endpoint owns the one rule for a URL lastfmd sends signed calls
// to or points a browser at (lastfm.upstream, lastfm.auth_url, and the
// sign-in flows): https anywhere, http only to loopback. It imports only the
// standard library, so configuration validation can use it without the
// HTTP client (docs/design.md#where-each-rule-lives).
package endpoint

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Check is the one rule for where lastfmd sends signed calls and
// the user's browser (lastfm.upstream, lastfm.auth_url): https:// anywhere,
// http:// only to a loopback host, where a test emulator or a local proxy
// runs; over the network plain http would expose signed calls and session
// keys. No user name or password in the URL. Its errors never repeat the
// URL (it might hold a password), only the host.
func Check(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		// err would repeat the URL; this message is enough to fix it.
		return errors.New("must be an absolute https:// URL")
	}
	if u.User != nil {
		return errors.New("must not contain a user name or password")
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
		return nil
	case "http":
		if IsLoopbackHost(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("http:// is allowed only to localhost, 127.0.0.1 or [::1], not %q; use https://", u.Hostname())
	}
	return fmt.Errorf("must be an https:// URL, not %s://", u.Scheme)
}

// IsLoopbackHost reports whether host (no port) is localhost or a loopback IP.
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
