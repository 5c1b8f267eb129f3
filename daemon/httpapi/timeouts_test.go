package httpapi

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// timeoutServer serves a Server with short timeouts on loopback, plus a
// route whose handler outlasts the read timeout.
func timeoutServer(t *testing.T, to Timeouts) string {
	t.Helper()
	s := New(Options{Timeouts: to})
	s.Echo().GET("/test/slow", func(c echo.Context) error {
		time.Sleep(2 * to.Read)
		return c.String(http.StatusOK, "slow ok\n")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Serve(ctx, ln, time.Second); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String()
}

// closedWithin reads from c until the server closes it, and reports how
// long that took; it fails the test if c is still open after limit.
func closedWithin(t *testing.T, c net.Conn, start time.Time, limit time.Duration) time.Duration {
	t.Helper()
	c.SetReadDeadline(start.Add(limit))
	_, err := io.Copy(io.Discard, c)
	took := time.Since(start)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("connection still open after %v", took)
	}
	return took
}

// TestServerTimeouts: the four server timeouts hold through the lazily
// armed deadlines: a trickled header, a stalled body and an idle keep-alive
// connection are closed on time, and a handler slower than the read timeout
// still answers, twice on one connection.
func TestServerTimeouts(t *testing.T) {
	to := Timeouts{ReadHeader: 300 * time.Millisecond, Read: 500 * time.Millisecond, Write: 3 * time.Second, Idle: 400 * time.Millisecond}
	addr := timeoutServer(t, to)
	dial := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	const get = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

	t.Run("trickled header", func(t *testing.T) {
		c := dial()
		start := time.Now()
		io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
		go func() { // a header byte every 50 ms, never finishing
			for i := 0; i < 60; i++ {
				time.Sleep(50 * time.Millisecond)
				if _, err := io.WriteString(c, "X"); err != nil {
					return
				}
			}
		}()
		if took := closedWithin(t, c, start, to.ReadHeader+slack+time.Second); took < to.ReadHeader {
			t.Errorf("closed after %v, before the %v header timeout", took, to.ReadHeader)
		}
	})

	t.Run("stalled body", func(t *testing.T) {
		c := dial()
		start := time.Now()
		io.WriteString(c, "POST /v1/track.love HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nartist=Cher")
		if took := closedWithin(t, c, start, to.Read+slack+time.Second); took < to.Read {
			t.Errorf("closed after %v, before the %v read timeout", took, to.Read)
		}
	})

	t.Run("idle keep-alive", func(t *testing.T) {
		c := dial()
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
		took := closedWithin(t, c, start, to.Idle+slack+time.Second)
		if took < to.Idle-to.Idle/2-50*time.Millisecond {
			t.Errorf("idle connection closed after %v, before the %v idle timeout", took, to.Idle)
		}
	})

	t.Run("slow handler", func(t *testing.T) {
		c := dial()
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
