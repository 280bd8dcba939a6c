package registry

import (
	"sort"
	"strings"
)

// SchemeInfo describes one signature scheme of the IANA TLS SignatureScheme
// registry (RFC 8446, Section 4.2.3), or one of the TLS 1.2 hash and
// signature pairs that the registry reserves (RFC 5246, Section 7.4.1.4.1).
type SchemeInfo struct {
	ID uint16 `json:"id"`
	// Name is the IANA name, such as "rsa_pss_rsae_sha256". The reserved
	// TLS 1.2 pairs that the registry leaves unnamed get a name of the same
	// form, such as "dsa_sha1".
	Name string `json:"name"`
	// Signature is "RSA-PKCS1", "RSA-PSS", "ECDSA", "EdDSA", "DSA", "SM2",
	// "ML-DSA", "GOST" (GOST R 34.10-2012), "ECCSI" or "IBS" (the
	// identity-based schemes of ISO/IEC 14888-3).
	Signature string `json:"signature"`
	// Hash is "MD5", "SHA1", "SHA224", "SHA256", "SHA384", "SHA512", "SM3",
	// "STREEBOG256" or "STREEBOG512" (GOST R 34.11-2012), or "" when the
	// scheme hashes internally (EdDSA, ML-DSA) or its name fixes no hash
	// (the iso_* identity-based schemes).
	Hash string `json:"hash,omitempty"`
	// TLS13 reports whether TLS 1.3 allows the scheme in CertificateVerify.
	TLS13 bool `json:"tls13,omitempty"`
	// Legacy reports a scheme with MD5, SHA-1 or SHA-224, or with DSA.
	Legacy bool `json:"legacy,omitempty"`
}

// Signature scheme ids that the probes use by name.
const (
	SchemeRSAPKCS1SHA1         uint16 = 0x0201
	SchemeECDSASHA1            uint16 = 0x0203
	SchemeRSAPKCS1SHA256       uint16 = 0x0401
	SchemeECDSAP256SHA256      uint16 = 0x0403
	SchemeRSAPKCS1SHA384       uint16 = 0x0501
	SchemeECDSAP384SHA384      uint16 = 0x0503
	SchemeRSAPKCS1SHA512       uint16 = 0x0601
	SchemeECDSAP521SHA512      uint16 = 0x0603
	SchemeRSAPSSRSAESHA256     uint16 = 0x0804
	SchemeRSAPSSRSAESHA384     uint16 = 0x0805
	SchemeRSAPSSRSAESHA512     uint16 = 0x0806
	SchemeEd25519              uint16 = 0x0807
	SchemeEd448                uint16 = 0x0808
	SchemeRSAPSSPSSSHA256      uint16 = 0x0809
	SchemeRSAPSSPSSSHA384      uint16 = 0x080a
	SchemeRSAPSSPSSSHA512      uint16 = 0x080b
	SchemeECDSABrainpoolP256r1 uint16 = 0x081a
	SchemeECDSABrainpoolP384r1 uint16 = 0x081b
	SchemeECDSABrainpoolP512r1 uint16 = 0x081c
)

