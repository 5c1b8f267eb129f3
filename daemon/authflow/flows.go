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
	"github.com/lastfmd/lastfmd/daemon/endpoint"
	"github.com/lastfmd/lastfmd/daemon/upstream"
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
	// Mirrors are the other services an account may sign in to (the
	// [[mirror]] tables speaking the Last.fm 2.0 API), each through its own
	// client, with its own key: a Target naming one signs in there.
	Mirrors []Mirror
	// TokenMirrors are the mirrors an account signs in to with a user
	// token (the [[mirror]] tables speaking ListenBrainz's API): Token
	// checks it there and stores it.
	TokenMirrors []TokenMirror
}

// TokenMirror is a mirror whose accounts sign in with a user token
// (ListenBrainz, Maloja): its name and what checks a token there.
type TokenMirror struct {
	Name      string
	Validator TokenValidator
}

// TokenValidator asks a service whether a user token is valid there, and
// whose it is; *listenbrainz.Client is one. It answers (false, "", nil)
// when the service says the token is not valid, and an error when it
// could not tell (the token's shape refused before sending, the service
// out of reach or answering otherwise). The token is never in the error.
type TokenValidator interface {
	ValidateToken(ctx context.Context, token string) (valid bool, user string, err error)
}

// Mirror is a mirror as the sign-ins see it: where its calls go, its API
// key and approval page, and the form its mobile sign-in takes.
type Mirror struct {
	Name     string
	Upstream Caller
	APIKey   string
	// AuthURL is its approval page (auth_url); "" = no desktop sign-in.
	AuthURL string
	// AuthToken: its auth.getMobileSession takes authToken, not the
	// password (mobile_signin = "auth_token": Libre.fm).
	AuthToken bool
}

// Target is where a sign-in's session goes: an account, at Last.fm or on
// one of its mirrors.
type Target struct {
	// Account names the account. "" at Last.fm: the user name Last.fm
	// answers; on a mirror: the default account.
	Account string
	// Mirror names the mirror; "" is Last.fm.
	Mirror string
}

// A dest is one service a sign-in can go to, Last.fm or a mirror: one
// flow serves both, parameterised by it.
type dest struct {
	mirror  string   // "" for Last.fm
	site    string   // for messages: "Last.fm", `mirror "librefm"`
	up      Caller   // its own client: a mirror's never carries Last.fm's key
	apiKey  string   // its API key, in approval URLs
	authURL *url.URL // its approval page; nil: no desktop sign-in
	// authToken: auth.getMobileSession sends authToken, not the password.
	authToken bool
	// tokens checks a user token at a mirror that signs in with one
	// (ListenBrainz's API); nil at every other service.
	tokens TokenValidator
}

// Flows runs the sign-in flows. It is safe for concurrent use.
type Flows struct {
	lastfm   *dest
	mirrors  map[string]*dest
	accts    *accounts.Store
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
	f := &Flows{lastfm: &dest{site: "Last.fm", up: o.Upstream, apiKey: o.APIKey, authURL: u},
		mirrors: map[string]*dest{}, accts: o.Accounts, now: o.Now,
		poll: o.PollInterval, lease: o.Lease, after: o.After, log: o.Log}
	for _, m := range o.Mirrors {
		if err := accounts.CheckMirrorName(m.Name); err != nil {
			return nil, fmt.Errorf("authflow: %w", err)
		}
		if m.Upstream == nil || m.APIKey == "" {
			return nil, fmt.Errorf("authflow: mirror %q needs its own client and API key", m.Name)
		}
		d := &dest{mirror: m.Name, site: fmt.Sprintf("mirror %q", m.Name), up: m.Upstream, apiKey: m.APIKey, authToken: m.AuthToken}
		if m.AuthURL != "" {
			if err := endpoint.Check(m.AuthURL); err != nil {
				return nil, fmt.Errorf("authflow: mirror %q: auth_url %w", m.Name, err)
			}
			d.authURL, _ = url.Parse(m.AuthURL)
		}
		f.mirrors[m.Name] = d
	}
	for _, m := range o.TokenMirrors {
		if err := accounts.CheckMirrorName(m.Name); err != nil {
			return nil, fmt.Errorf("authflow: %w", err)
		}
		if m.Validator == nil {
			return nil, fmt.Errorf("authflow: mirror %q needs its own client", m.Name)
		}
		if _, dup := f.mirrors[m.Name]; dup {
			return nil, fmt.Errorf("authflow: mirror %q is given twice", m.Name)
		}
		f.mirrors[m.Name] = &dest{mirror: m.Name, site: fmt.Sprintf("mirror %q", m.Name), tokens: m.Validator}
	}
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
func (f *Flows) AuthOrigin() string { return f.lastfm.authURL.Scheme + "://" + f.lastfm.authURL.Host }

// approvalURL is d's auth_url with extra query parameters, keeping any
// query auth_url already has.
func (d *dest) approvalURL(params url.Values) string {
	u := *d.authURL
	q := u.Query()
	for k, vs := range params {
		q[k] = vs
	}
	// api_key first, as Last.fm's documentation writes it; Encode sorts,
	// which puts api_key before cb and token anyway.
	u.RawQuery = q.Encode()
	return u.String()
}
