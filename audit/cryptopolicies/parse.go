package cryptopolicies

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/scimdoctor/scimdoctor/audit"
)

// Op is the operation of a directive on a property's list or value.
type Op int

const (
	// OpReset empties the list; the OpAppend directives that follow it on
	// the same line fill it again ("cipher = A B").
	OpReset Op = iota
	// OpAppend adds a name at the end unless present ("cipher = A+").
	OpAppend
	// OpPrepend moves or adds a name to the front ("cipher = +A").
	OpPrepend
	// OpOmit removes a name ("cipher = -A").
	OpOmit
	// OpSetInt sets an integer property ("min_rsa_size = 2048").
	OpSetInt
	// OpSetEnum sets a one-word property ("__ems = RELAX").
	OpSetEnum
)

// Directive is one operation of a policy or module line.
type Directive struct {
	// Property is the left-hand name without its scope, such as "cipher".
	Property string
	// Scope is the selector after '@' in lower case, "*" when absent.
	Scope string
	Op    Op
	// Value is the algorithm name, number or word; empty for OpReset.
	Value string
	File  string
	Line  int
	// Text is the line as written, joined when it goes on with '\'.
	Text string
}

// Policy is one parsed policy (.pol) or module (.pmod) file.
type Policy struct {
	// Name is the file name without its extension, such as "DEFAULT".
	Name string
	Path string
	// Module is true for a .pmod file.
	Module     bool
	Directives []Directive
	// Warnings name lines that crypto-policies accepts with a warning or
	// that this audit could not read fully, such as an algorithm name it
	// does not know.
	Warnings []string
}

// ParseError is a syntax or read error at one line of one file.
type ParseError struct {
	File string
	// Line is 0 when the error concerns the whole file.
	Line   int
	Reason string
	// Err is the audit.ReadFile error of a file it rejects, whose text
	// already names the file; Reason is then empty.
	Err error
}

