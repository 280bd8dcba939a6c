package check

import (
	"context"
	"crypto/tls"
	"net/http"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/diagnose"
	"github.com/scimdoctor/scimdoctor/report"
)

// TestCheckFailOnLegacyVersions checks a server that every client reaches
// but that still accepts TLS 1.0: exit 0 by default, 1 with --fail-on low.
func TestCheckFailOnLegacyVersions(t *testing.T) {
	port, caFile := startHTTPS(t, tls.VersionTLS10, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scimJSON(w, `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"]}`)
	}))

	for _, tt := range []struct {
		failOn string
		want   int
	}{{"none", report.ExitOK}, {"low", report.ExitFindings}} {
		t.Run("fail-on "+tt.failOn, func(t *testing.T) {
			sev, err := diagnose.ParseSeverity(tt.failOn)
			if err != nil {
				t.Fatal(err)
			}
			// The handler serves one fixed response, not a SCIM API, so the
			// SCIM layer is left out.
			r, err := Run(context.Background(), Options{URL: "https://localhost:" + port + "/scim/v2", Timeout: 3 * time.Second, CACertFiles: []string{caFile}, FailOn: sev, NoSCIM: true})
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
