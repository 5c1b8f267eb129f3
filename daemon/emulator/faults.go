package emulator

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"
)

// Fault tells the emulator to misbehave. Faults wait in a FIFO; each API request
// (not the approval page) takes the first fault that matches it, and a fault with Times > 0 is removed
// after that many requests.
//
// Request-level faults (neither IgnoreCode nor BadItem set) apply as soon as the
// request is recorded, before any check: Delay and Hold first, then Hang, an Answer
// that is not Last.fm's, Drop, a bare HTTPStatus, or a Last.fm error Code; a
// fault with only Delay (or Answer: AnswerTruncated) then lets the request be
// processed normally.
//
// Scrobble faults (IgnoreCode or BadItem set) apply to track.scrobble (or to the
// Method named, e.g. track.updateNowPlaying for IgnoreCode) after the request
// passed every check (key, signature, session, parameters).
//
// An emulator playing ListenBrainz applies the same faults to its routes,
// named "submit-listens" and "validate-token" in Method; there Code is an
// HTTP status answered in ListenBrainz's shape, scrobble faults apply to
// submit-listens, and ResetIn sets the rate-limit headers (listenbrainz.go).
type Fault struct {
	// Method is the Last.fm method the fault applies to (any case); "" = any
	// method (scrobble faults: track.scrobble). ListenBrainz: "submit-listens"
	// or "validate-token" ("" = either; scrobble faults: submit-listens).
	Method string
	// Code is a Last.fm error code to answer (2, 8, 9, 11, 13, 16, 26, 29, ...)
	// with its usual HTTP status ([ErrorStatus]), or HTTPStatus when set.
	// ListenBrainz: an HTTP status (400, 401, 429, 500, 503, ...) answered
	// {"code":Code,"error":"..."} with ListenBrainz's wording for it.
	Code int
	// HTTPStatus with Code 0 answers this bare HTTP status (e.g. 502, 503) with an
	// HTML body, as a proxy in front of Last.fm does during outages. With Code set
	// it overrides the status of the error answer (e.g. 200 with an error body).
	HTTPStatus int
	// Delay waits this long before answering; a cancelled request or a stopping
	// emulator cuts the wait short (nothing is answered then).
	Delay time.Duration
	// Drop closes the connection without answering (the client sees EOF or a
	// reset). Go's http.Transport silently resends an idempotent request (GET)
	// that failed on a reused keep-alive connection, so a GET may consume a
	// second fault or reach the emulator twice; POSTs are never resent. Under
	// [Server.Handler] with a writer that cannot be hijacked, Drop panics with
	// http.ErrAbortHandler.
	Drop bool
	// IgnoreCode answers a scrobble ok but with every item ignored with this
	// ignoredMessage code (5: daily scrobble limit). Nothing is stored.
	// ListenBrainz (no ignored codes): submit-listens answers 200 ok and
	// stores nothing.
	IgnoreCode int
	// BadItem makes track.scrobble fail with error 13 (or Code when set) whenever
	// the request holds an item whose track or artist equals BadItem, so a batch
	// holding it fails whole while single-item sends of the other items pass.
	// Requests without such an item do not match (and do not consume) the fault.
	// ListenBrainz: submit-listens answers 400 (or Code) naming the first
	// listen whose track_name or artist_name equals BadItem, "payload[i]: ...".
	BadItem string
	// Hang accepts the request and never answers, until the request is
	// cancelled or the emulator stops: an upstream that hangs.
	Hang bool
	// Hold, like Delay, holds the request before it is processed, until the
	// channel is closed (or the request is cancelled, or the emulator
	// stops): a test decides when a slow Last.fm answers, without timing.
	Hold <-chan struct{}
	// Answer replaces Last.fm's answer with one that is not Last.fm's
	// (HTML, empty, truncated, another shape, an echo, a redirect, an
	// oversize body): see [AnswerFault].
	Answer AnswerFault
	// Size is AnswerOversize's body size (0: 10 MiB).
	Size int
	// Times is how many requests the fault applies to; 0 = until cleared.
	Times int
	// Until, when set, ends the fault at this emulator-clock time.
	Until time.Time
	// Chance, when between 0 and 1, applies the fault to only that share
	// of the matching requests (drawn at random), e.g. 0.1 for the soak
	// test's "10% transient errors"; requests it spares do not consume it.
	Chance float64
	// ResetIn (ListenBrainz only, request-level faults), when > 0, makes
	// the answer carry X-RateLimit-Remaining 0 and X-RateLimit-Reset-In
	// ResetIn (whole seconds, rounded up) instead of the limiter's: with
	// Code 429, a rate-limited answer; alone, an answer processed as usual
	// whose headers say the limit is reached.
	ResetIn time.Duration
}

