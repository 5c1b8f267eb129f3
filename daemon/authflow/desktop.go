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

// Begin fetches an unauthorised token (step 1 of the desktop flow) and
// builds the approval URL (step 2).
func (f *Flows) Begin(ctx context.Context) (*Desktop, error) {
	r, err := f.up.Do(ctx, upstream.Call{Method: "auth.getToken", Params: map[string]string{"format": "json"}, Sign: true})
	if err != nil {
		return nil, err
	}
	if r.Failed() {
		return nil, upstreamFailure("auth.getToken", r)
	}
	tok, err := signer.ParseToken(r.Body)
	if err != nil {
		return nil, apperr.New(apperr.BadGateway, signer.ErrOperationFailed, "Last.fm's auth.getToken answer could not be read: %v", err)
	}
	d := &Desktop{token: tok, started: f.now()}
	d.url = f.approvalURL(url.Values{"api_key": {f.apiKey}, "token": {tok}})
	return d, nil
}

// Wait polls auth.getSession (step 3) until the user approves, then stores
// the session as account (the Last.fm user name when ""). 14 (not yet
// approved) and transient failures keep it polling, the waits backing off
// from the poll interval (flows.go); 15 (expired) and 4 (invalid) end it;
// so does the 60-minute give-up, counted on the injected clock from Begin,
// and the end of ctx. Once auth.getSession succeeds it is never called
// again: the token is spent.
func (f *Flows) Wait(ctx context.Context, d *Desktop, account string) (accounts.Account, error) {
	if account != "" {
		if err := CheckAccountName(account); err != nil {
			return accounts.Account{}, err
		}
	}
	deadline := d.started.Add(GiveUpAfter)
	var step time.Duration
	for {
		if !f.now().Before(deadline) {
			return accounts.Account{}, fmt.Errorf("%w: run `lastfmd auth login` again", ErrNotApproved)
		}
		step = backoff.Next(step, f.poll, pollSlowdown*f.poll)
		select {
		case <-ctx.Done():
			return accounts.Account{}, ctx.Err()
		case <-f.after(step):
		}
		if !f.now().Before(deadline) {
			return accounts.Account{}, fmt.Errorf("%w: run `lastfmd auth login` again", ErrNotApproved)
		}
		s, err := f.getSession(ctx, d.token, upstream.Background)
		var pe *pollError
		switch {
		case err == nil:
			a, err := f.save(account, s)
			if err != nil {
				return accounts.Account{}, err
			}
			f.log.Info("signed in with the desktop flow", "account", a.Name)
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
func (f *Flows) getSession(ctx context.Context, token string, p upstream.Priority) (signer.Session, error) {
	// POST: the token and signature stay out of URLs (and any proxy's log).
	r, err := f.up.Do(ctx, upstream.Call{Method: "auth.getSession", Params: map[string]string{"token": token, "format": "json"},
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
			return signer.Session{}, fmt.Errorf("%w (Last.fm error 15): start again", ErrTokenExpired)
		case signer.ErrAuthFailed:
			return signer.Session{}, fmt.Errorf("%w (Last.fm error 4): it was never issued or is already used; start again", ErrTokenInvalid)
		}
		switch signer.Classify(r.APIError.Code, false) {
		case signer.ClassTransient, signer.ClassRateLimited:
			return signer.Session{}, &pollError{msg: r.APIError.Error(), keepPolling: true}
		}
		return signer.Session{}, upstreamFailure("auth.getSession", r)
	}
	if r.Failed() {
		if c := signer.ClassifyHTTP(r.Status); c == signer.ClassTransient || c == signer.ClassRateLimited {
			return signer.Session{}, &pollError{msg: fmt.Sprintf("HTTP %d", r.Status), keepPolling: true}
		}
		return signer.Session{}, upstreamFailure("auth.getSession", r)
	}
	return readSession(r.Body)
}

// readSession reads Last.fm's session answer (auth.getSession,
// auth.getMobileSession).
func readSession(body []byte) (signer.Session, error) {
	s, err := signer.ParseSession(body)
	if err != nil {
		return signer.Session{}, apperr.New(apperr.BadGateway, signer.ErrOperationFailed, "Last.fm's session answer could not be read: %v", err)
	}
	return s, nil
}

// upstreamFailure turns a failed Last.fm answer into lastfmd's error,
// keeping Last.fm's code and message (they never hold a secret).
func upstreamFailure(method string, r *upstream.Response) error {
	if r.APIError != nil {
		kind := apperr.BadGateway
		switch signer.Classify(r.APIError.Code, false) {
		case signer.ClassPermanent, signer.ClassBadItem, signer.ClassReauth:
			kind = apperr.Forbidden
		case signer.ClassRateLimited:
			kind = apperr.RateLimited
		}
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
