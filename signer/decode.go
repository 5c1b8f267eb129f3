package signer

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strconv"
	"strings"
)

// DecodeError finds a Last.fm error in an answer body
// (https://www.last.fm/api/rest):
//   - JSON {"error":N,"message":"..."}, where error may be a number or a
//     digit string and a "links" member may follow;
//   - JSONP callback(...) wrapping that JSON (Last.fm wraps errors too when
//     a callback is given);
//   - XML <lfm status="failed"><error code="N">msg</error></lfm>, or a bare
//     <error code="N"> root in case raw=true strips the wrapper.
//
// It returns nil when the body is not an error: <lfm status="ok">, JSON
// without an "error" key, a code that is not a positive integer, or garbage.
// HTTPStatus is left 0 for the caller to fill in. It never panics.
func DecodeError(body []byte) *APIError {
	body = bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	if len(body) == 0 {
		return nil
	}
	switch body[0] {
	case '{':
		return decodeJSONError(body)
	case '<':
		return decodeXMLError(body)
	}
	if inner, ok := unwrapJSONP(body); ok {
		return decodeJSONError(inner)
	}
	return nil
}

// decodeJSONError reads {"error":N,"message":"..."}.
func decodeJSONError(body []byte) *APIError {
	// A success answer is up to megabytes of JSON and never has an "error"
	// key: skip the full decode for it.
	if !bytes.Contains(body, []byte(`"error"`)) {
		return nil
	}
	// A map, not a struct: encoding/json matches struct fields in any case,
	// and only Last.fm's lowercase "error" key is an error.
	var v map[string]json.RawMessage
	if json.Unmarshal(body, &v) != nil || v["error"] == nil {
		return nil
	}
	raw := string(v["error"])
	if strings.HasPrefix(raw, `"`) {
		var s string
		if json.Unmarshal(v["error"], &s) != nil {
			return nil
		}
		raw = s
	}
	code, ok := parseCode(raw)
	if !ok {
		return nil
	}
	var msg string
	_ = json.Unmarshal(v["message"], &msg) // absent or not a string: no message
	return &APIError{Code: code, Message: strings.TrimSpace(msg)}
}

// parseCode accepts a positive decimal integer of at most 9 digits.
func parseCode(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 9 || !allDigits(s) {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0
}

// unwrapJSONP strips `name(` ... `)` and an optional `;` from a JSONP body,
// with an optional "/**/" prefix some servers add.
func unwrapJSONP(body []byte) ([]byte, bool) {
	body = bytes.TrimPrefix(body, []byte("/**/"))
	open := bytes.IndexByte(body, '(')
	if open <= 0 || !ValidCallback(string(bytes.TrimSpace(body[:open]))) {
		return nil, false
	}
	rest := bytes.TrimSpace(body[open+1:])
	rest = bytes.TrimSpace(bytes.TrimSuffix(rest, []byte(";")))
	if !bytes.HasSuffix(rest, []byte(")")) {
		return nil, false
	}
	inner := bytes.TrimSpace(rest[:len(rest)-1])
	if len(inner) == 0 || inner[0] != '{' {
		return nil, false
	}
	return inner, true
}

// decodeXMLError reads <lfm status="failed"><error code="N">msg</error></lfm>.
// It stops at the root element of a success answer, so a large ok body
// costs almost nothing.
func decodeXMLError(body []byte) *APIError {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = false // Last.fm's XML is well-formed; a lenient parser also copes with odd entities
	root, ok := firstElement(d)
	if !ok {
		return nil
	}
	switch root.Name.Local {
	case "error":
		return xmlError(d, root)
	case "lfm":
		if attr(root, "status") != "failed" {
			return nil
		}
	default:
		return nil
	}
	for depth := 0; ; {
		tok, err := d.Token()
		if err != nil {
			return nil
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth == 0 && t.Name.Local == "error" {
				return xmlError(d, t)
			}
			depth++
		case xml.EndElement:
			if depth == 0 {
				return nil // </lfm> without an <error>
			}
			depth--
		}
	}
}

// firstElement returns the first start element, skipping the prolog.
func firstElement(d *xml.Decoder) (xml.StartElement, bool) {
	for {
		tok, err := d.Token()
		if err != nil {
			return xml.StartElement{}, false
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se, true
		}
	}
}

// xmlError reads the code attribute and text of an <error> element.
func xmlError(d *xml.Decoder, se xml.StartElement) *APIError {
	code, ok := parseCode(attr(se, "code"))
	if !ok {
		return nil
	}
	var text strings.Builder
	for depth := 0; depth >= 0; {
		tok, err := d.Token()
		if err != nil {
			break // a cut-off body still names the code
		}
		switch t := tok.(type) {
		case xml.CharData:
			if depth == 0 && text.Len() < 4096 {
				text.Write(t)
			}
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return &APIError{Code: code, Message: strings.TrimSpace(text.String())}
}

// attr returns the value of the attribute name (no namespace) of se.
func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}
