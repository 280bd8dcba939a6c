package apache

import (
	"fmt"
	"net"
	"os"
	"os/exec"
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

// liveConfigs are mod_ssl settings run in the real httpd and through Audit.
// MAIN goes in the main server, VHOST inside the one VirtualHost, and
// INCLUDED in a file the main server includes with IncludeOptional.
var liveConfigs = []struct {
	name       string
	versions   []string
	clientCert string
	main       string
	vhost      string
	included   string
}{
	{"defaults-only", []string{t12, t13}, "off", "", "", ""},
	{"debian-ssl-conf", []string{t12, t13}, "off", "", "", "SSLCipherSuite HIGH:!aNULL\nSSLProtocol all -SSLv3"},
	{"legacy-all-seclevel2", []string{t12, t13}, "off", "", "SSLProtocol all", ""},
	{"legacy-all-seclevel0", []string{t10, t11, t12, t13}, "off", "", "SSLProtocol all\nSSLCipherSuite DEFAULT:@SECLEVEL=0", ""},
	{"legacy-tls10-only", []string{t10}, "off", "", "SSLProtocol -all +TLSv1\nSSLCipherSuite \"HIGH:!aNULL:@SECLEVEL=0\"", ""},
	{"plus-tls12-alone", []string{t12}, "off", "SSLProtocol all", "SSLProtocol +TLSv1.2", ""},
	{"unsigned-list-resets", []string{t13}, "off", "", "SSLProtocol TLSv1.2 TLSv1.3", ""},
	{"gap-below-tls12", []string{t12, t13}, "off", "", "SSLProtocol -all +TLSv1 +TLSv1.2 +TLSv1.3\nSSLCipherSuite ALL:@SECLEVEL=0", ""},
	{"main-server-inherited", []string{t12}, "required", "SSLProtocol -all +TLSv1.2\nSSLCipherSuite ECDHE+AESGCM:AES128-SHA\nSSLVerifyClient require\nSSLCACertificateFile CAFILE", "", ""},
	{"honor-order-tls12", []string{t12}, "off", "", "SSLProtocol -all +TLSv1.2\nSSLHonorCipherOrder on\nSSLCipherSuite ECDHE-RSA-AES256-GCM-SHA384:AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256", ""},
	{"tls13-suites", []string{t12, t13}, "optional", "", "SSLCipherSuite TLSv1.3 TLS_AES_256_GCM_SHA384\nSSLVerifyClient optional\nSSLCACertificateFile CAFILE", ""},
	{"dhe-suites", []string{t12}, "off", "", "SSLProtocol -all +TLSv1.2\nSSLCipherSuite DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384", ""},
	{"define-with-blanks", []string{t13}, "off", "Define PROTO \"-all +TLSv1.3\"", "SSLProtocol ${PROTO}", ""},
	{"included-cipher-list", []string{t12, t13}, "off", "<IfModule ssl_module>\n    IncludeOptional INCLUDED_GLOB\n</IfModule>", "", "SSLCipherSuite 'ECDHE-RSA-AES128-SHA256:AES256-SHA256'"},
}

func TestAuditMatchesLiveApache(t *testing.T) {
	bin, err := exec.LookPath("apache2")
	if err != nil {
		bin = "/usr/sbin/apache2"
		if _, err := os.Stat(bin); err != nil {
			t.Fatalf("apache2 not found in PATH or /usr/sbin; install Debian package apache2")
		}
	}
	cert := testservers.SelfSigned(t)
	for _, tc := range liveConfigs {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path, addr := startApache(t, bin, cert, tc.main, tc.vhost, tc.included)

			listeners, _, err := Audit(DebianOptions, path)
			if err != nil {
				t.Fatalf("Audit: %v", err)
			}
			if len(listeners) != 1 {
				t.Fatalf("Audit returned %d listeners, want 1", len(listeners))
			}
			l := listeners[0]

			// TLS 1.3 suites count only where the audit lists them, and
			// order only where httpd uses its own order.
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
			if tc.name == "honor-order-tls12" && !audittest.ServerOrder(res) {
				t.Errorf("scan found no server order despite SSLHonorCipherOrder on")
			}
		})
	}
}

// startApache writes a full httpd configuration to a temp folder, runs
// apache2 -X on it and returns the file and the listening address once it
// accepts connections. httpd stops when the test ends.
func startApache(t *testing.T, bin string, cert testservers.Cert, mainPart, vhostPart, includedPart string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	docRoot := filepath.Join(dir, "htdocs")
	if err := os.MkdirAll(filepath.Join(dir, "conf.d"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(docRoot, 0o755); err != nil {
		t.Fatal(err)
	}
	replacer := strings.NewReplacer("CAFILE", cert.CertFile, "INCLUDED_GLOB", filepath.Join(dir, "conf.d", "*.conf"))
	if includedPart != "" {
		if err := os.WriteFile(filepath.Join(dir, "conf.d", "ssl.conf"), []byte(replacer.Replace(includedPart)+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if mainPart == "" {
			mainPart = "IncludeOptional INCLUDED_GLOB"
		}
	}
	user := ""
	if os.Geteuid() == 0 {
		user = "User nobody\nGroup nogroup"
	}
	modules := "/usr/lib/apache2/modules"
	errorLog := filepath.Join(dir, "error.log")

	var lastErr error
	for range 3 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("finding a free port: %v", err)
		}
		addr := l.Addr().String()
		l.Close()
		conf := fmt.Sprintf(`ServerRoot %[1]s
ServerName localhost
PidFile %[1]s/httpd.pid
DefaultRuntimeDir %[1]s
ErrorLog %[2]s
LogLevel warn
LoadModule mpm_event_module %[3]s/mod_mpm_event.so
LoadModule authz_core_module %[3]s/mod_authz_core.so
LoadModule socache_shmcb_module %[3]s/mod_socache_shmcb.so
LoadModule ssl_module %[3]s/mod_ssl.so
%[4]s
Listen %[5]s
DocumentRoot %[6]s
SSLSessionCache shmcb:%[1]s/ssl_scache(512000)
%[9]s

<VirtualHost %[5]s>
    SSLEngine on
    SSLCertificateFile %[7]s
    SSLCertificateKeyFile %[8]s
%[10]s
</VirtualHost>
`, dir, errorLog, modules, user, addr, docRoot, cert.CertFile, cert.KeyFile, replacer.Replace(mainPart), replacer.Replace(vhostPart))
		path := filepath.Join(dir, "httpd.conf")
		if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
			t.Fatal(err)
		}
		if lastErr = runDaemon(t, bin, addr, path); lastErr == nil {
			return path, addr
		}
		logText, _ := os.ReadFile(errorLog)
		lastErr = fmt.Errorf("%w; error log: %s", lastErr, strings.TrimSpace(string(logText)))
	}
	t.Fatalf("starting apache2: %v", lastErr)
	return "", ""
}

func runDaemon(t *testing.T, bin, addr, path string) error {
	return testservers.StartDaemon(t, addr, nil, bin, "-f", path, "-X")
}
