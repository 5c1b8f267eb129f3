package journal

import (
	"context"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// waiter is a submitter waiting for Last.fm's answers to its items.
type waiter struct {
	mu        sync.Mutex
	out       map[uint64]Outcome
	remaining int
	ch        chan struct{}
	closed    bool
}

func (w *waiter) set(o Outcome) {
	w.mu.Lock()
	defer w.mu.Unlock()
	prev, seen := w.out[o.ID]
	if seen && final(prev) {
		return
	}
	o.Duplicate = prev.Duplicate
	w.out[o.ID] = o
	if final(o) {
		w.remaining--
		if w.remaining <= 0 {
			w.release()
		}
	}
}

// final: nothing more will happen to the item (answered, given up, or
// dropped from the queue).
func final(o Outcome) bool { return o.Done() || o.State == Unknown || o.State == AnswerUnknown }

// release wakes the waiter (w.mu held or the waiter unreachable).
func (w *waiter) release() {
	if !w.closed {
		w.closed = true
		close(w.ch)
	}
}

// Wait returns the outcome of each ticket, waiting at most d (and while ctx
// lives) for Last.fm to answer the pending ones. d = 0 returns at once.
func (j *Journal) Wait(ctx context.Context, tickets []Ticket, d time.Duration) []Outcome {
	w := &waiter{out: make(map[uint64]Outcome, len(tickets)), ch: make(chan struct{})}
	for _, t := range tickets {
		if _, ok := w.out[t.ID]; !ok {
			w.out[t.ID] = Outcome{ID: t.ID, State: Pending, Duplicate: t.Duplicate}
			w.remaining++
		}
	}
	// Register before reading the file: an answer committed after the read
	// is then delivered to the waiter, one committed before is read.
	j.mu.Lock()
	if !j.closed && d > 0 {
		for id := range w.out {
			j.waiters[id] = append(j.waiters[id], w)
		}
	}
	j.mu.Unlock()
	defer j.unregister(w)

	states := j.lookup(w.ids())
	for _, o := range states {
		w.set(o)
	}
	if d > 0 {
		t := time.NewTimer(d)
		select {
		case <-w.ch:
		case <-t.C:
		case <-ctx.Done():
		}
		t.Stop()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]Outcome, len(tickets))
	for i, t := range tickets {
		out[i] = w.out[t.ID]
		out[i].Duplicate = t.Duplicate
	}
	return out
}

func (w *waiter) ids() []uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	ids := make([]uint64, 0, len(w.out))
	for id := range w.out {
		ids = append(ids, id)
	}
	return ids
}

func (j *Journal) unregister(w *waiter) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for id := range w.out {
		ws := j.waiters[id]
		for i, x := range ws {
			if x == w {
				ws = append(ws[:i], ws[i+1:]...)
				break
			}
		}
		if len(ws) == 0 {
			delete(j.waiters, id)
		} else {
			j.waiters[id] = ws
		}
	}
}

// notify tells waiting submitters about answered items.
func (j *Journal) notify(outs []Outcome) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, o := range outs {
		for _, w := range j.waiters[o.ID] {
			w.set(o)
		}
	}
}

// lookup reads the current state of ids.
func (j *Journal) lookup(ids []uint64) []Outcome {
	out := make([]Outcome, 0, len(ids))
	_ = j.db.View(func(tx *bolt.Tx) error {
		for _, id := range ids {
			out = append(out, j.stateOf(tx, id))
		}
		return nil
	})
	return out
}

// stateOf is id's state on the lane "lastfm": what a submitter waits for.
func (j *Journal) stateOf(tx *bolt.Tx, id uint64) Outcome {
	ln := j.lastfm()
	k := idKey(id)
	if tx.Bucket(ln.b.items).Get(k) != nil {
		return Outcome{ID: id, State: Pending}
	}
	if v := tx.Bucket(ln.b.results).Get(k); v != nil {
		if r, err := decodeResult(v); err == nil {
			if r.Status == StatusMaybe {
				// Not an answer: what an operator dropped while Last.fm
				// may have had it.
				return Outcome{ID: id, State: AnswerUnknown, Reason: reasonDroppedMaybe}
			}
			return Outcome{ID: id, State: Sent, Result: r}
		}
	}
	for _, b := range ln.givenUp() {
		if v := tx.Bucket(b.name).Get(k); v != nil {
			if it, err := decodeItem(v); err == nil {
				return Outcome{ID: id, State: b.state, Reason: it.Reason}
			}
		}
	}
	return Outcome{ID: id, State: Unknown}
}
