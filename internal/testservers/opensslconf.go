package testservers

import (
	"os/exec"
	"slices"
	"testing"
)

// StartOpenSSLConf starts `openssl s_server -www` on a free 127.0.0.1
// port with the environment variable OPENSSL_CONF set to conf, so that the
// server applies that file's system_default TLS settings, and returns its
// "127.0.0.1:port" address. args are added to the command line; without
// "-cert" in args it serves a SelfSigned RSA certificate. The server is
// stopped when the test ends, and the test fails when openssl is missing
// or the server does not start.
//
// -www keeps s_server from reading its standard input, which is empty
// here.
func StartOpenSSLConf(t testing.TB, conf string, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatalf("testservers: openssl not found in PATH: %v; install Debian package openssl", err)
	}
	if !slices.Contains(args, "-cert") {
		cert := SelfSigned(t)
		args = append(args, "-cert", cert.CertFile, "-key", cert.KeyFile)
	}
	env := []string{"OPENSSL_CONF=" + conf}

	// The free port can be taken between the probe listener's close and
	// s_server's bind, so try a few ports.
	var lastErr error
	for range 3 {
		addr := freePort(t)
		full := append([]string{"s_server", "-www", "-quiet", "-accept", addr}, args...)
		if lastErr = StartDaemon(t, addr, env, bin, full...); lastErr == nil {
			return addr
		}
	}
	t.Fatalf("testservers: %v", lastErr)
	return ""
}
