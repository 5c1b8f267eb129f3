package httpapi

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/labstack/echo/v4"
)

// pipeListener hands the server the far ends of in-memory connections.
// Inside a synctest bubble their deadlines, and so the server's timeouts,
// run on the bubble's fake clock.
type pipeListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error   { l.once.Do(func() { close(l.closed) }); return nil }
func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

// dial connects a client end to the server.
func (l *pipeListener) dial(t *testing.T) net.Conn {
	client, server := net.Pipe()
	l.conns <- server
	t.Cleanup(func() { client.Close() })
	return client
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "127.0.0.1:7375" }

// timeoutServer serves a Server with short timeouts, plus a route whose
// handler outlasts the read timeout. Call it inside a synctest bubble.
func timeoutServer(t *testing.T, to Timeouts) *pipeListener {
	t.Helper()
	s := New(Options{Timeouts: to})
	s.Echo().GET("/test/slow", func(c echo.Context) error {
		time.Sleep(2 * to.Read)
		return c.String(http.StatusOK, "slow ok\n")
	})
	ln := newPipeListener()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Serve(ctx, ln, time.Second); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return ln
}

// closedAfter reads from c until the server closes it, and reports how long
// after start that was on the bubble's clock.
func closedAfter(c net.Conn, start time.Time) time.Duration {
	io.Copy(io.Discard, c)
	return time.Since(start)
}

// TestServerTimeouts: the four server timeouts hold: a trickled header, a stalled body and an idle keep-alive
// connection are closed at exactly their timeout, and a handler slower than
// the read timeout still answers, twice on one connection. Each runs in a
// synctest bubble, so "exactly" holds on any machine.
func TestServerTimeouts(t *testing.T) {
	to := Timeouts{ReadHeader: 300 * time.Millisecond, Read: 500 * time.Millisecond, Write: 3 * time.Second, Idle: 400 * time.Millisecond}
	const get = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

	t.Run("trickled header", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			c := timeoutServer(t, to).dial(t)
			start := time.Now()
			io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
			var trickler sync.WaitGroup
			trickler.Go(func() { // a header byte every 50 ms until the server closes
				for {
					time.Sleep(50 * time.Millisecond)
					if _, err := io.WriteString(c, "X"); err != nil {
						return
					}
				}
			})
			if took := closedAfter(c, start); took != to.ReadHeader {
				t.Errorf("closed after %v, want the %v header timeout", took, to.ReadHeader)
			}
			c.Close()
			trickler.Wait()
		})
	})

	t.Run("stalled body", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			c := timeoutServer(t, to).dial(t)
			start := time.Now()
			io.WriteString(c, "POST /v1/track.love HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nartist=Cher")
			if took := closedAfter(c, start); took != to.Read {
				t.Errorf("closed after %v, want the %v read timeout", took, to.Read)
			}
		})
	})

	t.Run("idle keep-alive", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			c := timeoutServer(t, to).dial(t)
			br := bufio.NewReader(c)
			for i := 0; i < 3; i++ { // each request restarts the idle clock
				io.WriteString(c, get)
				resp, err := http.ReadResponse(br, nil)
				if err != nil || resp.StatusCode != http.StatusOK {
					t.Fatalf("request %d: %v %v", i, resp, err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				time.Sleep(to.Idle / 2)
			}
			start := time.Now()
			if took := closedAfter(c, start); took != to.Idle-to.Idle/2 {
				t.Errorf("idle connection closed %v after the last wait, want %v", took, to.Idle-to.Idle/2)
			}
		})
	})

	t.Run("slow handler", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			c := timeoutServer(t, to).dial(t)
			br := bufio.NewReader(c)
			for i := 0; i < 2; i++ {
				io.WriteString(c, "GET /test/slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
				resp, err := http.ReadResponse(br, nil)
				if err != nil {
					t.Fatalf("request %d: %v", i, err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "slow ok") {
					t.Fatalf("request %d: %d %q", i, resp.StatusCode, b)
				}
			}
		})
	})
}

func TestTimeoutsOrDefaults(t *testing.T) {
	d := DefaultTimeouts
	cases := []struct {
		in, want Timeouts
	}{
		{Timeouts{}, d},
		{Timeouts{Idle: time.Second}, Timeouts{d.ReadHeader, d.Read, d.Write, time.Second}},
		{Timeouts{ReadHeader: time.Second, Read: -1, Write: 2 * time.Second}, Timeouts{time.Second, d.Read, 2 * time.Second, d.Idle}},
	}
	for _, c := range cases {
		if got := c.in.orDefaults(); got != c.want {
			t.Errorf("%+v.orDefaults() = %+v, want %+v", c.in, got, c.want)
		}
	}
}
