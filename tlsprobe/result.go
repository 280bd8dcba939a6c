package tlsprobe

import (
	"time"
)

// Kind names what ended a probe. Each kind is evidence of a different box or
// setting: an alert comes from a TLS stack that parsed the hello, a reset
// often from a firewall or a proxy, silence from a server that gave up
// without telling why.
type Kind string

const (
	// KindServerHello: the server accepted the hello and chose parameters.
	KindServerHello Kind = "server_hello"
	// KindHelloRetryRequest: a TLS 1.3 server asked for another key share.
	KindHelloRetryRequest Kind = "hello_retry_request"
	// KindAlert: the server sent a TLS alert before any ServerHello.
	KindAlert Kind = "alert"
	// KindReset: the TCP connection was reset (RST) before any TLS record.
	KindReset Kind = "reset"
	// KindSilentClose: the server closed the connection without a word.
	KindSilentClose Kind = "closed"
	// KindTimeout: no complete response came before the deadline.
	KindTimeout Kind = "timeout"
	// KindNotTLS: the server sent bytes that are not a TLS record, such as
	// an HTTP response on a TLS port.
	KindNotTLS Kind = "not_tls"
	// KindMalformed: the server sent TLS records that do not parse.
	KindMalformed Kind = "malformed"
	// KindConnectFailed: no TCP connection was made.
	KindConnectFailed Kind = "connect_failed"
	// KindSSLv2ServerHello: the server sent an SSL 2.0 SERVER-HELLO in
	// response to an SSL 2.0 CLIENT-HELLO.
	KindSSLv2ServerHello Kind = "sslv2_server_hello"
	// KindProbeError: the probe did not run, because the ClientHello did
	// not encode or the context ended before a connection was made. It is
	// no evidence about the server.
	KindProbeError Kind = "probe_error"
)

// Result is the outcome of one probe: one ClientHello sent on one TCP
// connection, and the server's first flight read back.
type Result struct {
	Kind Kind `json:"kind"`

	// Flight is set for KindServerHello and KindHelloRetryRequest.
	Flight *ServerFlight `json:"flight,omitempty"`
	// Alert is set for KindAlert, and for a flight that ended in an alert.
	Alert *Alert `json:"alert,omitempty"`
	// SSLv2 is set for KindSSLv2ServerHello.
	SSLv2 *SSLv2ServerHello `json:"sslv2,omitempty"`
	// FirstBytes holds up to the first 64 bytes read, for KindNotTLS and
	// KindMalformed.
	FirstBytes []byte `json:"first_bytes,omitempty"`
	// Err is the error behind KindConnectFailed, KindMalformed (a
	// *ParseError), KindTimeout (a *TimeoutError), KindReset,
	// KindSilentClose and KindProbeError. With KindServerHello it gives the
	// reason the flight is incomplete, such as a close before ServerHelloDone.
	Err error `json:"-"`
	// Error is Err as text, for JSON reports.
	Error string `json:"error,omitempty"`

	// StoppedAtServerHello reports that ProbeServerHello returned after a
	// TLS 1.2 or earlier ServerHello without reading the rest of the flight.
	// A missing Certificate or ServerKeyExchange is then no evidence that
	// the server sent none.
	StoppedAtServerHello bool `json:"stopped_at_server_hello,omitempty"`

	// Phase names, for KindTimeout, the step awaited: "connect",
	// "first byte" or "rest of flight".
	Phase string `json:"phase,omitempty"`
	// Elapsed is the time from dial to the end of the probe.
	Elapsed time.Duration `json:"elapsed_ns"`
}

// Accepted reports whether the server chose parameters (a ServerHello that is
// not a HelloRetryRequest, or an SSL 2.0 SERVER-HELLO).
func (r *Result) Accepted() bool {
	return r.Kind == KindServerHello || r.Kind == KindSSLv2ServerHello
}

