package java

import (
	"slices"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/clients"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// TestJDKLineDefaults checks what each JDK line allows with no file and no
// flag: the line's own jdk.tls.disabledAlgorithms applied to its default
// protocols. source names where the expectation comes from.
func TestJDKLineDefaults(t *testing.T) {
	tests := []struct {
		jdk            string
		source         string
		server, client []string
		// suite is a suite that must be enabled on the server side, and
		// missing one that must not.
		suite, missing string
	}{
		{"7", "clients/profiles/java-7.json: the JDK 7 client enables only TLS 1.0 (and SSL 3.0, disabled from 7u75)",
			[]string{t10, t11, t12}, []string{t10}, "TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_AES_128_GCM_SHA256"},
		{"8", "clients/profiles/java-8u202.json: TLS 1.0 to 1.2 on both sides, no TLS 1.3 in the old JSSE",
			[]string{t10, t11, t12}, []string{t10, t11, t12}, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_AES_128_GCM_SHA256"},
		{"8u291", "jdk8u-dev java.security after April 2021 (TLSv1 and TLSv1.1 disabled); TLS 1.3 server-only until 8u341",
			[]string{t12, t13}, []string{t12}, "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"},
		{"11", "OpenJDK 11.0.11 java.security and clients/profiles/java-11.json",
			[]string{t12, t13}, []string{t12, t13}, "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"},
		{"17", "Debian 12 /etc/java-17-openjdk/security/java.security, measured on 17.0.21",
			[]string{t12, t13}, []string{t12, t13}, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256"},
		{"21", "taken equal to 17.0.21 (same July 2025 backports)",
			[]string{t12, t13}, []string{t12, t13}, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDH_RSA_WITH_AES_128_GCM_SHA256"},
		{"25", "Temurin 25.0.3 java.security, measured",
			[]string{t12, t13}, []string{t12, t13}, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_AES_256_CBC_SHA"},
	}
	for _, tc := range tests {
		t.Run("jdk-"+tc.jdk, func(t *testing.T) {
			p, err := Load(nil, Options{JDK: tc.jdk})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			server, by := p.ServerVersions(nil)
			if !slices.Equal(server, tc.server) {
				t.Errorf("server versions %v, want %v (source: %s)", server, tc.server, tc.source)
			}
			if by.Line != 0 || !strings.HasPrefix(by.Directive, "default of ") {
				t.Errorf("server versions set by %+v, want the line's default", by)
			}
			client, _ := p.ClientVersions()
			if !slices.Equal(client, tc.client) {
				t.Errorf("client versions %v, want %v (source: %s)", client, tc.client, tc.source)
			}
			suites, suites13, _ := p.ServerSuites(nil, server)
			all := append(slices.Clone(suites13), suites...)
			if !slices.Contains(all, tc.suite) {
				t.Errorf("server suites %v lack %s", all, tc.suite)
			}
			if slices.Contains(all, tc.missing) {
				t.Errorf("server suites %v contain %s", all, tc.missing)
			}
		})
	}
}

// TestJDKLinesMatchClientProfiles checks that each line's client side,
// with the line's defaults, offers what the clients package's profile of
// that JDK sends, in the same order.
func TestJDKLinesMatchClientProfiles(t *testing.T) {
	tests := []struct{ jdk, profile string }{
		{"8", "java-8u202"},
		{"8u291", "java-8u291"},
		{"11", "java-11"},
		{"17", "java-17"},
		{"21", "java-21"},
	}
	for _, tc := range tests {
		t.Run(tc.profile, func(t *testing.T) {
			p, err := Load(nil, Options{JDK: tc.jdk})
			if err != nil {
				t.Fatal(err)
			}
			profile, err := clients.Load(tc.profile)
			if err != nil {
				t.Fatal(err)
			}
			versions, _ := p.ClientVersions()
			var want []string
			for _, v := range profile.Versions() {
				want = append(want, v.String())
			}
			if got := sortVersions(versions); !slices.Equal(got, sortVersions(want)) {
				t.Errorf("client versions %v, profile %v", got, want)
			}
			res := p.sideSuites(clientSide, nil, versions)
			var offered []string
			for _, name := range res.all {
				if info, ok := registry.SuiteByName(name); ok && profile.Offers(info.ID) {
					offered = append(offered, name)
				}
			}
			if !slices.Equal(offered, res.all) {
				t.Errorf("client suites the profile does not offer: model %v, offered %v", res.all, offered)
			}
		})
	}
}

func TestLookupJDK(t *testing.T) {
	for _, name := range []string{"", "17", "1.8", "8u202", " 25 "} {
		if _, err := lookupJDK(name); err != nil {
			t.Errorf("lookupJDK(%q): %v", name, err)
		}
	}
	_, err := lookupJDK("16")
	if err == nil || !strings.Contains(err.Error(), `unknown JDK line "16"`) || !strings.Contains(err.Error(), "8u291") {
		t.Errorf("lookupJDK(16) error %v, want the unknown line and the list", err)
	}
}
