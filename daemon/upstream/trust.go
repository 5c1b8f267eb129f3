package upstream

import (
	"errors"
	"fmt"

	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/signer"
)

// ErrNotAnswer marks what came back when it was not Last.fm answering: a
// 2xx whose body is not a Last.fm answer in the requested format (a
// captive portal's HTML, a body cut off by a broken proxy, an empty body,
// another shape), a redirect, or a 4xx without a Last.fm error. Such an
// answer is a transport failure, like no answer at all: never cached,
// never passed on as Last.fm's, and it settles no scrobble.
var ErrNotAnswer = errors.New("not Last.fm's answer")

// notAnswer judges a decoded answer (docs/faults.md: errors come with a Last.fm
// error body; 5xx and 429 without one are Last.fm's front end, kept as
// failed answers so their class applies).
func notAnswer(service string, r *Response, params map[string]string) error {
	switch {
	case r.APIError != nil:
		return nil // a Last.fm error, whatever its status
	case r.Status >= 300 && r.Status < 400:
		return notAnswerError(fmt.Sprintf("%s's API root answered with a redirect (HTTP %d); not followed", service, r.Status), nil)
	case r.Status >= 200 && r.Status < 300:
		if err := signer.CheckAnswer(r.Body, params); err != nil {
			return notAnswerError(service+"'s answer was not understood: "+err.Error()+" (a captive portal or broken proxy?)", err)
		}
	case r.Status >= 400 && r.Status < 500 && r.Status != 429:
		return notAnswerError(fmt.Sprintf("HTTP %d without a Last.fm-style error (not %s answering?)", r.Status, service), nil)
	}
	return nil
}

func notAnswerError(msg string, cause error) error {
	err := ErrNotAnswer
	if cause != nil {
		err = fmt.Errorf("%w: %w", ErrNotAnswer, cause)
	}
	return &apperr.Error{Kind: apperr.BadGateway, Code: signer.ErrServiceOffline, Message: msg, Err: err}
}
