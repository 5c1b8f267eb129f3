package daemon

import (
	"fmt"
	"sync"
)

// healthChecks are the daemon's own health conditions. /readyz and the
// systemd watchdog consult them; by docs/design.md#reliability-rules they
// reflect the daemon itself (its journal, its event loop), never Last.fm.
type healthChecks struct {
	mu     sync.RWMutex
	checks []namedCheck
}

type namedCheck struct {
	name  string
	check func() error
}

// AddHealthCheck makes check part of readiness: while it fails, /readyz
// answers 503 and the systemd watchdog is not fed. The journal registers
// one (open, writable). name prefixes the reason /readyz gives. check is
// called at every probe, so it must be cheap and must never call Last.fm.
func (m *Main) AddHealthCheck(name string, check func() error) {
	m.health.mu.Lock()
	defer m.health.mu.Unlock()
	m.health.checks = append(m.health.checks, namedCheck{name, check})
}

// err is the first failing check's error.
func (h *healthChecks) err() error {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, c := range h.checks {
		if err := c.check(); err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
	}
	return nil
}
