package inspector

import (
	"fmt"
	"strings"

	"github.com/scimdoctor/scimdoctor/tlsprobe"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// Extension types the parser decodes (IANA TLS ExtensionType Values).
const (
	extServerName              = 0
	extSupportedGroups         = 10
	extECPointFormats          = 11
	extSignatureAlgorithms     = 13
	extALPN                    = 16
	extSupportedVersions       = 43
	extPSKModes                = 45
	extSignatureAlgorithmsCert = 50
	extKeyShare                = 51
)

// extensionNames are the IANA names of the extensions real clients send.
var extensionNames = map[uint16]string{
	0: "server_name", 1: "max_fragment_length", 5: "status_request",
	10: "supported_groups", 11: "ec_point_formats", 13: "signature_algorithms",
	14: "use_srtp", 15: "heartbeat", 16: "application_layer_protocol_negotiation",
	17: "status_request_v2", 18: "signed_certificate_timestamp", 21: "padding",
	22: "encrypt_then_mac", 23: "extended_master_secret", 27: "compress_certificate",
	28: "record_size_limit", 34: "delegated_credential", 35: "session_ticket",
	41: "pre_shared_key", 42: "early_data", 43: "supported_versions", 44: "cookie",
	45: "psk_key_exchange_modes", 47: "certificate_authorities", 49: "post_handshake_auth",
	50: "signature_algorithms_cert", 51: "key_share", 57: "quic_transport_parameters",
	13172: "next_protocol_negotiation", 17513: "application_settings",
	17613: "application_settings", 65037: "encrypted_client_hello", 65281: "renegotiation_info",
}

// extensionName returns the IANA name of an extension type, "GREASE" for
// a GREASE value, or the number in hex.
func extensionName(typ uint16) string {
	if name, ok := extensionNames[typ]; ok {
		return name
	}
	if isGREASE(typ) {
		return "GREASE"
	}
	return fmt.Sprintf("0x%04x", typ)
}

func versionName(v uint16) string {
	if isGREASE(v) {
		return "GREASE"
	}
	return tlsprobe.Version(v).String()
}

func suiteName(id uint16) string {
	if isGREASE(id) {
		return "GREASE"
	}
	return registry.SuiteName(id)
}

func groupName(id uint16) string {
	if isGREASE(id) {
		return "GREASE"
	}
	return registry.GroupName(id)
}

func schemeName(id uint16) string {
	if isGREASE(id) {
		return "GREASE"
	}
	return registry.SchemeName(id)
}

// joinNames formats each id with name and joins them with ", ".
func joinNames(ids []uint16, name func(uint16) string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = name(id)
	}
	return strings.Join(parts, ", ")
}
