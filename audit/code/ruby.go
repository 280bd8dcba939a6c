package code

import (
	"fmt"
	"strings"
)

// rubyRegexKeywords are the keywords after which a slash starts a regular
// expression.
var rubyRegexKeywords = map[string]bool{"if": true, "unless": true, "when": true, "and": true, "or": true, "not": true, "return": true, "while": true, "until": true, "puts": true, "then": true, "else": true, "elsif": true, "in": true}

// rubyPairs are the closing delimiters of bracketed % literals.
var rubyPairs = map[byte]byte{'(': ')', '[': ']', '{': '}', '<': '>'}

// rubyHeredoc is a heredoc whose body starts after the current line.
type rubyHeredoc struct {
	id       string
	indented bool
	line     int
	index    int
}

// lexRuby tokenizes Ruby source: # comments, =begin/=end blocks, ” and
// "" strings (with #{} holes), backtick commands, % literals (%q, %Q,
// %w, %W, %i, %I, %r, %x, %s and bare %) with any delimiter, heredocs
// (<<ID, <<-ID, <<~ID, quoted or not), symbols such as :TLSv1 (as
// identifier tokens with the colon), regular expressions, and __END__.
func lexRuby(src string) ([]token, *lexError) {
	s := newScanner(src)
	var pending []rubyHeredoc
	lineStart := true
	for !s.done() {
		c := s.peek(0)
		if lineStart && s.hasPrefix("=begin") {
			line := s.line
			end := strings.Index(s.src[s.pos:], "\n=end")
			if end < 0 {
				s.fail(line, "=begin comment")
				break
			}
			s.advance(s.pos + end + 5)
			s.lineComment()
			continue
		}
		if lineStart && (s.hasPrefix("__END__\n") || s.src[s.pos:] == "__END__") {
			break
		}
		lineStart = false
		switch {
		case c == '\n':
			s.advance(s.pos + 1)
			lineStart = true
			if len(pending) > 0 {
				rubyHeredocBodies(s, pending)
				pending = nil
				lineStart = true
			}
		case s.space():
		case c == '#':
			s.lineComment()
		case c == '\'':
			s.quoted(1, "'", true, true)
		case c == '"' || c == '`':
			rubyInterpolated(s, 1, c)
		case c == '%' && rubyPercent(s):
		case s.hasPrefix("<<") && rubyHeredocStart(s, &pending):
		case c == ':' && s.peek(1) == '"':
			s.advance(s.pos + 1)
			rubyInterpolated(s, 1, '"')
		case c == ':' && isIdentStart(s.peek(1)) && rubySymbolAllowed(s):
			start, line := s.pos, s.line
			i := s.pos + 1
			for i < len(s.src) && isIdentByte(s.src[i]) && s.src[i] != '$' {
				i++
			}
			if i < len(s.src) && (s.src[i] == '?' || s.src[i] == '!' || s.src[i] == '=') {
				i++
			}
			s.emit(tokIdent, s.src[start:i], line, start, i)
			s.advance(i)
		case c == '/' && s.regexAllowed(rubyRegexKeywords):
			s.regex()
		case isIdentStart(c) || c == '@':
			s.ident()
		case isDigit(c):
			s.number()
		default:
			s.punct()
		}
	}
	return s.toks, s.err
}

// rubySymbolAllowed reports whether a colon at pos starts a symbol rather
// than ending a hash label or standing in a ternary expression.
func rubySymbolAllowed(s *scanner) bool {
	if s.pos == 0 {
		return true
	}
	switch s.src[s.pos-1] {
	case ' ', '\t', '\n', '(', ',', '[', '{', '=', '>', '|':
		return true
	}
	return false
}

// rubyInterpolated scans a string with #{} holes, closed by q.
func rubyInterpolated(s *scanner, skip int, q byte) {
	line, start := s.line, s.pos
	for i := s.pos + skip; i < len(s.src); {
		switch {
		case s.src[i] == '\\':
			i += 2
		case s.src[i] == q:
			s.emit(tokString, s.src[start+skip:i], line, start, i+1)
			s.advance(i + 1)
			return
		case strings.HasPrefix(s.src[i:], "#{"):
			end := skipHole(s.src, i+2)
			if end < 0 {
				s.fail(line, "string interpolation")
				return
			}
			i = end
		default:
			i++
		}
	}
	s.fail(line, fmt.Sprintf("string opened with %c", q))
}

