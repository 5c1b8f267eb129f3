package journal

import (
	"errors"
	"fmt"
	"maps"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/backoff"
	"github.com/lastfmd/lastfmd/daemon/listenbrainz"
	"github.com/lastfmd/lastfmd/daemon/upstream"
	"github.com/lastfmd/lastfmd/internal/clip"
	"github.com/lastfmd/lastfmd/signer"
)

// maxStoredMessage bounds a Last.fm message kept with an item (its last
// error or a dead letter's reason) and shown in the queue and status.
const maxStoredMessage = 300

// sender owns every send of one account on one lane: one goroutine, so
// the account's items go out to that destination in order and never twice
// at once.
type sender struct {
	j       *Journal
	lane    *lane
	account string
	kick    chan struct{}

	// Guarded by j.mu.
	running   bool
	next      time.Time     // back-off: no attempt before
	step      time.Duration // current back-off step; 0 after a success
	capUntil  time.Time     // daily scrobble cap: paused until 00:00 UTC
	failedKey string        // the session key Last.fm refused (9, or 4 with sk)
	marked    bool          // the refusal was recorded in the session store
	code2     int           // consecutive error 2 answers (retried at most twice)
	paused    string        // why the sender waits, for /v1/queue
	lastError string
	lastErrAt time.Time
	// owed are outcomes Last.fm (or lastfmd) settled that the journal could
	// not write yet (a full or failing disk). They are kept in memory and
	// written again with back-off; until they are written the sender sends
	// nothing, so a batch already answered is never sent again while the
	// process lives.
	owed     []owedWrite
	diskStep time.Duration // back-off of the owed writes
	diskErr  string        // why the last write failed, for /v1/status
	grounded []*flight     // flights whose outcomes are owed: they land when written (inflight.go)
}

// senderLocked returns the account's sender on the lane, starting its
// goroutine once the journal is started (j.mu held).
func (j *Journal) senderLocked(ln *lane, account string) *sender {
	k := sendKey{ln.name, account}
	s := j.senders[k]
	if s == nil {
		s = &sender{j: j, lane: ln, account: account, kick: make(chan struct{}, 1)}
		j.senders[k] = s
	}
	if j.started && !j.closed && !s.running {
		s.running = true
		j.wg.Add(1)
		go s.run()
	}
	return s
}

// wake makes the sender look at its queue now.
func (s *sender) wake() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

func (s *sender) run() {
	j := s.j
	defer j.wg.Done()
	defer func() {
		s.payOwed(true) // a last try at shutdown; unwritten, the items go again on the next start
		j.mu.Lock()
		s.landGroundedLocked()
		j.mu.Unlock()
	}()
	yielded := false // a mirror's sender has yielded to scripts' writes before this send (yield.go)
	for !j.stopping() {
		if wait, owing := s.payOwed(false); owing {
			s.sleep(wait)
			continue
		}
		if j.pending(s.lane, s.account) == 0 {
			yielded = false
			s.idle()
			continue
		}
		if d := s.blocked(); d > 0 {
			s.sleep(d)
			continue
		}
		if s.lane.mirror && !yielded {
			// Then look again: a sign-out, a drop or a pause may have
			// come while it waited.
			s.yield()
			yielded = true
			continue
		}
		yielded = false
		size := s.batchSize()
		batch, err := j.nextBatch(s.lane, s.account, size)
		if err != nil {
			j.log.Error("journal: cannot read the queue", "destination", s.lane.name, "account", s.account, "err", err)
			s.noteError("cannot read the journal: " + err.Error())
			s.sleep(j.tune.Poll)
			continue
		}
		if len(batch) == 0 {
			s.idle()
			continue
		}
		batch, f := s.takeOff(batch)
		if f == nil {
			// An operator action holds or took every item: look again
			// once it is done (within Poll), not in a busy loop.
			s.sleep(j.tune.Poll)
			continue
		}
		s.send(batch)
		s.land(f)
		if s.lane.mirror && len(batch) < size {
			s.gather()
		}
	}
}

