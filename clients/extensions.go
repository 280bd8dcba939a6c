package clients

import "github.com/scimdoctor/scimdoctor/tlsprobe"

// extensionTypes maps the IANA names of the TLS extensions a profile may
// list to their type numbers (IANA TLS ExtensionType Values).
var extensionTypes = map[string]uint16{
	"server_name":                            0,
	"status_request":                         5,
	"supported_groups":                       10,
	"ec_point_formats":                       11,
	"signature_algorithms":                   13,
	"application_layer_protocol_negotiation": 16,
	"status_request_v2":                      17,
	"signed_certificate_timestamp":           18,
	"padding":                                21,
	"encrypt_then_mac":                       22,
	"extended_master_secret":                 23,
	"compress_certificate":                   27,
	"record_size_limit":                      28,
	"session_ticket":                         35,
	"supported_versions":                     43,
	"psk_key_exchange_modes":                 45,
	"post_handshake_auth":                    49,
	"signature_algorithms_cert":              50,
	"key_share":                              51,
	"renegotiation_info":                     65281,
}

// flagExtensions are the extensions HelloSpec.Extensions may name: those
// the probe sends without data of its own, each mapped to its switch on
// tlsprobe.ClientHello.
var flagExtensions = map[string]func(h *tlsprobe.ClientHello){
	"ec_point_formats":             func(h *tlsprobe.ClientHello) { h.ECPointFormats = true },
	"renegotiation_info":           func(h *tlsprobe.ClientHello) { h.RenegotiationInfo = true },
	"extended_master_secret":       func(h *tlsprobe.ClientHello) { h.ExtendedMasterSecret = true },
	"session_ticket":               func(h *tlsprobe.ClientHello) { h.SessionTicket = true },
	"status_request":               func(h *tlsprobe.ClientHello) { h.StatusRequest = true },
	"signed_certificate_timestamp": func(h *tlsprobe.ClientHello) { h.SignedCertificateTimestamp = true },
	"encrypt_then_mac":             func(h *tlsprobe.ClientHello) { h.EncryptThenMAC = true },
	"psk_key_exchange_modes":       func(h *tlsprobe.ClientHello) { h.PSKKeyExchangeModes = true },
	"post_handshake_auth":          func(h *tlsprobe.ClientHello) { h.PostHandshakeAuth = true },
	"padding":                      func(h *tlsprobe.ClientHello) { h.Padding = true },
}
