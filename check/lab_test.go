package check

import (
	"context"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/lab"
	"github.com/scimdoctor/scimdoctor/report"
)

// startLab starts the whole lab for one test and stops it afterwards.
func startLab(t *testing.T) *lab.Lab {
	t.Helper()
	l, err := lab.Start(context.Background())
	if err != nil {
		t.Fatalf("lab.Start failed: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func verdictOf(t *testing.T, r *report.Report, client string) report.Verdict {
	t.Helper()
	for _, v := range r.Verdicts {
		if v.Client == client {
			return v
		}
	}
	t.Fatalf("report has no verdict for %q: %+v", client, r.Verdicts)
	return report.Verdict{}
}

// oktaLineAlternatives holds a second line an endpoint can cause, where the
// timing on loopback decides which one Java reports: a reset that arrives
// before Java has written its hello is reported by the write.
var oktaLineAlternatives = map[string]string{
	"reset": "java.net.SocketException: Connection reset by peer",
}

// TestCheckLab runs check against every lab endpoint and compares the
// verdicts for Okta and Entra ID with the failure each endpoint teaches.
func TestCheckLab(t *testing.T) {
	l := startLab(t)
	tests := []struct {
		endpoint   string
		oktaClass  string
		oktaLayer  string
		oktaLine   string // exact LogLine when set
		entraClass string // "" skips the Entra check
		exit       int
	}{
		{"good", "ok", "", "", "ok", report.ExitOK},
		{"tls10-only", "alert", "tls", "javax.net.ssl.SSLHandshakeException: Received fatal alert: protocol_version", "alert", report.ExitFindings},
		{"tls11-only", "alert", "tls", "javax.net.ssl.SSLHandshakeException: Received fatal alert: protocol_version", "alert", report.ExitFindings},
		{"tls13-only", "ok", "", "", "alert", report.ExitFindings},
		{"3des-only", "alert", "tls", "javax.net.ssl.SSLHandshakeException: Received fatal alert: handshake_failure", "alert", report.ExitFindings},
		{"expired", "expired", "certificate", "", "expired", report.ExitFindings},
		{"self-signed", "untrusted", "certificate", "", "untrusted", report.ExitFindings},
		{"wrong-host", "hostname_mismatch", "certificate", "javax.net.ssl.SSLHandshakeException: No subject alternative DNS name matching localhost found.", "hostname_mismatch", report.ExitFindings},
		{"missing-intermediate", "incomplete_chain", "certificate", "", "", report.ExitFindings},
		{"tls10-proxy", "alert", "tls", "javax.net.ssl.SSLHandshakeException: Received fatal alert: protocol_version", "alert", report.ExitFindings},
		{"plain-http", "not_tls", "tls", "javax.net.ssl.SSLException: Unsupported or unrecognized SSL message", "not_tls", report.ExitFindings},
		{"blackhole", "read_timeout", "tls", "java.net.SocketTimeoutException: Read timed out", "read_timeout", report.ExitFindings},
		{"reset", "reset", "tls", "java.net.SocketException: Connection reset", "reset", report.ExitFindings},
	}
	for _, tt := range tests {
		t.Run(tt.endpoint, func(t *testing.T) {
			t.Parallel()
			e, ok := l.Endpoint(tt.endpoint)
			if !ok {
				t.Fatalf("lab has no endpoint %q", tt.endpoint)
			}
			started := time.Now()
			r, err := Run(context.Background(), Options{
				URL:           e.URL,
				Timeout:       2 * time.Second,
				CACertFiles:   []string{l.CAFile},
				Authorization: "Bearer " + lab.BearerToken,
			})
			if err != nil {
				t.Fatalf("Run(%s) failed: %v", e.URL, err)
			}
			if elapsed := time.Since(started); elapsed > 30*time.Second {
				t.Errorf("Run took %s, want it bounded by the per-connection timeout", elapsed)
			}
			okta := verdictOf(t, r, "okta")
			if okta.Class != tt.oktaClass {
				t.Errorf("okta class = %q, want %q (log line %q)", okta.Class, tt.oktaClass, okta.LogLine)
			}
			if tt.oktaLayer != "" && okta.Layer != tt.oktaLayer {
				t.Errorf("okta layer = %q, want %q", okta.Layer, tt.oktaLayer)
			}
			if tt.oktaLine != "" && okta.LogLine != tt.oktaLine && okta.LogLine != oktaLineAlternatives[tt.endpoint] {
				t.Errorf("okta log line = %q, want %q", okta.LogLine, tt.oktaLine)
			}
			if okta.Connects != (tt.oktaClass == "ok") {
				t.Errorf("okta Connects = %v, want %v", okta.Connects, tt.oktaClass == "ok")
			}
			if !okta.Connects && okta.Cause == nil {
				t.Errorf("okta fails but has no cause")
			}
			if !okta.Connects && okta.Cause != nil && len(okta.Cause.Fix) == 0 {
				t.Errorf("okta cause %q has no fix", okta.Cause.Summary)
			}
			if tt.entraClass != "" {
				entra := verdictOf(t, r, "entra")
				if entra.Class != tt.entraClass {
					t.Errorf("entra class = %q, want %q (log line %q)", entra.Class, tt.entraClass, entra.LogLine)
				}
			}
			if r.ExitCode != tt.exit {
				t.Errorf("ExitCode = %d, want %d", r.ExitCode, tt.exit)
			}
			if r.Connections == 0 {
				t.Error("Connections = 0, want the number of TCP connections made")
			}
		})
	}
}

// TestCheckLabProxyHeaders checks that the HTTP layer keeps the headers of
// the TLS 1.0 proxy as evidence even though no IdP can connect.
func TestCheckLabProxyHeaders(t *testing.T) {
	l := startLab(t)
	e, _ := l.Endpoint("tls10-proxy")
	r, err := Run(context.Background(), Options{URL: e.URL, Timeout: 2 * time.Second, CACertFiles: []string{l.CAFile}})
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	if r.HTTP == nil || r.HTTP.Headers["Server"] == "" {
		t.Fatalf("HTTP layer kept no Server header: %+v", r.HTTP)
	}
	if r.HTTP.TLSVersion != "TLS 1.0" {
		t.Errorf("HTTP TLSVersion = %q, want TLS 1.0", r.HTTP.TLSVersion)
	}
	okta := verdictOf(t, r, "okta")
	if okta.Cause == nil || okta.Cause.Component == "" {
		t.Fatalf("okta verdict has no component at fault: %+v", okta)
	}
}
