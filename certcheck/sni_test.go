package certcheck

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
	"github.com/scimdoctor/scimdoctor/tlsprobe"
)

// startSNIServer runs a crypto/tls server on 127.0.0.1 that serves byName
// to a hello whose SNI is one of names, and fallback to every other hello.
// An empty name in names means a hello without SNI. It returns the
// address.
func startSNIServer(t *testing.T, names []string, byName, fallback *testCert) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on 127.0.0.1: %v", err)
	}
	named := tls.Certificate{Certificate: [][]byte{byName.cert.Raw}, PrivateKey: byName.key}
	other := tls.Certificate{Certificate: [][]byte{fallback.cert.Raw}, PrivateKey: fallback.key}
	config := &tls.Config{
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			if slices.Contains(names, hello.ServerName) {
				return &named, nil
			}
			return &other, nil
		},
	}

	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				conn.SetDeadline(time.Now().Add(5 * time.Second))
				// The raw probe closes after the ServerHello, so most
				// handshakes here end in an error, which does not matter.
				tls.Server(conn, config).Handshake()
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	return ln.Addr().String()
}

func TestProbeSNI(t *testing.T) {
	l := startLab(t, "sni-required", "good")
	certForName := issueCert(t, nil, certOptions{commonName: "localhost", dnsNames: []string{"localhost"}})
	certDefault := issueCert(t, nil, certOptions{commonName: "default", dnsNames: []string{"default.example"}})
	byNameAddr := startSNIServer(t, []string{"localhost"}, certForName, certDefault)
	defaultIsNameAddr := startSNIServer(t, []string{"localhost", ""}, certForName, certDefault)

	tests := []struct {
		name string
		addr string
		host string

		wantVariants    []SNIVariant
		wantRequiresSNI bool
		wantSame        bool
		// wantCompleted lists the variants whose handshake completes.
		wantCompleted []SNIVariant
		// wantAlerts maps variants to the alert they are rejected with.
		wantAlerts map[SNIVariant]string
		// wantSubjects maps variants to the subject of the leaf served.
		wantSubjects map[SNIVariant]string
		// wantConnections is the number of raw probes.
		wantConnections int64
		wantSummary     string
	}{
		{
			name:            "lab sni-required rejects hello without SNI",
			addr:            labAddr(t, l, "sni-required"),
			host:            "localhost",
			wantVariants:    []SNIVariant{SNIHostName, SNINone, SNIOther},
			wantRequiresSNI: true,
			wantSame:        true,
			wantCompleted:   []SNIVariant{SNIHostName},
			wantAlerts:      map[SNIVariant]string{SNINone: "unrecognized_name", SNIOther: "unrecognized_name"},
			wantConnections: 3,
			wantSummary:     "without SNI the server rejects the hello with unrecognized_name",
		},
		{
			name:            "lab good serves one certificate",
			addr:            labAddr(t, l, "good"),
			host:            "localhost",
			wantVariants:    []SNIVariant{SNIHostName, SNINone, SNIOther},
			wantSame:        true,
			wantCompleted:   []SNIVariant{SNIHostName, SNINone, SNIOther},
			wantConnections: 3,
			wantSummary:     "same certificate",
		},
		{
			name:            "certificate by name differs without SNI",
			addr:            byNameAddr,
			host:            "localhost",
			wantVariants:    []SNIVariant{SNIHostName, SNINone, SNIOther},
			wantCompleted:   []SNIVariant{SNIHostName, SNINone, SNIOther},
			wantSubjects:    map[SNIVariant]string{SNIHostName: "CN=localhost", SNINone: "CN=default", SNIOther: "CN=default"},
			wantConnections: 3,
			wantSummary:     "gets the wrong certificate",
		},
		{
			name:            "only unknown name gets other certificate",
			addr:            defaultIsNameAddr,
			host:            "localhost",
			wantVariants:    []SNIVariant{SNIHostName, SNINone, SNIOther},
			wantCompleted:   []SNIVariant{SNIHostName, SNINone, SNIOther},
			wantSubjects:    map[SNIVariant]string{SNIHostName: "CN=localhost", SNINone: "CN=localhost", SNIOther: "CN=default"},
			wantConnections: 3,
			wantSummary:     "clients that send no SNI are served correctly",
		},
		{
			name:            "IP literal host skips host name variant",
			addr:            byNameAddr,
			host:            "127.0.0.1",
			wantVariants:    []SNIVariant{SNINone, SNIOther},
			wantSame:        true,
			wantCompleted:   []SNIVariant{SNINone, SNIOther},
			wantSubjects:    map[SNIVariant]string{SNINone: "CN=default"},
			wantConnections: 2,
			wantSummary:     "is an IP address",
		},
		{
			name:            "IP literal host with sni-required fails",
			addr:            labAddr(t, l, "sni-required"),
			host:            "[::1]",
			wantVariants:    []SNIVariant{SNINone, SNIOther},
			wantAlerts:      map[SNIVariant]string{SNINone: "unrecognized_name"},
			wantConnections: 2,
			wantSummary:     "so every client fails",
		},
	}

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prober := &tlsprobe.Prober{Timeout: 3 * time.Second}
			got := ProbeSNI(context.Background(), prober, tt.addr, tt.host, 3*time.Second)
			for _, r := range got.Results {
				t.Logf("%s: %s", r.Variant, r.Outcome)
			}
			t.Logf("summary: %s", got.Summary)

			var variants []SNIVariant
			for _, r := range got.Results {
				variants = append(variants, r.Variant)
			}
			if !slices.Equal(variants, tt.wantVariants) {
				t.Fatalf("variants %v, want %v", variants, tt.wantVariants)
			}
			if got.RequiresSNI != tt.wantRequiresSNI {
				t.Errorf("RequiresSNI %v, want %v", got.RequiresSNI, tt.wantRequiresSNI)
			}
			if got.SameCertificate != tt.wantSame {
				t.Errorf("SameCertificate %v, want %v", got.SameCertificate, tt.wantSame)
			}
			for _, r := range got.Results {
				wantCompleted := false
				for _, v := range tt.wantCompleted {
					wantCompleted = wantCompleted || v == r.Variant
				}
				if r.Completed() != wantCompleted {
					t.Errorf("%s: completed %v (outcome %q), want %v", r.Variant, r.Completed(), r.Outcome, wantCompleted)
				}
				if r.Completed() && r.Fingerprint == "" {
					t.Errorf("%s: completed without a fingerprint", r.Variant)
				}
			}
			for variant, want := range tt.wantAlerts {
				if r := got.Result(variant); r.Alert != want {
					t.Errorf("%s: alert %q (outcome %q), want %q", variant, r.Alert, r.Outcome, want)
				}
			}
			for variant, want := range tt.wantSubjects {
				if r := got.Result(variant); !strings.HasPrefix(r.Subject, want) {
					t.Errorf("%s: subject %q, want prefix %q", variant, r.Subject, want)
				}
			}
			if got := prober.Connections(); got != tt.wantConnections {
				t.Errorf("raw probe connections %d, want %d", got, tt.wantConnections)
			}
			if !strings.Contains(got.Summary, tt.wantSummary) {
				t.Errorf("summary %q, want it to contain %q", got.Summary, tt.wantSummary)
			}
		})
	}
}

