package certcheck

import (
	"context"
	"crypto/tls"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

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
