package tomcat

import (
	"slices"
	"strings"
	"testing"
)

// The wants below were measured with Tomcat 10.1.60's own classes
// (SSLHostConfig.setProtocols, setCertificateVerification, setCipherSuites
// and OpenSSLCipherConfigurationParser.parseExpression) on OpenJDK 17.0.21.

func TestParseProtocolsMatchesTomcat(t *testing.T) {
	tests := []struct {
		value string
		want  []string
	}{
		{"all", []string{"SSLv2Hello", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}},
		{"ALL", []string{"SSLv2Hello", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}},
		{"TLSv1.2", []string{"TLSv1.2"}},
		{"TLSv1.2+TLSv1.3", []string{"TLSv1.2", "TLSv1.3"}},
		{"TLSv1.2,TLSv1.3", []string{"TLSv1.2", "TLSv1.3"}},
		{"TLSv1.2, TLSv1.3", []string{"TLSv1.2", "TLSv1.3"}},
		{"+TLSv1.1", []string{"TLSv1.1"}},
		{"+TLSv1.2,+TLSv1.1", []string{"TLSv1.1", "TLSv1.2"}},
		{"all,-TLSv1.3", []string{"SSLv2Hello", "TLSv1", "TLSv1.1", "TLSv1.2"}},
		{"-TLSv1.3", nil},
		{"all,-TLSv1,-TLSv1.1", []string{"SSLv2Hello", "TLSv1.2", "TLSv1.3"}},
		{"TLSv1.2 TLSv1.3", []string{"TLSv1.2 TLSv1.3"}},
		{"tlsv1.2", []string{"tlsv1.2"}},
		{"TLSv1.2+-TLSv1.3", []string{"TLSv1.2"}},
		{"+all-TLSv1", []string{"SSLv2Hello", "TLSv1.1", "TLSv1.2", "TLSv1.3"}},
		{"TLSv1+TLSv1.2-TLSv1.2", []string{"TLSv1"}},
		{"", nil},
		{"SSLv3", []string{"SSLv3"}},
		{"TLSv1.4", []string{"TLSv1.4"}},
		{"TLSv1.2,TLSv1.3,-TLSv1.2", []string{"TLSv1.3"}},
	}
	for _, tc := range tests {
		got, _ := parseProtocols(tc.value)
		if !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(tc.want))) {
			t.Errorf("parseProtocols(%q) = %q, want %q", tc.value, got, tc.want)
		}
	}
}

func TestParseProtocolsWarnsMissingPrefix(t *testing.T) {
	if _, w := parseProtocols("TLSv1.2,TLSv1.3"); len(w) != 1 || !strings.Contains(w[0], `"TLSv1.3"`) {
		t.Errorf("warnings for TLSv1.2,TLSv1.3 = %q, want one about TLSv1.3", w)
	}
	if _, w := parseProtocols("+TLSv1.2+TLSv1.3"); len(w) != 0 {
		t.Errorf("warnings for +TLSv1.2+TLSv1.3 = %q, want none", w)
	}
}

