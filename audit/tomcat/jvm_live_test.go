package tomcat

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/audit"
	"github.com/scimdoctor/scimdoctor/audit/java"
	"github.com/scimdoctor/scimdoctor/internal/audittest"
	"github.com/scimdoctor/scimdoctor/internal/testservers"
)

// debianJavaSecurity is the java.security of Debian 12's
// openjdk-17-jre-headless (17.0.21), copied from
// /etc/java-17-openjdk/security.
const debianJavaSecurity = "../java/testdata/debian-17.java.security"

// debianDisabledBlock is jdk.tls.disabledAlgorithms as debianJavaSecurity
// writes it, on lines debianDisabledLine to 788.
const debianDisabledBlock = `jdk.tls.disabledAlgorithms=SSLv3, TLSv1, TLSv1.1, DTLSv1.0, RC4, DES, \
    MD5withRSA, DH keySize < 1024, EC keySize < 224, 3DES_EDE_CBC, anon, NULL, \
    ECDH, TLS_RSA_*, rsa_pkcs1_sha1 usage HandshakeSignature, \
    ecdsa_sha1 usage HandshakeSignature, dsa_sha1 usage HandshakeSignature
`

// debianDisabledLine is the line where jdk.tls.disabledAlgorithms starts,
// in debianJavaSecurity and in every edited copy.
const debianDisabledLine = 785

// debianDisabled is the value of debianDisabledBlock on one line.
const debianDisabled = "SSLv3, TLSv1, TLSv1.1, DTLSv1.0, RC4, DES, MD5withRSA, DH keySize < 1024, EC keySize < 224, 3DES_EDE_CBC, anon, NULL, ECDH, TLS_RSA_*, rsa_pkcs1_sha1 usage HandshakeSignature, ecdsa_sha1 usage HandshakeSignature, dsa_sha1 usage HandshakeSignature"

// Edited jdk.tls.disabledAlgorithms values, one change each to Debian's.
var (
	disabledLegacyTLS  = strings.Replace(debianDisabled, "TLSv1, TLSv1.1, ", "", 1)
	disabledTLSv1Only  = strings.Replace(debianDisabled, "TLSv1, ", "", 1)
	disabledTLS12      = "TLSv1.2, " + debianDisabled
	disabledTLS13      = "TLSv1.3, " + debianDisabled
	disabledTLS12And13 = "TLSv1.2, TLSv1.3, " + debianDisabled
	disabledCBC        = "CBC, " + debianDisabled
	disabledECDHE      = "ECDHE, " + debianDisabled
	disabledStaticRSA  = strings.Replace(debianDisabled, "TLS_RSA_*, ", "", 1)
)

