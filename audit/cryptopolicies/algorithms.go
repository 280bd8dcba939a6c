package cryptopolicies

import (
	"path"
	"strings"
)

// Algorithm names of crypto-policies, per property, in the order its
// wildcards expand them. The lists follow python/cryptopolicies/alg_lists.py
// of the fedora-crypto-policies repository (2025), with the post-quantum
// names its RHEL 10 policy files use.
var algorithms = map[string][]string{
	"cipher": {
		"AES-256-GCM", "AES-256-CCM", "AES-192-GCM", "AES-192-CCM", "AES-128-GCM", "AES-128-CCM",
		"CHACHA20-POLY1305", "CAMELLIA-256-GCM", "CAMELLIA-128-GCM",
		"AES-256-CTR", "AES-256-CBC", "AES-192-CTR", "AES-192-CBC", "AES-128-CTR", "AES-128-CBC",
		"CAMELLIA-256-CBC", "CAMELLIA-128-CBC", "3DES-CBC", "DES-CBC", "RC4-40", "RC4-128",
		"DES40-CBC", "RC2-CBC", "IDEA-CBC", "SEED-CBC",
		"AES-256-CFB", "AES-192-CFB", "AES-128-CFB", "CAMELLIA-256-CFB", "CAMELLIA-192-CFB", "CAMELLIA-128-CFB",
		"3DES-CFB", "IDEA-CFB", "AES-256-OCB", "AES-128-OCB", "AES-256-EAX", "AES-128-EAX",
		"GOST28147-TC26Z-CFB", "GOST28147-CPA-CFB", "GOST28147-CPB-CFB", "GOST28147-CPC-CFB",
		"GOST28147-CPD-CFB", "GOST28147-TC26Z-CNT", "MAGMA-CTR-ACPKM", "KUZNYECHIK-CTR-ACPKM",
		"NULL",
	},
	"mac": {
		"AEAD", "UMAC-128", "HMAC-SHA1", "HMAC-SHA2-256", "HMAC-SHA2-384", "HMAC-SHA2-512", "UMAC-64", "HMAC-MD5",
		"HMAC-STREEBOG-256", "HMAC-STREEBOG-512", "GOST28147-CPA-IMIT", "GOST28147-TC26Z-IMIT",
		"MAGMA-OMAC", "KUZNYECHIK-OMAC", "MAGMA-OMAC-ACPKM", "KUZNYECHIK-OMAC-ACPKM",
	},
	"hash": {
		"SHA2-256", "SHA2-384", "SHA2-512", "SHA3-256", "SHA3-384", "SHA3-512", "SHA2-224", "SHA3-224",
		"SHAKE-256", "SHAKE-128", "SHA1", "MD5", "STREEBOG-256", "STREEBOG-512", "GOSTR94",
	},
	"group": {
		"MLKEM768-X25519", "P256-MLKEM768", "P384-MLKEM1024", "MLKEM1024-X448",
		"X25519", "SECP256R1", "SECP384R1", "SECP521R1", "X448",
		"FFDHE-1536", "FFDHE-2048", "FFDHE-3072", "FFDHE-4096", "FFDHE-6144", "FFDHE-8192", "FFDHE-1024",
		"GOST-GC256A", "GOST-GC256B", "GOST-GC256C", "GOST-GC256D", "GOST-GC512A", "GOST-GC512B", "GOST-GC512C",
		"BRAINPOOL-P256R1", "BRAINPOOL-P384R1", "BRAINPOOL-P512R1", "X25519-KYBER768", "P384-KYBER768",
	},
	"sign": {
		"RSA-MD5", "RSA-SHA1", "DSA-SHA1", "ECDSA-SHA1",
		"RSA-SHA2-224", "DSA-SHA2-224", "ECDSA-SHA2-224",
		"RSA-SHA2-256", "DSA-SHA2-256", "ECDSA-SHA2-256", "ECDSA-SHA2-256-FIDO",
		"RSA-SHA2-384", "DSA-SHA2-384", "ECDSA-SHA2-384",
		"RSA-SHA2-512", "DSA-SHA2-512", "ECDSA-SHA2-512",
		"RSA-SHA3-224", "DSA-SHA3-224", "ECDSA-SHA3-224",
		"RSA-SHA3-256", "DSA-SHA3-256", "ECDSA-SHA3-256",
		"RSA-SHA3-384", "DSA-SHA3-384", "ECDSA-SHA3-384",
		"RSA-SHA3-512", "DSA-SHA3-512", "ECDSA-SHA3-512",
		"EDDSA-ED25519", "EDDSA-ED25519-FIDO", "EDDSA-ED448",
		"RSA-PSS-SHA1", "RSA-PSS-SHA2-224", "RSA-PSS-SHA2-256", "RSA-PSS-SHA2-384", "RSA-PSS-SHA2-512",
		"RSA-PSS-RSAE-SHA1", "RSA-PSS-RSAE-SHA2-224", "RSA-PSS-RSAE-SHA2-256", "RSA-PSS-RSAE-SHA2-384", "RSA-PSS-RSAE-SHA2-512",
		"RSA-PSS-SHA3-224", "RSA-PSS-SHA3-256", "RSA-PSS-SHA3-384", "RSA-PSS-SHA3-512",
		"RSA-PSS-RSAE-SHA3-256", "RSA-PSS-RSAE-SHA3-384", "RSA-PSS-RSAE-SHA3-512",
		"MLDSA44", "MLDSA65", "MLDSA87", "MLDSA65-ED25519", "MLDSA87-ED448",
		"SLHDSA-SHAKE-128S", "SLHDSA-SHAKE-128F", "SLHDSA-SHAKE-256S",
		"GOSTR341012-512", "GOSTR341012-256", "GOSTR341001",
	},
	"key_exchange": {
		"PSK", "DHE-PSK", "ECDHE-PSK", "RSA-PSK", "ECDHE", "KEM-ECDH", "RSA", "DHE", "DHE-RSA", "DHE-DSS",
		"EXPORT", "ANON", "DH", "ECDH", "VKO-GOST-2001", "VKO-GOST-2012", "VKO-GOST-KDF",
		"DHE-GSS", "ECDHE-GSS", "SNTRUP",
	},
	"protocol": {
		"TLS1.3", "TLS1.2", "TLS1.1", "TLS1.0", "SSL3.0", "SSL2.0",
		"DTLS1.2", "DTLS1.0", "DTLS0.9", "IKEv2", "IKEv1",
	},
}

