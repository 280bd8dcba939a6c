package conformance_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/conformance"
)

// testCert makes a self-signed ECDSA certificate for names (DNS names or
// IP literals) valid from notBefore to notAfter.
func testCert(t *testing.T, notBefore, notAfter time.Time, names ...string) (tls.Certificate, *x509.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(time.Now().UnixNano()),
		Subject:               pkix.Name{CommonName: names[0]},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, leaf
}

// startTLS serves 404s over TLS with cert on 127.0.0.1 and returns the
// https URL.
func startTLS(t *testing.T, cert tls.Certificate) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.NotFoundHandler())
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestRunTransportAdminMessages checks that a request without a response
// gets the line Okta's Java client shows its admin for the failure class,
// from the okta client profile, and a hint to pass --cacert or run check.
func TestRunTransportAdminMessages(t *testing.T) {
	now := time.Now()
	expired, expiredLeaf := testCert(t, now.Add(-48*time.Hour), now.Add(-24*time.Hour), "localhost", "127.0.0.1")
	valid, _ := testCert(t, now.Add(-time.Hour), now.Add(24*time.Hour), "localhost", "127.0.0.1")
	dnsOnly, dnsOnlyLeaf := testCert(t, now.Add(-time.Hour), now.Add(24*time.Hour), "localhost")

	closed := httptest.NewServer(http.NotFoundHandler())
	refusedURL := closed.URL
	closed.Close()
	refusedPort := refusedURL[strings.LastIndex(refusedURL, ":")+1:]

	const entraTrust = "System.Net.WebException: The underlying connection was closed: Could not establish trust relationship for the SSL/TLS secure channel."
	tests := []struct {
		name      string
		base      string
		roots     []*x509.Certificate
		wantAdmin string
		wantEntra string
		wantHint  string
	}{
		{"expired certificate", startTLS(t, expired), []*x509.Certificate{expiredLeaf},
			"Error authenticating: PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed",
			entraTrust, "--cacert"},
		{"unknown ca", startTLS(t, valid), nil,
			"Error authenticating: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target",
			entraTrust, "scimdoctor-tls.pem"},
		{"missing ip san", startTLS(t, dnsOnly), []*x509.Certificate{dnsOnlyLeaf},
			"Error authenticating: No subject alternative names matching IP address 127.0.0.1 found",
			entraTrust, "--cacert"},
		{"connection refused", refusedURL, nil,
			"Error authenticating: Connect to 127.0.0.1:" + refusedPort + " [127.0.0.1/127.0.0.1] failed: Connection refused",
			"System.Net.WebException: Unable to connect to the remote server", "scimdoctor check"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, profile := range []string{conformance.ProfileOkta, conformance.ProfileEntra} {
				want := tc.wantAdmin
				if profile == conformance.ProfileEntra {
					want = tc.wantEntra
				}
				r, err := conformance.Run(context.Background(), conformance.Target{BaseURL: tc.base + "/scim/v2", Client: conformance.NewClient(tc.roots)},
					conformance.Options{Profiles: []string{profile}})
				if err != nil {
					t.Fatal(err)
				}
				if r.Aborted == nil || len(r.Profiles) == 0 || len(r.Profiles[0].Steps) == 0 {
					t.Fatalf("%s: result %+v, want a run aborted at its first step", profile, r)
				}
				step := r.Profiles[0].Steps[len(r.Profiles[0].Steps)-1]
				if step.Verdict.AdminMessage != want {
					t.Errorf("%s admin message:\n got %s\nwant %s", profile, step.Verdict.AdminMessage, want)
				}
				if profile == conformance.ProfileEntra && !strings.Contains(step.Verdict.IdPAction, "does not document") {
					t.Errorf("entra IdP action %q, want it to say the text is not documented", step.Verdict.IdPAction)
				}
				if !strings.Contains(r.Aborted.Hint, tc.wantHint) {
					t.Errorf("%s hint %q, want it to mention %s", profile, r.Aborted.Hint, tc.wantHint)
				}
				if r.ExitCode() != conformance.ExitUnreachable {
					t.Errorf("%s exit code %d, want %d", profile, r.ExitCode(), conformance.ExitUnreachable)
				}
			}
		})
	}
}

// TestRunEntraTimeoutMessage lets the first request time out: Entra ID's
// line starts with its documented error code Timeout.
func TestRunEntraTimeoutMessage(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	r, err := conformance.Run(context.Background(), conformance.Target{BaseURL: srv.URL + "/scim/v2"},
		conformance.Options{Profiles: []string{conformance.ProfileEntra}, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if r.Aborted == nil {
		t.Fatal("run not aborted, want the timeout to stop it")
	}
	step := r.Profiles[0].Steps[0]
	if want := "Timeout: System.Net.WebException: The operation has timed out"; step.Verdict.AdminMessage != want {
		t.Errorf("admin message %q, want %q", step.Verdict.AdminMessage, want)
	}
}

// TestRunPlainHTTPToTLSPort sends http:// to a port that speaks TLS: Go's
// server responds 400 "Client sent an HTTP request to an HTTPS server",
// which the run reports as such and stops on with exit code 3.
func TestRunPlainHTTPToTLSPort(t *testing.T) {
	valid, _ := testCert(t, time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour), "127.0.0.1")
	base := "http://" + strings.TrimPrefix(startTLS(t, valid), "https://") + "/scim/v2"
	r, err := conformance.Run(context.Background(), conformance.Target{BaseURL: base}, conformance.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.ExitCode() != conformance.ExitUnreachable {
		t.Errorf("exit code %d, want %d", r.ExitCode(), conformance.ExitUnreachable)
	}
	steps := r.Profiles[0].Steps
	if len(r.Profiles) != 1 || len(steps) != 1 {
		t.Fatalf("ran %d profiles, %d steps; want the run to stop at the first step", len(r.Profiles), len(steps))
	}
	if got := steps[0].Verdict; got.Rule != "transport.http-to-https-port" || !strings.Contains(got.Reason, "Client sent an HTTP request to an HTTPS server") {
		t.Errorf("verdict %+v, want transport.http-to-https-port quoting the server", got)
	}
	if !strings.Contains(r.Aborted.Hint, "https://") {
		t.Errorf("hint %q, want the https:// URL", r.Aborted.Hint)
	}
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], "HTTPS only") {
		t.Errorf("warnings %q, want the http:// warning", r.Warnings)
	}
}

// TestRunBaseURLWarnings checks the warnings about base URLs the IdPs
// reject before sending a request, in a plan that sends nothing.
func TestRunBaseURLWarnings(t *testing.T) {
	tests := []struct {
		name string
		base string
		want []string
	}{
		{"https without underscore", "https://scim.example.com/scim/v2", nil},
		{"http", "http://scim.example.com/scim/v2", []string{"HTTPS only"}},
		{"underscore in host", "https://scim_test.example.com/scim/v2", []string{`contains "_"`}},
		{"http and underscore", "http://scim.example.com/scim_v2", []string{"HTTPS only", `contains "_"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := conformance.Run(context.Background(), conformance.Target{BaseURL: tc.base}, conformance.Options{Plan: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Warnings) != len(tc.want) {
				t.Fatalf("warnings %q, want %d", r.Warnings, len(tc.want))
			}
			for i, want := range tc.want {
				if !strings.Contains(r.Warnings[i], want) {
					t.Errorf("warning %q, want %s", r.Warnings[i], want)
				}
			}
		})
	}
}
