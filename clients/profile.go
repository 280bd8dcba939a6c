package clients

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/scimdoctor/scimdoctor/tlsprobe"
)

// Confidence levels of a profile and of each of its texts, strongest first.
const (
	// ConfidenceMeasured: checked on this project's test machine against the
	// real client.
	ConfidenceMeasured = "measured"
	// ConfidenceDocumented: read in a vendor document, release notes or a
	// published capture of the client.
	ConfidenceDocumented = "documented"
	// ConfidenceInferred: derived from related facts; replace with a
	// measurement when one is possible.
	ConfidenceInferred = "inferred"
)

// SNI rules: when a client puts the host name into the server_name
// extension (RFC 6066, Section 3).
const (
	// SNIAlways: for every host name. IP literals never go into SNI, as
	// RFC 6066 forbids them.
	SNIAlways = "always"
	// SNINotForIP: for every host name, not for IP literals.
	SNINotForIP = "not_for_ip"
	// SNINotForIPOrDotless: not for IP literals and not for names without a
	// dot, such as localhost. JSSE behaves this way.
	SNINotForIPOrDotless = "not_for_ip_or_dotless"
	// SNINever: the client sends no SNI.
	SNINever = "never"
)

// Profile is one client: who it is, the ClientHello it sends, the policy it
// applies after the ServerHello, and the lines it logs. Profiles come from
// the embedded files; use Lookup or All.
type Profile struct {
	// Name is the identifier, such as "okta" or "java-17".
	Name string `json:"name"`
	// Display is the name for reports, such as "Okta (cloud SCIM client)".
	Display string `json:"display"`
	// Kind is KindIdP for an identity provider's client and KindRuntime
	// for a runtime or tool.
	Kind string `json:"kind"`
	// Family is "java", "dotnet", "openssl", "go" or "curl".
	Family string `json:"family"`
	// Base names a profile whose client_hello, policy, log_line,
	// version_names and errors this profile takes when it leaves them out.
	Base string `json:"base,omitempty"`

	// Source names what the facts rest on: a vendor document, release
	// notes, a published capture or a measurement here.
	Source string `json:"source"`
	// Date is the day the source was read or the measurement made, as
	// YYYY-MM-DD.
	Date string `json:"date"`
	// Confidence is ConfidenceMeasured, ConfidenceDocumented or
	// ConfidenceInferred for the profile as a whole.
	Confidence string `json:"confidence"`
	// Note describes what is uncertain and how to improve the profile.
	Note string `json:"note"`

	Hello  HelloSpec `json:"client_hello"`
	Policy Policy    `json:"policy"`

	// LogLine is the format in which the client joins exception and
	// message into the line it prints, such as "{exception}: {message}" for
	// Java.
	LogLine string `json:"log_line"`
	// VersionNames is the naming style of protocol versions in the
	// client's messages: "jsse" (TLS12), "jsse_legacy" (TLSv1.2), "openssl"
	// (TLSv1.2), "go" (303, the wire value in hex) or "iana" (TLS 1.2).
	VersionNames string `json:"version_names"`
	// Errors maps a failure class (ClassAlert and the others) or a variant
	// of one (such as "alert_90" or "hostname_mismatch_ip") to the text the
	// client logs.
	Errors map[string]ErrorText `json:"errors"`

	// Resolved by the loader from Hello and Policy.
	versions         []tlsprobe.Version
	hello            tlsprobe.ClientHello
	policyMinVersion tlsprobe.Version
	file             string
}

// HelloSpec is the ClientHello a client sends, by IANA names.
type HelloSpec struct {
	// Versions lists the enabled protocol versions in the client's order,
	// newest first, such as ["TLS 1.3", "TLS 1.2"].
	Versions []string `json:"versions"`
	// RecordVersion is the version in the record header of the hello.
	RecordVersion string `json:"record_version"`
	// LegacyVersion is the client_version field: the newest enabled
	// version, or TLS 1.2 for a client that offers TLS 1.3.
	LegacyVersion string `json:"legacy_version"`
	// SupportedVersions reports whether the hello carries the
	// supported_versions extension (RFC 8446, Section 4.2.1). JSSE since
	// JDK 11 sends it even when TLS 1.3 is disabled.
	SupportedVersions bool `json:"supported_versions"`
	// CipherSuites in the client's order, by IANA name, signaling values
	// such as TLS_EMPTY_RENEGOTIATION_INFO_SCSV included.
	CipherSuites []string `json:"cipher_suites"`
	// Groups fills supported_groups, by IANA name.
	Groups []string `json:"groups"`
	// KeyShares lists the groups the client sends a key share for.
	KeyShares []string `json:"key_shares"`
	// SignatureAlgorithms fills signature_algorithms, by IANA name.
	SignatureAlgorithms []string `json:"signature_algorithms"`
	// SignatureAlgorithmsCert fills signature_algorithms_cert.
	SignatureAlgorithmsCert []string `json:"signature_algorithms_cert"`
	// SNI is SNIAlways, SNINotForIP, SNINotForIPOrDotless or SNINever.
	SNI string `json:"sni"`
	// ALPN lists the protocols the client offers, such as "http/1.1".
	ALPN []string `json:"alpn"`
	// Extensions lists the flag extensions the hello carries, by IANA name:
	// ec_point_formats, renegotiation_info, extended_master_secret,
	// session_ticket, status_request, signed_certificate_timestamp,
	// encrypt_then_mac, psk_key_exchange_modes, post_handshake_auth and
	// padding. The lists above imply the others.
	Extensions []string `json:"extensions"`
	// ExtensionsNotSent lists extensions the real client sends that the
	// probe does not reproduce, such as JSSE's status_request_v2.
	ExtensionsNotSent []string `json:"extensions_not_sent,omitempty"`
	// ExtensionOrder is the order of the extensions on the wire, by IANA
	// name, when the client uses a fixed order. Empty for clients that
	// shuffle it, such as Go since 1.21.
	ExtensionOrder []string `json:"extension_order,omitempty"`
}

