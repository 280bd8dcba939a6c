package haproxy

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/audit"
	"github.com/scimdoctor/scimdoctor/internal/audittest"
	"github.com/scimdoctor/scimdoctor/internal/testservers"
)

// liveConfigs are full HAProxy configurations. ADDR, CRT and CAFILE are
// replaced by the listening address, the RSA certificate-and-key PEM file
// and a CA file. CRTEC is an ECDSA certificate and key, CRTDH the RSA one
// followed by DH parameters, and DHFILE the DH parameters alone. Each runs in the real haproxy and through Audit, and the two
// must agree.
const (
	t10 = "TLS 1.0"
	t11 = "TLS 1.1"
	t12 = "TLS 1.2"
	t13 = "TLS 1.3"
)

var liveConfigs = []struct {
	name string
	// versions is what the real haproxy accepted, as tlsscan found it.
	versions []string
	// clientCert is the expected client-certificate mode.
	clientCert string
	// env is extra environment for haproxy, such as OPENSSL_CONF.
	env    []string
	config string
}{
	{"defaults-only", []string{t12, t13}, "off", nil, `
frontend scim
    bind ADDR ssl crt CRT
`},
	{"debian-packaged-globals", []string{t12, t13}, "off", nil, `
global
    ssl-default-bind-ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384
    ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256
    ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets
frontend scim
    bind ADDR ssl crt CRT
`},
	{"legacy-min-tls10-seclevel2", []string{t12, t13}, "off", nil, `
frontend scim
    bind ADDR ssl crt CRT ssl-min-ver TLSv1.0
`},
	{"legacy-min-tls10-seclevel0", []string{t10, t11, t12, t13}, "off", nil, `
frontend scim
    bind ADDR ssl crt CRT ssl-min-ver TLSv1.0 ciphers DEFAULT:@SECLEVEL=0
`},
	{"legacy-tls10-tls11-only", []string{t10, t11}, "off", nil, `
global
    ssl-default-bind-ciphers "HIGH:!aNULL:@SECLEVEL=0"
frontend scim
    bind ADDR ssl crt CRT ssl-min-ver TLSv1.0 ssl-max-ver TLSv1.1
`},
	{"legacy-no-tlsv11-hole", []string{t10, t11, t12, t13}, "off", nil, `
frontend scim
    bind ADDR ssl crt CRT ssl-min-ver TLSv1.0 no-tlsv11 ciphers 'ALL:@SECLEVEL=0'
`},
	{"force-tlsv12", []string{t12}, "off", nil, `
listen scim
    bind ADDR ssl crt CRT force-tlsv12
`},
	{"force-tlsv13-only", []string{t13}, "off", nil, `
frontend scim
    bind ADDR ssl crt CRT force-tlsv13 ciphersuites TLS_AES_256_GCM_SHA384
`},
	{"global-tls13-bind-override", []string{t12}, "off", nil, `
global
    ssl-default-bind-options ssl-min-ver TLSv1.3
frontend scim
    bind ADDR ssl crt CRT ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.2
`},
	{"global-no-tlsv13", []string{t12}, "off", nil, `
global
    ssl-default-bind-options no-tlsv13
frontend scim
    bind ADDR ssl crt CRT
`},
	{"static-rsa-only", []string{t12}, "off", nil, `
frontend scim
    bind ADDR ssl crt CRT ciphers AES128-SHA:AES256-GCM-SHA384 no-tlsv13
`},
	{"client-cert-optional", []string{t12, t13}, "optional", nil, `
listen scim
    bind ADDR ssl crt CRT verify optional ca-file CAFILE ciphers ECDHE+AESGCM:ECDHE+CHACHA20
`},
	{"conditional-block", []string{t12, t13}, "off", nil, `
global
.if version_atleast(2.2)
    ssl-default-bind-ciphers ECDHE+AESGCM
.else
    ssl-default-bind-ciphers ALL
.endif
frontend scim
    bind ADDR ssl crt CRT
`},
	{"dh-params-in-crt", []string{t12, t13}, "off", nil, `
frontend scim
    bind ADDR ssl crt CRTDH ciphers DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256
`},
	{"global-ssl-dh-param-file", []string{t12, t13}, "off", nil, `
global
    ssl-dh-param-file DHFILE
frontend scim
    bind ADDR ssl crt CRT ciphers DHE-RSA-AES256-GCM-SHA384:AES128-SHA
`},
	{"ecdsa-certificate", []string{t12, t13}, "off", nil, `
frontend scim
    bind ADDR ssl crt CRTEC ciphers HIGH:!aNULL
`},
	{"prefer-client-ciphers", []string{t12}, "off", nil, `
frontend scim
    bind ADDR ssl crt CRT ciphers ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA prefer-client-ciphers force-tlsv12
`},
	{"global-min-ignores-bind-no-tlsv1x", []string{t10, t11, t12, t13}, "off", nil, `
global
    ssl-default-bind-options ssl-min-ver TLSv1.0
    ssl-default-bind-ciphers DEFAULT:@SECLEVEL=0
frontend scim
    bind ADDR ssl crt CRT no-tlsv10 no-tlsv11
`},
	{"bind-max-ignores-no-tlsv12", []string{t12, t13}, "off", nil, `
frontend scim
    bind ADDR ssl crt CRT ssl-max-ver TLSv1.3 no-tlsv12
`},
	{"global-range-ignores-bind-no-tlsv1x", nil, "required", nil, `
global
    ssl-default-bind-options ssl-min-ver TLSv1.0 ssl-max-ver TLSv1.1
frontend scim
    bind ADDR ssl crt CRT no-tlsv10 no-tlsv11 ciphers ECDHE-RSA-AES256-GCM-SHA384 verify required ca-file CAFILE
`},
	{"openssl-cnf-min-tls13", []string{t12, t13}, "off", []string{"OPENSSL_CONF=OPENSSLCNF"}, `
frontend scim
    bind ADDR ssl crt CRT
`},
}

