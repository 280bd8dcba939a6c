package code

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// lexCSharp tokenizes C# source: // and /* */ comments, # preprocessor
// lines, "" strings, @"" verbatim strings, $"" interpolated strings and
// their $@ and @$ forms, """ raw string literals with any $ prefix, and
// ” character literals.
func lexCSharp(src string) ([]token, *lexError) {
	s := newScanner(src)
	lineStart := true
	for !s.done() {
		c := s.peek(0)
		if c == '\n' {
			lineStart = true
		}
		if s.space() {
			continue
		}
		atLineStart := lineStart
		lineStart = false
		switch {
		case c == '#' && atLineStart:
			s.lineComment()
		case s.hasPrefix("//"):
			s.lineComment()
		case s.hasPrefix("/*"):
			s.blockComment("/*", "*/", false)
		case c == '$' || c == '@' && (s.peek(1) == '"' || s.peek(1) == '$'):
			if !csharpPrefixedString(s) {
				s.ident()
			}
		case c == '"':
			if s.hasPrefix(`"""`) {
				csharpRawString(s, 0)
			} else {
				s.quoted(1, `"`, true, false)
			}
		case c == '\'':
			s.quoted(1, `'`, true, false)
		case c == '@' && isIdentStart(s.peek(1)):
			s.advance(s.pos + 1)
			s.ident()
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

// csharpPrefixedString scans a string that starts with $ or @ marks and
// reports whether there was one.
func csharpPrefixedString(s *scanner) bool {
	i := s.pos
	dollars, verbatim := 0, false
	for i < len(s.src) && (s.src[i] == '$' || s.src[i] == '@') {
		if s.src[i] == '$' {
			dollars++
		} else {
			verbatim = true
		}
		i++
	}
	if i >= len(s.src) || s.src[i] != '"' {
		return false
	}
	prefix := i - s.pos
	if strings.HasPrefix(s.src[i:], `"""`) {
		csharpRawString(s, prefix)
		return true
	}
	line, start := s.line, s.pos
	j := i + 1
	for j < len(s.src) {
		c := s.src[j]
		switch {
		case verbatim && c == '"' && j+1 < len(s.src) && s.src[j+1] == '"':
			j += 2
			continue
		case c == '"':
			s.emit(tokString, s.src[i+1:j], line, start, j+1)
			s.advance(j + 1)
			return true
		case !verbatim && c == '\\':
			j += 2
			continue
		case !verbatim && c == '\n':
			s.emit(tokString, s.src[i+1:j], line, start, j)
			s.advance(j)
			return true
		case dollars > 0 && c == '{':
			if j+1 < len(s.src) && s.src[j+1] == '{' {
				j += 2
				continue
			}
			end := skipHole(s.src, j+1)
			if end < 0 {
				s.fail(line, "interpolated string")
				return true
			}
			j = end
			continue
		}
		j++
	}
	if !verbatim {
		s.emit(tokString, s.src[i+1:], line, start, len(s.src))
		s.advance(len(s.src))
		return true
	}
	s.fail(line, "verbatim string")
	return true
}

// csharpRawString scans a raw string literal: three or more quotes after
// prefix $ characters, closed by as many quotes.
func csharpRawString(s *scanner, prefix int) {
	line, start := s.line, s.pos
	i := s.pos + prefix
	n := 0
	for i+n < len(s.src) && s.src[i+n] == '"' {
		n++
	}
	closeQuotes := strings.Repeat(`"`, n)
	end := strings.Index(s.src[i+n:], closeQuotes)
	if end < 0 {
		s.fail(line, "raw string literal")
		return
	}
	body := i + n + end
	s.emit(tokString, s.src[i+n:body], line, start, body+n)
	s.advance(body + n)
}

// csharpSecurityProtocols are the SecurityProtocolType members and their
// values.
var csharpSecurityProtocols = map[string]int{"Ssl3": 48, "Tls": 192, "Tls11": 768, "Tls12": 3072, "Tls13": 12288, "SystemDefault": 0}

// csharpSslProtocols are the SslProtocols members and their values.
var csharpSslProtocols = map[string]int{"None": 0, "Ssl2": 12, "Ssl3": 48, "Tls": 192, "Tls11": 768, "Tls12": 3072, "Tls13": 12288, "Default": 240}

// csharpVersions returns the versions in a SecurityProtocolType or
// SslProtocols flag value; SSL 2.0 counts as no version.
func csharpVersions(flags int) versionSet {
	var v versionSet
	for i, bits := range []int{48, 192, 768, 3072, 12288} {
		if flags&bits != 0 {
			v |= only(i)
		}
	}
	return v
}

// csharpSystemDefault is the range that .NET Framework 4.7 and later and
// .NET Core use without a pin: the operating system's choice, TLS 1.2 and 1.3 on
// Windows Server 2022 and current Linux.
var csharpSystemDefault = span(tls12, tls13)

// scanCSharp returns the TLS pins of C# source.
func scanCSharp(path, src string) ([]finding, error) {
	toks, lexErr := lexCSharp(src)
	if lexErr != nil {
		return nil, unterminated(path, lexErr)
	}
	var out []finding
	for i := 0; i < len(toks); i++ {
		switch {
		case at(toks, i, "ServicePointManager", ".", "SecurityProtocol"):
			if f, ok := csharpServicePoint(toks, i); ok {
				out = append(out, f)
			}
		case at(toks, i, "SslProtocols", ".") || at(toks, i, "(", "SslProtocols", ")"):
			// Start at a namespace qualifier such as
			// System.Security.Authentication.SslProtocols.Tls.
			start := i
			for at(toks, start-1, ".") && start >= 2 && toks[start-2].kind == tokIdent {
				start -= 2
			}
			if f, end, ok := csharpSslProtocolsChain(toks, start); ok {
				out = append(out, f)
				i = end
			}
		}
	}
	return out, nil
}

// csharpFlags evaluates an expression of enum members of the type named
// enum joined by |, with casts such as (SslProtocols)3072, from toks[i]
// up to a token that ends it. It returns the flag value, the index of the
// last token of the expression, and whether every operand was known.
func csharpFlags(toks []token, i int, enum string, members map[string]int) (flags, last int, ok bool) {
	last = -1
	for i < len(toks) {
		// An operand: [Namespace.]Enum.Member or (Enum)number.
		j := i
		for at(toks, j+1, ".") && toks[j].kind == tokIdent && toks[j].text != enum {
			j += 2
		}
		switch {
		case at(toks, j, enum, ".") && j+2 < len(toks):
			v, known := members[toks[j+2].text]
			if !known {
				return 0, last, false
			}
			flags |= v
			last = j + 2
		case at(toks, j, "(", enum, ")") && j+3 < len(toks) && toks[j+3].kind == tokNumber:
			n, err := strconv.ParseInt(strings.TrimRight(toks[j+3].text, "uUlL"), 0, 32)
			if err != nil {
				return 0, last, false
			}
			flags |= int(n)
			last = j + 3
		default:
			return 0, last, false
		}
		if !at(toks, last+1, "|") {
			return flags, last, true
		}
		i = last + 2
	}
	return 0, last, false
}

// csharpServicePoint matches ServicePointManager.SecurityProtocol = ...,
// |= ... and &= ~....
func csharpServicePoint(toks []token, i int) (finding, bool) {
	op := i + 3
	if op >= len(toks) {
		return finding{}, false
	}
	value := op + 1
	remove := at(toks, op, "&=") && at(toks, value, "~")
	if remove {
		value++
		if at(toks, value, "(") {
			value++
		}
	}
	flags, last, ok := csharpFlags(toks, value, "SecurityProtocolType", csharpSecurityProtocols)
	if !ok {
		return finding{}, false
	}
	f := finding{side: "client", line: toks[i].line, versionsLine: toks[i].line}
	var v versionSet
	switch {
	case at(toks, op, "="):
		if flags == 0 {
			return finding{}, false // SystemDefault: the operating system decides.
		}
		v = csharpVersions(flags)
		f.construct = "ServicePointManager.SecurityProtocol = ..."
	case at(toks, op, "|="):
		v = csharpSystemDefault | csharpVersions(flags)
		f.construct = "ServicePointManager.SecurityProtocol |= ..."
		f.notes = append(f.notes, "|= adds to the process default, taken here as TLS 1.2 and TLS 1.3 (.NET Framework 4.7 and later on current Windows); older frameworks start from SSL 3.0 and TLS 1.0")
	case remove:
		v = csharpSystemDefault &^ csharpVersions(flags)
		f.construct = "ServicePointManager.SecurityProtocol &= ~..."
	default:
		return finding{}, false
	}
	f.versions = v
	end := last
	if remove && at(toks, end+1, ")") {
		end++
	}
	f.versionFix = []edit{replaceWith(toks, i, end, func(lo, hi int) string {
		return "ServicePointManager.SecurityProtocol = " + csharpMembers("SecurityProtocolType", lo, hi)
	})}
	f.languageFix = "on .NET Framework 4.7 and later, remove the ServicePointManager.SecurityProtocol line so that the operating system chooses (SystemDefault)"
	return f, true
}

// csharpMembers writes Enum.Tls12 | Enum.Tls13 for the range lo to hi.
func csharpMembers(enum string, lo, hi int) string {
	names := [...]string{"Ssl3", "Tls", "Tls11", "Tls12", "Tls13"}
	var parts []string
	for n := lo; n <= hi; n++ {
		parts = append(parts, enum+"."+names[n])
	}
	return strings.Join(parts, " | ")
}

// csharpServerWords and csharpClientWords are names that, shortly before
// an SslProtocols value, tell which side it configures.
var (
	csharpServerWords = []string{"AuthenticateAsServer", "AuthenticateAsServerAsync", "SslServerAuthenticationOptions", "ConfigureHttpsDefaults", "UseHttps", "HttpsConnectionAdapterOptions", "ListenOptions", "KestrelServerOptions"}
	csharpClientWords = []string{"AuthenticateAsClient", "AuthenticateAsClientAsync", "SslClientAuthenticationOptions", "HttpClientHandler", "SocketsHttpHandler", "WinHttpHandler", "SslOptions"}
)

// csharpSslProtocolsChain matches an SslProtocols value such as
// SslProtocols.Tls | SslProtocols.Tls11 wherever it appears: assigned to
// HttpClientHandler.SslProtocols, EnabledSslProtocols or Kestrel's
// SslProtocols, or passed to SslStream.AuthenticateAsClient.
func csharpSslProtocolsChain(toks []token, i int) (finding, int, bool) {
	flags, last, ok := csharpFlags(toks, i, "SslProtocols", csharpSslProtocols)
	if !ok {
		return finding{}, i, false
	}
	if flags == 0 {
		return finding{}, last, false // None: the operating system decides.
	}
	f := finding{line: toks[i].line, versionsLine: toks[i].line, versions: csharpVersions(flags)}
	context := "SslProtocols value"
	for j := i - 1; j >= 0 && j >= i-40 && !toks[j].is(tokPunct, ";"); j-- {
		t := toks[j].text
		if toks[j].kind != tokIdent {
			continue
		}
		switch {
		case f.side == "" && slices.Contains(csharpServerWords, t):
			f.side = "server"
		case f.side == "" && slices.Contains(csharpClientWords, t):
			f.side = "client"
		}
		if context == "SslProtocols value" && (t == "SslProtocols" || t == "EnabledSslProtocols" || strings.HasPrefix(t, "AuthenticateAs")) {
			context = t
		}
	}
	f.construct = fmt.Sprintf("%s: %s", context, strings.Join(flagNames(flags), " | "))
	f.versionFix = []edit{replaceWith(toks, i, last, func(lo, hi int) string { return csharpMembers("SslProtocols", lo, hi) })}
	f.languageFix = "use SslProtocols.None so that the operating system chooses, or SslProtocols.Tls12 | SslProtocols.Tls13"
	return f, last, true
}

// flagNames returns the SslProtocols member names set in flags.
func flagNames(flags int) []string {
	var out []string
	for _, m := range []struct {
		name string
		bits int
	}{{"Ssl2", 12}, {"Ssl3", 48}, {"Tls", 192}, {"Tls11", 768}, {"Tls12", 3072}, {"Tls13", 12288}} {
		if flags&m.bits != 0 {
			out = append(out, "SslProtocols."+m.name)
		}
	}
	return out
}
