// Package filter parses SCIM filters (RFC 7644 Section 3.4.2.2) and PATCH
// paths (RFC 7644 Section 3.5.2) into a syntax tree, and compiles filters
// into predicates over resources checked against a scim/schema resource
// type.
//
// Use [Parse] for the "filter" query parameter, [ParsePath] for the "path" of
// a PATCH operation, and [Compile] to evaluate a filter in memory. A SQL
// compiler walks the tree through its exported fields; every node type is
// listed on [Expr].
//
// Beyond the RFC's ABNF, the parser accepts keywords and attribute names in
// any case and any run of blanks between tokens. It also accepts a
// sub-attribute after a value filter, because Entra matches users with
// emails[type eq "work"].value eq "x". That form becomes
// emails[type eq "work" and value eq "x"].
package filter

import (
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/scimdoctor/scimdoctor/scim"
)

// Expr is a node of a filter tree: *Logical, *Not, *Compare, *Present or
// *ValuePath.
type Expr interface {
	// String returns the canonical form: keywords in lower case, every
	// "and" and "or" in parentheses, strings in JSON form. Parsing it gives
	// the same tree, given limits with room for the added parentheses.
	String() string
	expr()
}

// LogicalOp is "and" or "or".
type LogicalOp string

// The logical operators.
const (
	And LogicalOp = "and"
	Or  LogicalOp = "or"
)

// Logical is a chain of two or more terms joined by one operator. The
// parser flattens chains, so no term is a *Logical with the same Op:
// a and (b and c) gives one node with three terms.
type Logical struct {
	Op    LogicalOp
	Terms []Expr
}

// Not negates X: not (X).
type Not struct {
	X Expr
}

// CompareOp is a comparison operator of RFC 7644 Section 3.4.2.2.
type CompareOp string

// The comparison operators.
const (
	Eq CompareOp = "eq" // equal
	Ne CompareOp = "ne" // not equal
	Co CompareOp = "co" // contains
	Sw CompareOp = "sw" // starts with
	Ew CompareOp = "ew" // ends with
	Gt CompareOp = "gt" // greater than
	Ge CompareOp = "ge" // greater than or equal
	Lt CompareOp = "lt" // less than
	Le CompareOp = "le" // less than or equal
)

var compareOps = map[string]CompareOp{
	"eq": Eq, "ne": Ne, "co": Co, "sw": Sw, "ew": Ew,
	"gt": Gt, "ge": Ge, "lt": Lt, "le": Le,
}

// Compare is an attribute expression: Path Op Value.
type Compare struct {
	Path   scim.AttrPath
	Op     CompareOp
	Value  Value
	Offset int // byte offset of Path in the filter, for error messages
}

// Present is the "pr" expression: Path has a non-empty value.
type Present struct {
	Path   scim.AttrPath
	Offset int
}

// ValuePath is a value filter, Path[Filter]: some value of the complex
// attribute Path matches Filter, whose paths name sub-attributes of Path.
type ValuePath struct {
	Path   scim.AttrPath
	Filter Expr
	Offset int
}

func (*Logical) expr()   {}
func (*Not) expr()       {}
func (*Compare) expr()   {}
func (*Present) expr()   {}
func (*ValuePath) expr() {}

func (l *Logical) String() string {
	var b strings.Builder
	b.WriteByte('(')
	for i, t := range l.Terms {
		if i > 0 {
			b.WriteByte(' ')
			b.WriteString(string(l.Op))
			b.WriteByte(' ')
		}
		b.WriteString(t.String())
	}
	b.WriteByte(')')
	return b.String()
}

func (n *Not) String() string {
	if _, ok := n.X.(*Logical); ok {
		return "not " + n.X.String()
	}
	return "not (" + n.X.String() + ")"
}

func (c *Compare) String() string {
	return c.Path.String() + " " + string(c.Op) + " " + c.Value.String()
}

func (p *Present) String() string { return p.Path.String() + " pr" }

func (v *ValuePath) String() string {
	return v.Path.String() + "[" + v.Filter.String() + "]"
}

// Walk calls fn for e and, while fn returns true, for each node below it,
// depth first in source order.
func Walk(e Expr, fn func(Expr) bool) {
	if !fn(e) {
		return
	}
	switch e := e.(type) {
	case *Logical:
		for _, t := range e.Terms {
			Walk(t, fn)
		}
	case *Not:
		Walk(e.X, fn)
	case *ValuePath:
		Walk(e.Filter, fn)
	}
}

// ValueKind is the JSON type of a comparison value.
type ValueKind uint8

// The kinds of compValue in RFC 7644 Section 3.4.2.2.
const (
	NullValue ValueKind = iota
	BoolValue
	NumberValue
	StringValue
)

// Value is a comparison value: null, true, false, a number or a string.
type Value struct {
	Kind   ValueKind
	Bool   bool        // for BoolValue
	Number json.Number // for NumberValue: the literal as written, a valid JSON number
	Text   string      // for StringValue: the decoded string, valid UTF-8
}

// String returns the value in JSON form.
func (v Value) String() string {
	switch v.Kind {
	case BoolValue:
		if v.Bool {
			return "true"
		}
		return "false"
	case NumberValue:
		return string(v.Number)
	case StringValue:
		return quoteJSON(v.Text)
	}
	return "null"
}

// Any returns the value as encoding/json decodes it: nil, bool,
// json.Number or string.
func (v Value) Any() any {
	switch v.Kind {
	case BoolValue:
		return v.Bool
	case NumberValue:
		return v.Number
	case StringValue:
		return v.Text
	}
	return nil
}

// quoteJSON writes s as a JSON string, escaping only what JSON requires
// (quote, backslash, control characters), so non-ASCII text stays readable.
func quoteJSON(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			const hex = "0123456789abcdef"
			b.WriteString(`\u00`)
			b.WriteByte(hex[r>>4])
			b.WriteByte(hex[r&0xf])
		case r == utf8.RuneError:
			b.WriteString(`\ufffd`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
