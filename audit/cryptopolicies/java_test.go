package cryptopolicies

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Sources of the expected Java back end values.
const (
	javaGenerator = `python/policygenerators/java.py of the fedora-crypto-policies repository (2025)`
	// publishedJavaConfig is /etc/crypto-policies/back-ends/java.config as
	// a public OpenShift transcript of a JBoss EAP 8 container prints it,
	// after "update-crypto-policies --show" printed DEFAULT. Its
	// SHA1withRSA entry marks a RHEL 9 DEFAULT, because RHEL 8's DEFAULT
	// allows RSA-SHA1.
	publishedJavaConfig = `a published java.config of a RHEL 9 DEFAULT host (JBoss EAP 8 container)`
	// centos83Java shows jdk.tls.disabledAlgorithms under DEFAULT on
	// CentOS 8.3 with TLSv1 and TLSv1.1 in it.
	centos83Java = `"The story that Java security settings change depending on the encryption policy on RHEL / CentOS", https://linuxtut.com/en/861cbff0ef65e64a120b`
)

// rhel9DefaultJavaConfig is the published java.config's first three
// lines; the fourth, jdk.tls.legacyAlgorithms, is empty there.
const rhel9DefaultJavaConfig = `jdk.certpath.disabledAlgorithms=MD2, MD5withDSA, MD5withECDSARIPEMD160withRSA, RIPEMD160withECDSA, RIPEMD160withRSAandMGF1, MD5withRSA, SHA1withRSA, SHA1withDSA, SHA1withECDSA, SHA224withDSA, SHA256withDSA, SHA384withDSA, SHA512withDSA, SHA1withRSAandMGF1, RSA keySize < 2048, DSA keySize < 2048, DH keySize < 2048, EC keySize < 256, SHA1, MD5
jdk.tls.disabledAlgorithms=MD2, MD5withDSA, MD5withECDSARIPEMD160withRSA, RIPEMD160withECDSA, RIPEMD160withRSAandMGF1, MD5withRSA, SHA1withRSA, SHA1withDSA, SHA1withECDSA, SHA224withDSA, SHA256withDSA, SHA384withDSA, SHA512withDSA, SHA1withRSAandMGF1, RSA keySize < 2048, DSA keySize < 2048, DH keySize < 2048, EC keySize < 256, include jdk.disabled.namedCurves, TLSv1.1, TLSv1, SSLv3, SSLv2, DTLSv1.0, DHE_DSS, RSA_EXPORT, DHE_DSS_EXPORT, DHE_RSA_EXPORT, DH_DSS_EXPORT, DH_RSA_EXPORT, DH_anon, ECDH_anon, DH_RSA, DH_DSS, ECDH, 3DES_EDE_CBC, DES_CBC, RC4_40, RC4_128, DES40_CBC, RC2, anon, NULL, HmacMD5
jdk.disabled.namedCurves=brainpoolP256r1, brainpoolP384r1, brainpoolP512r1, secp112r1, secp112r2, secp128r1, secp128r2, secp160k1, secp160r1, secp160r2, secp192k1, secp192r1, secp224k1, secp224r1, secp256k1, sect113r1, sect113r2, sect131r1, sect131r2, sect163k1, sect163r1, sect163r2, sect193r1, sect193r2, sect233k1, sect233r1, sect239k1, sect283k1, sect283r1, sect409k1, sect409r1, sect571k1, sect571r1, c2tnb191v1, c2tnb191v2, c2tnb191v3, c2tnb239v1, c2tnb239v2, c2tnb239v3, c2tnb359v1, c2tnb431r1, prime192v2, prime192v3, prime239v1, prime239v2, prime239v3, brainpoolP320r1
`

func loadBuiltin(t *testing.T, release Release, spec string) *Composite {
	t.Helper()
	s, err := ParseSpec(spec)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load(s, LoadOptions{Release: release})
	if err != nil {
		t.Fatalf("Load(%s): %v", spec, err)
	}
	return c
}

func TestJavaConfigRHEL9Default(t *testing.T) {
	got := JavaConfig(loadBuiltin(t, RHEL9, "DEFAULT").For(Java))
	gotLines := strings.Split(got, "\n")
	wantLines := strings.Split(rhel9DefaultJavaConfig, "\n")
	if len(gotLines) != len(wantLines) {
		t.Fatalf("JavaConfig has %d lines, want %d (source: %s):\n%s", len(gotLines), len(wantLines), publishedJavaConfig, got)
	}
	for i := range wantLines {
		if gotLines[i] != wantLines[i] {
			t.Errorf("line %d:\ngot  %s\nwant %s\n(source: %s)", i+1, gotLines[i], wantLines[i], publishedJavaConfig)
		}
	}
}

