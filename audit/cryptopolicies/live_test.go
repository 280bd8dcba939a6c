package cryptopolicies

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
	"github.com/scimdoctor/scimdoctor/tlsscan"
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

			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			res, err := tlsscan.Run(ctx, tlsscan.Options{Target: addr, Timeout: 10 * time.Second, Clients: []string{"okta"}})
			if err != nil {
				t.Fatalf("tlsscan.Run: %v", err)
			}
			if res.Unreachable {
				t.Fatalf("tlsscan.Run found %s unreachable: %s", addr, res.Error)
			}
			scanned := []string{}
			for _, v := range res.Versions {
				if v.Accepted {
					scanned = append(scanned, v.Version)
				}
			}
			if !slices.Equal(l.Versions.Values, scanned) {
				t.Errorf("versions: audit %v, scan %v", l.Versions.Values, scanned)
			}
			var union, tls13 []string
			for _, list := range res.Suites {
				for _, suite := range list.Suites {
					switch {
					case list.Version == "TLS 1.3":
						tls13 = append(tls13, suite.Name)
					case !slices.Contains(union, suite.Name):
						union = append(union, suite.Name)
					}
				}
			}
			if got, want := slices.Sorted(slices.Values(l.Suites.Values)), slices.Sorted(slices.Values(union)); !slices.Equal(got, want) {
				t.Errorf("TLS 1.2 suites:\naudit %v\nscan  %v", got, want)
			}
			if got, want := slices.Sorted(slices.Values(l.Suites13.Values)), slices.Sorted(slices.Values(tls13)); !slices.Equal(got, want) {
				t.Errorf("TLS 1.3 suites: audit %v, scan %v", got, want)
			}
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
