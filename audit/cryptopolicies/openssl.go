package cryptopolicies

import (
	"strings"
)

// The OpenSSL back end of crypto-policies turns a policy into the
// CipherString, Ciphersuites and TLS.MinProtocol / TLS.MaxProtocol lines of
// /etc/crypto-policies/back-ends/opensslcnf.config, which RHEL's
// openssl.cnf includes into its system_default section. The tables below
// are the mapping of python/policygenerators/openssl.py in the
// fedora-crypto-policies repository (2025).

// kexTerms are the cipher-string terms for each allowed key exchange.
var kexTerms = map[string]string{
	"RSA": "kRSA", "ECDHE": "kEECDH", "PSK": "kPSK", "DHE-PSK": "kDHEPSK",
	"DHE-RSA": "kEDH", "ECDHE-PSK": "kECDHEPSK", "RSA-PSK": "kRSAPSK",
}

// kexRemoveTerms are the terms that remove each key exchange the policy
// does not allow.
var kexRemoveTerms = map[string]string{
	"RSA": "-kRSA", "ECDHE": "-kEECDH", "DHE-RSA": "-aRSA", "DHE-DSS": "-aDSS",
	"PSK": "-kPSK", "DHE-PSK": "-kDHEPSK", "ECDHE-PSK": "-kECDHEPSK", "RSA-PSK": "-kRSAPSK",
}

// cipherRemoveTerms are the terms that remove each cipher the policy does
// not allow. An empty term removes nothing: AES-128-CBC has no term of its
// own, and AES-256-CBC maps to -SHA256, as upstream writes them.
var cipherRemoveTerms = map[string]string{
	"AES-256-GCM": "-AES256", "AES-128-GCM": "-AES128", "AES-256-CBC": "-SHA256",
	"CHACHA20-POLY1305": "-CHACHA20", "SEED-CBC": "-SEED", "IDEA-CBC": "!IDEA",
	"DES-CBC": "!DES", "3DES-CBC": "-3DES", "RC4-128": "!RC4", "RC2-CBC": "!RC2",
	"NULL": "!eNULL:!aNULL",
}

// macRemoveTerms are the terms that remove each MAC the policy does not
// allow.
var macRemoveTerms = map[string]string{"HMAC-MD5": "!MD5", "HMAC-SHA1": "-SHA1"}

// alwaysRemoved are the terms upstream appends to every policy.
var alwaysRemoved = []string{"-SHA384", "-CAMELLIA", "-ARIA", "-AESCCM8"}

// tls13Suites maps policy ciphers to TLS 1.3 suites, for Ciphersuites.
var tls13Suites = map[string]string{
	"AES-256-GCM": "TLS_AES_256_GCM_SHA384", "AES-128-GCM": "TLS_AES_128_GCM_SHA256",
	"CHACHA20-POLY1305": "TLS_CHACHA20_POLY1305_SHA256", "AES-128-CCM": "TLS_AES_128_CCM_SHA256",
	"AES-128-CCM8": "TLS_AES_128_CCM_8_SHA256",
}

// openSSLProtocols maps policy protocol names to MinProtocol values.
var openSSLProtocols = map[string]string{
	"SSL3.0": "SSLv3", "TLS1.0": "TLSv1", "TLS1.1": "TLSv1.1", "TLS1.2": "TLSv1.2", "TLS1.3": "TLSv1.3",
}

// securityLevel returns the @SECLEVEL the back end writes: the level whose
// minimum key size min_rsa_size and min_dh_size both reach.
func securityLevel(s *Scoped) int {
	lowest := min(s.Integers["min_dh_size"], s.Integers["min_rsa_size"])
	switch {
	case lowest < 1023:
		return 0
	case lowest < 2048:
		return 1
	case lowest < 3072:
		return 2
	}
	return 3
}

// OpenSSLCipherString returns the CipherString the OpenSSL back end writes
// for s.
func OpenSSLCipherString(s *Scoped) string {
	terms := []string{"@SECLEVEL=" + string(rune('0'+securityLevel(s)))}
	for _, k := range s.Enabled["key_exchange"] {
		if t := kexTerms[k]; t != "" {
			terms = append(terms, t)
		}
	}
	for _, k := range s.disabled("key_exchange") {
		if t := kexRemoveTerms[k]; t != "" {
			terms = append(terms, t)
		}
	}
	for _, c := range s.disabled("cipher") {
		if t := cipherRemoveTerms[c]; t != "" {
			terms = append(terms, t)
		}
	}
	if !s.Has("cipher", "AES-128-CCM") && !s.Has("cipher", "AES-256-CCM") {
		terms = append(terms, "-AESCCM")
	}
	for _, m := range s.disabled("mac") {
		if t := macRemoveTerms[m]; t != "" {
			terms = append(terms, t)
		}
	}
	terms = append(terms, alwaysRemoved...)
	return strings.Join(terms, ":")
}

// OpenSSLCiphersuites returns the Ciphersuites the OpenSSL back end writes
// for s: the TLS 1.3 suites of its ciphers, in the policy's order.
func OpenSSLCiphersuites(s *Scoped) string {
	var names []string
	for _, c := range s.Enabled["cipher"] {
		if n := tls13Suites[c]; n != "" {
			names = append(names, n)
		}
	}
	return strings.Join(names, ":")
}
