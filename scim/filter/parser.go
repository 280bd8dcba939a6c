package filter

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/scimdoctor/scimdoctor/scim"
)

// Default limits of Parse and ParsePath. Okta and Entra send one or two
// comparisons, such as userName eq "...". The limits leave room for
// hand-written filters and still bound the cost of parsing and evaluation.
const (
	// MaxBytes is the maximum length of a filter or path, in bytes.
	MaxBytes = 4096
	// MaxDepth is the maximum nesting of "(", "not (" and "[".
	MaxDepth = 32
	// MaxTerms is the maximum number of comparisons and "pr" expressions.
	MaxTerms = 256
)

// Limits bounds the input of ParseWithLimits. A zero field takes the
// default above.
type Limits struct {
	MaxBytes int
	MaxDepth int
	MaxTerms int
}

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = MaxBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = MaxDepth
	}
	if l.MaxTerms <= 0 {
		l.MaxTerms = MaxTerms
	}
	return l
}

// Parse parses a filter with the default limits. See ParseWithLimits.
func Parse(s string) (Expr, error) {
	return ParseWithLimits(s, Limits{})
}

// ParseWithLimits parses a filter of RFC 7644 Section 3.4.2.2. "not" binds
// tighter than "and", which binds tighter than "or"; keywords, operators and
// true/false/null match in any case. Strings follow JSON, including \u
// escapes and surrogate pairs.
//
// Every error is a *scim.SyntaxError with ScimType scim.InvalidFilter and
// the byte offset where the filter broke; it unwraps to a *scim.Error with
// status 400.
func ParseWithLimits(s string, limits Limits) (Expr, error) {
	limits = limits.withDefaults()
	if len(s) > limits.MaxBytes {
		return nil, &scim.SyntaxError{Offset: limits.MaxBytes, ScimType: scim.InvalidFilter,
			Problem: fmt.Sprintf("filter of %d bytes exceeds the limit of %d bytes", len(s), limits.MaxBytes),
			Hint:    "split the query into several requests"}
	}
	p := &parser{lex: lexer{in: s, scimType: scim.InvalidFilter}, limits: limits}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tokEOF {
		return nil, &scim.SyntaxError{Offset: 0, Problem: "empty filter", Hint: `write a filter such as userName eq "bjensen"`, ScimType: scim.InvalidFilter}
	}
	e, err := p.parseOr(tokEOF, false)
	if err != nil {
		return nil, err
	}
	return e, nil
}

// parser is a recursive-descent parser with one token of lookahead. Only
// "(", "not (" and "[" recurse, so the depth limit bounds the Go stack.
// Chains of "and" and "or" are loops.
type parser struct {
	lex    lexer
	tok    token // current token, not yet consumed
	limits Limits
	depth  int
	terms  int
}

func (p *parser) advance() error {
	t, err := p.lex.next()
	if err != nil {
		return err
	}
	p.tok = t
	return nil
}

// peek returns the token after the current one without consuming anything.
func (p *parser) peek() (token, error) {
	saved := p.lex.pos
	t, err := p.lex.next()
	p.lex.pos = saved
	return t, err
}

func (p *parser) isWord(word string) bool {
	return p.tok.kind == tokWord && strings.EqualFold(p.tok.raw, word)
}

func (p *parser) unexpected(hint string) error {
	if p.tok.kind == tokEOF {
		return &scim.SyntaxError{Offset: p.tok.pos, Problem: "unexpected end of input", Hint: hint, ScimType: p.lex.scimType}
	}
	return scim.Unexpected(p.lex.scimType, p.tok.pos, p.tok.raw, hint)
}

// closerHint names what may follow a complete term before closer.
func closerHint(closer tokenKind) string {
	switch closer {
	case tokRParen:
		return `expected "and", "or" or ")"`
	case tokRBracket:
		return `expected "and", "or" or "]"`
	}
	return `expected "and", "or" or the end of the filter`
}

