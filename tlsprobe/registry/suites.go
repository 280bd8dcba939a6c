package registry

import (
	"sort"
	"strings"
)

// SuiteInfo describes one cipher suite of the IANA TLS Cipher Suites
// registry. All fields but ID, Name and OpenSSLName are derived from Name.
type SuiteInfo struct {
	ID uint16 `json:"id"`
	// Name is the IANA name, such as "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256".
	Name string `json:"name"`
	// OpenSSLName is the name OpenSSL uses, such as
	// "ECDHE-RSA-AES128-GCM-SHA256", or "" when OpenSSL never named it.
	OpenSSLName string `json:"openssl_name,omitempty"`

	// KeyExchange is "RSA", "DH" (static), "DHE", "ECDH" (static), "ECDHE",
	// "PSK", "SRP", "KRB5", "ECCPWD" or "NULL", or "any" for TLS 1.3 suites,
	// which leave the key exchange to the key_share extension.
	KeyExchange string `json:"key_exchange"`
	// Authentication is "RSA", "DSS", "ECDSA", "PSK", "SRP", "KRB5",
	// "ECCPWD", "anon" or "NULL", or "any" for TLS 1.3 suites.
	Authentication string `json:"authentication"`
	// Cipher is the bulk cipher as the IANA name spells it, such as
	// "AES_128_GCM", "3DES_EDE_CBC", "CHACHA20_POLY1305" or "NULL".
	Cipher string `json:"cipher"`
	// CipherBits is the key size of Cipher in bits (168 for 3DES_EDE, 0 for
	// NULL).
	CipherBits int `json:"cipher_bits"`
	// MAC is the record MAC: "MD5", "SHA1", "SHA256", "SHA384", "SM3", "NULL",
	// or "AEAD" when the cipher authenticates the record itself.
	MAC string `json:"mac"`
	// AEAD reports an AEAD cipher (GCM, CCM, ChaCha20-Poly1305, MGM).
	AEAD bool `json:"aead,omitempty"`
	// Export reports an export-grade suite (40- or 56-bit keys).
	Export bool `json:"export,omitempty"`
	// TLS13 reports a TLS 1.3 suite (RFC 8446, Appendix B.4).
	TLS13 bool `json:"tls13,omitempty"`
	// Signaling reports a signaling cipher suite value (SCSV) such as
	// TLS_EMPTY_RENEGOTIATION_INFO_SCSV, which names no cipher.
	Signaling bool `json:"signaling,omitempty"`

	// MinVersion and MaxVersion bound the protocol versions in which the
	// suite may be negotiated, as wire values such as 0x0303. Zero for
	// signaling values.
	MinVersion uint16 `json:"min_version,omitempty"`
	MaxVersion uint16 `json:"max_version,omitempty"`

	// Strength is the suite's class, derived from its properties by
	// strengthOf. Empty for signaling values.
	Strength Strength `json:"strength,omitempty"`
}

// Strength classes a cipher suite by what it protects against.
type Strength string

const (
	// StrengthStrong: forward secrecy and an AEAD cipher, as in every
	// TLS 1.3 suite with encryption and the ECDHE/DHE GCM, CCM and
	// ChaCha20-Poly1305 suites of TLS 1.2.
	StrengthStrong Strength = "strong"
	// StrengthAcceptable: forward secrecy and a 128-bit or larger block
	// cipher in CBC mode with an HMAC. Sound, but CBC with MAC-then-encrypt
	// has a history of padding-oracle attacks (Lucky Thirteen).
	StrengthAcceptable Strength = "acceptable"
	// StrengthWeak: no forward secrecy (static RSA, DH, ECDH or plain PSK
	// key exchange), or a 64-bit block cipher (3DES, IDEA), which Sweet32
	// attacks after about 2^32 blocks.
	StrengthWeak Strength = "weak"
	// StrengthInsecure: no encryption (NULL), no server authentication
	// (anon), export grade, RC4, RC2, single DES, or an MD5 MAC.
	StrengthInsecure Strength = "insecure"
)

// ValidFor reports whether the suite may be negotiated in protocol version v
// (a wire value such as VersionTLS12). Signaling values are valid for none.
func (s SuiteInfo) ValidFor(v uint16) bool {
	return !s.Signaling && s.MinVersion <= v && v <= s.MaxVersion
}

// ForwardSecret reports whether the key exchange is ephemeral: DHE or ECDHE
// in TLS 1.2 and earlier, and every TLS 1.3 suite.
func (s SuiteInfo) ForwardSecret() bool {
	return s.TLS13 || s.KeyExchange == "DHE" || s.KeyExchange == "ECDHE"
}