// rubyPercent scans a % literal and reports whether there was one: a %
// with an optional type letter and a delimiter that is not alphanumeric
// or space. Bracket delimiters nest.
func rubyPercent(s *scanner) bool {
	i := s.pos + 1
	if i < len(s.src) && strings.IndexByte("qQwWiIrxs", s.src[i]) >= 0 {
		i++
	} else if !s.regexAllowed(rubyRegexKeywords) {
		return false // a modulo operator
	}
	if i >= len(s.src) {
		return false
	}
	open := s.src[i]
	if isIdentByte(open) || open == ' ' || open == '\n' || open == '\t' || open == '=' && i == s.pos+1 {
		return false
	}
	close, paired := rubyPairs[open]
	if !paired {
		close = open
	}

	line, start := s.line, s.pos
	depth := 1
	for j := i + 1; j < len(s.src); j++ {
		switch c := s.src[j]; {
		case c == '\\':
			j++
		case paired && c == open:
			depth++
		case c == close:
			depth--
			if depth == 0 {
				s.emit(tokString, s.src[i+1:j], line, start, j+1)
				s.advance(j + 1)
				return true
			}
		}
	}
	s.fail(line, "% literal")
	return true
}

// rubyHeredocStart records a heredoc opened at pos and reports whether
// there was one. The opener becomes a string token; the body is skipped
// at the end of the line.
func rubyHeredocStart(s *scanner, pending *[]rubyHeredoc) bool {
	i := s.pos + 2
	indented := false
	if i < len(s.src) && (s.src[i] == '~' || s.src[i] == '-') {
		indented = true
		i++
	}
	quote := byte(0)
	if i < len(s.src) && (s.src[i] == '\'' || s.src[i] == '"' || s.src[i] == '`') {
		quote = s.src[i]
		i++
	}
	idStart := i
	for i < len(s.src) && isIdentByte(s.src[i]) && s.src[i] != '$' {
		i++
	}
	id := s.src[idStart:i]
	if id == "" || quote == 0 && !(id[0] >= 'A' && id[0] <= 'Z' || id[0] == '_') {
		return false
	}
	if quote != 0 {
		if i >= len(s.src) || s.src[i] != quote {
			return false
		}
		i++
	}
	*pending = append(*pending, rubyHeredoc{id: id, indented: indented, line: s.line, index: len(s.toks)})
	s.emit(tokString, "", s.line, s.pos, i)
	s.advance(i)
	return true
}

// rubyHeredocBodies skips the bodies of the pending heredocs, in order,
// from the start of the line at pos, and stores each body in its token.
func rubyHeredocBodies(s *scanner, pending []rubyHeredoc) {
	for _, h := range pending {
		body := s.pos
		for {
			if s.done() {
				s.fail(h.line, "heredoc <<"+h.id)
				return
			}
			end := strings.IndexByte(s.src[s.pos:], '\n')
			lineEnd := len(s.src)
			if end >= 0 {
				lineEnd = s.pos + end
			}
			text := strings.TrimRight(s.src[s.pos:lineEnd], "\r")
			if h.indented {
				text = strings.TrimLeft(text, " \t")
			}
			if text == h.id {
				s.toks[h.index].text = s.src[body:s.pos]
				s.advance(min(lineEnd+1, len(s.src)))
				break
			}
			s.advance(min(lineEnd+1, len(s.src)))
		}
	}
}

// rubyVersionSymbols are the ssl_version values that pin one version, as
// symbols or strings; SSLv23 and TLS negotiate.
var rubyVersionSymbols = map[string]int{"SSLv3": ssl30, "TLSv1": tls10, "TLSv1_1": tls11, "TLSv1_2": tls12}

// rubyMinMax are the min_version and max_version values: OpenSSL::SSL
// constants and the symbols Ruby's openssl accepts.
var rubyMinMax = map[string]int{
	"SSL3_VERSION": ssl30, "TLS1_VERSION": tls10, "TLS1_1_VERSION": tls11, "TLS1_2_VERSION": tls12, "TLS1_3_VERSION": tls13,
	":SSL3": ssl30, ":TLS1": tls10, ":TLS1_1": tls11, ":TLS1_2": tls12, ":TLS1_3": tls13,
}

var rubyConstWords = [...]string{"SSL3_VERSION", "TLS1_VERSION", "TLS1_1_VERSION", "TLS1_2_VERSION", "TLS1_3_VERSION"}

// rubyDefaults describes the range of Ruby's openssl without a pin: the
// OpenSSL library decides. OpenSSL 3.0 at security level 1 or higher
// refuses the SHA-1 and MD5 signatures that TLS 1.0 and 1.1 need, so the
// range starts at TLS 1.2.
const rubyDefaults = "default of Ruby's openssl: the OpenSSL library's range, TLS 1.2 to TLS 1.3 with OpenSSL 3 at security level 1 or higher"

