package nginx

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/audit"
	"github.com/scimdoctor/scimdoctor/internal/audittest"
	"github.com/scimdoctor/scimdoctor/internal/testservers"
)

// liveConfig is an nginx configuration for TestAuditMatchesScan. In main
// and extra, {ADDR} is the listen address, {CERT} and {KEY} the
// certificate files and {DIR} the prefix directory.
type liveConfig struct {
	name string
	// main is the configuration after the preamble (pid, error log,
	// events, master_process off).
	main string
	// extra maps file names under the prefix to their content, for
	// include tests.
	extra map[string]string
	// clientCert is the expected client-certificate mode.
	clientCert string
	// serverName, when set, is the SNI of the scan and picks the
	// listener whose name contains it; else the file has one listener.
	serverName string
	// env is extra environment for nginx, such as OPENSSL_CONF, with
	// {DIR} replaced by the prefix directory.
	env []string
}

// opensslCnfMinTLS13 raises OpenSSL's minimum version to TLS 1.3 for every
// SSL_CTX that does not set its own.
const opensslCnfMinTLS13 = `openssl_conf = init
[init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
MinProtocol = TLSv1.3
`

const liveHTTPPreamble = `access_log off;
    client_body_temp_path {DIR}/client_body;
    proxy_temp_path {DIR}/proxy;
    fastcgi_temp_path {DIR}/fastcgi;
    uwsgi_temp_path {DIR}/uwsgi;
    scgi_temp_path {DIR}/scgi;
`

