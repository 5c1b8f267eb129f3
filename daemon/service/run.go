// Package service runs lastfmd under the operating system's service
// manager through github.com/kardianos/service: the Windows service control
// manager, launchd, or systemd (where Type=notify readiness is added by the
// daemon itself). Install and control commands build on the same package.
package service

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/kardianos/service"
)

// Name is the service's name in every service manager.
const Name = "lastfmd"

// program adapts a run function to kardianos' Start/Stop interface.
type program struct {
	fn     func(ctx context.Context) error
	cancel context.CancelFunc
	done   chan struct{}
	once   sync.Once
	err    error
}

func (p *program) Start(service.Service) error {
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	go func() {
		p.err = p.fn(ctx)
		close(p.done)
	}()
	return nil
}

func (p *program) Stop(service.Service) error {
	p.once.Do(p.cancel)
	<-p.done
	return nil
}

// RunOption changes how Run runs.
type RunOption func(*runOptions)

type runOptions struct {
	reload func()
}

// OnReload calls reload on SIGHUP (`systemctl reload lastfmd`), one call at
// a time, while fn runs. Without it SIGHUP is ignored rather than ending the
// process, as it would by default.
func OnReload(reload func()) RunOption {
	return func(o *runOptions) { o.reload = reload }
}

// Run runs fn until the service manager stops it, or, outside one (a
// terminal, systemd, launchd), until SIGINT or SIGTERM, or until fn returns
// by itself (a listener failure must end the process, not hang it). fn's
// context is cancelled to ask for a graceful stop; Run returns fn's error.
// SIGHUP never stops it (see OnReload).
func Run(fn func(ctx context.Context) error, opts ...RunOption) error {
	var o runOptions
	for _, opt := range opts {
		opt(&o)
	}
	stopReload := handleReload(o.reload)
	defer stopReload()
	p := &program{fn: fn, done: make(chan struct{})}
	// Caught from here on, before fn can tell systemd it is ready: a stop
	// requested right after READY=1 must drain, not kill the process. They
	// stay caught after Run returns, so a repeated SIGTERM cannot turn the
	// end of a clean shutdown into a death by signal.
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	cfg := &service.Config{
		Name: Name,
		Option: service.KeyValue{
			// Replaces kardianos' default wait (signals only) so that a
			// daemon that fails on its own also ends Run.
			"RunWait": func() {
				select {
				case <-sig:
				case <-p.done:
				}
			},
		},
	}
	s, err := service.New(p, cfg)
	if err != nil {
		// No service manager kardianos knows: run in the foreground.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		return fn(ctx)
	}
	if err := s.Run(); err != nil {
		return err
	}
	return p.err
}

// handleReload calls reload for each SIGHUP until the returned stop is
// called; stop waits for a reload in progress to finish.
func handleReload(reload func()) (stop func()) {
	hup := make(chan os.Signal, 1)
	notifyReload(hup)
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-hup:
				if reload != nil {
					reload()
				}
			case <-quit:
				return
			}
		}
	}()
	// hup stays registered: a SIGHUP during the last moments of shutdown
	// is then dropped instead of killing the process with a failure status.
	return func() {
		close(quit)
		<-done
	}
}