func (e *ParseError) Error() string {
	if e.Err != nil {
		return e.Err.Error()
	}
	if e.Line == 0 {
		return fmt.Sprintf("%s: %s", e.File, e.Reason)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
}

func (e *ParseError) Unwrap() error { return e.Err }

// maxDirectives bounds the operations of one file after wildcards are
// expanded. The largest built-in policy of this package has 124, and
// upstream's full files (with SSH and other scopes) are estimated at a few
// hundred, so the bound only stops a hostile file from making the audit
// slow.
const maxDirectives = 10000

// ParseFile reads and parses the policy or module file at path.
func ParseFile(path string) (*Policy, error) {
	data, err := audit.ReadFile(path)
	if err != nil {
		return nil, &ParseError{File: path, Err: err}
	}
	return Parse(path, data)
}

// logicalLine is one line after comments are cut and '\' continuations
// joined, with the number of its first physical line.
type logicalLine struct {
	line int
	text string
}

// renamed are the deprecated left-hand names that crypto-policies rewrites
// to scoped properties, moving the line after all others.
var renamed = map[string]string{
	"tls_cipher":   "cipher@TLS",
	"ssh_cipher":   "cipher@SSH",
	"ssh_group":    "group@SSH",
	"ike_protocol": "protocol@IKE",
}

var spaces = regexp.MustCompile(`\s+`)

// Parse parses data as the policy or module file at path, with the rules of
// crypto-policies(7). Lines are "property[@scope] = values", '#' starts a
// comment and '\' at a line end joins the next line. Values either replace
// the list ("A B") or change it ("+A", "A+", "-A"), never both on one line,
// and names may be shell wildcards ("*-GCM"). Errors are *ParseError values
// with the file and line.
func Parse(path string, data []byte) (*Policy, error) {
	data, err := audit.DecodeText(path, data)
	if err != nil {
		return nil, &ParseError{File: path, Err: err}
	}
	base := filepath.Base(path)
	ext := filepath.Ext(base)
	p := &Policy{Name: strings.TrimSuffix(base, ext), Path: path, Module: ext == ".pmod"}

	var lines, moved []logicalLine
	physical := strings.Split(string(data), "\n")
	for i := 0; i < len(physical); i++ {
		start := i + 1
		text, _, _ := strings.Cut(physical[i], "#")
		text = strings.TrimSpace(text)
		if strings.HasSuffix(text, "\\") {
			var joined strings.Builder
			for strings.HasSuffix(text, "\\") && i+1 < len(physical) {
				joined.WriteString(strings.TrimSuffix(text, "\\"))
				joined.WriteByte(' ')
				i++
				text, _, _ = strings.Cut(physical[i], "#")
				text = strings.TrimSpace(text)
			}
			joined.WriteString(strings.TrimSuffix(text, "\\"))
			text = joined.String()
		}
		text = strings.TrimSpace(spaces.ReplaceAllString(text, " "))
		if text == "" {
			continue
		}
		lhs, rhs, hasEqual := strings.Cut(text, "=")
		if to, ok := renamed[strings.TrimSpace(lhs)]; ok && hasEqual {
			p.Warnings = append(p.Warnings, fmt.Sprintf("%s:%d: %s is deprecated; write %s", path, start, strings.TrimSpace(lhs), to))
			moved = append(moved, logicalLine{start, to + " =" + rhs})
			continue
		}
		lines = append(lines, logicalLine{start, text})
	}
	// crypto-policies moves the lines of deprecated names after all others.
	lines = append(lines, moved...)

	for _, l := range lines {
		ds, err := p.parseLine(l)
		if err != nil {
			return nil, &ParseError{File: path, Line: l.line, Reason: err.Error()}
		}
		p.Directives = append(p.Directives, ds...)
		if len(p.Directives) > maxDirectives {
			return nil, &ParseError{File: path, Line: l.line, Reason: fmt.Sprintf("more than %d operations after wildcards are expanded; a policy file needs far fewer, so check that this is a crypto-policies file", maxDirectives)}
		}
	}
	return p, nil
}

func (p *Policy) parseLine(l logicalLine) ([]Directive, error) {
	if n := strings.Count(l.text, "="); n != 1 {
		return nil, fmt.Errorf("line %q has %d equal signs; write property = values", cut(l.text), n)
	}
	lhs, rhs, _ := strings.Cut(l.text, "=")
	lhs, rhs = strings.TrimSpace(lhs), strings.TrimSpace(rhs)
	if lhs == "" {
		return nil, fmt.Errorf("line %q has no property before '='", cut(l.text))
	}
	property, scope, scoped := strings.Cut(lhs, "@")
	if !scoped {
		scope = "*"
	}
	scope = strings.ToLower(scope)
	if scoped && (scope == "" || strings.ContainsAny(scope, " ")) {
		return nil, fmt.Errorf("invalid scope %q: write property@scope, such as cipher@TLS", lhs)
	}
	if scoped && !knownScope(scope) {
		p.Warnings = append(p.Warnings, fmt.Sprintf("%s:%d: scope %q names no known crypto-policies back end, so no TLS library reads the line", p.Path, l.line, scope))
	}
	base := func(op Op, value string) Directive {
		return Directive{Property: property, Scope: scope, Op: op, Value: value, File: p.Path, Line: l.line, Text: l.text}
	}

	// Deprecated forms that crypto-policies still reads.
	switch property {
	case "min_tls_version", "min_dtls_version":
		return p.minVersion(property, rhs, l, base)
	case "protocol":
		if !scoped {
			p.Warnings = append(p.Warnings, fmt.Sprintf("%s:%d: protocol without a scope is deprecated; write protocol@TLS", p.Path, l.line))
		}
	case "sha1_in_dnssec", "ssh_etm":
		// DNSSEC and SSH settings, which no TLS back end reads.
		return nil, nil
	}

	if _, ok := integerProperties[property]; ok {
		n, err := strconv.Atoi(rhs)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%s takes a number, not %q", property, cut(rhs))
		}
		return []Directive{base(OpSetInt, rhs)}, nil
	}
	if words, ok := enumProperties[property]; ok {
		for _, w := range words {
			if rhs == w {
				return []Directive{base(OpSetEnum, rhs)}, nil
			}
		}
		return nil, fmt.Errorf("invalid %s value %q; use one of %s", property, cut(rhs), strings.Join(words, ", "))
	}
	if _, ok := algorithms[property]; !ok {
		return nil, fmt.Errorf("unknown property %q; use cipher, mac, group, hash, sign, key_exchange, protocol, or a size such as min_rsa_size", cut(property))
	}
	if rhs != "" && strings.Trim(rhs, "0123456789") == "" {
		return nil, fmt.Errorf("%s takes algorithm names, not the number %s", property, rhs)
	}

	if strings.ContainsAny(rhs, "\"'") {
		return nil, fmt.Errorf("quote in %q: crypto-policies has no quoting, so remove the quotes around the names", cut(rhs))
	}
	values := strings.Fields(rhs)
	differential := 0
	for _, v := range values {
		if strings.HasPrefix(v, "+") || strings.HasPrefix(v, "-") || strings.HasSuffix(v, "+") {
			differential++
		}
	}
	var out []Directive
	tooMany := func() bool { return len(p.Directives)+len(out) > maxDirectives }
	switch {
	case differential == 0:
		out = append(out, base(OpReset, ""))
		for _, v := range values {
			for _, name := range p.names(property, v, l.line) {
				out = append(out, base(OpAppend, name))
			}
			if tooMany() {
				break
			}
		}
	case differential == len(values):
		for _, v := range values {
			switch {
			case strings.HasPrefix(v, "+"):
				names := p.names(property, v[1:], l.line)
				for i := len(names) - 1; i >= 0; i-- {
					out = append(out, base(OpPrepend, names[i]))
				}
			case strings.HasSuffix(v, "+"):
				names := p.names(property, v[:len(v)-1], l.line)
				// crypto-policies appends a wildcard's names in reverse
				// list order.
				for i := len(names) - 1; i >= 0; i-- {
					out = append(out, base(OpAppend, names[i]))
				}
			default:
				for _, name := range p.names(property, v[1:], l.line) {
					out = append(out, base(OpOmit, name))
				}
			}
			if tooMany() {
				break
			}
		}
	default:
		return nil, fmt.Errorf("line %q mixes a new list with +/- changes; put changes (+A, A+, -A) and a new list (A B) on separate lines", cut(l.text))
	}
	return out, nil
}

