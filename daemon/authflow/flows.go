package authflow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/endpoint"
	"github.com/lastfmd/lastfmd/daemon/upstream"
	"github.com/lastfmd/lastfmd/internal/clip"
	"github.com/lastfmd/lastfmd/signer"
)

// Timing of the desktop flow (https://www.last.fm/api/desktopauth): a
// token lives 60 minutes, so an unapproved flow ends after GiveUpAfter.
// Last.fm documents no polling cadence: the first poll comes after
// DefaultPollInterval, when a quick person may have approved, and the
// polls then back off, doubling up to pollSlowdown times that (3 s to
// 15 s), so a sign-in left open costs a few calls a minute. They are
// background calls: a script's calls go first.
const (
	DefaultPollInterval = 3 * time.Second
	GiveUpAfter         = 60 * time.Minute
	pollSlowdown        = 5
)

// DefaultLease is how long a background desktop sign-in (StartLogin) goes
// on with nobody asking how it goes (api.Login): its client, `lastfmd auth
// login`, asks every second while it waits, so a sign-in nobody asks about
// is one whose command ended, and polling Last.fm for it would only spend
// the rate limit.
const DefaultLease = 10 * time.Second

// Caller sends one call to Last.fm; *upstream.Client is one.
type Caller interface {
	Do(ctx context.Context, call upstream.Call) (*upstream.Response, error)
}

// Options configure Flows.
type Options struct {
	Upstream Caller
	Accounts *accounts.Store
	APIKey   string
	// AuthURL is Last.fm's approval page (lastfm.auth_url).
	AuthURL string
	// Now is the clock (nil: time.Now); the give-up deadline
	// (GiveUpAfter) and the browser states' expiry follow it.
	Now func() time.Time
	// PollInterval is the desktop flow's first wait before auth.getSession
	// (0: 3 s); the waits then double up to 5 times it.
	PollInterval time.Duration
	// Lease is how long a background sign-in goes on with nobody asking
	// how it goes (0: DefaultLease).
	Lease time.Duration
	// After waits for d (nil: time.After); tests make polling instant.
	After func(d time.Duration) <-chan time.Time
	Log   *slog.Logger
}

// Flows runs the sign-in flows. It is safe for concurrent use.
type Flows struct {
	up       Caller
	accts    *accounts.Store
	apiKey   string
	authURL  *url.URL
	now      func() time.Time
	poll     time.Duration
	lease    time.Duration
	after    func(time.Duration) <-chan time.Time
	log      *slog.Logger
	states   *States
	logins   *logins
	baseCtx  context.Context
	cancel   context.CancelCauseFunc
	wg       sync.WaitGroup
	closeMux sync.Mutex
	closed   bool
}

// New checks o and returns Flows. Close stops the desktop flows it runs in
// the background.
func New(o Options) (*Flows, error) {
	if o.Upstream == nil || o.Accounts == nil {
		return nil, errors.New("authflow: an upstream client and a session store are required")
	}
	if o.APIKey == "" {
		return nil, errors.New("authflow: lastfm.api_key is required to sign in")
	}
	if err := endpoint.Check(o.AuthURL); err != nil {
		return nil, fmt.Errorf("authflow: lastfm.auth_url %w", err)
	}
	u, _ := url.Parse(o.AuthURL) // CheckEndpoint parsed it
	f := &Flows{up: o.Upstream, accts: o.Accounts, apiKey: o.APIKey, authURL: u, now: o.Now,
		poll: o.PollInterval, lease: o.Lease, after: o.After, log: o.Log}
	if f.now == nil {
		f.now = time.Now
	}
	if f.poll <= 0 {
		f.poll = DefaultPollInterval
	}
	if f.lease <= 0 {
		f.lease = DefaultLease
	}
	if f.after == nil {
		f.after = time.After
	}
	if f.log == nil {
		f.log = slog.New(slog.DiscardHandler)
	}
	f.states = NewStates(f.now)
	f.logins = newLogins(f.now)
	f.baseCtx, f.cancel = context.WithCancelCause(context.Background())
	return f, nil
}

// Close cancels the desktop flows running in the background and waits for
// them to end.
func (f *Flows) Close() {
	f.closeMux.Lock()
	f.closed = true
	f.closeMux.Unlock()
	f.cancel(errStopping)
	f.wg.Wait()
}

// States is the browser flow's one-time state store.
func (f *Flows) States() *States { return f.states }

// AuthOrigin is the scheme://host of the approval page (the /auth/ page's
// Content-Security-Policy lets its form lead there).
func (f *Flows) AuthOrigin() string { return f.authURL.Scheme + "://" + f.authURL.Host }

// approvalURL is auth_url with extra query parameters, keeping any query
// auth_url already has.
func (f *Flows) approvalURL(params url.Values) string {
	u := *f.authURL
	q := u.Query()
	for k, vs := range params {
		q[k] = vs
	}
	// api_key first, as Last.fm's documentation writes it; Encode sorts,
	// which puts api_key before cb and token anyway.
	u.RawQuery = q.Encode()
	return u.String()
}

// save stores a session as account name (the Last.fm user name when name is
// empty). Signing in again replaces the key and clears needs-sign-in.
func (f *Flows) save(name string, s signer.Session) (accounts.Account, error) {
	if name == "" {
		name = s.Name
	}
	if err := CheckAccountName(name); err != nil {
		return accounts.Account{}, err
	}
	a := accounts.Account{Name: name, Key: s.Key, User: s.Name}
	if err := f.accts.Put(a); err != nil {
		return accounts.Account{}, &apperr.Error{Kind: apperr.Unavailable, Code: signer.ErrOperationFailed,
			Message: "cannot store the session: " + clip.Line(err.Error(), 0), Err: err}
	}
	stored, _ := f.accts.Get(name)
	stored.Key = ""
	return stored, nil
}
