package emulator

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
)

// A node is one XML element of an answer. The same tree is rendered as Last.fm XML
// and, by Last.fm's mechanical translation (https://www.last.fm/api/rest), as JSON:
//   - a leaf without attributes becomes a string (or a number, see num);
//   - a leaf with attributes becomes an object of its attributes plus "#text";
//   - an element with children becomes an object keyed by child name, repeated
//     names become arrays (a single child stays an object), and its attributes
//     go under "@attr";
//   - names listed in lists render as [] when no such child exists.
type node struct {
	name  string
	attrs []attr
	text  string
	num   string // when set, JSON renders the text as this number literal
	kids  []*node
	lists []string
	obj   bool // JSON renders an object ({"@attr":...}) even without kids; XML as empty
}

// attr is one XML attribute; num renders it as a JSON number, xmlOnly leaves it
// out of JSON (namespace declarations).
type attr struct {
	name, value  string
	num, xmlOnly bool
}

// el builds an element with children.
func el(name string, kids ...*node) *node { return &node{name: name, kids: kids} }

// txt builds a leaf with text.
func txt(name, text string) *node { return &node{name: name, text: text} }

// itoa formats an integer as Last.fm's usual string number.
func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// a adds a string attribute.
func (n *node) a(name, value string) *node {
	n.attrs = append(n.attrs, attr{name: name, value: value})
	return n
}

// an adds a numeric attribute (a JSON number).
func (n *node) an(name string, v int64) *node {
	n.attrs = append(n.attrs, attr{name: name, value: itoa(v), num: true})
	return n
}

// add appends children.
func (n *node) add(kids ...*node) *node {
	n.kids = append(n.kids, kids...)
	return n
}

// list marks child names that render as JSON arrays even when absent.
func (n *node) list(names ...string) *node {
	n.lists = append(n.lists, names...)
	return n
}

func (n *node) container() bool { return len(n.kids) > 0 || len(n.lists) > 0 }

