package filter

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/scimdoctor/scimdoctor/scim"
)

type tokenKind uint8

const (
	tokEOF      tokenKind = iota
	tokWord               // attribute path or keyword
	tokString             // JSON string; token.text is the decoded value
	tokNumber             // JSON number
	tokLParen             // (
	tokRParen             // )
	tokLBracket           // [
	tokRBracket           // ]
	tokDot                // . directly after ] in emails[...].value
)

type token struct {
	kind tokenKind
	pos  int    // byte offset of the first byte
	raw  string // the bytes of the token in the input
	text string // decoded string for tokString, else raw
}

// lexer splits a filter into tokens. Blanks (space, tab, CR, LF) between
// tokens are skipped.
type lexer struct {
	in       string
	pos      int
	scimType string
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// next returns the token at the current position and moves past it.
func (l *lexer) next() (token, error) {
	for l.pos < len(l.in) && isBlank(l.in[l.pos]) {
		l.pos++
	}
	start := l.pos
	if start >= len(l.in) {
		return token{kind: tokEOF, pos: start}, nil
	}
	c := l.in[start]
	single := func(k tokenKind) (token, error) {
		l.pos++
		return token{kind: k, pos: start, raw: l.in[start:l.pos], text: l.in[start:l.pos]}, nil
	}
	switch {
	case c == '(':
		return single(tokLParen)
	case c == ')':
		return single(tokRParen)
	case c == '[':
		return single(tokLBracket)
	case c == ']':
		return single(tokRBracket)
	case c == '.':
		return single(tokDot)
	case c == '"':
		return l.lexString()
	case c == '-' || ('0' <= c && c <= '9'):
		return l.lexNumber()
	case ('a' <= c|0x20 && c|0x20 <= 'z') || c == '$' || c == '_':
		for l.pos < len(l.in) && scim.IsAttrPathByte(l.in[l.pos]) {
			l.pos++
		}
		raw := l.in[start:l.pos]
		return token{kind: tokWord, pos: start, raw: raw, text: raw}, nil
	case c == '\'':
		return token{}, scim.Unexpected(l.scimType, start, "'", `strings go in double quotes, as in userName eq "bjensen"`)
	}
	return token{}, l.badByte(start, "")
}

// badByte reports the character at offset, or the invalid UTF-8 byte there.
func (l *lexer) badByte(offset int, where string) error {
	r, size := utf8.DecodeRuneInString(l.in[offset:])
	if r == utf8.RuneError && size <= 1 {
		return &scim.SyntaxError{Offset: offset, Problem: fmt.Sprintf("invalid UTF-8 byte 0x%02x%s", l.in[offset], where),
			Hint: "send the request as UTF-8", ScimType: l.scimType}
	}
	return scim.Unexpected(l.scimType, offset, l.in[offset:offset+size]+where,
		`expected an attribute path, an operator, a value, or one of ( ) [ ]`)
}

// lexNumber reads a JSON number (RFC 8259 Section 6).
func (l *lexer) lexNumber() (token, error) {
	in, start := l.in, l.pos
	i := start
	digits := func() int {
		n := 0
		for i < len(in) && '0' <= in[i] && in[i] <= '9' {
			i++
			n++
		}
		return n
	}

	if in[i] == '-' {
		i++
	}
	intStart := i
	if n := digits(); n == 0 {
		return token{}, l.numberError(start, i, "a digit")
	} else if n > 1 && in[intStart] == '0' {
		return token{}, l.numberError(start, intStart+1, "no leading zero")
	}

	if i < len(in) && in[i] == '.' {
		i++
		if digits() == 0 {
			return token{}, l.numberError(start, i, "a digit after the decimal point")
		}
	}

	if i < len(in) && (in[i] == 'e' || in[i] == 'E') {
		i++
		if i < len(in) && (in[i] == '+' || in[i] == '-') {
			i++
		}
		if digits() == 0 {
			return token{}, l.numberError(start, i, "a digit in the exponent")
		}
	}

	if i < len(in) && scim.IsAttrPathByte(in[i]) {
		return token{}, l.numberError(start, i, "a blank, ) or ] after the number; attribute names start with a letter")
	}

	raw := in[start:i]
	if _, err := strconv.ParseFloat(raw, 64); err != nil {
		return token{}, &scim.SyntaxError{Offset: start, Problem: "number " + scim.Quote(raw) + " is out of range",
			Hint: "use a number within the range of a 64-bit float", ScimType: l.scimType}
	}
	l.pos = i
	return token{kind: tokNumber, pos: start, raw: raw, text: raw}, nil
}

func (l *lexer) numberError(start, at int, want string) error {
	end := at
	for end < len(l.in) && !isBlank(l.in[end]) && l.in[end] != ')' && l.in[end] != ']' {
		end++
	}
	return &scim.SyntaxError{Offset: at, Problem: "invalid number " + scim.Quote(l.in[start:end]),
		Hint: "expected " + want + " (numbers follow JSON, as in 42, -1.5 or 1e3)", ScimType: l.scimType}
}

// lexString reads a JSON string (RFC 8259 Section 7) and decodes its
// escapes. It rejects control characters, invalid UTF-8, unpaired UTF-16
// surrogates in \u escapes and the NUL character.
func (l *lexer) lexString() (token, error) {
	in, start := l.in, l.pos
	i := start + 1
	var b *strings.Builder // nil until the first escape
	plainFrom := i
	for {
		if i >= len(in) {
			return token{}, &scim.SyntaxError{Offset: len(in), Problem: "unterminated string",
				Hint: fmt.Sprintf("the string starting at %d has no closing double quote", start), ScimType: l.scimType}
		}
		c := in[i]
		switch {
		case c == '"':
			tok := token{kind: tokString, pos: start, raw: in[start : i+1]}
			if b == nil {
				tok.text = in[start+1 : i]
			} else {
				b.WriteString(in[plainFrom:i])
				tok.text = b.String()
			}
			l.pos = i + 1
			return tok, nil
		case c == '\\':
			if b == nil {
				b = &strings.Builder{}
			}
			b.WriteString(in[plainFrom:i])
			n, err := l.unescape(b, i)
			if err != nil {
				return token{}, err
			}
			i += n
			plainFrom = i
		case c < 0x20:
			return token{}, &scim.SyntaxError{Offset: i, Problem: fmt.Sprintf("control character 0x%02x in string", c),
				Hint: `escape it, as in \n or \u001f`, ScimType: l.scimType}
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRuneInString(in[i:])
			if r == utf8.RuneError && size <= 1 {
				return token{}, l.badByte(i, " in string")
			}
			i += size
		}
	}
}

// unescape decodes the escape sequence at in[at] (a backslash) into b and
// returns its length in bytes.
func (l *lexer) unescape(b *strings.Builder, at int) (int, error) {
	in := l.in
	if at+1 >= len(in) {
		return 0, &scim.SyntaxError{Offset: len(in), Problem: "unterminated string",
			Hint: "the input ends inside an escape sequence", ScimType: l.scimType}
	}
	switch c := in[at+1]; c {
	case '"', '\\', '/':
		b.WriteByte(c)
		return 2, nil
	case 'b':
		b.WriteByte('\b')
		return 2, nil
	case 'f':
		b.WriteByte('\f')
		return 2, nil
	case 'n':
		b.WriteByte('\n')
		return 2, nil
	case 'r':
		b.WriteByte('\r')
		return 2, nil
	case 't':
		b.WriteByte('\t')
		return 2, nil
	case 'u':
		r, err := l.hex4(at)
		if err != nil {
			return 0, err
		}
		switch {
		case r == 0:
			// NOTE: JSON allows \u0000, but PostgreSQL text and jsonb cannot
			// store it, so no stored value can ever match it.
			return 0, &scim.SyntaxError{Offset: at, Problem: `NUL character \u0000 in string`,
				Hint: "remove it: stored values never contain NUL", ScimType: l.scimType}
		case utf16.IsSurrogate(r) && r < 0xdc00:
			if at+12 > len(in) || in[at+6] != '\\' || in[at+7] != 'u' {
				return 0, l.loneSurrogate(at)
			}
			low, err := l.hex4(at + 6)
			if err != nil {
				return 0, err
			}
			pair := utf16.DecodeRune(r, low)
			if pair == utf8.RuneError {
				return 0, l.loneSurrogate(at)
			}
			b.WriteRune(pair)
			return 12, nil
		case utf16.IsSurrogate(r):
			return 0, l.loneSurrogate(at)
		}
		b.WriteRune(r)
		return 6, nil
	}
	_, size := utf8.DecodeRuneInString(in[at+1:])
	return 0, &scim.SyntaxError{Offset: at, Problem: "invalid escape " + scim.Quote(in[at:at+1+size]),
		Hint: `JSON strings allow \" \\ \/ \b \f \n \r \t and \uXXXX`, ScimType: l.scimType}
}

// hex4 decodes the four hex digits of the \u escape at in[at].
func (l *lexer) hex4(at int) (rune, error) {
	in := l.in
	if at+6 > len(in) {
		return 0, &scim.SyntaxError{Offset: at, Problem: "invalid escape " + scim.Quote(in[at:]),
			Hint: `\u takes four hex digits, as in \u00e9`, ScimType: l.scimType}
	}
	var r rune
	for _, c := range []byte(in[at+2 : at+6]) {
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c|0x20 && c|0x20 <= 'f':
			d = (c | 0x20) - 'a' + 10
		default:
			return 0, &scim.SyntaxError{Offset: at, Problem: "invalid escape " + scim.Quote(in[at:at+6]),
				Hint: `\u takes four hex digits, as in \u00e9`, ScimType: l.scimType}
		}
		r = r<<4 | rune(d)
	}
	return r, nil
}

func (l *lexer) loneSurrogate(at int) error {
	return &scim.SyntaxError{Offset: at, Problem: "unpaired UTF-16 surrogate " + l.in[at:at+6],
		Hint: `a \ud800-\udbff escape must be followed by a \udc00-\udfff escape`, ScimType: l.scimType}
}
