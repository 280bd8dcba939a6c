package tlsprobe

import (
	"bytes"
	"fmt"
)

// Extension types the parser reads or the builder sends (IANA TLS
// ExtensionType Values).
const (
	extServerName           uint16 = 0
	extStatusRequest        uint16 = 5
	extSupportedGroups      uint16 = 10
	extECPointFormats       uint16 = 11
	extSignatureAlgorithms  uint16 = 13
	extALPN                 uint16 = 16
	extSCT                  uint16 = 18
	extPadding              uint16 = 21
	extEncryptThenMAC       uint16 = 22
	extExtendedMasterSecret uint16 = 23
	extSessionTicket        uint16 = 35
	extSupportedVersions    uint16 = 43
	extCookie               uint16 = 44
	extPSKKeyExchangeModes  uint16 = 45
	extPostHandshakeAuth    uint16 = 49
	extSignatureAlgsCert    uint16 = 50
	extKeyShare             uint16 = 51
	extRenegotiationInfo    uint16 = 0xff01
)

var extensionNames = map[uint16]string{
	extServerName:           "server_name",
	extStatusRequest:        "status_request",
	extSupportedGroups:      "supported_groups",
	extECPointFormats:       "ec_point_formats",
	extSignatureAlgorithms:  "signature_algorithms",
	extALPN:                 "application_layer_protocol_negotiation",
	extSCT:                  "signed_certificate_timestamp",
	extPadding:              "padding",
	extEncryptThenMAC:       "encrypt_then_mac",
	extExtendedMasterSecret: "extended_master_secret",
	extSessionTicket:        "session_ticket",
	extSupportedVersions:    "supported_versions",
	extCookie:               "cookie",
	extPSKKeyExchangeModes:  "psk_key_exchange_modes",
	extPostHandshakeAuth:    "post_handshake_auth",
	extSignatureAlgsCert:    "signature_algorithms_cert",
	extKeyShare:             "key_share",
	extRenegotiationInfo:    "renegotiation_info",
}

// ExtensionName returns the IANA name of an extension type, or "extension(N)".
func ExtensionName(t uint16) string {
	if name, ok := extensionNames[t]; ok {
		return name
	}
	return fmt.Sprintf("extension(%d)", t)
}

// helloRetryRequestRandom is the Random of a HelloRetryRequest, the SHA-256
// of "HelloRetryRequest" (RFC 8446, Section 4.1.3).
var helloRetryRequestRandom = []byte{
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11,
	0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e,
	0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
}

// Downgrade sentinels: the last 8 bytes of a ServerHello Random from a
// TLS 1.3 server that negotiates TLS 1.2 (ending in 01) or TLS 1.1 and
// below (ending in 00) (RFC 8446, Section 4.1.3).
var (
	downgradeTLS12 = []byte{0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01}
	downgradeTLS11 = []byte{0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00}
)

