package code

import (
	"fmt"
	"strings"
)

// jsRegexKeywords are the keywords after which a slash starts a regular
// expression.
var jsRegexKeywords = map[string]bool{"return": true, "typeof": true, "case": true, "do": true, "else": true, "in": true, "of": true, "new": true, "delete": true, "void": true, "throw": true, "instanceof": true, "yield": true, "await": true}

// lexJavaScript tokenizes JavaScript and TypeScript: a #! first line, //
// and /* */ comments, ” and "" strings, template literals with ${}
// holes (nested templates included) and regular expression literals.
func lexJavaScript(src string) ([]token, *lexError) {
	s := newScanner(src)
	if s.hasPrefix("#!") {
		s.lineComment()
	}
	for !s.done() {
		c := s.peek(0)
		switch {
		case s.space():
		case s.hasPrefix("//"):
			s.lineComment()
		case s.hasPrefix("/*"):
			s.blockComment("/*", "*/", false)
		case c == '\'' || c == '"':
			s.quoted(1, string(c), true, false)
		case c == '`':
			line, start := s.line, s.pos
			end := skipTemplate(s.src, s.pos+1)
			if end < 0 {
				s.fail(line, "template literal")
				break
			}
			s.emit(tokString, s.src[start+1:end-1], line, start, end)
			s.advance(end)
		case c == '/' && s.regexAllowed(jsRegexKeywords):
			s.regex()
		case isIdentStart(c):
			s.ident()
		case isDigit(c):
			s.number()
		default:
			s.punct()
		}
	}
	return s.toks, s.err
}

// nodeVersions maps the minVersion and maxVersion values to versions.
var nodeVersions = map[string]int{"TLSv1": tls10, "TLSv1.1": tls11, "TLSv1.2": tls12, "TLSv1.3": tls13}

var nodeVersionWords = [...]string{"SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}

// nodeSecureProtocols maps the OpenSSL method names of secureProtocol that
// pin one version; the _client_ and _server_ forms are matched by prefix.
var nodeSecureProtocols = map[string]int{"SSLv3": ssl30, "TLSv1": tls10, "TLSv1_1": tls11, "TLSv1_2": tls12}

// nodeDefaults describes Node.js's own range, --tls-min-v1.2 and
// --tls-max-v1.3 since Node.js 12.
const nodeDefaults = "default of Node.js 12 and later: TLS 1.2 to TLS 1.3 (tls.DEFAULT_MIN_VERSION and tls.DEFAULT_MAX_VERSION)"

// nodeServerCalls and nodeClientCalls are the functions whose options
// object configures a server or a client.
var (
	nodeServerCalls = map[string]bool{"createServer": true, "createSecureServer": true, "Server": true}
	nodeClientCalls = map[string]bool{"connect": true, "request": true, "get": true, "Agent": true, "TLSSocket": true}
)

// scanJavaScript returns the TLS pins of JavaScript or TypeScript source:
// the minVersion, maxVersion and secureProtocol options of one object
// literal form one group, and tls.DEFAULT_MIN_VERSION and
// DEFAULT_MAX_VERSION assignments another.
func scanJavaScript(path, src string) ([]finding, error) {
	toks, lexErr := lexJavaScript(src)
	if lexErr != nil {
		return nil, unterminated(path, lexErr)
	}
	var g groups
	var braces []int
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if t.kind == tokPunct && (t.text == "{" || t.text == "}") {
			if t.text == "{" {
				braces = append(braces, i)
			} else if len(braces) > 0 {
				braces = braces[:len(braces)-1]
			}
			continue
		}
		if t.kind != tokIdent && t.kind != tokString || i+2 >= len(toks) {
			continue
		}
		key := t.text
		op := toks[i+1]
		value := toks[i+2]
		if value.kind != tokString || op.kind != tokPunct || op.text != ":" && op.text != "=" || !nodePinValue(key, value.text) {
			continue
		}
		var p *pinGroup
		switch {
		case op.text == ":" && t.kind == tokString && at(toks, i-1, "?"):
			continue // a conditional expression, not a key
		case op.text == ":" && len(braces) > 0 && (key == "minVersion" || key == "maxVersion" || key == "secureProtocol"):
			open := braces[len(braces)-1]
			p = g.get(fmt.Sprintf("object %d", open), toks[open].line)
			p.side = nodeSide(toks, open)
			p.variable = nodeVariable(toks, open)
		case op.text == "=" && (key == "DEFAULT_MIN_VERSION" || key == "DEFAULT_MAX_VERSION") && at(toks, i-1, "."):
			p = g.get("tls.DEFAULT", t.line)
			if key == "DEFAULT_MIN_VERSION" {
				key = "minVersion"
			} else {
				key = "maxVersion"
			}
		case op.text == "=" && at(toks, i-1, ".") && (key == "minVersion" || key == "maxVersion" || key == "secureProtocol"):
			p = g.get("receiver "+receiver(toks, i), t.line)
		default:
			continue
		}
		nodePin(src, toks, i, key, p)
	}
	nodeSidesFromUses(toks, &g)
	return g.findings(tls12, tls13, nodeDefaults), nil
}

