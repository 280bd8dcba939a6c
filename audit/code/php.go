package code

import (
	"fmt"
	"strconv"
	"strings"
)

// lexPHP tokenizes PHP source. Text outside <?php ... ?> (and <?= ... ?>)
// is inline HTML and gives no token. Inside, it handles # and // comments
// (which also end at ?>), /* */ comments, #[ attributes, ” and ""
// strings, backtick shell strings, and heredoc and nowdoc strings with a
// closing marker that may be indented (PHP 7.3 and later).
func lexPHP(src string) ([]token, *lexError) {
	s := newScanner(src)
	for !s.done() {
		// Inline HTML up to the next open tag.
		open := strings.Index(s.src[s.pos:], "<?")
		if open < 0 {
			s.advance(len(s.src))
			break
		}
		s.advance(s.pos + open + 2)
		switch {
		case len(s.src)-s.pos >= 3 && strings.EqualFold(s.src[s.pos:s.pos+3], "php"):
			s.advance(s.pos + 3)
		case s.hasPrefix("="):
			s.advance(s.pos + 1)
		}
		phpCode(s)
	}
	return s.toks, s.err
}

// phpCode scans PHP code up to ?> or the end of the source.
func phpCode(s *scanner) {
	for !s.done() {
		c := s.peek(0)
		switch {
		case s.hasPrefix("?>"):
			s.advance(s.pos + 2)
			return
		case s.space():
		case s.hasPrefix("#["):
			s.punct()
		case c == '#' || s.hasPrefix("//"):
			end := strings.IndexByte(s.src[s.pos:], '\n')
			if end < 0 {
				end = len(s.src) - s.pos
			}
			if tag := strings.Index(s.src[s.pos:s.pos+end], "?>"); tag >= 0 {
				end = tag
			}
			s.advance(s.pos + end)
		case s.hasPrefix("/*"):
			s.blockComment("/*", "*/", false)
		case c == '\'' || c == '"' || c == '`':
			s.quoted(1, string(c), true, true)
		case s.hasPrefix("<<<"):
			phpHeredoc(s)
		case isIdentStart(c):
			s.ident()
		case isDigit(c):
			s.number()
		default:
			s.punct()
		}
	}
}

// phpHeredoc scans <<<ID, <<<"ID" or <<<'ID' and the body up to the line
// that starts, after optional indentation, with ID.
func phpHeredoc(s *scanner) {
	line, start := s.line, s.pos
	i := s.pos + 3
	for i < len(s.src) && (s.src[i] == ' ' || s.src[i] == '\t') {
		i++
	}
	quote := byte(0)
	if i < len(s.src) && (s.src[i] == '\'' || s.src[i] == '"') {
		quote = s.src[i]
		i++
	}
	idStart := i
	for i < len(s.src) && isIdentByte(s.src[i]) && s.src[i] != '$' {
		i++
	}
	id := s.src[idStart:i]

	if id == "" {
		s.punct()
		return
	}
	if quote != 0 {
		if i >= len(s.src) || s.src[i] != quote {
			s.punct()
			return
		}
		i++
	}

	// The body starts on the next line and ends before the closing line.
	nl := strings.IndexByte(s.src[i:], '\n')
	if nl < 0 {
		s.fail(line, "heredoc <<<"+id)
		return
	}
	body := i + nl + 1
	for j := body; j < len(s.src); {
		end := strings.IndexByte(s.src[j:], '\n')
		lineEnd := len(s.src)
		if end >= 0 {
			lineEnd = j + end
		}
		text := strings.TrimLeft(s.src[j:lineEnd], " \t")
		if strings.HasPrefix(text, id) && (len(text) == len(id) || !isIdentByte(text[len(id)])) {
			close := lineEnd - len(text) + len(id)
			s.emit(tokString, s.src[body:max(body, j-1)], line, start, close)
			s.advance(close)
			return
		}
		if end < 0 {
			break
		}
		j = lineEnd + 1
	}
	s.fail(line, "heredoc <<<"+id)
}

// phpCurlVersions are the CURL_SSLVERSION_ constants and their values.
var phpCurlVersions = map[string]int{
	"CURL_SSLVERSION_DEFAULT": 0, "CURL_SSLVERSION_TLSv1": 1, "CURL_SSLVERSION_SSLv2": 2, "CURL_SSLVERSION_SSLv3": 3,
	"CURL_SSLVERSION_TLSv1_0": 4, "CURL_SSLVERSION_TLSv1_1": 5, "CURL_SSLVERSION_TLSv1_2": 6, "CURL_SSLVERSION_TLSv1_3": 7,
	"CURL_SSLVERSION_MAX_DEFAULT": 1 << 16, "CURL_SSLVERSION_MAX_TLSv1_0": 4 << 16, "CURL_SSLVERSION_MAX_TLSv1_1": 5 << 16,
	"CURL_SSLVERSION_MAX_TLSv1_2": 6 << 16, "CURL_SSLVERSION_MAX_TLSv1_3": 7 << 16,
}

// phpCryptoMethods are the STREAM_CRYPTO_METHOD_ constants that name
// versions, without their _CLIENT or _SERVER suffix.
var phpCryptoMethods = map[string]versionSet{
	"SSLv3": only(ssl30), "TLSv1_0": only(tls10), "TLSv1_1": only(tls11), "TLSv1_2": only(tls12), "TLSv1_3": only(tls13),
	"SSLv23": span(ssl30, tls12), "ANY": span(ssl30, tls13),
	// NOTE: TLS is TLS 1.0 to 1.2, as PHP 7.2 defines it, and TLS 1.0
	// alone before 7.2. Whether later releases add TLS 1.3 is not checked.
	"TLS": span(tls10, tls12),
}

