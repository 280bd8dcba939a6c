package tomcat

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/scimdoctor/scimdoctor/audit/cipherstring"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// defaultCiphers is the ciphers value of an SSLHostConfig without the
// attribute in Tomcat 10.1.60 (measured with new SSLHostConfig().getCiphers()).
// Tomcat 9 and 8.5 default to the same string with "!EXPORT:" after
// "!eNULL:", which selects the same suites because EXPORT matches nothing.
const defaultCiphers = "HIGH:!aNULL:!eNULL:!DES:!RC4:!MD5:!kRSA"

// defaultCipherSuites is the cipherSuites value (TLS 1.3 suites) of an
// SSLHostConfig without the attribute in Tomcat 10.1.60.
// NOTE: cipherSuites is a recent attribute; older Tomcat releases take TLS
// 1.3 suites from ciphers alone, which this package does not model.
const defaultCipherSuites = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"

// parseCipherSuites splits a cipherSuites value at ':' and ',' as Tomcat
// 10.1.60 does. It returns the TLS 1.3 suite names in order and the other
// entries, which Tomcat ignores with a warning. Names are case-sensitive.
func parseCipherSuites(value string) (suites, skipped []string) {
	for _, name := range strings.FieldsFunc(value, func(r rune) bool { return r == ':' || r == ',' }) {
		name = strings.TrimSpace(name)
		switch {
		case name == "":
		case name == aes256GCM || name == chacha20 || name == aes128GCM || name == aes128CCM || name == aes128CC8:
			if !contains(suites, name) {
				suites = append(suites, name)
			}
		default:
			skipped = append(skipped, name)
		}
	}
	return suites, skipped
}

// TLS 1.3 suites in Tomcat's own cipher table.
const (
	aes256GCM = "TLS_AES_256_GCM_SHA384"
	chacha20  = "TLS_CHACHA20_POLY1305_SHA256"
	aes128GCM = "TLS_AES_128_GCM_SHA256"
	aes128CCM = "TLS_AES_128_CCM_SHA256"
	aes128CC8 = "TLS_AES_128_CCM_8_SHA256"
)

// tls13Aliases lists the TLS 1.3 suites that each alias of Tomcat's cipher
// string parser selects. Tomcat, unlike OpenSSL, adds the TLS 1.3 suites
// that ciphers selects to those of cipherSuites. Measured with
// OpenSSLCipherConfigurationParser.parseExpression of Tomcat 10.1.60. Every
// other alias tried selects no TLS 1.3 suite, among them ECDHE, kECDHE,
// EECDH, EDH, DHE, aRSA, kRSA, RSA, aECDSA, ECDSA, DSS, aNULL, eNULL, AEAD,
// SHA256, SHA384, SHA1, PSK, FIPS, LOW, TLSv1, TLSv1.2 and TLSv1.3.
var tls13Aliases = map[string][]string{
	"ALL":                 {aes256GCM, chacha20, aes128GCM, aes128CCM, aes128CC8},
	"HIGH":                {aes256GCM, chacha20, aes128GCM, aes128CCM},
	"MEDIUM":              {aes128CC8},
	"DEFAULT":             {aes256GCM, chacha20, aes128GCM},
	"COMPLEMENTOFDEFAULT": {aes128CCM, aes128CC8},
	"AES":                 {aes256GCM, aes128GCM, aes128CCM, aes128CC8},
	"AES128":              {aes128GCM, aes128CCM, aes128CC8},
	"AES256":              {aes256GCM},
	"AESGCM":              {aes256GCM, aes128GCM},
	"AESCCM":              {aes128CCM, aes128CC8},
	"AESCCM8":             {aes128CC8},
	"CHACHA20":            {chacha20},
}

// cipherList is an evaluated ciphers value.
type cipherList struct {
	// Suites are the TLS 1.2-and-older suites, IANA names, in Tomcat's
	// order. Suites13 are the TLS 1.3 suites, in table order.
	Suites   []string
	Suites13 []string
	// Warnings name the terms Tomcat skips ("Unknown element in cipher
	// string").
	Warnings []string
}

// evaluateCiphers evaluates a ciphers value as Tomcat's JSSE connectors do.
// Tomcat reads both syntaxes with one parser: OpenSSL cipher-string terms
// and JSSE or IANA suite names, separated by ':', ',', ';' or spaces. The
// TLS 1.2-and-older part follows OpenSSL 3.0's rules (package
// cipherstring), after JSSE names are mapped to OpenSSL names; the TLS 1.3
// part follows tls13Aliases. Security levels do not apply, because Tomcat's
// parser has none. An error names a cipher string that cipherstring
// rejects as a whole.
func evaluateCiphers(value string) (cipherList, error) {
	var out cipherList
	if len(value) > cipherstring.MaxInputLength {
		return out, fmt.Errorf("ciphers value of %d bytes exceeds the %d-byte limit of a cipher string", len(value), cipherstring.MaxInputLength)
	}
	var terms12 []string
	var set13 []string
	killed13 := map[string]bool{}
	for _, term := range splitTerms(value) {
		op := byte(0)
		body := term
		if strings.ContainsRune("+-!@", rune(term[0])) {
			op, body = term[0], term[1:]
		}
		if op == '@' {
			terms12 = append(terms12, term)
			continue
		}
		parts := strings.Split(body, "+")
		mapped, is13, unknown := mapParts(parts)
		if unknown != "" {
			out.Warnings = append(out.Warnings, fmt.Sprintf("the audit skips %q: %q is neither a suite in OpenSSL 3.0's table (which lacks 3DES, RC4 and export suites) nor an alias, so a JVM that still allows it may offer more than listed", term, unknown))
			continue
		}
		if !is13 {
			prefix := ""
			if op != 0 {
				prefix = string(op)
			}
			terms12 = append(terms12, prefix+strings.Join(mapped, "+"))
		}

		members := tls13Members(parts)
		switch op {
		case 0:
			for _, s := range members {
				if !killed13[s] && !contains(set13, s) {
					set13 = append(set13, s)
				}
			}
		case '-':
			for _, s := range members {
				set13 = remove(set13, s)
			}
		case '!':
			for _, s := range members {
				set13 = remove(set13, s)
				killed13[s] = true
			}
		}
	}

	suites, warnings, err := evaluate12(terms12)
	out.Suites = suites
	out.Warnings = append(out.Warnings, warnings...)
	if err != nil {
		return out, err
	}
	for _, s := range []string{aes256GCM, chacha20, aes128GCM, aes128CCM, aes128CC8} {
		if contains(set13, s) {
			out.Suites13 = append(out.Suites13, s)
		}
	}
	return out, nil
}

