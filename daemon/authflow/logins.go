package authflow

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"sync"
	"time"

	"github.com/lastfmd/lastfmd/api"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/internal/clip"
	"github.com/lastfmd/lastfmd/signer"
)

// Background desktop flows, for POST /v1/auth/login and GET
// /v1/auth/login/{id}: the daemon holds the secret, so it polls; the CLI
// only asks how it is going, and by asking keeps the flow alive (its
// lease, DefaultLease). A flow nobody asks about, or one cancelled (DELETE
// /v1/auth/login[/{id}], `lastfmd auth cancel`), stops polling.
const (
	// maxPendingLogins bounds the flows polling at once. Each polls
	// Last.fm until approved or given up, so without a bound a script
	// starting them in a loop would fill the rate limit with polls.
	maxPendingLogins = 4
	maxKeptLogins    = 256
	// keepFinished is how long a finished flow's outcome stays readable.
	keepFinished = 15 * time.Minute
)

// Why a background flow ended before Last.fm said anything; the
// flow's message.
var (
	errStopping  = errors.New("lastfmd is stopping")
	errAbandoned = errors.New("cancelled: nothing asked how the sign-in goes (the command that started it has stopped)")
	// ErrCancelled ends the flows DELETE /v1/auth/login[/{id}] names.
	ErrCancelled = errors.New("cancelled (lastfmd auth cancel, or the command that started it was interrupted)")
)

// login is a flow as the daemon keeps it: its answer, when it ended, and
// what stops it.
type login struct {
	api.Login
	finished time.Time
	cancel   context.CancelCauseFunc
	lease    *time.Timer   // cancels the flow when nobody asked about it for a while
	done     chan struct{} // closed when its polling has ended
}

type logins struct {
	mu  sync.Mutex
	now func() time.Time
	m   map[string]*login
	// starting counts the flows fetching their token: they count
	// against maxPendingLogins too, so concurrent starts cannot pass it.
	starting int
}

func newLogins(now func() time.Time) *logins {
	return &logins{now: now, m: map[string]*login{}}
}

// pruneLocked drops finished flows older than keepFinished, and any
// finished flow once more than maxKeptLogins are kept.
func (l *logins) pruneLocked() {
	full := len(l.m) > maxKeptLogins
	for id, lg := range l.m {
		if lg.State != api.LoginPending && (full || l.now().Sub(lg.finished) > keepFinished) {
			delete(l.m, id)
		}
	}
}

// claim takes a place for a new flow, or refuses when maxPendingLogins
// are pending or starting; release gives back a place not used.
func (l *logins) claim() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pruneLocked()
	n := l.starting
	for _, lg := range l.m {
		if lg.State == api.LoginPending {
			n++
		}
	}
	if n >= maxPendingLogins {
		return apperr.New(apperr.RateLimited, signer.ErrRateLimited,
			"%d sign-ins are already waiting for approval, the most lastfmd keeps: approve one, or drop them with `lastfmd auth cancel`", n)
	}
	l.starting++
	return nil
}

func (l *logins) release() {
	l.mu.Lock()
	l.starting--
	l.mu.Unlock()
}

// StartLogin begins a desktop flow that the daemon polls in the background
// and returns its id and approval URL. to says where the session goes (as
// Begin takes it). The flow lives while someone asks how it goes
// (api.Login) at least every lease.
func (f *Flows) StartLogin(ctx context.Context, to Target) (api.Login, error) {
	if _, err := f.resolve(&to); err != nil {
		return api.Login{}, err
	}
	if err := f.logins.claim(); err != nil {
		return api.Login{}, err
	}
	d, err := f.Begin(ctx, to)
	if err != nil {
		f.logins.release()
		return api.Login{}, err
	}
	id := randomID()
	pollCtx, cancel := context.WithCancelCause(f.baseCtx)
	lg := &login{Login: api.Login{ID: id, State: api.LoginPending, Account: d.to.Account, Mirror: to.Mirror, URL: d.URL(),
		ExpiresAt: d.Started().Add(GiveUpAfter).UTC().Format(time.RFC3339)}, cancel: cancel, done: make(chan struct{})}
	f.closeMux.Lock()
	if f.closed {
		f.closeMux.Unlock()
		f.logins.release()
		cancel(errStopping)
		return api.Login{}, apperr.New(apperr.Unavailable, signer.ErrServiceOffline, "lastfmd is stopping")
	}
	f.wg.Add(1)
	f.closeMux.Unlock()
	f.logins.mu.Lock()
	f.logins.starting--
	f.logins.m[id] = lg
	lg.lease = time.AfterFunc(f.lease, func() { cancel(errAbandoned) })
	out := lg.Login
	f.logins.mu.Unlock()
	go func() {
		defer f.wg.Done()
		defer close(lg.done)
		a, err := f.Wait(pollCtx, d)
		if pollCtx.Err() != nil && err != nil {
			err = context.Cause(pollCtx) // why it was stopped, not "context canceled"
		}
		f.logins.mu.Lock()
		defer f.logins.mu.Unlock()
		lg.lease.Stop()
		lg.finished = f.now()
		lg.URL = ""
		if err != nil {
			lg.State, lg.Message = api.LoginFailed, clip.Line(err.Error(), 0)
			f.log.Info("desktop sign-in ended without a session", "flow", id, "reason", lg.Message)
			return
		}
		lg.State, lg.Account, lg.User = api.LoginSignedIn, a.Name, UserAt(a, to.Mirror)
		lg.Message = "Signed in as " + Target{Account: a.Name, Mirror: to.Mirror}.describe()
	}()
	return out, nil
}

// api.Login reports a background desktop flow's progress, and renews its lease.
func (f *Flows) Login(id string) (api.Login, bool) {
	f.logins.mu.Lock()
	defer f.logins.mu.Unlock()
	lg, ok := f.logins.m[id]
	if !ok {
		return api.Login{}, false
	}
	if lg.State == api.LoginPending {
		lg.lease.Reset(f.lease) // someone still waits for it
	}
	out := lg.Login
	out.URL = ""
	return out, true
}

// randomID returns 128 random bits, URL-safe.
func randomID() string { return randomString(16) }

func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("authflow: no randomness: " + err.Error()) // crypto/rand never fails on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
