package authflow

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/backoff"
	"github.com/lastfmd/lastfmd/daemon/upstream"
	"github.com/lastfmd/lastfmd/signer"
)

// Desktop is one desktop-flow sign-in in progress
// (https://www.last.fm/api/desktopauth): a token fetched with
// auth.getToken, waiting for the user to approve it at URL.
type Desktop struct {
	token   string // secret: never logged
	url     string
	started time.Time
	dest    *dest  // where it signs in: Last.fm or a mirror
	to      Target // where the session is stored
}

// URL is the page the user opens to approve: auth_url?api_key=K&token=T.
func (d *Desktop) URL() string { return d.url }

// Started is when the token was fetched (the 60 minutes count from here).
func (d *Desktop) Started() time.Time { return d.started }

// Failure reasons of a desktop flow; Wait's error wraps one of them.
var (
	ErrNotApproved  = errors.New("the sign-in was not approved within 60 minutes")
	ErrTokenExpired = errors.New("the sign-in token expired")
	ErrTokenInvalid = errors.New("the sign-in token is unknown to Last.fm")
)

// Begin checks where the session will go (to: the account, at Last.fm or
// on a mirror), fetches an unauthorised token there (step 1 of the desktop
// flow) and builds the approval URL (step 2) on that service's approval
// page, with its API key. A mirror without auth_url has no desktop
// sign-in: the error names the mobile one.
func (f *Flows) Begin(ctx context.Context, to Target) (*Desktop, error) {
	dst, err := f.resolve(&to)
	if err != nil {
		return nil, err
	}
	if dst.authURL == nil {
		return nil, apperr.Invalidf("mirror %q has no desktop sign-in (no auth_url): use `lastfmd auth mobile --mirror %s`", dst.mirror, dst.mirror)
	}
	r, err := dst.up.Do(ctx, upstream.Call{Method: "auth.getToken", Params: map[string]string{"format": "json"}, Sign: true})
	if err != nil {
		return nil, err
	}
	if r.Failed() {
		return nil, dst.failure("auth.getToken", r)
	}
	tok, err := signer.ParseToken(r.Body)
	if err != nil {
		return nil, apperr.New(apperr.BadGateway, signer.ErrOperationFailed, "%s's auth.getToken answer could not be read: %v", dst.site, err)
	}
	d := &Desktop{token: tok, started: f.now(), dest: dst, to: to}
	d.url = dst.approvalURL(url.Values{"api_key": {dst.apiKey}, "token": {tok}})
	return d, nil
}

// Wait polls auth.getSession (step 3) until the user approves, then stores
// the session where Begin was told (save). 14 (not yet
// approved) and transient failures keep it polling, the waits backing off
// from the poll interval (flows.go); 15 (expired) and 4 (invalid) end it;
// so does the 60-minute give-up, counted on the injected clock from Begin,
// and the end of ctx. Once auth.getSession succeeds it is never called
// again: the token is spent.
func (f *Flows) Wait(ctx context.Context, d *Desktop) (accounts.Account, error) {
	deadline := d.started.Add(GiveUpAfter)
	again := "lastfmd auth login"
	if d.dest.mirror != "" {
		again += " --mirror " + d.dest.mirror
	}
	notApproved := fmt.Errorf("%w: run `%s` again", ErrNotApproved, again)
	var step time.Duration
	for {
		if !f.now().Before(deadline) {
			return accounts.Account{}, notApproved
		}
		step = backoff.Next(step, f.poll, pollSlowdown*f.poll)
		select {
		case <-ctx.Done():
			return accounts.Account{}, ctx.Err()
		case <-f.after(step):
		}
		if !f.now().Before(deadline) {
			return accounts.Account{}, notApproved
		}
		s, err := d.dest.getSession(ctx, d.token, upstream.Background)
		var pe *pollError
		switch {
		case err == nil:
			a, err := f.save(d.dest, d.to, s)
			if err != nil {
				return accounts.Account{}, err
			}
			f.log.Info("signed in with the desktop flow", "account", a.Name, "service", d.dest.name())
			return a, nil
		case errors.As(err, &pe) && pe.keepPolling:
			if !pe.pending {
				f.log.Debug("auth.getSession failed; polling again", "err", pe.Error())
			}
			continue
		case ctx.Err() != nil:
			return accounts.Account{}, ctx.Err()
		default:
			return accounts.Account{}, err
		}
	}
}

// pollError is an auth.getSession failure that does not end the flow.
type pollError struct {
	msg         string
	keepPolling bool
	pending     bool // 14: simply not approved yet
}

func (e *pollError) Error() string { return e.msg }

