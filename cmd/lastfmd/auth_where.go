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
// (auth_backend.go). Its parts come from the constructors daemon.Main uses
// (daemon/parts.go), with the redactor: what it logs and the errors it
// says pass through it, as the daemon's do.
type local struct {
	store *accounts.Store
	flows *authflow.Flows
	// redact is the redactor's String: daemon.NewRedactor's, which knows
	// the configured secrets and every stored session key.
	redact func(string) string
	// mirrorTypes are the configured mirrors' types, by name.
	mirrorTypes map[string]string
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
	// The daemon's logger on stderr, at warn: the command itself says what
	// it did, the log adds what needs a look (a state directory tightened).
	log, _, err := daemon.NewLogger(e.stderr, "text", "warn")
	if err != nil {
		return nil, err
	}
	r := daemon.NewRedactor(cfg)
	log = daemon.RedactLog(log, r)
	store, err := daemon.OpenAccounts(cfg, r, log)
	if err != nil {
		return nil, err
	}
	l := &local{store: store, redact: r.String, mirrorTypes: map[string]string{}}
	for _, m := range cfg.Mirrors {
		l.mirrorTypes[m.Name] = m.Type
	}
	if !withFlows {
		return l, nil
	}
	// A poll from the command line (auth login's --poll-interval) is the
	// desktop sign-in's first wait; the other waits are production's.
	tuning := daemon.Tuning{SignInPoll: poll}
	up, err := daemon.NewUpstream(cfg, r, time.Now, tuning)
	if err != nil {
		return nil, err
	}
	mirrors, err := daemon.NewMirrorUpstreams(cfg, r, time.Now, tuning)
	if err != nil {
		return nil, err
	}
	lb, err := daemon.NewListenBrainzClients(cfg, r, time.Now, tuning)
	if err != nil {
		return nil, err
	}
	l.flows, err = daemon.NewAuth(cfg, up, mirrors, lb, store, log, time.Now, tuning)
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