func TestJavaTLSDisabledAlgorithmsEntries(t *testing.T) {
	tests := []struct {
		source   string
		release  Release
		spec     string
		contains []string
		lacks    []string
	}{
		{centos83Java, RHEL8, "DEFAULT", []string{"TLSv1", "TLSv1.1", "SSLv3", "DH keySize < 2048", "DHE_DSS"}, []string{"TLSv1.2", "TLS_RSA_WITH_AES_128_GCM_SHA256"}},
		{rhel8TLS, RHEL8, "LEGACY", []string{"SSLv3", "DH keySize < 1023", "RC4_40"}, []string{"TLSv1", "TLSv1.1", "3DES_EDE_CBC", "RC4_128"}},
		{javaGenerator, RHEL8, "FUTURE", []string{"RSA keySize < 3072", "TLS_RSA_WITH_AES_128_GCM_SHA256", "AES_128_GCM", "HmacSHA1"}, []string{"AES_256_GCM", "TLSv1.2"}},
		{javaGenerator, RHEL9, "FIPS", []string{"ChaCha20-Poly1305", "Ed25519"}, []string{"AES_128_GCM"}},
		// RHEL 10 DEFAULT: "TLS ciphers that use the RSA key exchange are
		// rejected".
		{rhel10Policy, RHEL10, "DEFAULT", []string{"TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_CBC_SHA"}, []string{"TLSv1.2"}},
		{rhel10Policy, RHEL10, "LEGACY", []string{"TLSv1.1"}, []string{"TLS_RSA_WITH_AES_128_GCM_SHA256", "SHA1withRSA"}},
	}
	for _, tc := range tests {
		t.Run(tc.release.String()+" "+tc.spec, func(t *testing.T) {
			line := JavaTLSDisabledAlgorithms(loadBuiltin(t, tc.release, tc.spec).For(Java))
			entries := strings.Split(line, ", ")
			for _, e := range tc.contains {
				if !slices.Contains(entries, e) {
					t.Errorf("jdk.tls.disabledAlgorithms lacks %q (source: %s): %s", e, tc.source, line)
				}
			}
			for _, e := range tc.lacks {
				if slices.Contains(entries, e) {
					t.Errorf("jdk.tls.disabledAlgorithms contains %q (source: %s): %s", e, tc.source, line)
				}
			}
		})
	}
}

func TestEffectiveJavaBuiltinPolicies(t *testing.T) {
	tests := []struct {
		source   string
		release  Release
		spec     string
		jdk      string
		versions []string
		// contains and lacks are TLS 1.2-and-older suites.
		contains []string
		lacks    []string
		suites13 []string
	}{
		{centos83Java, RHEL8, "DEFAULT", "17", []string{"TLS 1.2", "TLS 1.3"},
			[]string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256"}, []string{"TLS_DHE_DSS_WITH_AES_128_GCM_SHA256"},
			[]string{"TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"}},
		// RHEL 8 LEGACY: TLS 1.0 and 1.1 allowed, 3DES and RC4 kept.
		{rhel8TLS, RHEL8, "LEGACY", "17", []string{"TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"},
			[]string{"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"}, nil,
			[]string{"TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"}},
		{rhel8Policies, RHEL8, "FUTURE", "17", []string{"TLS 1.2", "TLS 1.3"},
			[]string{"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"}, []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
			[]string{"TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"}},
		{publishedJavaConfig, RHEL9, "DEFAULT", "17", []string{"TLS 1.2", "TLS 1.3"},
			[]string{"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_AES_128_GCM_SHA256"}, []string{"TLS_DHE_DSS_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"},
			[]string{"TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"}},
		{rhel9Policies, RHEL9, "LEGACY", "17", []string{"TLS 1.2", "TLS 1.3"},
			[]string{"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_DHE_DSS_WITH_AES_128_GCM_SHA256"}, nil,
			[]string{"TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"}},
		{rhel9Policies, RHEL9, "FIPS", "17", []string{"TLS 1.2", "TLS 1.3"},
			[]string{"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"}, []string{"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
			[]string{"TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256"}},
		{rhel10Policy, RHEL10, "DEFAULT", "21", []string{"TLS 1.2", "TLS 1.3"},
			[]string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}, []string{"TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_CBC_SHA"},
			[]string{"TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"}},
		{rhel10Policy, RHEL10, "LEGACY", "21", []string{"TLS 1.2", "TLS 1.3"},
			[]string{"TLS_RSA_WITH_AES_128_GCM_SHA256"}, nil,
			[]string{"TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256"}},
	}
	for _, tc := range tests {
		t.Run(tc.release.String()+" "+tc.spec, func(t *testing.T) {
			l, err := EffectiveJava(loadBuiltin(t, tc.release, tc.spec))
			if err != nil {
				t.Fatalf("EffectiveJava: %v", err)
			}
			if !strings.Contains(l.Name, "Java back end, OpenJDK "+tc.jdk+" ") {
				t.Errorf("name %q, want the Java back end on OpenJDK %s", l.Name, tc.jdk)
			}
			if !slices.Equal(l.Versions.Values, tc.versions) {
				t.Errorf("versions %v, want %v (source: %s)", l.Versions.Values, tc.versions, tc.source)
			}
			for _, s := range tc.contains {
				if !slices.Contains(l.Suites.Values, s) {
					t.Errorf("suites lack %s (source: %s): %v", s, tc.source, l.Suites.Values)
				}
			}
			for _, s := range tc.lacks {
				if slices.Contains(l.Suites.Values, s) {
					t.Errorf("suites contain %s (source: %s): %v", s, tc.source, l.Suites.Values)
				}
			}
			if !slices.Equal(slices.Sorted(slices.Values(l.Suites13.Values)), slices.Sorted(slices.Values(tc.suites13))) {
				t.Errorf("TLS 1.3 suites %v, want %v (source: %s)", l.Suites13.Values, tc.suites13, tc.source)
			}
			if !strings.Contains(l.Versions.Directive, "protocol") || !strings.Contains(l.Versions.Directive, "jdk.tls.disabledAlgorithms") {
				t.Errorf("versions directive %q does not name the policy's protocol line and the generated property", l.Versions.Directive)
			}
			if !hasJavaNote(l.Notes, "java.config sets jdk.tls.disabledAlgorithms="+JavaTLSDisabledAlgorithms(loadBuiltin(t, tc.release, tc.spec).For(Java))) {
				t.Errorf("notes %q lack the generated jdk.tls.disabledAlgorithms line", l.Notes)
			}
		})
	}
}

