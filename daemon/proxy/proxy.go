// Package proxy is the heart of lastfmd: it takes a plain request a script
// made (method and parameters, no key, no signature), decides how Last.fm
// must receive it (signed or not, GET or POST, which account's session key),
// answers reads from the cache, and forwards the rest. It knows nothing of
// HTTP routing or echo: the transport (httpapi) fills a Request and renders
// the Result or the *apperr.Error it gets back.
package proxy

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/lastfmd/lastfmd/cache"
	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/upstream"
	"github.com/lastfmd/lastfmd/signer"
)

// Endpoint says which API a request came through; they differ in how errors
// look and in how sk and auth.* are treated.
type Endpoint int

const (
	// V1 is the native JSON API, /v1/{method}.
	V1 Endpoint = iota + 1
	// DropIn is the Last.fm-compatible /2.0/ endpoint.
	DropIn
)

// Request is a client call after the transport parsed it.
type Request struct {
	Endpoint   Endpoint
	HTTPMethod string            // the client's verb: GET or POST
	Method     string            // as the client spelled it
	Params     map[string]string // signer.Canonicalize output without "method" (may hold sk, format, callback)
	Account    string            // X-Lastfmd-Account, "" if none
	// ClientSigned: a drop-in client sent api_sig (Canonicalize dropped it);
	// it expects an authenticated read.
	ClientSigned bool
	NoCache      bool // Cache-Control: no-cache
	// Scrobbles are the items of a /v1/ JSON scrobble array as the
	// transport read them; nil for every other request. scrobbleItems
	// checks them, the one place a scrobble request is checked.
	Scrobbles []ScrobbleItem
	// Wait is Prefer: wait=N, when WaitSet: how long a scrobble request
	// waits for Last.fm's answer (else DefaultWait).
	Wait    time.Duration
	WaitSet bool
	// Import marks a /v1/ scrobble request of `lastfmd import`
	// (X-Lastfmd-Import: 1): its plays go through the import ledger
	// (journal.SubmitImport), and one fed before is answered "duplicate".
	Import bool
}

// Result is what goes back to the client.
type Result struct {
	Status      int
	ContentType string
	Body        []byte
	Cache       string        // HIT, MISS, STALE, BYPASS on reads; "" otherwise
	Age         time.Duration // on HIT and STALE
	Queued      int           // X-Lastfmd-Queued on /2.0/ (journal)
	// Key is the cache key of an unsigned read answered through the
	// cache, "" otherwise. The same request always canonicalises to the
	// same key, so the transport may remember request -> key and answer
	// the next identical request with FromCache, skipping the parsing.
	Key string
}

// TTLs maps cache tiers to durations.
type TTLs struct{ Short, Medium, Long time.Duration }

// Options wires a Proxy.
type Options struct {
	Upstream    *upstream.Client
	Accounts    *accounts.Store
	Cache       *cache.Cache // a tier whose TTL is 0 bypasses it
	TTLs        TTLs
	SignUnknown []string
	MaxRetries  int
	Timeout     time.Duration // one upstream call; bounds a caller's whole deadline
	Log         *slog.Logger
	Now         func() time.Time
	// RetryBase is the first retry delay for transient read failures.
	RetryBase time.Duration
	// Journal takes scrobbles and unreachable idempotent writes. MaxAge
	// is scrobble.max_age.
	Journal Journal
	MaxAge  time.Duration
	// SignIn runs auth.getMobileSession for /2.0/ (*authflow.Flows).
	SignIn SignIn
}

// SignIn is the sign-in flow auth.getMobileSession runs through.
type SignIn interface {
	MobileSession(ctx context.Context, l signer.MobileLogin) (accounts.Account, signer.Session, error)
}

// Proxy handles the requests of both endpoints (/v1/ and /2.0/). Safe for
// concurrent use.
type Proxy struct {
	up          *upstream.Client
	accounts    *accounts.Store
	cache       *cache.Cache
	ttls        TTLs
	signUnknown map[string]bool
	maxRetries  int
	timeout     time.Duration
	retryBase   time.Duration
	log         *slog.Logger
	now         func() time.Time
	users       *userNames
	journal     Journal
	maxAge      time.Duration
	signIn      SignIn
}

// New builds a Proxy.
func New(o Options) *Proxy {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Second
	}
	if o.RetryBase <= 0 {
		o.RetryBase = signer.Policy(signer.ClassTransient, signer.CallerRead).Backoff // 250 ms
	}
	s := &Proxy{
		up: o.Upstream, accounts: o.Accounts, cache: o.Cache, ttls: o.TTLs,
		signUnknown: map[string]bool{}, maxRetries: o.MaxRetries, timeout: o.Timeout,
		retryBase: o.RetryBase, log: o.Log, now: o.Now,
		journal: o.Journal, maxAge: o.MaxAge, signIn: o.SignIn,
	}
	for _, m := range o.SignUnknown {
		s.signUnknown[strings.ToLower(m)] = true
	}
	s.users = &userNames{svc: s, known: map[string]string{}, failed: map[string]time.Time{}}
	return s
}

// Handle answers one request.
func (s *Proxy) Handle(ctx context.Context, req *Request) (*Result, error) {
	if req.Method == "" {
		return nil, apperr.Invalidf(`missing parameter "method" (e.g. method=artist.getInfo)`)
	}
	if f, ok := req.Params["format"]; ok {
		f = strings.ToLower(f)
		if f != "json" && f != "xml" {
			return nil, apperr.New(apperr.Invalid, signer.ErrInvalidFormat, "Invalid format - format must be json or xml")
		}
		req.Params["format"] = f
	}
	if req.Endpoint == V1 {
		// The native API always speaks JSON; sk never selects an account there.
		req.Params["format"] = "json"
		delete(req.Params, "callback")
		delete(req.Params, "sk")
	}
	if cb, ok := req.Params["callback"]; ok && !signer.ValidCallback(cb) {
		return nil, apperr.Invalidf(`parameter "callback" must be a JavaScript identifier`)
	}
	m, known := signer.Lookup(req.Method)
	if !known {
		return s.unknown(ctx, req)
	}
	switch m.Kind {
	case signer.KindAuth:
		return s.auth(ctx, req, m)
	case signer.KindWrite:
		return s.write(ctx, req, m)
	default:
		return s.read(ctx, req, m)
	}
}

// callerGrace is how much longer a caller waits than the fetch it waits
// for, so the fetch's own verdict (504 or 502 with its cause, or stale
// data) reaches the caller before a bare deadline does.
const callerGrace = time.Second

// FetchBudget bounds every attempt of one call to Last.fm together: three
// upstream calls' worth (timeout bounds one call; retries stop when too
// little of the budget is left for another).
func (s *Proxy) FetchBudget() time.Duration { return 3 * s.timeout }

// LongestWait is the longest a caller waits for an answer over all
// attempts: FetchBudget plus callerGrace (31 s with the default 10 s
// timeout). docs/faults.md states it.
func (s *Proxy) LongestWait() time.Duration { return s.FetchBudget() + callerGrace }

// deadline bounds a caller's whole call (retries included) when the
// transport set none.
func (s *Proxy) deadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, s.LongestWait())
}

// fetchDeadline is the fetch's own deadline, apart from the caller's.
func (s *Proxy) fetchDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.FetchBudget())
}

func passthrough(r *upstream.Response) *Result {
	return &Result{Status: r.Status, ContentType: r.ContentType, Body: r.Body}
}
