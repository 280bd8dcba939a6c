package tomcat

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// maxDepth bounds element nesting. Real server.xml files nest five or six
// levels (Server, Service, Connector, SSLHostConfig, Certificate), so the
// bound only stops a hostile file from growing the element stack.
const maxDepth = 64

// Element is one XML element of server.xml with the lines it was written on.
type Element struct {
	// Name is the local name, such as "Connector".
	Name  string
	Attrs []Attr
	// Line is the line of the element's "<".
	Line     int
	Children []*Element
}

// Attr is one attribute as written, before ${property} substitution.
type Attr struct {
	Name  string
	Value string
	// Line is the line of the attribute's name.
	Line int
}

// Attr returns the attribute named name, matched case-sensitively: Tomcat
// maps "SSLProtocol" and "sslProtocol" to different setters.
func (e *Element) Attr(name string) (Attr, bool) {
	for _, a := range e.Attrs {
		if a.Name == name {
			return a, true
		}
	}
	return Attr{}, false
}

// ParseError is a server.xml that is not well-formed XML.
type ParseError struct {
	File string
	Line int
	// Column is 1-based, or 0 when unknown.
	Column int
	Reason string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("%s:%d:%d: malformed XML: %s; fix the XML (an editor with XML validation shows the spot) and audit again", e.File, e.Line, e.Column, e.Reason)
}

// ParseXML reads server.xml text into its root element. It returns a
// *ParseError, with the line where the decoder stopped, for text that is not
// well-formed XML, nests deeper than 64 elements or has no root element.
func ParseXML(file string, data []byte) (*Element, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	// Only the five predefined entities are known. A server.xml whose DTD
	// declares more is rare, and the decoder reports such an entity with
	// its line.
	var root *Element
	var stack []*Element
	lines := newLineIndex(data)
	for {
		start := d.InputOffset()
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line, col := d.InputPos()
			var syn *xml.SyntaxError
			reason := err.Error()
			if errors.As(err, &syn) {
				line, reason = syn.Line, syn.Msg
				col = 0
			}
			return nil, &ParseError{File: file, Line: line, Column: col, Reason: reason}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= maxDepth {
				return nil, &ParseError{File: file, Line: lines.line(start), Reason: fmt.Sprintf("elements nest deeper than %d levels", maxDepth)}
			}
			tag := data[start:d.InputOffset()]
			el := &Element{Name: t.Name.Local, Line: lines.line(start)}
			// Attributes come in source order, so each search starts
			// where the previous one matched and the work stays linear.
			from := 0
			for _, a := range t.Attr {
				at := attrOffset(tag, a.Name, from)
				if at > 0 {
					from = at
				}
				el.Attrs = append(el.Attrs, Attr{Name: a.Name.Local, Value: a.Value, Line: lines.line(start + int64(at))})
			}
			if len(stack) > 0 {
				parent := stack[len(stack)-1]
				parent.Children = append(parent.Children, el)
			} else if root == nil {
				root = el
			}
			stack = append(stack, el)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
	if root == nil {
		return nil, &ParseError{File: file, Line: lines.line(int64(len(data))), Reason: "no root element; a server.xml starts with <Server>"}
	}
	return root, nil
}

// attrOffset returns the offset in tag, at or after from, of the attribute
// name followed by '=', or 0 when it cannot be found (then the element's
// line is used).
func attrOffset(tag []byte, name xml.Name, from int) int {
	want := name.Local
	if name.Space != "" {
		// The decoder resolves prefixes to namespace URLs, which the raw
		// text does not contain, so look for the local name after a colon.
		want = ":" + name.Local
	}
	for {
		i := bytes.Index(tag[from:], []byte(want))
		if i < 0 {
			return 0
		}
		i += from
		end := i + len(want)
		before := byte(' ')
		if i > 0 {
			before = tag[i-1]
		}
		rest := bytes.TrimLeft(tag[end:], " \t\r\n")
		if (isSpace(before) || name.Space != "") && len(rest) > 0 && rest[0] == '=' {
			return i
		}
		from = end
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// lineIndex maps byte offsets to 1-based line numbers.
type lineIndex []int64

func newLineIndex(data []byte) lineIndex {
	idx := lineIndex{0}
	for i, c := range data {
		if c == '\n' {
			idx = append(idx, int64(i+1))
		}
	}
	return idx
}

func (idx lineIndex) line(offset int64) int {
	lo, hi := 0, len(idx)
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if idx[mid] <= offset {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo + 1
}
