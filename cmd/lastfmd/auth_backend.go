package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/lastfmd/lastfmd/client"
	"github.com/lastfmd/lastfmd/daemon/authflow"
)

// authBackend is where the auth commands act: the running daemon (through
// package client) or this process, from the configuration. chooseAuth is
// the one place that picks; the subcommands only call these methods, and
// both sides answer in the same words (the error's message, no HTTP
// status), so a command reads the same whichever acted.
type authBackend interface {
	// Login runs a desktop sign-in at to (Last.fm, or a mirror): show gets
	// the approval page's address; Login returns once the user allowed
	// access, or it failed or ctx ended.
	Login(ctx context.Context, to authflow.Target, show func(url string)) (*client.SignedIn, error)
	Mobile(ctx context.Context, to authflow.Target, username, password string) (*client.SignedIn, error)
	Import(ctx context.Context, username, sessionKey, account string) (*client.SignedIn, error)
	// Token stores to.Account's user token on the mirror to.Mirror (type
	// listenbrainz), once the mirror says whose it is.
	Token(ctx context.Context, to authflow.Target, token string) (*client.SignedIn, error)
	SetDefault(ctx context.Context, name string) error
	// Logout removes the account to.Account, or only its session on
	// to.Mirror.
	Logout(ctx context.Context, to authflow.Target, force bool) error
	Accounts(ctx context.Context) ([]client.Account, error)
	Close()
}

// chooseAuth returns the daemon when one answers (it holds the secret and
// owns sessions.json), else this process's backend: withFlows when the
// command signs in (it then needs the API key and secret). poll is how often
// a desktop sign-in is checked (0: 1 s through the daemon, 3 s here).
func chooseAuth(e *env, withFlows bool, poll time.Duration) (authBackend, error) {
	c, err := findDaemon(e)
	if err != nil {
		return nil, err
	}
	if c != nil {
		return &remoteAuth{c: c, poll: poll}, nil
	}
	return openLocal(e, withFlows, poll)
}

// remoteAuth asks the daemon.
type remoteAuth struct {
	c    *client.Client
	poll time.Duration
}

// authError is the daemon's refusal as its message only, the words the
// local flows give (errMessage); what explain words (no daemon, no token)
// as it words it.
func authError(err error) error {
	err = explain(err)
	if ce, ok := client.AsError(err); ok && ce.Code != 0 {
		return errors.New(ce.Message)
	}
	return err
}

func (r *remoteAuth) Login(ctx context.Context, to authflow.Target, show func(string)) (*client.SignedIn, error) {
	lg, err := r.c.MirrorLoginStart(ctx, to.Mirror, to.Account)
	if err != nil {
		return nil, authError(err)
	}
	show(lg.URL)
	// Asking how it goes keeps the sign-in alive at the daemon (its lease,
	// authflow.DefaultLease): ask well within it.
	poll := r.poll
	if poll <= 0 || poll > time.Second {
		poll = time.Second
	}
	for {
		select {
		case <-ctx.Done():
		case <-time.After(poll):
		}
		if ctx.Err() != nil {
			return r.giveUp(lg.ID)
		}
		st, err := r.c.LoginPoll(ctx, lg.ID)
		if err != nil {
			if ctx.Err() != nil {
				continue
			}
			return nil, authError(err)
		}
		switch st.State {
		case client.LoginSignedIn:
			return &client.SignedIn{Account: st.Account, Mirror: st.Mirror, User: st.User}, nil
		case client.LoginFailed:
			return nil, fmt.Errorf("not signed in: %s", st.Message)
		}
	}
}

// giveUp tells the daemon to stop polling for sign-in id, whose command
// was interrupted. Were the daemon not to hear it, the sign-in would stop
// anyway once nobody asks about it. An approval that came first stands.
func (r *remoteAuth) giveUp(id string) (*client.SignedIn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), findTimeout)
	defer cancel()
	if lg, err := r.c.LoginCancel(ctx, id); err == nil && lg.State == client.LoginSignedIn {
		return &client.SignedIn{Account: lg.Account, Mirror: lg.Mirror, User: lg.User}, nil
	}
	return nil, errors.New("stopped waiting; the sign-in is cancelled")
}

