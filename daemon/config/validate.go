package config

import (
	"fmt"
	"net/netip"
	"strings"
	"unicode"

	"github.com/lastfmd/lastfmd/daemon/endpoint"
	"github.com/lastfmd/lastfmd/signer"
)

// bad builds the one-line error for an invalid value of key path.
func (c *Config) bad(path, format string, args ...any) error {
	return fmt.Errorf("config: %s: %s%s", path, fmt.Sprintf(format, args...), c.from(path))
}

// validate checks every value and normalises the ones with a canonical
// spelling (log level, host names). It returns the first problem found.
func (c *Config) validate() error {
	if err := checkListen(c.Listen); err != nil {
		return c.bad("listen", "%v", err)
	}
	c.LogFormat = strings.ToLower(c.LogFormat)
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return c.bad("log_format", "must be text or json, not %q", c.LogFormat)
	}
	c.LogLevel = strings.ToLower(c.LogLevel)
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return c.bad("log_level", "must be debug, info, warn or error, not %q", c.LogLevel)
	}

	l := &c.LastFM
	if err := checkAPIKeyText(l.APIKey); err != nil {
		return c.bad("lastfm.api_key", "%v", err)
	}
	if err := endpoint.Check(l.Upstream); err != nil {
		return c.bad("lastfm.upstream", "%v", err)
	}
	if err := endpoint.Check(l.AuthURL); err != nil {
		return c.bad("lastfm.auth_url", "%v", err)
	}
	if key, err := checkLimits(l.Rate, l.Burst, l.Timeout); err != nil {
		return c.bad("lastfm."+key, "%v", err)
	}
	if l.MaxRetries < 0 {
		return c.bad("lastfm.max_retries", "must not be negative, not %d", l.MaxRetries)
	}
	for _, m := range l.SignUnknownMethods {
		if err := checkMethodName(m); err != nil {
			return c.bad("lastfm.sign_unknown_methods", "%v", err)
		}
	}

	if c.Cache.MaxBytes <= 0 {
		return c.bad("cache.max_bytes", "must be greater than 0")
	}

	if n := c.Scrobble.BatchSize; n < 1 || n > signer.MaxScrobblesPerCall {
		return c.bad("scrobble.batch_size", "must be 1 to %d (Last.fm's limit per call), not %d", signer.MaxScrobblesPerCall, n)
	}
	// Older scrobbles are dropped by Last.fm, so journalling them would
	// only fill the dead letters.
	if a := c.Scrobble.MaxAge; a.Duration <= 0 || a.Duration > signer.MaxScrobbleAge {
		return c.bad("scrobble.max_age", "must be greater than 0 and at most %s (Last.fm drops scrobbles older than 14 days), not %s",
			Duration{signer.MaxScrobbleAge}, a)
	}

	for i, h := range c.Security.AllowedHosts {
		n, err := normalizeHost(h)
		if err != nil {
			return c.bad("security.allowed_hosts", "%v", err)
		}
		c.Security.AllowedHosts[i] = n
	}
	return c.validateMirrors() // mirror.go
}

// checkAPIKeyText is what any API key must be: one word. (Last.fm's own
// shape is CheckAPIKey's; other services issue other shapes.)
func checkAPIKeyText(k string) error {
	if strings.IndexFunc(k, unicode.IsSpace) >= 0 {
		return fmt.Errorf("must not contain spaces")
	}
	return nil
}

// checkLimits is the rule for the client of one destination, Last.fm's
// or a mirror's: its call timeout and its limiter. It returns the key at
// fault (its name within the table) and why.
func checkLimits(rate float64, burst int, timeout Duration) (string, error) {
	switch {
	case timeout.Duration <= 0:
		return "timeout", fmt.Errorf("must be greater than 0")
	case !(rate > 0):
		return "rate", fmt.Errorf("must be greater than 0, not %v", rate)
	case burst < 1:
		return "burst", fmt.Errorf("must be at least 1, not %d", burst)
	}
	return "", nil
}

// checkMethodName accepts "package.method" names. auth.* methods are never
// signed on a client's behalf (DESIGN: an unknown auth.* method is refused).
func checkMethodName(m string) error {
	if !signer.IsMethodName(m) {
		return fmt.Errorf("%q is not a method name like \"package.method\"", m)
	}
	if pkg, _, _ := strings.Cut(m, "."); strings.EqualFold(pkg, "auth") {
		return fmt.Errorf("%q: auth methods cannot be signed for clients", m)
	}
	return nil
}

// normalizeHost checks an allowed_hosts entry and returns it as
// url.URL.Hostname would give it: lower case, IPv6 without brackets.
func normalizeHost(h string) (string, error) {
	h = strings.ToLower(strings.TrimSpace(h))
	switch {
	case h == "":
		return "", fmt.Errorf("empty host name")
	case strings.Contains(h, "/"):
		return "", fmt.Errorf("%q must be a host name, not a URL", h)
	}
	if inner, ok := strings.CutPrefix(h, "["); ok && strings.HasSuffix(inner, "]") {
		h = strings.TrimSuffix(inner, "]")
		if ip, err := netip.ParseAddr(h); err != nil || !ip.Is6() {
			return "", fmt.Errorf("%q is not an IPv6 address", "["+h+"]")
		}
	}
	if ip, err := netip.ParseAddr(h); err == nil {
		return ip.String(), nil
	}
	if strings.Contains(h, ":") {
		return "", fmt.Errorf("%q must be a host name without a port", h)
	}
	h = strings.TrimSuffix(h, ".")
	if len(h) > 253 {
		return "", fmt.Errorf("%q is too long for a host name", h)
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || strings.IndexFunc(label, func(r rune) bool {
			return !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z')
		}) >= 0 {
			return "", fmt.Errorf("%q is not a host name", h)
		}
	}
	return h, nil
}

// CheckAPIKey checks the shape of an API key: Last.fm issues 32 letters
// and digits (hexadecimal in practice, but only the length and alphabet
// are promised). A key of another shape is mistyped or truncated, and
// Last.fm would only answer error 10 for it later. config check and run
// call it; tests and dumps may load any placeholder.
func (c *Config) CheckAPIKey() error {
	k := c.LastFM.APIKey
	if len(k) != 32 || strings.IndexFunc(k, func(r rune) bool {
		return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) >= 0 {
		return c.bad("lastfm.api_key", "%q is not an API key: Last.fm issues 32 letters and digits (this has %d characters); copy it again from https://www.last.fm/api/accounts", k, len(k))
	}
	return nil
}

// SecretSource says where the API secret was read ("file PATH", "env
// LASTFMD_API_SECRET", a systemd credential), never its value: messages
// about a wrong secret name the place to fix.
func (c *Config) SecretSource() string { return c.secrets.apiSecret }
