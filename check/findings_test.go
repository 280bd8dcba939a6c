package check

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/diagnose"
	"github.com/scimdoctor/scimdoctor/internal/testservers"
	"github.com/scimdoctor/scimdoctor/report"
)

// TestCheckFailOnLegacyVersions checks a server that every client reaches
// but that still accepts TLS 1.0: exit 0 by default, 1 with --fail-on low.
func TestCheckFailOnLegacyVersions(t *testing.T) {
	cert := testservers.SelfSigned(t, "localhost", "127.0.0.1")
	pair, err := tls.X509KeyPair(cert.CertPEM, cert.KeyPEM)
	if err != nil {
		t.Fatalf("loading the key pair: %v", err)
	}
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS10})
	if err != nil {
		t.Fatalf("listening: %v", err)
	}
	srv := &http.Server{ErrorLog: log.New(io.Discard, "", 0), Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		w.Write([]byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"]}`))
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)

	for _, tt := range []struct {
		failOn string
		want   int
	}{{"none", report.ExitOK}, {"low", report.ExitFindings}} {
		t.Run("fail-on "+tt.failOn, func(t *testing.T) {
			sev, err := diagnose.ParseSeverity(tt.failOn)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Run(context.Background(), Options{URL: "https://localhost:" + port + "/scim/v2", Timeout: 3 * time.Second, CACertFiles: []string{cert.CertFile}, FailOn: sev})
			if err != nil {
				t.Fatalf("Run failed: %v", err)
			}
			if r.ExitCode != tt.want {
				t.Errorf("ExitCode = %d, want %d (findings %+v, verdicts %+v)", r.ExitCode, tt.want, r.Findings, r.Verdicts)
			}
			found := false
			for _, f := range r.Findings {
				found = found || f.ID == "tls.legacy_versions"
			}
			if !found {
				t.Errorf("findings %+v lack tls.legacy_versions", r.Findings)
			}
		})
	}
}