var liveConfigs = []liveConfig{
	{name: "defaults only", main: `http { ` + liveHTTPPreamble + `
    server {
        listen {ADDR} ssl;
        ssl_certificate {CERT};
        ssl_certificate_key {KEY};
        return 200;
    }
}`},
	{name: "modern server order", main: `http { ` + liveHTTPPreamble + `
    server {
        listen {ADDR} ssl;
        ssl_certificate {CERT};
        ssl_certificate_key {KEY};
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305;
        ssl_prefer_server_ciphers on;
        return 200;
    }
}`},
	{name: "legacy only at level 2", main: `http { ` + liveHTTPPreamble + `
    server {
        listen {ADDR} ssl;
        ssl_certificate {CERT};
        ssl_certificate_key {KEY};
        ssl_protocols TLSv1 TLSv1.1;
        return 200;
    }
}`},
	{name: "legacy only at level 0", main: `http { ` + liveHTTPPreamble + `
    server {
        listen {ADDR} ssl;
        ssl_certificate {CERT};
        ssl_certificate_key {KEY};
        ssl_protocols TLSv1 TLSv1.1;
        ssl_ciphers "HIGH:!aNULL:!MD5:@SECLEVEL=0";
        return 200;
    }
}`},
	{name: "legacy and TLS 1.2 at level 1", main: `http { ` + liveHTTPPreamble + `
    server {
        listen {ADDR} ssl;
        ssl_certificate {CERT};
        ssl_certificate_key {KEY};
        ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
        ssl_ciphers 'ECDHE-RSA-AES128-SHA:AES256-SHA:@SECLEVEL=1';
        ssl_prefer_server_ciphers on;
        return 200;
    }
}`},
	{name: "TLS 1.3 only", main: `http { ` + liveHTTPPreamble + `
    server {
        listen {ADDR} ssl;
        ssl_certificate {CERT};
        ssl_certificate_key {KEY};
        ssl_protocols TLSv1.3;
        return 200;
    }
}`},
	{name: "inherited from http", main: `http { ` + liveHTTPPreamble + `
    ssl_protocols TLSv1.2;
    ssl_ciphers AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA256;
    ssl_prefer_server_ciphers on;
    ssl_certificate {CERT};
    ssl_certificate_key {KEY};
    server {
        listen {ADDR} ssl;
        return 200;
    }
}`},
	{name: "server overrides http", main: `http { ` + liveHTTPPreamble + `
    ssl_protocols TLSv1.3;
    ssl_ciphers AES128-SHA;
    server {
        listen {ADDR} ssl;
        ssl_certificate {CERT};
        ssl_certificate_key {KEY};
        ssl_protocols TLSv1.2;   # overrides the http block
        ssl_ciphers ECDHE-RSA-AES256-SHA384;
        return 200;
    }
}`},
	{name: "include glob relative to prefix", main: `http { ` + liveHTTPPreamble + `
    include conf.d/*.conf;
}`, extra: map[string]string{
		"conf.d/10-tls.conf": "ssl_protocols TLSv1.2 TLSv1.3;\nssl_ciphers 'ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA';\n",
		"conf.d/20-site.conf": `server {
    listen {ADDR} ssl;
    ssl_certificate {CERT};
    ssl_certificate_key {KEY};
    include snippets/client.inc;
    return 200;
}
`,
		"snippets/client.inc": "ssl_verify_client optional_no_ca;\n",
	}, clientCert: "optional"},
	{name: "conf_command overrides", main: `http { ` + liveHTTPPreamble + `
    server {
        listen {ADDR} ssl;
        ssl_certificate {CERT};
        ssl_certificate_key {KEY};
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers HIGH;
        ssl_conf_command MaxProtocol TLSv1.2;
        ssl_conf_command CipherString ECDHE-RSA-AES256-SHA:AES128-SHA;
        ssl_conf_command Options ServerPreference;
        return 200;
    }
}`},
	{name: "ECDSA suites with RSA key", main: `http { ` + liveHTTPPreamble + `
    server {
        listen {ADDR} ssl;
        ssl_certificate {CERT};
        ssl_certificate_key {KEY};
        ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-SHA:DHE-RSA-AES128-GCM-SHA256;
        return 200;
    }
}`},
	{name: "DHE suites without ssl_dhparam", main: `http { ` + liveHTTPPreamble + `
    server {
        listen {ADDR} ssl;
        ssl_certificate {CERT};
        ssl_certificate_key {KEY};
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers DHE-RSA-AES256-GCM-SHA384;
        return 200;
    }
}`},
	{name: "fix of DHE suites without ssl_dhparam", main: `http { ` + liveHTTPPreamble + `
    server {
        listen {ADDR} ssl;
        ssl_certificate {CERT};
        ssl_certificate_key {KEY};
        ssl_protocols TLSv1.2;
        ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256;
        return 200;
    }
}`},
	{name: "openssl.cnf MinProtocol ignored", main: `http { ` + liveHTTPPreamble + `
    server {
        listen {ADDR} ssl;
        ssl_certificate {CERT};
        ssl_certificate_key {KEY};
        ssl_ciphers HIGH:!aNULL;
        return 200;
    }
}`, extra: map[string]string{"openssl.cnf": opensslCnfMinTLS13}, env: []string{"OPENSSL_CONF={DIR}/openssl.cnf"}},
	{name: "client certificate required", main: `http { ` + liveHTTPPreamble + `
    server {
        listen {ADDR} ssl;
        ssl_certificate {CERT};
        ssl_certificate_key {KEY};
        ssl_verify_client on;
        ssl_client_certificate {CERT};
        return 200;
    }
}`, clientCert: "required"},
	{name: "deprecated ssl on", main: `http { ` + liveHTTPPreamble + `
    ssl on;
    server {
        listen {ADDR};
        ssl_certificate {CERT};
        ssl_certificate_key {KEY};
        ssl_protocols TLSv1.2;
        return 200;
    }
}`},
	{name: "SNI server behind rejecting default", main: `http { ` + liveHTTPPreamble + `
    ssl_certificate {CERT};
    ssl_certificate_key {KEY};
    server {
        listen {ADDR} ssl default_server;
        ssl_reject_handshake on;
    }
    server {
        listen {ADDR} ssl;
        server_name scim.test;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers AES128-SHA:ECDHE-RSA-AES256-SHA;
        return 200;
    }
}`, serverName: "scim.test"},
	{name: "SNI server behind TLS 1.3-only default", main: `http { ` + liveHTTPPreamble + `
    ssl_certificate {CERT};
    ssl_certificate_key {KEY};
    server {
        listen {ADDR} ssl;
        ssl_protocols TLSv1.3;
        return 200;
    }
    server {
        listen {ADDR} ssl;
        server_name scim.test;
        ssl_protocols TLSv1.2;
        return 200;
    }
}`, serverName: "scim.test"},
	{name: "reject handshake", main: `http { ` + liveHTTPPreamble + `
    server {
        listen {ADDR} ssl;
        ssl_reject_handshake on;
    }
}`},
}

