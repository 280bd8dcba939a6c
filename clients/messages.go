package clients

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/scimdoctor/scimdoctor/tlsprobe"
)

// Failure classes: the ids of Profile.Errors and of Prediction.Class. The
// diagnose package matches on these strings, so they never change.
const (
	ClassDNSFailure     = "dns_failure"
	ClassConnectRefused = "connect_refused"
	ClassConnectTimeout = "connect_timeout"
	// ClassAlert: the server responded with a TLS alert.
	ClassAlert = "alert"
	// ClassVersionRejected: the server chose a version the client does not
	// enable.
	ClassVersionRejected = "version_rejected"
	// ClassSuiteRejected: the server chose a cipher suite the client did not
	// offer.
	ClassSuiteRejected = "suite_rejected"
	ClassReset         = "reset"
	// ClassClosed: the server closed the connection during the handshake
	// without an alert.
	ClassClosed      = "closed"
	ClassReadTimeout = "read_timeout"
	// ClassNotTLS: the server responded with bytes that are not TLS, such
	// as an HTTP response.
	ClassNotTLS = "not_tls"
	// ClassMalformed: the server sent TLS records or handshake messages
	// that do not parse.
	ClassMalformed = "malformed"
	// ClassUntrusted: no path to a trusted root, self-signed leaf included.
	ClassUntrusted = "untrusted"
	// ClassIncompleteChain: a trusted root exists, but the server left out
	// an intermediate the client does not fetch.
	ClassIncompleteChain  = "incomplete_chain"
	ClassExpired          = "expired"
	ClassNotYetValid      = "not_yet_valid"
	ClassHostnameMismatch = "hostname_mismatch"
	// ClassWeakKey: the server key is smaller than the client accepts.
	ClassWeakKey = "weak_key"
	// ClassClientCertRequired: the server requested a client certificate
	// and rejected the connection without one.
	ClassClientCertRequired = "client_cert_required"
	// ClassOK: the TLS connection and the certificate checks pass.
	ClassOK = "ok"
)

// Classes lists every failure class id, in the order of the layers.
var Classes = []string{
	ClassDNSFailure, ClassConnectRefused, ClassConnectTimeout,
	ClassAlert, ClassVersionRejected, ClassSuiteRejected, ClassReset, ClassClosed,
	ClassReadTimeout, ClassNotTLS, ClassMalformed,
	ClassUntrusted, ClassIncompleteChain, ClassExpired, ClassNotYetValid,
	ClassHostnameMismatch, ClassWeakKey, ClassClientCertRequired, ClassOK,
}

// Text variants a profile may add next to the class texts. The simulation
// uses a variant when it applies and the profile has it, else the class.
const (
	// variantAlertPrefix + an alert number, such as "alert_90": the text
	// for that alert when it differs from the "alert" template.
	variantAlertPrefix = "alert_"
	// variantResetOnWrite: the reset came before the client wrote its
	// hello, which some clients report differently.
	variantResetOnWrite = "reset_on_write"
	// variantResetOnConnect: the reset came while the client was still
	// connecting, as from a server that resets at accept. A profile
	// without it falls back to variantResetOnWrite.
	variantResetOnConnect = "reset_on_connect"
	// variantNotTLSOther: the non-TLS response does not look like HTTP.
	variantNotTLSOther = "not_tls_other"
	// variantUntrustedSelfSigned: the leaf is self-signed.
	variantUntrustedSelfSigned = "untrusted_self_signed"
	// variantUntrustedSHA1: a certificate below the root is signed with
	// SHA-1, which the client rejects.
	variantUntrustedSHA1 = "untrusted_sha1"
	// variantHostnameMismatchIP: the URL names an IP literal.
	variantHostnameMismatchIP = "hostname_mismatch_ip"
	// variantHostnameMismatchCNOnly: the leaf has no subjectAltName
	// extension and names a host only in its subject CN, which Go rejects
	// with a text of its own.
	variantHostnameMismatchCNOnly = "hostname_mismatch_cn_only"
	// variantHTTPError: the handshake completed and the server responded
	// with an HTTP error status.
	variantHTTPError = "http_error"
	// variantHTTPUnauthorized: the server responded with 401 to the
	// client's credentials. A profile without it falls back to
	// variantHTTPError.
	variantHTTPUnauthorized = "http_unauthorized"
	// variantClosedAfterHandshake: the server closed the connection without
	// an alert after a TLS 1.3 handshake, while the client waited for the
	// HTTP response. A profile without it falls back to the closed text.
	variantClosedAfterHandshake = "closed_after_handshake"
	// variantWriteFailed: the server closed the connection right after the
	// handshake, before the client wrote its request, as a TLS 1.3 server
	// that rejects a missing client certificate may. Whether the client
	// sees the alert or the failed write is a race, so the simulation
	// reports the alert and lists this text in the evidence.
	variantWriteFailed = "write_failed"
)

var fixedVariants = []string{
	variantResetOnWrite, variantResetOnConnect, variantNotTLSOther, variantUntrustedSelfSigned, variantUntrustedSHA1,
	variantHostnameMismatchIP, variantHostnameMismatchCNOnly, variantHTTPError, variantWriteFailed,
	variantClosedAfterHandshake, variantHTTPUnauthorized,
}

