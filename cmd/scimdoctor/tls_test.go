package main

import (
	"bytes"
	"context"
	"net"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/lab"
	"github.com/scimdoctor/scimdoctor/report"
)

// TestRunTLSExitCodes runs `scimdoctor tls` against a lab endpoint and a
// closed port and checks the exit code, stdout and stderr.
func TestRunTLSExitCodes(t *testing.T) {
	l, err := lab.Start(context.Background(), "tls10-only")
	if err != nil {
		t.Fatalf("lab.Start failed: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	legacy, _ := l.Endpoint("tls10-only")
	_, port, _ := net.SplitHostPort(legacy.Addr)
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()

	tests := []struct {
		name       string
		args       []string
		wantExit   int
		wantOut    string
		wantStderr string
	}{
		{"findings below fail-on", []string{"tls", "--cacert", l.CAFile, "localhost:" + port}, report.ExitOK, "the server does not accept TLS 1.2", ""},
		{"findings at fail-on", []string{"tls", "--fail-on", "high", "--cacert", l.CAFile, "localhost:" + port}, report.ExitFindings, "tls.no_tls12", ""},
		{"https url with path", []string{"tls", "--polite", "--client", "okta", "--cacert", l.CAFile, legacy.URL}, report.ExitOK, "TLS 1.0  yes", "hint: tls takes HOST[:PORT]; scanned localhost:" + port},
		{"json output", []string{"tls", "--format", "json", "localhost:" + port}, report.ExitOK, `"schema": "scimdoctor.tls/v1"`, ""},
		{"closed port", []string{"tls", "--timeout", "2s", closedAddr}, report.ExitUnreachable, "connection refused", ""},
		{"usage error", []string{"tls", "http://" + closedAddr}, report.ExitUsage, "", "nothing to scan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			if code != tt.wantExit {
				t.Errorf("exit code = %d, want %d\nstderr: %s", code, tt.wantExit, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.wantOut) {
				t.Errorf("stdout does not contain %q:\n%s", tt.wantOut, stdout.String())
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr does not contain %q:\n%s", tt.wantStderr, stderr.String())
			}
		})
	}
}
