package haproxy

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
)

// debianFeatures are the "+" entries of the feature list that
// `haproxy -vv` prints for Debian 12's haproxy 2.6.12 package, which
// feature() in .if conditions tests.
var debianFeatures = []string{
	"ACCEPT4", "BACKTRACE", "CPU_AFFINITY", "CRYPT_H", "DL", "EPOLL",
	"GETADDRINFO", "LIBCRYPT", "LINUX_SPLICE", "LINUX_TPROXY", "LUA",
	"NETFILTER", "NS", "OPENSSL", "OT", "PCRE2", "PCRE2_JIT", "POLL", "PRCTL",
	"PROMEX", "RT", "SLZ", "SYSTEMD", "TFO", "THREAD", "THREAD_DUMP", "TPROXY",
}

// debianOpenSSL is the OpenSSL version that openssl_version_atleast() in
// .if conditions tests: the one Debian 12's haproxy ran with here. Debian's
// security updates raise the last number.
const debianOpenSSL = "3.0.19"

// evalCondition evaluates the words after .if or .elif: terms joined by
// "&&" and "||", "!" and parentheses, where a term is a number (non-zero is
// true) or a predicate such as defined(NAME) or version_atleast(2.2).
func (c *Config) evalCondition(args []string) (bool, error) {
	text := strings.Join(args, " ")
	if strings.TrimSpace(text) == "" {
		return false, fmt.Errorf(".if without a condition; write a predicate such as version_atleast(2.2)")
	}
	p := &condParser{text: text, config: c}
	v, err := p.expr(0)
	if err != nil {
		return false, err
	}
	p.skipBlanks()
	if p.pos < len(p.text) {
		return false, fmt.Errorf("unexpected %q in condition %q", p.text[p.pos:], text)
	}
	return v, nil
}

type condParser struct {
	text   string
	pos    int
	config *Config
}

// maxCondNesting bounds parentheses so that hostile input cannot exhaust
// the stack.
const maxCondNesting = 64

func (p *condParser) skipBlanks() {
	for p.pos < len(p.text) && (p.text[p.pos] == ' ' || p.text[p.pos] == '\t') {
		p.pos++
	}
}

func (p *condParser) consume(op string) bool {
	p.skipBlanks()
	if strings.HasPrefix(p.text[p.pos:], op) {
		p.pos += len(op)
		return true
	}
	return false
}

func (p *condParser) expr(depth int) (bool, error) {
	v, err := p.and(depth)
	if err != nil {
		return false, err
	}
	for p.consume("||") {
		w, err := p.and(depth)
		if err != nil {
			return false, err
		}
		v = v || w
	}
	return v, nil
}

func (p *condParser) and(depth int) (bool, error) {
	v, err := p.factor(depth)
	if err != nil {
		return false, err
	}
	for p.consume("&&") {
		w, err := p.factor(depth)
		if err != nil {
			return false, err
		}
		v = v && w
	}
	return v, nil
}

func (p *condParser) factor(depth int) (bool, error) {
	if depth > maxCondNesting {
		return false, fmt.Errorf("condition nests deeper than %d levels", maxCondNesting)
	}
	if p.consume("!") {
		v, err := p.factor(depth + 1)
		return !v, err
	}

	if p.consume("(") {
		v, err := p.expr(depth + 1)
		if err != nil {
			return false, err
		}
		if !p.consume(")") {
			return false, fmt.Errorf("missing ) in condition %q", p.text)
		}
		return v, nil
	}

	// A number, or a predicate name followed by its arguments.
	p.skipBlanks()
	start := p.pos
	for p.pos < len(p.text) && strings.IndexByte(" \t()&|!", p.text[p.pos]) < 0 {
		p.pos++
	}
	name := p.text[start:p.pos]
	if name == "" {
		return false, fmt.Errorf("missing term at column %d of condition %q", start+1, p.text)
	}
	if !p.consume("(") {
		n, err := strconv.ParseInt(name, 10, 64)
		if err != nil {
			return false, fmt.Errorf("invalid term %q in condition; write a number or a predicate such as defined(NAME)", name)
		}
		return n != 0, nil
	}

	end := strings.IndexByte(p.text[p.pos:], ')')
	if end < 0 {
		return false, fmt.Errorf("missing ) after %s( in condition %q", name, p.text)
	}
	var args []string
	for _, a := range strings.Split(p.text[p.pos:p.pos+end], ",") {
		args = append(args, strings.TrimSpace(a))
	}
	p.pos += end + 1
	return p.config.predicate(name, args)
}

func (c *Config) predicate(name string, args []string) (bool, error) {
	want := map[string]int{
		"defined": 1, "feature": 1, "streq": 2, "strneq": 2,
		"version_atleast": 1, "version_before": 1,
		"openssl_version_atleast": 1, "openssl_version_before": 1,
		"ssllib_name_startswith": 1, "enabled": 1,
	}
	n, ok := want[name]
	if !ok {
		return false, fmt.Errorf("unknown predicate %s() in condition; HAProxy 2.6 knows defined, feature, streq, strneq, version_atleast, version_before, openssl_version_atleast, openssl_version_before, ssllib_name_startswith and enabled", name)
	}
	if len(args) != n {
		return false, fmt.Errorf("%s() takes %d argument(s), got %d", name, n, len(args))
	}
	switch name {
	case "defined":
		_, set := os.LookupEnv(args[0])
		return set, nil
	case "feature":
		return slices.Contains(debianFeatures, args[0]), nil
	case "streq":
		return args[0] == args[1], nil
	case "strneq":
		return args[0] != args[1], nil
	case "version_atleast":
		return compareVersions(c.version, args[0]) >= 0, nil
	case "version_before":
		return compareVersions(c.version, args[0]) < 0, nil
	case "openssl_version_atleast":
		return compareVersions(debianOpenSSL, args[0]) >= 0, nil
	case "openssl_version_before":
		return compareVersions(debianOpenSSL, args[0]) < 0, nil
	case "ssllib_name_startswith":
		return strings.HasPrefix("OpenSSL", args[0]), nil
	}
	// enabled(POLL, EPOLL, SPLICE ...) tests a run-time option.
	// NOTE: it is true for every name here, although global options such
	// as noepoll turn one off.
	return true, nil
}

// compareVersions compares dotted versions such as "2.6.12" and "2.2"
// numerically. A missing or non-numeric part counts as 0.
func compareVersions(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(pa), len(pb)); i++ {
		var x, y int
		if i < len(pa) {
			x, _ = strconv.Atoi(leadingDigits(pa[i]))
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(leadingDigits(pb[i]))
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

func leadingDigits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' && i < 9 {
		i++
	}
	return s[:i]
}
