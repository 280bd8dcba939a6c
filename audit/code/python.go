package code

import (
	"fmt"
	"strings"
)

// lexPython tokenizes Python source: # comments, ” and "" strings,
// triple-quoted strings, and the prefixes r, b, u and f in any case and
// order. The holes of an f-string may hold strings of their own, as
// Python 3.12 allows.
func lexPython(src string) ([]token, *lexError) {
	s := newScanner(src)
	for !s.done() {
		c := s.peek(0)
		switch {
		case s.space():
		case c == '#':
			s.lineComment()
		case c == '\'' || c == '"':
			pythonString(s, 0, false)
		case isIdentStart(c):
			if n, f := pythonPrefix(s); n > 0 {
				pythonString(s, n, f)
				break
			}
			s.ident()
		case isDigit(c):
			s.number()
		case c == '\\':
			s.advance(s.pos + 1) // a line continuation
		default:
			s.punct()
		}
	}
	return s.toks, s.err
}

// pythonPrefix returns the length of a string prefix at pos followed by
// a quote, and whether it makes an f-string.
func pythonPrefix(s *scanner) (int, bool) {
	n := 0
	f := false
	for n < 3 && strings.IndexByte("rRbBuUfF", s.peek(n)) >= 0 {
		if s.peek(n) == 'f' || s.peek(n) == 'F' {
			f = true
		}
		n++
	}
	if n == 0 || (s.peek(n) != '\'' && s.peek(n) != '"') {
		return 0, false
	}
	return n, f
}

// pythonString scans a string whose quote follows a prefix of skip bytes.
func pythonString(s *scanner, skip int, fString bool) {
	line, start := s.line, s.pos
	q := s.src[s.pos+skip]
	quote := string(q)
	if s.pos+skip+2 < len(s.src) && s.src[s.pos+skip+1] == q && s.src[s.pos+skip+2] == q {
		quote = strings.Repeat(quote, 3)
	}
	body := s.pos + skip + len(quote)
	for i := body; i < len(s.src); {
		switch c := s.src[i]; {
		case c == '\\':
			i += 2
		case strings.HasPrefix(s.src[i:], quote):
			s.emit(tokString, s.src[body:i], line, start, i+len(quote))
			s.advance(i + len(quote))
			return
		case c == '\n' && len(quote) == 1:
			s.emit(tokString, s.src[body:i], line, start, i)
			s.advance(i)
			return
		case fString && c == '{' && strings.HasPrefix(s.src[i:], "{{"):
			i += 2
		case fString && c == '{':
			end := skipHole(s.src, i+1)
			if end < 0 {
				s.fail(line, "f-string")
				return
			}
			i = end
		default:
			i++
		}
	}
	if len(quote) == 1 {
		s.emit(tokString, s.src[body:], line, start, len(s.src))
		s.advance(len(s.src))
		return
	}
	s.fail(line, "triple-quoted string")
}

// pythonProtocols are the ssl.PROTOCOL_ constants that pin one version.
// PROTOCOL_TLS, PROTOCOL_SSLv23, PROTOCOL_TLS_CLIENT and
// PROTOCOL_TLS_SERVER negotiate the highest version both sides allow.
var pythonProtocols = map[string]int{"PROTOCOL_SSLv3": ssl30, "PROTOCOL_TLSv1": tls10, "PROTOCOL_TLSv1_1": tls11, "PROTOCOL_TLSv1_2": tls12}

// pythonTLSVersions are the ssl.TLSVersion members by name.
var pythonTLSVersions = map[string]int{"SSLv3": ssl30, "TLSv1": tls10, "TLSv1_1": tls11, "TLSv1_2": tls12, "TLSv1_3": tls13, "MINIMUM_SUPPORTED": tls10, "MAXIMUM_SUPPORTED": tls13}

var pythonVersionWords = [...]string{"SSLv3", "TLSv1", "TLSv1_1", "TLSv1_2", "TLSv1_3"}

// pythonDefaults describes the range of ssl.create_default_context and
// PROTOCOL_TLS_CLIENT contexts since Python 3.10.
const pythonDefaults = "default of Python 3.10 and later: TLS 1.2 to TLS 1.3 (minimum_version and maximum_version unset)"

