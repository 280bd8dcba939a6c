package inspector

import (
	"fmt"
	"slices"

	"golang.org/x/crypto/cryptobyte"
)

// Limits of the ClientHello parser. The hello arrives before any
// authentication, so every size is bounded.
const (
	// recordHeaderLen is the TLS record header: type, version, length
	// (RFC 8446, Section 5.1).
	recordHeaderLen = 5
	// maxRecordPayload is the largest TLSPlaintext fragment, 2^14 bytes
	// (RFC 8446, Section 5.1).
	maxRecordPayload = 1 << 14
	// maxHelloBytes is the largest ClientHello message accepted, header
	// included. Real hellos are below 2 KiB, or about 4 KiB with
	// post-quantum key shares; 64 KiB leaves room for any of them.
	maxHelloBytes = 1 << 16
	// maxHelloRecords bounds how many records one hello may be split into.
	maxHelloRecords = 64
	// maxPeekBytes is the most the listener reads before the handshake:
	// the hello in maxHelloRecords records and their headers.
	maxPeekBytes = maxHelloBytes + maxHelloRecords*recordHeaderLen
)

const (
	recordTypeHandshake    = 22
	handshakeTypeClientHel = 1
)

// ClientHello is a parsed ClientHello (RFC 8446, Section 4.1.2, and
// RFC 5246, Section 7.4.1.2). The lists keep the client's order and its
// GREASE values (RFC 8701); use the methods for GREASE-free views.
type ClientHello struct {
	// RecordVersion is the version of the first record header.
	RecordVersion uint16 `json:"record_version"`
	// LegacyVersion is the client_version field.
	LegacyVersion uint16 `json:"legacy_version"`
	// SessionIDLength is the length of legacy_session_id in bytes.
	SessionIDLength int `json:"session_id_length"`
	// CipherSuites in the client's order.
	CipherSuites []uint16 `json:"cipher_suites"`
	// CompressionMethods as sent; modern clients send only null (0).
	CompressionMethods []uint8 `json:"compression_methods"`
	// Extensions lists the extension types in wire order.
	Extensions []uint16 `json:"extensions"`
	// ServerName is the host_name of server_name (RFC 6066, Section 3),
	// empty when the client sent none.
	ServerName string `json:"server_name,omitempty"`
	// SupportedVersions is supported_versions (RFC 8446, Section 4.2.1);
	// nil when the extension is absent.
	SupportedVersions []uint16 `json:"supported_versions,omitempty"`
	// SupportedGroups is supported_groups (RFC 8446, Section 4.2.7).
	SupportedGroups []uint16 `json:"supported_groups,omitempty"`
	// KeyShares lists the groups of the key_share entries (RFC 8446,
	// Section 4.2.8).
	KeyShares []uint16 `json:"key_shares,omitempty"`
	// SignatureAlgorithms is signature_algorithms (RFC 8446, Section 4.2.3).
	SignatureAlgorithms []uint16 `json:"signature_algorithms,omitempty"`
	// SignatureAlgorithmsCert is signature_algorithms_cert.
	SignatureAlgorithmsCert []uint16 `json:"signature_algorithms_cert,omitempty"`
	// ALPN lists the protocol names of
	// application_layer_protocol_negotiation (RFC 7301, Section 3.1).
	ALPN []string `json:"alpn,omitempty"`
	// ECPointFormats is ec_point_formats (RFC 8422, Section 5.1.2).
	ECPointFormats []uint8 `json:"ec_point_formats,omitempty"`
	// PSKModes is psk_key_exchange_modes (RFC 8446, Section 4.2.9).
	PSKModes []uint8 `json:"psk_modes,omitempty"`
	// Records is the number of TLS records the hello arrived in.
	Records int `json:"records"`
	// Length is the size of the handshake message, header included.
	Length int `json:"length"`
}

// ParseError reports a ClientHello that does not parse: where the input
// broke, in bytes from the start of the connection, and in which field.
type ParseError struct {
	// Offset counts bytes from the first byte the client sent. For a field
	// inside the hello it is the offset of the handshake message plus the
	// field's offset within it.
	Offset int
	// Field names the part that broke, such as "record header" or
	// "extension key_share".
	Field string
	// Message describes what is wrong.
	Message string
	// Truncated reports that the input ended early: more bytes from the
	// client may complete the hello.
	Truncated bool
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("inspector: ClientHello: %s at byte %d: %s", e.Field, e.Offset, e.Message)
}

