package tlsprobe

import (
	"crypto/rand"
	"fmt"
	"net"
	"slices"
	"strings"

	"golang.org/x/crypto/cryptobyte"
)

// ClientHello describes a ClientHello to send. The zero value is not useful:
// callers set at least Version and CipherSuites. Marshal turns it into the
// handshake message; fields left empty leave their extension out.
type ClientHello struct {
	// RecordVersion is the version of the record layer header. Zero means
	// TLS 1.0 (0x0301) for TLS hellos, as most clients send.
	RecordVersion Version
	// Version is legacy_version, the client_version field. A TLS 1.3 client
	// sends TLS 1.2 here and lists its versions in SupportedVersions.
	Version Version
	// SupportedVersions fills the supported_versions extension
	// (RFC 8446, Section 4.2.1), in the client's order. Empty: no extension.
	SupportedVersions []Version
	// CipherSuites in the client's order, signalling values such as
	// TLS_EMPTY_RENEGOTIATION_INFO_SCSV (0x00ff) and TLS_FALLBACK_SCSV
	// (0x5600) included.
	CipherSuites []uint16
	// CompressionMethods defaults to {0} (null) when empty.
	CompressionMethods []uint8
	// Random is the client random. Empty means 32 fresh random bytes.
	Random []byte
	// SessionID is sent as legacy_session_id. Empty means a random 32-byte
	// value when SupportedVersions lists TLS 1.3 (middlebox compatibility
	// mode, RFC 8446, Appendix D.4), and no session ID otherwise.
	SessionID []byte

	// ServerName is the host name for the server_name extension (RFC 6066,
	// Section 3). Empty: no SNI. IP literals are never sent here.
	ServerName string
	// SupportedGroups fills supported_groups (RFC 8422 and RFC 7919).
	SupportedGroups []uint16
	// KeyShares lists the groups to send key shares for, in order
	// (RFC 8446, Section 4.2.8). Each share is a fresh public key for
	// X25519, secp256r1, secp384r1, secp521r1, ML-KEM-768, ML-KEM-1024 and
	// their hybrids. X448 and ffdhe groups get a random share of the right
	// length, and Marshal fails for other groups.
	KeyShares []uint16
	// SignatureAlgorithms fills signature_algorithms (RFC 8446, Section 4.2.3).
	SignatureAlgorithms []uint16
	// SignatureAlgorithmsCert fills signature_algorithms_cert; empty: none.
	SignatureAlgorithmsCert []uint16
	// ALPN lists protocol names such as "h2" and "http/1.1" (RFC 7301).
	ALPN []string
	// ECPointFormats sends ec_point_formats with the uncompressed format
	// (RFC 8422, Section 5.1.2).
	ECPointFormats bool
	// RenegotiationInfo sends an empty renegotiation_info extension
	// (RFC 5746, Section 3.4).
	RenegotiationInfo bool
	// ExtendedMasterSecret sends extended_master_secret (RFC 7627).
	ExtendedMasterSecret bool
	// SessionTicket sends an empty session_ticket extension (RFC 5077).
	SessionTicket bool
	// StatusRequest asks for OCSP stapling (RFC 6066, Section 8).
	StatusRequest bool
	// SignedCertificateTimestamp asks for SCTs (RFC 6962, Section 3.3.1).
	SignedCertificateTimestamp bool
	// EncryptThenMAC sends encrypt_then_mac (RFC 7366).
	EncryptThenMAC bool
	// PSKKeyExchangeModes sends psk_key_exchange_modes with psk_dhe_ke
	// (RFC 8446, Section 4.2.9). TLS 1.3 servers require it only with a PSK,
	// but real clients always send it.
	PSKKeyExchangeModes bool
	// PostHandshakeAuth sends post_handshake_auth (RFC 8446, Section 4.2.6).
	PostHandshakeAuth bool
	// Padding pads the hello to 512 bytes when it is between 256 and 511
	// bytes long (RFC 7685), as OpenSSL and browsers do.
	Padding bool
	// ExtensionOrder, when set, lists extension type numbers in the order
	// to send them; extensions not in the list follow in the default order.
	ExtensionOrder []uint16
}

