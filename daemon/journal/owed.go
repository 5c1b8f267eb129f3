package journal

import (
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/lastfmd/lastfmd/daemon/backoff"
)

// owedWrite is an outcome the journal must still record: Last.fm's answers
// to a batch (settle) or a dead letter (bury). The outcome itself is final;
// only writing it down failed.
type owedWrite struct {
	items int // how many items it settles, for the status line
	write func() error
}

// IsDiskFull reports whether err comes from a filesystem with no space
// (or quota) left.
func IsDiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC)
}

// diskProblem is the one-line explanation /v1/status, `lastfmd status` and
// the log give for a write the journal could not make.
func (j *Journal) diskProblem(err error, owed int) string {
	held := fmt.Sprintf("%d settled items are kept in memory and written as soon as the disk allows; nothing is sent again meanwhile", owed)
	if IsDiskFull(err) {
		return fmt.Sprintf("the disk holding %s is full (no space left on device): free space there; %s", j.path, held)
	}
	return fmt.Sprintf("cannot write %s: %v; %s", j.path, err, held)
}

// record writes an outcome, or keeps it to write later when the disk
// refuses. Until every owed outcome is written the sender sends nothing
// (run calls payOwed first): the items are still pending in the file, and
// sending them again would repeat a batch Last.fm already answered.
func (s *sender) record(w owedWrite) {
	if len(s.owedNow()) > 0 {
		s.owe(w, nil) // earlier outcomes are still owed: keep the order
		return
	}
	if err := w.write(); err != nil {
		s.owe(w, err)
	}
}

// buryOwed dead-letters items, or keeps the burial to write later.
func (s *sender) buryOwed(items []*Item, reason string) {
	j := s.j
	ln := s.lane
	s.record(owedWrite{items: len(items), write: func() error { return j.bury(ln, items, reason) }})
}

func (s *sender) owedNow() []owedWrite {
	s.j.mu.Lock()
	defer s.j.mu.Unlock()
	return s.owed
}

// owe keeps w and backs off; err is the write's failure (nil when w was
// queued behind earlier ones without a try).
func (s *sender) owe(w owedWrite, err error) {
	j := s.j
	j.mu.Lock()
	first := len(s.owed) == 0
	s.owed = append(s.owed, w)
	n := 0
	for _, o := range s.owed {
		n += o.items
	}
	if err != nil {
		s.backoffDiskLocked(err, n)
	}
	msg := s.diskErr
	j.mu.Unlock()
	if first {
		j.log.Error("journal: "+msg, "account", s.account)
	}
}

// backoffDiskLocked notes a failed write and when to try again (j.mu held).
func (s *sender) backoffDiskLocked(err error, owed int) {
	j := s.j
	s.diskStep = backoff.Next(s.diskStep, j.tune.BackoffBase, j.tune.BackoffMax)
	s.next = j.now().Add(backoff.Jitter(s.diskStep, 4))
	s.diskErr = j.diskProblem(err, owed)
	s.lastError, s.lastErrAt = s.diskErr, j.now()
}

// payOwed writes the owed outcomes in order. It reports whether some are
// still owed and, if so, how long to wait before the next try. final (at
// shutdown) tries once whatever the back-off; what is still unwritten then
// stays pending in the file and is sent again on the next start
// (at-least-once).
func (s *sender) payOwed(final bool) (time.Duration, bool) {
	j := s.j
	j.mu.Lock()
	owed, next := s.owed, s.next
	j.mu.Unlock()
	if len(owed) == 0 {
		return 0, false
	}
	if now := j.now(); !final && now.Before(next) {
		return next.Sub(now), true
	}
	for i, w := range owed {
		if err := w.write(); err != nil {
			j.mu.Lock()
			s.owed = append([]owedWrite(nil), owed[i:]...)
			n := 0
			for _, o := range s.owed {
				n += o.items
			}
			s.backoffDiskLocked(err, n)
			wait := s.next.Sub(j.now())
			j.mu.Unlock()
			j.log.Debug("journal: the disk still refuses the owed write", "account", s.account, "items", n, "err", err)
			if final {
				j.log.Error("journal: stopping with outcomes not written; their items stay pending and are sent again on the next start",
					"account", s.account, "items", n, "err", err)
			}
			return max(wait, time.Millisecond), true
		}
	}
	j.mu.Lock()
	if s.lastError == s.diskErr {
		s.lastError = ""
	}
	s.owed, s.diskStep, s.diskErr, s.next = nil, 0, "", time.Time{}
	s.landGroundedLocked()
	j.mu.Unlock()
	j.log.Info("journal: the outcomes kept in memory are written; sending resumes", "account", s.account)
	return 0, false
}