func TestProbeSNIFingerprintsDiffer(t *testing.T) {
	certForName := issueCert(t, nil, certOptions{commonName: "localhost", dnsNames: []string{"localhost"}})
	certDefault := issueCert(t, nil, certOptions{commonName: "default", dnsNames: []string{"default.example"}})
	addr := startSNIServer(t, []string{"localhost"}, certForName, certDefault)

	got := ProbeSNI(context.Background(), nil, addr, "localhost", 3*time.Second)
	hostName, none := got.Result(SNIHostName), got.Result(SNINone)
	if want := Describe(certForName.cert).SHA256Fingerprint; hostName.Fingerprint != want {
		t.Errorf("host name fingerprint %s, want %s", hostName.Fingerprint, want)
	}
	if want := Describe(certDefault.cert).SHA256Fingerprint; none.Fingerprint != want {
		t.Errorf("no SNI fingerprint %s, want %s", none.Fingerprint, want)
	}
	if hostName.Fingerprint == none.Fingerprint {
		t.Errorf("host name and no SNI both got %s, want different leaves", none.Fingerprint)
	}
}

func TestProbeSNIConnectFailed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen on 127.0.0.1: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()

	got := ProbeSNI(context.Background(), nil, addr, "localhost", time.Second)
	if got.RequiresSNI {
		t.Errorf("RequiresSNI true with no server, want false")
	}
	if got.SameCertificate {
		t.Errorf("SameCertificate true with no server, want false")
	}
	none := got.Result(SNINone)
	if !strings.HasPrefix(none.Outcome, "connection failed") {
		t.Errorf("no SNI outcome %q, want a connection failure", none.Outcome)
	}
	if !strings.Contains(got.Summary, "does not depend on SNI") {
		t.Errorf("summary %q, want it to say the failure does not depend on SNI", got.Summary)
	}
}