// isGREASE reports whether v is one of the reserved GREASE values
// 0x0a0a, 0x1a1a ... 0xfafa (RFC 8701, Section 2).
func isGREASE(v uint16) bool {
	return v&0x0f0f == 0x0a0a && v>>8 == v&0xff
}

func withoutGREASE(values []uint16) []uint16 {
	out := make([]uint16, 0, len(values))
	for _, v := range values {
		if !isGREASE(v) {
			out = append(out, v)
		}
	}
	return out
}

// ParseClientHello parses the first bytes a client sent on a TLS
// connection: one or more handshake records that carry a ClientHello. A
// hello split over several records is reassembled. Bytes after the hello
// are ignored. The error is always a *ParseError, and its Truncated field
// separates input that ended early from input that is not a valid hello.
func ParseClientHello(data []byte) (*ClientHello, error) {
	msg, records, recordVersion, err := reassemble(data)
	if err != nil {
		return nil, err
	}
	h := &ClientHello{RecordVersion: recordVersion, Records: records, Length: len(msg)}
	if perr := h.parseMessage(msg); perr != nil {
		// Offsets inside the message count from its first byte; the first
		// record header comes before it.
		perr.Offset += recordHeaderLen
		return nil, perr
	}
	return h, nil
}

// reassemble joins the handshake records at the start of data until they
// hold one full handshake message, and returns that message.
func reassemble(data []byte) (msg []byte, records int, recordVersion uint16, err *ParseError) {
	offset := 0
	want := -1
	for {
		if records == maxHelloRecords {
			return nil, records, recordVersion, &ParseError{Offset: offset, Field: "record header",
				Message: fmt.Sprintf("the hello is split into more than %d records", maxHelloRecords)}
		}
		if len(data)-offset < recordHeaderLen {
			return nil, records, recordVersion, &ParseError{Offset: len(data), Field: "record header",
				Message: fmt.Sprintf("input ends after %d bytes, inside a record header", len(data)), Truncated: true}
		}
		header := data[offset : offset+recordHeaderLen]
		if header[0] != recordTypeHandshake {
			return nil, records, recordVersion, &ParseError{Offset: offset, Field: "record header",
				Message: fmt.Sprintf("record type %d, expected handshake (22)", header[0])}
		}
		version := uint16(header[1])<<8 | uint16(header[2])
		if header[1] != 3 {
			return nil, records, recordVersion, &ParseError{Offset: offset + 1, Field: "record header",
				Message: fmt.Sprintf("record version 0x%04x is not SSL 3.0 or TLS", version)}
		}
		if records == 0 {
			recordVersion = version
		}
		length := int(header[3])<<8 | int(header[4])
		if length == 0 || length > maxRecordPayload {
			return nil, records, recordVersion, &ParseError{Offset: offset + 3, Field: "record header",
				Message: fmt.Sprintf("record length %d is outside 1 to %d", length, maxRecordPayload)}
		}
		offset += recordHeaderLen
		records++

		end := offset + length
		truncated := end > len(data)
		if truncated {
			end = len(data)
		}
		msg = append(msg, data[offset:end]...)
		offset = end

		if want < 0 && len(msg) >= 4 {
			if msg[0] != handshakeTypeClientHel {
				return nil, records, recordVersion, &ParseError{Offset: recordHeaderLen, Field: "handshake header",
					Message: fmt.Sprintf("handshake type %d, expected client_hello (1)", msg[0])}
			}
			want = 4 + (int(msg[1])<<16 | int(msg[2])<<8 | int(msg[3]))
			if want > maxHelloBytes {
				return nil, records, recordVersion, &ParseError{Offset: recordHeaderLen + 1, Field: "handshake header",
					Message: fmt.Sprintf("ClientHello of %d bytes exceeds the %d-byte limit", want, maxHelloBytes)}
			}
		}
		if want >= 0 && len(msg) >= want {
			// Bytes after the hello in the same record would be a second
			// handshake message, which a client must not send before the
			// server's reply. crypto/tls rejects them.
			return msg[:want], records, recordVersion, nil
		}
		if truncated {
			return nil, records, recordVersion, &ParseError{Offset: len(data), Field: "record",
				Message: fmt.Sprintf("input ends after %d bytes, inside a record", len(data)), Truncated: true}
		}
	}
}

