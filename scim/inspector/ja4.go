package inspector

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// JA4 returns the JA4 fingerprint of the hello as FoxIO's JA4 TLS client
// specification defines it, such as "t13d1516h2_8daaf6152771_e5627efa2ab1".
// The fingerprint has three parts joined by "_":
//
//   - a: "t" (TLS over TCP), the two-digit newest offered version, "d"
//     with SNI or "i" without, the number of suites and of extensions
//     (two digits each, at most 99), and the first and last character of
//     the first ALPN value ("00" without ALPN);
//   - b: the first 12 hex digits of the SHA-256 of the suites as 4-digit
//     hex, sorted and joined by commas;
//   - c: the same hash of the extensions, sorted, without server_name and
//     ALPN, then "_" and the signature algorithms in wire order.
//
// GREASE values are left out everywhere. An empty list hashes to twelve
// zeros.
func (h *ClientHello) JA4() string {
	suites := withoutGREASE(h.CipherSuites)
	extensions := withoutGREASE(h.Extensions)

	sni := "i"
	if slices.Contains(extensions, extServerName) {
		sni = "d"
	}
	a := fmt.Sprintf("t%s%s%02d%02d%s", ja4Version(h), sni,
		min(len(suites), 99), min(len(extensions), 99), ja4ALPN(h.ALPN))

	sortedSuites := slices.Clone(suites)
	slices.Sort(sortedSuites)
	b := ja4Hash(hexList(sortedSuites))

	var hashed []uint16
	for _, e := range extensions {
		if e != extServerName && e != extALPN {
			hashed = append(hashed, e)
		}
	}
	slices.Sort(hashed)
	c := "000000000000"
	if len(hashed) > 0 {
		text := hexList(hashed)
		if algs := withoutGREASE(h.SignatureAlgorithms); len(algs) > 0 {
			text += "_" + hexList(algs)
		}
		c = ja4Hash(text)
	}
	return a + "_" + b + "_" + c
}

// ja4Version returns the two characters of the newest offered version:
// from supported_versions when present, else legacy_version.
func ja4Version(h *ClientHello) string {
	v := h.LegacyVersion
	if h.SupportedVersions != nil {
		v = 0
		for _, sv := range withoutGREASE(h.SupportedVersions) {
			v = max(v, sv)
		}
	}
	switch v {
	case 0x0304:
		return "13"
	case 0x0303:
		return "12"
	case 0x0302:
		return "11"
	case 0x0301:
		return "10"
	case 0x0300:
		return "s3"
	case 0x0002:
		return "s2"
	}
	return "00"
}

// ja4ALPN returns the first and last character of the first ALPN value,
// or of its hex form when either byte is not an ASCII letter or digit.
func ja4ALPN(alpn []string) string {
	if len(alpn) == 0 || alpn[0] == "" {
		return "00"
	}
	first, last := alpn[0][0], alpn[0][len(alpn[0])-1]
	if isAlphanumeric(first) && isAlphanumeric(last) {
		return string([]byte{first, last})
	}
	hexValue := hex.EncodeToString([]byte(alpn[0]))
	return string([]byte{hexValue[0], hexValue[len(hexValue)-1]})
}

func isAlphanumeric(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z'
}

func hexList(values []uint16) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = fmt.Sprintf("%04x", v)
	}
	return strings.Join(parts, ",")
}

// ja4Hash returns the first 12 hex digits of the SHA-256 of text, or
// twelve zeros for an empty text.
func ja4Hash(text string) string {
	if text == "" {
		return "000000000000"
	}
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])[:12]
}
