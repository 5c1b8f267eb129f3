package signer

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"strconv"
	"unicode/utf8"
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
	var doc struct {
		Scrobbles *struct {
			Scrobble json.RawMessage `json:"scrobble"`
		} `json:"scrobbles"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, errors.New("the answer is not JSON")
	}
	if doc.Scrobbles == nil {
		return nil, errors.New(`the answer has no "scrobbles"`)
	}
	raw := bytes.TrimSpace(doc.Scrobbles.Scrobble)
	var items []answerJSON
	switch {
	case len(raw) == 0 || bytes.Equal(raw, []byte("null")):
	case raw[0] == '[':
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, errors.New(`"scrobble" is not a list of objects`)
		}
	default:
		var one answerJSON
		if raw[0] != '{' || json.Unmarshal(raw, &one) != nil {
			return nil, errors.New(`"scrobble" is not an object`)
		}
		items = append(items, one)
	}
	out := make([]ScrobbleAnswer, 0, len(items))
	for _, m := range items {
		a := ScrobbleAnswer{Fields: make(map[string]string, 5)}
		for _, f := range [...]struct {
			name string
			v    *element
		}{{"track", &m.Track}, {"artist", &m.Artist}, {"album", &m.Album}, {"albumArtist", &m.AlbumArtist}} {
			a.Fields[f.name] = f.v.text
			if f.v.corrected == "1" {
				if a.Corrected == nil {
					a.Corrected = map[string]string{}
				}
				a.Corrected[f.name] = f.v.text
			}
		}
		a.Fields["timestamp"] = m.Timestamp.text
		a.IgnoredMessage = m.IgnoredMessage.text
		if c := m.IgnoredMessage.code; c != "" {
			n, err := strconv.Atoi(c)
			if err != nil || n < 0 {
				return nil, errors.New("an ignoredMessage code is not a number")
			}
			a.IgnoredCode = n
		}
		out = append(out, a)
	}
	return out, nil
}

// answerJSON is one item of the answer.
type answerJSON struct {
	Track          element `json:"track"`
	Artist         element `json:"artist"`
	Album          element `json:"album"`
	AlbumArtist    element `json:"albumArtist"`
	Timestamp      element `json:"timestamp"`
	IgnoredMessage element `json:"ignoredMessage"`
}

// element is a translated XML element: a plain string or number, or an
// object of attributes (corrected, code) with its text under "#text".
type element struct {
	text, corrected, code string
}

// UnmarshalJSON accepts any JSON value; what is not an element reads as
// empty, as Last.fm's translation is loose.
func (e *element) UnmarshalJSON(raw []byte) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		e.text = scalar(raw)
		return nil
	}
	var m struct {
		Text      json.RawMessage `json:"#text"`
		Corrected json.RawMessage `json:"corrected"`
		Code      json.RawMessage `json:"code"`
	}
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	e.text, e.corrected, e.code = scalar(m.Text), scalar(m.Corrected), scalar(m.Code)
	return nil
}

// scalar renders a JSON string, number or boolean as text; anything else
// is "".
func scalar(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	if n := len(raw); n >= 2 && raw[0] == '"' && raw[n-1] == '"' && bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		return string(raw[1 : n-1]) // the common case: a plain string without escapes
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		if b {
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
	var doc struct {
		Scrobbles *struct {
			Attr *struct {
				Accepted element `json:"accepted"`
				Ignored  element `json:"ignored"`
			} `json:"@attr"`
		} `json:"scrobbles"`
	}
	if json.Unmarshal(body, &doc) != nil || doc.Scrobbles == nil || doc.Scrobbles.Attr == nil {
		return 0, 0, false
	}
	ig, err := strconv.Atoi(doc.Scrobbles.Attr.Ignored.text)
	if err != nil || ig < 0 {
		return 0, 0, false
	}
	accepted = -1
	if n, err := strconv.Atoi(doc.Scrobbles.Attr.Accepted.text); err == nil && n >= 0 {
		accepted = n
	}
	return accepted, ig, true
}
