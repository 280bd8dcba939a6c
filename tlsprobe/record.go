package tlsprobe

// Record content types (RFC 8446, Section 5.1; RFC 5246, Section 6.2.1).
const (
	recordChangeCipherSpec uint8 = 20
	recordAlert            uint8 = 21
	recordHandshake        uint8 = 22
	recordApplicationData  uint8 = 23
)

// Record layer limits.
const (
	// recordHeaderLen is the length of a TLS record header in bytes: type,
	// version and length.
	recordHeaderLen = 5
	// maxPlaintext is the largest record fragment a client may send,
	// 2^14 bytes (RFC 5246, Section 6.2.1).
	maxPlaintext = 1 << 14
	// maxRecordPayload is the largest record payload a peer may send,
	// 2^14 + 2048 bytes, the TLSCiphertext limit of RFC 5246, Section 6.2.3.
	// TLS 1.3 allows only 2^14 + 256, but earlier versions allow more, and a
	// first flight can be either.
	maxRecordPayload = 1<<14 + 2048
	// maxHandshakeMessage is the largest handshake message the parser
	// accepts, 256 KiB: enough for a Certificate with a long chain, as Go's
	// crypto/tls allows for certificates.
	maxHandshakeMessage = 256 << 10
	// maxFlightBytes bounds what a probe reads of one server flight, 1 MiB.
	maxFlightBytes = 1 << 20
	// maxIgnoredMessages bounds the warning alerts, and separately the
	// HelloRequest messages, that one flight may carry. Both leave the
	// handshake where it was, so a server that keeps sending them would
	// otherwise hold a probe until maxFlightBytes. The value is that of Go's
	// crypto/tls, which allows 16 such records in a row (maxUselessRecords
	// in crypto/tls/common.go, Go 1.26).
	maxIgnoredMessages = 16
	// maxHandshakeRecords bounds the handshake records of one flight: 1024,
	// a maxFlightBytes flight in records of 1 KiB, where full records of
	// 2^14 bytes take 64. Each record costs the parser a header and an entry
	// that maps handshake offsets back to the stream, so the limit bounds
	// that work for a server that splits its flight into one-byte records.
	// NOTE: 1024 is an estimate with a wide margin, not a measured limit of
	// any server.
	maxHandshakeRecords = 1024
)

// isTLSContentType reports whether b is one of the four record content types
// a TLS server can send first.
func isTLSContentType(b byte) bool {
	return b >= recordChangeCipherSpec && b <= recordApplicationData
}

// buildRecords splits payload into records of at most maxPlaintext bytes.
func buildRecords(contentType uint8, version Version, payload []byte) []byte {
	out := make([]byte, 0, len(payload)+recordHeaderLen*(1+len(payload)/maxPlaintext))
	for {
		n := min(len(payload), maxPlaintext)
		out = append(out, contentType, byte(version>>8), byte(version), byte(n>>8), byte(n))
		out = append(out, payload[:n]...)
		payload = payload[n:]
		if len(payload) == 0 {
			return out
		}
	}
}
