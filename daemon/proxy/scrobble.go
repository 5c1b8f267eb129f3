package proxy

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/lastfmd/lastfmd/api"
	"github.com/lastfmd/lastfmd/daemon/apperr"
	"github.com/lastfmd/lastfmd/daemon/journal"
	"github.com/lastfmd/lastfmd/internal/clip"
	"github.com/lastfmd/lastfmd/signer"
)

// Journal is the scrobble journal as the proxy sees it (*journal.Journal
// in the daemon; tests may give a fake).
type Journal interface {
	// Submit journals scrobbles (committed and fsynced on return).
	Submit(account string, items []journal.Scrobble) ([]journal.Ticket, error)
	// SubmitImport is Submit through the import ledger.
	SubmitImport(account string, items []journal.Scrobble) ([]journal.Ticket, error)
	// Wait returns the tickets' outcomes, waiting at most d for answers.
	Wait(ctx context.Context, tickets []journal.Ticket, d time.Duration) []journal.Outcome
	// Enqueue journals one idempotent write for later replay.
	Enqueue(account, method string, params map[string]string) (uint64, error)
	// EnqueueBehind journals an idempotent write only when a write on
	// its target is still pending, and says whether it did.
	EnqueueBehind(account, method string, params map[string]string) (uint64, bool, error)
	// Mirror passes a call on to the account's mirrors (love and unlove
	// journalled on their lanes, now playing tried once); it never
	// changes the caller's answer.
	Mirror(account, method string, params map[string]string) error
}

// Scrobble waits (docs/scrobbling.md#what-the-answer-means).
const (
	// DefaultWait is how long a scrobble request waits for Last.fm's answer
	// before it is answered with what is known (202 on /v1/).
	DefaultWait = 5 * time.Second
	// MaxWait caps Prefer: wait=N.
	MaxWait = 60 * time.Second
	// MaxScrobblesPerRequest is the most scrobbles one request may carry
	// (a /v1/ JSON array): 200 of Last.fm's calls, which the journal sends
	// in batches (docs/http-api.md#scrobble-validation).
	MaxScrobblesPerRequest = 200 * signer.MaxScrobblesPerCall
)

// scrobble journals a track.scrobble request and answers once Last.fm
// answered or the wait ran out: every accepted scrobble is on disk before
// the answer.
func (s *Proxy) scrobble(ctx context.Context, req *Request) (*Result, error) {
	sel, err := s.selectAccount(req)
	if err != nil {
		return nil, err
	}
	scs, err := scrobbleItems(req)
	if err != nil {
		return nil, err
	}
	if !sel.ok {
		return nil, noSession(sel)
	}
	// An account that must sign in again still gets its scrobbles
	// journalled: they wait, paused, until it does. The journal routes
	// each scrobble to each destination by that destination's rules
	// (journal.Submit): one too old for Last.fm (scrobble.max_age) is
	// answered ignored here and may still go to a mirror without that
	// limit.
	submit := s.journal.Submit
	if req.Import && req.Endpoint == V1 {
		submit = s.journal.SubmitImport
	}
	tickets, err := submit(sel.account.Name, scs)
	if err != nil {
		s.log.Error("cannot journal scrobbles; the request was refused", "account", sel.account.Name, "err", err)
		why := "lastfmd could not write its scrobble journal"
		if journal.IsDiskFull(err) {
			why = "the disk holding lastfmd's scrobble journal is full"
		}
		return nil, &apperr.Error{Kind: apperr.Unavailable, Code: signer.ErrTemporary,
			Message: "There was a temporary error processing your request (" + why + "; nothing was accepted). Please try again", Err: err}
	}
	// Only Last.fm's answers are waited for: a mirror never slows the
	// caller.
	var forLastfm []journal.Ticket
	at := make([]int, len(tickets))
	for i, t := range tickets {
		at[i] = -1
		if t.ID != 0 {
			at[i] = len(forLastfm)
			forLastfm = append(forLastfm, t)
		}
	}
	var outcomes []journal.Outcome
	if len(forLastfm) > 0 {
		wait := DefaultWait
		if req.WaitSet {
			wait = min(max(req.Wait, 0), MaxWait)
		}
		outcomes = s.journal.Wait(ctx, forLastfm, wait)
	}
	items := make([]scrobbleAnswer, len(scs))
	for i, sc := range scs {
		a := scrobbleAnswer{sc: sc, ignored: tickets[i].Ignored, mirrors: tickets[i].Mirrors, imported: tickets[i].Imported}
		if at[i] >= 0 {
			a.outcome = &outcomes[at[i]]
		}
		items[i] = a
	}
	if req.Endpoint == DropIn {
		return dropInScrobbleAnswer(items, req.Params["format"] == "json"), nil
	}
	return v1ScrobbleAnswer(items), nil
}

// ScrobbleItem is one scrobble of a /v1/ JSON array as the transport read
// it: its fields as given, or why it could not be read (not a flat JSON
// object), which scrobbleItems reports with every other problem.
type ScrobbleItem struct {
	Values  url.Values
	Problem string
}

