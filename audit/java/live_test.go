package java

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/internal/audittest"
	"github.com/scimdoctor/scimdoctor/internal/testservers"
)

const (
	t10 = "TLS 1.0"
	t11 = "TLS 1.1"
	t12 = "TLS 1.2"
	t13 = "TLS 1.3"
)

// debianDisabledLine matches the multi-line jdk.tls.disabledAlgorithms
// entry of Debian's java.security copy, continuation lines included.
var debianDisabledLine = regexp.MustCompile(`(?m)^jdk\.tls\.disabledAlgorithms=(?:.*\\\n)*.*$`)

// liveJVMs run the JSSE test server under a JVM given the case's files and
// flags, and audit the same files, which must agree with tlsscan.
var liveJVMs = []struct {
	name string
	// versions is what tlsscan found on the real server.
	versions []string
	// disabled replaces jdk.tls.disabledAlgorithms in a copy of Debian's
	// java.security, which the JVM reads with -Djava.security.properties==
	// (in place of its own); "" keeps the JDK's own file.
	disabled string
	// flags are JVM options written to setenv.sh with the == flag.
	flags []string
	// audited is the file given to Audit: "setenv.sh" or "java.security".
	audited string
}{
	{"debian-defaults", []string{t12, t13}, "", nil, "setenv.sh"},
	{"legacy-tls10-reenabled", []string{t10, t11, t12, t13},
		"SSLv3, RC4, DES, MD5withRSA, DH keySize < 1024, EC keySize < 224, 3DES_EDE_CBC, anon, NULL", nil, "java.security"},
	{"tls12-disabled", []string{t13}, "SSLv3, TLSv1, TLSv1.1, TLSv1.2, RC4, DES, 3DES_EDE_CBC, anon, NULL", nil, "java.security"},
	{"cbc-and-3des-disabled", []string{t12, t13}, "SSLv3, TLSv1, TLSv1.1, RC4, DES, CBC, DESede, anon, NULL", nil, "setenv.sh"},
	{"ecdhe-off-enable-ecc-false", []string{t12, t13}, "", []string{"-Dcom.sun.net.ssl.enableECC=false"}, "setenv.sh"},
	{"server-protocols-tlsv1", []string{t10}, "SSLv3, RC4, DES, 3DES_EDE_CBC, anon, NULL", []string{"-Djdk.tls.server.protocols=TLSv1"}, "setenv.sh"},
	{"server-protocols-tlsv1-but-disabled", nil, "", []string{"-Djdk.tls.server.protocols=TLSv1"}, "setenv.sh"},
	{"static-rsa-only-by-disabling-ecdhe-dhe", []string{t12, t13}, "SSLv3, TLSv1, TLSv1.1, ECDHE, DHE, 3DES_EDE_CBC", nil, "java.security"},
}

func TestAuditMatchesLiveJSSE(t *testing.T) {
	cert := testservers.SelfSigned(t)
	master, err := os.ReadFile("testdata/debian-17.java.security")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range liveJVMs {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			security := filepath.Join(dir, "java.security")
			flags := slices.Clone(tc.flags)
			if tc.disabled != "" || tc.audited == "java.security" {
				text := string(master)
				if tc.disabled != "" {
					text = debianDisabledLine.ReplaceAllLiteralString(text, "jdk.tls.disabledAlgorithms="+tc.disabled)
				}
				if err := os.WriteFile(security, []byte(text), 0o600); err != nil {
					t.Fatal(err)
				}
				flags = append(flags, "-Djava.security.properties=="+security)
			}
			setenv := filepath.Join(dir, "setenv.sh")
			script := "#!/bin/sh\n# Tomcat JVM options\nCATALINA_OPTS=\"$CATALINA_OPTS " + strings.Join(flags, " ") + "\"\n"
			if err := os.WriteFile(setenv, []byte(script), 0o600); err != nil {
				t.Fatal(err)
			}
			addr := testservers.StartJavaSec(t, testservers.JavaSecTLS{Cert: cert, JVMArgs: flags})

			listeners, _, err := Audit(Options{JDK: "17"}, filepath.Join(dir, tc.audited))
			if err != nil {
				t.Fatalf("Audit: %v", err)
			}
			l := listeners[0]

			// The server has an RSA certificate, so only suites with RSA
			// authentication can be negotiated.
			usable := l
			usable.Suites.Values = nil
			for _, s := range l.Suites.Values {
				if kx, _, _, _ := suiteParts(s); kx == "RSA" || kx == "DHE_RSA" || kx == "ECDHE_RSA" {
					usable.Suites.Values = append(usable.Suites.Values, s)
				}
			}
			res := audittest.CompareWithScan(t, addr, usable, audittest.WithProbeTimeout(5*time.Second))
			if scanned := audittest.AcceptedVersions(res); !slices.Equal(scanned, tc.versions) {
				t.Errorf("versions: scan %v, table %v", scanned, tc.versions)
			}
		})
	}
}
