package httpapi

import (
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// lazyPair is a loopback TCP connection: the accepted end wrapped in a
// lazyConn, and the raw dialing end.
func lazyPair(t testing.TB, window time.Duration) (*lazyConn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := lazyListener{ln, window}.Accept()
		accepted <- c
	}()
	peer, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c := (<-accepted).(*lazyConn)
	t.Cleanup(func() { c.Close(); peer.Close() })
	return c, peer
}

// slack is how late a deadline may be seen on a busy machine under -race.
const slack = 400 * time.Millisecond

// TestLazyReadDeadlines: whatever sequence of deadlines is set, a Read fails
// at the last one set (never before, never much after), and not at all when
// the last one is none, however the socket's timer was armed on the way.
func TestLazyReadDeadlines(t *testing.T) {
	const never = time.Duration(-1) // Read does not fail
	past := -time.Hour
	cases := []struct {
		name string
		sets []time.Duration // offsets from now; 0 = no deadline; negative = in the past
		want time.Duration   // when Read fails
	}{
		{"one deadline", []time.Duration{150 * time.Millisecond}, 150 * time.Millisecond},
		{"a later deadline hides the earlier arm", []time.Duration{50 * time.Millisecond, 300 * time.Millisecond}, 300 * time.Millisecond},
		{"a nearer deadline re-arms", []time.Duration{10 * time.Second, 150 * time.Millisecond}, 150 * time.Millisecond},
		{"a cleared deadline never fires", []time.Duration{50 * time.Millisecond, 0}, never},
		{"a past deadline fails at once", []time.Duration{10 * time.Second, past}, 0},
		{"past then cleared (net/http's abort)", []time.Duration{past, 0}, never},
		{"past then future", []time.Duration{past, 200 * time.Millisecond}, 200 * time.Millisecond},
		{"the window re-arms short of a far deadline", []time.Duration{700 * time.Millisecond}, 700 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, peer := lazyPair(t, 100*time.Millisecond)
			start := time.Now()
			for _, d := range tc.sets {
				var at time.Time
				if d != 0 {
					at = start.Add(d)
				}
				if err := c.SetReadDeadline(at); err != nil {
					t.Fatal(err)
				}
			}
			if tc.want == never {
				time.AfterFunc(600*time.Millisecond, func() { peer.Write([]byte("x")) })
			} else { // a deadline that never fires fails the test instead of hanging it
				stop := time.AfterFunc(tc.want+slack+time.Second, func() { c.Conn.Close() })
				defer stop.Stop()
			}
			buf := make([]byte, 1)
			n, err := c.Read(buf)
			took := time.Since(start)
			if tc.want == never {
				if err != nil || n != 1 {
					t.Fatalf("Read = %d, %v after %v; want the peer's byte", n, err, took)
				}
				return
			}
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("Read = %d, %v; want a deadline error", n, err)
			}
			if took < tc.want || took > tc.want+slack {
				t.Errorf("deadline seen after %v, want %v", took, tc.want)
			}
		})
	}
}

// TestLazyAbortWakesRead is net/http's background read and its abort: a
// Read with no deadline (whose socket timer, armed earlier, fires while it
// waits) is woken by a past deadline set from another goroutine.
func TestLazyAbortWakesRead(t *testing.T) {
	c, _ := lazyPair(t, 30*time.Millisecond)
	for i := 0; i < 20; i++ {
		c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		c.SetReadDeadline(time.Time{})
		done := make(chan error, 1)
		go func() {
			_, err := c.Read(make([]byte, 1))
			done <- err
		}()
		time.Sleep(time.Duration(i%5) * 15 * time.Millisecond)
		start := time.Now()
		c.SetReadDeadline(time.Unix(1, 0))
		select {
		case err := <-done:
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("round %d: Read = %v, want a deadline error", i, err)
			}
		case <-time.After(slack + time.Second):
			t.Fatalf("round %d: the abort did not wake the read (waited %v)", i, time.Since(start))
		}
		c.SetReadDeadline(time.Time{})
	}
}

// TestLazyWriteSurvivesEarlyArm: a write deadline armed and then cleared
// fires in the middle of a large Write to a peer that is not reading yet;
// the Write carries on and delivers every byte.
func TestLazyWriteSurvivesEarlyArm(t *testing.T) {
	c, peer := lazyPair(t, 50*time.Millisecond)
	c.SetWriteDeadline(time.Now().Add(50 * time.Millisecond))
	c.SetWriteDeadline(time.Time{})
	const size = 16 << 20
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := c.Write(make([]byte, size))
		done <- result{n, err}
		c.Close()
	}()
	time.Sleep(300 * time.Millisecond) // socket buffers fill; the armed deadline fires
	got, err := io.Copy(io.Discard, peer)
	r := <-done
	if r.err != nil || r.n != size || got != size || err != nil {
		t.Fatalf("Write = %d, %v; peer read %d, %v; want %d bytes and no error", r.n, r.err, got, err, size)
	}
}

// TestLazyWriteDeadline: a write the peer never drains fails at the wanted
// deadline, having written part of the buffer.
func TestLazyWriteDeadline(t *testing.T) {
	c, _ := lazyPair(t, 50*time.Millisecond)
	start := time.Now()
	c.SetWriteDeadline(start.Add(250 * time.Millisecond))
	n, err := c.Write(make([]byte, 64<<20))
	took := time.Since(start)
	if !errors.Is(err, os.ErrDeadlineExceeded) || n >= 64<<20 {
		t.Fatalf("Write = %d, %v; want a short write and a deadline error", n, err)
	}
	if took < 250*time.Millisecond || took > 250*time.Millisecond+slack {
		t.Errorf("deadline seen after %v, want 250ms", took)
	}
}

// BenchmarkDeadlineMoves is one keep-alive request's deadline moves as
// net/http makes them with all four timeouts set (see deadlines.go), on a
// bare socket and on a lazyConn, whose per-request re-arm (after the abort
// of the background read) is included.
func BenchmarkDeadlineMoves(b *testing.B) {
	request := func(c net.Conn) {
		c.SetReadDeadline(time.Now().Add(30 * time.Second)) // header
		c.SetReadDeadline(time.Now().Add(30 * time.Second)) // whole request
		c.SetReadDeadline(time.Time{})                      // background read
		c.SetWriteDeadline(time.Now().Add(3 * time.Minute)) // answer
		c.SetReadDeadline(time.Unix(1, 0))                  // abort the background read
		c.SetReadDeadline(time.Time{})
		c.SetWriteDeadline(time.Time{})
		c.SetReadDeadline(time.Now().Add(2 * time.Minute)) // idle
	}
	b.Run("net.Conn", func(b *testing.B) {
		c, _ := lazyPair(b, readTimeout)
		for b.Loop() {
			request(c.Conn)
		}
	})
	b.Run("lazyConn", func(b *testing.B) {
		c, _ := lazyPair(b, readTimeout)
		for b.Loop() {
			request(c)
			c.rearm(&c.read, c.Conn.SetReadDeadline) // what the next Read does
		}
	})
}
