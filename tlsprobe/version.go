package tlsprobe

import "fmt"

// Version is a protocol version as it appears on the wire
// (RFC 8446, Section 4.1.2 and Appendix E).
type Version uint16

// Protocol versions. VersionSSL20 is not a wire value of a TLS record: SSL 2.0
// hellos carry 0x0002 in their own header format.
const (
	VersionSSL20 Version = 0x0002
	VersionSSL30 Version = 0x0300
	VersionTLS10 Version = 0x0301
	VersionTLS11 Version = 0x0302
	VersionTLS12 Version = 0x0303
	VersionTLS13 Version = 0x0304
)

// AllVersions lists every version a scan tries, oldest first.
var AllVersions = []Version{VersionSSL20, VersionSSL30, VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13}

// String returns the usual name, such as "TLS 1.2", or "0x7f1c" when unknown.
func (v Version) String() string {
	switch v {
	case VersionSSL20:
		return "SSL 2.0"
	case VersionSSL30:
		return "SSL 3.0"
	case VersionTLS10:
		return "TLS 1.0"
	case VersionTLS11:
		return "TLS 1.1"
	case VersionTLS12:
		return "TLS 1.2"
	case VersionTLS13:
		return "TLS 1.3"
	}
	return fmt.Sprintf("0x%04x", uint16(v))
}

// JavaName returns the name the JDK uses in its messages, such as "TLS12"
// or "SSL30".
func (v Version) JavaName() string {
	switch v {
	case VersionSSL20:
		return "SSL20Hello"
	case VersionSSL30:
		return "SSL30"
	case VersionTLS10:
		return "TLS10"
	case VersionTLS11:
		return "TLS11"
	case VersionTLS12:
		return "TLS12"
	case VersionTLS13:
		return "TLS13"
	}
	return fmt.Sprintf("0x%04X", uint16(v))
}

// MarshalText writes the String form, so JSON reports carry "TLS 1.2".
func (v Version) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText reads the String form and the short forms "tls1.2", "TLSv1.2" and "1.2".
func (v *Version) UnmarshalText(text []byte) error {
	parsed, err := ParseVersion(string(text))
	if err != nil {
		return err
	}
	*v = parsed
	return nil
}

// ParseVersion reads a version name such as "TLS 1.2", "TLSv1.2", "tls1.2",
// "1.2", "SSLv3" or "SSL 3.0".
func ParseVersion(s string) (Version, error) {
	switch normalizeVersionName(s) {
	case "ssl2", "ssl20", "sslv2", "sslv20":
		return VersionSSL20, nil
	case "ssl3", "ssl30", "sslv3", "sslv30":
		return VersionSSL30, nil
	case "tls1", "tls10", "tlsv1", "tlsv10", "10":
		return VersionTLS10, nil
	case "tls11", "tlsv11", "11":
		return VersionTLS11, nil
	case "tls12", "tlsv12", "12":
		return VersionTLS12, nil
	case "tls13", "tlsv13", "13":
		return VersionTLS13, nil
	}
	return 0, fmt.Errorf("unknown protocol version %q (use one of SSLv3, TLS1.0, TLS1.1, TLS1.2, TLS1.3)", s)
}

func normalizeVersionName(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			out = append(out, c+'a'-'A')
		case c == ' ' || c == '.' || c == '_' || c == '-':
		default:
			out = append(out, c)
		}
	}
	return string(out)
}