// The generator has no jdk.tls.disabledAlgorithms entry for TLS1.3, so a
// policy without it leaves TLS 1.3 to Java servers.
func TestEffectiveJavaKeepsTLS13(t *testing.T) {
	dir := writeFiles(t, map[string]string{"policies/modules/NO-TLS13-ANY.pmod": "protocol@TLS = -TLS1.3\n"})
	s, err := ParseSpec("DEFAULT:NO-TLS13-ANY")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load(s, LoadOptions{Release: RHEL9, Dirs: []string{filepath.Join(dir, "policies")}})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if got := Effective(c).Versions.Values; slices.Contains(got, "TLS 1.3") {
		t.Fatalf("OpenSSL versions %v still have TLS 1.3, so the module was not applied", got)
	}
	l, err := EffectiveJava(c)
	if err != nil {
		t.Fatalf("EffectiveJava: %v", err)
	}
	if !slices.Contains(l.Versions.Values, "TLS 1.3") {
		t.Errorf("versions %v, want TLS 1.3 kept (source: %s)", l.Versions.Values, javaGenerator)
	}
	if !hasJavaNote(l.Notes, "no jdk.tls.disabledAlgorithms entry for TLS 1.3") {
		t.Errorf("notes %q lack the TLS 1.3 note", l.Notes)
	}
	if strings.Contains(JavaTLSDisabledAlgorithms(c.For(Java)), "TLSv1.3") {
		t.Errorf("generated line disables TLSv1.3, which the generator never writes")
	}
}

// OLDAPP allows only CBC ciphers, so every TLS 1.3 suite is disabled
// while TLS 1.3 itself is not.
func TestEffectiveJavaDropsVersionWithoutSuites(t *testing.T) {
	s := Spec{Policy: "OLDAPP"}
	c, err := Load(s, LoadOptions{Release: RHEL9, Dirs: []string{"testdata/etc-crypto-policies/policies"}})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	l, err := EffectiveJava(c)
	if err != nil {
		t.Fatalf("EffectiveJava: %v", err)
	}
	if want := []string{"TLS 1.0", "TLS 1.1"}; !slices.Equal(l.Versions.Values, want) {
		t.Errorf("versions %v, want %v", l.Versions.Values, want)
	}
	if !hasJavaNote(l.Notes, "disables every suite of it") {
		t.Errorf("notes %q lack the note on TLS 1.3 without suites", l.Notes)
	}
	if !strings.Contains(JavaTLSDisabledAlgorithms(c.For(Java)), ", DSA, ") {
		t.Errorf("OLDAPP sets no min_dsa_size, so the generator writes the bare DSA entry")
	}
}

func hasJavaNote(notes []string, substr string) bool {
	for _, n := range notes {
		if strings.Contains(n, substr) {
			return true
		}
	}
	return false
}
