package authflow

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/lastfmd/lastfmd/daemon/accounts"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/internal/clip"
	"github.com/lastfmd/lastfmd/signer"
)

// TokenHelp is where a user finds the token a mirror of type listenbrainz
// takes: what an invalid token's message says to do.
const TokenHelp = "copy your user token from https://listenbrainz.org/settings/ (a self-hosted server: its settings page; Maloja: an API key from its API keys page)"

// Token signs an account in to a mirror that takes a user token
// (ListenBrainz's API: ListenBrainz, a self-hosted server, Maloja):
// `lastfmd auth token` and POST /v1/auth/token. The mirror checks the
// token (validate-token) and names its user; the token is then stored as
// the account's session there (accounts.PutMirror), with that user name.
// to.Account must exist, signed in to Last.fm ("" is the default account).
// The token goes to that mirror only: it is never logged or part of an
// error. It answers the stored account without its keys.
func (f *Flows) Token(ctx context.Context, to Target, token string) (accounts.Account, error) {
	named := to.Account // as the user gave it, for the next command's hint
	d, err := f.resolveToken(&to)
	if err != nil {
		return accounts.Account{}, err
	}
	valid, user, err := d.tokens.ValidateToken(ctx, token)
	if err != nil {
		return accounts.Account{}, d.tokenFailure(err)
	}
	if !valid {
		return accounts.Account{}, &apperr.Error{Kind: apperr.Forbidden, Code: signer.ErrAuthFailed,
			Message: fmt.Sprintf("%s says the token is not valid there: %s, then run `lastfmd auth token --mirror %s%s` again",
				d.site, TokenHelp, d.mirror, accountFlag(named))}
	}
	a, err := f.save(d, to, signer.Session{Key: token, Name: user})
	if err != nil {
		return accounts.Account{}, err
	}
	f.log.Info("signed in with a user token", "account", a.Name, "service", d.name(), "user", user)
	return a, nil
}

// tokenFailure is lastfmd's error when d could not say whether a token is
// valid: a token of a shape no service takes (refused before sending), or
// the service out of reach or answering otherwise. Nothing is stored.
func (d *dest) tokenFailure(err error) error {
	var ae *apperr.Error
	if !errors.As(err, &ae) {
		return &apperr.Error{Kind: apperr.BadGateway, Code: signer.ErrOperationFailed,
			Message: d.site + " could not check the token; nothing was stored: try again", Err: err}
	}
	if ae.Kind == apperr.Invalid {
		return &apperr.Error{Kind: apperr.Invalid, Code: signer.ErrInvalidParams,
			Message: fmt.Sprintf("not a user token (%s): %s", ShapeProblem(ae.Message), TokenHelp), Err: err}
	}
	msg := ae.Message
	// The service's own answer, when it gave one (listenbrainz.Failure:
	// "the answer was HTTP 503: ..."), says more than "could not check".
	if ae.Err != nil && strings.HasPrefix(ae.Err.Error(), "the answer was ") {
		msg += " (" + clip.Line(ae.Err.Error(), 0) + ")"
	}
	return &apperr.Error{Kind: ae.Kind, Code: ae.Code, RetryAfter: ae.RetryAfter,
		Message: msg + "; nothing was stored: try again later", Err: err}
}

// ShapeProblem is what a client's refusal of a token's shape says is
// wrong, without the client's `NAME token: ` prefix: a message holding
// "token: " would have the redactor mask the words after it as if they
// were a token.
func ShapeProblem(msg string) string {
	if _, after, ok := strings.Cut(msg, "token: "); ok {
		return after
	}
	return msg
}