var schemeTable = []SchemeInfo{
	{ID: 0x0101, Name: "rsa_md5", Signature: "RSA-PKCS1", Hash: "MD5", Legacy: true},
	{ID: 0x0102, Name: "dsa_md5", Signature: "DSA", Hash: "MD5", Legacy: true},
	{ID: 0x0103, Name: "ecdsa_md5", Signature: "ECDSA", Hash: "MD5", Legacy: true},
	{ID: SchemeRSAPKCS1SHA1, Name: "rsa_pkcs1_sha1", Signature: "RSA-PKCS1", Hash: "SHA1", Legacy: true},
	{ID: 0x0202, Name: "dsa_sha1", Signature: "DSA", Hash: "SHA1", Legacy: true},
	{ID: SchemeECDSASHA1, Name: "ecdsa_sha1", Signature: "ECDSA", Hash: "SHA1", Legacy: true},
	{ID: 0x0301, Name: "rsa_sha224", Signature: "RSA-PKCS1", Hash: "SHA224", Legacy: true},
	{ID: 0x0302, Name: "dsa_sha224", Signature: "DSA", Hash: "SHA224", Legacy: true},
	{ID: 0x0303, Name: "ecdsa_sha224", Signature: "ECDSA", Hash: "SHA224", Legacy: true},
	{ID: SchemeRSAPKCS1SHA256, Name: "rsa_pkcs1_sha256", Signature: "RSA-PKCS1", Hash: "SHA256"},
	{ID: 0x0402, Name: "dsa_sha256", Signature: "DSA", Hash: "SHA256", Legacy: true},
	{ID: SchemeECDSAP256SHA256, Name: "ecdsa_secp256r1_sha256", Signature: "ECDSA", Hash: "SHA256", TLS13: true},
	// The _legacy schemes let a TLS 1.3 client whose key cannot do PSS sign
	// its CertificateVerify with PKCS #1 v1.5 (draft-davidben-tls13-pkcs1).
	// A server may not use them, so TLS13 is false.
	{ID: 0x0420, Name: "rsa_pkcs1_sha256_legacy", Signature: "RSA-PKCS1", Hash: "SHA256"},
	{ID: SchemeRSAPKCS1SHA384, Name: "rsa_pkcs1_sha384", Signature: "RSA-PKCS1", Hash: "SHA384"},
	{ID: 0x0502, Name: "dsa_sha384", Signature: "DSA", Hash: "SHA384", Legacy: true},
	{ID: SchemeECDSAP384SHA384, Name: "ecdsa_secp384r1_sha384", Signature: "ECDSA", Hash: "SHA384", TLS13: true},
	{ID: 0x0520, Name: "rsa_pkcs1_sha384_legacy", Signature: "RSA-PKCS1", Hash: "SHA384"},
	{ID: SchemeRSAPKCS1SHA512, Name: "rsa_pkcs1_sha512", Signature: "RSA-PKCS1", Hash: "SHA512"},
	{ID: 0x0602, Name: "dsa_sha512", Signature: "DSA", Hash: "SHA512", Legacy: true},
	{ID: SchemeECDSAP521SHA512, Name: "ecdsa_secp521r1_sha512", Signature: "ECDSA", Hash: "SHA512", TLS13: true},
	{ID: 0x0620, Name: "rsa_pkcs1_sha512_legacy", Signature: "RSA-PKCS1", Hash: "SHA512"},
	// Identity-based signatures for TLS 1.3 raw public keys
	// (draft-wang-tls-raw-public-key-with-ibc).
	{ID: 0x0704, Name: "eccsi_sha256", Signature: "ECCSI", Hash: "SHA256", TLS13: true},
	{ID: 0x0705, Name: "iso_ibs1", Signature: "IBS", TLS13: true},
	{ID: 0x0706, Name: "iso_ibs2", Signature: "IBS", TLS13: true},
	{ID: 0x0707, Name: "iso_chinese_ibs", Signature: "IBS", TLS13: true},
	{ID: 0x0708, Name: "sm2sig_sm3", Signature: "SM2", Hash: "SM3", TLS13: true},
	// GOST R 34.10-2012 signatures for TLS 1.3 (RFC 9367). The letter names
	// the curve parameter set.
	{ID: 0x0709, Name: "gostr34102012_256a", Signature: "GOST", Hash: "STREEBOG256", TLS13: true},
	{ID: 0x070a, Name: "gostr34102012_256b", Signature: "GOST", Hash: "STREEBOG256", TLS13: true},
	{ID: 0x070b, Name: "gostr34102012_256c", Signature: "GOST", Hash: "STREEBOG256", TLS13: true},
	{ID: 0x070c, Name: "gostr34102012_256d", Signature: "GOST", Hash: "STREEBOG256", TLS13: true},
	{ID: 0x070d, Name: "gostr34102012_512a", Signature: "GOST", Hash: "STREEBOG512", TLS13: true},
	{ID: 0x070e, Name: "gostr34102012_512b", Signature: "GOST", Hash: "STREEBOG512", TLS13: true},
	{ID: 0x070f, Name: "gostr34102012_512c", Signature: "GOST", Hash: "STREEBOG512", TLS13: true},
	{ID: SchemeRSAPSSRSAESHA256, Name: "rsa_pss_rsae_sha256", Signature: "RSA-PSS", Hash: "SHA256", TLS13: true},
	{ID: SchemeRSAPSSRSAESHA384, Name: "rsa_pss_rsae_sha384", Signature: "RSA-PSS", Hash: "SHA384", TLS13: true},
	{ID: SchemeRSAPSSRSAESHA512, Name: "rsa_pss_rsae_sha512", Signature: "RSA-PSS", Hash: "SHA512", TLS13: true},
	{ID: SchemeEd25519, Name: "ed25519", Signature: "EdDSA", TLS13: true},
	{ID: SchemeEd448, Name: "ed448", Signature: "EdDSA", TLS13: true},
	{ID: SchemeRSAPSSPSSSHA256, Name: "rsa_pss_pss_sha256", Signature: "RSA-PSS", Hash: "SHA256", TLS13: true},
	{ID: SchemeRSAPSSPSSSHA384, Name: "rsa_pss_pss_sha384", Signature: "RSA-PSS", Hash: "SHA384", TLS13: true},
	{ID: SchemeRSAPSSPSSSHA512, Name: "rsa_pss_pss_sha512", Signature: "RSA-PSS", Hash: "SHA512", TLS13: true},
	{ID: SchemeECDSABrainpoolP256r1, Name: "ecdsa_brainpoolP256r1tls13_sha256", Signature: "ECDSA", Hash: "SHA256", TLS13: true},
	{ID: SchemeECDSABrainpoolP384r1, Name: "ecdsa_brainpoolP384r1tls13_sha384", Signature: "ECDSA", Hash: "SHA384", TLS13: true},
	{ID: SchemeECDSABrainpoolP512r1, Name: "ecdsa_brainpoolP512r1tls13_sha512", Signature: "ECDSA", Hash: "SHA512", TLS13: true},
	{ID: 0x0904, Name: "mldsa44", Signature: "ML-DSA", TLS13: true},
	{ID: 0x0905, Name: "mldsa65", Signature: "ML-DSA", TLS13: true},
	{ID: 0x0906, Name: "mldsa87", Signature: "ML-DSA", TLS13: true},
}

