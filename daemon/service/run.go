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

// Run runs fn until the service manager stops it, or, outside one (a
// terminal, systemd, launchd), until SIGINT or SIGTERM, or until fn returns
// by itself (a listener failure must end the process, not hang it). fn's
// context is cancelled to ask for a graceful stop; Run returns fn's error.
func Run(fn func(ctx context.Context) error) error {
	p := &program{fn: fn, done: make(chan struct{})}
	cfg := &service.Config{
		Name: Name,
		Option: service.KeyValue{
			// Replaces kardianos' default wait (signals only) so that a
			// daemon that fails on its own also ends Run.
			"RunWait": func() {
				sig := make(chan os.Signal, 2)
				signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
				defer signal.Stop(sig)
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
