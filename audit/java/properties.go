package java

import (
	"fmt"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
)

// Property is one key and value of a security properties file, with the
// file and the line where its logical line starts.
type Property struct {
	Key   string
	Value string
	File  string
	Line  int
	// EndLine is the last natural line of a value continued with
	// backslashes over several lines, and 0 for a value on one line.
	EndLine int
}

// Directive returns the property as "key=value", the form a fix replaces.
func (p Property) Directive() string {
	return p.Key + "=" + p.Value
}

// setting returns the Setting of the property. The Directive of a value
// continued over several lines names them all, because a fix must replace
// every one of them.
func (p Property) setting() audit.Setting {
	s := audit.Setting{File: p.File, Line: p.Line, Directive: p.Directive()}
	if p.EndLine > p.Line {
		s.Directive += fmt.Sprintf(" (lines %d-%d, continued with backslashes: the fix replaces all of them)", p.Line, p.EndLine)
	}
	return s
}

// ParseError is a security properties file that java.util.Properties
// would reject or that the JDK fails to load, such as a malformed \uXXXX
// escape or an include loop.
type ParseError struct {
	File    string
	Line    int
	Message string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Message)
}

// ParseProperties parses data, the text of the file at path, as
// java.util.Properties.load does and returns its entries in file order,
// duplicates included (the last one wins when the JDK loads the file).
//
// The syntax: a natural line ends at \n, \r or \r\n. A line that is blank
// or whose first non-blank character is # or ! is a comment. A line that
// ends in an odd number of backslashes continues on the next line, whose
// leading blanks are dropped. The key ends at the first unescaped '=',
// ':' or blank; blanks, then one '=' or ':', then blanks separate it from
// the value. Escapes: \t \n \r \f, \uXXXX, and a backslash before any
// other character stands for that character. A malformed \uXXXX, which
// makes Properties.load throw, returns a *ParseError with the line.
func ParseProperties(path string, data []byte) ([]Property, error) {
	text := string(data)
	var out []Property
	line := 1
	for len(text) > 0 {
		logical, start, end, rest, next := readLogicalLine(text, line)
		text, line = rest, next
		if logical == "" {
			continue
		}
		key, value, err := splitProperty(logical)
		if err != nil {
			return nil, &ParseError{File: path, Line: start, Message: err.Error()}
		}
		prop := Property{Key: key, Value: value, File: path, Line: start}
		if end > start {
			prop.EndLine = end
		}
		out = append(out, prop)
	}
	return out, nil
}

// readLogicalLine reads one logical line from text, whose first natural
// line is number line. It returns the logical line with continuations
// joined and leading blanks dropped ("" for a comment or a blank line).
// It also returns the numbers of its first and last natural lines, the
// rest of the text and the number of the next line.
func readLogicalLine(text string, line int) (logical string, start, end int, rest string, next int) {
	start = line
	var b strings.Builder
	for first := true; ; first = false {
		end = line
		natural, after, ended := cutNaturalLine(text)
		text = after
		if ended {
			line++
		}
		trimmed := strings.TrimLeft(natural, " \t\f")
		if first && (trimmed == "" || trimmed[0] == '#' || trimmed[0] == '!') {
			// A comment line never continues, even when it ends in a
			// backslash.
			return "", start, end, text, line
		}
		if countTrailingBackslashes(trimmed)%2 == 0 {
			b.WriteString(trimmed)
			return b.String(), start, end, text, line
		}
		b.WriteString(trimmed[:len(trimmed)-1])
		if text == "" {
			// A continuation backslash at the end of the file: the JDK
			// drops it and ends the line.
			return b.String(), start, end, text, line
		}
	}
}

// cutNaturalLine splits text after its first natural line and reports
// whether a line terminator ended it.
func cutNaturalLine(text string) (natural, rest string, ended bool) {
	i := strings.IndexAny(text, "\r\n")
	if i < 0 {
		return text, "", false
	}
	if text[i] == '\r' && i+1 < len(text) && text[i+1] == '\n' {
		return text[:i], text[i+2:], true
	}
	return text[:i], text[i+1:], true
}

func countTrailingBackslashes(s string) int {
	n := 0
	for i := len(s) - 1; i >= 0 && s[i] == '\\'; i-- {
		n++
	}
	return n
}

// splitProperty splits a logical line, with leading blanks removed, into
// its unescaped key and value.
func splitProperty(logical string) (string, string, error) {
	end := len(logical)
	valueStart := len(logical)
	hasSeparator := false
	for i := 0; i < len(logical); i++ {
		c := logical[i]
		if c == '\\' {
			i++
			continue
		}
		if c == '=' || c == ':' {
			end, valueStart, hasSeparator = i, i+1, true
			break
		}
		if c == ' ' || c == '\t' || c == '\f' {
			end, valueStart = i, i+1
			break
		}
	}
	for valueStart < len(logical) {
		c := logical[valueStart]
		if c == ' ' || c == '\t' || c == '\f' {
			valueStart++
			continue
		}
		if !hasSeparator && (c == '=' || c == ':') {
			hasSeparator = true
			valueStart++
			continue
		}
		break
	}
	key, err := unescape(logical[:end])
	if err != nil {
		return "", "", err
	}
	value, err := unescape(logical[valueStart:])
	if err != nil {
		return "", "", fmt.Errorf("value of %q: %w", key, err)
	}
	return key, value, nil
}

// unescape resolves the escapes of a key or value.
func unescape(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(s) {
			// unreachable: a trailing odd backslash is a continuation,
			// removed before.
			break
		}
		switch s[i] {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			if i+5 > len(s) {
				return "", fmt.Errorf("malformed \\uXXXX escape %q: four hex digits must follow \\u (java.util.Properties rejects the file, so the JVM does not start); write the character itself or complete the escape", s[i-1:])
			}
			var r rune
			for _, h := range s[i+1 : i+5] {
				d, ok := hexDigit(h)
				if !ok {
					return "", fmt.Errorf("malformed \\uXXXX escape %q: four hex digits must follow \\u (java.util.Properties rejects the file, so the JVM does not start); write the character itself or complete the escape", s[i-1:i+5])
				}
				r = r<<4 | d
			}
			b.WriteRune(r)
			i += 4
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), nil
}

func hexDigit(r rune) (rune, bool) {
	switch {
	case r >= '0' && r <= '9':
		return r - '0', true
	case r >= 'a' && r <= 'f':
		return r - 'a' + 10, true
	case r >= 'A' && r <= 'F':
		return r - 'A' + 10, true
	}
	return 0, false
}