func (r *remoteAuth) Mobile(ctx context.Context, to authflow.Target, username, password string) (*client.SignedIn, error) {
	s, err := r.c.MirrorMobile(ctx, to.Mirror, username, password, to.Account)
	return s, authError(err)
}

func (r *remoteAuth) Import(ctx context.Context, username, key, account string) (*client.SignedIn, error) {
	s, err := r.c.Import(ctx, username, key, account)
	return s, authError(err)
}

func (r *remoteAuth) Token(ctx context.Context, to authflow.Target, token string) (*client.SignedIn, error) {
	s, err := r.c.Token(ctx, to.Mirror, token, to.Account)
	return s, authError(err)
}

func (r *remoteAuth) SetDefault(ctx context.Context, name string) error {
	return authError(r.c.SetDefault(ctx, name))
}

func (r *remoteAuth) Logout(ctx context.Context, to authflow.Target, force bool) error {
	return authError(r.c.MirrorLogout(ctx, to.Mirror, to.Account, force))
}

func (r *remoteAuth) Accounts(ctx context.Context) ([]client.Account, error) {
	list, err := r.c.Accounts(ctx)
	return list, authError(err)
}

func (r *remoteAuth) Close() {}

// The local backend: the flows and the session store (auth_where.go).

// said is err as the local backend says it: lastfmd's own message
// (errMessage) with every secret masked, as the daemon's answers are (an
// error may quote what Last.fm echoed, a password included).
func (l *local) said(err error) error {
	err = errMessage(err)
	if err == nil {
		return nil
	}
	if msg := l.redact(err.Error()); msg != err.Error() {
		return errors.New(msg)
	}
	return err
}

func (l *local) Login(ctx context.Context, to authflow.Target, show func(string)) (*client.SignedIn, error) {
	d, err := l.flows.Begin(ctx, to)
	if err != nil {
		return nil, l.said(err)
	}
	show(d.URL())
	a, err := l.flows.Wait(ctx, d)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("stopped waiting; nothing was stored")
		}
		return nil, fmt.Errorf("not signed in: %v", l.said(err))
	}
	return &client.SignedIn{Account: a.Name, Mirror: to.Mirror, User: authflow.UserAt(a, to.Mirror)}, nil
}

func (l *local) Mobile(ctx context.Context, to authflow.Target, username, password string) (*client.SignedIn, error) {
	a, err := l.flows.Mobile(ctx, to, username, password)
	if err != nil {
		return nil, l.said(err)
	}
	return &client.SignedIn{Account: a.Name, Mirror: to.Mirror, User: authflow.UserAt(a, to.Mirror)}, nil
}

func (l *local) Import(ctx context.Context, username, key, account string) (*client.SignedIn, error) {
	a, err := l.flows.Import(ctx, username, key, account)
	if err != nil {
		return nil, l.said(err)
	}
	return &client.SignedIn{Account: a.Name, User: a.User}, nil
}

func (l *local) Token(ctx context.Context, to authflow.Target, token string) (*client.SignedIn, error) {
	a, err := l.flows.Token(ctx, to, token)
	if err != nil {
		return nil, l.said(err)
	}
	return &client.SignedIn{Account: a.Name, Mirror: to.Mirror, User: authflow.UserAt(a, to.Mirror)}, nil
}

func (l *local) SetDefault(_ context.Context, name string) error {
	return l.said(authflow.SetDefault(l.store, name))
}

// Logout without a daemon: no journal sends meanwhile, so nothing is asked
// first (the daemon asks its journal).
func (l *local) Logout(_ context.Context, to authflow.Target, force bool) error {
	if to.Mirror != "" {
		return l.said(authflow.LogoutMirror(l.store, to.Account, to.Mirror, force, nil))
	}
	return l.said(authflow.Logout(l.store, to.Account, force, nil))
}

// Accounts lists the store as the daemon's /v1/auth/accounts would.
func (l *local) Accounts(context.Context) ([]client.Account, error) {
	return authflow.WithMirrorTypes(authflow.List(l.store), l.mirrorTypes), nil
}
