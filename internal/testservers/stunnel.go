package testservers

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// StunnelTLS describes a TLS-terminating stunnel service. Empty string
// fields leave the stunnel default (built against the system OpenSSL) in
// place.
type StunnelTLS struct {
	// Cert is served by the service. CAMELLIA and ARIA suites with RSA,
	// DHE-RSA or ECDHE-RSA key exchange need an RSA key, which SelfSigned
	// makes.
	Cert Cert
	// Ciphers is the OpenSSL cipher string for TLS 1.2 and older (stunnel's
	// "ciphers" option), such as "CAMELLIA:ARIA".
	Ciphers string
	// CipherSuites is the TLS 1.3 suite list (stunnel's "ciphersuites"
	// option), such as "TLS_AES_128_GCM_SHA256".
	CipherSuites string
	// MinVersion and MaxVersion bound the protocol versions (stunnel's
	// "sslVersionMin" and "sslVersionMax"): "SSLv3", "TLSv1", "TLSv1.1",
	// "TLSv1.2" or "TLSv1.3".
	MinVersion string
	MaxVersion string
	// SecurityLevel is the OpenSSL security level, "0" to "5" (stunnel's
	// "securityLevel"). Empty keeps the OpenSSL default, which is 2 in
	// Debian 12's build, so RSA keys under 2048 bits are rejected.
	SecurityLevel string
	// Backend is the host:port stunnel forwards the decrypted bytes to.
	// Empty means an HTTP server on 127.0.0.1 started for the test, which
	// responds to every request with 200.
	Backend string
}

// StartStunnel starts stunnel in the foreground with one TLS service on a
// free 127.0.0.1 port, waits until it accepts connections and returns the
// address. stunnel and the default backend are stopped when the test ends.
// The test fails when stunnel is not installed (Debian package stunnel4),
// when a field of cfg contains a line break, or when stunnel does not start,
// with stunnel's output in the message.
func StartStunnel(t testing.TB, cfg StunnelTLS) string {
	t.Helper()
	bin := lookStunnel(t)
	fields := map[string]string{
		"Ciphers": cfg.Ciphers, "CipherSuites": cfg.CipherSuites, "MinVersion": cfg.MinVersion,
		"MaxVersion": cfg.MaxVersion, "SecurityLevel": cfg.SecurityLevel, "Backend": cfg.Backend,
	}
	for name, value := range fields {
		if strings.ContainsAny(value, "\r\n") {
			t.Fatalf("testservers: StunnelTLS.%s %q contains a line break; give one value on one line", name, value)
		}
	}
	backend := cfg.Backend
	if backend == "" {
		backend = startHTTPBackend(t)
	}

	// Service-level options follow "accept" and "connect" only when set, so
	// an empty field leaves stunnel's default.
	var service strings.Builder
	optional := []struct{ option, value string }{
		{"ciphers", cfg.Ciphers},
		{"ciphersuites", cfg.CipherSuites},
		{"sslVersionMin", cfg.MinVersion},
		{"sslVersionMax", cfg.MaxVersion},
		{"securityLevel", cfg.SecurityLevel},
	}
	for _, o := range optional {
		if o.value != "" {
			fmt.Fprintf(&service, "%s = %s\n", o.option, o.value)
		}
	}

	dir := t.TempDir()
	var lastErr error
	for range 3 {
		addr := freePort(t)
		// "pid =" with no value writes no pid file. In the foreground stunnel
		// logs to stderr, which startDaemon keeps for its error message.
		conf := fmt.Sprintf(`foreground = yes
pid =
syslog = no
debug = warning

[scim]
accept = %s
connect = %s
cert = %s
key = %s
%s`, addr, backend, cfg.Cert.CertFile, cfg.Cert.KeyFile, service.String())
		confFile := filepath.Join(dir, "stunnel.conf")
		if err := os.WriteFile(confFile, []byte(conf), 0o600); err != nil {
			t.Fatalf("testservers: %v", err)
		}
		err := startDaemon(t, addr, bin, confFile)
		if err == nil {
			return addr
		}
		lastErr = err
	}
	t.Fatalf("testservers: %v", lastErr)
	return ""
}

// lookStunnel finds stunnel4, the name of Debian's binary, or stunnel, the
// upstream name, in PATH.
func lookStunnel(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"stunnel4", "stunnel"} {
		if bin, err := exec.LookPath(name); err == nil {
			return bin
		}
	}
	t.Fatalf("testservers: neither stunnel4 nor stunnel found in PATH; install Debian package stunnel4 (scripts/install-test-deps.sh does)")
	return ""
}

// startHTTPBackend starts a plain HTTP server on 127.0.0.1 that responds
// to every request with 200, closes it when the test ends and returns its
// host:port.
func startHTTPBackend(t testing.TB) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintln(w, "stunnel test backend")
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}