// gather gives a mirror's stream time to fill its next batch
// (Tuning.MirrorGather): woken only by Close, not by each new play.
func (s *sender) gather() {
	s.wait(s.j.tune.MirrorGather, nil)
}

// idle waits for new items (or Close): nothing is pending.
func (s *sender) idle() {
	s.setPaused("")
	select {
	case <-s.kick:
	case <-s.j.stop:
	}
}

// sleep waits d (at most Poll: the clock may be a test's and the session
// store may change), or until woken or stopped.
func (s *sender) sleep(d time.Duration) {
	s.wait(min(d, s.j.tune.Poll), s.kick)
}

// wait waits d, or until wake (nil: never) or Close.
func (s *sender) wait(d time.Duration, wake <-chan struct{}) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-wake:
	case <-s.j.stop:
	}
}

// blocked returns how long the sender must still wait, 0 when it may send.
func (s *sender) blocked() time.Duration {
	j, ln := s.j, s.lane
	now := j.now()
	j.mu.Lock()
	keyProblem, next, capUntil := ln.keyProblem, s.next, s.capUntil
	j.mu.Unlock()
	switch {
	case keyProblem != "":
		s.setPaused("every account is paused: " + keyProblem)
		return j.tune.Poll
	case now.Before(capUntil):
		s.setPaused("paused by the daily cap until 00:00 UTC: " + s.who() + "'s daily scrobble limit was reached; sending resumes at " + capUntil.UTC().Format(time.RFC3339))
		return capUntil.Sub(now)
	case now.Before(next):
		return next.Sub(now)
	}
	if lim := ln.limiter(); lim != nil {
		if until := lim.BackoffUntil(); now.Before(until) {
			s.setPaused("waiting for the global back-off after " + s.who() + "'s error 29")
			return until.Sub(now)
		}
	}
	login := ln.signIn(s.account)
	acct, ok := j.accounts.Get(s.account)
	if !ok {
		s.setPaused(fmt.Sprintf("account %q is not signed in: run `%s`", s.account, login))
		return j.tune.Poll
	}
	key, _, ok := ln.sessionKey(acct)
	if !ok {
		s.setPaused(fmt.Sprintf("account %q has no session on %s: run `%s`", s.account, ln.name, login))
		return j.tune.Poll
	}
	if s.needsSignin(acct, key) {
		s.setPaused(fmt.Sprintf("account %q must sign in again at %s: run `%s`", s.account, s.who(), login))
		return j.tune.Poll
	}
	s.setPaused("")
	return 0
}

// who names the sender's destination in messages: Last.fm, or the mirror.
func (s *sender) who() string {
	if s.lane.mirror {
		return "mirror " + s.lane.name
	}
	return "Last.fm"
}

// batchSize is how many scrobbles one call carries: scrobble.batch_size,
// or one on a lane whose service failed batches.
func (s *sender) batchSize() int {
	s.j.mu.Lock()
	defer s.j.mu.Unlock()
	switch {
	case s.lane.lb != nil:
		return listenbrainz.MaxListensPerImport // ListenBrainz's import batches (sendListens splits by size)
	case s.lane.single:
		return 1
	}
	return s.j.batchSize
}

// needsSignin: the account's key on the lane was refused and it has not
// signed in since (its key is the same and it is still marked).
func (s *sender) needsSignin(acct accounts.Account, key string) bool {
	j := s.j
	_, marked, _ := s.lane.sessionKey(acct)
	j.mu.Lock()
	defer j.mu.Unlock()
	if marked {
		return true
	}
	if s.failedKey != "" {
		if key == s.failedKey && !s.marked {
			return true // the mark could not be stored: wait for a new key
		}
		s.failedKey, s.marked = "", false
		j.log.Info("journal: account signed in again; sending resumes", "destination", s.lane.name, "account", s.account)
	}
	return false
}

func (s *sender) setPaused(why string) {
	s.j.mu.Lock()
	s.paused = why
	s.j.mu.Unlock()
}

func (s *sender) noteError(msg string) {
	s.j.mu.Lock()
	s.lastError, s.lastErrAt = msg, s.j.now()
	s.j.mu.Unlock()
}

