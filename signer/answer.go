package signer

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
)

// Why an answer is not Last.fm's (CheckAnswer).
var (
	ErrAnswerEmpty = errors.New("the answer is empty")
	ErrAnswerJSON  = errors.New("the answer is not a complete JSON object")
	ErrAnswerJSONP = errors.New("the answer is not a complete JSONP call")
	ErrAnswerXML   = errors.New("the answer is not a complete <lfm> XML document")
)

// CheckAnswer reports whether body can be Last.fm's answer in the format the
// call asked for (https://www.last.fm/api/rest): format=json answers one JSON object
// ({} included: track.love answers that), wrapped as callback(...) when a
// JSONP callback was given; any other format answers one well-formed XML
// document whose root is <lfm status="ok|failed">, or any single root with
// raw=true. An HTML page from a captive portal, a body cut off in transit,
// an empty body or another shape is not an answer: it settles nothing and
// must never be cached or passed on as Last.fm's.
//
// params are the call's parameters (format, callback, raw are read).
func CheckAnswer(body []byte, params map[string]string) error {
	body = bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	if len(body) == 0 {
		return ErrAnswerEmpty
	}
	if params["format"] == "json" {
		if params["callback"] != "" {
			inner, ok := unwrapJSONP(body)
			if !ok || !jsonObject(inner) {
				return ErrAnswerJSONP
			}
			return nil
		}
		if !jsonObject(body) {
			return ErrAnswerJSON
		}
		return nil
	}
	if !xmlDocument(body, params["raw"] == "true") {
		return ErrAnswerXML
	}
	return nil
}

// jsonObject: body is exactly one JSON object.
func jsonObject(body []byte) bool {
	return len(body) > 0 && body[0] == '{' && json.Valid(body)
}

// xmlDocument: body is one complete, well-formed XML element (after an
// optional prolog), <lfm status="ok|failed"> unless raw.
func xmlDocument(body []byte, raw bool) bool {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true // a cut-off or mismatched document is an error
	// An HTML entity in a bio is no reason to refuse Last.fm's answer; the
	// root check is what tells an HTML page from it.
	d.Entity = xml.HTMLEntity
	depth, roots := 0, 0
	for {
		tok, err := d.Token() // Token, not RawToken: it checks that end tags match
		if err == io.EOF {
			return roots == 1 && depth == 0
		}
		if err != nil {
			return false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if roots > 1 {
					return false
				}
				if !raw && (t.Name.Local != "lfm" || !okStatus(attr(t, "status"))) {
					return false
				}
			}
			depth++
		case xml.EndElement:
			depth--
			if depth < 0 {
				return false
			}
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return false // text outside the root
			}
		}
	}
}

func okStatus(s string) bool { return s == "ok" || s == "failed" }
