package tlsprobe

import "fmt"

// AlertDescription is the description byte of an alert, with the names of
// the IANA TLS Alert registry (RFC 8446, Section 6).
type AlertDescription uint8

var alertNames = map[AlertDescription]string{
	0:   "close_notify",
	10:  "unexpected_message",
	20:  "bad_record_mac",
	21:  "decryption_failed",
	22:  "record_overflow",
	30:  "decompression_failure",
	40:  "handshake_failure",
	41:  "no_certificate",
	42:  "bad_certificate",
	43:  "unsupported_certificate",
	44:  "certificate_revoked",
	45:  "certificate_expired",
	46:  "certificate_unknown",
	47:  "illegal_parameter",
	48:  "unknown_ca",
	49:  "access_denied",
	50:  "decode_error",
	51:  "decrypt_error",
	60:  "export_restriction",
	70:  "protocol_version",
	71:  "insufficient_security",
	80:  "internal_error",
	86:  "inappropriate_fallback",
	90:  "user_canceled",
	100: "no_renegotiation",
	109: "missing_extension",
	110: "unsupported_extension",
	111: "certificate_unobtainable",
	112: "unrecognized_name",
	113: "bad_certificate_status_response",
	114: "bad_certificate_hash_value",
	115: "unknown_psk_identity",
	116: "certificate_required",
	120: "no_application_protocol",
	121: "ech_required",
}

// String returns the RFC name, such as "handshake_failure", which is also
// the name Java prints, or "alert(N)" for a value outside the registry.
func (d AlertDescription) String() string {
	if name, ok := alertNames[d]; ok {
		return name
	}
	return fmt.Sprintf("alert(%d)", uint8(d))
}

// Display returns the name with its number, such as "protocol_version (70)".
func (d AlertDescription) Display() string {
	return fmt.Sprintf("%s (%d)", d.String(), uint8(d))
}

// MarshalText writes the RFC name.
func (d AlertDescription) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

func (l AlertLevel) String() string {
	switch l {
	case AlertLevelWarning:
		return "warning"
	case AlertLevelFatal:
		return "fatal"
	}
	return fmt.Sprintf("level(%d)", uint8(l))
}

// MarshalText writes "warning", "fatal" or "level(N)".
func (l AlertLevel) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// String returns, for example, "fatal alert protocol_version (70)".
func (a Alert) String() string {
	return fmt.Sprintf("%s alert %s", a.Level, a.Description.Display())
}