// nextBatch reads the account's next send on the lane: one write, or up to
// size scrobbles in timestamp order.
func (j *Journal) nextBatch(ln *lane, account string, size int) ([]*Item, error) {
	var out []*Item
	err := j.db.View(func(tx *bolt.Tx) error {
		pend, err := ln.pendingOf(tx, account, false)
		if err != nil || pend == nil {
			return err
		}
		return pend.each(nil, func(k []byte) (bool, error) {
			if len(out) >= size {
				return false, nil
			}
			it, err := ln.getItem(tx, ln.b.items, keyID(k))
			if err != nil {
				return false, fmt.Errorf("item %d: %w", keyID(k), err)
			}
			if it == nil {
				return true, nil // dropped meanwhile
			}
			if it.Method != MethodScrobble {
				if len(out) == 0 {
					out = append(out, it)
				}
				return false, nil // a write goes alone
			}
			out = append(out, it)
			return true, nil
		})
	})
	return out, err
}

// send delivers one batch.
func (s *sender) send(batch []*Item) {
	j, ln := s.j, s.lane
	acct, ok := j.accounts.Get(s.account)
	if !ok {
		return // logged out meanwhile; blocked() reports it
	}
	key, _, ok := ln.sessionKey(acct)
	if !ok {
		return // signed out of the mirror meanwhile; blocked() reports it
	}
	if ln.lb != nil {
		s.sendListens(key, batch) // listenbrainz_send.go
		return
	}
	if batch[0].Method != MethodScrobble {
		s.deliver(key, batch, batch[0].Method, batch[0].Params)
		return
	}
	// Too old to send: Last.fm ignores scrobbles older than 14 days
	// (docs/scrobbling.md#how-lastfmd-sends), so they are dead-lettered
	// unsent; a mirror has its own max_age (none by default).
	now := j.now()
	var fresh, old []*Item
	for _, it := range batch {
		if ln.maxAge > 0 && time.Unix(it.Timestamp, 0).Before(now.Add(-ln.maxAge)) {
			old = append(old, it)
		} else {
			fresh = append(fresh, it)
		}
	}
	if len(old) > 0 {
		what := "scrobble.max_age"
		if ln.mirror {
			what = "mirror " + ln.name + "'s max_age"
		}
		s.buryOwed(old, fmt.Sprintf("older than %s (%s) when it could be sent; %s would ignore it", what, ln.maxAge, s.who()))
	}
	if len(fresh) > 0 {
		s.deliver(key, fresh, MethodScrobble, batchParams(fresh))
	}
}

// batchParams is track.scrobble's indexed form: artist[0], track[0], ...;
// a lone scrobble goes without brackets, as the page allows
// (https://www.last.fm/api/show/track.scrobble).
func batchParams(items []*Item) map[string]string {
	var p map[string]string
	if len(items) == 1 {
		p = maps.Clone(items[0].Params)
	} else {
		fields := make([]map[string]string, len(items))
		for i, it := range items {
			fields[i] = it.Params
		}
		p = signer.IndexScrobbles(fields)
	}
	if p == nil {
		p = map[string]string{}
	}
	p["format"] = "json"
	return p
}

// deliver sends items in one call with the account's session key on the
// lane and acts on the answer.
func (s *sender) deliver(key string, items []*Item, method string, params map[string]string) {
	r, err := s.lane.up.Do(s.j.hardStop, upstream.Call{Method: method, Params: params, SessionKey: key, Post: true, Background: true})
	switch {
	case err != nil:
		s.unreachable(items, err)
	case r.Failed():
		s.refused(key, items, r)
	default:
		s.answered(items, r)
	}
}