// names expands one value of property. A name this audit does not know is
// a warning rather than an error, because newer crypto-policies releases
// add names.
func (p *Policy) names(property, pattern string, line int) []string {
	names := expand(property, pattern)
	if len(names) == 0 {
		p.Warnings = append(p.Warnings, fmt.Sprintf("%s:%d: %s %q matches no algorithm this audit knows, so it is ignored (crypto-policies rejects names it does not know)", p.Path, line, property, cut(pattern)))
	}
	return names
}

// minVersion rewrites "min_tls_version = TLS1.2" as crypto-policies does:
// into "protocol@TLS = -SSL2.0 -SSL3.0 -TLS1.0 -TLS1.1".
func (p *Policy) minVersion(property, rhs string, l logicalLine, base func(Op, string) Directive) ([]Directive, error) {
	p.Warnings = append(p.Warnings, fmt.Sprintf("%s:%d: %s is deprecated; write protocol@TLS with the versions to allow", p.Path, l.line, property))
	list := tlsProtocols
	if property == "min_dtls_version" {
		list = []string{"DTLS1.2", "DTLS1.0", "DTLS0.9"}
	}
	if rhs == "0" {
		return nil, nil
	}
	i := -1
	for j, v := range list {
		if v == rhs {
			i = j
		}
	}
	if i < 0 {
		return nil, fmt.Errorf("invalid %s value %q; use one of %s", property, cut(rhs), strings.Join(list, ", "))
	}
	var out []Directive
	for j := len(list) - 1; j > i; j-- {
		d := base(OpOmit, list[j])
		d.Property, d.Scope = "protocol", "tls"
		out = append(out, d)
	}
	return out, nil
}

// cut shortens s for an error message.
func cut(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}
