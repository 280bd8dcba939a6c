package tlsprobe

import (
	"bytes"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"

	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// Handshake message types (RFC 8446, Section 4; RFC 5246, Section 7.4;
// RFC 6066, Section 8 for certificate_status).
const (
	typeHelloRequest       uint8 = 0
	typeClientHello        uint8 = 1
	typeServerHello        uint8 = 2
	typeNewSessionTicket   uint8 = 4
	typeEncryptedExts      uint8 = 8
	typeCertificate        uint8 = 11
	typeServerKeyExchange  uint8 = 12
	typeCertificateRequest uint8 = 13
	typeServerHelloDone    uint8 = 14
	typeCertificateVerify  uint8 = 15
	typeFinished           uint8 = 20
	typeCertificateStatus  uint8 = 22
)

// handshakeHeaderLen is the type byte plus the 24-bit length.
const handshakeHeaderLen = 4

var handshakeNames = map[uint8]string{
	typeHelloRequest:       "HelloRequest",
	typeClientHello:        "ClientHello",
	typeServerHello:        "ServerHello",
	typeNewSessionTicket:   "NewSessionTicket",
	typeEncryptedExts:      "EncryptedExtensions",
	typeCertificate:        "Certificate",
	typeServerKeyExchange:  "ServerKeyExchange",
	typeCertificateRequest: "CertificateRequest",
	typeServerHelloDone:    "ServerHelloDone",
	typeCertificateVerify:  "CertificateVerify",
	typeFinished:           "Finished",
	typeCertificateStatus:  "CertificateStatus",
}

func handshakeName(t uint8) string {
	if name, ok := handshakeNames[t]; ok {
		return name
	}
	return fmt.Sprintf("handshake message type %d", t)
}

// parseCertificate reads a TLS 1.2 and earlier Certificate body: a list of
// DER certificates, each with a 24-bit length (RFC 5246, Section 7.4.2).
// The certificates are not parsed here.
func parseCertificate(p *msgParser, f *ServerFlight) bool {
	var list msgParser
	if !p.readVector("certificate.certificate_list", 3, &list) || !p.expectEmpty("certificate") {
		return false
	}
	for i := 0; !list.s.Empty(); i++ {
		var cert msgParser
		field := fmt.Sprintf("certificate.certificate_list[%d]", i)
		if !list.readVector(field, 3, &cert) {
			return p.propagate(&list)
		}
		if len(cert.s) == 0 {
			list.failAt(cert.pos()-3, field, "empty certificate")
			return p.propagate(&list)
		}
		f.Certificates = append(f.Certificates, bytes.Clone(cert.s))
	}
	return true
}

// parseCertificateStatus reads a CertificateStatus body
// (RFC 6066, Section 8): status_type 1 (ocsp) and a DER OCSPResponse.
func parseCertificateStatus(p *msgParser, f *ServerFlight) bool {
	var statusType uint8
	if !p.readUint8("certificate_status.status_type", &statusType) {
		return false
	}
	if statusType != 1 {
		return p.failAt(p.pos()-1, "certificate_status.status_type", "status type %d, want 1 (ocsp)", statusType)
	}
	var resp msgParser
	if !p.readVector("certificate_status.response", 3, &resp) || !p.expectEmpty("certificate_status") {
		return false
	}
	if len(resp.s) == 0 {
		return p.failAt(resp.pos()-3, "certificate_status.response", "empty OCSP response")
	}
	f.CertificateStatus = true
	f.OCSPResponse = bytes.Clone(resp.s)
	return true
}

// parseServerKeyExchange reads the parameters of a ServerKeyExchange
// (RFC 8422, Section 5.4 for ECDHE; RFC 5246, Section 7.4.3 for DHE;
// RFC 4279, Section 2 for the PSK identity hint). Their layout depends on the
// key exchange of the chosen cipher suite. The signature that follows is
// kept in Raw only.
func parseServerKeyExchange(p *msgParser, suite uint16, ske *ServerKeyExchange) bool {
	ske.Raw = bytes.Clone(p.body)
	info, known := registry.Suite(suite)
	if !known {
		return true
	}
	if info.Authentication == "PSK" {
		var hint msgParser
		if !p.readVector("server_key_exchange.psk_identity_hint", 2, &hint) {
			return false
		}
	}
	switch info.KeyExchange {
	case "ECDHE", "ECDH":
		if info.KeyExchange == "ECDH" && info.Authentication != "anon" {
			// Static ECDH: the certificate carries the key, no message.
			return true
		}
		var curveType uint8
		if !p.readUint8("server_key_exchange.curve_type", &curveType) {
			return false
		}
		// RFC 8422, Section 5.4: 3 is named_curve, the only type left.
		if curveType != 3 {
			return p.failAt(p.pos()-1, "server_key_exchange.curve_type", "curve type %d, want 3 (named_curve)", curveType)
		}
		if !p.readUint16("server_key_exchange.named_curve", &ske.NamedCurve) {
			return false
		}
		var point msgParser
		if !p.readVector("server_key_exchange.public", 1, &point) {
			return false
		}
		if len(point.s) == 0 {
			return p.failAt(point.pos()-1, "server_key_exchange.public", "empty EC point")
		}
	case "DHE", "DH":
		var prime, generator, public msgParser
		if !p.readVector("server_key_exchange.dh_p", 2, &prime) ||
			!p.readVector("server_key_exchange.dh_g", 2, &generator) ||
			!p.readVector("server_key_exchange.dh_Ys", 2, &public) {
			return false
		}
		ske.DHPrimeBits = bitLen(prime.s)
		if ske.DHPrimeBits == 0 {
			return p.failAt(prime.pos()-2, "server_key_exchange.dh_p", "DH prime is zero")
		}
	}
	return true
}

// bitLen returns the length in bits of a big-endian unsigned integer.
func bitLen(b []byte) int {
	for i, c := range b {
		if c != 0 {
			n := 0
			for ; c != 0; c >>= 1 {
				n++
			}
			return (len(b)-i-1)*8 + n
		}
	}
	return 0
}

// parseCertificateRequest reads a TLS 1.2 and earlier CertificateRequest
// (RFC 5246, Section 7.4.4; RFC 4346, Section 7.4.4 without the signature
// algorithms).
func parseCertificateRequest(p *msgParser, version Version, cr *CertificateRequest) bool {
	var types msgParser
	if !p.readVector("certificate_request.certificate_types", 1, &types) {
		return false
	}
	if len(types.s) == 0 {
		return p.failAt(types.pos()-1, "certificate_request.certificate_types", "empty certificate_types")
	}
	cr.CertificateTypes = bytes.Clone(types.s)

	if version >= VersionTLS12 {
		var algs msgParser
		if !p.readVector("certificate_request.supported_signature_algorithms", 2, &algs) {
			return false
		}
		if len(algs.s)%2 != 0 {
			return p.failAt(algs.pos()-2, "certificate_request.supported_signature_algorithms", "odd length %d", len(algs.s))
		}
		for !algs.s.Empty() {
			var alg uint16
			algs.s.ReadUint16(&alg)
			cr.SignatureAlgorithms = append(cr.SignatureAlgorithms, alg)
		}
	}

	var names msgParser
	if !p.readVector("certificate_request.certificate_authorities", 2, &names) || !p.expectEmpty("certificate_request") {
		return false
	}
	for i := 0; !names.s.Empty(); i++ {
		var dn msgParser
		field := fmt.Sprintf("certificate_request.certificate_authorities[%d]", i)
		if !names.readVector(field, 2, &dn) {
			return p.propagate(&names)
		}
		der := bytes.Clone(dn.s)
		cr.CANames = append(cr.CANames, der)
		cr.CANamesText = append(cr.CANamesText, distinguishedNameText(der))
	}
	return true
}

// distinguishedNameText returns a DER Name in RFC 2253 form. A name that is
// not DER is reported by its length, because a bad CA name in a certificate
// request is worth a line in a report but is no reason to drop the flight.
func distinguishedNameText(der []byte) string {
	var rdn pkix.RDNSequence
	rest, err := asn1.Unmarshal(der, &rdn)
	if err != nil || len(rest) != 0 {
		return fmt.Sprintf("(invalid DER name of %d bytes)", len(der))
	}
	var name pkix.Name
	name.FillFromRDNSequence(&rdn)
	return name.String()
}