// unreachable handles a call that got no answer from the lane's
// destination (either API).
func (s *sender) unreachable(items []*Item, err error) {
	j := s.j
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Kind == apperr.RateLimited {
		// lastfmd's own limiter could not take the call in time (reads
		// are queued ahead): not an attempt, just try again shortly.
		wait := max(ae.RetryAfter, j.tune.Poll)
		j.mu.Lock()
		s.next = j.now().Add(wait)
		j.mu.Unlock()
		return
	}
	if j.hardStop.Err() != nil {
		// Cut off at shutdown: the items stay pending for the next start,
		// marked when the request may have reached Last.fm.
		s.note(items, "cut off when lastfmd stopped", s.lane.mayHaveReached(err))
		return
	}
	msg := s.who() + " is unreachable"
	if ae != nil {
		msg = ae.Message
	}
	if errors.Is(err, listenbrainz.ErrNotSent) {
		msg = fmt.Sprintf("not sent to %s: %v", s.who(), err)
	}
	s.retryLater(items, signer.ClassifyTransport(err), msg, s.lane.mayHaveReached(err))
}

// refused handles a Last.fm error answer (or a bare HTTP error) by the
// table's rule for scrobbles (docs/design.md#reliability-rules). Journalled
// writes follow the same column: they are replayed from the journal too.
func (s *sender) refused(key string, items []*Item, r *upstream.Response) {
	j := s.j
	class, code, msg := r.Class, 0, fmt.Sprintf("HTTP %d from %s", r.Status, s.who())
	if r.APIError != nil {
		code, msg = r.APIError.Code, clip.Line(r.APIError.Error(), maxStoredMessage)
	}
	if class == signer.ClassTransient && code == signer.ErrInvalidService {
		j.mu.Lock()
		s.code2++
		tooMany := s.code2 > signer.RetryLimitFor(code)
		j.mu.Unlock()
		if tooMany {
			class = signer.ClassPermanent // error 2 is retried at most twice
		}
	}
	if s.lane.mirror && s.mirrorRefused(key, items, class, code, msg, r.APIError != nil) {
		return
	}
	rule := signer.Policy(class, signer.CallerScrobble)
	if rule.Split {
		if len(items) > 1 {
			s.split(key, items)
			return
		}
		if code == signer.ErrInvalidSignature {
			s.thirteen(items)
			return
		}
		// A lone item answered 6 or 7: the item is bad (the switch below
		// dead-letters it).
	}
	switch {
	case rule.PauseAll:
		s.pauseAll(items, msg)
	case class == signer.ClassReauth && rule.PauseAccount:
		s.pauseForSignin(key, items, msg)
	case rule.Retry:
		// A bare 5xx came from a proxy in front of Last.fm, which may have
		// passed the request on; a Last.fm error answer says it was not
		// taken.
		s.retryLater(items, class, msg, r.APIError == nil)
	case rule.DeadLetter:
		s.buryOwed(items, s.who()+" refused it: "+msg)
	default:
		// No rule for this class in the journal's column: keep the items
		// and back off rather than lose them.
		s.retryLater(items, signer.ClassTransient, msg, r.APIError == nil)
	}
}

// split resends a batch answered 6, 7 or 13 item by item, so that only the
// bad items are dead-lettered; the items answered 13 alone go to thirteen.
func (s *sender) split(key string, items []*Item) {
	j := s.j
	var thirteen []*Item
	for i, it := range items {
		one := []*Item{it}
		r, err := s.lane.up.Do(j.hardStop, upstream.Call{Method: MethodScrobble, Params: batchParams(one), SessionKey: key, Post: true, Background: true})
		switch {
		case err != nil:
			s.unreachable(items[i:], err)
			return // the rest (and any 13s) stay pending
		case !r.Failed():
			s.answered(one, r)
			continue
		}
		if r.Class != signer.ClassBadItem {
			s.refused(key, items[i:], r) // transient, 29, revoked session, broken key
			return
		}
		if r.APIError != nil && r.APIError.Code == signer.ErrInvalidSignature {
			thirteen = append(thirteen, it)
			continue
		}
		s.buryOwed(one, s.who()+" refused this scrobble alone: "+clip.Line(r.APIError.Error(), maxStoredMessage))
	}
	if len(thirteen) > 0 {
		s.thirteen(thirteen)
	}
}

