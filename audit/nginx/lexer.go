package nginx

import (
	"fmt"
	"strings"
)

// token is one word of the configuration, or one of the punctuation
// tokens ";", "{" and "}" (with quoted false).
type token struct {
	text   string
	line   int
	quoted bool
}

// lexer splits a configuration file into tokens the way nginx's
// ngx_conf_read_token does. Words end at white space, ";", "{" or "}". A
// "#" at the start of a word opens a comment to the end of the line. Single
// or double quotes group a word that may contain those characters, and the
// closing quote must be followed by white space, ";", "{" or ")". In
// "${...}", a variable, the braces do not open a block.
type lexer struct {
	file string
	data []byte
	pos  int
	line int
}

func (l *lexer) errorf(line int, format string, args ...any) error {
	return &ParseError{File: l.file, Line: line, Reason: fmt.Sprintf(format, args...)}
}

// next returns the next token, or ok false at the end of the input.
func (l *lexer) next() (tok token, ok bool, err error) {
	// Skip white space and comments.
	for l.pos < len(l.data) {
		c := l.data[l.pos]
		switch {
		case c == '\n':
			l.line++
			l.pos++
		case c == ' ' || c == '\t' || c == '\r':
			l.pos++
		case c == '#':
			for l.pos < len(l.data) && l.data[l.pos] != '\n' {
				l.pos++
			}
		default:
			goto word
		}
	}
	return token{}, false, nil

word:
	start := l.line
	c := l.data[l.pos]
	if c == ';' || c == '{' || c == '}' {
		l.pos++
		return token{text: string(c), line: start}, true, nil
	}
	if c == '"' || c == '\'' {
		return l.quoted(c)
	}

	var b strings.Builder
	for l.pos < len(l.data) {
		c := l.data[l.pos]
		switch c {
		case ' ', '\t', '\r', '\n', ';', '{', '}':
			return token{text: b.String(), line: start}, true, nil
		case '\\':
			if l.pos+1 >= len(l.data) {
				return token{}, false, l.errorf(l.line, "unexpected end of file after a backslash")
			}
			if l.data[l.pos+1] == '\n' {
				l.line++
			}
			b.WriteString(unescape(l.data[l.pos+1]))
			l.pos += 2
		case '$':
			b.WriteByte(c)
			l.pos++
			if l.pos < len(l.data) && l.data[l.pos] == '{' {
				end := l.pos
				for end < len(l.data) && l.data[end] != '}' && l.data[end] != '\n' {
					end++
				}
				if end >= len(l.data) || l.data[end] != '}' {
					return token{}, false, l.errorf(l.line, "unclosed variable \"${\": add the closing \"}\"")
				}
				b.Write(l.data[l.pos : end+1])
				l.pos = end + 1
			}
		default:
			b.WriteByte(c)
			l.pos++
		}
	}
	return token{text: b.String(), line: start}, true, nil
}

// quoted reads a word in quotes q, starting at the opening quote.
func (l *lexer) quoted(q byte) (token, bool, error) {
	start := l.line
	l.pos++
	var b strings.Builder
	for {
		if l.pos >= len(l.data) {
			return token{}, false, l.errorf(start, "unbalanced %c quote: the word that starts here is never closed; add the closing %c", q, q)
		}
		c := l.data[l.pos]
		if c == '\n' {
			l.line++
		}
		if c == '\\' && l.pos+1 < len(l.data) {
			next := l.data[l.pos+1]
			if next == '\n' {
				l.line++
			}
			b.WriteString(unescape(next))
			l.pos += 2
			continue
		}
		l.pos++
		if c == q {
			break
		}
		b.WriteByte(c)
	}
	if l.pos < len(l.data) {
		switch c := l.data[l.pos]; c {
		case ' ', '\t', '\r', '\n', ';', '{', ')':
		default:
			return token{}, false, l.errorf(l.line, "unexpected %q after a quoted word: put a space, \";\" or \"{\" after the closing quote", string(c))
		}
	}
	return token{text: b.String(), line: start, quoted: true}, true, nil
}

// unescape returns what nginx stores for a backslash followed by c: the
// escapes \" \' \\ \t \r \n lose their backslash, any other keeps it.
func unescape(c byte) string {
	switch c {
	case '"', '\'', '\\':
		return string(c)
	case 't':
		return "\t"
	case 'r':
		return "\r"
	case 'n':
		return "\n"
	}
	return "\\" + string(c)
}

// parseBytes parses one file's bytes into directives, without expanding
// includes. depth is the nesting of the include that read the file.
func parseBytes(file string, data []byte, depth int) ([]*Directive, error) {
	l := &lexer{file: file, data: data, line: 1}
	type frame struct {
		dirs   *[]*Directive
		opener *Directive
	}
	var top []*Directive
	stack := []frame{{dirs: &top}}
	var cur *Directive

	for {
		tok, ok, err := l.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		punct := !tok.quoted && len(tok.text) == 1 && strings.ContainsAny(tok.text, ";{}")
		switch {
		case punct && tok.text == ";":
			if cur == nil {
				return nil, l.errorf(tok.line, "unexpected \";\": a directive name is missing")
			}
			dirs := stack[len(stack)-1].dirs
			*dirs = append(*dirs, cur)
			cur = nil
		case punct && tok.text == "{":
			if cur == nil {
				return nil, l.errorf(tok.line, "unexpected \"{\": a block needs a directive name before it")
			}
			if depth+len(stack) > MaxDepth {
				return nil, l.errorf(tok.line, "blocks and includes nested deeper than %d levels: look for a block that is never closed or an include that includes itself", MaxDepth)
			}
			cur.Block = []*Directive{}
			dirs := stack[len(stack)-1].dirs
			*dirs = append(*dirs, cur)
			stack = append(stack, frame{dirs: &cur.Block, opener: cur})
			cur = nil
		case punct && tok.text == "}":
			if cur != nil {
				return nil, l.errorf(tok.line, "unexpected \"}\": directive %q is not terminated by \";\"", cur.Name)
			}
			if len(stack) == 1 {
				return nil, l.errorf(tok.line, "unexpected \"}\": no block is open here")
			}
			stack = stack[:len(stack)-1]
		default:
			if cur == nil {
				cur = &Directive{Name: tok.text, File: file, Line: tok.line}
			} else {
				cur.Args = append(cur.Args, tok.text)
			}
		}
	}
	if cur != nil {
		return nil, l.errorf(l.line, "unexpected end of file, expecting \";\" or \"}\" after directive %q of line %d", cur.Name, cur.Line)
	}
	if len(stack) > 1 {
		open := stack[len(stack)-1].opener
		return nil, l.errorf(l.line, "unexpected end of file, expecting \"}\" to close the %q block of line %d", open.Name, open.Line)
	}
	return top, nil
}
