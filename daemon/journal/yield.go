package journal

import "time"

// A mirror's lane is background work: nobody waits on its answer, while a
// script that submits a scrobble waits for the commit that journals it.
// The journal has one writer (bbolt), and every send of a mirror ends in
// a commit of its answers beside the submissions, plus the CPU of the call.
// So while scripts' submissions stream in (an import through the daemon,
// a burst of players), a mirror's sender waits for a quiet moment before
// its next send: Tuning.MirrorYield without a submission, at most
// Tuning.MirrorYieldMax per send, so that a stream that never pauses still
// gets a batch out to every mirror that often. Last.fm's lane never
// yields: a caller may be waiting on its answer. docs/mirrors.md#what-is-mirrored
// says what it means for a play, docs/performance.md#what-the-mirrors-cost
// what it is worth.

// foreground notes that a script's write was just committed (a
// submission, or a love journalled): mirrors' senders yield to it.
func (j *Journal) foreground() {
	j.lastForeground.Store(int64(max(j.mono(), 1))) // 0 means none yet
}

// yieldFor is how much longer a mirror's sender waits before its next
// send: until quiet has passed since the last foreground commit
// (sinceLast), and no longer than most in all (waited so far); 0 or less:
// send now.
func yieldFor(sinceLast, waited, quiet, most time.Duration) time.Duration {
	if sinceLast >= quiet {
		return 0
	}
	return min(quiet-sinceLast, most-waited)
}

// yield waits while scripts' writes stream in (yieldFor), or until Close.
// It reads the monotonic clock (j.mono), not j.now: the wall clock may be
// a test's, frozen, or set back, and this is a matter of milliseconds
// between two commits, not of Last.fm's time rules.
func (s *sender) yield() {
	j := s.j
	start := j.mono()
	for !j.stopping() {
		last := j.lastForeground.Load()
		if last == 0 {
			return
		}
		now := j.mono()
		d := yieldFor(now-time.Duration(last), now-start, j.tune.MirrorYield, j.tune.MirrorYieldMax)
		if d <= 0 {
			return
		}
		if j.yieldHook != nil {
			j.yieldHook()
		}
		s.wait(min(d, j.tune.Poll), nil)
	}
}
