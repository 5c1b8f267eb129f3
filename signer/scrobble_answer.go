package signer

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"strconv"
)

// ScrobbleAnswer is Last.fm's answer for one scrobble of a track.scrobble call.
type ScrobbleAnswer struct {
	Fields         map[string]string // track, artist, album, albumArtist, timestamp as answered
	Corrected      map[string]string // the fields answered with corrected="1"
	IgnoredCode    int
	IgnoredMessage string
}

// ParseScrobbleAnswer reads a track.scrobble answer in Last.fm's JSON:
//
//	{"scrobbles":{"scrobble":{...}|[...],"@attr":{"accepted":1,"ignored":0}}}
//
// where one item is an object and several an array (https://www.last.fm/api/show/track.scrobble),
// each field is {"corrected":"0","#text":"..."} and ignoredMessage is
// {"code":"0","#text":""}; numbers may come as strings or JSON numbers.
func ParseScrobbleAnswer(body []byte) ([]ScrobbleAnswer, error) {
	scrobbles, err := decodeScrobbles(body)
	if err != nil {
		return nil, err
	}
	var items []any
	switch v := scrobbles["scrobble"].(type) {
	case nil:
	case []any:
		items = v
		for _, it := range items {
			if _, ok := it.(map[string]any); !ok {
				return nil, errors.New(`"scrobble" is not a list of objects`)
			}
		}
	case map[string]any:
		items = []any{v}
	default:
		return nil, errors.New(`"scrobble" is not an object`)
	}
	out := make([]ScrobbleAnswer, 0, len(items))
	for _, item := range items {
		m := item.(map[string]any)
		a := ScrobbleAnswer{Fields: make(map[string]string, 5)}
		for _, name := range ScrobbleAnswerFields {
			e := elementOf(m[name])
			a.Fields[name] = e.text
			if e.corrected == "1" {
				if a.Corrected == nil {
					a.Corrected = map[string]string{}
				}
				a.Corrected[name] = e.text
			}
		}
		a.Fields["timestamp"] = elementOf(m["timestamp"]).text
		im := elementOf(m["ignoredMessage"])
		a.IgnoredMessage = im.text
		if im.code != "" {
			n, err := strconv.Atoi(im.code)
			if err != nil || n < 0 {
				return nil, errors.New("an ignoredMessage code is not a number")
			}
			a.IgnoredCode = n
		}
		out = append(out, a)
	}
	return out, nil
}

// decodeScrobbles reads a track.scrobble answer in one pass (numbers as
// written) and returns its "scrobbles" object. One pass matters: a
// mirror's answer of 50 items is read for every batch, and decoding each
// level again (the answer, its list, each element) took three times as
// long (BenchmarkParseScrobbleAnswer).
func decodeScrobbles(body []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, errors.New("the answer is not JSON")
	}
	if rest := bytes.TrimSpace(body[dec.InputOffset():]); len(rest) > 0 {
		return nil, errors.New("the answer is not JSON") // something after the document
	}
	top, _ := doc.(map[string]any)
	switch v := top["scrobbles"].(type) {
	case map[string]any:
		return v, nil
	case nil:
		return nil, errors.New(`the answer has no "scrobbles"`)
	}
	return nil, errors.New(`"scrobbles" is not an object`)
}

// element is a translated XML element: a plain string or number, or an
// object of attributes (corrected, code) with its text under "#text".
type element struct {
	text, corrected, code string
}

// elementOf reads a decoded JSON value as an element; what is not one
// reads as empty, as Last.fm's translation is loose.
func elementOf(v any) element {
	if m, ok := v.(map[string]any); ok {
		return element{text: scalar(m["#text"]), corrected: scalar(m["corrected"]), code: scalar(m["code"])}
	}
	return element{text: scalar(v)}
}

// scalar renders a JSON string, number or boolean as text; anything else
// is "".
func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "1"
		}
		return "0"
	}
	return ""
}

// ignoredTexts are Last.fm's texts for scrobble ignore codes
// (https://www.last.fm/api/scrobbling#ignored-messages), used when lastfmd
// answers an item itself or Last.fm gave no text.
var ignoredTexts = map[int]string{
	1: "Artist was ignored",
	2: "Track was ignored",
	3: "Timestamp was too old",
	4: "Timestamp was too new",
	5: "Daily scrobble limit exceeded",
}