// scanPHP returns the TLS pins of PHP source: CURLOPT_SSLVERSION values
// (curl_setopt and option arrays) and STREAM_CRYPTO_METHOD_ values
// (crypto_method stream options and stream_socket_enable_crypto).
func scanPHP(path, src string) ([]finding, error) {
	toks, lexErr := lexPHP(src)
	if lexErr != nil {
		return nil, unterminated(path, lexErr)
	}
	var out []finding
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.is(tokIdent, "CURLOPT_SSLVERSION") && (at(toks, i+1, "=>") || at(toks, i+1, ",")):
			if f, ok := phpCurl(toks, i); ok {
				out = append(out, f)
			}
		case t.kind == tokIdent && strings.HasPrefix(t.text, "STREAM_CRYPTO_METHOD_"):
			if f, end, ok := phpCrypto(toks, i); ok {
				out = append(out, f)
				i = end
			}
		}
	}
	return out, nil
}

// phpCurl evaluates the CURLOPT_SSLVERSION value after toks[i]: constants
// joined by | or an integer. Since libcurl 7.54.0 the TLSv1_x constants
// set the minimum and the MAX_ constants the maximum.
func phpCurl(toks []token, i int) (finding, bool) {
	from := i + 2
	value, last := 0, -1
	for j := from; j < len(toks); j += 2 {
		t := toks[j]
		switch {
		case t.kind == tokIdent:
			v, ok := phpCurlVersions[t.text]
			if !ok {
				return finding{}, false
			}
			value |= v
		case t.kind == tokNumber:
			n, err := strconv.ParseInt(t.text, 0, 32)
			if err != nil {
				return finding{}, false
			}
			value |= int(n)
		default:
			return finding{}, false
		}
		last = j
		if !at(toks, j+1, "|") {
			break
		}
	}
	if last < 0 {
		return finding{}, false
	}

	low, high := value&0xffff, value>>16
	if low == 0 && high <= 1 {
		return finding{}, false // CURL_SSLVERSION_DEFAULT: libcurl decides
	}
	// NOTE: libcurl documents TLS 1.0 or later as its default minimum.
	// The TLS library it links can set a higher floor, which this scan
	// does not see.
	lo, hi := tls10, tls13
	f := finding{side: "client", line: toks[i].line, versionsLine: toks[i].line}
	switch low {
	case 0, 1:
	case 2:
		lo, hi = tls13+1, tls13 // SSL 2.0, which no current libcurl allows
	case 3:
		lo, hi = ssl30, ssl30
	case 4, 5, 6, 7:
		lo = tls10 + low - 4
		f.notes = append(f.notes, "libcurl before 7.54.0 reads CURL_SSLVERSION_TLSv1_x as that version only, not as a minimum")
	default:
		return finding{}, false
	}
	if high >= 4 && high <= 7 {
		hi = min(hi, tls10+high-4)
	}
	f.versions = span(lo, hi)

	f.construct = "CURLOPT_SSLVERSION " + joinTokens(toks, from, last)
	f.versionFix = []edit{replaceWith(toks, from, last, func(lo, hi int) string {
		return fmt.Sprintf("CURL_SSLVERSION_TLSv1_%d", lo-tls10)
	})}
	f.languageFix = "set CURLOPT_SSLVERSION to CURL_SSLVERSION_TLSv1_2, or remove it"
	return f, true
}

// phpCrypto evaluates STREAM_CRYPTO_METHOD_ constants joined by |.
func phpCrypto(toks []token, i int) (finding, int, bool) {
	var v versionSet
	side := ""
	pinned := false
	last := i
	for j := i; j < len(toks); j += 2 {
		name, ok := strings.CutPrefix(toks[j].text, "STREAM_CRYPTO_METHOD_")
		if toks[j].kind != tokIdent || !ok {
			return finding{}, j, false
		}
		for _, suffix := range []string{"_CLIENT", "_SERVER"} {
			if base, cut := strings.CutSuffix(name, suffix); cut {
				name = base
				side = strings.ToLower(suffix[1:])
			}
		}
		set, known := phpCryptoMethods[name]
		if !known {
			return finding{}, j, false
		}
		if strings.HasPrefix(name, "TLSv") || name == "SSLv3" {
			pinned = true
		}
		v |= set
		last = j
		if !at(toks, j+1, "|") {
			break
		}
	}
	if !pinned {
		return finding{}, last, false
	}

	suffix := "_CLIENT"
	if side == "server" {
		suffix = "_SERVER"
	}
	f := finding{construct: "crypto method " + joinTokens(toks, i, last), side: side, line: toks[i].line, versions: v, versionsLine: toks[i].line}
	f.versionFix = []edit{replaceWith(toks, i, last, func(lo, hi int) string {
		var parts []string
		for n := lo; n <= hi; n++ {
			parts = append(parts, fmt.Sprintf("STREAM_CRYPTO_METHOD_TLSv1_%d%s", n-tls10, suffix))
		}
		return strings.Join(parts, " | ")
	})}
	f.languageFix = "use STREAM_CRYPTO_METHOD_TLSv1_2" + suffix + " | STREAM_CRYPTO_METHOD_TLSv1_3" + suffix
	return f, last, true
}

// joinTokens returns toks[from..to] as written, separated by spaces.
func joinTokens(toks []token, from, to int) string {
	var parts []string
	for i := from; i <= to && i < len(toks); i++ {
		parts = append(parts, toks[i].text)
	}
	return strings.Join(parts, " ")
}
