package proxy

import (
	"bytes"
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

// dropInFields are the per-item elements of Last.fm's track.scrobble
// answer, in its order (https://www.last.fm/api/show/track.scrobble).
var dropInFields = []string{"track", "artist", "album", "albumArtist"}

// dropInScrobbleAnswer renders the answer as Last.fm would: always 200,
// <scrobbles accepted="N" ignored="M"> with one <scrobble> per item. A
// queued item is reported accepted (ignored code 0): lastfmd holds it and
// will deliver it; X-Lastfmd-Queued counts them. A given-up item is
// reported ignored with code 1 and lastfmd's reason, since Last.fm's
// answer has no other way to say "not scrobbled".
func dropInScrobbleAnswer(items []scrobbleAnswer, asJSON bool) *Result {
	accepted, ignored, queued := 0, 0, 0
	type view struct {
		values    map[string]string
		corrected map[string]bool
		ts        string
		code      int
		text      string
	}
	views := make([]view, len(items))
	for i, a := range items {
		v := view{values: map[string]string{}, corrected: map[string]bool{}, ts: itoa(a.sc.Timestamp)}
		for _, f := range dropInFields {
			v.values[f], v.corrected[f] = a.field(f)
		}
		switch st := a.status(); st {
		case journal.StatusAccepted, "queued":
			accepted++
			if st == "queued" {
				queued++
			}
		case journal.StatusIgnored:
			ignored++
			v.code, v.text = a.ignoredCode()
		default:
			ignored++
			v.code, v.text = signer.IgnoredArtist, "lastfmd: not scrobbled: "+a.outcome.Reason
		}
		views[i] = v
	}
	if asJSON {
		list := make([]map[string]any, len(views))
		for i, v := range views {
			m := map[string]any{"timestamp": v.ts,
				"ignoredMessage": map[string]string{"code": itoa(int64(v.code)), "#text": v.text}}
			for _, f := range dropInFields {
				m[f] = map[string]string{"corrected": flag(v.corrected[f]), "#text": v.values[f]}
			}
			list[i] = m
		}
		// One item is an object, several an array (Last.fm's XML-to-JSON
		// translation, https://www.last.fm/api/rest).
		var scrobble any = list
		if len(list) == 1 {
			scrobble = list[0]
		}
		body := jsonBody(map[string]any{"scrobbles": map[string]any{
			"scrobble": scrobble,
			"@attr":    map[string]int{"accepted": accepted, "ignored": ignored},
		}})
		return &Result{Status: http.StatusOK, ContentType: ctJSON, Body: body, Queued: queued}
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<lfm status="ok">` + "\n")
	b.WriteString(`<scrobbles accepted="` + itoa(int64(accepted)) + `" ignored="` + itoa(int64(ignored)) + `">` + "\n")
	for _, v := range views {
		b.WriteString("<scrobble>")
		for _, f := range dropInFields {
			b.WriteString("<" + f + ` corrected="` + flag(v.corrected[f]) + `">`)
			_ = xml.EscapeText(&b, []byte(v.values[f]))
			b.WriteString("</" + f + ">")
		}
		b.WriteString("<timestamp>" + v.ts + "</timestamp>")
		b.WriteString(`<ignoredMessage code="` + itoa(int64(v.code)) + `">`)
		_ = xml.EscapeText(&b, []byte(v.text))
		b.WriteString("</ignoredMessage></scrobble>\n")
	}
	b.WriteString("</scrobbles>\n</lfm>\n")
	return &Result{Status: http.StatusOK, ContentType: ctXML, Body: b.Bytes(), Queued: queued}
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
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