// opensslCnfTLS13 raises OpenSSL's minimum to TLS 1.3 for every SSL_CTX.
const opensslCnfTLS13 = `openssl_conf = init
[init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
MinProtocol = TLSv1.3
`

func TestAuditMatchesLiveHAProxy(t *testing.T) {
	bin, err := exec.LookPath("haproxy")
	if err != nil {
		bin = "/usr/sbin/haproxy"
		if _, err := os.Stat(bin); err != nil {
			t.Fatalf("haproxy not found in PATH or /usr/sbin; install Debian package haproxy (scripts/install-test-deps.sh does)")
		}
	}
	cert := testservers.SelfSigned(t)
	dir := t.TempDir()
	crt := filepath.Join(dir, "server.pem")
	if err := os.WriteFile(crt, append(append([]byte{}, cert.CertPEM...), cert.KeyPEM...), 0o600); err != nil {
		t.Fatal(err)
	}
	files := writeCertificateFiles(t, dir, cert)
	files["CRT"] = crt
	files["CAFILE"] = cert.CertFile
	cnf := filepath.Join(dir, "openssl.cnf")
	if err := os.WriteFile(cnf, []byte(opensslCnfTLS13), 0o600); err != nil {
		t.Fatal(err)
	}

	for _, tc := range liveConfigs {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var env []string
			for _, e := range tc.env {
				env = append(env, strings.ReplaceAll(e, "OPENSSLCNF", cnf))
			}
			path, addr := startHAProxy(t, bin, tc.config, files, env)

			listeners, _, err := Audit(DebianOptions, path)
			if err != nil {
				t.Fatalf("Audit: %v", err)
			}
			if len(listeners) != 1 {
				t.Fatalf("Audit returned %d listeners, want 1", len(listeners))
			}
			l := listeners[0]

			// TLS 1.3 suites count only where the audit lists them, and the
			// TLS 1.2 order only where haproxy picks by its own order.
			opts := []audittest.Option{audittest.WithServerOrder()}
			if len(l.Suites13.Values) == 0 {
				opts = append(opts, audittest.WithoutTLS13Suites())
			}
			res := audittest.CompareWithScan(t, addr, l, opts...)
			if scanned := audittest.AcceptedVersions(res); !slices.Equal(scanned, tc.versions) {
				t.Errorf("versions: scan %v, table %v", scanned, tc.versions)
			}
			if got := l.ClientCertificate.Values; len(got) != 1 || got[0] != tc.clientCert {
				t.Errorf("client certificate: audit %v, want %s", got, tc.clientCert)
			}
			// The DH and ECDSA cases mean nothing unless those suites are
			// there to compare.
			prefix := map[string]string{"dh-params-in-crt": "TLS_DHE_RSA_", "global-ssl-dh-param-file": "TLS_DHE_RSA_", "ecdsa-certificate": "TLS_ECDHE_ECDSA_"}[tc.name]
			if prefix != "" && !slices.ContainsFunc(l.Suites.Values, func(s string) bool { return strings.HasPrefix(s, prefix) }) {
				t.Errorf("audit suites %v lack %s suites", l.Suites.Values, prefix)
			}
			if tc.name == "prefer-client-ciphers" {
				if audittest.ServerOrder(res) {
					t.Errorf("scan found a server order despite prefer-client-ciphers")
				}
				if !slices.ContainsFunc(l.Notes, func(n string) bool { return strings.HasPrefix(n, "prefer-client-ciphers") }) {
					t.Errorf("audit notes %q lack prefer-client-ciphers", l.Notes)
				}
			}
		})
	}
}

