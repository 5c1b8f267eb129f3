package proxy

import (
	"context"
	"strings"
	"time"

	"github.com/lastfmd/lastfmd/cache"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/upstream"
	"github.com/lastfmd/lastfmd/signer"
)

// Cache states reported in X-Lastfmd-Cache.
const (
	CacheHit    = "HIT"
	CacheMiss   = "MISS"
	CacheStale  = "STALE"
	CacheBypass = "BYPASS"
)

// read answers a catalog read. It is signed (and POSTed, so no key or
// signature lands in a URL) only when docs/design.md#accounts-and-signing says:
// the request named an account, a drop-in client sent sk or api_sig, the
// method answers for "the authenticated user" and no user was given, or an
// unsigned try met a private profile (error 17).
func (s *Proxy) read(ctx context.Context, req *Request, m signer.Method) (*Result, error) {
	authUser := m.AuthUserDefault && req.Params["user"] == ""
	var sel selection
	if authUser || s.wantsAccount(req) {
		var err error
		if sel, err = s.selectAccount(req); err != nil {
			return nil, err
		}
	} else {
		// The common case, a plain read: no account lookup (and no stat
		// of sessions.json) on the hot path.
		delete(req.Params, "sk")
	}
	usable := sel.ok && !sel.account.NeedsSignin
	if authUser && !usable {
		// Without a session Last.fm cannot know who "the authenticated
		// user" is; say what to do instead of forwarding a doomed call.
		return nil, noSession(sel)
	}
	sign := usable && (sel.explicit || authUser)
	if sign {
		if _, ok := req.Params["callback"]; ok {
			return nil, apperr.Invalidf(`JSONP "callback" is only honoured for unsigned reads (this read is signed with an account)`)
		}
	}
	res, fail, err := s.cachedRead(ctx, req, m, sel, sign)
	if err != nil {
		return nil, err
	}
	if sel.explicit {
		// The request asked for an account (sk, api_sig, a header): even
		// answered unsigned now (the account needs to sign in again), it
		// must not be remembered as a plain read.
		res.Key = ""
	}
	if fail != nil && !sign && fail.APIError != nil && fail.APIError.Code == signer.ErrLoginRequired {
		if !sel.ok {
			sel, _ = s.selectAccount(req)
		}
		if _, ok := req.Params["callback"]; !ok && sel.ok && !sel.account.NeedsSignin {
			// A private profile: only its owner's signed read may see it.
			res, _, err = s.cachedRead(ctx, req, m, sel, true)
		}
	}
	return res, err
}

// cachedRead answers from the cache or fetches (coalescing identical
// misses). fail is the upstream answer when it was a failure.
func (s *Proxy) cachedRead(ctx context.Context, req *Request, m signer.Method, sel selection, sign bool) (*Result, *upstream.Response, error) {
	call := upstream.Call{Method: m.Name, Params: req.Params, Post: sign}
	account := ""
	if sign {
		call.SessionKey = sel.account.Key
		account = sel.account.Name
	}
	ttl := s.ttl(m.TierFor(req.Params, s.now()))
	c := s.cache
	if ttl <= 0 {
		ctx, cancel := s.deadline(ctx)
		defer cancel()
		fctx, fcancel := s.fetchDeadline(ctx)
		defer fcancel()
		r, err := s.fetchRead(fctx, call, sel.account.Name)
		if err != nil {
			return nil, nil, upstream.NoAnswer(err)
		}
		res := passthrough(r)
		res.Cache = CacheBypass
		return res, failed(r), nil
	}
	key := cache.Key(m.Name, req.Params, account)
	var stale *cache.Entry
	if !req.NoCache {
		if e, fresh, ok := c.Get(key); ok {
			if fresh {
				res := entryResult(e, CacheHit, s)
				res.Key = memoKey(key, account)
				return res, nil, nil
			}
			stale = e
		}
	} else if e, _, ok := c.Peek(key); ok {
		stale = e
	}
	// A miss: the caller waits at most its own deadline (the fetch itself
	// runs detached, bounded below, so other waiters still get it).
	ctx, cancel := s.deadline(ctx)
	defer cancel()
	var lastFail *upstream.Response
	fetch := func(ctx context.Context) (*cache.Entry, error) {
		if !req.NoCache {
			if e, fresh, _ := c.Peek(key); fresh {
				return e, nil
			}
		}
		ctx, cancel := s.fetchDeadline(ctx)
		defer cancel()
		r, err := s.fetchRead(ctx, call, sel.account.Name)
		if err != nil {
			return nil, err
		}
		if r.Failed() {
			return nil, &failure{resp: r}
		}
		e := &cache.Entry{Status: r.Status, ContentType: r.ContentType, Body: r.Body, Stored: s.now()}
		if s.cacheable(m, req.Params, r) {
			c.Set(key, *e, ttl)
		}
		return e, nil
	}
	flightKey := key
	if req.NoCache {
		flightKey = key + "\x00refresh"
	}
	e, _, err := c.Do(ctx, flightKey, fetch)
	err = upstream.NoAnswer(err) // the caller's deadline: no answer in time
	if err == nil {
		c.CountMiss()
		res := entryResult(e, CacheMiss, s)
		res.Key = memoKey(key, account)
		if req.NoCache {
			res.Cache = CacheBypass
		}
		return res, nil, nil
	}
	var f *failure
	if asFailure(err, &f) {
		lastFail = f.resp
	}
	if stale != nil && staleAllowed(err, lastFail) {
		c.CountStale()
		return entryResult(stale, CacheStale, s), lastFail, nil
	}
	if lastFail != nil {
		c.CountMiss()
		res := passthrough(lastFail)
		res.Cache = CacheMiss
		return res, lastFail, nil
	}
	return nil, nil, err
}