var (
	schemesByID   = map[uint16]SchemeInfo{}
	schemesByName = map[string]SchemeInfo{}
	schemesSorted []SchemeInfo
)

func init() {
	for _, s := range schemeTable {
		if _, dup := schemesByID[s.ID]; dup {
			panic("registry: duplicate signature scheme id " + formatID(s.ID))
		}
		schemesByID[s.ID] = s
		schemesByName[strings.ToLower(s.Name)] = s
		schemesSorted = append(schemesSorted, s)
	}
	sort.Slice(schemesSorted, func(i, j int) bool { return schemesSorted[i].ID < schemesSorted[j].ID })
}

// Scheme returns the signature scheme with the given id.
func Scheme(id uint16) (SchemeInfo, bool) {
	s, ok := schemesByID[id]
	return s, ok
}

// SchemeByName returns the signature scheme with the given name, ignoring
// case.
func SchemeByName(name string) (SchemeInfo, bool) {
	s, ok := schemesByName[strings.ToLower(strings.TrimSpace(name))]
	return s, ok
}

// SchemeName returns the name of a signature scheme, or "0x1234" when
// unknown.
func SchemeName(id uint16) string {
	if s, ok := schemesByID[id]; ok {
		return s.Name
	}
	return formatID(id)
}

// Schemes returns every known signature scheme, sorted by id. The slice is a
// copy.
func Schemes() []SchemeInfo {
	return append([]SchemeInfo(nil), schemesSorted...)
}