// scanPython returns the TLS pins of Python source: PROTOCOL_ constants
// that fix one version, ssl_version= arguments (requests adapters,
// urllib3, ssl.wrap_socket), and minimum_version and maximum_version
// assignments, grouped by receiver.
func scanPython(path, src string) ([]finding, error) {
	toks, lexErr := lexPython(src)
	if lexErr != nil {
		return nil, unterminated(path, lexErr)
	}
	var g groups
	statementStart := 0
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if i > 0 && t.line != toks[i-1].line && !pythonOpenBracket(toks[:i]) {
			statementStart = i
		}
		if t.kind != tokIdent || at(toks, statementStart, "import") || at(toks, statementStart, "from") {
			continue
		}
		switch {
		case pythonProtocols[t.text] > 0 || t.text == "PROTOCOL_SSLv3":
			if at(toks, i-1, ".") && !at(toks, i-2, "ssl") || at(toks, i+1, "=") {
				continue // another object's attribute, or an assignment to a local name
			}
			p := g.get(fmt.Sprintf("protocol %d", i), t.line)
			text := t.text
			if at(toks, i-2, "ssl", ".") {
				text = "ssl." + text
			}
			if at(toks, i-4, "ssl_version", "=", "ssl", ".") || at(toks, i-2, "ssl_version", "=") {
				text = "ssl_version=" + text
			}
			side := pythonCallSide(toks, i)
			p.side = side
			p.exact = &pin{versions: only(pythonProtocols[t.text]), line: t.line, text: text}
			prefix := ""
			if !at(toks, i-1, ".") {
				prefix = "ssl." // the name came from "from ssl import"
			}
			p.exact.fix = replaceWith(toks, i, i, func(lo, hi int) string {
				if side == "server" {
					return prefix + "PROTOCOL_TLS_SERVER"
				}
				return prefix + "PROTOCOL_TLS_CLIENT"
			})
			p.languageFix = "use ssl.create_default_context(), or set ctx.minimum_version = ssl.TLSVersion.TLSv1_2"
		case t.text == "ssl_version" && at(toks, i+1, "=") && i+2 < len(toks) && toks[i+2].kind == tokString:
			value := toks[i+2]
			n, ok := pythonProtocols["PROTOCOL_"+strings.TrimPrefix(value.text, "PROTOCOL_")]
			if !ok && value.text != "PROTOCOL_SSLv3" && value.text != "SSLv3" {
				continue
			}
			quote := quoteOf(src, value)
			p := g.get(fmt.Sprintf("protocol %d", i), t.line)
			p.side = pythonCallSide(toks, i)
			p.exact = &pin{versions: only(n), line: t.line, text: fmt.Sprintf("ssl_version=%s%s%s", quote, value.text, quote)}
			p.exact.fix = replaceWith(toks, i+2, i+2, func(lo, hi int) string { return quote + "PROTOCOL_TLS_CLIENT" + quote })
			p.languageFix = "remove ssl_version so that the library's default context applies"
		case (t.text == "minimum_version" || t.text == "maximum_version") && at(toks, i+1, "="):
			end, n, ok := pythonTLSVersion(toks, i+2)
			if !ok {
				continue
			}
			owner := "keyword"
			if at(toks, i-1, ".") {
				owner = receiver(toks, i)
			}
			p := g.get("receiver "+owner, t.line)
			low := t.text == "minimum_version"
			text := fmt.Sprintf("%s.%s = TLSVersion.%s", owner, t.text, toks[end].text)
			q := &pin{version: n, line: t.line, text: text}
			q.fix = replaceWith(toks, end, end, func(lo, hi int) string {
				if low {
					return pythonVersionWords[lo]
				}
				return pythonVersionWords[hi]
			})
			if low {
				p.min = q
			} else {
				p.max = q
			}
			p.languageFix = "set minimum_version = ssl.TLSVersion.TLSv1_2 and leave maximum_version unset"
		}
	}
	return g.findings(tls12, tls13, pythonDefaults), nil
}

// pythonTLSVersion evaluates [ssl.]TLSVersion.MEMBER at toks[i] and
// returns the index of the member.
func pythonTLSVersion(toks []token, i int) (int, int, bool) {
	if at(toks, i, "ssl", ".") {
		i += 2
	}
	if !at(toks, i, "TLSVersion", ".") || i+2 >= len(toks) {
		return 0, 0, false
	}
	n, ok := pythonTLSVersions[toks[i+2].text]
	return i + 2, n, ok
}

// pythonOpenBracket reports whether toks leave a bracket open, so that
// the next line continues the statement.
func pythonOpenBracket(toks []token) bool {
	depth := 0
	for i := len(toks) - 1; i >= 0 && i >= len(toks)-200; i-- {
		switch {
		case toks[i].kind != tokPunct:
		case toks[i].text == ")" || toks[i].text == "]" || toks[i].text == "}":
			depth++
		case toks[i].text == "(" || toks[i].text == "[" || toks[i].text == "{":
			if depth == 0 {
				return true
			}
			depth--
		}
	}
	return false
}

// pythonCallSide returns "server" when the call around toks[i] passes
// server_side=True, and "" otherwise.
func pythonCallSide(toks []token, i int) string {
	for j := i - 1; j >= 0 && j >= i-40; j-- {
		if toks[j].is(tokPunct, "(") {
			args, _ := arguments(toks, j)
			for _, a := range args {
				if at(toks, a[0], "server_side", "=", "True") {
					return "server"
				}
			}
			return ""
		}
	}
	return ""
}
