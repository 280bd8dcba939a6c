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
		// A fault that only writes show passes check's read-only SCIM
		// layer.
		wantFailure := e.Endpoint.Name != "good" && !e.Endpoint.WriteOnly
		if wantFailure && e.Report.ExitCode == report.ExitOK {
			t.Errorf("endpoint %s (%s): every client connects, want a failure", e.Endpoint.Name, e.Endpoint.Summary)
		}
		if !wantFailure && e.Report.ExitCode != report.ExitOK {
			t.Errorf("endpoint %s (%s): exit code %d, want %d", e.Endpoint.Name, e.Endpoint.Summary, e.Report.ExitCode, report.ExitOK)
		}
		if strings.HasPrefix(e.Endpoint.Name, "scim-") && e.Report.SCIM == nil {
			t.Errorf("endpoint %s: report has no SCIM layer", e.Endpoint.Name)
		}
	}
}

// TestRunCheckSCIMLayer checks a lab endpoint with a SCIM fault through the
// command line: the text names the failing layer and the admin message,
// JSON carries the SCIM layer, and --no-scim leaves it out.
func TestRunCheckSCIMLayer(t *testing.T) {
	l, err := lab.Start(t.Context(), "scim-empty-404", "scim-case-sensitive")
	if err != nil {
		t.Fatalf("lab.Start: %v", err)
	}
	t.Cleanup(func() { l.Close() })
	emptyURL := mustLabURL(t, l, "scim-empty-404")
	caseURL := mustLabURL(t, l, "scim-case-sensitive")

	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     []string
		dontWant []string
	}{
		{
			name:     "text names the scim layer",
			args:     []string{"check", "--cacert", l.CAFile, "--token", lab.BearerToken, emptyURL},
			wantCode: 1,
			want: []string{
				"Microsoft Entra ID (provisioning service) would fail at the scim layer",
				"it would show: Quarantine (SCIM compliance issue): a query returned 404 where Entra ID expects 200 with an empty ListResponse",
				"FAIL entra.test-connection: GET ",
				"cause: the server answers 404 to a filter that matches nothing",
			},
			dontWant: []string{lab.BearerToken},
		},
		{
			name:     "json carries the scim layer",
			args:     []string{"check", "--format", "json", "--cacert", l.CAFile, "--token", lab.BearerToken, emptyURL},
			wantCode: 1,
			want:     []string{`"scim": {`, `"first_failure": {`, `"rule": "entra.lookup.empty-must-be-200"`, `"class": "scim_request"`},
			dontWant: []string{lab.BearerToken},
		},
		{
			name:     "no-scim skips the layer",
			args:     []string{"check", "--no-scim", "--cacert", l.CAFile, "--token", lab.BearerToken, emptyURL},
			wantCode: 0,
			dontWant: []string{"scim layer", "entra.test-connection"},
		},
		{
			name:     "user finds case-sensitive filter",
			args:     []string{"check", "--user", lab.SeedUserName, "--cacert", l.CAFile, "--token", lab.BearerToken, caseURL},
			wantCode: 1,
			want:     []string{"FAIL entra.lookup.existing-case:", "compares userName case-sensitively"},
		},
		{
			name:     "without user the case fault is unseen",
			args:     []string{"check", "--cacert", l.CAFile, "--token", lab.BearerToken, caseURL},
			wantCode: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tt.args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d; stderr: %s", code, tt.wantCode, stderr.String())
			}
			for _, want := range tt.want {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("output lacks %q", want)
				}
			}
			for _, not := range tt.dontWant {
				if strings.Contains(stdout.String(), not) {
					t.Errorf("output contains %q", not)
				}
			}
			if t.Failed() {
				t.Logf("output:\n%s", stdout.String())
			}
		})
	}
}

func mustLabURL(t *testing.T, l *lab.Lab, name string) string {
	t.Helper()
	e, ok := l.Endpoint(name)
	if !ok {
		t.Fatalf("lab has no endpoint %q", name)
	}
	return e.URL
}