// TestAuditMatchesScan starts real nginx from each configuration, scans it
// with tlsscan, and checks that the audit's versions, its TLS 1.2-and-older
// suites (in order where nginx picks by its own order), its TLS 1.3 suites
// where it lists them, and its client-certificate mode are what the scan
// found.
func TestAuditMatchesScan(t *testing.T) {
	cert := testservers.SelfSigned(t)
	for _, tc := range liveConfigs {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			conf, addr := startNginxConfig(t, tc, cert)

			listeners, err := Audit(conf, Debian12)
			if err != nil {
				t.Fatalf("Audit: %v", err)
			}
			if tc.serverName == "" && len(listeners) != 1 {
				t.Fatalf("Audit returned %d listeners, want 1: %+v", len(listeners), listeners)
			}
			l := listeners[0]
			if tc.serverName != "" {
				i := slices.IndexFunc(listeners, func(l audit.Listener) bool { return strings.Contains(l.Name, tc.serverName) })
				if i < 0 {
					t.Fatalf("Audit returned no listener named %s: %+v", tc.serverName, listeners)
				}
				l = listeners[i]
			}

			// TLS 1.3 suites count only where the audit lists them.
			opts := []audittest.Option{audittest.WithServerName(tc.serverName), audittest.WithServerOrder()}
			if len(l.Suites13.Values) == 0 {
				opts = append(opts, audittest.WithoutTLS13Suites())
			}
			res := audittest.CompareWithScan(t, addr, l, opts...)
			t.Logf("scan: versions %q, TLS 1.2 server order %v", audittest.AcceptedVersions(res), audittest.ServerOrder(res))

			wantCert := tc.clientCert
			if wantCert == "" {
				wantCert = "off"
			}
			if got := l.ClientCertificate.Values; !slices.Equal(got, []string{wantCert}) {
				t.Errorf("client certificate: audit %q, want %q", got, wantCert)
			}
			if res.ClientAuth != nil && wantCert != "off" {
				for _, v := range res.ClientAuth.Versions {
					if !v.Requested {
						t.Errorf("client certificate: audit %q, but the scan saw no CertificateRequest at %v", wantCert, v.Version)
					}
				}
			}
		})
	}
}

// startNginxConfig writes tc under a new prefix directory, starts nginx
// from it in the foreground on a free 127.0.0.1 port, and returns the main
// configuration file and the address. nginx stops when the test ends.
func startNginxConfig(t *testing.T, tc liveConfig, cert testservers.Cert) (conf, addr string) {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		bin = "/usr/sbin/nginx"
		if _, err := os.Stat(bin); err != nil {
			t.Fatalf("nginx not found in PATH or /usr/sbin; install Debian package nginx")
		}
	}
	dir := t.TempDir()
	errorLog := filepath.Join(dir, "error.log")

	var lastErr error
	for range 3 {
		addr = freeAddr(t)
		fill := strings.NewReplacer("{ADDR}", addr, "{CERT}", cert.CertFile, "{KEY}", cert.KeyFile, "{DIR}", dir)
		for name, text := range tc.extra {
			path := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(fill.Replace(text)), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		text := fmt.Sprintf("master_process off;\npid %s/nginx.pid;\nerror_log %s info;\nevents { worker_connections 64; }\n\n%s\n", dir, errorLog, fill.Replace(tc.main))
		conf = filepath.Join(dir, "nginx.conf")
		if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		var env []string
		for _, e := range tc.env {
			env = append(env, fill.Replace(e))
		}
		err := testservers.StartDaemon(t, addr, env, bin, "-p", dir, "-c", conf, "-e", errorLog, "-g", "daemon off;")
		if err == nil {
			return conf, addr
		}
		logText, _ := os.ReadFile(errorLog)
		lastErr = fmt.Errorf("%w; error log: %s", err, strings.TrimSpace(string(logText)))
	}
	t.Fatalf("starting nginx: %v", lastErr)
	return "", ""
}

func freeAddr(t *testing.T) string {
	return testservers.FreeAddr(t)
}

// runDaemon starts bin in the foreground, waits for addr to accept
// connections, and stops the process when the test ends.
func runDaemon(t *testing.T, addr, bin string, args ...string) error {
	return testservers.StartDaemon(t, addr, nil, bin, args...)
}
