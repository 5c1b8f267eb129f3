package httpapi

import (
	"errors"
	"net"
	"os"
	"sync"
	"time"
)

// With all four server timeouts set (https://pkg.go.dev/net/http#Server),
// net/http moves a keep-alive connection's deadlines eight times per request
// (header read, whole request, background read, write, the background read's
// abort and its clearing, end of write, idle wait: conn.serve and
// readRequest in net/http/server.go), and every move to a future time
// re-arms a runtime timer and reads the clock. On the cache-hit path that
// is about 5% of what a request costs on a small VM, and it is much of what
// keeps a hardened server behind a bare one.
//
// lazyConn keeps the timeouts' meaning, a deadline never fires later than
// net/http asked, but only touches the socket when the deadline armed on it
// would fire after the new one (or a past deadline must interrupt a read).
// A deadline armed earlier than wanted is caught when it fires: Read or
// Write re-arms it and carries on, so the caller never sees it. Per request
// that leaves one timer re-arm instead of four.

// lazyListener hands out lazyConns.
type lazyListener struct {
	net.Listener
	// window is the furthest ahead a re-armed deadline is set: the
	// shortest server timeout, so that the next request's header deadline
	// never has to move the socket's timer nearer.
	window time.Duration
}

func (l lazyListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &lazyConn{Conn: c, window: l.window, born: time.Now()}, nil
}

// lazyConn is a connection whose deadlines are armed lazily (see above).
type lazyConn struct {
	net.Conn
	window      time.Duration
	born        time.Time  // accepted; the monotonic base rearm reads the time from
	mu          sync.Mutex // guards both sides; Read and an abort run on different goroutines
	read, write deadline
}

// deadline is one direction's state.
type deadline struct {
	want  time.Time // what the server asked for; zero means none
	armed time.Time // what the socket has; zero means none
}

func (c *lazyConn) SetDeadline(t time.Time) error {
	if err := c.SetReadDeadline(t); err != nil {
		return err
	}
	return c.SetWriteDeadline(t)
}

func (c *lazyConn) SetReadDeadline(t time.Time) error {
	return c.set(&c.read, t, c.Conn.SetReadDeadline)
}

func (c *lazyConn) SetWriteDeadline(t time.Time) error {
	return c.set(&c.write, t, c.Conn.SetWriteDeadline)
}

// set records t as wanted and arms the socket only if what is armed would
// fire later than t. No deadline (zero) leaves an armed one in place: if it
// fires, rearm finds nothing wanted and pushes it back.
func (c *lazyConn) set(d *deadline, t time.Time, arm func(time.Time) error) error {
	c.mu.Lock() // no defer: this runs seven times a request
	d.want = t
	if t.IsZero() || (!d.armed.IsZero() && !d.armed.After(t)) {
		c.mu.Unlock()
		return nil
	}
	d.armed = t
	err := arm(t)
	c.mu.Unlock()
	return err
}

// rearm runs when the socket's deadline fired. It reports false if the
// wanted deadline has passed (the error is real); otherwise it arms the
// socket again, no later than wanted, and the operation is retried.
func (c *lazyConn) rearm(d *deadline, arm func(time.Time) error) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	// born plus the monotonic time since: one clock read where time.Now
	// takes two (wall and monotonic), and a VM's clock is not cheap.
	now := c.born.Add(time.Since(c.born))
	if !d.want.IsZero() && !now.Before(d.want) {
		return false
	}
	next := now.Add(c.window)
	if !d.want.IsZero() && d.want.Before(next) {
		next = d.want
	}
	d.armed = next
	return arm(next) == nil
}

func (c *lazyConn) Read(p []byte) (int, error) {
	for {
		n, err := c.Conn.Read(p)
		if n > 0 || err == nil || !errors.Is(err, os.ErrDeadlineExceeded) || !c.rearm(&c.read, c.Conn.SetReadDeadline) {
			return n, err
		}
	}
}

func (c *lazyConn) Write(p []byte) (int, error) {
	written := 0
	for {
		n, err := c.Conn.Write(p[written:])
		written += n
		if err == nil || !errors.Is(err, os.ErrDeadlineExceeded) || !c.rearm(&c.write, c.Conn.SetWriteDeadline) {
			return written, err
		}
	}
}

// CloseWrite lets net/http half-close the connection as it does a bare TCP
// or Unix socket (closeWriteAndWait, after a body it would not read).
func (c *lazyConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
