package tlsprobe

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"strings"
	"testing"
)

// Builders of server messages for the tables below.

func record(contentType uint8, payload []byte) []byte {
	return append([]byte{contentType, 0x03, 0x03, byte(len(payload) >> 8), byte(len(payload))}, payload...)
}

func hsMsg(msgType uint8, body []byte) []byte {
	n := len(body)
	return append([]byte{msgType, byte(n >> 16), byte(n >> 8), byte(n)}, body...)
}

func ext(extType uint16, data []byte) []byte {
	return append([]byte{byte(extType >> 8), byte(extType), byte(len(data) >> 8), byte(len(data))}, data...)
}

func u16(v uint16) []byte { return []byte{byte(v >> 8), byte(v)} }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// serverHelloBody builds a ServerHello body; exts nil leaves out the
// extensions block.
func serverHelloBody(version uint16, random []byte, suite uint16, exts ...[]byte) []byte {
	if random == nil {
		random = bytes.Repeat([]byte{0x42}, 32)
	}
	body := cat(u16(version), random, []byte{0}, u16(suite), []byte{0})
	if exts == nil {
		return body
	}
	all := cat(exts...)
	return cat(body, u16(uint16(len(all))), all)
}

var (
	shTLS12   = hsMsg(typeServerHello, serverHelloBody(0x0303, nil, 0xc02f))
	shdMsg    = hsMsg(typeServerHelloDone, nil)
	shTLS13   = hsMsg(typeServerHello, serverHelloBody(0x0303, nil, 0x1301, ext(extSupportedVersions, u16(0x0304)), ext(extKeyShare, cat(u16(0x001d), u16(32), bytes.Repeat([]byte{9}, 32)))))
	alertFlow = record(recordAlert, []byte{2, 70})
)

func certificateMsg(certs ...[]byte) []byte {
	var list []byte
	for _, c := range certs {
		list = append(list, byte(len(c)>>16), byte(len(c)>>8), byte(len(c)))
		list = append(list, c...)
	}
	n := len(list)
	return hsMsg(typeCertificate, cat([]byte{byte(n >> 16), byte(n >> 8), byte(n)}, list))
}