// suiteEntry is one row of the table: the id and names as registered. The
// properties are derived by deriveSuite.
type suiteEntry struct {
	id      uint16
	name    string
	openssl string
}

var (
	suitesByID   = map[uint16]SuiteInfo{}
	suitesByName = map[string]SuiteInfo{}
	suitesSorted []SuiteInfo
)

func init() {
	for _, e := range suiteTable {
		if _, dup := suitesByID[e.id]; dup {
			panic("registry: duplicate cipher suite id " + formatID(e.id))
		}
		info := deriveSuite(e)
		suitesByID[e.id] = info
		suitesByName[strings.ToUpper(info.Name)] = info
		if info.OpenSSLName != "" {
			suitesByName[strings.ToUpper(info.OpenSSLName)] = info
		}
		suitesSorted = append(suitesSorted, info)
	}
	sort.Slice(suitesSorted, func(i, j int) bool { return suitesSorted[i].ID < suitesSorted[j].ID })
}

// Suite returns the cipher suite with the given id.
func Suite(id uint16) (SuiteInfo, bool) {
	info, ok := suitesByID[id]
	return info, ok
}

// SuiteByName returns the cipher suite with the given IANA or OpenSSL name,
// ignoring case.
func SuiteByName(name string) (SuiteInfo, bool) {
	info, ok := suitesByName[strings.ToUpper(strings.TrimSpace(name))]
	return info, ok
}

// SuiteName returns the IANA name of a cipher suite, or "0x1234" when the id
// is not in the table.
func SuiteName(id uint16) string {
	if info, ok := suitesByID[id]; ok {
		return info.Name
	}
	return formatID(id)
}

// Suites returns every known cipher suite, sorted by id. The slice is a copy.
func Suites() []SuiteInfo {
	return append([]SuiteInfo(nil), suitesSorted...)
}

// deriveSuite fills the properties of a suite from its IANA name, which
// follows the pattern TLS_<key exchange>_<authentication>_WITH_<cipher>_<MAC>
// (RFC 5246, Appendix A.5), or TLS_<AEAD>_<hash> in TLS 1.3.
func deriveSuite(e suiteEntry) SuiteInfo {
	info := SuiteInfo{ID: e.id, Name: e.name, OpenSSLName: e.openssl}
	name := strings.TrimPrefix(e.name, "TLS_")

	if strings.HasSuffix(name, "_SCSV") {
		info.Signaling = true
		return info
	}

	kxAuth, cipherMAC, ok := strings.Cut(name, "_WITH_")
	if !ok {
		// TLS 1.3: the suite names the AEAD and the HKDF hash only.
		info.TLS13 = true
		info.KeyExchange, info.Authentication = "any", "any"
		info.MinVersion, info.MaxVersion = VersionTLS13, VersionTLS13
		if strings.HasPrefix(name, "SHA") {
			// TLS_SHA256_SHA256 and TLS_SHA384_SHA384 (RFC 9150) only
			// authenticate, with an HMAC of the named hash.
			_, info.MAC = splitCipherMAC(name)
			info.Cipher = "NULL"
		} else {
			info.Cipher, _ = splitCipherMAC(name)
			info.AEAD, info.MAC = true, "AEAD"
		}
		info.CipherBits = cipherBits(info.Cipher)
		info.Strength = strengthOf(info)
		return info
	}

	if strings.Contains(kxAuth, "_EXPORT") {
		info.Export = true
		kxAuth = strings.Replace(kxAuth, "_EXPORT", "", 1)
	}
	if strings.HasSuffix(cipherMAC, "_40_SHA") || strings.HasSuffix(cipherMAC, "_40_MD5") {
		// The KRB5 export suites put the flag after WITH.
		info.Export = true
	}
	info.KeyExchange, info.Authentication = splitKeyExchange(kxAuth)
	info.Cipher, info.MAC = splitCipherMAC(cipherMAC)
	info.AEAD = isAEAD(info.Cipher)
	if info.AEAD {
		info.MAC = "AEAD"
	}
	info.CipherBits = cipherBits(info.Cipher)
	info.MinVersion, info.MaxVersion = versionRange(info)
	info.Strength = strengthOf(info)
	return info
}

// strengthOf classes a derived suite. The first rule that matches decides:
// insecure properties, then weak ones, then the cipher mode.
func strengthOf(info SuiteInfo) Strength {
	switch {
	case info.Cipher == "NULL", info.Authentication == "anon", info.Authentication == "NULL",
		info.Export, info.MAC == "MD5", info.CipherBits > 0 && info.CipherBits < 112,
		strings.HasPrefix(info.Cipher, "RC4"), strings.HasPrefix(info.Cipher, "RC2"):
		return StrengthInsecure
	case !info.ForwardSecret(), strings.HasPrefix(info.Cipher, "3DES"), strings.HasPrefix(info.Cipher, "IDEA"):
		return StrengthWeak
	case info.AEAD:
		return StrengthStrong
	}
	return StrengthAcceptable
}

