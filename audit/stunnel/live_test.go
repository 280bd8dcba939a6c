package stunnel

import (
	"bytes"
	"context"
	"errors"
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

const (
	t10 = "TLS 1.0"
	t11 = "TLS 1.1"
	t12 = "TLS 1.2"
	t13 = "TLS 1.3"
)

// service is the start of the audited service. ADDR, BACKEND, CERT and KEY
// are replaced by the listening address, a TCP backend and the RSA
// certificate and key files. CAFILE becomes a CA file, ADDR2 a second free
// address and INCDIR a folder with the case's include files.
const service = `[scim]
accept = ADDR
connect = BACKEND
cert = CERT
key = KEY
`

// liveConfigs run in the real stunnel and through Audit, which must agree.
var liveConfigs = []struct {
	name string
	// versions is what the real stunnel accepted, as tlsscan found it.
	versions   []string
	clientCert string
	// serverOrder is whether the TLS 1.2 list must match in order.
	serverOrder bool
	config      string
	// include holds files written to INCDIR, by name.
	include map[string]string
}{
	{"defaults-only", []string{t12, t13}, "off", false, service, nil},
	{"legacy-min-tlsv1-seclevel2", []string{t12, t13}, "off", false, service + "sslVersionMin = TLSv1\n", nil},
	{"legacy-min-tlsv1-securitylevel0", []string{t10, t11, t12, t13}, "off", false, service + "sslVersionMin = TLSv1\nsecurityLevel = 0\n", nil},
	{"legacy-tlsv1-tlsv11-only", []string{t10, t11}, "off", false,
		service + "sslVersionMin = TLSv1\nsslVersionMax = TLSv1.1\nciphers = HIGH:!aNULL:@SECLEVEL=0\n", nil},
	{"legacy-sslversion-tlsv1", []string{t10}, "off", false,
		service + "sslVersion = TLSv1\nciphers = ALL:@SECLEVEL=0\n", nil},
	{"sslversion-tlsv12", []string{t12}, "off", false, service + "sslVersion = TLSv1.2\n", nil},
	{"sslversion-tlsv13-ciphersuites", []string{t13}, "off", false,
		service + "sslVersion = TLSv1.3\nciphersuites = TLS_AES_128_GCM_SHA256\n", nil},
	{"options-no-tlsv13", []string{t12}, "off", false, service + "options = NO_TLSv1_3\n", nil},
	{"global-options-inherited", []string{t12}, "off", false,
		"sslVersionMax = TLSv1.2\nciphers = ECDHE-RSA-AES128-GCM-SHA256:AES256-SHA\n" + service, nil},
	{"service-overrides-global", []string{t12, t13}, "off", false,
		"sslVersion = TLSv1.2\nciphers = AES128-SHA\n" + service + "sslVersionMax = TLSv1.3\nciphers = ECDHE+AESGCM\n", nil},
	{"server-preference-order", []string{t12}, "off", true,
		service + "sslVersionMax = TLSv1.2\noptions = CIPHER_SERVER_PREFERENCE\nciphers = AES128-SHA:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:AES256-GCM-SHA384\n", nil},
	{"static-rsa-only", []string{t12}, "off", false,
		service + "sslVersionMax = TLSv1.2\nciphers = AES128-SHA:AES256-GCM-SHA384\n", nil},
	{"dhe-without-dh-params", []string{t12, t13}, "off", false,
		service + "ciphers = DHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256\n", nil},
	{"verify-level-1-optional", []string{t12, t13}, "optional", false, service + "CAfile = CAFILE\nverify = 1\n", nil},
	{"verifychain-requirecert-no", []string{t12, t13}, "optional", false,
		service + "CAfile = CAFILE\nverifyChain = yes\nrequireCert = no\n", nil},
	{"verifypeer-required", []string{t12, t13}, "required", false, service + "CAfile = CAFILE\nverifyPeer = yes\n", nil},
	{"include-directory", []string{t12}, "off", false, "include = INCDIR\n", map[string]string{
		"00-global.conf":  "; service-level defaults\nsslVersionMax = TLSv1.2\n",
		"01-service.conf": service + "ciphers = ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-SHA\n",
	}},
	{"config-minprotocol-beats-later-sslversionmin", []string{t13}, "off", false,
		service + "config = MinProtocol:TLSv1.3\nsslVersionMin = TLSv1.2\n", nil},
	{"config-cipherstring-beats-later-ciphers", []string{t12}, "off", false,
		service + "sslVersionMax = TLSv1.2\nconfig = CipherString:AES128-SHA:ECDHE-RSA-AES128-GCM-SHA256\nciphers = ECDHE+AESGCM\n", nil},
	{"config-protocol-disables-tls13", []string{t12}, "off", false, service + "config = Protocol:-TLSv1.3\n", nil},
	{"config-global-and-service-add-up", []string{t12}, "off", false,
		"config = MaxProtocol:TLSv1.2\n" + service + "config = Ciphersuites:TLS_AES_128_GCM_SHA256\n", nil},
	{"config-ciphersuites-and-lowercase-command", []string{t12, t13}, "off", false,
		service + "config = ciphersuites:TLS_AES_256_GCM_SHA384\n", nil},
	{"requirecert-without-ca", []string{t12, t13}, "required", false, service + "requireCert = yes\n", nil},
	{"client-mode-service-skipped", []string{t12, t13}, "off", false,
		"[outbound]\nclient = yes\naccept = ADDR2\nconnect = 127.0.0.1:9\n" + service, nil},
}

func TestAuditMatchesLiveStunnel(t *testing.T) {
	bin := stunnelBinary(t)
	cert := testservers.SelfSigned(t)
	backend := startBackend(t)

	for _, tc := range liveConfigs {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			incdir := filepath.Join(dir, "conf.d")
			if err := os.Mkdir(incdir, 0o700); err != nil {
				t.Fatal(err)
			}
			path, addr := startStunnel(t, bin, dir, tc.config, tc.include, map[string]string{
				"BACKEND": backend, "CERT": cert.CertFile, "KEY": cert.KeyFile, "CAFILE": cert.CertFile, "INCDIR": incdir,
			})

			listeners, _, err := Audit(DebianOptions, path)
			if err != nil {
				t.Fatalf("Audit: %v", err)
			}
			if len(listeners) != 1 {
				t.Fatalf("Audit returned %d listeners, want 1: %+v", len(listeners), listeners)
			}
			l := listeners[0]

			res := audittest.CompareWithScan(t, addr, l, audittest.WithServerOrder())
			if scanned := audittest.AcceptedVersions(res); !slices.Equal(scanned, tc.versions) {
				t.Errorf("versions: scan %v, table %v", scanned, tc.versions)
			}
			if got := audittest.ServerOrder(res); slices.Contains(tc.versions, t12) && got != tc.serverOrder {
				t.Errorf("scan server order %v, table %v", got, tc.serverOrder)
			}
			if got := l.ClientCertificate.Values; len(got) != 1 || got[0] != tc.clientCert {
				t.Errorf("client certificate: audit %v (from %q), want %s", got, l.ClientCertificate.Directive, tc.clientCert)
			}
			if tc.name == "dhe-without-dh-params" && !slices.Contains(l.Suites.Values, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256") {
				t.Errorf("audit suites %v lack the DHE suite", l.Suites.Values)
			}
		})
	}
}

