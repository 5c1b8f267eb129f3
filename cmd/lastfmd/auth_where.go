package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/lastfmd/lastfmd/client"
	"github.com/lastfmd/lastfmd/daemon"
	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/authflow"
	"github.com/lastfmd/lastfmd/daemon/config"
	"github.com/lastfmd/lastfmd/daemon/service"
	"github.com/lastfmd/lastfmd/daemon/upstream"
)

// Where a sign-in runs (docs/operations.md#commands): through the daemon when
// one answers (it holds the secret and owns sessions.json; under systemd it
// may be the only one able to read the secret), else here from the
// configuration, except when a system-wide service is installed: files
// this process wrote into the service's state would be unreadable to it.

// systemUnitPath is the system-wide unit `lastfmd install` writes (tests
// point it elsewhere).
var systemUnitPath = service.UnitPath(false, "")

// findDaemon returns a client when a daemon answers /healthz at the
// configured address, nil when nothing listens there or what answers is
// not a healthy lastfmd. Something that took the connection but did not
// answer in time is most likely a daemon too busy to answer: an error,
// since working here beside it would write its sessions.json behind its
// back.
func findDaemon(e *env) (*client.Client, error) {
	c, err := newClient(e)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), findTimeout)
	defer cancel()
	err = c.Health(ctx)
	switch {
	case err == nil:
		return c, nil
	case silentListener(err):
		return nil, fmt.Errorf("something at %s took the connection but did not answer within %v: if it is lastfmd, see `lastfmd status` and try again once it answers", c.Addr(), findTimeout)
	}
	return nil, nil
}

// findTimeout bounds findDaemon's question.
const findTimeout = 3 * time.Second

// silentListener: the connection was made (nothing failed while dialing)
// but no answer came, err being Health's.
func silentListener(err error) bool {
	e, ok := client.AsError(err)
	if !ok || !e.NoAnswer() {
		return false // an answer came: not lastfmd, or not healthy
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return false // nothing listens
	}
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded)
}

// noDaemonHere refuses to act locally when a system service is installed.
func noDaemonHere(e *env) error {
	if !service.SystemInstalled(systemUnitPath) {
		return nil
	}
	base := "the configured address"
	if c, err := newClient(e); err == nil {
		base = c.Addr()
	}
	return fmt.Errorf("lastfmd is installed as a system service but no daemon answers at %s: start it (sudo systemctl start lastfmd) and run this again; a sign-in written from here would leave files the service cannot read", base)
}

// local is the session store (and, for sign-ins, the flows) opened from
// the configuration, for when no daemon runs: the local authBackend
// (auth_backend.go).
type local struct {
	cfg   *config.Config
	store *accounts.Store
	flows *authflow.Flows
}

// openLocal loads the configuration and the session store; withFlows also
// needs the API key and secret, to talk to Last.fm.
func openLocal(e *env, withFlows bool, poll time.Duration) (*local, error) {
	if err := noDaemonHere(e); err != nil {
		return nil, err
	}
	cfg, _, err := config.Load(config.Options{Path: e.configPath, NeedCredentials: withFlows})
	if err != nil {
		return nil, err
	}
	var static []accounts.Account
	if cfg.LastFM.SessionKey.IsSet() {
		static = append(static, accounts.Account{Name: accounts.DefaultName, Key: cfg.LastFM.SessionKey.Reveal()})
	}
	if err := os.MkdirAll(cfg.StateDir, 0o700); err != nil {
		return nil, fmt.Errorf("state_dir %s: %w", cfg.StateDir, err)
	}
	store, err := accounts.Open(cfg.StateDir, static)
	if err != nil {
		return nil, err
	}
	l := &local{cfg: cfg, store: store}
	if !withFlows {
		return l, nil
	}
	lim := upstream.NewLimiter(cfg.LastFM.Rate, cfg.LastFM.Burst, cfg.LastFM.QueueWait.Duration, time.Now)
	up, err := upstream.New(upstream.Options{Endpoint: cfg.LastFM.Upstream, APIKey: cfg.LastFM.APIKey,
		Secret: cfg.LastFM.APISecret.Reveal(), Timeout: cfg.LastFM.Timeout.Duration, UserAgent: daemon.UserAgent(), Limiter: lim})
	if err != nil {
		return nil, fmt.Errorf("config: lastfm.upstream: %w", err)
	}
	l.flows, err = authflow.New(authflow.Options{Upstream: up, Accounts: store, APIKey: cfg.LastFM.APIKey,
		AuthURL: cfg.LastFM.AuthURL, PollInterval: poll})
	if err != nil {
		return nil, err
	}
	return l, nil
}

func (l *local) Close() {
	if l.flows != nil {
		l.flows.Close()
	}
}

func notifyContext(parent context.Context) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
}