// placeholders lists every name a text template may use, with what fills
// it.
var placeholders = map[string]string{
	"alert":                "the alert's RFC name, such as protocol_version",
	"alert_number":         "the alert's number, such as 70",
	"alert_byte":           "the alert's number as a signed byte, as Java prints unknown alerts",
	"alert_go":             "Go's text for the alert, such as \"protocol version not supported\"",
	"alert_openssl_code":   "OpenSSL's reason code for the alert in hex, such as 42E",
	"alert_openssl_reason": "OpenSSL's reason string for the alert, such as \"tlsv1 alert protocol version\"",
	"version":              "the version the server chose, in the client's naming",
	"client_versions":      "the client's enabled versions in its naming, joined by \", \"",
	"suite":                "the IANA name of the suite the server chose",
	"suite_java":           "the JSSE name of the suite the server chose",
	"url":                  "the URL the client requested",
	"host":                 "the host of the URL",
	"port":                 "the port of the URL",
	"addr":                 "the address connected to, ip:port",
	"ip":                   "the IP address connected to",
	"local_addr":           "the client's own address, which no prediction can know",
	"elapsed_ms":           "the time the probe took until the failure, in milliseconds",
	"status":               "the HTTP status code",
	"reason":               "the HTTP reason phrase, such as Bad Request",
	"now":                  "the time of the simulation, RFC 3339 in UTC",
	"not_before":           "the leaf's notBefore, RFC 3339 in UTC",
	"not_after":            "the leaf's notAfter, RFC 3339 in UTC",
	"key_type":             "the leaf key's algorithm: RSA, EC, Ed25519",
	"key_bits":             "the leaf key's size in bits",
	"subject":              "the leaf's subject DN, most specific part first, as JSSE prints it",
	"cert_names":           "the leaf's DNS names (IP addresses for an IP host), joined by \", \"",
	"sha1_algorithm":       "Go's name of the SHA-1 signature algorithm that broke the path, such as SHA1-RSA",
	"sha1_issuer":          "the common name of the issuer whose SHA-1 signature broke the path",
}

// localAddrText stands for the client's ephemeral address in a rendered
// line: the simulation's own connection has a different source port.
const localAddrText = "<local address>"

var placeholderPattern = regexp.MustCompile(`\{[a-z0-9_]+\}`)

// messageValues are the facts a template can use. Empty fields render as
// an empty string.
type messageValues struct {
	alert          *tlsprobe.AlertDescription
	version        tlsprobe.Version
	suite          uint16
	url, host      string
	port, addr, ip string
	status         int
	now            time.Time
	notBefore      time.Time
	notAfter       time.Time
	keyType        string
	keyBits        int
	subject        string
	certNames      []string
	sha1Algorithm  string
	sha1Issuer     string
	clientVersions []tlsprobe.Version
	elapsed        time.Duration
}

// render fills the placeholders of template for profile p.
func (p *Profile) render(template string, v messageValues) string {
	return placeholderPattern.ReplaceAllStringFunc(template, func(name string) string {
		return p.placeholderValue(strings.Trim(name, "{}"), v)
	})
}

func (p *Profile) placeholderValue(name string, v messageValues) string {
	switch name {
	case "alert", "alert_number", "alert_byte", "alert_go", "alert_openssl_code", "alert_openssl_reason":
		if v.alert == nil {
			return ""
		}
		return alertPlaceholder(name, *v.alert)
	case "version":
		return versionName(p.VersionNames, v.version)
	case "client_versions":
		names := make([]string, len(v.clientVersions))
		for i, version := range v.clientVersions {
			names[i] = versionName(p.VersionNames, version)
		}
		return strings.Join(names, ", ")
	case "suite":
		return suiteName(v.suite)
	case "suite_java":
		return javaSuiteName(v.suite)
	case "url":
		return v.url
	case "host":
		return v.host
	case "port":
		return v.port
	case "addr":
		return v.addr
	case "ip":
		return v.ip
	case "local_addr":
		return localAddrText
	case "elapsed_ms":
		return strconv.FormatInt(v.elapsed.Milliseconds(), 10)
	case "status":
		if v.status == 0 {
			return ""
		}
		return strconv.Itoa(v.status)
	case "reason":
		return httpReason(v.status)
	case "now":
		return formatTime(v.now)
	case "not_before":
		return formatTime(v.notBefore)
	case "not_after":
		return formatTime(v.notAfter)
	case "key_type":
		return v.keyType
	case "key_bits":
		if v.keyBits == 0 {
			return ""
		}
		return strconv.Itoa(v.keyBits)
	case "subject":
		return v.subject
	case "cert_names":
		return strings.Join(v.certNames, ", ")
	case "sha1_algorithm":
		return v.sha1Algorithm
	case "sha1_issuer":
		return v.sha1Issuer
	}
	// unreachable: the loader rejects unknown placeholders.
	return "{" + name + "}"
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// versionName names v in a client's style (Profile.VersionNames).
func versionName(style string, v tlsprobe.Version) string {
	switch style {
	case "jsse":
		return v.JavaName()
	case "jsse_legacy", "openssl":
		switch v {
		case tlsprobe.VersionSSL30:
			return "SSLv3"
		case tlsprobe.VersionTLS10:
			return "TLSv1"
		case tlsprobe.VersionTLS11:
			return "TLSv1.1"
		case tlsprobe.VersionTLS12:
			return "TLSv1.2"
		case tlsprobe.VersionTLS13:
			return "TLSv1.3"
		}
		return fmt.Sprintf("0x%04x", uint16(v))
	case "go":
		// crypto/tls prints the wire value in hex without a prefix, as in
		// "server selected unsupported protocol version 301".
		return strconv.FormatUint(uint64(v), 16)
	}
	return v.String()
}

// versionStyles lists the values Profile.VersionNames may take.
var versionStyles = []string{"jsse", "jsse_legacy", "openssl", "go", "iana"}

// httpReason returns the reason phrase of an HTTP status, such as "Bad
// Request", or "" for an unknown or zero status.
func httpReason(status int) string {
	if status == 0 {
		return ""
	}
	return http.StatusText(status)
}
