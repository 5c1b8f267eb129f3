package daemon

import (
	"errors"
	"fmt"
	"net"
	"sync"

	"github.com/lastfmd/lastfmd/daemon/config"
)

// MergeListeners serves several listeners as one, for the sockets systemd
// passes (lastfmd.socket may listen on a unix socket and a loopback port):
// Accept returns a connection from any of them, Close closes them all, Addr
// is the first one's. One listener is returned as it is.
func MergeListeners(lns ...net.Listener) net.Listener {
	if len(lns) == 1 {
		return lns[0]
	}
	m := &multiListener{lns: lns, conns: make(chan acceptResult), done: make(chan struct{})}
	for _, ln := range lns {
		m.wg.Add(1)
		go m.accept(ln)
	}
	return m
}

type acceptResult struct {
	c   net.Conn
	err error
}

type multiListener struct {
	lns   []net.Listener
	conns chan acceptResult
	done  chan struct{}
	once  sync.Once
	wg    sync.WaitGroup
}

func (m *multiListener) accept(ln net.Listener) {
	defer m.wg.Done()
	for {
		c, err := ln.Accept()
		select {
		case m.conns <- acceptResult{c, err}:
		case <-m.done:
			if c != nil {
				c.Close()
			}
			return
		}
		if err != nil && errors.Is(err, net.ErrClosed) {
			return
		}
	}
}

// Accept waits for a connection on any listener. A temporary error is
// passed on (http.Server backs off and retries); after Close it returns
// net.ErrClosed.
func (m *multiListener) Accept() (net.Conn, error) {
	select {
	case r := <-m.conns:
		if r.err != nil && errors.Is(r.err, net.ErrClosed) {
			// One listener closed under us: serving the others on would
			// hide the fault; stop like a single listener would.
			m.Close()
			return nil, r.err
		}
		return r.c, r.err
	case <-m.done:
		return nil, net.ErrClosed
	}
}

// Close closes every listener.
func (m *multiListener) Close() error {
	var errs []error
	m.once.Do(func() {
		close(m.done)
		for _, ln := range m.lns {
			errs = append(errs, ln.Close())
		}
	})
	return errors.Join(errs...)
}

// Addr is the first listener's address.
func (m *multiListener) Addr() net.Addr { return m.lns[0].Addr() }

// Listeners are the merged listeners.
func (m *multiListener) Listeners() []net.Listener { return m.lns }

// The listen rule (docs/security.md): a TCP listener other hosts can reach
// needs the listener token, or any of them could spend the user's key; a
// unix socket is guarded by its file mode. checkListen applies it to the
// configured address (CheckConfig), checkPassedListener to the sockets
// systemd passes instead.

// checkListen applies the listen rule to cfg.Listen. It holds under socket
// activation too, where listen goes unused: `config check` cannot know which
// sockets systemd will pass, and its verdict must be run's.
func checkListen(cfg *config.Config) error {
	if cfg.ListenIsLocal() || cfg.Security.Token.IsSet() {
		return nil
	}
	return fmt.Errorf("config: listen: %s is not a loopback address; set security.token_file to listen there", cfg.Listen)
}

// checkPassedListener applies the listen rule to a listener handed over by
// systemd or a test: a unix socket counts as local, a TCP listener must be
// loopback unless a token is required, anything else is refused.
func checkPassedListener(ln net.Listener, token bool) error {
	lns := []net.Listener{ln}
	if m, ok := ln.(*multiListener); ok {
		lns = m.Listeners()
	}
	for _, l := range lns {
		switch a := l.Addr().(type) {
		case *net.UnixAddr:
		case *net.TCPAddr:
			if !a.IP.IsLoopback() && !token {
				return fmt.Errorf("listen: %s (passed by systemd) is not a loopback address; set security.token_file, or LoadCredential=token: in the unit, to listen there", a)
			}
		default:
			return fmt.Errorf("listen: cannot serve HTTP on a %s socket (%s) passed by systemd", a.Network(), a)
		}
	}
	return nil
}