func TestIsIPLiteral(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"127.0.0.1", true},
		{"::1", true},
		{"[::1]", true},
		{"fe80::1%eth0", true},
		{"localhost", false},
		{"scim.example.com", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := isIPLiteral(tt.host); got != tt.want {
			t.Errorf("isIPLiteral(%q) = %v, want %v", tt.host, got, tt.want)
		}
	}
}

func TestProbeSNIAtTLS10Only(t *testing.T) {
	l := startLab(t, "tls10-only")
	addr := labAddr(t, l, "tls10-only")

	tests := []struct {
		name          string
		versions      []tlsprobe.Version
		wantCompleted bool
		wantVersion   tlsprobe.Version
		wantOutcome   string
	}{
		{"TLS 1.0 offered gets certificates", []tlsprobe.Version{tlsprobe.VersionTLS10}, true, tlsprobe.VersionTLS10, OutcomeCertificate},
		{"TLS 1.0 to 1.3 offered gets certificates", []tlsprobe.Version{tlsprobe.VersionTLS12, tlsprobe.VersionTLS10, tlsprobe.VersionTLS13, tlsprobe.VersionTLS11}, true, tlsprobe.VersionTLS10, OutcomeCertificate},
		{"TLS 1.2 and 1.3 offered are rejected", defaultSNIVersions, false, 0, "fatal alert protocol_version (70)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prober := &tlsprobe.Prober{}
			got := ProbeSNIAt(context.Background(), prober, addr, "localhost", tt.versions, 5*time.Second)
			if len(got.Results) != 3 {
				t.Fatalf("got %d results %+v, want 3", len(got.Results), got.Results)
			}
			for _, r := range got.Results {
				if r.Completed() != tt.wantCompleted {
					t.Errorf("%s: completed %v (outcome %q), want %v", r.Variant, r.Completed(), r.Outcome, tt.wantCompleted)
				}
				if r.Outcome != tt.wantOutcome {
					t.Errorf("%s: outcome %q, want %q", r.Variant, r.Outcome, tt.wantOutcome)
				}
				if r.Version != tt.wantVersion {
					t.Errorf("%s: version %s, want %s", r.Variant, r.Version, tt.wantVersion)
				}
				if tt.wantCompleted && (r.CertificateSource != SourceHandshake || !strings.HasPrefix(r.Subject, "CN=localhost")) {
					t.Errorf("%s: certificate %q from %q, want the lab's localhost leaf from a handshake", r.Variant, r.Subject, r.CertificateSource)
				}
			}
			if tt.wantCompleted && !got.SameCertificate {
				t.Error("SameCertificate false, want the lab's one leaf for every variant")
			}
			if n := prober.Connections(); n != 3 {
				t.Errorf("raw probe connections %d, want 3", n)
			}
		})
	}
}

// startSSL30Server runs a server on 127.0.0.1 that replies to any ClientHello
// with the first flight of an SSL 3.0 server: ServerHello with
// TLS_RSA_WITH_3DES_EDE_CBC_SHA, Certificate with leaf, ServerHelloDone.
// Neither crypto/tls nor Debian's OpenSSL 3 serve SSL 3.0, so the flight is
// built here, as RFC 6101 (Section 5.6) lays it out.
func startSSL30Server(t *testing.T, leaf *x509.Certificate) string {
	t.Helper()
	var b cryptobyte.Builder
	b.AddUint8(22) // handshake record
	b.AddUint16(uint16(tlsprobe.VersionSSL30))
	b.AddUint16LengthPrefixed(func(record *cryptobyte.Builder) {
		record.AddUint8(2) // ServerHello
		record.AddUint24LengthPrefixed(func(hello *cryptobyte.Builder) {
			hello.AddUint16(uint16(tlsprobe.VersionSSL30))
			hello.AddBytes(make([]byte, 32)) // random
			hello.AddUint8(0)                // empty session id
			hello.AddUint16(0x000a)          // TLS_RSA_WITH_3DES_EDE_CBC_SHA
			hello.AddUint8(0)                // null compression
		})
		record.AddUint8(11) // Certificate
		record.AddUint24LengthPrefixed(func(message *cryptobyte.Builder) {
			message.AddUint24LengthPrefixed(func(list *cryptobyte.Builder) {
				list.AddUint24LengthPrefixed(func(cert *cryptobyte.Builder) { cert.AddBytes(leaf.Raw) })
			})
		})
		record.AddUint8(14) // ServerHelloDone
		record.AddUint24(0)
	})
	flight := b.BytesOrPanic()

	return testservers.StartRaw(t, func(conn *net.TCPConn) {
		defer conn.Close()
		// The record header and the handshake header of the ClientHello
		// are enough to know a hello came.
		if _, err := io.ReadFull(conn, make([]byte, 9)); err != nil {
			return
		}
		conn.Write(flight)
	})
}

