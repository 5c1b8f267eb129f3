package daemon

import (
	"context"
	"sync"

	"github.com/lastfmd/lastfmd/daemon/service"
)

// Supervise runs the daemon as a service: Run, while telling the service
// manager (systemd's Type=notify; nothing elsewhere) READY=1 as serving
// starts (Open has opened the listener and the journal by then), feeding
// its watchdog while SelfCheck passes, and STOPPING=1 as soon as ctx ends,
// before requests drain. n nil: a Notifier of its own.
func (m *Main) Supervise(ctx context.Context, n *service.Notifier) error {
	if n == nil {
		n = &service.Notifier{Log: m.Log}
	}
	wctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { n.Watchdog(wctx, m.SelfCheck) })
	wg.Go(func() {
		<-wctx.Done()
		if ctx.Err() != nil {
			n.Stopping()
		}
	})
	n.Ready("serving on " + m.Addr().String())
	err := m.Run(ctx)
	stop()
	wg.Wait()
	return err
}

// SelfCheck is the watchdog's liveness probe: GET /readyz through the
// request handler in-process, which covers the readiness checks (the
// journal registers one). It never involves Last.fm.
func (m *Main) SelfCheck(ctx context.Context) error {
	return m.HTTP.SelfCheck(ctx)
}
