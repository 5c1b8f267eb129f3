package httpapi

import (
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"testing/synctest"
	"time"
)

// lazyPair is a loopback TCP connection: the accepted end wrapped in a
// lazyConn, and the raw dialing end. The benchmark uses it, to count the
// real socket timers' cost.
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

// lazyPipe is an in-memory connection, one end wrapped in a lazyConn. Made
// inside a synctest bubble, its deadlines run on the bubble's fake clock,
// so the tests below see each deadline fire at exactly its time, however
// busy the machine is.
func lazyPipe(t *testing.T, window time.Duration) (*lazyConn, net.Conn) {
	a, peer := net.Pipe()
	c := &lazyConn{Conn: a, window: window, born: time.Now()}
	t.Cleanup(func() { c.Close(); peer.Close() })
	return c, peer
}

// TestLazyReadDeadlines: whatever sequence of deadlines is set, a Read fails
// at the last one set (never before, never after), and not at all when the
// last one is none, however the socket's timer was armed on the way.
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
			synctest.Test(t, func(t *testing.T) {
				c, peer := lazyPipe(t, 100*time.Millisecond)
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
				const peerWrites = 600 * time.Millisecond
				if tc.want == never {
					go func() { time.Sleep(peerWrites); peer.Write([]byte("x")) }()
				}
				buf := make([]byte, 1)
				n, err := c.Read(buf)
				took := time.Since(start)
				if tc.want == never {
					if err != nil || n != 1 || took != peerWrites {
						t.Fatalf("Read = %d, %v after %v; want the peer's byte after %v", n, err, took, peerWrites)
					}
					return
				}
				if !errors.Is(err, os.ErrDeadlineExceeded) {
					t.Fatalf("Read = %d, %v; want a deadline error", n, err)
				}
				if took != max(tc.want, 0) {
					t.Errorf("deadline seen after %v, want %v", took, tc.want)
				}
			})
		})
	}
}

// TestLazyAbortWakesRead is net/http's background read and its abort: a
// Read with no deadline (whose socket timer, armed earlier, fires while it
// waits) is woken by a past deadline set from another goroutine.
func TestLazyAbortWakesRead(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, _ := lazyPipe(t, 30*time.Millisecond)
		for i := 0; i < 20; i++ {
			c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
			c.SetReadDeadline(time.Time{})
			done := make(chan error, 1)
			go func() {
				_, err := c.Read(make([]byte, 1))
				done <- err
			}()
			time.Sleep(time.Duration(i%5) * 15 * time.Millisecond)
			synctest.Wait() // the Read is blocked
			select {
			case err := <-done:
				t.Fatalf("round %d: Read returned %v before the abort", i, err)
			default:
			}
			c.SetReadDeadline(time.Unix(1, 0))
			synctest.Wait()
			select {
			case err := <-done:
				if !errors.Is(err, os.ErrDeadlineExceeded) {
					t.Fatalf("round %d: Read = %v, want a deadline error", i, err)
				}
			default:
				t.Fatalf("round %d: the abort did not wake the read", i)
			}
			c.SetReadDeadline(time.Time{})
		}
	})
}

// TestLazyWriteSurvivesEarlyArm: a write deadline armed and then cleared
// fires in the middle of a large Write to a peer that is not reading yet;
// the Write carries on and delivers every byte.
func TestLazyWriteSurvivesEarlyArm(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, peer := lazyPipe(t, 50*time.Millisecond)
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
		time.Sleep(300 * time.Millisecond) // the armed deadline fires, six times
		got, err := io.Copy(io.Discard, peer)
		r := <-done
		if r.err != nil || r.n != size || got != size || err != nil {
			t.Fatalf("Write = %d, %v; peer read %d, %v; want %d bytes and no error", r.n, r.err, got, err, size)
		}
	})
}

// TestLazyWriteDeadline: a write the peer never drains fails at the wanted
// deadline, exactly.
func TestLazyWriteDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c, _ := lazyPipe(t, 50*time.Millisecond)
		start := time.Now()
		c.SetWriteDeadline(start.Add(250 * time.Millisecond))
		n, err := c.Write(make([]byte, 64<<20))
		if !errors.Is(err, os.ErrDeadlineExceeded) || n >= 64<<20 {
			t.Fatalf("Write = %d, %v; want a short write and a deadline error", n, err)
		}
		if took := time.Since(start); took != 250*time.Millisecond {
			t.Errorf("deadline seen after %v, want 250ms", took)
		}
	})
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
