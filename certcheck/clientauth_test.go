package certcheck

import (
	"context"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
	"github.com/scimdoctor/scimdoctor/tlsprobe"
)

// wantClientAuthVersion is what a test expects of one ClientAuthVersion.
// An empty evidence means any, and a nil caNames means any.
type wantClientAuthVersion struct {
	version     tlsprobe.Version
	requested   bool
	requirement string
	evidence    string
	status      int
	caNames     []string
}

func checkClientAuth(t *testing.T, got *ClientAuth, want []wantClientAuthVersion, wantSummary string) {
	t.Helper()
	if got == nil {
		t.Fatal("ProbeClientAuth returned nil")
	}
	if !strings.Contains(got.Summary, wantSummary) {
		t.Errorf("summary %q, want it to contain %q", got.Summary, wantSummary)
	}
	if len(got.Versions) != len(want) {
		t.Fatalf("got %d versions %+v, want %d", len(got.Versions), got.Versions, len(want))
	}
	for i, w := range want {
		g := got.Versions[i]
		label := w.version.String()
		if g.Version != w.version {
			t.Errorf("versions[%d] is %s, want %s", i, g.Version, w.version)
			continue
		}
		if g.Requested != w.requested {
			t.Errorf("%s requested = %v, want %v", label, g.Requested, w.requested)
		}
		if g.Requirement != w.requirement {
			t.Errorf("%s requirement %q (evidence %q), want %q", label, g.Requirement, g.Evidence, w.requirement)
		}
		if !strings.Contains(g.Evidence, w.evidence) {
			t.Errorf("%s evidence %q, want it to contain %q", label, g.Evidence, w.evidence)
		}
		if g.HTTPStatus != w.status {
			t.Errorf("%s HTTP status %d, want %d", label, g.HTTPStatus, w.status)
		}
		if w.caNames != nil && !slices.Equal(g.CANames, w.caNames) {
			t.Errorf("%s CA names %q, want %q", label, g.CANames, w.caNames)
		}
	}
}

const (
	summaryBlocked    = "Okta and Entra ID are blocked, because the server requires a client certificate at TLS 1.2 and TLS 1.3"
	summaryOptional   = "Okta and Entra ID are not blocked, because the server requests a client certificate at TLS 1.2 and TLS 1.3"
	summaryNoRequests = "Okta and Entra ID are not blocked by client authentication"
)

func TestProbeClientAuthLab(t *testing.T) {
	l := startLab(t, "client-cert-required", "good", "tls13-only", "tls10-only")
	labRoot := []string{"CN=scimdoctor lab root CA,O=scimdoctor lab"}

	tests := []struct {
		name        string
		endpoint    string
		want        []wantClientAuthVersion
		wantSummary string
	}{
		{
			// crypto/tls with RequireAnyClientCert fails a TLS 1.2
			// handshake and sends certificate_required after a TLS 1.3 one.
			name:     "client cert required",
			endpoint: "client-cert-required",
			want: []wantClientAuthVersion{
				{version: tlsprobe.VersionTLS12, requested: true, requirement: RequirementRequired, evidence: "during the handshake", caNames: labRoot},
				{version: tlsprobe.VersionTLS13, requested: true, requirement: RequirementRequired, evidence: "fatal alert certificate_required (116) after the handshake", caNames: labRoot},
			},
			wantSummary: summaryBlocked,
		},
		{
			name:     "good server requests none",
			endpoint: "good",
			want: []wantClientAuthVersion{
				{version: tlsprobe.VersionTLS12, requirement: RequirementNone, evidence: "sent no CertificateRequest", status: 401},
				{version: tlsprobe.VersionTLS13, requirement: RequirementNone, evidence: "sent no CertificateRequest", status: 401},
			},
			wantSummary: summaryNoRequests,
		},
		{
			name:     "TLS 1.3 only lists one version",
			endpoint: "tls13-only",
			want: []wantClientAuthVersion{
				{version: tlsprobe.VersionTLS13, requirement: RequirementNone, evidence: "sent no CertificateRequest", status: 401},
			},
			wantSummary: summaryNoRequests,
		},
		{
			name:        "TLS 1.0 only lists no version",
			endpoint:    "tls10-only",
			want:        []wantClientAuthVersion{},
			wantSummary: "Okta and Entra ID are blocked before any client certificate matters",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prober := &tlsprobe.Prober{}
			got := ProbeClientAuth(context.Background(), prober, labAddr(t, l, tt.endpoint), "localhost", "/scim/v2/ServiceProviderConfig", 5*time.Second)
			checkClientAuth(t, got, tt.want, tt.wantSummary)
			if n := prober.Connections(); n != 1 {
				t.Errorf("prober opened %d connections, want 1", n)
			}
		})
	}
}