// writeJavaSecurity writes a copy of debianJavaSecurity to dir/java.security,
// with jdk.tls.disabledAlgorithms set to disabled on one line unless
// disabled is "", and returns its path.
func writeJavaSecurity(t *testing.T, dir, disabled string) string {
	t.Helper()
	data, err := os.ReadFile(debianJavaSecurity)
	if err != nil {
		t.Fatalf("reading the Debian java.security copy: %v", err)
	}
	text := string(data)
	if !strings.Contains(text, debianDisabledBlock) {
		t.Fatalf("%s lacks the jdk.tls.disabledAlgorithms lines this test edits; update debianDisabledBlock", debianJavaSecurity)
	}
	if disabled != "" {
		text = strings.Replace(text, debianDisabledBlock, "jdk.tls.disabledAlgorithms="+disabled+"\n", 1)
	}
	path := filepath.Join(dir, "java.security")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// loadJavaRuntime writes the java.security copy (and, unless flags is "",
// a setenv.sh with those lines) to a temp dir and returns the Runtime of
// the policy that java.Load reads from them for JDK 17, with the paths.
func loadJavaRuntime(t *testing.T, disabled, flags string) (rt Runtime, security, setenv string) {
	t.Helper()
	dir := t.TempDir()
	security = writeJavaSecurity(t, dir, disabled)
	paths := []string{security}
	if flags != "" {
		setenv = filepath.Join(dir, "setenv.sh")
		if err := os.WriteFile(setenv, []byte(flags), 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, setenv)
	}
	p, err := java.Load(paths, java.Options{JDK: "17"})
	if err != nil {
		t.Fatalf("java.Load(%q): %v", paths, err)
	}
	return JavaRuntime(p), security, setenv
}

// enableECCFlags is a setenv.sh whose second line sets
// com.sun.net.ssl.enableECC=false, which removes the ECDH and ECDHE suites.
const enableECCFlags = "#!/bin/sh\nCATALINA_OPTS=\"$CATALINA_OPTS -Dcom.sun.net.ssl.enableECC=false\"\n"

func TestJavaRuntimeServerVersions(t *testing.T) {
	all := []string{t10, t11, t12, t13}
	newestFirst := []string{t13, t12, t11, t10}
	tests := []struct {
		name      string
		disabled  string
		flags     string
		requested []string
		want      []string
	}{
		{name: "debian-copy-drops-tls10-tls11", requested: all, want: []string{t12, t13}},
		{name: "order-kept-newest-first", requested: newestFirst, want: []string{t13, t12}},
		{name: "duplicates-dropped", requested: []string{t12, t12, t13}, want: []string{t12, t13}},
		{name: "unknown-version-dropped", requested: []string{"TLS 1.4", t12}, want: []string{t12}},
		{name: "tlsv1-re-enabled", disabled: disabledTLSv1Only, requested: newestFirst, want: []string{t13, t12, t10}},
		{name: "tlsv1-tlsv11-re-enabled", disabled: disabledLegacyTLS, requested: all, want: all},
		{name: "tls12-disabled", disabled: disabledTLS12, requested: all, want: []string{t13}},
		{name: "tls13-disabled", disabled: disabledTLS13, requested: all, want: []string{t12}},
		{name: "tls12-tls13-disabled", disabled: disabledTLS12And13, requested: all, want: nil},
		{name: "enable-ecc-flag-keeps-versions", flags: enableECCFlags, requested: all, want: []string{t12, t13}},
		{name: "none-requested", requested: nil, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt, security, _ := loadJavaRuntime(t, tc.disabled, tc.flags)
			got, by := rt.ServerVersions(tc.requested)
			if !slices.Equal(got, tc.want) {
				t.Errorf("ServerVersions(%q) = %q, want %q", tc.requested, got, tc.want)
			}
			if by.File != security || by.Line != debianDisabledLine {
				t.Errorf("setting at %s:%d, want %s:%d", by.File, by.Line, security, debianDisabledLine)
			}
			if !strings.HasPrefix(by.Directive, "jdk.tls.disabledAlgorithms=") {
				t.Errorf("setting directive %q, want the jdk.tls.disabledAlgorithms line", by.Directive)
			}
		})
	}
}

func TestJavaRuntimeServerSuites(t *testing.T) {
	const (
		rsaGCM     = "TLS_RSA_WITH_AES_128_GCM_SHA256"
		ecdheCBC   = "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"
		ecdheGCM   = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
		ecdhe3DES  = "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"
		dheGCM     = "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"
		aes128TLS3 = "TLS_AES_128_GCM_SHA256"
		ccm        = "TLS_RSA_WITH_AES_128_CCM"
	)
	mixed := []string{rsaGCM, ecdheCBC, aes128TLS3, ecdheGCM, ecdhe3DES, dheGCM}
	reversed := slices.Clone(mixed)
	slices.Reverse(reversed)
	tests := []struct {
		name      string
		disabled  string
		flags     string
		requested []string
		want      []string
		// byFlags is whether the setting must be the enableECC line of
		// setenv.sh rather than jdk.tls.disabledAlgorithms.
		byFlags bool
	}{
		{name: "debian-copy", requested: mixed, want: []string{ecdheCBC, aes128TLS3, ecdheGCM, dheGCM}},
		{name: "order-kept-reversed", requested: reversed, want: []string{dheGCM, ecdheGCM, aes128TLS3, ecdheCBC}},
		{name: "duplicates-and-unimplemented-dropped", requested: []string{ecdheGCM, ccm, ecdheGCM, "TLS_FAKE_SUITE"}, want: []string{ecdheGCM}},
		{name: "cbc-disabled", disabled: disabledCBC, requested: mixed, want: []string{aes128TLS3, ecdheGCM, dheGCM}},
		{name: "tls-rsa-pattern-removed", disabled: disabledStaticRSA, requested: mixed, want: []string{rsaGCM, ecdheCBC, aes128TLS3, ecdheGCM, dheGCM}},
		{name: "ecdhe-disabled", disabled: disabledECDHE, requested: mixed, want: []string{aes128TLS3, dheGCM}},
		{name: "tls13-disabled-keeps-tls13-suites", disabled: disabledTLS13, requested: mixed, want: []string{ecdheCBC, aes128TLS3, ecdheGCM, dheGCM}},
		{name: "enable-ecc-false-in-flags-file", flags: enableECCFlags, requested: mixed, want: []string{aes128TLS3, dheGCM}, byFlags: true},
		{name: "none-requested", requested: nil, want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt, security, setenv := loadJavaRuntime(t, tc.disabled, tc.flags)
			got, by := rt.ServerSuites(tc.requested)
			if !slices.Equal(got, tc.want) {
				t.Errorf("ServerSuites(%q)\n= %q\nwant %q", tc.requested, got, tc.want)
			}
			wantFile, wantLine, wantPrefix := security, debianDisabledLine, "jdk.tls.disabledAlgorithms="
			if tc.byFlags {
				wantFile, wantLine, wantPrefix = setenv, 2, "-Dcom.sun.net.ssl.enableECC=false"
			}
			if by.File != wantFile || by.Line != wantLine {
				t.Errorf("setting at %s:%d, want %s:%d", by.File, by.Line, wantFile, wantLine)
			}
			if !strings.HasPrefix(by.Directive, wantPrefix) {
				t.Errorf("setting directive %q, want one starting %q", by.Directive, wantPrefix)
			}
		})
	}
}