// parseServerHello reads a ServerHello or HelloRetryRequest body
// (RFC 8446, Section 4.1.3; RFC 5246, Section 7.4.1.3).
func parseServerHello(p *msgParser, sh *ServerHello) bool {
	var version uint16
	if !p.readUint16("server_hello.legacy_version", &version) {
		return false
	}
	sh.LegacyVersion = Version(version)
	sh.Version = sh.LegacyVersion
	if !p.readBytes("server_hello.random", 32, &sh.Random) {
		return false
	}
	sh.Random = bytes.Clone(sh.Random)
	sh.HelloRetryRequest = bytes.Equal(sh.Random, helloRetryRequestRandom)
	tail := sh.Random[24:]
	sh.DowngradeSentinel = bytes.Equal(tail, downgradeTLS12) || bytes.Equal(tail, downgradeTLS11)

	var sessionID msgParser
	if !p.readVector("server_hello.legacy_session_id", 1, &sessionID) {
		return false
	}
	if len(sessionID.s) > 32 {
		return p.failAt(sessionID.pos()-1, "server_hello.legacy_session_id", "session ID of %d bytes exceeds the 32-byte limit", len(sessionID.s))
	}
	sh.SessionID = bytes.Clone(sessionID.s)
	if !p.readUint16("server_hello.cipher_suite", &sh.CipherSuite) {
		return false
	}
	if !p.readUint8("server_hello.compression_method", &sh.CompressionMethod) {
		return false
	}

	// RFC 5246, Section 7.4.1.4: a TLS 1.2 and earlier ServerHello may end
	// here, without the extensions block.
	if p.s.Empty() {
		return true
	}
	var exts msgParser
	if !p.readVector("server_hello.extensions", 2, &exts) {
		return false
	}
	if !p.expectEmpty("server_hello.extensions") {
		return false
	}
	seen := map[uint16]bool{}
	for !exts.s.Empty() {
		start := exts.pos()
		var extType uint16
		if !exts.readUint16("server_hello.extensions.type", &extType) {
			return p.propagate(&exts)
		}
		field := "server_hello.extensions." + ExtensionName(extType)
		if seen[extType] {
			exts.failAt(start, field, "duplicate %s extension", ExtensionName(extType))
			return p.propagate(&exts)
		}
		seen[extType] = true
		sh.Extensions = append(sh.Extensions, extType)
		var data msgParser
		if !exts.readVector(field, 2, &data) {
			return p.propagate(&exts)
		}
		if !parseServerHelloExtension(&data, field, extType, sh) {
			return p.propagate(&data)
		}
	}
	if sh.SupportedVersion != 0 {
		sh.Version = sh.SupportedVersion
	}
	return true
}

// parseServerHelloExtension reads the data of one ServerHello extension.
// Extensions the parser does not need are kept only as types.
func parseServerHelloExtension(d *msgParser, field string, extType uint16, sh *ServerHello) bool {
	switch extType {
	case extServerName:
		// RFC 6066, Section 3: the server's extension_data is empty.
		if !d.expectEmpty(field) {
			return false
		}
		sh.ServerNameAck = true
	case extStatusRequest:
		// RFC 6066, Section 8: empty in a TLS 1.2 ServerHello.
		if !d.expectEmpty(field) {
			return false
		}
		sh.OCSPStapling = true
	case extExtendedMasterSecret:
		// RFC 7627, Section 5.1: empty.
		if !d.expectEmpty(field) {
			return false
		}
		sh.ExtendedMasterSecret = true
	case extSessionTicket:
		// RFC 5077, Section 3.2: empty.
		if !d.expectEmpty(field) {
			return false
		}
		sh.SessionTicket = true
	case extRenegotiationInfo:
		// RFC 5746, Section 3.2: renegotiated_connection<0..255>.
		var info msgParser
		if !d.readVector(field, 1, &info) || !d.expectEmpty(field) {
			return false
		}
		sh.SecureRenegotiation = true
	case extALPN:
		// RFC 7301, Section 3.1: a ProtocolNameList with exactly one name.
		var list, name msgParser
		if !d.readVector(field, 2, &list) || !d.expectEmpty(field) {
			return false
		}
		if !list.readVector(field+".protocol_name", 1, &name) {
			return d.propagate(&list)
		}
		if len(name.s) == 0 {
			return d.failAt(name.pos()-1, field, "empty protocol name")
		}
		if !list.expectEmpty(field + ".protocol_name_list") {
			return d.propagate(&list)
		}
		sh.ALPN = string(name.s)
	case extSupportedVersions:
		// RFC 8446, Section 4.2.1: selected_version.
		var v uint16
		if !d.readUint16(field, &v) || !d.expectEmpty(field) {
			return false
		}
		sh.SupportedVersion = Version(v)
	case extKeyShare:
		// RFC 8446, Section 4.2.8: a HelloRetryRequest carries the selected
		// group only, a ServerHello a KeyShareEntry.
		if !d.readUint16(field+".group", &sh.KeyShareGroup) {
			return false
		}
		if sh.HelloRetryRequest {
			return d.expectEmpty(field)
		}
		var share msgParser
		if !d.readVector(field+".key_exchange", 2, &share) || !d.expectEmpty(field) {
			return false
		}
		if len(share.s) == 0 {
			return d.failAt(share.pos()-2, field+".key_exchange", "empty key share")
		}
		sh.KeyShareLen = len(share.s)
	}
	return true
}