// parseMessage parses a complete ClientHello handshake message. Offsets
// in the returned error count from the message's first byte.
func (h *ClientHello) parseMessage(msg []byte) *ParseError {
	s := cryptobyte.String(msg)
	fail := func(field, message string) *ParseError {
		return &ParseError{Offset: len(msg) - len(s), Field: field, Message: message}
	}

	var msgType uint8
	var body cryptobyte.String
	if !s.ReadUint8(&msgType) || !s.ReadUint24LengthPrefixed(&body) {
		return fail("handshake header", "truncated")
	}
	s = body
	// From here, offsets are len(msg)-len(s) while s is the remaining body.
	if !s.ReadUint16(&h.LegacyVersion) {
		return fail("legacy_version", "truncated")
	}
	var random []byte
	if !s.ReadBytes(&random, 32) {
		return fail("random", "truncated")
	}
	var sessionID cryptobyte.String
	if !s.ReadUint8LengthPrefixed(&sessionID) {
		return fail("legacy_session_id", "truncated")
	}
	if len(sessionID) > 32 {
		return fail("legacy_session_id", fmt.Sprintf("%d bytes, more than 32", len(sessionID)))
	}
	h.SessionIDLength = len(sessionID)

	var suites cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&suites) {
		return fail("cipher_suites", "truncated")
	}
	if len(suites) == 0 || len(suites)%2 != 0 {
		return fail("cipher_suites", fmt.Sprintf("length %d is not a positive even number", len(suites)))
	}
	for !suites.Empty() {
		var id uint16
		suites.ReadUint16(&id)
		h.CipherSuites = append(h.CipherSuites, id)
	}

	var compression cryptobyte.String
	if !s.ReadUint8LengthPrefixed(&compression) || len(compression) == 0 {
		return fail("legacy_compression_methods", "truncated or empty")
	}
	h.CompressionMethods = slices.Clone([]uint8(compression))

	// A hello without extensions ends here (RFC 5246, Section 7.4.1.2).
	if s.Empty() {
		return nil
	}
	var extensions cryptobyte.String
	if !s.ReadUint16LengthPrefixed(&extensions) {
		return fail("extensions", "truncated")
	}
	if !s.Empty() {
		return fail("extensions", fmt.Sprintf("%d bytes after the extensions", len(s)))
	}
	s = extensions
	for !s.Empty() {
		var typ uint16
		var data cryptobyte.String
		if !s.ReadUint16(&typ) || !s.ReadUint16LengthPrefixed(&data) {
			return fail("extensions", "truncated extension header or data")
		}
		if slices.Contains(h.Extensions, typ) {
			return fail("extensions", fmt.Sprintf("extension %d appears twice", typ))
		}
		h.Extensions = append(h.Extensions, typ)
		if err := h.parseExtension(typ, data); err != "" {
			// The data ended len(s) bytes before the end of the message.
			return &ParseError{Offset: len(msg) - len(s) - len(data), Field: "extension " + extensionName(typ), Message: err}
		}
	}
	return nil
}

