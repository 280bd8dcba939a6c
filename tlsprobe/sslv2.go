package tlsprobe

import (
	"bytes"
	"crypto/rand"
	"fmt"
)

// SSL 2.0 message types and limits (draft-hickman-netscape-ssl-00).
const (
	ssl2MsgError       = 0
	ssl2MsgClientHello = 1
	ssl2MsgServerHello = 4
	// ssl2ChallengeLen is the challenge length clients commonly send
	// (16 to 32 bytes are allowed).
	ssl2ChallengeLen = 16
)

// ssl2CipherSpecs are the seven SSL 2.0 cipher kinds, 3 bytes each.
var ssl2CipherSpecs = []uint32{
	0x010080, // SSL_CK_RC4_128_WITH_MD5
	0x020080, // SSL_CK_RC4_128_EXPORT40_WITH_MD5
	0x030080, // SSL_CK_RC2_128_CBC_WITH_MD5
	0x040080, // SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5
	0x050080, // SSL_CK_IDEA_128_CBC_WITH_MD5
	0x060040, // SSL_CK_DES_64_CBC_WITH_MD5
	0x0700c0, // SSL_CK_DES_192_EDE3_CBC_WITH_MD5
}

// SSLv2ServerHello contains the version, ciphers and certificate of an
// SSL 2.0 SERVER-HELLO.
type SSLv2ServerHello struct {
	Version     Version  `json:"version"`
	CipherSpecs []uint32 `json:"cipher_specs"`
	Certificate []byte   `json:"-"`
}

// SSLv2ClientHello returns an SSL 2.0 CLIENT-HELLO record with version
// 0x0002 that offers the seven SSL 2.0 ciphers, to detect servers that still
// speak SSL 2.0. TLS servers respond to it with an alert, a close or a reset.
func SSLv2ClientHello() []byte {
	var msg []byte
	msg = append(msg, ssl2MsgClientHello, 0x00, 0x02)
	msg = append(msg, byte(len(ssl2CipherSpecs)*3>>8), byte(len(ssl2CipherSpecs)*3))
	msg = append(msg, 0, 0) // no session ID
	msg = append(msg, 0, ssl2ChallengeLen)
	for _, spec := range ssl2CipherSpecs {
		msg = append(msg, byte(spec>>16), byte(spec>>8), byte(spec))
	}
	challenge := make([]byte, ssl2ChallengeLen)
	rand.Read(challenge)
	msg = append(msg, challenge...)
	// A 2-byte record header with the high bit set: no padding.
	return append([]byte{0x80 | byte(len(msg)>>8), byte(len(msg))}, msg...)
}

// parseSSLv2ServerHello reads an SSL 2.0 record holding a SERVER-HELLO. It
// returns done=false when more bytes are needed.
func parseSSLv2ServerHello(data []byte) (hello *SSLv2ServerHello, done bool, err *ParseError) {
	if len(data) < 2 {
		return nil, false, nil
	}
	headerLen, length := 2, int(data[0]&0x7f)<<8|int(data[1])
	if data[0]&0x80 == 0 {
		// A 3-byte header with padding (the high bit clear).
		if len(data) < 3 {
			return nil, false, nil
		}
		headerLen, length = 3, int(data[0]&0x3f)<<8|int(data[1])
	}
	if len(data) < headerLen+length {
		return nil, false, nil
	}
	msg := data[headerLen : headerLen+length]

	if len(msg) < 1 {
		return nil, true, newParseError(data, 0, "sslv2.record", "empty SSL 2.0 record")
	}
	switch msg[0] {
	case ssl2MsgError:
		return nil, true, newParseError(data, headerLen, "sslv2.msg_type", "SSL 2.0 ERROR message %x", msg[1:])
	case ssl2MsgServerHello:
	default:
		return nil, true, newParseError(data, headerLen, "sslv2.msg_type", "SSL 2.0 message type %d, want 4 (SERVER-HELLO)", msg[0])
	}

	// SERVER-HELLO: msg type, session-id-hit, certificate type, version,
	// certificate length, cipher specs length, connection id length.
	const fixed = 11
	if len(msg) < fixed {
		return nil, true, newParseError(data, headerLen, "sslv2.server_hello", "SSL 2.0 SERVER-HELLO of %d bytes, want at least %d", len(msg), fixed)
	}
	certLen := int(msg[5])<<8 | int(msg[6])
	specsLen := int(msg[7])<<8 | int(msg[8])
	connIDLen := int(msg[9])<<8 | int(msg[10])
	if specsLen%3 != 0 || fixed+certLen+specsLen+connIDLen != len(msg) {
		return nil, true, newParseError(data, headerLen+5, "sslv2.server_hello.lengths",
			"SSL 2.0 SERVER-HELLO lengths (certificate %d, cipher specs %d, connection id %d) do not add up to the %d-byte message", certLen, specsLen, connIDLen, len(msg))
	}

	hello = &SSLv2ServerHello{Version: Version(uint16(msg[3])<<8 | uint16(msg[4]))}
	hello.Certificate = bytes.Clone(msg[fixed : fixed+certLen])
	specs := msg[fixed+certLen : fixed+certLen+specsLen]
	for i := 0; i < len(specs); i += 3 {
		hello.CipherSpecs = append(hello.CipherSpecs, uint32(specs[i])<<16|uint32(specs[i+1])<<8|uint32(specs[i+2]))
	}
	return hello, true, nil
}

// String returns, for example, "SSL 2.0 with 7 cipher specs".
func (h *SSLv2ServerHello) String() string {
	return fmt.Sprintf("%s with %d cipher specs", h.Version, len(h.CipherSpecs))
}