// thirteen settles scrobbles Last.fm answered error 13 (invalid method
// signature) one by one. A 13 on a scrobble does not prove the key or
// secret wrong: one item can fail alone. So the key is blamed, and every
// account paused, only when the one signed call that carries no scrobble
// (upstream.Probe, the same as `lastfmd config check`) fails too; when the
// probe passes, the items are bad and become dead letters; when it cannot
// run, they stay pending (docs/design.md#reliability-rules, issue 21).
func (s *sender) thirteen(items []*Item) {
	j := s.j
	r, err := s.lane.up.Probe(j.hardStop)
	var class signer.Class
	switch {
	case err != nil:
		class = signer.ClassifyTransport(err)
	case r.Failed() && r.APIError != nil:
		class = signer.ClassifyProbe(r.APIError.Code)
	case r.Failed():
		class = signer.ClassifyHTTP(r.Status)
	default:
		s.buryOwed(items, s.who()+" refused this scrobble with error 13 (invalid method signature) while a signed call without scrobbles passed")
		return
	}
	rule := signer.Policy(class, signer.CallerScrobble)
	answer := "no answer" // what the probe got, in words
	if r != nil {
		answer = fmt.Sprintf("HTTP %d", r.Status)
		if r.APIError != nil {
			answer = clip.Line(r.APIError.Error(), maxStoredMessage)
		}
	}
	switch {
	case rule.PauseAll: // only from ClassifyProbe: r.APIError is set
		s.pauseAll(items, signer.CredentialCauseAt(s.who(), r.APIError.Code, "", "")+" ("+s.who()+" answered error 13 to a scrobble, and "+answer+" to a signed "+upstream.ProbeMethod+" without scrobbles)")
	case rule.Retry || rule.GlobalBackoff:
		// The key could not be checked: keep the items; Last.fm answered
		// 13, so they were not recorded.
		s.retryLater(items, class, s.who()+" answered error 13 to a scrobble and the check of the API key could not run; will try again", false)
	default:
		s.buryOwed(items, s.who()+" refused this scrobble with error 13 (invalid method signature); the check of the API key was refused too: "+answer)
	}
}

// answered records Last.fm's answer to a call it accepted.
func (s *sender) answered(items []*Item, r *upstream.Response) {
	j := s.j
	now := j.now().UTC()
	var answers []signer.ScrobbleAnswer
	if items[0].Method == MethodScrobble {
		var err error
		answers, err = signer.ParseScrobbleAnswer(r.Body)
		if err == nil && len(answers) == 0 {
			// An answer that parses but lists no items (Maloja's) is
			// settled by its counts, never resent in a loop.
			answers, err = s.byCounts(items, r.Body)
		}
		if err == nil && len(answers) != len(items) {
			err = fmt.Errorf("%d items answered for %d sent", len(answers), len(items))
		}
		if err != nil {
			// Not understood is not an answer: nothing is known of these
			// scrobbles, so they stay queued and are sent again after a
			// back-off (at-least-once, as after no answer at all).
			s.retryLater(items, signer.ClassTransient, s.who()+"'s answer to track.scrobble was not understood: "+err.Error(), true)
			return
		}
	}
	var results []*Result
	var capped []*Item
	for i, it := range items {
		res := s.lane.result(it, StatusAccepted, now)
		if answers != nil {
			a := answers[i]
			code := s.lane.meaning(a.IgnoredCode) // a mirror's codes, read with its own map
			if class, keep := signer.ClassifyIgnored(code); keep && signer.Policy(class, signer.CallerScrobble).PauseAccount {
				capped = append(capped, it) // daily cap: keep pending
				continue
			}
			res.Answer, res.Corrected = a.Fields, a.Corrected
			if code != signer.IgnoredNone {
				res.Status, res.IgnoredCode = StatusIgnored, code
				res.IgnoredMessage = a.IgnoredMessage
				if res.IgnoredMessage == "" {
					res.IgnoredMessage = signer.IgnoredText(code)
				}
			}
		}
		results = append(results, res)
	}
	j.mu.Lock()
	s.step, s.code2 = 0, 0
	if len(capped) > 0 {
		s.capUntil = signer.DailyCapResume(now)
	}
	j.mu.Unlock()
	if len(capped) > 0 {
		msg := s.who() + "'s daily scrobble limit was reached (ignored code 5); kept, sending resumes at " + signer.DailyCapResume(now).Format(time.RFC3339)
		j.log.Warn("journal: "+msg, "destination", s.lane.name, "account", s.account, "kept", len(capped))
		s.note(capped, msg, false)
	}
	ln := s.lane
	s.record(owedWrite{items: len(results), write: func() error { return j.settle(ln, results) }})
}

