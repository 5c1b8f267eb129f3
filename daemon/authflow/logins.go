package authflow

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"sync"
	"time"

	"github.com/lastfmd/lastfmd/client"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/clip"
	"github.com/lastfmd/lastfmd/signer"
)

// Background desktop flows, for POST /v1/auth/login and GET
// /v1/auth/login/{id}: the daemon holds the secret, so it polls; the CLI
// only asks how it is going.
const (
	maxPendingLogins = 16
	maxKeptLogins    = 256
	// keepFinished is how long a finished flow's outcome stays readable.
	keepFinished = 15 * time.Minute
)

// Login is what GET /v1/auth/login/{id} answers, declared once in package
// client. It never holds the token.
type (
	Login      = client.Login
	LoginState = client.LoginState
)

// The states of a background desktop flow.
const (
	LoginPending  = client.LoginPending
	LoginSignedIn = client.LoginSignedIn
	LoginFailed   = client.LoginFailed
)

// login is a flow as the daemon keeps it: its answer, and when it ended.
type login struct {
	Login
	finished time.Time
}

type logins struct {
	mu  sync.Mutex
	now func() time.Time
	m   map[string]*login
}

func newLogins(now func() time.Time) *logins {
	return &logins{now: now, m: map[string]*login{}}
}

// pruneLocked drops finished flows older than keepFinished, and any
// finished flow once more than maxKeptLogins are kept.
func (l *logins) pruneLocked() {
	full := len(l.m) > maxKeptLogins
	for id, lg := range l.m {
		if lg.State != LoginPending && (full || l.now().Sub(lg.finished) > keepFinished) {
			delete(l.m, id)
		}
	}
}

// StartLogin begins a desktop flow that the daemon polls in the background
// and returns its id and approval URL. account names the account to store
// it as ("" = the Last.fm user name).
func (f *Flows) StartLogin(ctx context.Context, account string) (Login, error) {
	if account != "" {
		if err := CheckAccountName(account); err != nil {
			return Login{}, err
		}
	}
	f.logins.mu.Lock()
	f.logins.pruneLocked()
	pending := 0
	for _, lg := range f.logins.m {
		if lg.State == LoginPending {
			pending++
		}
	}
	f.logins.mu.Unlock()
	if pending >= maxPendingLogins {
		return Login{}, apperr.New(apperr.RateLimited, signer.ErrRateLimited, "%d sign-ins are already waiting for approval: finish or wait for one", pending)
	}
	d, err := f.Begin(ctx)
	if err != nil {
		return Login{}, err
	}
	id := randomID()
	lg := &login{Login: Login{ID: id, State: LoginPending, Account: account, URL: d.URL(),
		ExpiresAt: d.Started().Add(GiveUpAfter).UTC().Format(time.RFC3339)}}
	f.closeMux.Lock()
	if f.closed {
		f.closeMux.Unlock()
		return Login{}, apperr.New(apperr.Unavailable, signer.ErrServiceOffline, "lastfmd is stopping")
	}
	f.wg.Add(1)
	f.closeMux.Unlock()
	f.logins.mu.Lock()
	f.logins.m[id] = lg
	out := lg.Login
	f.logins.mu.Unlock()
	go func() {
		defer f.wg.Done()
		a, err := f.Wait(f.baseCtx, d, account)
		f.logins.mu.Lock()
		defer f.logins.mu.Unlock()
		lg.finished = f.now()
		lg.URL = ""
		if err != nil {
			lg.State, lg.Message = LoginFailed, clip.Line(err.Error(), 0)
			f.log.Info("desktop sign-in ended without a session", "flow", id, "reason", lg.Message)
			return
		}
		lg.State, lg.Account, lg.User = LoginSignedIn, a.Name, a.User
		lg.Message = "Signed in as " + a.Name
	}()
	return out, nil
}

// Login reports a background desktop flow's progress.
func (f *Flows) Login(id string) (Login, bool) {
	f.logins.mu.Lock()
	defer f.logins.mu.Unlock()
	lg, ok := f.logins.m[id]
	if !ok {
		return Login{}, false
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