func TestProbeSNIAtSSL30(t *testing.T) {
	leaf := issueCert(t, nil, certOptions{commonName: "ssl3 server", dnsNames: []string{"localhost"}, key: rsa2048Key()})
	addr := startSSL30Server(t, leaf.cert)
	wantFingerprint := Describe(leaf.cert).SHA256Fingerprint

	tests := []struct {
		name         string
		versions     []tlsprobe.Version
		wantVariants []SNIVariant
		wantSummary  string
	}{
		{"SSL 3.0 and TLS 1.0 offered", []tlsprobe.Version{tlsprobe.VersionSSL30, tlsprobe.VersionTLS10}, []SNIVariant{SNIHostName, SNINone, SNIOther}, "same certificate"},
		{"SSL 3.0 only probes no SNI", []tlsprobe.Version{tlsprobe.VersionSSL30}, []SNIVariant{SNINone}, "SSL 3.0 at most, which has no extensions and so no SNI, and the server sends CN=ssl3 server"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ProbeSNIAt(context.Background(), nil, addr, "localhost", tt.versions, 5*time.Second)
			var variants []SNIVariant
			for _, r := range got.Results {
				variants = append(variants, r.Variant)
			}
			if !slices.Equal(variants, tt.wantVariants) {
				t.Fatalf("variants %v, want %v", variants, tt.wantVariants)
			}
			for _, r := range got.Results {
				if !r.Completed() {
					t.Errorf("%s: outcome %q, want the certificate of the Certificate message", r.Variant, r.Outcome)
					continue
				}
				if r.CertificateSource != SourceCertificateMessage {
					t.Errorf("%s: certificate source %q, want %q", r.Variant, r.CertificateSource, SourceCertificateMessage)
				}
				if r.Version != tlsprobe.VersionSSL30 {
					t.Errorf("%s: version %s, want SSL 3.0", r.Variant, r.Version)
				}
				if r.Fingerprint != wantFingerprint {
					t.Errorf("%s: fingerprint %s, want %s", r.Variant, r.Fingerprint, wantFingerprint)
				}
			}
			if !strings.Contains(got.Summary, tt.wantSummary) {
				t.Errorf("summary %q, want it to contain %q", got.Summary, tt.wantSummary)
			}
		})
	}
}

func TestProbeSNIAtNoUsableVersion(t *testing.T) {
	tests := []struct {
		name     string
		versions []tlsprobe.Version
		want     string
	}{
		{"no versions", nil, "no version was given: give SSL 3.0, TLS 1.0, 1.1, 1.2 or 1.3"},
		{"SSL 2.0 only", []tlsprobe.Version{tlsprobe.VersionSSL20}, "the versions SSL 2.0 contain none from SSL 3.0 to TLS 1.3"},
		{"unknown version", []tlsprobe.Version{0x7f1c}, "the versions 0x7f1c contain none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prober := &tlsprobe.Prober{}
			// No server listens: a hello that went out would fail to
			// connect instead.
			got := ProbeSNIAt(context.Background(), prober, "127.0.0.1:1", "localhost", tt.versions, time.Second)
			if len(got.Results) != 1 || got.Results[0].Variant != SNINone {
				t.Fatalf("results %+v, want one %s result", got.Results, SNINone)
			}
			if !strings.Contains(got.Results[0].Outcome, tt.want) {
				t.Errorf("outcome %q, want it to contain %q", got.Results[0].Outcome, tt.want)
			}
			if !strings.Contains(got.Summary, tt.want) {
				t.Errorf("summary %q, want it to contain %q", got.Summary, tt.want)
			}
			if n := prober.Connections(); n != 0 {
				t.Errorf("raw probe connections %d, want 0", n)
			}
		})
	}
}