// parseOr parses terms joined by "or" up to closer, which it leaves
// unconsumed. inValue is true inside a value filter, where another value
// filter may not start.
func (p *parser) parseOr(closer tokenKind, inValue bool) (Expr, error) {
	first, err := p.parseAnd(inValue)
	if err != nil {
		return nil, err
	}
	if !p.isWord("or") {
		if p.tok.kind != closer {
			return nil, p.unexpected(closerHint(closer))
		}
		return first, nil
	}
	terms := flatten(nil, Or, first)
	for p.isWord("or") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		t, err := p.parseAnd(inValue)
		if err != nil {
			return nil, err
		}
		terms = flatten(terms, Or, t)
	}
	if p.tok.kind != closer {
		return nil, p.unexpected(closerHint(closer))
	}
	return &Logical{Op: Or, Terms: terms}, nil
}

func (p *parser) parseAnd(inValue bool) (Expr, error) {
	first, err := p.parseUnary(inValue)
	if err != nil {
		return nil, err
	}
	if !p.isWord("and") {
		return first, nil
	}
	terms := flatten(nil, And, first)
	for p.isWord("and") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		t, err := p.parseUnary(inValue)
		if err != nil {
			return nil, err
		}
		terms = flatten(terms, And, t)
	}
	return &Logical{Op: And, Terms: terms}, nil
}

// flatten appends t to terms, splicing in the terms of t when t is a chain
// of the same operator (from a parenthesised group).
func flatten(terms []Expr, op LogicalOp, t Expr) []Expr {
	if l, ok := t.(*Logical); ok && l.Op == op {
		return append(terms, l.Terms...)
	}
	return append(terms, t)
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > p.limits.MaxDepth {
		return &scim.SyntaxError{Offset: p.tok.pos, ScimType: scim.InvalidFilter,
			Problem: fmt.Sprintf("nesting deeper than %d levels", p.limits.MaxDepth),
			Hint:    "remove redundant parentheses"}
	}
	return nil
}

func (p *parser) countTerm(offset int) error {
	p.terms++
	if p.terms > p.limits.MaxTerms {
		return &scim.SyntaxError{Offset: offset, ScimType: scim.InvalidFilter,
			Problem: fmt.Sprintf("more than %d comparisons", p.limits.MaxTerms),
			Hint:    "split the query into several requests"}
	}
	return nil
}

