package proxy

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
)

// answerUser finds the user a user.* answer is about: "@attr":{"user":...}
// of the top-level object in JSON (JSONP unwrapped), or the user attribute
// of the element inside <lfm> in XML. ok is false when the answer names none.
func answerUser(body []byte) (string, bool) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 {
		return "", false
	}
	if b[0] == '<' {
		return xmlAnswerUser(b)
	}
	if b[0] != '{' {
		// JSONP: callback({...})
		open, close := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
		if open < 0 || close <= open {
			return "", false
		}
		b = b[open+1 : close]
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(b, &top) != nil || len(top) != 1 {
		return "", false
	}
	for _, inner := range top {
		var obj struct {
			Attr struct {
				User string `json:"user"`
			} `json:"@attr"`
		}
		if json.Unmarshal(inner, &obj) == nil && obj.Attr.User != "" {
			return obj.Attr.User, true
		}
	}
	return "", false
}

func xmlAnswerUser(b []byte) (string, bool) {
	d := xml.NewDecoder(bytes.NewReader(b))
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF || err != nil {
			return "", false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 {
				for _, a := range t.Attr {
					if a.Name.Local == "user" {
						return a.Value, true
					}
				}
				return "", false
			}
		case xml.EndElement:
			depth--
		}
	}
}