// IgnoredText returns Last.fm's text for an ignore code.
func IgnoredText(code int) string {
	if t, ok := ignoredTexts[code]; ok {
		return t
	}
	return "Ignored (code " + strconv.Itoa(code) + ")"
}

// ScrobbleAnswerFields are the per-item elements of Last.fm's track.scrobble
// answer besides timestamp and ignoredMessage, in its order
// (https://www.last.fm/api/show/track.scrobble).
var ScrobbleAnswerFields = []string{"track", "artist", "album", "albumArtist"}

// RenderScrobbleAnswer writes a track.scrobble answer as Last.fm does, the
// inverse of ParseScrobbleAnswer: <scrobbles accepted="N" ignored="M"> with
// one <scrobble> per item (an item is accepted when its IgnoredCode is 0),
// each field with its corrected flag, in XML or in Last.fm's JSON
// translation of it, where one item is an object and several an array
// (https://www.last.fm/api/rest).
func RenderScrobbleAnswer(items []ScrobbleAnswer, asJSON bool) []byte {
	accepted, ignored := 0, 0
	for _, it := range items {
		if it.IgnoredCode == IgnoredNone {
			accepted++
		} else {
			ignored++
		}
	}
	flag := func(it ScrobbleAnswer, f string) string {
		if _, ok := it.Corrected[f]; ok {
			return "1"
		}
		return "0"
	}
	if asJSON {
		list := make([]map[string]any, len(items))
		for i, it := range items {
			m := map[string]any{"timestamp": it.Fields["timestamp"],
				"ignoredMessage": map[string]string{"code": strconv.Itoa(it.IgnoredCode), "#text": it.IgnoredMessage}}
			for _, f := range ScrobbleAnswerFields {
				m[f] = map[string]string{"corrected": flag(it, f), "#text": it.Fields[f]}
			}
			list[i] = m
		}
		var scrobble any = list
		if len(list) == 1 {
			scrobble = list[0]
		}
		b, err := json.Marshal(map[string]any{"scrobbles": map[string]any{
			"scrobble": scrobble,
			"@attr":    map[string]int{"accepted": accepted, "ignored": ignored},
		}})
		if err != nil {
			panic("signer: cannot encode a scrobble answer: " + err.Error()) // maps of strings and numbers: cannot happen
		}
		return append(b, '\n')
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<lfm status="ok">` + "\n")
	b.WriteString(`<scrobbles accepted="` + strconv.Itoa(accepted) + `" ignored="` + strconv.Itoa(ignored) + `">` + "\n")
	for _, it := range items {
		b.WriteString("<scrobble>")
		for _, f := range ScrobbleAnswerFields {
			b.WriteString("<" + f + ` corrected="` + flag(it, f) + `">`)
			_ = xml.EscapeText(&b, []byte(it.Fields[f]))
			b.WriteString("</" + f + ">")
		}
		b.WriteString("<timestamp>")
		_ = xml.EscapeText(&b, []byte(it.Fields["timestamp"]))
		b.WriteString("</timestamp>")
		b.WriteString(`<ignoredMessage code="` + strconv.Itoa(it.IgnoredCode) + `">`)
		_ = xml.EscapeText(&b, []byte(it.IgnoredMessage))
		b.WriteString("</ignoredMessage></scrobble>\n")
	}
	b.WriteString("</scrobbles>\n</lfm>\n")
	return b.Bytes()
}

// ScrobbleCounts reads the counts of a track.scrobble answer,
// {"scrobbles":{"@attr":{"accepted":N,"ignored":M}}}, for a service whose
// answer lists no items (Maloja's 2.0 endpoint answers only
// {"scrobbles":{"@attr":{"ignored":0}}}). accepted is -1 when the answer
// does not give it; ok is false when the answer has no "ignored" count,
// or one that is not a number.
func ScrobbleCounts(body []byte) (accepted, ignored int, ok bool) {
	scrobbles, err := decodeScrobbles(body)
	if err != nil {
		return 0, 0, false
	}
	attr, isObj := scrobbles["@attr"].(map[string]any)
	if !isObj {
		return 0, 0, false
	}
	ig, err := strconv.Atoi(elementOf(attr["ignored"]).text)
	if err != nil || ig < 0 {
		return 0, 0, false
	}
	accepted = -1
	if n, err := strconv.Atoi(elementOf(attr["accepted"]).text); err == nil && n >= 0 {
		accepted = n
	}
	return accepted, ig, true
}