// writeCertificateFiles writes the CRTEC, CRTDH and DHFILE files of
// liveConfigs to dir. The DH parameters are RFC 7919's ffdhe2048 group, as
// openssl genpkey writes it.
func writeCertificateFiles(t *testing.T, dir string, rsaCert testservers.Cert) map[string]string {
	t.Helper()
	dh, err := exec.Command("openssl", "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:ffdhe2048").Output()
	if err != nil {
		t.Fatalf("openssl genpkey -genparam: %v; install Debian package openssl", err)
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	ecPEM := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})...)

	files := map[string]string{
		"CRTEC":  filepath.Join(dir, "ecdsa.pem"),
		"CRTDH":  filepath.Join(dir, "rsa-dh.pem"),
		"DHFILE": filepath.Join(dir, "dh.pem"),
	}
	contents := map[string][]byte{
		"CRTEC":  ecPEM,
		"CRTDH":  slices.Concat(rsaCert.CertPEM, rsaCert.KeyPEM, dh),
		"DHFILE": dh,
	}
	for name, path := range files {
		if err := os.WriteFile(path, contents[name], 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return files
}

// startHAProxy writes config (with ADDR, CRT and CAFILE replaced) to a
// file, runs haproxy in the foreground on it, and returns the file and the
// listening address once it accepts connections. haproxy stops when the
// test ends.
func startHAProxy(t *testing.T, bin, config string, files map[string]string, env []string) (string, string) {
	t.Helper()
	base := "global\n    log stderr format raw local0 err\n"
	if strings.HasPrefix(strings.TrimSpace(config), "global") {
		base = ""
	}
	tail := "\ndefaults\n    mode tcp\n    timeout connect 5s\n    timeout client 10s\n    timeout server 10s\n"
	var lastErr error
	for range 3 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("finding a free port: %v", err)
		}
		addr := l.Addr().String()
		l.Close()

		// Longer placeholders come first, so that CRT does not match CRTEC.
		replacer := strings.NewReplacer("ADDR", addr, "CRTDH", files["CRTDH"], "CRTEC", files["CRTEC"],
			"CRT", files["CRT"], "CAFILE", files["CAFILE"], "DHFILE", files["DHFILE"])
		text := base + replacer.Replace(config)
		// defaults must come before the frontend, so insert it ahead of
		// the first proxy section.
		if i := firstProxySection(text); i >= 0 {
			text = text[:i] + tail + "\n" + text[i:]
		}
		path := filepath.Join(t.TempDir(), "haproxy.cfg")
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		if lastErr = runDaemon(t, bin, addr, path, env); lastErr == nil {
			return path, addr
		}
	}
	t.Fatalf("starting haproxy: %v", lastErr)
	return "", ""
}

func firstProxySection(text string) int {
	best := -1
	for _, kw := range []string{"\nfrontend ", "\nlisten "} {
		if i := strings.Index(text, kw); i >= 0 && (best < 0 || i < best) {
			best = i + 1
		}
	}
	return best
}

func runDaemon(t *testing.T, bin, addr, path string, env []string) error {
	return testservers.StartDaemon(t, addr, env, bin, "-db", "-f", path)
}