// stunnelBinary finds stunnel4, Debian's name, or stunnel in PATH.
func stunnelBinary(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"stunnel4", "stunnel"} {
		if bin, err := exec.LookPath(name); err == nil {
			return bin
		}
	}
	t.Fatalf("neither stunnel4 nor stunnel found in PATH; install Debian package stunnel4 (scripts/install-test-deps.sh does)")
	return ""
}

// startBackend accepts TCP connections on 127.0.0.1 and closes each one,
// which is all stunnel needs from its connect target here.
func startBackend(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening for the backend: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return ln.Addr().String()
}

func freeAddr(t *testing.T) string {
	return testservers.FreeAddr(t)
}

// startStunnel writes config, after the global lines that keep stunnel in
// the foreground and logging to stderr, to dir/stunnel.conf and the
// include files to dir/conf.d, runs stunnel on it and returns the file
// and the address once stunnel accepts connections. stunnel stops when
// the test ends.
func startStunnel(t *testing.T, bin, dir, config string, include map[string]string, values map[string]string) (string, string) {
	t.Helper()
	var lastErr error
	for range 3 {
		addr := freeAddr(t)
		replacer := strings.NewReplacer("ADDR2", freeAddr(t), "ADDR", addr, "BACKEND", values["BACKEND"],
			"CERT", values["CERT"], "KEY", values["KEY"], "CAFILE", values["CAFILE"], "INCDIR", values["INCDIR"])
		for name, text := range include {
			if err := os.WriteFile(filepath.Join(values["INCDIR"], name), []byte(replacer.Replace(text)), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		text := "foreground = yes\npid =\nsyslog = no\ndebug = warning\n" + replacer.Replace(config)
		path := filepath.Join(dir, "stunnel.conf")
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		if lastErr = runStunnel(t, bin, addr, path); lastErr == nil {
			return path, addr
		}
	}
	t.Fatalf("starting stunnel: %v", lastErr)
	return "", ""
}

func runStunnel(t *testing.T, bin, addr, path string) error {
	return testservers.StartDaemon(t, addr, nil, bin, path)
}

// refusedConfigs are configurations that the real stunnel refuses as a
// whole. message is stunnel's log line for the service at fault, and
// fixLine the line at fault, whose fix must let stunnel start.
var refusedConfigs = []struct {
	name, config, message string
	fixLine               int
}{
	{"version-range-inverted", service + "[other]\naccept = ADDR2\nconnect = BACKEND\ncert = CERT\nkey = KEY\nsslVersionMin = TLSv1.3\nsslVersionMax = TLSv1.2\n",
		"Invalid protocol version range", 15},
	{"verify-without-ca", service + "verify = 2\n", `Either "CAengine", "CAfile" or "CApath" has to be configured`, 10},
	{"verifychain-without-ca", service + "verifyChain = yes\n", `Either "CAengine", "CAfile" or "CApath" has to be configured`, 10},
	{"client-service-without-ca", "[out]\nclient = yes\naccept = ADDR2\nconnect = 127.0.0.1:9\nverifyChain = yes\n" + service,
		`Either "CAengine", "CAfile" or "CApath" has to be configured`, 9},
}

// TestAuditMatchesStunnelRefusal runs each refused configuration in the
// real stunnel, which must exit with the expected message. The audit must
// give every service no version, traced to the line at fault, and a fix
// with which the real stunnel starts.
func TestAuditMatchesStunnelRefusal(t *testing.T) {
	bin := stunnelBinary(t)
	cert := testservers.SelfSigned(t)
	backend := startBackend(t)
	for _, tc := range refusedConfigs {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			addr := freeAddr(t)
			replacer := strings.NewReplacer("ADDR2", freeAddr(t), "ADDR", addr, "BACKEND", backend, "CERT", cert.CertFile, "KEY", cert.KeyFile)
			text := "foreground = yes\npid =\nsyslog = no\ndebug = warning\n" + replacer.Replace(tc.config)
			path := filepath.Join(dir, "stunnel.conf")
			if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}

			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			var stderr bytes.Buffer
			cmd := exec.CommandContext(ctx, bin, path)
			cmd.Stderr = &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || ctx.Err() != nil {
				t.Fatalf("stunnel did not exit with an error (%v); stderr:\n%s", err, stderr.String())
			}
			for _, want := range []string{tc.message, "Configuration failed"} {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stunnel stderr lacks %q:\n%s", want, stderr.String())
				}
			}

			listeners, fixer, err := Audit(DebianOptions, path)
			if err != nil {
				t.Fatalf("Audit: %v", err)
			}
			if len(listeners) == 0 {
				t.Fatal("Audit returned no listener")
			}
			fix := ""
			for _, l := range listeners {
				if len(l.Versions.Values) != 0 || l.Versions.Line != tc.fixLine {
					t.Errorf("%s: versions %v from line %d, want none from line %d", l.Name, l.Versions.Values, l.Versions.Line, tc.fixLine)
				}
				if !slices.ContainsFunc(l.Notes, func(n string) bool { return strings.Contains(n, tc.message) && strings.Contains(n, "no service runs") }) {
					t.Errorf("%s: notes %q lack %q", l.Name, l.Notes, tc.message)
				}
				audit.Judge(&l, fixer)
				for _, p := range l.Problems {
					if p.Line == tc.fixLine {
						fix = p.Fix
					}
				}
			}
			if fix == "" {
				t.Fatalf("no problem at line %d", tc.fixLine)
			}

			// The fixed file must start.
			lines := strings.Split(text, "\n")
			lines[tc.fixLine-1] = fix
			fixed := filepath.Join(dir, "fixed.conf")
			if err := os.WriteFile(fixed, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := runStunnel(t, bin, addr, fixed); err != nil {
				t.Errorf("stunnel with the fix %q at line %d: %v", fix, tc.fixLine, err)
			}
		})
	}
}