// parseUnary parses a group, "not (...)", a value filter or an attribute
// expression.
func (p *parser) parseUnary(inValue bool) (Expr, error) {
	const startHint = `expected an attribute path, "not" or "("`
	switch p.tok.kind {
	case tokLParen:
		return p.parseGroup(inValue)
	case tokWord:
	default:
		return nil, p.unexpected(startHint)
	}

	if p.isWord("not") {
		next, err := p.peek()
		if err != nil {
			return nil, err
		}
		if next.kind == tokLParen {
			if err := p.advance(); err != nil {
				return nil, err
			}
			x, err := p.parseGroup(inValue)
			if err != nil {
				return nil, err
			}
			return &Not{X: x}, nil
		}
		_, isOp := compareOps[strings.ToLower(next.raw)]
		isOp = isOp || strings.EqualFold(next.raw, "pr")
		if !(next.kind == tokWord && isOp) && next.kind != tokLBracket {
			p.tok = next
			return nil, p.unexpected(`expected "(" after "not", as in not (title pr)`)
		}
	}

	pathTok := p.tok
	path, err := scim.ParseAttrPath(pathTok.raw, pathTok.pos, scim.InvalidFilter)
	if err != nil {
		return nil, err
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	if p.tok.kind == tokLBracket {
		return p.parseValuePath(path, pathTok, inValue)
	}
	return p.parseAttrExp(path, pathTok.pos)
}

// parseGroup parses "(" filter ")" and returns the inner filter.
func (p *parser) parseGroup(inValue bool) (Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	e, err := p.parseOr(tokRParen, inValue)
	if err != nil {
		return nil, err
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	p.depth--
	return e, nil
}

// parseAttrExp parses the operator and value after an attribute path:
// "pr", or a comparison operator and a value.
func (p *parser) parseAttrExp(path scim.AttrPath, offset int) (Expr, error) {
	if err := p.countTerm(offset); err != nil {
		return nil, err
	}
	if p.tok.kind != tokWord {
		return nil, p.unexpected("expected a comparison operator (eq, ne, co, sw, ew, gt, lt, ge, le) or pr")
	}
	if strings.EqualFold(p.tok.raw, "pr") {
		if err := p.advance(); err != nil {
			return nil, err
		}
		return &Present{Path: path, Offset: offset}, nil
	}
	op, ok := compareOps[strings.ToLower(p.tok.raw)]
	if !ok {
		return nil, p.unexpected("expected a comparison operator (eq, ne, co, sw, ew, gt, lt, ge, le) or pr")
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	v, err := p.parseValue()
	if err != nil {
		return nil, err
	}
	return &Compare{Path: path, Op: op, Value: v, Offset: offset}, nil
}

func (p *parser) parseValue() (Value, error) {
	var v Value
	switch p.tok.kind {
	case tokString:
		v = Value{Kind: StringValue, Text: p.tok.text}
	case tokNumber:
		v = Value{Kind: NumberValue, Number: json.Number(p.tok.raw)}
	case tokWord:
		switch strings.ToLower(p.tok.raw) {
		case "true":
			v = Value{Kind: BoolValue, Bool: true}
		case "false":
			v = Value{Kind: BoolValue}
		case "null":
			v = Value{Kind: NullValue}
		default:
			return Value{}, p.unexpected(`expected a value: a string in double quotes, a number, true, false or null`)
		}
	default:
		return Value{}, p.unexpected(`expected a value: a string in double quotes, a number, true, false or null`)
	}
	return v, p.advance()
}

// parseValuePath parses "[" valFilter "]" after path, and in a filter also
// the Entra form "].sub op value", which it folds into the value filter.
func (p *parser) parseValuePath(path scim.AttrPath, pathTok token, inValue bool) (Expr, error) {
	if inValue {
		return nil, p.unexpected("value filters cannot nest: join the conditions with and/or inside one [ ]")
	}
	if path.Sub != "" {
		return nil, p.unexpected(fmt.Sprintf("a value filter follows a multi-valued attribute, not a sub-attribute: write %s[...].%s",
			scim.AttrPath{URI: path.URI, Name: path.Name}, path.Sub))
	}
	inner, err := p.parseBracket()
	if err != nil {
		return nil, err
	}
	vp := &ValuePath{Path: path, Filter: inner, Offset: pathTok.pos}
	if p.tok.kind != tokDot {
		return vp, nil
	}

	// emails[type eq "work"].value eq "x" is not in the ABNF, but Entra
	// sends it for matching on a work email. It means the same as
	// emails[type eq "work" and value eq "x"].
	sub, subPos, err := p.parseSubAttr()
	if err != nil {
		return nil, err
	}
	tail, err := p.parseAttrExp(scim.AttrPath{Name: sub}, subPos)
	if err != nil {
		return nil, err
	}
	vp.Filter = &Logical{Op: And, Terms: flatten(flatten(nil, And, inner), And, tail)}
	return vp, nil
}

// parseBracket parses "[" valFilter "]" and consumes the "]".
func (p *parser) parseBracket() (Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	inner, err := p.parseOr(tokRBracket, true)
	if err != nil {
		return nil, err
	}
	if err := p.advance(); err != nil {
		return nil, err
	}
	p.depth--
	return inner, nil
}

// parseSubAttr parses ".name" after "]" and returns the name and its offset.
func (p *parser) parseSubAttr() (string, int, error) {
	dot := p.tok.pos
	if err := p.advance(); err != nil {
		return "", 0, err
	}
	if p.tok.kind != tokWord || p.tok.pos != dot+1 {
		return "", 0, p.unexpected(`expected a sub-attribute name directly after "].", as in emails[type eq "work"].value`)
	}
	sub, pos := p.tok.raw, p.tok.pos
	name, err := scim.ParseAttrPath(sub, pos, p.lex.scimType)
	if err != nil {
		return "", 0, err
	}
	if name.URI != "" || name.Sub != "" {
		return "", 0, p.unexpected(`expected one sub-attribute name after "].", as in emails[type eq "work"].value`)
	}
	return sub, pos, p.advance()
}
