package cryptopolicies

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/scimdoctor/scimdoctor/internal/audittest"
	"github.com/scimdoctor/scimdoctor/internal/testservers"
)

// TestOpenSSLBackendMatchesLiveOpenSSL writes the OpenSSL back end of each
// policy into an openssl.cnf the way RHEL's /etc/pki/tls/openssl.cnf
// includes it, runs Debian 12's `openssl s_server` with it, and checks that
// tlsscan finds the versions and suites Effective computes. It checks the
// generated lines on a real OpenSSL 3.0; RHEL's own OpenSSL build and its
// FIPS provider are not part of it.
func TestOpenSSLBackendMatchesLiveOpenSSL(t *testing.T) {
	cases := []struct {
		release Release
		spec    string
	}{
		{RHEL9, "DEFAULT"},
		{RHEL9, "LEGACY"},
		{RHEL9, "FUTURE"},
		{RHEL9, "FIPS"},
		{RHEL9, "FIPS:OSPP"},
		{RHEL10, "DEFAULT"},
	}
	for _, tc := range cases {
		t.Run(tc.release.String()+" "+tc.spec, func(t *testing.T) {
			t.Parallel()
			spec, err := ParseSpec(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			c, err := Load(spec, LoadOptions{Release: tc.release})
			if err != nil {
				t.Fatal(err)
			}
			s := c.For(OpenSSL)
			l := Effective(c)

			dir := t.TempDir()
			backend := fmt.Sprintf("CipherString = %s\nCiphersuites = %s\nTLS.MinProtocol = %s\nTLS.MaxProtocol = %s\n",
				OpenSSLCipherString(s), OpenSSLCiphersuites(s), openSSLProtocols[s.minTLS()], openSSLProtocols[s.maxTLS()])
			if err := os.WriteFile(filepath.Join(dir, "opensslcnf.config"), []byte(backend), 0o600); err != nil {
				t.Fatal(err)
			}
			conf := filepath.Join(dir, "openssl.cnf")
			text := "openssl_conf = openssl_init\n[openssl_init]\nssl_conf = ssl_module\n[ssl_module]\nsystem_default = crypto_policy\n[crypto_policy]\n.include = " + filepath.Join(dir, "opensslcnf.config") + "\n"
			if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			// FUTURE and OSPP run at security level 3, which rejects the
			// 2048-bit key of testservers.SelfSigned, so they get a
			// 3072-bit one.
			var args []string
			if securityLevel(s) >= 3 {
				args = rsa3072(t, dir)
			}
			addr := testservers.StartOpenSSLConf(t, conf, args...)

			audittest.CompareWithScan(t, addr, l)
		})
	}
}

// rsa3072 writes a self-signed certificate with a 3072-bit RSA key for
// 127.0.0.1 into dir and returns the s_server arguments that serve it.
func rsa3072(t *testing.T, dir string) []string {
	t.Helper()
	cert, key := filepath.Join(dir, "cert3072.pem"), filepath.Join(dir, "key3072.pem")
	out, err := exec.Command("openssl", "req", "-x509", "-newkey", "rsa:3072", "-nodes", "-sha256", "-days", "1",
		"-subj", "/CN=127.0.0.1", "-keyout", key, "-out", cert).CombinedOutput()
	if err != nil {
		t.Fatalf("openssl req: %v: %s", err, out)
	}
	return []string{"-cert", cert, "-key", key}
}