func TestJavaRuntimeTLS13SuitesNeedTLS13JDK(t *testing.T) {
	const (
		tls13Suite = "TLS_AES_128_GCM_SHA256"
		tls12Suite = "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"
	)
	tests := []struct {
		jdk  string
		want []string
	}{
		{jdk: "7", want: []string{tls12Suite}},
		{jdk: "8", want: []string{tls12Suite}},
		{jdk: "8u291", want: []string{tls13Suite, tls12Suite}},
		{jdk: "11", want: []string{tls13Suite, tls12Suite}},
		{jdk: "25", want: []string{tls13Suite, tls12Suite}},
	}
	for _, tc := range tests {
		t.Run("jdk-"+tc.jdk, func(t *testing.T) {
			p, err := java.Load(nil, java.Options{JDK: tc.jdk})
			if err != nil {
				t.Fatalf("java.Load for JDK %s: %v", tc.jdk, err)
			}
			requested := []string{tls13Suite, tls12Suite}
			if got, _ := JavaRuntime(p).ServerSuites(requested); !slices.Equal(got, tc.want) {
				t.Errorf("ServerSuites(%q) on JDK %s = %q, want %q", requested, tc.jdk, got, tc.want)
			}
		})
	}
}

// TestAuditNamesJavaSecurityLine checks the listener of a connector whose
// JVM disables both versions an IdP can use: the versions setting is the
// java.security line, and the fix names the connector and the JVM.
func TestAuditNamesJavaSecurityLine(t *testing.T) {
	rt, security, _ := loadJavaRuntime(t, disabledTLS12And13, "")
	listeners, fixer := auditText(t, Options{Runtime: rt}, hostXML(`protocols="TLSv1.2+TLSv1.3"`))
	if len(listeners) != 1 {
		t.Fatalf("got %d listeners, want 1", len(listeners))
	}
	l := listeners[0]
	if len(l.Versions.Values) != 0 {
		t.Errorf("versions %v, want none", l.Versions.Values)
	}
	if l.Versions.File != security || l.Versions.Line != debianDisabledLine {
		t.Errorf("versions setting at %s:%d, want %s:%d", l.Versions.File, l.Versions.Line, security, debianDisabledLine)
	}
	if !strings.Contains(l.Versions.Directive, "removes TLS 1.2, TLS 1.3") {
		t.Errorf("versions directive %q does not say which versions the JVM removes", l.Versions.Directive)
	}
	for _, n := range l.Notes {
		if strings.Contains(n, "java.security was not audited") {
			t.Errorf("note %q, although the java.security was audited", n)
		}
	}
	sf, ok := fixer.(audit.SettingFixer)
	if !ok {
		t.Fatalf("fixer %T is no audit.SettingFixer", fixer)
	}
	fix := sf.VersionsLineFor(l.Versions, []string{t12, t13})
	if !strings.Contains(fix, `protocols="TLSv1.2+TLSv1.3"`) || !strings.Contains(fix, "remove TLSv1.2, TLSv1.3 from jdk.tls.disabledAlgorithms") {
		t.Errorf("fix %q, want the protocols attribute and the java.security change", fix)
	}
}