// splitKeyExchange splits the part before _WITH_ into key exchange and
// authentication.
func splitKeyExchange(s string) (kx, auth string) {
	switch s {
	case "NULL":
		return "NULL", "NULL"
	case "RSA":
		return "RSA", "RSA"
	case "PSK":
		return "PSK", "PSK"
	case "KRB5":
		return "KRB5", "KRB5"
	case "ECCPWD":
		return "ECCPWD", "ECCPWD"
	case "SRP_SHA":
		return "SRP", "SRP"
	case "SRP_SHA_RSA":
		return "SRP", "RSA"
	case "SRP_SHA_DSS":
		return "SRP", "DSS"
	case "PSK_DHE":
		// TLS_PSK_DHE_WITH_AES_128_CCM_8 (RFC 6655) swaps the words.
		return "DHE", "PSK"
	}
	kx, auth, ok := strings.Cut(s, "_")
	if !ok {
		return s, s
	}
	return kx, auth
}

// macNames maps the last word of a suite name to its MAC.
var macNames = map[string]string{
	"MD5":    "MD5",
	"SHA":    "SHA1",
	"SHA256": "SHA256",
	"SHA384": "SHA384",
	"SM3":    "SM3",
	"NULL":   "NULL",
}

// splitCipherMAC splits the part after _WITH_ into cipher and MAC. CCM
// suites of TLS 1.2 name no hash: their MAC is the cipher itself.
func splitCipherMAC(s string) (cipher, mac string) {
	i := strings.LastIndexByte(s, '_')
	if i >= 0 {
		if m, ok := macNames[s[i+1:]]; ok {
			return s[:i], m
		}
	}
	return s, "AEAD"
}

func isAEAD(cipher string) bool {
	return strings.Contains(cipher, "_GCM") || strings.Contains(cipher, "_CCM") ||
		strings.Contains(cipher, "POLY1305") || strings.Contains(cipher, "_MGM")
}

// cipherBits returns the key size of a cipher named as in the IANA registry.
func cipherBits(cipher string) int {
	switch {
	case cipher == "NULL":
		return 0
	case strings.HasPrefix(cipher, "3DES_EDE"):
		return 168
	case strings.Contains(cipher, "40"):
		return 40
	case strings.HasPrefix(cipher, "DES_CBC"):
		return 56
	case strings.HasPrefix(cipher, "CHACHA20"):
		return 256
	case strings.HasPrefix(cipher, "IDEA"), strings.HasPrefix(cipher, "SEED"), strings.HasPrefix(cipher, "SM4"):
		return 128
	case strings.Contains(cipher, "_256"):
		return 256
	case strings.Contains(cipher, "_128"):
		return 128
	}
	return 0
}

// versionRange returns the protocol versions a TLS 1.2-style suite may be
// negotiated in:
//   - AEAD ciphers, ARIA and HMAC-SHA256/384 need TLS 1.2 (RFC 5246,
//     RFC 5288, RFC 6209), except the PSK suites of RFC 5487 and RFC 6367,
//     which define SHA-256 and SHA-384 CBC suites for TLS 1.0 onwards;
//   - elliptic curve suites need TLS 1.0 (RFC 8422 does not apply to SSL 3.0);
//   - export suites end at TLS 1.0 (RFC 4346, Section 1.1 forbids them in
//     TLS 1.1), and DES and IDEA end at TLS 1.1 (RFC 5469).
func versionRange(info SuiteInfo) (min, max uint16) {
	min, max = VersionSSL30, VersionTLS12
	switch {
	case info.AEAD || strings.HasPrefix(info.Cipher, "ARIA"):
		min = VersionTLS12
	case info.MAC == "SHA256" || info.MAC == "SHA384":
		if info.Authentication == "PSK" && !strings.HasPrefix(info.Cipher, "ARIA") {
			min = VersionTLS10
		} else {
			min = VersionTLS12
		}
	case strings.HasPrefix(info.KeyExchange, "ECDH"):
		min = VersionTLS10
	}
	switch {
	case info.Export:
		max = VersionTLS10
	case strings.HasPrefix(info.Cipher, "DES_CBC"), strings.HasPrefix(info.Cipher, "IDEA"):
		max = VersionTLS11
	}
	return min, max
}
