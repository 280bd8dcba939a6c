package check

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
	"github.com/scimdoctor/scimdoctor/report"
)

// legacyCiphers lets OpenSSL 3 (Debian 12) negotiate TLS 1.0 and 1.1, which
// its default security level 1 and above forbid.
const legacyCiphers = "DEFAULT@SECLEVEL=0"

// scimLocation makes nginx answer every request with a SCIM
// ServiceProviderConfig, so the HTTP layer passes.
const scimLocation = `location / {
            default_type application/scim+json;
            return 200 '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"]}';
        }`

// TestCheckRealServers runs check against real nginx, haproxy and
// openssl s_server processes configured with the settings admins meet.
func TestCheckRealServers(t *testing.T) {
	cert := testservers.SelfSigned(t, "localhost", "127.0.0.1")
	healthy := testservers.StartNginx(t, testservers.NginxTLS{Cert: cert, Directives: "ssl_protocols TLSv1.2 TLSv1.3;", Locations: scimLocation})

	tests := []struct {
		name         string
		addr         func(t *testing.T) string
		oktaClass    string
		oktaLine     string
		entraClass   string
		accepted     []string
		wantSoftware string // Cause.Software of the failing Okta verdict
		wantFix      string
		// wantSource is the certificate layer's chain source, when set.
		wantSource string
	}{
		{
			name:       "nginx healthy",
			addr:       func(*testing.T) string { return healthy },
			oktaClass:  "ok",
			entraClass: "ok",
			accepted:   []string{"TLS 1.2", "TLS 1.3"},
		},
		{
			name: "nginx TLS 1.0 and 1.1",
			addr: func(t *testing.T) string {
				return testservers.StartNginx(t, testservers.NginxTLS{Cert: cert, Directives: "ssl_protocols TLSv1 TLSv1.1; ssl_ciphers " + legacyCiphers + ";"})
			},
			oktaClass:    "alert",
			oktaLine:     "javax.net.ssl.SSLHandshakeException: Received fatal alert: protocol_version",
			entraClass:   "alert",
			accepted:     []string{"TLS 1.0", "TLS 1.1"},
			wantSoftware: "nginx",
			wantFix:      "ssl_protocols TLSv1.2 TLSv1.3;",
		},
		{
			name: "haproxy TLS 1.0 in front of healthy nginx",
			addr: func(t *testing.T) string {
				return testservers.StartHAProxy(t, testservers.HAProxyTLS{
					Cert:        cert,
					BindOptions: "ssl-min-ver TLSv1.0 ssl-max-ver TLSv1.0 ciphers " + legacyCiphers,
					Backend:     healthy,
				})
			},
			oktaClass:  "alert",
			oktaLine:   "javax.net.ssl.SSLHandshakeException: Received fatal alert: protocol_version",
			entraClass: "alert",
			accepted:   []string{"TLS 1.0"},
			wantFix:    "TLS",
		},
		{
			name: "openssl s_server TLS 1.0",
			addr: func(t *testing.T) string {
				return testservers.StartOpenSSL(t, "-tls1", "-cipher", legacyCiphers, "-www", "-cert", cert.CertFile, "-key", cert.KeyFile)
			},
			oktaClass:  "alert",
			oktaLine:   "javax.net.ssl.SSLHandshakeException: Received fatal alert: protocol_version",
			entraClass: "alert",
			accepted:   []string{"TLS 1.0"},
			wantFix:    "TLS 1.2",
		},
		{
			name: "openssl s_server TLS 1.1",
			addr: func(t *testing.T) string {
				return testservers.StartOpenSSL(t, "-tls1_1", "-cipher", legacyCiphers, "-www", "-cert", cert.CertFile, "-key", cert.KeyFile)
			},
			oktaClass:  "alert",
			oktaLine:   "javax.net.ssl.SSLHandshakeException: Received fatal alert: protocol_version",
			entraClass: "alert",
			accepted:   []string{"TLS 1.1"},
			wantFix:    "TLS 1.2",
		},
		{
			name: "openssl s_server with only a DHE suite Go lacks",
			addr: func(t *testing.T) string {
				return testservers.StartOpenSSL(t, "-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256", "-www", "-cert", cert.CertFile, "-key", cert.KeyFile)
			},
			oktaClass:  "ok",
			entraClass: "alert",
			accepted:   []string{"TLS 1.2"},
			wantFix:    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
			wantSource: "Certificate message",
		},
		{
			name: "openssl s_server TLS 1.3",
			addr: func(t *testing.T) string {
				return testservers.StartOpenSSL(t, "-tls1_3", "-www", "-cert", cert.CertFile, "-key", cert.KeyFile)
			},
			oktaClass:  "http_not_scim",
			entraClass: "alert",
			accepted:   []string{"TLS 1.3"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := tt.addr(t)
			port := addr[strings.LastIndex(addr, ":")+1:]
			r, err := Run(context.Background(), Options{
				URL:         "https://localhost:" + port + "/scim/v2",
				Timeout:     3 * time.Second,
				CACertFiles: []string{cert.CertFile},
				// The servers serve a static file, not a SCIM API, so the
				// SCIM layer is left out; scim_test.go covers it.
				NoSCIM: true,
			})
			if err != nil {
				t.Fatalf("Run failed: %v", err)
			}
			var accepted []string
			for _, v := range r.TLS.Versions {
				if v.Accepted {
					accepted = append(accepted, v.Version)
				}
			}
			if strings.Join(accepted, ",") != strings.Join(tt.accepted, ",") {
				t.Errorf("accepted versions = %v, want %v", accepted, tt.accepted)
			}
			if tt.wantSource != "" && (r.Certificate == nil || r.Certificate.Source != tt.wantSource) {
				t.Errorf("certificate = %+v, want a chain from the %s", r.Certificate, tt.wantSource)
			}
			okta := verdictOf(t, r, "okta")
			if okta.Class != tt.oktaClass {
				t.Errorf("okta class = %q, want %q (log line %q)", okta.Class, tt.oktaClass, okta.LogLine)
			}
			if tt.oktaLine != "" && okta.LogLine != tt.oktaLine {
				t.Errorf("okta log line = %q, want %q", okta.LogLine, tt.oktaLine)
			}
			entra := verdictOf(t, r, "entra")
			if entra.Class != tt.entraClass {
				t.Errorf("entra class = %q, want %q (log line %q)", entra.Class, tt.entraClass, entra.LogLine)
			}
			failing := okta
			if okta.Connects {
				failing = entra
			}
			if failing.Connects {
				if r.ExitCode != report.ExitOK {
					t.Errorf("ExitCode = %d, want 0 when every client connects", r.ExitCode)
				}
				return
			}
			if r.ExitCode != report.ExitFindings {
				t.Errorf("ExitCode = %d, want %d", r.ExitCode, report.ExitFindings)
			}
			if failing.Cause == nil {
				t.Fatalf("failing verdict has no cause: %+v", failing)
			}
			if tt.wantSoftware != "" && failing.Cause.Software != tt.wantSoftware {
				t.Errorf("cause software = %q, want %q (%s)", failing.Cause.Software, tt.wantSoftware, failing.Cause.SoftwareEvidence)
			}
			if fix := strings.Join(failing.Cause.Fix, "\n"); !strings.Contains(fix, tt.wantFix) {
				t.Errorf("fix = %q, want it to contain %q", fix, tt.wantFix)
			}
		})
	}
}
