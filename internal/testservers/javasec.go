package testservers

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// JavaSecTLS describes a JSSE server whose JVM runs with given options,
// such as -Djava.security.properties==FILE or
// -Dcom.sun.net.ssl.enableECC=false, to test a JVM's TLS policy.
type JavaSecTLS struct {
	// Cert is served by the listener; it must have an RSA key.
	Cert Cert
	// JVMArgs are passed to java before the source file, such as
	// "-Djava.security.properties==/tmp/x/java.security".
	JVMArgs []string
}

// StartJavaSec runs the JSSE test server of StartJSSE with one listener
// that keeps the JDK's default protocols and suites, under a JVM started
// with cfg.JVMArgs, and returns its 127.0.0.1 address. The JVM stops when
// the test ends. The test fails when java is not in PATH (Debian package
// openjdk-17-jdk-headless) or the server does not listen within 30 s. The
// failure shows the JVM's stderr, which reports a policy the JDK rejects,
// such as a malformed jdk.tls.disabledAlgorithms.
func StartJavaSec(t testing.TB, cfg JavaSecTLS) string {
	t.Helper()
	bin, err := exec.LookPath("java")
	if err != nil {
		t.Fatalf("testservers: java not found in PATH: %v; install Debian package openjdk-17-jdk-headless", err)
	}
	dir := t.TempDir()
	source := filepath.Join(dir, "jsseserver.java")
	if err := os.WriteFile(source, jsseServerSource, 0o600); err != nil {
		t.Fatalf("testservers: %v", err)
	}
	args := append(append([]string{}, cfg.JVMArgs...), source, cfg.Cert.CertFile, cfg.Cert.KeyFile, "default")

	addrs := runJSSEServer(t, bin, args)
	if len(addrs) != 1 {
		t.Fatalf("testservers: the JSSE server opened %d listeners, expected 1", len(addrs))
	}
	return addrs[0]
}
