package proxy

import (
	"encoding/json"
	"encoding/xml"
	"net/http"

	"github.com/lastfmd/lastfmd/daemon/journal"
	"github.com/lastfmd/lastfmd/signer"
)

const (
	ctJSON = "application/json; charset=UTF-8"
	ctXML  = "text/xml; charset=UTF-8"
)

func jsonBody(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("proxy: cannot encode an answer: " + err.Error()) // plain structs: cannot happen
	}
	return append(b, '\n')
}

// dropInScrobbleAnswer renders the answer as Last.fm would
// (signer.RenderScrobbleAnswer): always 200, one item per scrobble. A queued
// item is reported accepted (ignored code 0): lastfmd holds it and will
// deliver it; X-Lastfmd-Queued counts them. A given-up item is reported
// ignored with code 1 and lastfmd's reason, since Last.fm's answer has no
// other way to say "not scrobbled".
func dropInScrobbleAnswer(items []scrobbleAnswer, asJSON bool) *Result {
	queued := 0
	answers := make([]signer.ScrobbleAnswer, len(items))
	for i, a := range items {
		v := signer.ScrobbleAnswer{Fields: map[string]string{"timestamp": itoa(a.sc.Timestamp)}}
		for _, f := range signer.ScrobbleAnswerFields {
			value, corrected := a.field(f)
			v.Fields[f] = value
			if corrected {
				if v.Corrected == nil {
					v.Corrected = map[string]string{}
				}
				v.Corrected[f] = value
			}
		}
		switch st := a.status(); st {
		case journal.StatusAccepted:
		case "queued":
			queued++
		case journal.StatusIgnored:
			v.IgnoredCode, v.IgnoredMessage = a.ignoredCode()
		default:
			v.IgnoredCode, v.IgnoredMessage = signer.IgnoredArtist, "lastfmd: not scrobbled: "+a.outcome.Reason
		}
		answers[i] = v
	}
	ct := ctXML
	if asJSON {
		ct = ctJSON
	}
	return &Result{Status: http.StatusOK, ContentType: ct, Body: signer.RenderScrobbleAnswer(answers, asJSON), Queued: queued}
}

// queuedWrite is the answer to a write journalled (why says why: Last.fm
// could not be reached, or a write on its target was still queued): 202 on
// /v1/; on /2.0/ Last.fm's empty ok body with 200, since a drop-in client
// may treat anything else as a failure and resend.
func queuedWrite(req *Request, method string, id uint64, why string) *Result {
	if req.Endpoint == DropIn {
		if req.Params["format"] == "json" {
			return &Result{Status: http.StatusOK, ContentType: ctJSON, Body: []byte("{}\n"), Queued: 1}
		}
		return &Result{Status: http.StatusOK, ContentType: ctXML, Body: []byte(xml.Header + `<lfm status="ok"></lfm>` + "\n"), Queued: 1}
	}
	return &Result{Status: http.StatusAccepted, ContentType: ctJSON, Queued: 1, Body: jsonBody(map[string]any{
		"queued":  1,
		"id":      id,
		"method":  method,
		"message": why + "; lastfmd journalled the call and will send it when it can (see `lastfmd queue list`)",
	})}
}