// outFmt is the answer format a request asked for.
type outFmt struct {
	json     bool
	callback string // JSONP function name (JSON only)
	raw      bool   // raw=true: XML without the <lfm> wrapper
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// renderOK renders a successful answer whose payload is kids.
func renderOK(f outFmt, kids []*node) (contentType string, body []byte) {
	var b bytes.Buffer
	if f.json {
		writeJSONObject(&b, kids, nil, nil)
		return wrapJSONP(f, b.Bytes())
	}
	b.WriteString(xmlHeader)
	if f.raw {
		for _, k := range kids {
			writeXML(&b, k, 0)
		}
		return "text/xml; charset=UTF-8", b.Bytes()
	}
	if len(kids) == 0 {
		b.WriteString(`<lfm status="ok"></lfm>` + "\n")
		return "text/xml; charset=UTF-8", b.Bytes()
	}
	b.WriteString(`<lfm status="ok">` + "\n")
	for _, k := range kids {
		writeXML(&b, k, 1)
	}
	b.WriteString("</lfm>\n")
	return "text/xml; charset=UTF-8", b.Bytes()
}

// renderError renders a Last.fm error answer.
func renderError(f outFmt, code int, msg string) (contentType string, body []byte) {
	var b bytes.Buffer
	if f.json {
		b.WriteString(`{"error":`)
		b.WriteString(strconv.Itoa(code))
		b.WriteString(`,"message":`)
		writeJSONString(&b, msg)
		b.WriteString("}")
		return wrapJSONP(f, b.Bytes())
	}
	b.WriteString(xmlHeader)
	b.WriteString(`<lfm status="failed">` + "\n")
	b.WriteString(`  <error code="` + strconv.Itoa(code) + `">`)
	xmlEscape(&b, msg)
	b.WriteString("</error>\n</lfm>\n")
	return "text/xml; charset=UTF-8", b.Bytes()
}

func wrapJSONP(f outFmt, js []byte) (string, []byte) {
	if f.callback == "" {
		return "application/json; charset=UTF-8", js
	}
	out := make([]byte, 0, len(js)+len(f.callback)+3)
	out = append(out, f.callback...)
	out = append(out, '(')
	out = append(out, js...)
	out = append(out, ");"...)
	return "text/javascript; charset=UTF-8", out
}

// writeReply sends a rendered answer with its status.
func writeReply(w http.ResponseWriter, status int, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func xmlEscape(b *bytes.Buffer, s string) { _ = xml.EscapeText(b, []byte(s)) }

func writeXML(b *bytes.Buffer, n *node, depth int) {
	indent := strings.Repeat("  ", depth)
	b.WriteString(indent)
	b.WriteByte('<')
	b.WriteString(n.name)
	for _, at := range n.attrs {
		b.WriteByte(' ')
		b.WriteString(at.name)
		b.WriteString(`="`)
		xmlEscape(b, at.value)
		b.WriteByte('"')
	}
	b.WriteByte('>')
	if n.container() {
		b.WriteByte('\n')
		for _, k := range n.kids {
			writeXML(b, k, depth+1)
		}
		b.WriteString(indent)
	} else {
		xmlEscape(b, n.text)
	}
	b.WriteString("</")
	b.WriteString(n.name)
	b.WriteString(">\n")
}

func writeJSONString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	b.Truncate(b.Len() - 1) // Encode's newline
}

// writeJSONObject writes kids grouped by name, then empty lists, then @attr.
func writeJSONObject(b *bytes.Buffer, kids []*node, lists []string, attrs []attr) {
	b.WriteByte('{')
	first := true
	comma := func() {
		if !first {
			b.WriteByte(',')
		}
		first = false
	}
	var order []string
	groups := map[string][]*node{}
	for _, k := range kids {
		if _, ok := groups[k.name]; !ok {
			order = append(order, k.name)
		}
		groups[k.name] = append(groups[k.name], k)
	}
	for _, name := range order {
		comma()
		writeJSONString(b, name)
		b.WriteByte(':')
		g := groups[name]
		if len(g) == 1 {
			writeJSONValue(b, g[0])
			continue
		}
		b.WriteByte('[')
		for i, k := range g {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONValue(b, k)
		}
		b.WriteByte(']')
	}
	for _, name := range lists {
		if _, ok := groups[name]; ok {
			continue
		}
		comma()
		writeJSONString(b, name)
		b.WriteString(":[]")
	}
	if hasJSONAttrs(attrs) {
		comma()
		b.WriteString(`"@attr":`)
		writeJSONAttrs(b, attrs, false)
		b.WriteByte('}')
	}
	b.WriteByte('}')
}

func hasJSONAttrs(attrs []attr) bool {
	for _, at := range attrs {
		if !at.xmlOnly {
			return true
		}
	}
	return false
}

// writeJSONAttrs opens an object and writes attributes as members, with a
// trailing comma when more members follow; the caller closes the object.
func writeJSONAttrs(b *bytes.Buffer, attrs []attr, more bool) {
	b.WriteByte('{')
	n := 0
	for _, at := range attrs {
		if at.xmlOnly {
			continue
		}
		if n > 0 {
			b.WriteByte(',')
		}
		n++
		writeJSONString(b, at.name)
		b.WriteByte(':')
		if at.num {
			b.WriteString(at.value)
		} else {
			writeJSONString(b, at.value)
		}
	}
	if more && n > 0 {
		b.WriteByte(',')
	}
}

func writeJSONValue(b *bytes.Buffer, n *node) {
	if n.container() || n.obj {
		writeJSONObject(b, n.kids, n.lists, n.attrs)
		return
	}
	if !hasJSONAttrs(n.attrs) {
		writeJSONText(b, n)
		return
	}
	writeJSONAttrs(b, n.attrs, true)
	b.WriteString(`"#text":`)
	writeJSONText(b, n)
	b.WriteByte('}')
}

func writeJSONText(b *bytes.Buffer, n *node) {
	if n.num != "" {
		b.WriteString(n.num)
		return
	}
	writeJSONString(b, n.text)
}
