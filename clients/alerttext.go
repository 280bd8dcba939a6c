package clients

import (
	"fmt"
	"strconv"

	"github.com/scimdoctor/scimdoctor/tlsprobe"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// goAlertText is the text Go's crypto/tls client prints after "remote
// error: tls: " for each alert it receives. Measured with Go 1.26.8 against
// a server that sends each alert in turn after the ClientHello. An alert
// missing here prints as "alert(N)".
var goAlertText = map[tlsprobe.AlertDescription]string{
	10:  "unexpected message",
	20:  "bad record MAC",
	21:  "decryption failed",
	22:  "record overflow",
	30:  "decompression failure",
	40:  "handshake failure",
	42:  "bad certificate",
	43:  "unsupported certificate",
	44:  "revoked certificate",
	45:  "expired certificate",
	46:  "unknown certificate",
	47:  "illegal parameter",
	48:  "unknown certificate authority",
	49:  "access denied",
	50:  "error decoding message",
	51:  "error decrypting message",
	60:  "export restriction",
	70:  "protocol version not supported",
	71:  "insufficient security level",
	80:  "internal error",
	86:  "inappropriate fallback",
	90:  "user canceled",
	100: "no renegotiation",
	109: "missing extension",
	110: "unsupported extension",
	111: "certificate unobtainable",
	112: "unrecognized name",
	113: "bad certificate status response",
	114: "bad certificate hash value",
	115: "unknown PSK identity",
	116: "certificate required",
	120: "no application protocol",
	121: "encrypted client hello required",
}

// opensslAlertReason is OpenSSL's reason string for a received alert. Its
// reason code is 1000 plus the alert number (SSL_AD_REASON_OFFSET).
// Measured with curl 7.88.1 on OpenSSL 3.0.19 (Debian 12) against a server
// that sends each alert in turn after the ClientHello. OpenSSL prints an
// alert missing here as "reason(N)", with N the reason code.
var opensslAlertReason = map[tlsprobe.AlertDescription]string{
	10:  "sslv3 alert unexpected message",
	20:  "sslv3 alert bad record mac",
	21:  "tlsv1 alert decryption failed",
	22:  "tlsv1 alert record overflow",
	30:  "sslv3 alert decompression failure",
	40:  "sslv3 alert handshake failure",
	41:  "sslv3 alert no certificate",
	42:  "sslv3 alert bad certificate",
	43:  "sslv3 alert unsupported certificate",
	44:  "sslv3 alert certificate revoked",
	45:  "sslv3 alert certificate expired",
	46:  "sslv3 alert certificate unknown",
	47:  "sslv3 alert illegal parameter",
	48:  "tlsv1 alert unknown ca",
	49:  "tlsv1 alert access denied",
	50:  "tlsv1 alert decode error",
	51:  "tlsv1 alert decrypt error",
	60:  "tlsv1 alert export restriction",
	70:  "tlsv1 alert protocol version",
	71:  "tlsv1 alert insufficient security",
	80:  "tlsv1 alert internal error",
	86:  "tlsv1 alert inappropriate fallback",
	90:  "tlsv1 alert user cancelled",
	100: "tlsv1 alert no renegotiation",
	109: "tlsv13 alert missing extension",
	110: "tlsv1 unsupported extension",
	111: "tlsv1 certificate unobtainable",
	112: "tlsv1 unrecognized name",
	113: "tlsv1 bad certificate status response",
	114: "tlsv1 bad certificate hash value",
	115: "tlsv1 alert unknown psk identity",
	116: "tlsv13 alert certificate required",
	120: "tlsv1 alert no application protocol",
}

// opensslAlertReasonOffset is OpenSSL's SSL_AD_REASON_OFFSET: the reason
// code of a received alert is the alert number plus this.
const opensslAlertReasonOffset = 1000

func alertPlaceholder(name string, a tlsprobe.AlertDescription) string {
	switch name {
	case "alert":
		return a.String()
	case "alert_number":
		return strconv.Itoa(int(a))
	case "alert_byte":
		return strconv.Itoa(int(int8(a)))
	case "alert_go":
		if text, ok := goAlertText[a]; ok {
			return text
		}
		return fmt.Sprintf("alert(%d)", uint8(a))
	case "alert_openssl_code":
		return fmt.Sprintf("%03X", opensslAlertReasonOffset+int(a))
	case "alert_openssl_reason":
		if text, ok := opensslAlertReason[a]; ok {
			return text
		}
		return fmt.Sprintf("reason(%d)", opensslAlertReasonOffset+int(a))
	}
	// unreachable: placeholderValue passes only the names above.
	return ""
}

// suiteName returns the IANA name of a cipher suite, or "0x1234".
func suiteName(id uint16) string {
	return registry.SuiteName(id)
}

// javaSSLNames are the JSSE names that differ from the IANA ones: the
// suites SSL 3.0 defined keep their "SSL_" prefix in JSSE, as JDK 17.0.21
// printed SSL_RSA_WITH_RC4_128_MD5 for 0x0004 here.
var javaSSLNames = map[uint16]string{
	0x0001: "SSL_RSA_WITH_NULL_MD5",
	0x0002: "SSL_RSA_WITH_NULL_SHA",
	0x0003: "SSL_RSA_EXPORT_WITH_RC4_40_MD5",
	0x0004: "SSL_RSA_WITH_RC4_128_MD5",
	0x0005: "SSL_RSA_WITH_RC4_128_SHA",
	0x0008: "SSL_RSA_EXPORT_WITH_DES40_CBC_SHA",
	0x0009: "SSL_RSA_WITH_DES_CBC_SHA",
	0x000a: "SSL_RSA_WITH_3DES_EDE_CBC_SHA",
	0x0011: "SSL_DHE_DSS_EXPORT_WITH_DES40_CBC_SHA",
	0x0012: "SSL_DHE_DSS_WITH_DES_CBC_SHA",
	0x0013: "SSL_DHE_DSS_WITH_3DES_EDE_CBC_SHA",
	0x0014: "SSL_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA",
	0x0015: "SSL_DHE_RSA_WITH_DES_CBC_SHA",
	0x0016: "SSL_DHE_RSA_WITH_3DES_EDE_CBC_SHA",
	0x0017: "SSL_DH_anon_EXPORT_WITH_RC4_40_MD5",
	0x0018: "SSL_DH_anon_WITH_RC4_128_MD5",
	0x0019: "SSL_DH_anon_EXPORT_WITH_DES40_CBC_SHA",
	0x001a: "SSL_DH_anon_WITH_DES_CBC_SHA",
	0x001b: "SSL_DH_anon_WITH_3DES_EDE_CBC_SHA",
}

// javaSuiteName returns the name JSSE prints for a cipher suite. A suite
// unknown to the registry prints as JSSE prints it, such as
// "UNKNOWN-CIPHER-SUITE(0xC0FF)" (measured with JDK 17.0.21).
//
// NOTE: JSSE does not define every IANA suite, CAMELLIA and ARIA for
// example. It prints those as UNKNOWN-CIPHER-SUITE too, but this function
// returns their IANA name.
func javaSuiteName(id uint16) string {
	if name, ok := javaSSLNames[id]; ok {
		return name
	}
	if info, ok := registry.Suite(id); ok {
		return info.Name
	}
	return fmt.Sprintf("UNKNOWN-CIPHER-SUITE(0x%04X)", id)
}