// ServerFlight is the clear part of the server's response to a ClientHello:
// in TLS 1.2 and earlier everything up to ServerHelloDone, in TLS 1.3 the
// ServerHello only (the rest is encrypted).
type ServerFlight struct {
	// ServerHello is nil when the server sent only alerts.
	ServerHello        *ServerHello        `json:"server_hello"`
	Certificates       [][]byte            `json:"certificates,omitempty"`
	ServerKeyExchange  *ServerKeyExchange  `json:"server_key_exchange,omitempty"`
	CertificateRequest *CertificateRequest `json:"certificate_request,omitempty"`
	ServerHelloDone    bool                `json:"server_hello_done,omitempty"`
	// CertificateStatus reports whether a stapled OCSP response came.
	CertificateStatus bool `json:"certificate_status,omitempty"`
	// OCSPResponse is the DER OCSP response of the CertificateStatus.
	OCSPResponse []byte `json:"-"`
	// Alerts lists the alerts that came with the flight, in order: a
	// warning before the ServerHello, or an alert after it.
	Alerts []Alert `json:"alerts,omitempty"`
	// Complete reports that the flight ended as the protocol defines: with
	// ServerHelloDone in TLS 1.2 and earlier, with the ServerHello or
	// HelloRetryRequest in TLS 1.3, or with a fatal alert.
	Complete bool `json:"complete"`
}

// ServerHello is a parsed ServerHello or HelloRetryRequest
// (RFC 8446, Section 4.1.3; RFC 5246, Section 7.4.1.3).
type ServerHello struct {
	// LegacyVersion is the version field of the message.
	LegacyVersion Version `json:"legacy_version"`
	// Version is the negotiated version: the supported_versions extension
	// when present, else LegacyVersion.
	Version           Version `json:"version"`
	Random            []byte  `json:"-"`
	SessionID         []byte  `json:"-"`
	CipherSuite       uint16  `json:"cipher_suite"`
	CompressionMethod uint8   `json:"compression_method"`
	// Extensions lists the extension types in the order the server sent them.
	Extensions []uint16 `json:"extensions"`
	// SupportedVersion is the supported_versions extension's value, or 0.
	SupportedVersion Version `json:"supported_version,omitempty"`
	// KeyShareGroup is the group of the key_share extension (the selected
	// group in a HelloRetryRequest), or 0.
	KeyShareGroup uint16 `json:"key_share_group,omitempty"`
	// KeyShareLen is the length in bytes of the server's key share, or 0.
	KeyShareLen int    `json:"key_share_len,omitempty"`
	ALPN        string `json:"alpn,omitempty"`
	// SecureRenegotiation reports a renegotiation_info extension (RFC 5746).
	SecureRenegotiation  bool `json:"secure_renegotiation,omitempty"`
	ExtendedMasterSecret bool `json:"extended_master_secret,omitempty"`
	SessionTicket        bool `json:"session_ticket,omitempty"`
	OCSPStapling         bool `json:"ocsp_stapling,omitempty"`
	// ServerNameAck reports an empty server_name extension, which a server
	// sends when it used the client's SNI (RFC 6066, Section 3).
	ServerNameAck bool `json:"server_name_ack,omitempty"`
	// HelloRetryRequest reports the special Random of RFC 8446, Section 4.1.3.
	HelloRetryRequest bool `json:"hello_retry_request,omitempty"`
	// DowngradeSentinel reports the last 8 bytes of Random set to the TLS 1.3
	// downgrade marker "DOWNGRD" followed by 0x01 or 0x00.
	DowngradeSentinel bool `json:"downgrade_sentinel,omitempty"`
}

// ServerKeyExchange holds what scimdoctor needs of the TLS 1.2 and earlier
// ServerKeyExchange: the key exchange group and size.
type ServerKeyExchange struct {
	// NamedCurve is the ECDHE group, or 0 for a DHE or unknown exchange.
	NamedCurve uint16 `json:"named_curve,omitempty"`
	// DHPrimeBits is the size of a DHE prime in bits, or 0.
	DHPrimeBits int    `json:"dh_prime_bits,omitempty"`
	Raw         []byte `json:"-"`
}

// CertificateRequest is a server's request for a client certificate
// (RFC 5246, Section 7.4.4; RFC 8446, Section 4.3.2).
type CertificateRequest struct {
	CertificateTypes    []uint8  `json:"certificate_types,omitempty"`
	SignatureAlgorithms []uint16 `json:"signature_algorithms,omitempty"`
	// CANames holds the DER-encoded distinguished names the server accepts.
	CANames [][]byte `json:"-"`
	// CANamesText holds CANames in RFC 2253 form, for reports.
	CANamesText []string `json:"ca_names,omitempty"`
}

// AlertLevel is the level byte of an alert (RFC 5246, Section 7.2).
type AlertLevel uint8

const (
	AlertLevelWarning AlertLevel = 1
	AlertLevelFatal   AlertLevel = 2
)

// Alert is an alert record as received.
type Alert struct {
	Level       AlertLevel       `json:"level"`
	Description AlertDescription `json:"description"`
}