// evaluate12 evaluates the TLS 1.2-and-older terms with OpenSSL 3.0's rules
// and returns the IANA names in order. Tomcat's parser skips a term it
// cannot read where OpenSSL rejects the whole string, so a term at which
// cipherstring reports a syntax error is dropped with a warning and the
// rest evaluated again.
func evaluate12(terms []string) (suites, warnings []string, err error) {
	for retry := 0; len(terms) > 0; retry++ {
		if retry == maxSkippedTerms {
			return nil, warnings, fmt.Errorf("more than %d unreadable terms in the cipher string", maxSkippedTerms)
		}
		joined := strings.Join(terms, ":")
		r, err := cipherstring.Evaluate(joined, cipherstring.OpenSSL30, cipherstring.Options{})
		var cerr *cipherstring.Error
		switch {
		case err == nil:
			for _, s := range r.Suites {
				suites = append(suites, registry.SuiteName(s.ID))
			}
			return suites, append(warnings, r.Warnings...), nil
		case errors.As(err, &cerr) && cerr.Offset < 0:
			// No TLS 1.2-and-older suite: Tomcat accepts that as long as
			// a TLS 1.3 suite remains.
			return nil, warnings, nil
		case errors.As(err, &cerr) && cerr.Offset < len(joined):
			i := termAt(terms, cerr.Offset)
			warnings = append(warnings, fmt.Sprintf("Tomcat skips %q, which it cannot read (%s)", terms[i], cerr.Reason))
			terms = append(terms[:i:i], terms[i+1:]...)
		default:
			return nil, warnings, err
		}
	}
	return nil, warnings, nil
}

// termAt returns the index of the term that covers byte offset of the
// terms joined with ':'.
func termAt(terms []string, offset int) int {
	pos := 0
	for i, t := range terms {
		if offset < pos+len(t)+1 {
			return i
		}
		pos += len(t) + 1
	}
	return len(terms) - 1
}

// nameBytes are the bytes of OpenSSL suite names and aliases. A term with
// another byte is skipped before evaluation.
const nameBytes = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.="

// maxSkippedTerms bounds how often evaluate12 drops a term and evaluates
// again, so a hostile value cannot make the work quadratic.
const maxSkippedTerms = 32

// splitTerms splits a ciphers value at ':', ',', ';' and white space.
func splitTerms(value string) []string {
	return strings.FieldsFunc(value, func(r rune) bool {
		return r == ':' || r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
}

// mapParts maps the '+'-joined names of one term for cipherstring: JSSE and
// IANA names become OpenSSL names, and aliases stay. is13 reports a term
// that names a TLS 1.3 suite, which selects no older suite. unknown is
// the first name that is neither an OpenSSL 3.0 suite nor an alias.
func mapParts(parts []string) (mapped []string, is13 bool, unknown string) {
	for _, p := range parts {
		if p == "" || strings.Trim(p, nameBytes) != "" {
			return nil, false, p
		}
		if strings.HasPrefix(p, "TLS_") || strings.HasPrefix(p, "SSL_") {
			info, ok := registry.SuiteByName("TLS_" + p[4:])
			switch {
			case ok && info.TLS13:
				is13 = true
				continue
			case ok && openSSLNames()[info.ID] != "":
				mapped = append(mapped, openSSLNames()[info.ID])
				continue
			default:
				return nil, false, p
			}
		}
		mapped = append(mapped, p)
	}
	return mapped, is13, ""
}

// tls13Members returns the TLS 1.3 suites that a term's '+'-joined names
// all select.
func tls13Members(parts []string) []string {
	var set []string
	for i, p := range parts {
		var m []string
		switch {
		case tls13Aliases[p] != nil:
			m = tls13Aliases[p]
		case p == aes256GCM || p == chacha20 || p == aes128GCM || p == aes128CCM || p == aes128CC8:
			m = []string{p}
		}
		if i == 0 {
			set = m
			continue
		}
		var both []string
		for _, s := range set {
			if contains(m, s) {
				both = append(both, s)
			}
		}
		set = both
	}
	return set
}

// remove returns list without v.
func remove(list []string, v string) []string {
	var out []string
	for _, x := range list {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}

// openSSLNames maps IANA ids to OpenSSL 3.0 names for every TLS 1.2-and-older
// suite OpenSSL 3.0 implements.
var openSSLNames = sync.OnceValue(func() map[uint16]string {
	table := map[uint16]string{}
	if r, err := cipherstring.Evaluate("ALL:COMPLEMENTOFALL", cipherstring.OpenSSL30, cipherstring.Options{}); err == nil {
		for _, s := range r.Suites {
			table[s.ID] = s.Name
		}
	}
	return table
})