// parseExtension decodes the extensions the inspector shows. It returns a
// message when data is malformed and "" when it is fine or not decoded.
func (h *ClientHello) parseExtension(typ uint16, data cryptobyte.String) string {
	switch typ {
	case extServerName:
		// RFC 6066, Section 3: a list of (type, name); type 0 is host_name.
		var list cryptobyte.String
		if !data.ReadUint16LengthPrefixed(&list) || !data.Empty() {
			return "malformed server_name list"
		}
		for !list.Empty() {
			var nameType uint8
			var name cryptobyte.String
			if !list.ReadUint8(&nameType) || !list.ReadUint16LengthPrefixed(&name) {
				return "truncated server_name entry"
			}
			if nameType == 0 && h.ServerName == "" {
				h.ServerName = string(name)
			}
		}
	case extSupportedVersions:
		// RFC 8446, Section 4.2.1: a one-byte length, then 2-byte versions.
		var list cryptobyte.String
		if !data.ReadUint8LengthPrefixed(&list) || !data.Empty() || len(list)%2 != 0 || len(list) == 0 {
			return "malformed supported_versions list"
		}
		h.SupportedVersions = readUint16s(list)
	case extSupportedGroups:
		var list cryptobyte.String
		if !data.ReadUint16LengthPrefixed(&list) || !data.Empty() || len(list)%2 != 0 {
			return "malformed supported_groups list"
		}
		h.SupportedGroups = readUint16s(list)
	case extSignatureAlgorithms, extSignatureAlgorithmsCert:
		var list cryptobyte.String
		if !data.ReadUint16LengthPrefixed(&list) || !data.Empty() || len(list)%2 != 0 {
			return "malformed signature scheme list"
		}
		if typ == extSignatureAlgorithms {
			h.SignatureAlgorithms = readUint16s(list)
		} else {
			h.SignatureAlgorithmsCert = readUint16s(list)
		}
	case extKeyShare:
		// RFC 8446, Section 4.2.8: a list of (group, key_exchange<1..2^16-1>).
		var list cryptobyte.String
		if !data.ReadUint16LengthPrefixed(&list) || !data.Empty() {
			return "malformed key_share list"
		}
		for !list.Empty() {
			var group uint16
			var key cryptobyte.String
			if !list.ReadUint16(&group) || !list.ReadUint16LengthPrefixed(&key) {
				return "truncated key_share entry"
			}
			h.KeyShares = append(h.KeyShares, group)
		}
	case extALPN:
		// RFC 7301, Section 3.1: names of 1 to 255 bytes.
		var list cryptobyte.String
		if !data.ReadUint16LengthPrefixed(&list) || !data.Empty() {
			return "malformed protocol name list"
		}
		for !list.Empty() {
			var name cryptobyte.String
			if !list.ReadUint8LengthPrefixed(&name) || len(name) == 0 {
				return "empty or truncated protocol name"
			}
			h.ALPN = append(h.ALPN, string(name))
		}
	case extECPointFormats:
		var list cryptobyte.String
		if !data.ReadUint8LengthPrefixed(&list) || !data.Empty() {
			return "malformed ec_point_formats list"
		}
		h.ECPointFormats = slices.Clone([]uint8(list))
	case extPSKModes:
		var list cryptobyte.String
		if !data.ReadUint8LengthPrefixed(&list) || !data.Empty() {
			return "malformed psk_key_exchange_modes list"
		}
		h.PSKModes = slices.Clone([]uint8(list))
	}
	return ""
}

func readUint16s(s cryptobyte.String) []uint16 {
	out := make([]uint16, 0, len(s)/2)
	for !s.Empty() {
		var v uint16
		s.ReadUint16(&v)
		out = append(out, v)
	}
	return out
}

// OfferedVersions returns the protocol versions the client offers, newest
// first, without GREASE. With supported_versions it is that list. Without
// it, the client offers legacy_version and, as far as the hello shows,
// every older version down to TLS 1.0 (SSL 3.0 when legacy_version is
// SSL 3.0).
// NOTE: a client without supported_versions does not say its minimum, so
// the older versions are an assumption.
func (h *ClientHello) OfferedVersions() []uint16 {
	if h.SupportedVersions != nil {
		vs := withoutGREASE(h.SupportedVersions)
		slices.SortFunc(vs, func(a, b uint16) int { return int(b) - int(a) })
		return slices.Compact(vs)
	}
	if h.LegacyVersion < 0x0300 || h.LegacyVersion > 0x0304 {
		return []uint16{h.LegacyVersion}
	}
	var vs []uint16
	low := uint16(0x0301)
	if h.LegacyVersion == 0x0300 {
		low = 0x0300
	}
	for v := h.LegacyVersion; v >= low; v-- {
		vs = append(vs, v)
	}
	return vs
}

// MaxVersion returns the newest version the client offers.
func (h *ClientHello) MaxVersion() uint16 {
	vs := h.OfferedVersions()
	if len(vs) == 0 {
		return 0
	}
	return vs[0]
}
