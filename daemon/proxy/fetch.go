package proxy

import (
	"context"
	"errors"
	"time"

	"github.com/lastfmd/lastfmd/daemon/backoff"
	"github.com/lastfmd/lastfmd/daemon/upstream"
	"github.com/lastfmd/lastfmd/signer"
)

// fetchRead sends a read, retrying transient failures (transport, 5xx, 8,
// 11, 16; 2 at most twice) with jittered back-off while the caller's
// deadline allows, as the table in docs/design.md#reliability-rules says for reads.
func (s *Proxy) fetchRead(ctx context.Context, call upstream.Call, account string) (*upstream.Response, error) {
	return s.send(ctx, call, account, signer.CallerRead)
}

// send runs one call under the table's rule for the caller.
func (s *Proxy) send(ctx context.Context, call upstream.Call, account string, who signer.Caller) (*upstream.Response, error) {
	var (
		r   *upstream.Response
		err error
	)
	code2 := 0
	for attempt := 0; ; attempt++ {
		r, err = s.up.Do(ctx, call)
		retry := false
		switch {
		case err != nil:
			retry = s.retryTransport(err, who)
		case r.Failed():
			s.noteFailure(call, account, r)
			rule := signer.Policy(r.Class, who)
			retry = rule.Retry
			if who == signer.CallerWrite && r.APIError == nil {
				retry = false // a bare 5xx on a write may have been applied
			}
			if r.APIError != nil && r.APIError.Code == signer.ErrInvalidService {
				code2++
				retry = retry && code2 <= signer.RetryLimitFor(signer.ErrInvalidService)
			}
		default:
			return r, nil
		}
		if !retry || attempt >= s.maxRetries {
			return r, err
		}
		if !s.pause(ctx, attempt) {
			return r, err
		}
	}
}

// retryTransport: reads retry any transport failure; writes only a refused
// connection (the call certainly never reached Last.fm); now playing never.
func (s *Proxy) retryTransport(err error, who signer.Caller) bool {
	if isRateLimited(err) {
		return false
	}
	switch who {
	case signer.CallerRead:
		// An oversized answer would only be read again.
		return upstream.IsTransport(err) && !errors.Is(err, upstream.ErrTooLarge)
	case signer.CallerWrite, signer.CallerScrobble:
		return signer.NeverSent(err)
	}
	return false
}

// maxRetryPause bounds one pause between retries of a caller's call: the
// table's (8 s).
var maxRetryPause = signer.Policy(signer.ClassTransient, signer.CallerRead).BackoffMax

// pause sleeps before retry attempt+1: base·2^attempt (at most 8 s), spread
// over its upper half by jitter, unless that would overrun the caller's
// deadline.
func (s *Proxy) pause(ctx context.Context, attempt int) bool {
	d := backoff.Jitter(backoff.Attempt(s.retryBase, maxRetryPause, attempt), 2)
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d+s.timeout/4 {
		return false
	}
	return backoff.Sleep(ctx, d) == nil
}

// noteFailure applies the side effects the table gives a class beyond the
// answer: a refused session key marks its account as needing sign-in (once).
func (s *Proxy) noteFailure(call upstream.Call, account string, r *upstream.Response) {
	if r.Class == signer.ClassReauth && call.SessionKey != "" && account != "" {
		changed, err := s.accounts.MarkNeedsSignin(account)
		if err != nil {
			s.log.Error("cannot record that an account needs sign-in", "account", account, "err", err)
		} else if changed {
			s.log.Warn("Last.fm refused the account's session key; it needs to sign in again",
				"account", account, "code", r.APIError.Code, "fix", "lastfmd auth login --account "+account)
		}
	}
}