// staleAllowed: only transient failures (transport, 5xx, 8, 11, 16, 29) may
// be papered over with an expired answer; a permanent error such as 6 (the
// artist no longer exists) must reach the caller.
func staleAllowed(err error, fail *upstream.Response) bool {
	if fail != nil {
		p := signer.Policy(fail.Class, signer.CallerRead)
		return p.Stale
	}
	return upstream.IsTransport(err) || isRateLimited(err)
}

func isRateLimited(err error) bool {
	e := apperr.As(err)
	return e.Kind == apperr.RateLimited
}

func entryResult(e *cache.Entry, state string, s *Proxy) *Result {
	return &Result{Status: e.Status, ContentType: e.ContentType, Body: e.Body, Cache: state, Age: e.Age(s.now())}
}

func failed(r *upstream.Response) *upstream.Response {
	if r.Failed() {
		return r
	}
	return nil
}

// cacheable: 2xx answers without a Last.fm error, and not a user.* answer
// about a different user than asked for (Last.fm occasionally mixes them up).
func (s *Proxy) cacheable(m signer.Method, params map[string]string, r *upstream.Response) bool {
	if r.Failed() {
		return false
	}
	if signer.PackageOf(m.Name) == signer.PackageUser {
		if want := params["user"]; want != "" {
			if got, ok := answerUser(r.Body); ok && !strings.EqualFold(got, want) {
				s.log.Warn("Last.fm answered for another user; not cached", "method", m.Name)
				return false
			}
		}
	}
	return true
}

func (s *Proxy) ttl(t signer.Tier) time.Duration {
	switch t {
	case signer.TierShort:
		return s.ttls.Short
	case signer.TierMedium:
		return s.ttls.Medium
	case signer.TierLong:
		return s.ttls.Long
	}
	return 0
}

// memoKey offers key for request memoisation only for unsigned reads: a
// signed read depends on which account the request picked.
// Now reads the proxy's clock (time.Now unless a test injected one).
func (s *Proxy) Now() time.Time { return s.now() }

func memoKey(key, account string) string {
	if account != "" {
		return ""
	}
	return key
}

// FromCache fills res with a fresh cache entry under key, as a HIT
// (counted as one), for a transport that remembered an identical earlier
// request's key; now is the request's arrival by the proxy's clock
// (Now). Expired or absent: false, and the caller takes the full path. res
// is the caller's, so the hit allocates nothing here.
func (s *Proxy) FromCache(key string, now time.Time, res *Result) bool {
	e, fresh, ok := s.cache.GetAt(key, now)
	if !ok || !fresh {
		return false
	}
	*res = Result{Status: e.Status, ContentType: e.ContentType, Body: e.Body, Cache: CacheHit, Age: e.Age(now), Key: key}
	return true
}