func TestProbeClientAuthOpenSSL(t *testing.T) {
	tests := []struct {
		name        string
		verifyFlag  string
		want        []wantClientAuthVersion
		wantSummary string
	}{
		{
			// OpenSSL 3.0 fails a TLS 1.2 handshake with handshake_failure
			// and sends certificate_required after a TLS 1.3 one.
			name:       "Verify required",
			verifyFlag: "-Verify",
			want: []wantClientAuthVersion{
				{version: tlsprobe.VersionTLS12, requested: true, requirement: RequirementRequired, evidence: "fatal alert handshake_failure (40) during the handshake"},
				{version: tlsprobe.VersionTLS13, requested: true, requirement: RequirementRequired, evidence: "fatal alert certificate_required (116) after the handshake"},
			},
			wantSummary: summaryBlocked,
		},
		{
			// -www returns its status page with 200 to a client without a
			// certificate.
			name:       "verify optional",
			verifyFlag: "-verify",
			want: []wantClientAuthVersion{
				{version: tlsprobe.VersionTLS12, requested: true, requirement: RequirementOptional, evidence: "answered HTTP 200", status: 200},
				{version: tlsprobe.VersionTLS13, requested: true, requirement: RequirementOptional, evidence: "answered HTTP 200", status: 200},
			},
			wantSummary: summaryOptional,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := testservers.StartOpenSSL(t, tt.verifyFlag, "1", "-www")
			got := ProbeClientAuth(context.Background(), nil, addr, "localhost", "/", 5*time.Second)
			checkClientAuth(t, got, tt.want, tt.wantSummary)
		})
	}
}

func TestProbeClientAuthNginx(t *testing.T) {
	cert := testservers.SelfSigned(t)
	caNames := []string{"CN=localhost,O=scimdoctor test"}

	tests := []struct {
		name        string
		verify      string
		want        []wantClientAuthVersion
		wantSummary string
	}{
		{
			// nginx 1.22 completes the handshake and rejects the request
			// with 400 "No required SSL certificate was sent".
			name:   "ssl_verify_client on",
			verify: "on",
			want: []wantClientAuthVersion{
				{version: tlsprobe.VersionTLS12, requested: true, requirement: RequirementRequired, evidence: "answered HTTP 400", status: 400, caNames: caNames},
				{version: tlsprobe.VersionTLS13, requested: true, requirement: RequirementRequired, evidence: "answered HTTP 400", status: 400, caNames: caNames},
			},
			wantSummary: summaryBlocked,
		},
		{
			name:   "ssl_verify_client optional",
			verify: "optional",
			want: []wantClientAuthVersion{
				{version: tlsprobe.VersionTLS12, requested: true, requirement: RequirementOptional, evidence: "answered HTTP 200", status: 200, caNames: caNames},
				{version: tlsprobe.VersionTLS13, requested: true, requirement: RequirementOptional, evidence: "answered HTTP 200", status: 200, caNames: caNames},
			},
			wantSummary: summaryOptional,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := testservers.StartNginx(t, testservers.NginxTLS{
				Cert:       cert,
				Directives: fmt.Sprintf("ssl_protocols TLSv1.2 TLSv1.3;\n        ssl_verify_client %s;\n        ssl_client_certificate %s;", tt.verify, cert.CertFile),
			})
			got := ProbeClientAuth(context.Background(), nil, addr, "localhost", "/scim/v2/Users", 5*time.Second)
			checkClientAuth(t, got, tt.want, tt.wantSummary)
		})
	}
}