// retryLater keeps items pending and backs off by class: the global back-off
// after 29, else 5 s doubling to 8 min with jitter.
//
// maybeSent says the request may have reached Last.fm (no answer, or one
// not understood): the items are marked so that their deduplication
// survives any operator action (docs/journal.md#in-flight).
func (s *sender) retryLater(items []*Item, class signer.Class, msg string, maybeSent bool) {
	j := s.j
	rule := signer.Policy(class, signer.CallerScrobble)
	now := j.now()
	j.mu.Lock()
	if rule.GlobalBackoff {
		until := now.Add(j.tune.Poll)
		if lim := s.lane.limiter(); lim != nil && lim.BackoffUntil().After(until) {
			until = lim.BackoffUntil()
		}
		s.next = until
	} else {
		s.step = backoff.Next(s.step, j.tune.BackoffBase, j.tune.BackoffMax)
		s.next = now.Add(backoff.Jitter(s.step, 4))
	}
	next := s.next
	j.mu.Unlock()
	j.log.Info("journal: send failed, will retry", "destination", s.lane.name, "account", s.account, "items", len(items), "class", class.String(),
		"error", msg, "next_attempt", next.UTC().Format(time.RFC3339))
	s.note(items, msg, maybeSent)
}

// pauseAll stops every sender of the lane: the destination's API key or
// secret is broken.
func (s *sender) pauseAll(items []*Item, msg string) {
	j := s.j
	j.mu.Lock()
	first := s.lane.keyProblem == ""
	s.lane.keyProblem = msg
	j.mu.Unlock()
	if first {
		j.log.Error("journal: "+s.who()+" refused the API key; every account's scrobbles to it are paused (nothing is lost). Fix the key or secret, restart lastfmd or run `lastfmd queue retry ID`",
			"destination", s.lane.name, "error", msg)
	}
	s.note(items, msg, false)
}

// pauseForSignin pauses the account on the lane until it signs in again
// there.
func (s *sender) pauseForSignin(key string, items []*Item, msg string) {
	j := s.j
	var changed bool
	var err error
	fix := s.lane.signIn(s.account)
	if s.lane.mirror {
		changed, err = j.accounts.MarkMirrorNeedsSignin(s.account, s.lane.name)
	} else {
		changed, err = j.accounts.MarkNeedsSignin(s.account)
	}
	if err != nil {
		j.log.Error("journal: cannot record that the account needs sign-in", "destination", s.lane.name, "account", s.account, "err", err)
	}
	j.mu.Lock()
	s.failedKey, s.marked = key, err == nil
	j.mu.Unlock()
	if changed || err != nil {
		j.log.Warn("journal: "+s.who()+" refused the account's session key; its scrobbles there wait until it signs in again",
			"destination", s.lane.name, "account", s.account, "error", msg, "fix", fix)
	}
	s.note(items, msg, false)
}

// note records a failed attempt on the items and the sender; maybeSent
// marks them as possibly recorded by Last.fm (Item.MaybeSent, never
// cleared).
func (s *sender) note(items []*Item, msg string, maybeSent bool) {
	j := s.j
	s.noteError(msg)
	ln := s.lane
	err := j.db.Update(func(tx *bolt.Tx) error {
		for _, it := range items {
			cur, err := ln.getItem(tx, ln.b.items, it.ID)
			if err != nil {
				return err
			}
			if cur == nil {
				continue
			}
			cur.Attempts++
			cur.LastError = msg
			cur.MaybeSent = cur.MaybeSent || maybeSent
			if err := ln.putItem(tx, ln.b.items, cur); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		j.log.Error("journal: cannot record a failed attempt", "destination", ln.name, "account", s.account, "err", err)
	}
}