// Marshal returns the ClientHello handshake message (RFC 8446, Section 4.1.2;
// RFC 5246, Section 7.4.1.2), with its 4-byte handshake header. It fails when
// a field cannot be encoded: no cipher suites, a key share for a group
// without a generator, or a vector over its length limit.
func (h *ClientHello) Marshal() ([]byte, error) {
	if len(h.CipherSuites) == 0 {
		return nil, fmt.Errorf("tls: ClientHello has no cipher suites; set CipherSuites")
	}
	exts, err := h.extensions()
	if err != nil {
		return nil, err
	}
	msg, err := h.marshalWith(exts)
	if err != nil {
		return nil, err
	}

	// RFC 7685, Section 4 and the F5 workaround that OpenSSL applies: a hello
	// of 256 to 511 bytes hangs some servers, so pad it to 512 bytes.
	if h.Padding && len(msg) >= 256 && len(msg) < 512 {
		padLen := max(512-len(msg)-4, 1)
		exts = append(exts, extension{typ: extPadding, data: make([]byte, padLen)})
		exts = h.orderExtensions(exts)
		msg, err = h.marshalWith(exts)
		if err != nil {
			return nil, err
		}
	}
	return msg, nil
}

// Records returns Marshal's message in handshake records of at most 2^14
// bytes each (RFC 5246, Section 6.2.1), ready to write to the connection.
func (h *ClientHello) Records() ([]byte, error) {
	msg, err := h.Marshal()
	if err != nil {
		return nil, err
	}
	version := h.RecordVersion
	if version == 0 {
		version = VersionTLS10
	}
	return buildRecords(recordHandshake, version, msg), nil
}

// extension is one extension ready to encode.
type extension struct {
	typ  uint16
	data []byte
}

// defaultExtensionOrder is close to what OpenSSL 3 sends. Padding stays last
// because it is sized from the rest.
var defaultExtensionOrder = []uint16{
	extServerName, extECPointFormats, extSupportedGroups, extSessionTicket,
	extALPN, extEncryptThenMAC, extExtendedMasterSecret, extStatusRequest,
	extSignatureAlgorithms, extSignatureAlgsCert, extSCT, extSupportedVersions,
	extPSKKeyExchangeModes, extPostHandshakeAuth, extKeyShare,
	extRenegotiationInfo, extPadding,
}

// orderExtensions sorts exts by ExtensionOrder, then by the default order.
func (h *ClientHello) orderExtensions(exts []extension) []extension {
	rank := func(t uint16) int {
		if i := slices.Index(h.ExtensionOrder, t); i >= 0 {
			return i
		}
		return len(h.ExtensionOrder) + slices.Index(defaultExtensionOrder, t)
	}
	slices.SortStableFunc(exts, func(a, b extension) int { return rank(a.typ) - rank(b.typ) })
	return exts
}

// sniName returns the host name for server_name, or "" for an IP literal,
// which RFC 6066, Section 3 forbids there.
func (h *ClientHello) sniName() string {
	name := strings.TrimSuffix(strings.Trim(h.ServerName, "[]"), ".")
	if name == "" || net.ParseIP(name) != nil {
		return ""
	}
	if i := strings.IndexByte(name, '%'); i >= 0 && net.ParseIP(name[:i]) != nil {
		return "" // scoped IPv6 address
	}
	return name
}