func (f *Fault) scrobbleLevel() bool { return f.IgnoreCode != 0 || f.BadItem != "" }

// Fail queues a fault.
func (s *Server) Fail(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// ClearFaults removes every queued fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// Faults returns the faults still queued (with their remaining Times).
func (s *Server) Faults() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Fault, len(s.faults))
	for i, f := range s.faults {
		out[i] = *f
	}
	return out
}

// takeFaultLocked finds, consumes and returns the first matching fault.
// scrobble selects the scrobble-level faults; items are the request's scrobbles.
func (s *Server) takeFaultLocked(method string, scrobble bool, items []Scrobble) (Fault, bool) {
	now := s.now()
	kept := s.faults[:0]
	var got *Fault
	for _, f := range s.faults {
		if !f.Until.IsZero() && !now.Before(f.Until) {
			continue // expired: drop it
		}
		if got == nil && f.scrobbleLevel() == scrobble && s.faultMatches(f, method, scrobble, items) {
			c := *f
			got = &c
			if f.Times > 0 {
				f.Times--
				if f.Times == 0 {
					continue
				}
			}
		}
		kept = append(kept, f)
	}
	for i := len(kept); i < len(s.faults); i++ {
		s.faults[i] = nil
	}
	s.faults = kept
	if got == nil {
		return Fault{}, false
	}
	return *got, true
}

func (s *Server) faultMatches(f *Fault, method string, scrobble bool, items []Scrobble) bool {
	want := f.Method
	if want == "" && scrobble {
		want = "track.scrobble"
		if s.rules.listenbrainz {
			want = lbSubmit
		}
	}
	if want != "" && !strings.EqualFold(canonicalMethod(want), method) {
		return false
	}
	if f.Chance > 0 && f.Chance < 1 && rand.Float64() >= f.Chance {
		return false
	}
	if f.BadItem == "" {
		return true
	}
	for _, it := range items {
		if it.Track == f.BadItem || it.Artist == f.BadItem {
			return true
		}
	}
	return false
}

// applyFault performs a request-level fault. It reports whether the request has
// been answered (or abandoned); false lets normal processing go on.
func (s *Server) applyFault(c *call, f Fault) bool {
	if !s.sleep(c.r.Context(), f.Delay) {
		s.log("%s delayed request abandoned", c.method)
		return true
	}
	if f.Hold != nil {
		select {
		case <-f.Hold:
		case <-c.r.Context().Done():
			s.log("%s held request abandoned", c.method)
			return true
		case <-s.stopCh():
			return true
		}
	}
	if f.Hang {
		s.log("%s hangs", c.method)
		select {
		case <-c.r.Context().Done():
		case <-s.stopCh():
		}
		return true
	}
	if f.Answer != "" {
		return s.answerFault(c, f)
	}
	switch {
	case f.Drop:
		s.log("%s dropped", c.method)
		dropConnection(c.w)
		return true
	case f.Code != 0:
		e := lfmErr(f.Code)
		if c.lb {
			e = lbErr(f.Code, "")
		}
		if f.HTTPStatus != 0 {
			e.status = f.HTTPStatus
		}
		c.fail(e)
		return true
	case f.HTTPStatus != 0:
		s.log("%s answered bare HTTP %d", c.method, f.HTTPStatus)
		writeHTMLStatus(c.w, f.HTTPStatus)
		return true
	}
	return false
}

// dropConnection closes the client connection without an answer.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// writeHTMLStatus answers a bare HTTP status with the HTML page a front proxy sends.
func writeHTMLStatus(w http.ResponseWriter, status int) {
	text := fmt.Sprintf("%d %s", status, http.StatusText(status))
	body := "<html>\r\n<head><title>" + text + "</title></head>\r\n<body>\r\n<center><h1>" +
		text + "</h1></center>\r\n<hr><center>openresty</center>\r\n</body>\r\n</html>\r\n"
	writeReply(w, status, "text/html; charset=UTF-8", []byte(body))
}
