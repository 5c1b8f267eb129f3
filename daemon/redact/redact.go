// Package redact is the one place where secrets are scrubbed from output.
// Every log line goes through Handler; anything else lastfmd prints that
// might carry outside text can go through (*Redactor).String. Two nets:
// the exact values lastfmd knows are secret (API secret, listener token,
// session keys), and the parameter shapes secrets travel in (api_sig=,
// sk=, password=, token=, authToken=, Authorization: Bearer,
// Authorization: Token), so even a value it never saw (a password in a
// failed request) cannot leak.
package redact

import (
	"bytes"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Mask replaces a secret.
const Mask = "<redacted>"

// params are the names whose values are secret wherever they appear as
// name=value (query strings, form bodies, log text) or "name":"value".
var params = regexp.MustCompile(`(?i)\b(api_sig|sk|password|authToken|token|session_key|key)(=|":\s*"|\s*:\s*)([^&\s"',;]+)`)

var bearer = regexp.MustCompile(`(?i)\b(bearer\s+)([A-Za-z0-9._~+/=-]+)`)

// authorizationToken is the header ListenBrainz's user token travels in,
// "Authorization: Token <token>", as a request line, a JSON field or Go's
// rendering of an http.Header (map[Authorization:[Token …]]). Only after
// "Authorization", so that "token expired" in a message stays readable.
var authorizationToken = regexp.MustCompile(`(?i)\b(authorization["']?\s*[:=]\s*\[?\s*["']?\s*token\s+)([^\s"',;&\]]+)`)

// Redactor scrubs known secret values and secret-shaped parameters.
type Redactor struct {
	mu     sync.RWMutex
	static []string
	// dynamic returns secrets that change while running (session keys).
	dynamic func() []string
}

// New returns a Redactor for the given secrets; dynamic may be nil.
func New(dynamic func() []string, secrets ...string) *Redactor {
	r := &Redactor{dynamic: dynamic}
	r.Add(secrets...)
	return r
}

// Add registers more secret values (empty or very short ones are ignored:
// masking "a" everywhere would garble logs and protect nothing).
func (r *Redactor) Add(secrets ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range secrets {
		if len(s) >= 6 {
			r.static = append(r.static, s)
		}
	}
	// Longest first, so a secret containing another is masked whole.
	sort.Slice(r.static, func(i, j int) bool { return len(r.static[i]) > len(r.static[j]) })
}

// String returns s with every secret masked.
func (r *Redactor) String(s string) string {
	if r != nil {
		r.mu.RLock()
		for _, secret := range r.static {
			if strings.Contains(s, secret) {
				s = strings.ReplaceAll(s, secret, Mask)
			}
		}
		dynamic := r.dynamic
		r.mu.RUnlock()
		if dynamic != nil {
			for _, secret := range dynamic() {
				if len(secret) >= 6 && strings.Contains(s, secret) {
					s = strings.ReplaceAll(s, secret, Mask)
				}
			}
		}
	}
	return Params(s)
}

// Params masks the values of secret-shaped parameters in s.
func Params(s string) string {
	if strings.ContainsAny(s, "=:") {
		s = params.ReplaceAllString(s, "${1}${2}"+Mask)
	}
	if len(s) > 7 && strings.Contains(strings.ToLower(s), "bearer") {
		s = bearer.ReplaceAllString(s, "${1}"+Mask)
	}
	if strings.Contains(strings.ToLower(s), "authorization") {
		s = authorizationToken.ReplaceAllString(s, "${1}"+Mask)
	}
	return s
}

// SetDynamic sets the source of secrets that change while running.
func (r *Redactor) SetDynamic(f func() []string) {
	r.mu.Lock()
	r.dynamic = f
	r.mu.Unlock()
}

// BodyMask replaces a secret inside an answer body: no angle brackets or
// quotes, so a JSON or XML answer stays well-formed.
const BodyMask = "REDACTED"

// Answer masks, in an answer body from Last.fm, every known secret value
// and each of extra (the call's own sk and api_sig), so an upstream that
// echoes the request cannot hand them to a client, the cache, the journal
// or /v1/status. Unlike String it leaves parameter shapes alone: "key":
// "C major" in a bio is data, not a secret. body is returned as it is when
// nothing is found (the common case allocates nothing).
func (r *Redactor) Answer(body []byte, extra ...string) []byte {
	var secrets []string
	if r != nil {
		r.mu.RLock()
		secrets = append(secrets, r.static...)
		dynamic := r.dynamic
		r.mu.RUnlock()
		if dynamic != nil {
			secrets = append(secrets, dynamic()...)
		}
	}
	secrets = append(secrets, extra...)
	// Longest first, so a secret containing another is masked whole.
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	for _, s := range secrets {
		if len(s) >= 6 && bytes.Contains(body, []byte(s)) {
			body = bytes.ReplaceAll(body, []byte(s), []byte(BodyMask))
		}
	}
	return body
}
