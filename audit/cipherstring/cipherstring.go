// Package cipherstring evaluates OpenSSL cipher strings, the rule language of
// nginx ssl_ciphers, Apache SSLCipherSuite, HAProxy ciphers, stunnel ciphers
// and openssl.cnf CipherString, into the ordered list of TLS 1.2 and older
// cipher suites that OpenSSL would build from them.
//
// Use Evaluate with the OpenSSL line that the audited server links. The
// OpenSSL 3.0 table is measured from Debian 12's `openssl ciphers -V`; the
// 1.1.1 and 1.0.2 tables are derived from it (see Version).
package cipherstring

import (
	"fmt"
	"strings"
)

// Version selects the OpenSSL line whose rules Evaluate applies.
type Version int

const (
	// OpenSSL30 is OpenSSL 3.0 as Debian 12 builds it. DEFAULT expands to
	// "ALL:!COMPLEMENTOFDEFAULT:!eNULL". TLS 1.3 suites are configured
	// apart (ciphersuites) and never come from the cipher string.
	OpenSSL30 Version = iota
	// OpenSSL111 is OpenSSL 1.1.1: the same suites, aliases, DEFAULT and
	// security levels as 3.0. Upstream's default security level is 1.
	// NOTE: Debian 10 and 11 raise it to 2 with "CipherString =
	// DEFAULT@SECLEVEL=2" in openssl.cnf; not checked on those releases here.
	OpenSSL111
	// OpenSSL102 is OpenSSL 1.0.2: no TLS 1.3, no security levels (so
	// @SECLEVEL is an error), DEFAULT expands to
	// "ALL:!EXPORT:!LOW:!aNULL:!eNULL:!SSLv2", RC4 and 3DES suites exist,
	// and SSLv3 and TLSv1 select the same suites.
	OpenSSL102
)

func (v Version) String() string {
	switch v {
	case OpenSSL30:
		return "OpenSSL 3.0"
	case OpenSSL111:
		return "OpenSSL 1.1.1"
	case OpenSSL102:
		return "OpenSSL 1.0.2"
	}
	return fmt.Sprintf("Version(%d)", int(v))
}

// Options are the settings that come from outside the cipher string.
type Options struct {
	// SecurityLevel is the level in force before any @SECLEVEL term, 0 to
	// 5. Debian's OpenSSL 3.0 is built with 2 as the default; upstream
	// 1.1.1 and 3.0 default to 1. OpenSSL 1.0.2 has no levels, so the
	// value must be 0 there.
	SecurityLevel int
}

// Suite is one TLS 1.2 or older cipher suite as OpenSSL describes it.
type Suite struct {
	// Name is the OpenSSL name, such as "ECDHE-RSA-AES128-GCM-SHA256".
	Name string
	// ID is the IANA code point (0xC02F).
	ID uint16
	// Protocol is the oldest protocol with the suite, as `openssl ciphers
	// -v` prints it: "SSLv3", "TLSv1" or "TLSv1.2".
	Protocol string
	// KeyExchange is the OpenSSL alias of the key exchange: kRSA, kDHE,
	// kECDHE, kPSK, kRSAPSK, kDHEPSK, kECDHEPSK or kSRP.
	KeyExchange string
	// Authentication is the OpenSSL alias of the authentication: aRSA,
	// aDSS, aECDSA, aPSK, aSRP or aNULL.
	Authentication string
	// Cipher is the bulk cipher as `openssl ciphers -v` prints it: AESGCM,
	// AES, CHACHA20/POLY1305, Camellia, ARIAGCM, AESCCM, AESCCM8, 3DES,
	// RC4 or None.
	Cipher string
	// StrengthBits is the cipher strength that @STRENGTH sorts by and
	// security levels compare against (112 for 3DES, 0 for None).
	StrengthBits int
	// MAC is AEAD, SHA1, SHA256, SHA384 or MD5.
	MAC string
	// Aliases are the aliases whose expansion contains the suite, such as
	// HIGH, aRSA, ALL or COMPLEMENTOFDEFAULT.
	Aliases []string
}

// Op is the operator in front of a term.
type Op byte

