package opensslcnf

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/internal/audittest"
	"github.com/scimdoctor/scimdoctor/internal/testservers"
)

const (
	t10 = "TLS 1.0"
	t11 = "TLS 1.1"
	t12 = "TLS 1.2"
	t13 = "TLS 1.3"
)

// debianConf is the file Debian 12's openssl package installs.
const debianConf = "/etc/ssl/openssl.cnf"

// chainHead leads to [system_default_sect]; each case adds its commands.
const chainHead = `openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
`

// liveConfigs run in `openssl s_server` (with OPENSSL_CONF) and through
// Audit, which must agree with what tlsscan finds.
var liveConfigs = []struct {
	name string
	// versions is what s_server accepted, as tlsscan found it on Debian
	// 12's OpenSSL 3.0.
	versions []string
	config   string
}{
	{"debian12-shipped-file", []string{t12, t13}, ""},
	{"min-protocol-tlsv12", []string{t12, t13}, chainHead + "MinProtocol = TLSv1.2\n"},
	{"min-tlsv1-seclevel0", []string{t10, t11, t12, t13}, chainHead + "MinProtocol = TLSv1\nCipherString = DEFAULT@SECLEVEL=0\n"},
	{"min-tlsv1-seclevel2", []string{t12, t13}, chainHead + "MinProtocol = TLSv1\n"},
	{"max-protocol-tlsv11", []string{t10, t11}, chainHead + "MaxProtocol = TLSv1.1\nCipherString = DEFAULT:@SECLEVEL=0\n"},
	{"max-protocol-tlsv11-seclevel2", []string{}, chainHead + "MaxProtocol = TLSv1.1\n"},
	{"cbc-only-cipherstring", []string{t12, t13}, chainHead + "CipherString = ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA384:AES128-SHA256\n"},
	{"ciphersuites-limited", []string{t12, t13}, chainHead + "Ciphersuites = TLS_AES_128_GCM_SHA256\n"},
	{"tls13-only", []string{t13}, chainHead + "MinProtocol = TLSv1.3\nCiphersuites = TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384\n"},
	{"protocol-list", []string{t12}, chainHead + "Protocol = -ALL, TLSv1.2\n"},
	{"protocol-list-stops-at-unknown-item", []string{t12}, chainHead + "Protocol = -ALL, TLSv1.2, TLSv9, TLSv1.3\n"},
	{"prefixed-and-included", []string{t12}, "openssl_conf = openssl_init\n[openssl_init]\nssl_conf = ssl_sect\n[ssl_sect]\nsystem_default = crypto_policy\n[crypto_policy]\n.include = INCDIR/policy.config\n"},
}

func TestAuditMatchesLiveOpenSSL(t *testing.T) {
	for _, tc := range liveConfigs {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "openssl.cnf")
			text := tc.config
			if text == "" {
				data, err := os.ReadFile(debianConf)
				if err != nil {
					t.Fatalf("reading Debian's shipped configuration: %v; install Debian package openssl", err)
				}
				text = string(data)
			}
			text = strings.ReplaceAll(text, "INCDIR", dir)
			if err := os.WriteFile(filepath.Join(dir, "policy.config"), []byte("TLS.MinProtocol = TLSv1.2\nTLS.MaxProtocol = TLSv1.2\nDTLS.MinProtocol = DTLSv1.2\nCipherString = @SECLEVEL=2:kEECDH:kRSA:-SHA1:-SHA384\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}

			listeners, _, err := Audit(path, Options{Platform: Debian12})
			if err != nil {
				t.Fatalf("Audit: %v", err)
			}
			l := listeners[0]
			if !slices.Equal(l.Versions.Values, tc.versions) {
				t.Errorf("versions: audit %v (from %q), table %v; notes %v", l.Versions.Values, l.Versions.Directive, tc.versions, l.Notes)
			}
			addr := testservers.StartOpenSSLConf(t, path)
			var opts []audittest.Option
			if !slices.Contains(tc.versions, t13) {
				opts = append(opts, audittest.WithoutTLS13Suites())
			}
			res := audittest.CompareWithScan(t, addr, l, opts...)
			if scanned := audittest.AcceptedVersions(res); !slices.Equal(scanned, tc.versions) {
				t.Errorf("versions: scan %v, table %v", scanned, tc.versions)
			}
		})
	}
}