// extensions encodes every extension the fields ask for, in order.
func (h *ClientHello) extensions() ([]extension, error) {
	var exts []extension
	add := func(typ uint16, build func(b *cryptobyte.Builder)) error {
		var b cryptobyte.Builder
		if build != nil {
			build(&b)
		}
		data, err := b.Bytes()
		if err != nil {
			return fmt.Errorf("tls: encoding the %s extension: %w", ExtensionName(typ), err)
		}
		exts = append(exts, extension{typ: typ, data: data})
		return nil
	}
	u16List := func(values []uint16) func(b *cryptobyte.Builder) {
		return func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, v := range values {
					b.AddUint16(v)
				}
			})
		}
	}
	var errs []error
	check := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}

	if name := h.sniName(); name != "" {
		// RFC 6066, Section 3: a ServerNameList with one host_name (0).
		check(add(extServerName, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				b.AddUint8(0)
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(name)) })
			})
		}))
	}
	if h.ECPointFormats {
		// RFC 8422, Section 5.1.2: uncompressed (0) only.
		check(add(extECPointFormats, func(b *cryptobyte.Builder) {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint8(0) })
		}))
	}
	if len(h.SupportedGroups) > 0 {
		check(add(extSupportedGroups, u16List(h.SupportedGroups)))
	}
	if h.SessionTicket {
		check(add(extSessionTicket, nil))
	}
	if len(h.ALPN) > 0 {
		check(add(extALPN, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, proto := range h.ALPN {
					b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes([]byte(proto)) })
				}
			})
		}))
	}
	if h.EncryptThenMAC {
		check(add(extEncryptThenMAC, nil))
	}
	if h.ExtendedMasterSecret {
		check(add(extExtendedMasterSecret, nil))
	}
	if h.StatusRequest {
		// RFC 6066, Section 8: ocsp (1), no responder ids, no extensions.
		check(add(extStatusRequest, func(b *cryptobyte.Builder) {
			b.AddUint8(1)
			b.AddUint16(0)
			b.AddUint16(0)
		}))
	}
	if len(h.SignatureAlgorithms) > 0 {
		check(add(extSignatureAlgorithms, u16List(h.SignatureAlgorithms)))
	}
	if len(h.SignatureAlgorithmsCert) > 0 {
		check(add(extSignatureAlgsCert, u16List(h.SignatureAlgorithmsCert)))
	}
	if h.SignedCertificateTimestamp {
		check(add(extSCT, nil))
	}
	if len(h.SupportedVersions) > 0 {
		// RFC 8446, Section 4.2.1: a one-byte length prefix.
		check(add(extSupportedVersions, func(b *cryptobyte.Builder) {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) {
				for _, v := range h.SupportedVersions {
					b.AddUint16(uint16(v))
				}
			})
		}))
	}
	if h.PSKKeyExchangeModes {
		// RFC 8446, Section 4.2.9: psk_dhe_ke (1).
		check(add(extPSKKeyExchangeModes, func(b *cryptobyte.Builder) {
			b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddUint8(1) })
		}))
	}
	if h.PostHandshakeAuth {
		check(add(extPostHandshakeAuth, nil))
	}
	if len(h.KeyShares) > 0 {
		shares := make([][]byte, len(h.KeyShares))
		for i, group := range h.KeyShares {
			share, err := keyShare(group)
			if err != nil {
				return nil, err
			}
			shares[i] = share
		}
		check(add(extKeyShare, func(b *cryptobyte.Builder) {
			b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
				for i, group := range h.KeyShares {
					b.AddUint16(group)
					b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(shares[i]) })
				}
			})
		}))
	}
	if h.RenegotiationInfo {
		// RFC 5746, Section 3.4: an empty renegotiated_connection.
		check(add(extRenegotiationInfo, func(b *cryptobyte.Builder) { b.AddUint8(0) }))
	}
	if len(errs) > 0 {
		return nil, errs[0]
	}
	return h.orderExtensions(exts), nil
}

// marshalWith encodes the message with the given extensions.
func (h *ClientHello) marshalWith(exts []extension) ([]byte, error) {
	random := h.Random
	if len(random) == 0 {
		random = make([]byte, 32)
		rand.Read(random)
	}
	if len(random) != 32 {
		return nil, fmt.Errorf("tls: ClientHello random of %d bytes, want 32", len(random))
	}
	sessionID := h.SessionID
	if len(sessionID) == 0 && slices.Contains(h.SupportedVersions, VersionTLS13) {
		sessionID = make([]byte, 32)
		rand.Read(sessionID)
	}
	if len(sessionID) > 32 {
		return nil, fmt.Errorf("tls: ClientHello session ID of %d bytes exceeds the 32-byte limit", len(sessionID))
	}
	compression := h.CompressionMethods
	if len(compression) == 0 {
		compression = []uint8{0}
	}

	var b cryptobyte.Builder
	b.AddUint8(typeClientHello)
	b.AddUint24LengthPrefixed(func(b *cryptobyte.Builder) {
		b.AddUint16(uint16(h.Version))
		b.AddBytes(random)
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(sessionID) })
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, s := range h.CipherSuites {
				b.AddUint16(s)
			}
		})
		b.AddUint8LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(compression) })
		// SSL 3.0 hellos without extensions end here, as SSL 3.0 clients
		// did (RFC 5246, Section 7.4.1.2 allows the block to be absent).
		if len(exts) == 0 {
			return
		}
		b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) {
			for _, e := range exts {
				b.AddUint16(e.typ)
				b.AddUint16LengthPrefixed(func(b *cryptobyte.Builder) { b.AddBytes(e.data) })
			}
		})
	})
	msg, err := b.Bytes()
	if err != nil {
		return nil, fmt.Errorf("tls: encoding the ClientHello: %w", err)
	}
	return msg, nil
}
