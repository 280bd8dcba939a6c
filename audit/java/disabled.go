package java

import (
	"fmt"
	"strings"

	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// disabledEntry is one comma-separated entry of jdk.tls.disabledAlgorithms.
type disabledEntry struct {
	// text is the entry as written, without surrounding blanks.
	text string
	// name is the algorithm, protocol or suite name the entry starts with.
	name string
	// constrained marks an entry with a constraint, such as "DH keySize <
	// 1024" or "rsa_pkcs1_sha1 usage HandshakeSignature": it limits keys
	// or uses and disables no protocol or suite by name.
	constrained bool
	// pattern marks a suite pattern such as TLS_RSA_*, matched against
	// JSSE's suite names with * standing for any run of characters.
	pattern bool
}

// disabledList is a parsed jdk.tls.disabledAlgorithms value.
type disabledList struct {
	entries []disabledEntry
	// fatal is set when the JVM rejects the value, so that no default
	// SSLContext, and no TLS connection, can be made.
	fatal string
}

// parseDisabled splits value as the JDK does: entries separated by
// commas, "include NAME" replaced by the entries of the security property
// NAME (the JDK accepts only jdk.disabled.namedCurves there). lookup
// returns the value of a security property.
func parseDisabled(value string, line *jdkLine, lookup func(string) (string, bool)) disabledList {
	var list disabledList
	for _, raw := range strings.Split(value, ",") {
		text := strings.TrimSpace(raw)
		if text == "" {
			continue
		}
		if target, ok := strings.CutPrefix(text, "include "); ok {
			target = strings.TrimSpace(target)
			if included, found := lookup(target); found {
				for _, inner := range strings.Split(included, ",") {
					if inner = strings.TrimSpace(inner); inner != "" {
						list.entries = append(list.entries, newDisabledEntry(inner))
					}
				}
			}
			continue
		}
		entry := newDisabledEntry(text)
		if entry.pattern && line.wildcards && !strings.HasPrefix(entry.name, "TLS_") {
			// Measured on JDK 17.0.21: the SSLContext fails to initialize
			// with "Wildcard pattern must start with "TLS_"".
			list.fatal = fmt.Sprintf("jdk.tls.disabledAlgorithms entry %q is a pattern that does not start with TLS_ (case-sensitive), so the JVM fails to create any SSLContext and every TLS connection fails", text)
		}
		list.entries = append(list.entries, entry)
	}
	return list
}

func newDisabledEntry(text string) disabledEntry {
	name, constraint, _ := strings.Cut(text, " ")
	return disabledEntry{
		text:        text,
		name:        name,
		constrained: strings.TrimSpace(constraint) != "",
		pattern:     strings.Contains(name, "*"),
	}
}

// disablesProtocol reports whether the entry disables the JSSE protocol
// name, such as "TLSv1.1". Names compare without regard to case.
func (e disabledEntry) disablesProtocol(protocol string) bool {
	return !e.constrained && !e.pattern && strings.EqualFold(e.name, protocol)
}

// disablesSuite reports whether the entry disables the suite with IANA
// name iana. A name entry matches the suite's JSSE name or one of its
// components (key exchange, cipher, MAC and PRF hash names, as the JDK's
// SSLAlgorithmDecomposer lists them) without regard to case. A pattern
// matches JSSE's name, case-sensitively, on lines that accept patterns.
func (e disabledEntry) disablesSuite(iana string, line *jdkLine) bool {
	if e.constrained {
		return false
	}
	jsse := jsseSuiteName(iana)
	if e.pattern {
		if !line.wildcards {
			return false
		}
		return matchPattern(e.name, jsse)
	}
	if strings.EqualFold(e.name, jsse) {
		return true
	}
	for _, c := range suiteComponents(iana) {
		if strings.EqualFold(e.name, c) {
			return true
		}
	}
	return false
}

// matchPattern reports whether name matches pattern, in which only *
// is special and stands for any run of characters.
func matchPattern(pattern, name string) bool {
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(name, parts[0]) {
		return false
	}
	name = name[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, part := range parts[1 : len(parts)-1] {
		i := strings.Index(name, part)
		if i < 0 {
			return false
		}
		name = name[i+len(part):]
	}
	if len(parts) == 1 {
		return name == ""
	}
	return strings.HasSuffix(name, last)
}

// jsseSuiteName returns the name JSSE uses for a suite: the IANA name,
// except that suites of the SSL 3.0 range (ids up to 0x001B) keep their
// SSL_ prefix, such as SSL_RSA_WITH_3DES_EDE_CBC_SHA. Entries and
// patterns of jdk.tls.disabledAlgorithms match that name, so TLS_RSA_*
// leaves SSL_RSA_WITH_3DES_EDE_CBC_SHA enabled (measured on JDK 17.0.21).
func jsseSuiteName(iana string) string {
	if info, ok := registry.SuiteByName(iana); ok && info.ID <= 0x001B && strings.HasPrefix(iana, "TLS_") {
		return "SSL_" + iana[len("TLS_"):]
	}
	return iana
}

// keyExchangeComponents are the names each JSSE key exchange decomposes
// into.
var keyExchangeComponents = map[string][]string{
	"RSA":         {"RSA"},
	"DHE_RSA":     {"RSA", "DH", "DHE", "DiffieHellman", "DHE_RSA"},
	"DHE_DSS":     {"DSA", "DSS", "DH", "DHE", "DiffieHellman", "DHE_DSS"},
	"DH_anon":     {"ANON", "DH", "DiffieHellman", "DH_ANON"},
	"ECDH_ECDSA":  {"ECDH", "ECDSA", "ECDH_ECDSA"},
	"ECDH_RSA":    {"ECDH", "RSA", "ECDH_RSA"},
	"ECDHE_ECDSA": {"ECDHE", "ECDSA", "ECDHE_ECDSA"},
	"ECDHE_RSA":   {"ECDHE", "RSA", "ECDHE_RSA"},
	"ECDH_anon":   {"ECDH", "ANON", "ECDH_ANON"},
}

// cipherComponents are the names each bulk cipher decomposes into: the
// parts of its JCE transformation (AES/GCM/NoPadding) and JSSE's own name.
// "3DES" and "TripleDES" match nothing; DESede does (measured).
var cipherComponents = map[string][]string{
	"AES_128_CBC":       {"AES", "CBC", "NoPadding", "AES_128_CBC"},
	"AES_256_CBC":       {"AES", "CBC", "NoPadding", "AES_256_CBC"},
	"AES_128_GCM":       {"AES", "GCM", "NoPadding", "AES_128_GCM"},
	"AES_256_GCM":       {"AES", "GCM", "NoPadding", "AES_256_GCM"},
	"CHACHA20_POLY1305": {"ChaCha20-Poly1305", "CHACHA20-POLY1305"},
	"3DES_EDE_CBC":      {"DESede", "CBC", "NoPadding", "3DES_EDE_CBC"},
	"DES_CBC":           {"DES", "CBC", "NoPadding", "DES_CBC"},
	"RC4_128":           {"RC4", "RC4_128"},
	"NULL":              {"NULL", "C_NULL"},
}

// hashComponents are the names of the MAC and PRF hashes.
var hashComponents = map[string][]string{
	"MD5":    {"MD5", "HmacMD5"},
	"SHA":    {"SHA1", "SHA-1", "HmacSHA1"},
	"SHA256": {"SHA256", "SHA-256", "HmacSHA256"},
	"SHA384": {"SHA384", "SHA-384", "HmacSHA384"},
}

// suiteParts splits an IANA suite name into its key exchange ("" for a
// TLS 1.3 suite), bulk cipher and MAC or hash ("SHA256"). ok is false for
// a suite JSSE does not implement, such as CCM, CAMELLIA or PSK suites.
func suiteParts(iana string) (kx, cipher, mac string, ok bool) {
	rest, found := strings.CutPrefix(iana, "TLS_")
	if !found {
		return "", "", "", false
	}
	if k, after, with := strings.Cut(rest, "_WITH_"); with {
		kx, rest = k, after
		if _, known := keyExchangeComponents[kx]; !known {
			return "", "", "", false
		}
	}
	i := strings.LastIndex(rest, "_")
	if i < 0 {
		return "", "", "", false
	}
	cipher, mac = rest[:i], rest[i+1:]
	if _, known := cipherComponents[cipher]; !known {
		return "", "", "", false
	}
	if _, known := hashComponents[mac]; !known {
		return "", "", "", false
	}
	if kx == "" && !strings.Contains(cipher, "GCM") && cipher != "CHACHA20_POLY1305" {
		return "", "", "", false
	}
	return kx, cipher, mac, true
}

// suiteComponents returns the names a suite decomposes into: its key
// exchange, cipher, MAC and the hash of its PRF. Every TLS 1.2 suite that
// does not end in SHA384 uses the SHA-256 PRF, so "SHA256" disables
// TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA too (measured on JDK 17.0.21).
func suiteComponents(iana string) []string {
	kx, cipher, mac, ok := suiteParts(iana)
	if !ok {
		return nil
	}
	var out []string
	out = append(out, keyExchangeComponents[kx]...)
	out = append(out, cipherComponents[cipher]...)
	aead := strings.Contains(cipher, "GCM") || cipher == "CHACHA20_POLY1305"
	if !aead {
		out = append(out, hashComponents[mac]...)
	}
	prf := "SHA256"
	if mac == "SHA384" {
		prf = "SHA384"
	}
	return append(out, hashComponents[prf]...)
}

// suiteVersions returns the JSSE protocol names a suite can be negotiated
// in: TLS 1.3 suites only in TLSv1.3, AEAD and SHA-256/384 suites only in
// TLSv1.2, the others from SSLv3 to TLSv1.2.
func suiteVersions(iana string) []string {
	kx, cipher, mac, ok := suiteParts(iana)
	switch {
	case !ok:
		return nil
	case kx == "":
		return []string{"TLSv1.3"}
	case strings.Contains(cipher, "GCM") || cipher == "CHACHA20_POLY1305" || mac == "SHA256" || mac == "SHA384":
		return []string{"TLSv1.2"}
	}
	return []string{"TLSv1.2", "TLSv1.1", "TLSv1", "SSLv3"}
}