// nodeVariable returns the variable that the object literal opened at
// toks[open] initializes, as in const options = {...} or, in
// TypeScript, const options: tls.TlsOptions = {...}; "" otherwise.
func nodeVariable(toks []token, open int) string {
	if !at(toks, open-1, "=") {
		return ""
	}
	for j := open - 2; j >= 0 && j >= open-10; j-- {
		switch toks[j].text {
		case "const", "let", "var":
			if toks[j].kind == tokIdent && j+1 < open && toks[j+1].kind == tokIdent {
				return toks[j+1].text
			}
			return ""
		case ";", "{", "}":
			return ""
		}
	}
	return ""
}

// nodeSidesFromUses sets the side of the options stored in a variable
// that the file passes to a server or client call, such as
// tls.createServer(options). A variable passed to both keeps no side.
func nodeSidesFromUses(toks []token, g *groups) {
	uses := map[string]string{}
	for i := 0; i+1 < len(toks); i++ {
		side := ""
		switch {
		case toks[i].kind != tokIdent || !toks[i+1].is(tokPunct, "("):
			continue
		case nodeServerCalls[toks[i].text]:
			side = "server"
		case nodeClientCalls[toks[i].text]:
			side = "client"
		default:
			continue
		}
		args, _ := arguments(toks, i+1)
		for _, a := range args {
			if a[1]-a[0] != 1 || toks[a[0]].kind != tokIdent {
				continue
			}
			name := toks[a[0]].text
			if previous, seen := uses[name]; seen && previous != side {
				uses[name] = "both"
				continue
			}
			uses[name] = side
		}
	}
	for _, p := range g.order {
		if side := uses[p.variable]; p.side == "" && p.variable != "" && side != "both" {
			p.side = side
		}
	}
}

// nodePinValue reports whether value is a version that the option key
// (minVersion, maxVersion, secureProtocol or a tls.DEFAULT_ constant)
// accepts and that pins the range. Other values, such as a package
// version "1.0.0" under a key of the same name, are no pin.
func nodePinValue(key, value string) bool {
	switch key {
	case "minVersion", "maxVersion", "DEFAULT_MIN_VERSION", "DEFAULT_MAX_VERSION":
		_, ok := nodeVersions[value]
		return ok
	case "secureProtocol":
		_, ok := nodeSecureProtocols[nodeMethodBase(value)]
		return ok
	}
	return false
}

// nodeMethodBase returns the OpenSSL method name without _method and
// without the _client or _server part, such as TLSv1_1 for
// TLSv1_1_server_method.
func nodeMethodBase(method string) string {
	method = strings.TrimSuffix(method, "_method")
	for _, side := range []string{"_client", "_server"} {
		method = strings.TrimSuffix(method, side)
	}
	return method
}

// nodePin records the option toks[i] (key, then : or =, then a string)
// in p.
func nodePin(src string, toks []token, i int, key string, p *pinGroup) {
	value := toks[i+2]
	quote := quoteOf(src, value)
	text := fmt.Sprintf("%s: %s%s%s", toks[i].text, quote, value.text, quote)
	if toks[i+1].text == "=" {
		text = fmt.Sprintf("%s.%s = %s%s%s", receiver(toks, i), toks[i].text, quote, value.text, quote)
	}
	p.languageFix = "remove the version options so that Node.js's default applies (TLS 1.2 to TLS 1.3), or set minVersion: 'TLSv1.2'"
	switch key {
	case "minVersion", "maxVersion":
		n, ok := nodeVersions[value.text]
		if !ok {
			return
		}
		q := &pin{version: n, line: value.line, text: text}
		low := key == "minVersion"
		q.fix = replaceWith(toks, i+2, i+2, func(lo, hi int) string {
			if low {
				return quote + nodeVersionWords[lo] + quote
			}
			return quote + nodeVersionWords[hi] + quote
		})
		if low {
			p.min = q
		} else {
			p.max = q
		}
	case "secureProtocol":
		switch {
		case p.side != "":
		case strings.HasSuffix(value.text, "_client_method"):
			p.side = "client"
		case strings.HasSuffix(value.text, "_server_method"):
			p.side = "server"
		}
		// TLS_method and SSLv23_method leave the range to minVersion and
		// maxVersion, so nodePinValue rejects them before this point.
		n := nodeSecureProtocols[nodeMethodBase(value.text)]
		sep := toks[i+1].text
		p.exact = &pin{versions: only(n), line: value.line, text: text}
		p.exact.fix = replaceWith(toks, i, i+2, func(lo, hi int) string {
			if sep == "=" {
				return toks[i].text + " = " + quote + "TLS_method" + quote
			}
			return "minVersion: " + quote + nodeVersionWords[lo] + quote
		})
	}
}

// nodeSide returns the side of the options object opened at toks[open],
// found from the call it is passed to, such as tls.createServer({...}) or
// https.request(url, {...}).
func nodeSide(toks []token, open int) string {
	depth := 0
	for j := open - 1; j >= 0 && j >= open-40; j-- {
		if toks[j].kind != tokPunct {
			continue
		}
		switch toks[j].text {
		case ")", "]", "}":
			depth++
		case "[", "{":
			if depth == 0 {
				return ""
			}
			depth--
		case ";":
			return ""
		case "(":
			if depth > 0 {
				depth--
				continue
			}
			if j == 0 || toks[j-1].kind != tokIdent {
				return ""
			}
			switch {
			case nodeServerCalls[toks[j-1].text]:
				return "server"
			case nodeClientCalls[toks[j-1].text]:
				return "client"
			}
			return ""
		}
	}
	return ""
}