// TestOpenSSLConfMinProtocolLive runs stunnel with an openssl.cnf whose
// MinProtocol is TLS 1.3: a service without a version option gets it, and
// one with sslVersionMin does not.
func TestOpenSSLConfMinProtocolLive(t *testing.T) {
	bin := stunnelBinary(t)
	cert := testservers.SelfSigned(t)
	backend := startBackend(t)
	dir := t.TempDir()
	cnf := filepath.Join(dir, "openssl.cnf")
	if err := os.WriteFile(cnf, []byte("openssl_conf = init\n[init]\nssl_conf = ssl_sect\n[ssl_sect]\nsystem_default = system_default_sect\n[system_default_sect]\nMinProtocol = TLSv1.3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, extra string
		versions    []string
		note        bool
	}{
		{"no version option", "ciphers = HIGH:!aNULL\n", []string{t13}, true},
		{"sslVersionMin replaces MinProtocol", "sslVersionMin = TLSv1.2\n", []string{t12, t13}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr := freeAddr(t)
			text := "foreground = yes\npid =\nsyslog = no\ndebug = warning\n" +
				strings.NewReplacer("ADDR", addr, "BACKEND", backend, "CERT", cert.CertFile, "KEY", cert.KeyFile).Replace(service) + tc.extra
			path := filepath.Join(t.TempDir(), "stunnel.conf")
			if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := testservers.StartDaemon(t, addr, []string{"OPENSSL_CONF=" + cnf}, bin, path); err != nil {
				t.Fatalf("starting stunnel: %v", err)
			}
			scanned := audittest.AcceptedVersions(audittest.Scan(t, addr))
			if !slices.Equal(scanned, tc.versions) {
				t.Errorf("versions: scan %v, want %v", scanned, tc.versions)
			}

			listeners, _, err := Audit(DebianOptions, path)
			if err != nil {
				t.Fatalf("Audit: %v", err)
			}
			note := slices.ContainsFunc(listeners[0].Notes, func(n string) bool { return strings.Contains(n, "MinProtocol in openssl.cnf") })
			if note != tc.note {
				t.Errorf("note on openssl.cnf's MinProtocol present = %v, want %v; notes %q", note, tc.note, listeners[0].Notes)
			}
		})
	}
}
