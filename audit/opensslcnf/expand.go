package opensslcnf

import (
	"fmt"
	"strings"
)

// expand applies config(5)'s value rules to raw: single and double quotes,
// backslash escapes (\n, \r, \b and \t name control characters, any other
// escaped character stands for itself) and variables ($name, ${name},
// $(name), $section::name and their braced forms). A variable is looked up
// in section, then in the default section; the section ENV reads the
// environment. An undefined variable, an unterminated quote or brace and a
// value longer than 64 KiB are errors.
func (p *parser) expand(raw, section string, line int) (string, error) {
	var b strings.Builder
	for i := 0; i < len(raw); {
		c := raw[i]
		switch {
		case c == '"' || c == '\'':
			end, text, ok := quoted(raw, i)
			if !ok {
				return "", fmt.Errorf("unterminated %s quote in %q: close the quote on the same line (OpenSSL would take the rest of the line, comments included, as the value)", quoteName(c), cut(raw))
			}
			b.WriteString(text)
			i = end
		case c == '\\':
			if i+1 >= len(raw) {
				i++
				continue
			}
			b.WriteByte(unescape(raw[i+1]))
			i += 2
		case c == '$':
			end, value, err := p.variable(raw, i, section)
			if err != nil {
				return "", err
			}
			b.WriteString(value)
			i = end
		default:
			b.WriteByte(c)
			i++
		}
		if b.Len() > maxValueBytes {
			return "", fmt.Errorf("value longer than %d bytes after expansion, which OpenSSL rejects; check for a variable that expands itself", maxValueBytes)
		}
	}
	return b.String(), nil
}

func quoteName(c byte) string {
	if c == '"' {
		return "double"
	}
	return "single"
}

// quoted reads the quoted text that starts at raw[start]. Inside double
// quotes a backslash takes the next character as it is; inside single
// quotes two quotes stand for one. It returns the offset after the closing
// quote.
func quoted(raw string, start int) (int, string, bool) {
	q := raw[start]
	var b strings.Builder
	for i := start + 1; i < len(raw); i++ {
		c := raw[i]
		switch {
		case q == '"' && c == '\\' && i+1 < len(raw):
			i++
			b.WriteByte(raw[i])
		case c == q && q == '\'' && i+1 < len(raw) && raw[i+1] == q:
			i++
			b.WriteByte(q)
		case c == q:
			return i + 1, b.String(), true
		default:
			b.WriteByte(c)
		}
	}
	return len(raw), "", false
}

func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 'b':
		return '\b'
	case 't':
		return '\t'
	}
	return c
}

func isVarByte(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// variable expands the reference that starts with the '$' at raw[start]
// and returns the offset after it.
func (p *parser) variable(raw string, start int, section string) (int, string, error) {
	i := start + 1
	var closing byte
	if i < len(raw) && (raw[i] == '{' || raw[i] == '(') {
		closing = '}'
		if raw[i] == '(' {
			closing = ')'
		}
		i++
	} else if p.dollarID {
		// With .pragma dollarid:on, "$" outside braces is an ordinary
		// character.
		return start + 1, "$", nil
	}
	nameStart := i
	for i < len(raw) && isVarByte(raw[i]) {
		i++
	}
	name := raw[nameStart:i]
	lookup := section
	if strings.HasPrefix(raw[i:], "::") {
		lookup = name
		i += 2
		nameStart = i
		for i < len(raw) && isVarByte(raw[i]) {
			i++
		}
		name = raw[nameStart:i]
	}
	if closing != 0 {
		if i >= len(raw) || raw[i] != closing {
			return 0, "", fmt.Errorf("missing %q to close the variable in %q", closing, cut(raw[start:]))
		}
		i++
	}
	if name == "" {
		return 0, "", fmt.Errorf("a '$' without a variable name in %q: write \\$ for a literal dollar sign", cut(raw))
	}
	if lookup == "ENV" {
		if v, ok := p.cfg.sections["ENV"]; ok {
			if got, ok := v.Get(name); ok {
				return i, got.Value, nil
			}
		}
		if v, ok := p.opts.Env[name]; ok {
			return i, v, nil
		}
		return 0, "", fmt.Errorf("environment variable %s is not set, so $ENV::%s has no value: set it or define %s in the default section", name, name, name)
	}
	if v, ok := p.cfg.Lookup(lookup, name); ok {
		return i, v.Value, nil
	}
	ref := name
	if lookup != section {
		ref = lookup + "::" + name
	}
	return 0, "", fmt.Errorf("variable %s has no value: OpenSSL requires it to be defined above this line, in section [%s] or the default section", ref, lookup)
}