// scanRuby returns the TLS pins of Ruby source: ssl_version (= or a hash
// label) and min_version and max_version, grouped by receiver or by the
// hash they stand in.
func scanRuby(path, src string) ([]finding, error) {
	toks, lexErr := lexRuby(src)
	if lexErr != nil {
		return nil, unterminated(path, lexErr)
	}
	var g groups
	var brackets []int
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind == tokPunct {
			switch t.text {
			case "(", "[", "{":
				brackets = append(brackets, i)
			case ")", "]", "}":
				if len(brackets) > 0 {
					brackets = brackets[:len(brackets)-1]
				}
			}
			continue
		}
		if t.kind != tokIdent || (t.text != "ssl_version" && t.text != "min_version" && t.text != "max_version") || i+2 >= len(toks) {
			continue
		}
		var key string
		switch {
		case at(toks, i+1, "=") && at(toks, i-1, "."):
			key = "receiver " + receiver(toks, i)
		case (at(toks, i+1, ":") || at(toks, i+1, "=>")) && len(brackets) > 0:
			key = fmt.Sprintf("hash %d", brackets[len(brackets)-1])
		case at(toks, i+1, ":") || at(toks, i+1, "=>"):
			key = "hash at top level"
		default:
			continue
		}
		valueAt := i + 2
		if toks[i+1].kind == tokString {
			continue
		}
		label := toks[i+1].text == ":" || toks[i+1].text == "=>"
		side := rubySide(toks, i)
		if t.text == "ssl_version" {
			value := toks[valueAt]
			name := strings.TrimPrefix(value.text, ":")
			if value.kind == tokIdent && !strings.HasPrefix(value.text, ":") {
				continue
			}
			for _, suffix := range []string{"_client", "_server"} {
				if base, cut := strings.CutSuffix(name, suffix); cut {
					name = base
					side = suffix[1:]
				}
			}
			n, ok := rubyVersionSymbols[name]
			if !ok {
				continue
			}
			p := g.get(key, t.line)
			if side != "" {
				p.side = side
			}
			p.exact = &pin{versions: only(n), line: t.line, text: rubyAssignment(toks, i) + rubyValueText(src, value)}
			p.exact.fix = replaceWith(toks, i, valueAt, func(lo, hi int) string {
				if label {
					return "min_version: OpenSSL::SSL::" + rubyConstWords[lo]
				}
				return "min_version = OpenSSL::SSL::" + rubyConstWords[lo]
			})
			p.languageFix = "replace ssl_version with min_version = OpenSSL::SSL::TLS1_2_VERSION"
			continue
		}
		end, n, ok := rubyVersionValue(toks, valueAt)
		if !ok {
			continue
		}
		p := g.get(key, t.line)
		if side != "" {
			p.side = side
		}
		low := t.text == "min_version"
		q := &pin{version: n, line: t.line, text: rubyAssignment(toks, i) + joinRuby(toks, valueAt, end)}
		q.fix = replaceWith(toks, valueAt, end, func(lo, hi int) string {
			if low {
				return "OpenSSL::SSL::" + rubyConstWords[lo]
			}
			return "OpenSSL::SSL::" + rubyConstWords[hi]
		})
		if low {
			p.min = q
		} else {
			p.max = q
		}
		p.languageFix = "set min_version = OpenSSL::SSL::TLS1_2_VERSION and leave max_version unset"
	}
	return g.findings(tls12, tls13, rubyDefaults), nil
}

// rubyVersionValue evaluates [OpenSSL::SSL::]TLS1_x_VERSION or a symbol
// such as :TLS1_2 at toks[i], and returns the index of its last token.
func rubyVersionValue(toks []token, i int) (int, int, bool) {
	if at(toks, i, "OpenSSL", "::", "SSL", "::") {
		i += 4
	}
	if i >= len(toks) || toks[i].kind != tokIdent {
		return 0, 0, false
	}
	n, ok := rubyMinMax[toks[i].text]
	return i, n, ok
}

// rubyAssignment returns the name at toks[i] with its operator as
// written before a value: "ssl_version = ", "ssl_version: " or
// "ssl_version => ".
func rubyAssignment(toks []token, i int) string {
	if toks[i+1].text == ":" {
		return toks[i].text + ": "
	}
	return toks[i].text + " " + toks[i+1].text + " "
}

// rubyValueText returns a value as written: a symbol or a quoted string.
func rubyValueText(src string, t token) string {
	if t.kind == tokString {
		return src[t.start:t.end]
	}
	return t.text
}

// joinRuby returns toks[from..to] joined without spaces, as a constant
// path such as OpenSSL::SSL::TLS1_VERSION is written.
func joinRuby(toks []token, from, to int) string {
	var b strings.Builder
	for i := from; i <= to; i++ {
		b.WriteString(toks[i].text)
	}
	return b.String()
}

// rubySide returns the side that the names near toks[i] show: Net::HTTP
// is a client, and OpenSSL::SSL::SSLServer and WEBrick's SSL options
// are servers.
func rubySide(toks []token, i int) string {
	for j := i - 1; j >= 0 && j >= i-30 && toks[j].line >= toks[i].line-3; j-- {
		switch toks[j].text {
		case "HTTP", "Faraday", "HTTParty", "RestClient":
			return "client"
		case "SSLServer", "WEBrick", "Puma":
			return "server"
		}
	}
	return ""
}
