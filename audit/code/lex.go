package code

import (
	"fmt"
	"strings"
)

// tokenKind is the class of a token.
type tokenKind int

const (
	tokIdent tokenKind = iota
	tokString
	tokNumber
	tokPunct
)

// token is one lexical token of a source file. Comments are never tokens.
type token struct {
	kind tokenKind
	// text is the token as written; for a string it is the content between
	// the delimiters, escapes left as written.
	text string
	// line is the 1-based line of the first byte; start and end are byte
	// offsets in the source.
	line       int
	start, end int
}

func (t token) is(kind tokenKind, text string) bool {
	return t.kind == kind && t.text == text
}

// lexError is an unterminated construct that hides the rest of the file,
// such as a block comment without its end.
type lexError struct {
	line      int
	construct string
}

// scanner is the state shared by the per-language tokenizers. Each
// tokenizer loops over the source and calls the helpers below; every
// helper advances pos by at least one byte, so a tokenizer always ends.
type scanner struct {
	src  string
	pos  int
	line int
	toks []token
	err  *lexError
}

// newScanner returns a scanner at the start of src. The token slice is
// sized for one token per eight bytes, about the density of source code,
// so that most files tokenize without growing it.
func newScanner(src string) *scanner {
	return &scanner{src: src, line: 1, toks: make([]token, 0, len(src)/8+16)}
}

func (s *scanner) done() bool { return s.pos >= len(s.src) }

func (s *scanner) peek(off int) byte {
	if s.pos+off < len(s.src) {
		return s.src[s.pos+off]
	}
	return 0
}

func (s *scanner) hasPrefix(p string) bool {
	return strings.HasPrefix(s.src[s.pos:], p)
}

// advance moves pos to end, counting the newlines passed.
func (s *scanner) advance(end int) {
	end = min(end, len(s.src))
	s.line += strings.Count(s.src[s.pos:end], "\n")
	s.pos = end
}

// fail records the first unterminated construct, opened at line, and
// moves to the end of the source.
func (s *scanner) fail(line int, construct string) {
	if s.err == nil {
		s.err = &lexError{line: line, construct: construct}
	}
	s.advance(len(s.src))
}

func (s *scanner) emit(kind tokenKind, text string, line, start, end int) {
	s.toks = append(s.toks, token{kind: kind, text: text, line: line, start: start, end: end})
}

// space skips one whitespace byte and reports whether it did.
func (s *scanner) space() bool {
	switch s.src[s.pos] {
	case ' ', '\t', '\r', '\n', '\f', '\v':
		s.advance(s.pos + 1)
		return true
	}
	return false
}

// lineComment skips to the end of the line, leaving the newline.
func (s *scanner) lineComment() {
	end := strings.IndexByte(s.src[s.pos:], '\n')
	if end < 0 {
		s.advance(len(s.src))
		return
	}
	s.advance(s.pos + end)
}

// blockComment skips a comment from open to close. With nested set, as in
// Kotlin and Swift, inner open markers need their own close.
func (s *scanner) blockComment(open, close string, nested bool) {
	line := s.line
	depth := 1
	i := s.pos + len(open)
	for i < len(s.src) {
		switch {
		case nested && strings.HasPrefix(s.src[i:], open):
			depth++
			i += len(open)
		case strings.HasPrefix(s.src[i:], close):
			depth--
			i += len(close)
			if depth == 0 {
				s.advance(i)
				return
			}
		default:
			i++
		}
	}
	s.fail(line, "block comment")
}

// quoted scans a string from the opening delimiter at pos to quote.
// A backslash escapes the next byte when escapes is set. When multiline is
// false a newline ends the string, as in Java, C# and JavaScript, where an
// unterminated string is a compile error on that line alone.
func (s *scanner) quoted(skip int, quote string, escapes, multiline bool) {
	line, start := s.line, s.pos
	i := s.pos + skip
	for i < len(s.src) {
		c := s.src[i]
		switch {
		case escapes && c == '\\':
			i += 2
			continue
		case strings.HasPrefix(s.src[i:], quote):
			s.emit(tokString, s.src[start+skip:i], line, start, i+len(quote))
			s.advance(i + len(quote))
			return
		case c == '\n' && !multiline:
			s.emit(tokString, s.src[start+skip:i], line, start, i)
			s.advance(i)
			return
		}
		i++
	}
	if !multiline {
		s.emit(tokString, s.src[start+skip:], line, start, len(s.src))
		s.advance(len(s.src))
		return
	}
	s.fail(line, fmt.Sprintf("string opened with %s", s.src[start:start+skip]))
}

func isIdentStart(c byte) bool {
	return c == '_' || c == '$' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c >= 0x80
}

func isIdentByte(c byte) bool {
	return isIdentStart(c) || '0' <= c && c <= '9'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// ident scans an identifier. Bytes of 0x80 and above count as identifier
// bytes, so that a non-ASCII name stays one token.
func (s *scanner) ident() {
	start := s.pos
	i := s.pos + 1
	for i < len(s.src) && isIdentByte(s.src[i]) && s.src[i] != '$' {
		i++
	}
	s.emit(tokIdent, s.src[start:i], s.line, start, i)
	s.advance(i)
}

// number scans a numeric literal with its suffixes, such as 0x0301,
// 3072L or 1_000.
func (s *scanner) number() {
	start := s.pos
	i := s.pos + 1
	for i < len(s.src) && (isIdentByte(s.src[i]) || s.src[i] == '.') && s.src[i] != '$' {
		i++
	}
	s.emit(tokNumber, s.src[start:i], s.line, start, i)
	s.advance(i)
}

// operators are the multi-byte punctuators the rules match, longest first.
var operators = []string{"===", "!==", "<<=", ">>=", "::", "=>", "->", "==", "!=", "|=", "&=", "^=", "<=", ">=", "&&", "||", "??", "?.", "<<", ">>", "+=", "-="}

// punct scans one punctuator.
func (s *scanner) punct() {
	start := s.pos
	end := s.pos + 1
	for _, op := range operators {
		if s.hasPrefix(op) {
			end = s.pos + len(op)
			break
		}
	}
	s.emit(tokPunct, s.src[start:end], s.line, start, end)
	s.advance(end)
}

// regexAllowed reports whether a slash at this point starts a regular
// expression literal rather than a division, as JavaScript and Ruby decide
// it: a division follows an operand.
func (s *scanner) regexAllowed(keywords map[string]bool) bool {
	if len(s.toks) == 0 {
		return true
	}
	last := s.toks[len(s.toks)-1]
	switch last.kind {
	case tokIdent:
		return keywords[last.text]
	case tokString, tokNumber:
		return false
	}
	return last.text != ")" && last.text != "]" && last.text != "}"
}

// regex scans a regular expression literal from its slash, with its
// flags. A newline ends it, as in JavaScript.
func (s *scanner) regex() {
	start := s.pos
	inClass := false
	for i := s.pos + 1; i < len(s.src); i++ {
		switch c := s.src[i]; {
		case c == '\\':
			i++
		case c == '[':
			inClass = true
		case c == ']':
			inClass = false
		case c == '/' && !inClass:
			i++
			for i < len(s.src) && isIdentByte(s.src[i]) {
				i++
			}
			s.emit(tokString, s.src[start:i], s.line, start, i)
			s.advance(i)
			return
		case c == '\n':
			s.emit(tokString, s.src[start:i], s.line, start, i)
			s.advance(i)
			return
		}
	}
	s.emit(tokString, s.src[start:], s.line, start, len(s.src))
	s.advance(len(s.src))
}