// Policy is the set of checks a client applies after the ServerHello.
type Policy struct {
	// MinRSABits, MinECBits and MinDHBits are the smallest key sizes the
	// client accepts in the server certificate (RSA, EC) and in a DHE key
	// exchange. Zero means no limit of the client's own.
	MinRSABits int `json:"min_rsa_bits"`
	MinECBits  int `json:"min_ec_bits"`
	MinDHBits  int `json:"min_dh_bits"`
	// TrustStore names the root store the client uses. "mozilla" is the
	// Mozilla root program, which replaces JDK cacerts and the Windows root
	// store in the simulation, because their public roots mostly overlap
	// (they are not equal).
	TrustStore string `json:"trust_store"`
	// TrustStoreNote describes how the store differs from the client's own.
	TrustStoreNote string `json:"trust_store_note"`
	// RejectSHA1 reports whether the client rejects a certificate signed
	// with SHA-1 below a root of its store. Go since 1.18 and OpenSSL 3 at
	// its default security level do. JSSE does only for chains to the roots
	// the JDK ships, so the Java profiles accept it (measured with JDK 17
	// and a private root).
	RejectSHA1 bool `json:"reject_sha1"`
	// FetchAIA reports whether the client downloads missing intermediates
	// from the certificate's Authority Information Access URL. JSSE does
	// not by default, SChannel does.
	FetchAIA bool `json:"fetch_aia"`
	// Hostname is "san_only" (the name must be a subjectAltName) or
	// "san_then_cn" (the subject CN counts when there is no DNS
	// subjectAltName).
	Hostname string `json:"hostname"`
	// ClientCertificate is the client's reply to a certificate request:
	// "sends_empty" (an empty Certificate message, because the client has
	// no certificate configured).
	ClientCertificate string `json:"client_certificate"`
	// MinVersion is the oldest version the client completes a handshake
	// with, when it offers older ones but fails them after the ServerHello,
	// as OpenSSL 3 at security level 2 does with TLS 1.0 and 1.1. Empty
	// means every offered version completes.
	MinVersion string `json:"min_version,omitempty"`
}

// ErrorText is one line a client logs, split as the client builds it.
type ErrorText struct {
	// Exception is the exception class or error prefix, such as
	// "javax.net.ssl.SSLHandshakeException", or empty for clients that log
	// a bare message.
	Exception string `json:"exception,omitempty"`
	// Message is a template: placeholders such as {alert} and {host} are
	// filled in by the simulation (see placeholders in messages.go).
	Message string `json:"message"`
	// Confidence is the text's own provenance. The simulation reports the
	// weaker of it and the profile's confidence.
	Confidence string `json:"confidence"`
	// Note describes where the text was seen or why it is expected.
	Note string `json:"note,omitempty"`
}

// Versions returns the enabled protocol versions in the client's order.
func (p *Profile) Versions() []tlsprobe.Version {
	return slices.Clone(p.versions)
}

// Enables reports whether the client enables protocol version v.
func (p *Profile) Enables(v tlsprobe.Version) bool {
	return slices.Contains(p.versions, v)
}

// Offers reports whether the client's hello lists cipher suite id.
func (p *Profile) Offers(suite uint16) bool {
	return slices.Contains(p.hello.CipherSuites, suite)
}

// minVersion returns Policy.MinVersion parsed, or 0 when the profile sets
// none.
func (p *Profile) minVersion() tlsprobe.Version {
	return p.policyMinVersion
}

// File returns the name of the embedded file the profile came from.
func (p *Profile) File() string {
	return p.file
}

// SendsSNI reports whether the client puts host into the server_name
// extension. host may carry brackets and a zone, as in a URL.
func (p *Profile) SendsSNI(host string) bool {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if host == "" || isIPLiteral(host) {
		return false
	}
	switch p.Hello.SNI {
	case SNIAlways, SNINotForIP:
		return true
	case SNINotForIPOrDotless:
		// JSSE sends a name only when it has a dot after the first
		// character and does not end with a dot.
		return strings.Index(host, ".") > 0 && !strings.HasSuffix(host, ".")
	}
	return false
}

// ClientHello returns the hello the client sends to serverName, the host of
// the URL. The SNI rule of the profile decides whether serverName goes into
// the server_name extension. Each call returns a new value the caller may
// change.
func (p *Profile) ClientHello(serverName string) *tlsprobe.ClientHello {
	h := p.hello
	h.SupportedVersions = slices.Clone(p.hello.SupportedVersions)
	h.CipherSuites = slices.Clone(p.hello.CipherSuites)
	h.SupportedGroups = slices.Clone(p.hello.SupportedGroups)
	h.KeyShares = slices.Clone(p.hello.KeyShares)
	h.SignatureAlgorithms = slices.Clone(p.hello.SignatureAlgorithms)
	h.SignatureAlgorithmsCert = slices.Clone(p.hello.SignatureAlgorithmsCert)
	h.ALPN = slices.Clone(p.hello.ALPN)
	h.ExtensionOrder = slices.Clone(p.hello.ExtensionOrder)
	h.ServerName = ""
	if p.SendsSNI(serverName) {
		h.ServerName = strings.TrimSuffix(serverName, ".")
	}
	return &h
}

// isIPLiteral reports whether host is an IPv4 or IPv6 address, with or
// without an IPv6 zone.
func isIPLiteral(host string) bool {
	_, err := netip.ParseAddr(host)
	return err == nil
}