const (
	// OpAdd (no prefix) appends the matching suites not yet in the list.
	OpAdd Op = 0
	// OpMove ("+") moves the matching suites in the list to its end.
	OpMove Op = '+'
	// OpRemove ("-") takes matching suites out; a later term may add them.
	OpRemove Op = '-'
	// OpKill ("!") takes matching suites out for good.
	OpKill Op = '!'
	// OpCommand ("@") is @STRENGTH or @SECLEVEL=n.
	OpCommand Op = '@'
)

// Term is one rule of the cipher string and what it did.
type Term struct {
	// Text is the term as written, operator included.
	Text string
	// Offset is the byte offset of Text in the input.
	Offset int
	Op     Op
	// Unknown reports a term that names something OpenSSL does not know,
	// which OpenSSL skips.
	Unknown bool
	// Changed lists the suites whose place or presence the term changed,
	// in list order.
	Changed []string
}

// Result is an evaluated cipher string.
type Result struct {
	Version Version
	// SecurityLevel is the level in force after the string: Options's
	// level, or the last @SECLEVEL term.
	SecurityLevel int
	// Suites is the ordered list that `openssl ciphers -V STRING` prints
	// for TLS 1.2 and older, before any security-level filter.
	Suites []Suite
	// Terms lists every term in order, with what it did.
	Terms []Term
	// Warnings name the terms that OpenSSL skipped silently.
	Warnings []string
}

// Usable returns the suites that pass the security level, in order, as a
// server with PSK and SRP configured would offer them (the list of
// `openssl ciphers -s -psk -srp`).
func (r *Result) Usable() []Suite {
	var out []Suite
	for _, s := range r.Suites {
		if r.Version == OpenSSL102 || SecurityLevelAllows(s, r.SecurityLevel) {
			out = append(out, s)
		}
	}
	return out
}

// Names returns the OpenSSL names of suites.
func Names(suites []Suite) []string {
	out := make([]string, len(suites))
	for i, s := range suites {
		out[i] = s.Name
	}
	return out
}

// minStrengthBits is the minimum suite strength per security level, from
// the SSL_CTX_set_security_level(3) manual page of OpenSSL 3.0.
var minStrengthBits = [6]int{0, 80, 112, 128, 192, 256}

// SecurityLevelAllows reports whether OpenSSL 1.1.1 and 3.0 allow suite s at
// security level level (0 to 5). From level 1 on, anonymous suites, MD5 MACs
// and suites below the level's strength are rejected, level 2 rejects RC4,
// level 3 rejects key exchanges without forward secrecy, and level 4 rejects
// SHA-1 MACs. Measured against `openssl ciphers -s -psk -srp` of Debian 12.
func SecurityLevelAllows(s Suite, level int) bool {
	if level <= 0 {
		return true
	}
	level = min(level, 5)
	if s.StrengthBits < minStrengthBits[level] || s.Authentication == "aNULL" || s.MAC == "MD5" {
		return false
	}
	if level >= 2 && s.Cipher == "RC4" {
		return false
	}
	if level >= 3 {
		switch s.KeyExchange {
		case "kDHE", "kECDHE", "kDHEPSK", "kECDHEPSK":
		default:
			return false
		}
	}
	if level >= 4 && s.MAC == "SHA1" {
		return false
	}
	return true
}

// Error is a cipher string that OpenSSL rejects as a whole.
type Error struct {
	Input string
	// Offset is the byte offset where the input broke, or -1 when the
	// string parsed but selected no TLS 1.2 or older suite.
	Offset int
	// Term is the text at Offset (cut to 40 bytes).
	Term   string
	Reason string
}

func (e *Error) Error() string {
	if e.Offset < 0 {
		return "cipherstring: " + e.Reason
	}
	return fmt.Sprintf("cipherstring: %s at byte %d (%q)", e.Reason, e.Offset, e.Term)
}

// MaxInputLength bounds the cipher string Evaluate reads, in bytes. Real
// strings are under 1 KiB; the bound keeps evaluation time linear and small.
const MaxInputLength = 64 << 10

func newError(s string, offset int, reason string) *Error {
	term := s[offset:]
	if i := strings.IndexAny(term, ": ,;"); i > 0 {
		term = term[:i]
	}
	if len(term) > 40 {
		term = term[:40]
	}
	return &Error{Input: s, Offset: offset, Term: term, Reason: reason}
}
