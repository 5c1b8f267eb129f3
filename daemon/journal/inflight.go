package journal

import (
	"time"

	bolt "go.etcd.io/bbolt"
)

// An item is in flight from the moment the request that carries it leaves
// lastfmd until its outcome is written to the file (or, on a full disk,
// until the outcome kept in memory is written: owed.go). Last.fm may have
// recorded it at any instant of that window, so an operator action on it
// (drop, retry, a forced logout) cannot know the truth before the window
// closes. Such actions wait for it (bounded by Tuning.FlightWait) and then
// act on what the answer said; they never claim what did not happen
// (docs/journal.md#in-flight, issue 21).
//
// Two maps under j.mu keep the sender and the operator apart:
//   - flights: id -> the batch carrying it; closed when its outcome is
//     written;
//   - claims: ids an operator action is about to change; the sender leaves
//     them out of its next batch.
//
// The sender registers a batch (takeOff) and then reads the items again, so
// an action that claimed and finished before the registration is seen as
// the item being gone, and one that claims after it sees the flight.

// flight is one batch on its way to Last.fm.
type flight struct {
	lane    string
	account string
	ids     []uint64
	done    chan struct{}
}

// takeOff registers batch as in flight, leaving out the items an operator
// claimed or removed meanwhile; it returns the items that may be sent (nil
// when none) and their flight.
func (s *sender) takeOff(batch []*Item) ([]*Item, *flight) {
	j, ln := s.j, s.lane
	j.mu.Lock()
	var out []*Item
	for _, it := range batch {
		if !j.claims[laneID{ln.name, it.ID}] {
			out = append(out, it)
		}
	}
	f := &flight{lane: ln.name, account: s.account, done: make(chan struct{})}
	for _, it := range out {
		f.ids = append(f.ids, it.ID)
		j.flights[laneID{ln.name, it.ID}] = f
	}
	j.mu.Unlock()
	// Read again: an operator may have dropped or buried an item between
	// nextBatch and the registration above.
	var gone map[uint64]bool
	_ = j.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(ln.b.items)
		for _, it := range out {
			if b.Get(idKey(it.ID)) == nil {
				if gone == nil {
					gone = map[uint64]bool{}
				}
				gone[it.ID] = true
			}
		}
		return nil
	})
	if gone != nil {
		kept := out[:0]
		for _, it := range out {
			if !gone[it.ID] {
				kept = append(kept, it)
			}
		}
		out = kept
	}
	if len(out) == 0 {
		s.land(f)
		return nil, nil
	}
	return out, f
}

// land closes a flight once its outcome is written. While the sender owes
// writes (a full disk), the flight stays open until they are paid.
func (s *sender) land(f *flight) {
	j := s.j
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(s.owed) > 0 {
		s.grounded = append(s.grounded, f)
		return
	}
	j.landLocked(f)
}

// landGroundedLocked closes the flights whose outcomes were owed (j.mu held).
func (s *sender) landGroundedLocked() {
	for _, f := range s.grounded {
		s.j.landLocked(f)
	}
	s.grounded = nil
}

func (j *Journal) landLocked(f *flight) {
	for _, id := range f.ids {
		if k := (laneID{f.lane, id}); j.flights[k] == f {
			delete(j.flights, k)
		}
	}
	close(f.done)
}

// claim marks ids as about to be changed by an operator action and waits,
// at most Tuning.FlightWait, for those in flight to land. It returns the
// ids still in flight after the wait (not claimed: the action must leave
// them alone and say so) and a release for the claims. The caller reads
// the file after claim returns, so it acts on the outcome written.
func (j *Journal) claim(ids []laneID) (flying map[laneID]bool, release func()) {
	deadline := time.NewTimer(j.tune.FlightWait)
	defer deadline.Stop()
	claimed := map[laneID]bool{}
	pending := ids
	for {
		var waitOn *flight
		j.mu.Lock()
		var rest []laneID
		for _, id := range pending {
			if f := j.flights[id]; f != nil {
				rest = append(rest, id)
				waitOn = f
				continue
			}
			if !claimed[id] && !j.claims[id] {
				j.claims[id], claimed[id] = true, true
			}
		}
		j.mu.Unlock()
		pending = rest
		if waitOn == nil {
			break
		}
		select {
		case <-waitOn.done:
			continue
		case <-deadline.C:
		case <-j.stop:
		}
		flying = map[laneID]bool{}
		for _, id := range pending {
			flying[id] = true
		}
		break
	}
	return flying, func() {
		j.mu.Lock()
		for id := range claimed {
			delete(j.claims, id)
		}
		j.mu.Unlock()
	}
}