// jvmLiveConnectors are the connectors of every JVM in
// TestAuditWithJavaSecurityMatchesLiveTomcat, in this order.
var jvmLiveConnectors = []liveConnector{
	{name: "default-protocols"},
	{name: "tlsv1-plus-tlsv12", hostAttrs: `protocols="TLSv1+TLSv1.2"`},
	{name: "openssl-syntax-ciphers", hostAttrs: `ciphers="ECDHE+AESGCM:ECDHE+AES:DHE+AES:!ECDSA:!DSS:!SHA256:!SHA384"`},
	{name: "jsse-names-rsa-cbc-3des", hostAttrs: `ciphers="TLS_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"`},
	{name: "tls13-suites-only", hostAttrs: `ciphers="TLS_AES_128_GCM_SHA256" cipherSuites="TLS_AES_128_GCM_SHA256"`},
}

// jvmVariant is one Tomcat JVM of the live test: its java.security copy
// and flags, and the versions tlsscan must find on each of
// jvmLiveConnectors.
type jvmVariant struct {
	name     string
	disabled string
	// flags is a setenv.sh for the audit; jvmOptions are the same flags
	// on the live JVM's command line.
	flags      string
	jvmOptions []string
	versions   [][]string
}

func TestAuditWithJavaSecurityMatchesLiveTomcat(t *testing.T) {
	if testing.Short() {
		t.Skip("starts six Tomcat JVMs")
	}
	modern := []string{t12, t13}
	variants := []jvmVariant{
		{name: "debian-copy", versions: [][]string{modern, {t12}, modern, modern, {t13}}},
		{name: "tlsv1-tlsv11-re-enabled", disabled: disabledLegacyTLS, versions: [][]string{{t10, t11, t12, t13}, {t10, t12}, {t10, t11, t12, t13}, {t10, t11, t12, t13}, {t13}}},
		{name: "tls13-disabled", disabled: disabledTLS13, versions: [][]string{{t12}, {t12}, {t12}, {t12}, nil}},
		{name: "cbc-disabled", disabled: disabledCBC, versions: [][]string{modern, {t12}, modern, modern, {t13}}},
		{name: "ecdhe-disabled", disabled: disabledECDHE, versions: [][]string{modern, {t12}, modern, {t13}, {t13}}},
		{name: "enable-ecc-false", flags: enableECCFlags, jvmOptions: []string{"-Dcom.sun.net.ssl.enableECC=false"}, versions: [][]string{modern, {t12}, modern, {t13}, {t13}}},
	}
	cert := testservers.SelfSigned(t)
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			rt, security, _ := loadJavaRuntime(t, v.disabled, v.flags)
			opts := append([]string{"-Djava.security.properties==" + security}, v.jvmOptions...)
			path, addrs := testservers.StartTomcatXML(t, testservers.TomcatXML{
				Cert:       cert,
				ServerXML:  liveServerXML(jvmLiveConnectors),
				Ports:      len(jvmLiveConnectors),
				JVMOptions: opts,
			})
			listeners, _, err := Audit(Options{Runtime: rt}, path)
			if err != nil {
				t.Fatalf("Audit: %v", err)
			}
			for i, c := range jvmLiveConnectors {
				t.Run(c.name, func(t *testing.T) {
					compareWithScan(t, addrs[i], v.versions[i], listenerOn(t, listeners, addrs[i]))
				})
			}
		})
	}
}

// compareWithScan scans addr with tlsscan and checks the versions against
// want, and the audited listener's versions, TLS 1.2-and-older suites and
// TLS 1.3 suites against the scan. Unlike checkLive it skips the
// client-certificate check, whose crypto/tls handshake fails on a JVM
// whose only TLS 1.2 suites are DHE ones, as crypto/tls offers none.
func compareWithScan(t *testing.T, addr string, want []string, l audit.Listener) {
	t.Helper()
	// StartTomcatXML returned once every port accepted TCP connections,
	// so Tomcat started every connector.
	for _, n := range l.Notes {
		if strings.Contains(n, "Tomcat does not start this connector") {
			t.Errorf("audit note %q, but the connector on %s started", n, addr)
		}
	}

	res := audittest.CompareWithScan(t, addr, l, audittest.WithProbeTimeout(5*time.Second))
	scanned := audittest.AcceptedVersions(res)
	if !slices.Equal(scanned, want) {
		t.Errorf("versions: scan %v, table %v", scanned, want)
	}
	// CompareWithScan compares TLS 1.3 suites only where the scan found
	// TLS 1.3, so a connector without it must list none.
	if !slices.Contains(scanned, t13) && len(l.Suites13.Values) != 0 {
		t.Errorf("TLS 1.3 suites: audit %v, but the scan found no TLS 1.3", l.Suites13.Values)
	}
}
