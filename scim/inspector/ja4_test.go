package inspector

import (
	"regexp"
	"testing"
)

// TestJA4SpecExample rebuilds the example of FoxIO's JA4 specification
// (technical_details/JA4.md): 15 suites, 16 extensions with SNI and ALPN
// h2, and eight signature algorithms, with GREASE values added that the
// fingerprint must ignore.
func TestJA4SpecExample(t *testing.T) {
	h := &ClientHello{
		LegacyVersion:     0x0303,
		SupportedVersions: []uint16{0x2a2a, 0x0304, 0x0303},
		CipherSuites: []uint16{0x3a3a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030,
			0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035},
		Extensions: []uint16{0x4a4a, 0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d,
			0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015, 0x5a5a},
		SignatureAlgorithms: []uint16{0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601},
		ALPN:                []string{"h2", "http/1.1"},
		ServerName:          "example.com",
	}
	const want = "t13d1516h2_8daaf6152771_e5627efa2ab1"
	if got := h.JA4(); got != want {
		t.Errorf("JA4 = %s, want %s", got, want)
	}
}

func TestJA4Parts(t *testing.T) {
	tests := []struct {
		name string
		h    ClientHello
		want string
	}{
		{
			// The spec gives 6d807ffa2a79 for the example's extensions
			// without signature algorithms.
			"no signature algorithms",
			ClientHello{LegacyVersion: 0x0303, CipherSuites: []uint16{0x002f},
				Extensions: []uint16{0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015}},
			"t12d0116" + "00_" + ja4Hash("002f") + "_6d807ffa2a79",
		},
		{"TLS 1.0 without extensions", ClientHello{LegacyVersion: 0x0301, CipherSuites: []uint16{0x0035, 0x002f}},
			"t10i020000_" + ja4Hash("002f,0035") + "_000000000000"},
		{"ALPN http/1.1", ClientHello{LegacyVersion: 0x0303, CipherSuites: []uint16{0x002f}, Extensions: []uint16{0x0010}, ALPN: []string{"http/1.1"}},
			"t12i0101h1_" + ja4Hash("002f") + "_000000000000"},
		{"non-alphanumeric ALPN", ClientHello{LegacyVersion: 0x0303, CipherSuites: []uint16{0x002f}, ALPN: []string{"\x30\xab\xcd\x31"}},
			"t12i010001_" + ja4Hash("002f") + "_000000000000"},
		{"unknown version", ClientHello{LegacyVersion: 0x0305, CipherSuites: []uint16{0x002f}},
			"t00i010000_" + ja4Hash("002f") + "_000000000000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.h.JA4(); got != tt.want {
				t.Errorf("JA4 = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestJA4ALPNHexFallback(t *testing.T) {
	tests := []struct{ alpn, want string }{
		{"\xab", "ab"}, {"\xab\xcd", "ad"}, {"\x30\xab", "3b"}, {"\x30\x31\xab\xcd", "3d"}, {"\x30\xab\xcd\x31", "01"}, {"x", "xx"},
	}
	for _, tt := range tests {
		if got := ja4ALPN([]string{tt.alpn}); got != tt.want {
			t.Errorf("ja4ALPN(%q) = %s, want %s", tt.alpn, got, tt.want)
		}
	}
}

var ja4Form = regexp.MustCompile(`^t(1[0-3]|s3|00)[di]\d{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$`)