// scrobbleItems returns a request's scrobbles. It is the one check of a
// scrobble request, whichever API it came by: the count (at least one, at
// most MaxScrobblesPerRequest), each item's parameters (signer.Canonicalize)
// and the scrobble rule (signer.ParseScrobble). Items are a /v1/ JSON array
// as given, else the form's (signer.SplitScrobbles: the single or the
// indexed form, at most signer.MaxScrobblesPerCall). Whatever is not a
// scrobble field is dropped (docs/http-api.md, "Extra parameters"). One
// malformed item refuses the whole request, naming every bad item.
func scrobbleItems(req *Request) ([]journal.Scrobble, error) {
	// Each item's parameters, canonical: the form's are already
	// (req.Params), a JSON array's are canonicalised here; problems[i]
	// says why item i cannot be read.
	var fields []map[string]string
	var problems []string
	if req.Scrobbles == nil {
		split, err := signer.SplitScrobbles(req.Params)
		if err != nil {
			return nil, apperr.Invalidf("Invalid parameters - %v", err)
		}
		fields, problems = split, make([]string, len(split))
	} else {
		fields, problems = make([]map[string]string, len(req.Scrobbles)), make([]string, len(req.Scrobbles))
	}
	switch n := len(fields); {
	case n == 0:
		return nil, apperr.Invalidf("Invalid parameters - no scrobbles in the request")
	case n > MaxScrobblesPerRequest:
		return nil, apperr.Invalidf("Invalid parameters - %d scrobbles in one request; at most %d", n, MaxScrobblesPerRequest)
	}
	for i, it := range req.Scrobbles {
		if problems[i] = it.Problem; problems[i] != "" {
			continue
		}
		p, err := signer.Canonicalize(it.Values)
		if err != nil {
			problems[i] = err.Error()
			continue
		}
		fields[i] = p
	}
	out := make([]journal.Scrobble, len(fields))
	var bad []string
	for i, p := range fields {
		if problems[i] != "" {
			bad = append(bad, fmt.Sprintf("item %d: %s", i, problems[i]))
			continue
		}
		sc, why := signer.ParseScrobble(p)
		if len(why) > 0 {
			bad = append(bad, fmt.Sprintf("item %d: %s", i, strings.Join(why, ", ")))
			continue
		}
		out[i] = sc
	}
	if len(bad) > 0 {
		return nil, apperr.Invalidf("Invalid parameters - %d of %d scrobbles are malformed, so none was accepted: %s",
			len(bad), len(fields), clip.List(bad))
	}
	return out, nil
}

// scrobbleAnswer is one item of a scrobble request, answered.
type scrobbleAnswer struct {
	sc      journal.Scrobble
	ignored int               // answered ignored by lastfmd itself (3 or 4)
	outcome *journal.Outcome  // nil when not journalled for Last.fm
	mirrors map[string]string // each mirror's state for it (/v1/ only)
	// imported: an earlier import fed it (the import ledger): nothing
	// was journalled, it is answered "duplicate".
	imported bool
}

// status is the item's status in /v1/ terms.
func (a scrobbleAnswer) status() string {
	switch {
	case a.imported:
		return api.ScrobbleDuplicate
	case a.outcome == nil:
		return journal.StatusIgnored
	case a.outcome.State == journal.Sent && a.outcome.Result != nil:
		return a.outcome.Result.Status
	case a.outcome.State == journal.Dead, a.outcome.State == journal.Unknown, a.outcome.State == journal.AnswerUnknown:
		return api.ScrobbleFailed // given up, gone, or never sent again: the reason says which
	}
	return api.ScrobbleQueued
}

// ignoredCode and ignoredText give the item's ignore code (0: none).
func (a scrobbleAnswer) ignoredCode() (int, string) {
	switch {
	case a.outcome == nil:
		return a.ignored, signer.IgnoredText(a.ignored)
	case a.outcome.State == journal.Sent && a.outcome.Result != nil && a.outcome.Result.Status == journal.StatusIgnored:
		return a.outcome.Result.IgnoredCode, a.outcome.Result.IgnoredMessage
	}
	return 0, ""
}

// field is the value Last.fm answered for a field (possibly corrected),
// else the one submitted, and whether Last.fm corrected it.
func (a scrobbleAnswer) field(name string) (string, bool) {
	if a.outcome != nil && a.outcome.Result != nil {
		if v, ok := a.outcome.Result.Corrected[name]; ok {
			return v, true
		}
		if v, ok := a.outcome.Result.Answer[name]; ok && v != "" {
			return v, false
		}
	}
	return a.sc.Params[name], false
}

// v1ScrobbleAnswer: 200 when Last.fm answered for every item within the
// wait, else 202 (the rest is safely journalled).
func v1ScrobbleAnswer(items []scrobbleAnswer) *Result {
	ans := api.ScrobbleAnswer{Scrobbles: make([]api.ScrobbleOutcome, 0, len(items))}
	for _, a := range items {
		it := api.ScrobbleOutcome{Status: a.status(), Artist: a.sc.Params["artist"], Track: a.sc.Params["track"],
			Album: a.sc.Params["album"], AlbumArtist: a.sc.Params["albumArtist"], Timestamp: a.sc.Timestamp, Mirrors: a.mirrors}
		if a.outcome != nil {
			it.ID, it.Duplicate = a.outcome.ID, a.outcome.Duplicate
			if a.outcome.Result != nil && len(a.outcome.Result.Corrected) > 0 {
				it.Corrected = a.outcome.Result.Corrected
			}
		}
		switch it.Status {
		case journal.StatusAccepted:
			ans.Accepted++
		case journal.StatusIgnored:
			ans.Ignored++
			code, text := a.ignoredCode()
			it.IgnoredMessage = &api.IgnoredMessage{Code: code, Message: text}
		case api.ScrobbleQueued:
			ans.Queued++
		case api.ScrobbleDuplicate:
			ans.Duplicates++
		default:
			ans.Failed++
			it.Error = a.outcome.Reason
			if it.Error == "" {
				it.Error = "dropped from the queue"
			}
		}
		ans.Scrobbles = append(ans.Scrobbles, it)
	}
	status := http.StatusOK
	if ans.Queued > 0 {
		status = http.StatusAccepted
	}
	return &Result{Status: status, ContentType: ctJSON, Body: jsonBody(ans), Queued: ans.Queued}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
