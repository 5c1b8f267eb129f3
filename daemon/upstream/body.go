package upstream

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/signer"
)

// MaxBody caps what lastfmd reads from one Last.fm answer; the largest real
// answers (a 1000-item page) are well under 1 MiB.
const MaxBody = 8 << 20

// smallBody is what any answer may grow to without a large-body slot, and
// maxLargeBodies how many answers may grow past it at once. With
// maxConcurrent calls, the bodies being read hold at most
// maxConcurrent·smallBody + maxLargeBodies·MaxBody bytes (32 MiB by
// default) however many huge answers arrive together: a slow stream of 10
// MB answers waits for a slot instead of piling up in memory.
const (
	smallBody      = 1 << 20
	maxLargeBodies = 2
)

// ErrTooLarge marks an answer over MaxBody. Fetching it again would only
// read as much again, so callers do not retry it (proxy.retryTransport).
var ErrTooLarge = errors.New("answer over the size bound")

// bodyMeter counts the bytes held by bodies being read: the bound above is
// a tested property, not a hope.
type bodyMeter struct {
	inFlight, peak atomic.Int64
	large          chan struct{}
}

func newBodyMeter() *bodyMeter { return &bodyMeter{large: make(chan struct{}, maxLargeBodies)} }

func (m *bodyMeter) add(n int64) {
	v := m.inFlight.Add(n)
	for {
		p := m.peak.Load()
		if v <= p || m.peak.CompareAndSwap(p, v) {
			return
		}
	}
}

// BodyPeak is the most bytes answers being read ever held at once.
func (c *Client) BodyPeak() int64 { return c.bodies.peak.Load() }

// readBody reads an answer of at most MaxBody bytes. length is the
// Content-Length (-1 unknown): a declared size over the bound is refused
// unread.
func (m *bodyMeter) read(ctx context.Context, r io.Reader, length int64) ([]byte, error) {
	if length > MaxBody {
		return nil, tooLarge()
	}
	capacity := int64(32 << 10)
	if length >= 0 {
		capacity = length + 1 // +1: EOF is seen without growing
	}
	capacity = min(capacity, smallBody+1)
	buf := make([]byte, 0, capacity)
	held := int64(cap(buf))
	m.add(held)
	defer func() { m.add(-held) }()
	slot := false
	defer func() {
		if slot {
			<-m.large
		}
	}()
	for {
		if len(buf) == cap(buf) {
			if len(buf) > MaxBody {
				return nil, tooLarge()
			}
			next := int64(2 * cap(buf))
			if next > smallBody+1 && !slot {
				select {
				case m.large <- struct{}{}:
					slot = true
				case <-ctx.Done():
					return nil, ctx.Err()
				}
			}
			next = min(next, MaxBody+1)
			grown := make([]byte, len(buf), next)
			copy(grown, buf)
			m.add(next - held)
			buf, held = grown, next
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			if len(buf) > MaxBody {
				return nil, tooLarge()
			}
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func tooLarge() error {
	return &apperr.Error{Kind: apperr.BadGateway, Code: signer.ErrOperationFailed,
		Message: fmt.Sprintf("the answer is larger than %d bytes; refused, not retried", MaxBody), Err: ErrTooLarge}
}
