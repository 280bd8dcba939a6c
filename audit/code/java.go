package code

import "fmt"

// lexJava tokenizes Java source: // and /* */ comments, "" strings, ”
// character literals and """ text blocks.
func lexJava(src string) ([]token, *lexError) {
	s := newScanner(src)
	for !s.done() {
		c := s.peek(0)
		switch {
		case s.space():
		case s.hasPrefix("//"):
			s.lineComment()
		case s.hasPrefix("/*"):
			s.blockComment("/*", "*/", false)
		case s.hasPrefix(`"""`):
			s.quoted(3, `"""`, true, true)
		case c == '"':
			s.quoted(1, `"`, true, false)
		case c == '\'':
			s.quoted(1, `'`, true, false)
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

// javaProtocols maps the JSSE protocol names to version indexes.
var javaProtocols = map[string]int{"SSLv3": ssl30, "TLSv1": tls10, "TLSv1.1": tls11, "TLSv1.2": tls12, "TLSv1.3": tls13}

// javaProtocolWords are the JSSE names by version index.
var javaProtocolWords = [...]string{"SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}

// javaContexts are the SSLContext protocols that pin versions, with the
// versions that the context enables on a client socket in the SunJSSE
// provider of OpenJDK 8 and later. SSL 3.0 stays disabled by
// jdk.tls.disabledAlgorithms since 8u31, so it is left out.
var javaContexts = map[string]versionSet{
	"SSLv3":   only(tls10),
	"TLSv1":   only(tls10),
	"TLSv1.1": span(tls10, tls11),
	"TLSv1.2": span(tls10, tls12),
}

// scanJava returns the TLS pins of Java source.
func scanJava(path, src string) ([]finding, error) {
	toks, lexErr := lexJava(src)
	if lexErr != nil {
		return nil, unterminated(path, lexErr)
	}
	var out []finding
	for i := range toks {
		if toks[i].kind != tokIdent {
			continue
		}
		var f finding
		ok := false
		switch toks[i].text {
		case "getInstance":
			f, ok = javaContext(src, toks, i)
		case "setEnabledProtocols", "setProtocols":
			f, ok = javaEnabledProtocols(toks, i)
		case "tlsVersions", "setTlsVersions":
			f, ok = javaTLSVersionList(src, toks, i)
		case "SSLConnectionSocketFactory":
			f, ok = javaSocketFactory(toks, i)
		case "COMPATIBLE_TLS":
			if at(toks, i-2, "ConnectionSpec", ".") {
				f = finding{construct: "ConnectionSpec.COMPATIBLE_TLS", side: "client", line: toks[i].line, versions: span(tls10, tls13), versionsLine: toks[i].line}
				ok = true
			}
		}
		if ok {
			f.languageFix = `use SSLContext.getInstance("TLS") and leave the enabled protocols to the JDK (TLSv1.3 and TLSv1.2 on current releases)`
			out = append(out, f)
		}
	}
	return out, nil
}

// javaContext matches SSLContext.getInstance("PROTOCOL"...).
func javaContext(src string, toks []token, i int) (finding, bool) {
	if !at(toks, i-2, "SSLContext", ".") || !at(toks, i+1, "(") || i+2 >= len(toks) || toks[i+2].kind != tokString {
		return finding{}, false
	}
	arg := toks[i+2]
	f := finding{construct: fmt.Sprintf("SSLContext.getInstance(%q)", arg.text), line: arg.line, versionsLine: arg.line}
	switch arg.text {
	case "TLS":
		f.versions = span(tls12, tls13)
		f.notes = []string{`on IBM Java 8, SSLContext.getInstance("TLS") enables TLS 1.0 only unless the system property com.ibm.jsse2.overrideDefaultTLS=true is set; on OpenJDK and Oracle Java it enables TLS 1.2 and TLS 1.3`}
		return f, true
	case "SSL":
		f.versions = span(tls12, tls13)
		f.notes = []string{`"SSL" is an old alias of "TLS" in OpenJDK's SunJSSE provider; write "TLS"`}
	default:
		v, ok := javaContexts[arg.text]
		if !ok {
			return finding{}, false
		}
		f.versions = v
		f.notes = []string{fmt.Sprintf("SSLContext %q fixes the client's protocols; server sockets of this context still enable every protocol the JDK allows", arg.text)}
		if v.has(tls10) && v.has(tls12) {
			f.notes = append(f.notes, "OpenJDK 8u291, 11.0.11 and later disable TLS 1.0 and 1.1 in jdk.tls.disabledAlgorithms, which leaves TLS 1.2 alone")
		}
	}
	quote := quoteOf(src, arg)
	f.versionFix = []edit{replaceWith(toks, i+2, i+2, func(lo, hi int) string { return quote + "TLS" + quote })}
	return f, true
}

// javaEnabledProtocols matches setEnabledProtocols(new String[]{...}) on a
// socket, server socket or engine, and SSLParameters.setProtocols.
func javaEnabledProtocols(toks []token, i int) (finding, bool) {
	if !at(toks, i+1, "(", "new", "String", "[", "]", "{") {
		return finding{}, false
	}
	open := i + 6
	names, end, ok := javaStringArray(toks, open)
	if !ok {
		return finding{}, false
	}
	v := javaSet(names)
	f := finding{construct: toks[i].text + "(new String[]{...})", line: toks[i].line, versions: v, versionsLine: toks[open].line}
	f.versionFix = []edit{replaceWith(toks, open, end, javaArrayText)}
	return f, true
}

// javaSocketFactory matches Apache HttpClient 4's
// new SSLConnectionSocketFactory(context, new String[]{...}, ...).
func javaSocketFactory(toks []token, i int) (finding, bool) {
	if !at(toks, i-1, "new") || !at(toks, i+1, "(") {
		return finding{}, false
	}
	args, _ := arguments(toks, i+1)
	if len(args) < 3 {
		return finding{}, false
	}
	a := args[1]
	if !at(toks, a[0], "new", "String", "[", "]", "{") {
		return finding{}, false
	}
	open := a[0] + 4
	names, end, ok := javaStringArray(toks, open)
	if !ok {
		return finding{}, false
	}
	f := finding{construct: "new SSLConnectionSocketFactory(..., new String[]{...}, ...)", side: "client", line: toks[i].line, versions: javaSet(names), versionsLine: toks[open].line}
	f.versionFix = []edit{replaceWith(toks, open, end, javaArrayText)}
	return f, true
}

// javaTLSVersionList matches OkHttp's ConnectionSpec.Builder.tlsVersions
// and HttpClient 5's setTlsVersions, with TlsVersion or TLS constants or
// protocol names.
func javaTLSVersionList(src string, toks []token, i int) (finding, bool) {
	if !at(toks, i+1, "(") {
		return finding{}, false
	}
	args, close := arguments(toks, i+1)
	if close < 0 || len(args) == 0 {
		return finding{}, false
	}
	var v versionSet
	for _, a := range args {
		n, ok := javaVersionConstant(toks, a[0], a[1])
		if !ok {
			return finding{}, false
		}
		v |= only(n)
	}
	enum := "TlsVersion"
	words := [...]string{"SSL_3_0", "TLS_1_0", "TLS_1_1", "TLS_1_2", "TLS_1_3"}
	if toks[i].text == "setTlsVersions" {
		enum = "TLS"
		words = [...]string{"SSL_3_0", "V_1_0", "V_1_1", "V_1_2", "V_1_3"}
	}
	f := finding{construct: toks[i].text + "(...)", side: "client", line: toks[i].line, versions: v, versionsLine: toks[i].line}
	f.versionFix = []edit{replaceWith(toks, i+2, close-1, func(lo, hi int) string {
		text := ""
		for n := hi; n >= lo; n-- {
			if text != "" {
				text += ", "
			}
			text += enum + "." + words[n]
		}
		return text
	})}
	return f, true
}

// javaVersionConstant evaluates one tlsVersions argument: TlsVersion.TLS_1_0,
// TLS.V_1_0 or a protocol name string.
func javaVersionConstant(toks []token, from, to int) (int, bool) {
	if to-from == 1 && toks[from].kind == tokString {
		n, ok := javaProtocols[toks[from].text]
		return n, ok
	}
	if to-from != 3 || !at(toks, from+1, ".") {
		return 0, false
	}
	name := toks[from+2].text
	switch toks[from].text {
	case "TlsVersion":
		n, ok := map[string]int{"SSL_3_0": ssl30, "TLS_1_0": tls10, "TLS_1_1": tls11, "TLS_1_2": tls12, "TLS_1_3": tls13}[name]
		return n, ok
	case "TLS":
		n, ok := map[string]int{"SSL_3_0": ssl30, "V_1_0": tls10, "V_1_1": tls11, "V_1_2": tls12, "V_1_3": tls13}[name]
		return n, ok
	}
	return 0, false
}

// javaStringArray reads the array initializer {"a", "b"} at toks[open]
// and returns the strings and the index of the closing brace.
func javaStringArray(toks []token, open int) ([]string, int, bool) {
	end := closing(toks, open)
	if end < 0 {
		return nil, 0, false
	}
	names, ok := stringsOf(toks, open+1, end)
	return names, end, ok
}

// javaSet returns the versions among JSSE protocol names; SSLv2Hello and
// unknown names add none.
func javaSet(names []string) versionSet {
	var v versionSet
	for _, name := range names {
		if n, ok := javaProtocols[name]; ok {
			v |= only(n)
		}
	}
	return v
}

// javaArrayText writes the array initializer for the wanted range.
func javaArrayText(lo, hi int) string {
	text := "{"
	for n := hi; n >= lo; n-- {
		if n != hi {
			text += ", "
		}
		text += `"` + javaProtocolWords[n] + `"`
	}
	return text + "}"
}
