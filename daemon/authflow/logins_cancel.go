package authflow

import (
	"context"

	"github.com/lastfmd/lastfmd/api"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/signer"
)

// CancelLogin stops the background flow id, whose client gave up (`lastfmd
// auth login` interrupted), and waits for its polling to end. It answers
// the flow as it ended: signed in, if Last.fm's session came first. ok is
// false for an unknown id.
func (f *Flows) CancelLogin(ctx context.Context, id string) (lg api.Login, ok bool, err error) {
	if _, err := f.cancelWhere(ctx, func(flow string) bool { return flow == id }); err != nil {
		return api.Login{}, false, err
	}
	lg, ok = f.Login(id)
	return lg, ok, nil
}

// CancelLogins stops every pending background flow (`lastfmd auth
// cancel`), waits for their polling to end, and answers how many it
// stopped.
func (f *Flows) CancelLogins(ctx context.Context) (int, error) {
	return f.cancelWhere(ctx, func(string) bool { return true })
}

// cancelWhere cancels the pending flows match picks and waits, within
// ctx, until none of them polls any more: when the caller hears back, no
// further auth.getSession goes out for them.
func (f *Flows) cancelWhere(ctx context.Context, match func(id string) bool) (int, error) {
	f.logins.mu.Lock()
	var stopped []*login
	for id, lg := range f.logins.m {
		if lg.State == api.LoginPending && match(id) {
			lg.cancel(ErrCancelled)
			stopped = append(stopped, lg)
		}
	}
	f.logins.mu.Unlock()
	for _, lg := range stopped {
		select {
		case <-lg.done:
		case <-ctx.Done():
			return 0, &apperr.Error{Kind: apperr.Timeout, Code: signer.ErrServiceOffline,
				Message: "the sign-ins were cancelled but have not stopped yet", Err: ctx.Err()}
		}
	}
	return len(stopped), nil
}