// TestAuditMatchesLiveHAProxyFolder starts haproxy -f FOLDER on a folder
// whose global sections sit in files before and between the frontends,
// and compares audit.Run on the folder with a scan of each frontend. The
// first global applies to both frontends and the second one only to the
// frontend after it, because HAProxy copies the defaults into a bind line
// when it parses it.
func TestAuditMatchesLiveHAProxyFolder(t *testing.T) {
	bin, err := exec.LookPath("haproxy")
	if err != nil {
		bin = "/usr/sbin/haproxy"
		if _, err := os.Stat(bin); err != nil {
			t.Fatalf("haproxy not found in PATH or /usr/sbin; install Debian package haproxy (scripts/install-test-deps.sh does)")
		}
	}
	cert := testservers.SelfSigned(t)
	dir := t.TempDir()
	crt := filepath.Join(dir, "server.pem")
	if err := os.WriteFile(crt, append(append([]byte{}, cert.CertPEM...), cert.KeyPEM...), 0o600); err != nil {
		t.Fatal(err)
	}
	first, second := testservers.FreeAddr(t), testservers.FreeAddr(t)
	for second == first {
		second = testservers.FreeAddr(t)
	}
	conf := filepath.Join(dir, "conf.d")
	files := map[string]string{
		"00-global.cfg": "global\n    log stderr format raw local0 err\n    ssl-default-bind-options ssl-min-ver TLSv1.3\n" +
			"defaults\n    mode tcp\n    timeout connect 5s\n    timeout client 10s\n    timeout server 10s\n",
		"10-first.cfg":  "frontend first\n    bind " + first + " ssl crt " + crt + "\n    default_backend app\nbackend app\n    server app 127.0.0.1:9\n",
		"20-global.cfg": "global\n    ssl-default-bind-options ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.2\n",
		"30-second.cfg": "frontend second\n    bind " + second + " ssl crt " + crt + "\n    default_backend app\n",
	}
	if err := os.Mkdir(conf, 0o700); err != nil {
		t.Fatal(err)
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(conf, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := testservers.StartDaemon(t, second, nil, bin, "-db", "-f", conf); err != nil {
		t.Fatalf("haproxy -f %s: %v", conf, err)
	}

	r, err := audit.Run([]string{conf}, "haproxy", []audit.Format{Format()})
	if err != nil {
		t.Fatal(err)
	}
	audited := map[string][]string{}
	for _, f := range r.Files {
		if f.Error != "" {
			t.Errorf("%s: %s", f.Path, f.Error)
		}
		for _, l := range f.Listeners {
			audited[filepath.Base(f.Path)] = l.Versions.Values
		}
	}
	for name, addr := range map[string]string{"10-first.cfg": first, "30-second.cfg": second} {
		scanned := audittest.AcceptedVersions(audittest.Scan(t, addr))
		if !slices.Equal(audited[name], scanned) {
			t.Errorf("%s: audit %v, scan %v", name, audited[name], scanned)
		}
	}
	if want := []string{"TLS 1.3"}; !slices.Equal(audited["10-first.cfg"], want) {
		t.Errorf("10-first.cfg: audit %v, want %v from 00-global.cfg", audited["10-first.cfg"], want)
	}
	if want := []string{"TLS 1.2"}; !slices.Equal(audited["30-second.cfg"], want) {
		t.Errorf("30-second.cfg: audit %v, want %v from 20-global.cfg", audited["30-second.cfg"], want)
	}
}

// TestComposedBindFixLive starts HAProxy with a bind line that has three
// problems (versions, ciphers and verify) and applies the one fix that all
// three give. The fixed bind line must accept TLS 1.2 and 1.3 live and
// leave no problem in the audit.
func TestComposedBindFixLive(t *testing.T) {
	bin, err := exec.LookPath("haproxy")
	if err != nil {
		bin = "/usr/sbin/haproxy"
	}
	cert := testservers.SelfSigned(t)
	dir := t.TempDir()
	crt := filepath.Join(dir, "server.pem")
	if err := os.WriteFile(crt, append(append([]byte{}, cert.CertPEM...), cert.KeyPEM...), 0o600); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{"CRT": crt, "CAFILE": cert.CertFile}
	const bindLine = "    bind ADDR ssl crt CRT no-tlsv10 no-tlsv11 ciphers AES128-SHA verify required ca-file CAFILE"
	template := "global\n    ssl-default-bind-options ssl-min-ver TLSv1.0 ssl-max-ver TLSv1.1\nfrontend scim\n" + bindLine + "\n"

	path, addr := startHAProxy(t, bin, template, files, nil)
	listeners, fixer, err := Audit(DebianOptions, path)
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	l := listeners[0]
	audit.Judge(&l, fixer)
	fix := ""
	for _, p := range l.Problems {
		if !strings.HasPrefix(p.Fix, "bind ") {
			continue
		}
		if fix != "" && p.Fix != fix {
			t.Errorf("fixes of one bind line differ: %q and %q", fix, p.Fix)
		}
		fix = p.Fix
	}
	if fix == "" {
		t.Fatalf("no bind line fix among %+v", l.Problems)
	}

	// Put the placeholders back, so that the fixed file runs on a new port.
	fixedLine := strings.NewReplacer(addr, "ADDR", crt, "CRT", cert.CertFile, "CAFILE").Replace(fix)
	fixedPath, fixedAddr := startHAProxy(t, bin, strings.Replace(template, bindLine, "    "+fixedLine, 1), files, nil)

	scanned := audittest.AcceptedVersions(audittest.Scan(t, fixedAddr))
	if !slices.Equal(scanned, []string{t12, t13}) {
		t.Errorf("fixed bind line %q accepts %v, want TLS 1.2 and TLS 1.3", fixedLine, scanned)
	}

	listeners, fixer, err = Audit(DebianOptions, fixedPath)
	if err != nil {
		t.Fatalf("Audit of the fixed file: %v", err)
	}
	l = listeners[0]
	audit.Judge(&l, fixer)
	if len(l.Problems) != 0 {
		t.Errorf("fixed file still has problems %+v", l.Problems)
	}
}