// getSession exchanges a token once, at priority p: a desktop flow's poll
// is Background (nobody waits for that one poll, so the limiter serves
// scripts first), the web flow's callback Interactive (a browser waits).
// Errors that should not end a polling loop are *pollError with
// keepPolling.
func (d *dest) getSession(ctx context.Context, token string, p upstream.Priority) (signer.Session, error) {
	// POST: the token and signature stay out of URLs (and any proxy's log).
	r, err := d.up.Do(ctx, upstream.Call{Method: "auth.getSession", Params: map[string]string{"token": token, "format": "json"},
		Sign: true, Post: true, Background: p == upstream.Background})
	if err != nil {
		// Rate limited by our own limiter, or Last.fm unreachable: try
		// again at the next poll.
		return signer.Session{}, &pollError{msg: apperr.As(err).Message, keepPolling: true}
	}
	if r.APIError != nil {
		switch r.APIError.Code {
		case signer.ErrTokenNotAuthorized:
			return signer.Session{}, &pollError{msg: "not approved yet", keepPolling: true, pending: true}
		case signer.ErrTokenExpired:
			return signer.Session{}, fmt.Errorf("%w (%s error 15): start again", ErrTokenExpired, d.site)
		case signer.ErrAuthFailed:
			return signer.Session{}, fmt.Errorf("%w (%s error 4): it was never issued or is already used; start again", ErrTokenInvalid, d.site)
		}
		switch signer.Classify(r.APIError.Code, false) {
		case signer.ClassTransient, signer.ClassRateLimited:
			return signer.Session{}, &pollError{msg: r.APIError.Error(), keepPolling: true}
		}
		return signer.Session{}, d.failure("auth.getSession", r)
	}
	if r.Failed() {
		if c := signer.ClassifyHTTP(r.Status); c == signer.ClassTransient || c == signer.ClassRateLimited {
			return signer.Session{}, &pollError{msg: fmt.Sprintf("HTTP %d", r.Status), keepPolling: true}
		}
		return signer.Session{}, d.failure("auth.getSession", r)
	}
	return d.readSession(r.Body)
}

// readSession reads d's session answer (auth.getSession,
// auth.getMobileSession).
func (d *dest) readSession(body []byte) (signer.Session, error) {
	s, err := signer.ParseSession(body)
	if err != nil {
		return signer.Session{}, apperr.New(apperr.BadGateway, signer.ErrOperationFailed, "%s's session answer could not be read: %v", d.site, err)
	}
	return s, nil
}

// name is d as a log line names it: "lastfm" or the mirror's name.
func (d *dest) name() string {
	if d.mirror == "" {
		return accounts.LastFM
	}
	return d.mirror
}

// failure turns a failed answer of d into lastfmd's error, keeping the
// service's code and message (they never hold a secret).
func (d *dest) failure(method string, r *upstream.Response) error {
	if d.mirror != "" {
		return d.mirrorFailure(method, r)
	}
	return upstreamFailure(method, r)
}

// mirrorFailure is upstreamFailure for a mirror: the credential an error
// blames is the mirror's own, which config check verifies.
func (d *dest) mirrorFailure(method string, r *upstream.Response) error {
	if r.APIError == nil {
		return apperr.New(apperr.BadGateway, signer.ErrOperationFailed, "%s answered HTTP %d to %s", d.site, r.Status, method)
	}
	answer := r.APIError.ErrorAt(d.mirror)
	msg := fmt.Sprintf("%s refused %s: %s", d.site, method, answer)
	if cause := signer.CredentialCauseAt(d.site, r.APIError.Code, "", ""); cause != "" {
		msg = fmt.Sprintf("%s (%s, to %s): check its api_key and API secret with `lastfmd config check`", cause, answer, method)
	}
	return &apperr.Error{Kind: failureKind(r.APIError.Code), Code: r.APIError.Code, Message: msg}
}

// failureKind is the kind of lastfmd's error for a service's error code.
func failureKind(code int) apperr.Kind {
	switch signer.Classify(code, false) {
	case signer.ClassPermanent, signer.ClassBadItem, signer.ClassReauth:
		return apperr.Forbidden
	case signer.ClassRateLimited:
		return apperr.RateLimited
	}
	return apperr.BadGateway
}

// upstreamFailure turns a failed Last.fm answer into lastfmd's error,
// keeping Last.fm's code and message (they never hold a secret).
func upstreamFailure(method string, r *upstream.Response) error {
	if r.APIError != nil {
		kind := failureKind(r.APIError.Code)
		msg := fmt.Sprintf("Last.fm refused %s: %s", method, r.APIError.Error())
		if cause := signer.CredentialCause(r.APIError.Code, "", ""); cause != "" {
			// Sign-in is often the first signed call: name the wrong
			// credential as config check and status do.
			msg = fmt.Sprintf("%s (%s, to %s): %s", cause, r.APIError.Error(), method, signer.CredentialsFix)
		}
		return &apperr.Error{Kind: kind, Code: r.APIError.Code, Message: msg, FromLastfm: true}
	}
	return apperr.New(apperr.BadGateway, signer.ErrOperationFailed, "Last.fm answered HTTP %d to %s", r.Status, method)
}