func TestSummarizeClientAuth(t *testing.T) {
	tests := []struct {
		name     string
		versions []ClientAuthVersion
		want     string
	}{
		{
			name:     "no version accepted",
			versions: nil,
			want:     "Okta and Entra ID are blocked before any client certificate matters, because the server accepted neither a TLS 1.2 nor a TLS 1.3 handshake from this probe.",
		},
		{
			name: "required at TLS 1.3 only",
			versions: []ClientAuthVersion{
				{Version: tlsprobe.VersionTLS12, Requested: true, Requirement: RequirementOptional},
				{Version: tlsprobe.VersionTLS13, Requested: true, Requirement: RequirementRequired},
			},
			want: "Okta and Entra ID are blocked when they negotiate TLS 1.3, where the server requires a client certificate that they never send.",
		},
		{
			name: "unknown at TLS 1.2",
			versions: []ClientAuthVersion{
				{Version: tlsprobe.VersionTLS12, Requested: true, Requirement: RequirementUnknown},
				{Version: tlsprobe.VersionTLS13, Requirement: RequirementNone},
			},
			want: "Whether Okta and Entra ID are blocked is unknown, because the server requested a client certificate at TLS 1.2 but its handling of a client without one was unclear.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := summarizeClientAuth(tt.versions); got != tt.want {
				t.Errorf("summary %q, want %q", got, tt.want)
			}
		})
	}
}

// startFirstRecordRelay runs a relay on 127.0.0.1 in front of backend that
// passes the client's bytes on but only the first TLS record of the
// server's response back, then closes both connections, as a middlebox that
// breaks off a handshake does.
func startFirstRecordRelay(t *testing.T, backend string) string {
	t.Helper()
	return testservers.StartRaw(t, func(client *net.TCPConn) {
		defer client.Close()
		server, err := net.DialTimeout("tcp", backend, 5*time.Second)
		if err != nil {
			return
		}
		defer server.Close()
		server.SetDeadline(time.Now().Add(5 * time.Second))
		go io.Copy(server, client)

		header := make([]byte, 5)
		if _, err := io.ReadFull(server, header); err != nil {
			return
		}
		body := make([]byte, int(header[3])<<8|int(header[4]))
		if _, err := io.ReadFull(server, body); err != nil {
			return
		}
		client.Write(append(header, body...))
	})
}

func TestProbeClientAuthCipherSuiteGoLacks(t *testing.T) {
	l := startLab(t, "3des-only")
	addr := labAddr(t, l, "3des-only")

	tests := []struct {
		name        string
		addr        string
		want        []wantClientAuthVersion
		wantSummary string
	}{
		{
			// The raw probe offers TLS_RSA_WITH_3DES_EDE_CBC_SHA and reads
			// the whole flight, so the missing CertificateRequest is known
			// although crypto/tls, which does not offer 3DES by default,
			// fails the handshake.
			name: "3des-only flight shows no request",
			addr: addr,
			want: []wantClientAuthVersion{{
				version:     tlsprobe.VersionTLS12,
				requirement: RequirementNone,
				evidence:    "sent no CertificateRequest in its first flight, which ended with ServerHelloDone; the handshake of crypto/tls failed (fatal alert handshake_failure (40))",
			}},
			wantSummary: summaryNoRequests,
		},
		{
			// Only the ServerHello passes the relay, and crypto/tls gets
			// the server's handshake_failure, so nothing shows whether a
			// CertificateRequest would come.
			name: "3des-only flight cut after ServerHello",
			addr: startFirstRecordRelay(t, addr),
			want: []wantClientAuthVersion{{
				version:     tlsprobe.VersionTLS12,
				requirement: RequirementUnknown,
				evidence:    "whether the server sends a CertificateRequest is unknown: the raw probe's first flight ended before ServerHelloDone",
			}},
			wantSummary: "Whether Okta and Entra ID are blocked by client authentication is unknown, because the probes did not show whether the server requests a client certificate at TLS 1.2.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ProbeClientAuth(context.Background(), nil, tt.addr, "localhost", "/", 5*time.Second)
			checkClientAuth(t, got, tt.want, tt.wantSummary)
			if strings.Contains(got.Summary, "requests no client certificate") && tt.want[0].requirement == RequirementUnknown {
				t.Errorf("summary %q claims the server requests none", got.Summary)
			}
		})
	}
}