func derName(t testing.TB, cn string) []byte {
	der, err := asn1.Marshal(pkix.Name{CommonName: cn, Organization: []string{"Example"}}.ToRDNSequence())
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// TestParseServerFlightValid covers flights that parse, one property each.
func TestParseServerFlightValid(t *testing.T) {
	dn := derName(t, "Test CA")
	bigCert := bytes.Repeat([]byte{0x30}, maxRecordPayload-len(shTLS12)-10)
	tests := []struct {
		name  string
		input []byte
		check func(t *testing.T, f *ServerFlight)
	}{
		{
			name:  "tls1.2 hello and done in one record",
			input: record(recordHandshake, cat(shTLS12, shdMsg)),
			check: func(t *testing.T, f *ServerFlight) {
				sh := f.ServerHello
				if sh.Version != VersionTLS12 || sh.CipherSuite != 0xc02f || !f.ServerHelloDone || !f.Complete {
					t.Errorf("flight = %v; want TLS 1.2 0xc02f done", f)
				}
			},
		},
		{
			name:  "hello fragmented over three records",
			input: cat(record(recordHandshake, shTLS12[:3]), record(recordHandshake, shTLS12[3:20]), record(recordHandshake, cat(shTLS12[20:], shdMsg))),
			check: func(t *testing.T, f *ServerFlight) {
				if f.ServerHello.CipherSuite != 0xc02f || !f.ServerHelloDone {
					t.Errorf("flight = %v", f)
				}
			},
		},
		{
			name:  "hello without extensions block",
			input: record(recordHandshake, cat(shTLS12, shdMsg)),
			check: func(t *testing.T, f *ServerFlight) {
				if len(f.ServerHello.Extensions) != 0 {
					t.Errorf("Extensions = %v; want none", f.ServerHello.Extensions)
				}
			},
		},
		{
			name: "tls1.2 extensions",
			input: record(recordHandshake, cat(hsMsg(typeServerHello, serverHelloBody(0x0303, nil, 0xc030,
				ext(extServerName, nil),
				ext(extRenegotiationInfo, []byte{0}),
				ext(extExtendedMasterSecret, nil),
				ext(extSessionTicket, nil),
				ext(extStatusRequest, nil),
				ext(extALPN, cat(u16(3), []byte{2, 'h', '2'})),
				ext(extECPointFormats, []byte{1, 0}),
			)), shdMsg)),
			check: func(t *testing.T, f *ServerFlight) {
				sh := f.ServerHello
				if !sh.ServerNameAck || !sh.SecureRenegotiation || !sh.ExtendedMasterSecret || !sh.SessionTicket || !sh.OCSPStapling || sh.ALPN != "h2" {
					t.Errorf("ServerHello = %+v; want every extension flag set and ALPN h2", sh)
				}
				if len(sh.Extensions) != 7 || sh.Extensions[0] != extServerName {
					t.Errorf("Extensions = %v; want 7 in the order sent", sh.Extensions)
				}
			},
		},
		{
			name:  "tls1.3 server hello ends the flight",
			input: cat(record(recordHandshake, shTLS13), record(recordChangeCipherSpec, []byte{1}), record(recordApplicationData, []byte{1, 2, 3})),
			check: func(t *testing.T, f *ServerFlight) {
				sh := f.ServerHello
				if sh.Version != VersionTLS13 || sh.LegacyVersion != VersionTLS12 || sh.KeyShareGroup != 0x001d || sh.KeyShareLen != 32 || !f.Complete {
					t.Errorf("ServerHello = %+v; want TLS 1.3 with an x25519 share", sh)
				}
			},
		},
		{
			name: "hello retry request",
			input: record(recordHandshake, hsMsg(typeServerHello, serverHelloBody(0x0303, helloRetryRequestRandom, 0x1301,
				ext(extSupportedVersions, u16(0x0304)), ext(extKeyShare, u16(0x0018))))),
			check: func(t *testing.T, f *ServerFlight) {
				sh := f.ServerHello
				if !sh.HelloRetryRequest || sh.KeyShareGroup != 0x0018 {
					t.Errorf("ServerHello = %+v; want a HelloRetryRequest for secp384r1", sh)
				}
			},
		},
		{
			name:  "downgrade sentinel",
			input: record(recordHandshake, cat(hsMsg(typeServerHello, serverHelloBody(0x0303, cat(bytes.Repeat([]byte{7}, 24), downgradeTLS12), 0xc02f)), shdMsg)),
			check: func(t *testing.T, f *ServerFlight) {
				if !f.ServerHello.DowngradeSentinel {
					t.Error("DowngradeSentinel = false; want true")
				}
			},
		},
		{
			name: "certificate, ecdhe key exchange, request and status",
			input: record(recordHandshake, cat(
				hsMsg(typeServerHello, serverHelloBody(0x0303, nil, 0xc02f, ext(extStatusRequest, nil))),
				certificateMsg([]byte{0x30, 0x01}, []byte{0x30, 0x02}),
				hsMsg(typeCertificateStatus, cat([]byte{1, 0, 0, 3}, []byte{0x30, 1, 0})),
				hsMsg(typeServerKeyExchange, cat([]byte{3}, u16(0x001d), []byte{32}, bytes.Repeat([]byte{5}, 32), u16(0x0804), u16(2), []byte{0, 0})),
				hsMsg(typeCertificateRequest, cat([]byte{2, 1, 64}, u16(4), u16(0x0804), u16(0x0403), u16(uint16(len(dn)+2)), u16(uint16(len(dn))), dn)),
				shdMsg)),
			check: func(t *testing.T, f *ServerFlight) {
				if len(f.Certificates) != 2 || !f.CertificateStatus || f.ServerKeyExchange.NamedCurve != 0x001d {
					t.Errorf("flight = %+v; want 2 certificates, a status and x25519", f)
				}
				cr := f.CertificateRequest
				if cr == nil || len(cr.SignatureAlgorithms) != 2 || len(cr.CANamesText) != 1 || cr.CANamesText[0] != "CN=Test CA,O=Example" {
					t.Errorf("CertificateRequest = %+v; want 2 algorithms and CN=Test CA,O=Example", cr)
				}
			},
		},
		{
			name: "dhe key exchange prime size",
			input: record(recordHandshake, cat(
				hsMsg(typeServerHello, serverHelloBody(0x0303, nil, 0x009e)),
				hsMsg(typeServerKeyExchange, cat(u16(256), []byte{0x80}, bytes.Repeat([]byte{1}, 255), u16(1), []byte{2}, u16(1), []byte{3})),
				shdMsg)),
			check: func(t *testing.T, f *ServerFlight) {
				if got := f.ServerKeyExchange.DHPrimeBits; got != 2048 {
					t.Errorf("DHPrimeBits = %d; want 2048", got)
				}
			},
		},
		{
			name:  "alert only",
			input: alertFlow,
			check: func(t *testing.T, f *ServerFlight) {
				if f.ServerHello != nil || len(f.Alerts) != 1 || f.Alerts[0].Description != 70 {
					t.Errorf("flight = %v; want one protocol_version alert", f)
				}
			},
		},
		{
			name:  "warning alert then hello",
			input: cat(record(recordAlert, []byte{1, 112}), record(recordHandshake, cat(shTLS12, shdMsg))),
			check: func(t *testing.T, f *ServerFlight) {
				if f.ServerHello == nil || len(f.Alerts) != 1 || f.Alerts[0].Level != AlertLevelWarning {
					t.Errorf("flight = %v; want a warning alert and a ServerHello", f)
				}
			},
		},
		{
			name:  "record at the length limit",
			input: cat(record(recordHandshake, cat(shTLS12, certificateMsg(bigCert))), record(recordHandshake, shdMsg)),
			check: func(t *testing.T, f *ServerFlight) {
				if len(f.Certificates) != 1 || len(f.Certificates[0]) != len(bigCert) {
					t.Errorf("got %d certificates; want one of %d bytes", len(f.Certificates), len(bigCert))
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseServerFlight(tt.input)
			if err != nil {
				t.Fatalf("ParseServerFlight: %v", err)
			}
			tt.check(t, f)
		})
	}
	// The limit case must really sit at the limit.
	if n := len(record(recordHandshake, cat(shTLS12, certificateMsg(bigCert)))) - recordHeaderLen; n != maxRecordPayload {
		t.Errorf("limit case record has %d bytes; want %d", n, maxRecordPayload)
	}
}

// TestParseServerFlightErrors covers hostile and broken input: each case
// names the field and a part of the message it must report.
func TestParseServerFlightErrors(t *testing.T) {
	overLimit := record(recordHandshake, make([]byte, maxRecordPayload+1))
	shBody := serverHelloBody(0x0303, nil, 0xc02f, ext(extRenegotiationInfo, []byte{0}))
	tests := []struct {
		name    string
		input   []byte
		field   string
		message string
		offset  int
	}{
		{"empty input", nil, "handshake", "stream ends before the ServerHello", 0},
		{"not tls", []byte("HTTP/1.1 400 Bad Request\r\n"), "record.content_type", "first byte 0x48 is not a TLS record content type", 0},
		{"truncated record header", []byte{22, 3, 3}, "record.header", "stream ends inside a record header, after 3 of 5 bytes", 0},
		{"truncated record", record(recordHandshake, shTLS12)[:20], "record.fragment", "stream ends inside a record, after 15 of 42 bytes", 0},
		{"record over the limit", overLimit, "record.length", "record of 18433 bytes exceeds the 18432-byte limit", 3},
		{"record version not tls", []byte{22, 0x48, 0x54, 0, 1, 0}, "record.version", "record version 0x4854 is not SSL 3.0 or TLS", 1},
		{"unknown content type after hello", cat(record(recordHandshake, shTLS12), []byte{99, 3, 3, 0, 1, 0}), "record.content_type", "record of unknown content type 99", 47},
		{"empty handshake record", record(recordHandshake, nil), "record.length", "empty handshake record", 3},
		{"odd alert record", record(recordAlert, []byte{2}), "alert", "alert record of 1 bytes, want 2", 3},
		{"application data first", record(recordApplicationData, []byte{1}), "record.content_type", "application_data record before the handshake finished", 0},
		{"change cipher spec first", record(recordChangeCipherSpec, []byte{1}), "record.content_type", "change_cipher_spec record before the ServerHello", 0},
		{"certificate before hello", record(recordHandshake, certificateMsg([]byte{1})), "handshake.msg_type", "server sent Certificate before the ServerHello", 5},
		{"second server hello", record(recordHandshake, cat(shTLS12, shTLS12)), "handshake.msg_type", "server sent a second ServerHello", 47},
		{"hello ends in the random", record(recordHandshake, hsMsg(typeServerHello, shBody[:20])), "server_hello.random", "server_hello.random is truncated", 11},
		{"hello trailing byte", record(recordHandshake, hsMsg(typeServerHello, cat(shBody, []byte{0}))), "server_hello.extensions", "1 unexpected trailing bytes after server_hello.extensions", 9 + len(shBody)},
		{"hello extensions overrun", record(recordHandshake, hsMsg(typeServerHello, cat(shBody[:38], u16(50), shBody[40:]))), "server_hello.extensions", "server_hello.extensions is longer than the 5 bytes left", 9 + 38},
		{"duplicate extension", record(recordHandshake, hsMsg(typeServerHello, serverHelloBody(0x0303, nil, 0xc02f, ext(extExtendedMasterSecret, nil), ext(extExtendedMasterSecret, nil)))), "server_hello.extensions.extended_master_secret", "duplicate extended_master_secret extension", 9 + 40 + 4},
		{"session id over 32 bytes", record(recordHandshake, hsMsg(typeServerHello, cat(u16(0x0303), make([]byte, 32), []byte{33}, make([]byte, 33), u16(0xc02f), []byte{0}))), "server_hello.legacy_session_id", "session ID of 33 bytes exceeds the 32-byte limit", 9 + 34},
		{"server name ack with data", record(recordHandshake, hsMsg(typeServerHello, serverHelloBody(0x0303, nil, 0xc02f, ext(extServerName, []byte{1})))), "server_hello.extensions.server_name", "1 unexpected trailing bytes", 9 + 44},
		{"empty alpn name", record(recordHandshake, hsMsg(typeServerHello, serverHelloBody(0x0303, nil, 0xc02f, ext(extALPN, cat(u16(1), []byte{0}))))), "server_hello.extensions.application_layer_protocol_negotiation", "empty protocol name", 9 + 46},
		{"empty certificate", record(recordHandshake, cat(shTLS12, certificateMsg(nil))), "certificate.certificate_list[0]", "empty certificate", 5 + 42 + 7},
		{"handshake message over the limit", record(recordHandshake, cat(shTLS12, []byte{typeCertificate, 0x04, 0x00, 0x01})), "handshake.length", "server Certificate of 262145 bytes exceeds the 262144-byte limit", 5 + 42 + 1},
		{"explicit curve", record(recordHandshake, cat(shTLS12, hsMsg(typeServerKeyExchange, []byte{1, 0, 0}))), "server_key_exchange.curve_type", "curve type 1, want 3 (named_curve)", 5 + 42 + 4},
		{"done with a body", record(recordHandshake, cat(shTLS12, hsMsg(typeServerHelloDone, []byte{0}))), "server_hello_done", "1 unexpected trailing bytes after server_hello_done", 5 + 42 + 4},
		{"finished in the flight", record(recordHandshake, cat(shTLS12, hsMsg(typeFinished, make([]byte, 12)))), "handshake.msg_type", "server sent Finished in its first flight", 5 + 42},
		{"hello without done", record(recordHandshake, shTLS12), "handshake", "stream ends before the ServerHelloDone", 47},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseServerFlight(tt.input)
			if f != nil {
				t.Errorf("flight = %v; want nil with an error", f)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error = %v (%T); want a *ParseError", err, err)
			}
			if pe.Field != tt.field {
				t.Errorf("Field = %q; want %q (error %v)", pe.Field, tt.field, err)
			}
			if !strings.Contains(pe.Message, tt.message) {
				t.Errorf("Message = %q; want it to contain %q", pe.Message, tt.message)
			}
			if pe.Offset != tt.offset {
				t.Errorf("Offset = %d; want %d (error %v)", pe.Offset, tt.offset, err)
			}
			if !strings.HasPrefix(err.Error(), "tls: ") || strings.Count(err.Error(), "tls: ") != 1 {
				t.Errorf("Error() = %q; want exactly one tls: prefix", err.Error())
			}
			if pe.Offset < len(tt.input) && !bytes.Equal(pe.Raw, tt.input[pe.Offset:min(len(tt.input), pe.Offset+maxRawInError)]) {
				t.Errorf("Raw = %x; want the input from offset %d", pe.Raw, pe.Offset)
			}
		})
	}
}

// TestParseServerFlightPrefixes checks that no strict prefix of a flight
// that ends with its last message parses, and none panics.
func TestParseServerFlightPrefixes(t *testing.T) {
	inputs := map[string][]byte{
		"tls1.2":       record(recordHandshake, cat(shTLS12, certificateMsg([]byte{0x30, 0}), shdMsg)),
		"tls1.2 split": cat(record(recordHandshake, shTLS12), record(recordHandshake, shdMsg)),
		"tls1.3":       record(recordHandshake, shTLS13),
		"alert":        alertFlow,
	}
	for name, input := range inputs {
		if _, err := ParseServerFlight(input); err != nil {
			t.Fatalf("%s: full input: %v", name, err)
		}
		for i := range len(input) {
			f, err := ParseServerFlight(input[:i])
			if err == nil || f != nil {
				t.Errorf("%s: prefix of %d bytes parsed: %v, %v", name, i, f, err)
			}
		}
	}
}
