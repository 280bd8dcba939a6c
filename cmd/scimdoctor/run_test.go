package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/lab"
	"github.com/scimdoctor/scimdoctor/report"
)

// TestRunCheckExitCodes runs the command line against lab endpoints and a
// closed port and checks the exit code and the output format.
func TestRunCheckExitCodes(t *testing.T) {
	l, err := lab.Start(context.Background(), "good", "tls10-only")
	if err != nil {
		t.Fatalf("lab.Start failed: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	good, _ := l.Endpoint("good")
	legacy, _ := l.Endpoint("tls10-only")
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "https://" + closed.Addr().String() + "/scim/v2"
	closed.Close()

	tests := []struct {
		name     string
		args     []string
		wantExit int
		wantOut  string
	}{
		{"good endpoint", []string{"check", "--cacert", l.CAFile, "--token", lab.BearerToken, good.URL}, report.ExitOK, "would connect"},
		{"tls 1.0 only", []string{"check", "--cacert", l.CAFile, legacy.URL}, report.ExitFindings, "Received fatal alert: protocol_version"},
		{"closed port", []string{"check", "--timeout", "2s", closedURL}, report.ExitUnreachable, "connection refused"},
		{"json output", []string{"check", "--format", "json", "--cacert", l.CAFile, legacy.URL}, report.ExitFindings, `"schema": "scimdoctor.report/v1"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			if code != tt.wantExit {
				t.Errorf("exit code = %d, want %d\nstderr: %s", code, tt.wantExit, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.wantOut) {
				t.Errorf("stdout lacks %q:\n%s", tt.wantOut, stdout.String())
			}
			if stderr.Len() != 0 {
				t.Errorf("stderr = %q, want nothing for a report", stderr.String())
			}
		})
	}
}

// TestRunDemo runs the whole tour and checks that every lab endpoint got a
// report with verdicts for Okta and Entra ID.
func TestRunDemo(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"demo", "--format", "json"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("demo exit code = %d, stderr: %s", code, stderr.String())
	}
	var entries []struct {
		Endpoint lab.Endpoint   `json:"endpoint"`
		Report   *report.Report `json:"report"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &entries); err != nil {
		t.Fatalf("demo JSON does not parse: %v", err)
	}
	if len(entries) != len(lab.Catalog()) {
		t.Fatalf("demo checked %d endpoints, want %d", len(entries), len(lab.Catalog()))
	}
	for _, e := range entries {
		if e.Report == nil || len(e.Report.Verdicts) != 2 {
			t.Errorf("endpoint %s: report %+v, want verdicts for okta and entra", e.Endpoint.Name, e.Report)
			continue
		}
		if e.Endpoint.Name != "good" && e.Report.ExitCode == report.ExitOK {
			t.Errorf("endpoint %s (%s): every client connects, want a failure", e.Endpoint.Name, e.Endpoint.Summary)
		}
	}
}