func TestCiphersTLS13AliasesMatchTomcat(t *testing.T) {
	tests := []struct {
		value string
		want  []string
	}{
		{"ALL", []string{aes256GCM, chacha20, aes128GCM, aes128CCM, aes128CC8}},
		{"HIGH", []string{aes256GCM, chacha20, aes128GCM, aes128CCM}},
		{"MEDIUM", []string{aes128CC8}},
		{"AES256", []string{aes256GCM}},
		{"AESGCM", []string{aes256GCM, aes128GCM}},
		{"CHACHA20", []string{chacha20}},
		{"ECDHE+AESGCM", nil},
		{"ECDHE:!kRSA", nil},
		{"TLSv1.3", nil},
		{"HIGH:!aNULL:!eNULL:!EXPORT:!DES:!RC4:!MD5:!kRSA", []string{aes256GCM, chacha20, aes128GCM, aes128CCM}},
		{"HIGH:!AESGCM", []string{chacha20, aes128CCM}},
		{"HIGH:-AES:AES256", []string{aes256GCM, chacha20}},
		{"TLS_AES_128_GCM_SHA256", []string{aes128GCM}},
		{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", nil},
	}
	for _, tc := range tests {
		got, err := evaluateCiphers(tc.value)
		if err != nil {
			t.Errorf("evaluateCiphers(%q): %v", tc.value, err)
			continue
		}
		if !slices.Equal(slices.Sorted(slices.Values(got.Suites13)), slices.Sorted(slices.Values(tc.want))) {
			t.Errorf("evaluateCiphers(%q) TLS 1.3 = %q, want %q", tc.value, got.Suites13, tc.want)
		}
	}
}

func TestDefaultCiphersMatchTomcatOnJDK17(t *testing.T) {
	// Tomcat's parse of its default, in its order, kept to the suites
	// OpenJDK 17.0.21 supports.
	want := []string{
		"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
		"TLS_DHE_DSS_WITH_AES_256_GCM_SHA384", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
		"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
		"TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
		"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
		"TLS_DHE_DSS_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
		"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
		"TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256",
		"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
		"TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256",
		"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
		"TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "TLS_DHE_DSS_WITH_AES_256_CBC_SHA",
		"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
		"TLS_DHE_RSA_WITH_AES_128_CBC_SHA", "TLS_DHE_DSS_WITH_AES_128_CBC_SHA",
	}
	list, err := evaluateCiphers(defaultCiphers)
	if err != nil {
		t.Fatalf("evaluateCiphers(%q): %v", defaultCiphers, err)
	}
	got, _ := JDK17.ServerSuites(list.Suites)
	if !slices.Equal(got, want) {
		t.Errorf("default ciphers on JDK 17:\ngot  %q\nwant %q", got, want)
	}
}

func TestEvaluateCiphersSkipsUnreadableTerms(t *testing.T) {
	tests := []struct {
		name, value string
		want        []string
	}{
		{"unknown-jsse-name", "TLS_NO_SUCH_SUITE,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}},
		{"3des-missing-from-debian-openssl", "SSL_RSA_WITH_3DES_EDE_CBC_SHA:ECDHE-RSA-AES128-SHA", []string{"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"}},
		{"unresolved-property", "${tls.ciphers}:ECDHE-RSA-AES128-SHA", []string{"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"}},
		{"mixed-syntax", "ECDHE-RSA-AES256-GCM-SHA384 TLS_DHE_RSA_WITH_AES_128_CBC_SHA;!DHE", []string{"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"}},
		{"only-tls13-names", "TLS_AES_128_GCM_SHA256", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := evaluateCiphers(tc.value)
			if err != nil {
				t.Fatalf("evaluateCiphers(%q): %v", tc.value, err)
			}
			if !slices.Equal(got.Suites, tc.want) {
				t.Errorf("evaluateCiphers(%q) = %q, want %q (warnings %q)", tc.value, got.Suites, tc.want, got.Warnings)
			}
		})
	}
}

func TestParseCipherSuitesMatchesTomcat(t *testing.T) {
	tests := []struct {
		value       string
		want, skips []string
	}{
		{defaultCipherSuites, []string{aes256GCM, chacha20, aes128GCM}, nil},
		{"TLS_AES_128_GCM_SHA256,TLS_CHACHA20_POLY1305_SHA256", []string{aes128GCM, chacha20}, nil},
		{"TLS_AES_128_GCM_SHA256 TLS_CHACHA20_POLY1305_SHA256", nil, []string{"TLS_AES_128_GCM_SHA256 TLS_CHACHA20_POLY1305_SHA256"}},
		{"TLS_AES_128_GCM_SHA256:BOGUS", []string{aes128GCM}, []string{"BOGUS"}},
		{"tls_aes_128_gcm_sha256", nil, []string{"tls_aes_128_gcm_sha256"}},
		{"HIGH", nil, []string{"HIGH"}},
		{"", nil, nil},
	}
	for _, tc := range tests {
		got, skips := parseCipherSuites(tc.value)
		if !slices.Equal(got, tc.want) || !slices.Equal(skips, tc.skips) {
			t.Errorf("parseCipherSuites(%q) = %q, skipped %q; want %q, skipped %q", tc.value, got, skips, tc.want, tc.skips)
		}
	}
}

func TestCertificateVerificationValues(t *testing.T) {
	tests := map[string]string{
		"required": "required", "require": "required", "true": "required", "yes": "required", "REQUIRED": "required",
		"optional": "optional", "optionalNoCA": "optional", "optionalnoca": "optional", "want": "optional",
		"none": "off", "false": "off", "no": "off",
		"bogus": "required",
	}
	a := &auditor{opts: Options{Version: DefaultVersion}, file: "server.xml"}
	for value, want := range tests {
		var notes []string
		h := hostSettings{verification: &Attr{Name: "certificateVerification", Value: value, Line: 3}}
		got := a.clientCertificate(h, &notes)
		if len(got.Values) != 1 || got.Values[0] != want {
			t.Errorf("certificateVerification=%q gives %q, want %s", value, got.Values, want)
		}
		if value == "bogus" && len(notes) != 1 {
			t.Errorf("certificateVerification=%q gives notes %q, want one naming the invalid value", value, notes)
		}
	}
}

func TestSubstituteProperties(t *testing.T) {
	props := parseProperties("# comment\n! comment\na=1\nb : two\nc three\nlong=x\\\n   y\n")
	for key, want := range map[string]string{"a": "1", "b": "two", "c": "three", "long": "xy"} {
		if props[key] != want {
			t.Errorf("property %s = %q, want %q", key, props[key], want)
		}
	}
	got, missing := substitute("${a}-${b}-${nope}-${", props)
	if got != "1-two-${nope}-${" {
		t.Errorf("substitute = %q, want %q", got, "1-two-${nope}-${")
	}
	if !slices.Equal(missing, []string{"nope"}) {
		t.Errorf("missing = %q, want [nope]", missing)
	}
}