// tlsProtocols lists the TLS versions from the newest, as crypto-policies
// orders them to find the minimum and maximum.
var tlsProtocols = []string{"TLS1.3", "TLS1.2", "TLS1.1", "TLS1.0", "SSL3.0", "SSL2.0"}

// integerProperties are the properties that take a number, with their
// value when no policy sets them.
var integerProperties = map[string]int{
	"arbitrary_dh_groups": 0, "min_dh_size": 0, "min_dsa_size": 0, "min_ec_size": 0, "min_rsa_size": 0,
	"__openssl_block_sha1_signatures": 0, "sha1_in_certs": 0, "ssh_certs": 0,
}

// enumProperties are the properties that take one word; the first is the
// value when no policy sets them.
var enumProperties = map[string][]string{
	"etm":   {"ANY", "DISABLE_ETM", "DISABLE_NON_ETM"},
	"__ems": {"DEFAULT", "ENFORCE", "RELAX"},
}

// scopes are the scope names a directive may select, in lower case.
var scopes = []string{
	"tls", "ssl", "openssl", "nss", "gnutls", "java-tls",
	"ssh", "openssh", "openssh-server", "openssh-client", "libssh",
	"ipsec", "ike", "libreswan", "kerberos", "krb5", "dnssec", "bind",
	"sequoia", "rpm", "rpm-sequoia", "pkcs12", "smime",
}

// Backend names a library whose configuration crypto-policies generates.
type Backend string

// Back ends with TLS servers.
const (
	OpenSSL Backend = "openssl"
	GnuTLS  Backend = "gnutls"
	NSS     Backend = "nss"
	Java    Backend = "java-tls"
)

// backendScopes are the scopes each back end requests, so a directive
// scoped @TLS reaches all four and one scoped @openssl only OpenSSL.
var backendScopes = map[Backend][]string{
	OpenSSL: {"openssl", "tls", "ssl"},
	GnuTLS:  {"gnutls", "tls", "ssl"},
	NSS:     {"nss", "tls", "ssl"},
	Java:    {"java-tls", "tls", "ssl"},
}

// expand returns the algorithms of property that pattern (a name or a
// shell wildcard such as "*-GCM") matches, in list order.
func expand(property, pattern string) []string {
	var out []string
	for _, name := range algorithms[property] {
		if ok, _ := path.Match(pattern, name); ok {
			out = append(out, name)
		}
	}
	return out
}

// scopeMatches reports whether the scope selector of a directive (such as
// "tls", "!{ssh,ipsec}" or "*") matches one of requested, the scopes of a
// back end. A negated selector matches when none of them does.
func scopeMatches(selector string, requested []string) bool {
	selector = strings.ToLower(selector)
	if selector == "*" || selector == "" {
		return true
	}
	negated := strings.HasPrefix(selector, "!")
	selector = strings.TrimPrefix(selector, "!")
	globs := []string{selector}
	if strings.HasPrefix(selector, "{") && strings.HasSuffix(selector, "}") {
		globs = strings.Split(selector[1:len(selector)-1], ",")
	}
	any := false
	for _, g := range globs {
		for _, w := range requested {
			if ok, _ := path.Match(g, w); ok {
				any = true
			}
		}
	}
	return any != negated
}

// knownScope reports whether a selector names only known scopes.
func knownScope(selector string) bool {
	selector = strings.TrimPrefix(strings.ToLower(selector), "!")
	if selector == "*" {
		return true
	}
	globs := []string{selector}
	if strings.HasPrefix(selector, "{") && strings.HasSuffix(selector, "}") {
		globs = strings.Split(selector[1:len(selector)-1], ",")
	}
	for _, g := range globs {
		found := false
		for _, s := range scopes {
			if ok, _ := path.Match(g, s); ok {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}
