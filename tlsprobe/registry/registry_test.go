package registry

import (
	"strings"
	"testing"
)

func TestSuiteWellKnown(t *testing.T) {
	tests := []struct {
		id       uint16
		name     string
		openssl  string
		kx, auth string
		cipher   string
		mac      string
		min, max uint16
		tls13    bool
	}{
		{0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE", "RSA", "AES_128_GCM", "AEAD", VersionTLS12, VersionTLS12, false},
		{0x1301, "TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256", "any", "any", "AES_128_GCM", "AEAD", VersionTLS13, VersionTLS13, true},
		{0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA", "RSA", "RSA", "3DES_EDE_CBC", "SHA1", VersionSSL30, VersionTLS12, false},
		{0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA", "ECDHE", "RSA", "AES_128_CBC", "SHA1", VersionTLS10, VersionTLS12, false},
		{0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "ECDHE-RSA-AES256-SHA384", "ECDHE", "RSA", "AES_256_CBC", "SHA384", VersionTLS12, VersionTLS12, false},
		{0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", "EXP-RC4-MD5", "RSA", "RSA", "RC4_40", "MD5", VersionSSL30, VersionTLS10, false},
		{0x0009, "TLS_RSA_WITH_DES_CBC_SHA", "DES-CBC-SHA", "RSA", "RSA", "DES_CBC", "SHA1", VersionSSL30, VersionTLS11, false},
		{0x00aa, "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256", "DHE-PSK-AES128-GCM-SHA256", "DHE", "PSK", "AES_128_GCM", "AEAD", VersionTLS12, VersionTLS12, false},
		{0x00ae, "TLS_PSK_WITH_AES_128_CBC_SHA256", "PSK-AES128-CBC-SHA256", "PSK", "PSK", "AES_128_CBC", "SHA256", VersionTLS10, VersionTLS12, false},
		{0xc0aa, "TLS_PSK_DHE_WITH_AES_128_CCM_8", "DHE-PSK-AES128-CCM8", "DHE", "PSK", "AES_128_CCM_8", "AEAD", VersionTLS12, VersionTLS12, false},
		{0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305", "ECDHE", "RSA", "CHACHA20_POLY1305", "AEAD", VersionTLS12, VersionTLS12, false},
		{0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA", "ADH-AES128-SHA", "DH", "anon", "AES_128_CBC", "SHA1", VersionSSL30, VersionTLS12, false},
		{0xc03c, "TLS_RSA_WITH_ARIA_128_CBC_SHA256", "", "RSA", "RSA", "ARIA_128_CBC", "SHA256", VersionTLS12, VersionTLS12, false},
		{0xc0b4, "TLS_SHA256_SHA256", "", "any", "any", "NULL", "SHA256", VersionTLS13, VersionTLS13, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Suite(tt.id)
			if !ok {
				t.Fatalf("Suite(0x%04x) not found", tt.id)
			}
			if got.Name != tt.name || got.OpenSSLName != tt.openssl {
				t.Errorf("names = %q, %q; want %q, %q", got.Name, got.OpenSSLName, tt.name, tt.openssl)
			}
			if got.KeyExchange != tt.kx || got.Authentication != tt.auth {
				t.Errorf("kx/auth = %s/%s; want %s/%s", got.KeyExchange, got.Authentication, tt.kx, tt.auth)
			}
			if got.Cipher != tt.cipher || got.MAC != tt.mac {
				t.Errorf("cipher/mac = %s/%s; want %s/%s", got.Cipher, got.MAC, tt.cipher, tt.mac)
			}
			if got.MinVersion != tt.min || got.MaxVersion != tt.max {
				t.Errorf("versions = 0x%04x..0x%04x; want 0x%04x..0x%04x", got.MinVersion, got.MaxVersion, tt.min, tt.max)
			}
			if got.TLS13 != tt.tls13 {
				t.Errorf("TLS13 = %v; want %v", got.TLS13, tt.tls13)
			}
		})
	}
}

func TestSuiteByNameBothSpellings(t *testing.T) {
	for _, name := range []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ecdhe-rsa-aes128-gcm-sha256"} {
		got, ok := SuiteByName(name)
		if !ok || got.ID != 0xc02f {
			t.Errorf("SuiteByName(%q) = 0x%04x, %v; want 0xc02f, true", name, got.ID, ok)
		}
	}
	if _, ok := SuiteByName("NO-SUCH-SUITE"); ok {
		t.Error("SuiteByName(NO-SUCH-SUITE) found a suite")
	}
}

func TestSuiteNameUnknown(t *testing.T) {
	if got := SuiteName(0x1234); got != "0x1234" {
		t.Errorf("SuiteName(0x1234) = %q; want 0x1234", got)
	}
	if got := SuiteName(0x000a); got != "TLS_RSA_WITH_3DES_EDE_CBC_SHA" {
		t.Errorf("SuiteName(0x000a) = %q", got)
	}
}

func TestSuitesSignalingValues(t *testing.T) {
	for _, id := range []uint16{0x00ff, 0x5600} {
		s, ok := Suite(id)
		if !ok || !s.Signaling {
			t.Errorf("Suite(0x%04x) = %+v, %v; want a signaling value", id, s, ok)
		}
		if s.ValidFor(VersionTLS12) {
			t.Errorf("signaling value 0x%04x is valid for TLS 1.2", id)
		}
	}
}

// TestSuitesTableConsistent checks every row: names are unique, every
// non-signaling suite has a cipher, a MAC and a version range, and the TLS 1.3
// flag matches the version range.
func TestSuitesTableConsistent(t *testing.T) {
	all := Suites()
	if len(all) < 300 {
		t.Errorf("Suites() has %d entries; want at least 300", len(all))
	}
	seen := map[string]uint16{}
	for i, s := range all {
		if i > 0 && all[i-1].ID >= s.ID {
			t.Errorf("Suites() not sorted at 0x%04x", s.ID)
		}
		for _, n := range []string{s.Name, s.OpenSSLName} {
			if n == "" {
				continue
			}
			if prev, dup := seen[strings.ToUpper(n)]; dup && prev != s.ID {
				t.Errorf("name %q used by 0x%04x and 0x%04x", n, prev, s.ID)
			}
			seen[strings.ToUpper(n)] = s.ID
		}
		if s.Signaling {
			continue
		}
		if s.Cipher == "" || s.MAC == "" || s.KeyExchange == "" || s.Authentication == "" {
			t.Errorf("%s: empty property in %+v", s.Name, s)
		}
		if s.MinVersion == 0 || s.MinVersion > s.MaxVersion {
			t.Errorf("%s: version range 0x%04x..0x%04x", s.Name, s.MinVersion, s.MaxVersion)
		}
		if s.TLS13 != (s.MinVersion == VersionTLS13) {
			t.Errorf("%s: TLS13 = %v with min version 0x%04x", s.Name, s.TLS13, s.MinVersion)
		}
	}
}

func TestGroupWellKnown(t *testing.T) {
	tests := []struct {
		id       uint16
		name     string
		shareLen int
	}{
		{0x001d, "x25519", 32},
		{0x001e, "x448", 56},
		{0x0017, "secp256r1", 65},
		{0x0018, "secp384r1", 97},
		{0x0019, "secp521r1", 133},
		{0x0100, "ffdhe2048", 256},
		{0x0104, "ffdhe8192", 1024},
		{0x11ec, "X25519MLKEM768", 1216},
		{0x11eb, "SecP256r1MLKEM768", 1249},
		{0x11ed, "SecP384r1MLKEM1024", 1665},
		{0x001f, "brainpoolP256r1tls13", 65},
	}
	for _, tt := range tests {
		g, ok := Group(tt.id)
		if !ok || g.Name != tt.name || g.KeyShareLen != tt.shareLen {
			t.Errorf("Group(0x%04x) = %q share %d, %v; want %q share %d", tt.id, g.Name, g.KeyShareLen, ok, tt.name, tt.shareLen)
		}
		if byName, ok := GroupByName(tt.name); !ok || byName.ID != tt.id {
			t.Errorf("GroupByName(%q) = 0x%04x, %v", tt.name, byName.ID, ok)
		}
	}
	if g, ok := GroupByName("prime256v1"); !ok || g.ID != 0x0017 {
		t.Errorf("GroupByName(prime256v1) = 0x%04x, %v; want secp256r1", g.ID, ok)
	}
	if got := GroupName(0x7777); got != "0x7777" {
		t.Errorf("GroupName(0x7777) = %q", got)
	}
}

func TestSchemeWellKnown(t *testing.T) {
	tests := []struct {
		id    uint16
		name  string
		tls13 bool
	}{
		{0x0804, "rsa_pss_rsae_sha256", true},
		{0x0403, "ecdsa_secp256r1_sha256", true},
		{0x0807, "ed25519", true},
		{0x0401, "rsa_pkcs1_sha256", false},
		{0x0201, "rsa_pkcs1_sha1", false},
		{0x0203, "ecdsa_sha1", false},
		{0x0101, "rsa_md5", false},
		{0x0303, "ecdsa_sha224", false},
	}
	for _, tt := range tests {
		s, ok := Scheme(tt.id)
		if !ok || s.Name != tt.name || s.TLS13 != tt.tls13 {
			t.Errorf("Scheme(0x%04x) = %q tls13=%v, %v; want %q tls13=%v", tt.id, s.Name, s.TLS13, ok, tt.name, tt.tls13)
		}
		if byName, ok := SchemeByName(tt.name); !ok || byName.ID != tt.id {
			t.Errorf("SchemeByName(%q) = 0x%04x, %v", tt.name, byName.ID, ok)
		}
	}
	if got := SchemeName(0xfefe); got != "0xfefe" {
		t.Errorf("SchemeName(0xfefe) = %q", got)
	}
}

func TestSuiteStrength(t *testing.T) {
	tests := []struct {
		name string
		want Strength
	}{
		{"TLS_AES_128_GCM_SHA256", StrengthStrong},
		{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", StrengthStrong},
		{"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", StrengthStrong},
		{"TLS_DHE_RSA_WITH_AES_256_CCM", StrengthStrong},
		{"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", StrengthAcceptable},
		{"TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256", StrengthAcceptable},
		{"TLS_RSA_WITH_AES_128_GCM_SHA256", StrengthWeak},
		{"TLS_ECDH_ECDSA_WITH_AES_128_CBC_SHA", StrengthWeak},
		{"TLS_PSK_WITH_AES_128_GCM_SHA256", StrengthWeak},
		{"TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", StrengthWeak},
		{"TLS_RSA_WITH_IDEA_CBC_SHA", StrengthWeak},
		{"TLS_RSA_WITH_RC4_128_SHA", StrengthInsecure},
		{"TLS_ECDHE_RSA_WITH_RC4_128_SHA", StrengthInsecure},
		{"TLS_RSA_WITH_NULL_SHA256", StrengthInsecure},
		{"TLS_SHA256_SHA256", StrengthInsecure},
		{"TLS_DH_anon_WITH_AES_128_GCM_SHA256", StrengthInsecure},
		{"TLS_ECDHE_RSA_WITH_NULL_SHA", StrengthInsecure},
		{"TLS_RSA_EXPORT_WITH_RC4_40_MD5", StrengthInsecure},
		{"TLS_DHE_RSA_WITH_DES_CBC_SHA", StrengthInsecure},
		{"TLS_RSA_WITH_AES_128_CBC_SHA", StrengthWeak},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info, ok := SuiteByName(tt.name)
			if !ok {
				t.Fatalf("SuiteByName(%q) not found", tt.name)
			}
			if info.Strength != tt.want {
				t.Errorf("Strength = %q; want %q", info.Strength, tt.want)
			}
		})
	}
}

func TestSuiteStrengthSetForEveryCipher(t *testing.T) {
	for _, s := range Suites() {
		if s.Signaling {
			if s.Strength != "" {
				t.Errorf("%s is a signaling value but has Strength %q", s.Name, s.Strength)
			}
			continue
		}
		if s.Strength == "" {
			t.Errorf("%s (0x%04x) has no Strength", s.Name, s.ID)
		}
	}
}
