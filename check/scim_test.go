package check

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/lab"
	"github.com/scimdoctor/scimdoctor/report"
)

// TestCheckLabSCIM runs check against the lab's SCIM fault endpoints and
// checks that the verdict names the first failing SCIM request of each
// IdP, with the admin message, and that diagnose explains it.
func TestCheckLabSCIM(t *testing.T) {
	l := startLab(t)
	tests := []struct {
		endpoint string
		// oktaStep and entraStep are the first failing conformance steps,
		// or "" when that client connects.
		oktaStep, entraStep string
		// layer is where the verdicts fail: scim, or http when check's own
		// GET /ServiceProviderConfig fails first.
		layer        string
		entraMessage string
		cause        string
		scimStatus   report.Status
		exit         int
	}{
		{"good", "", "", "", "", "", report.StatusPass, report.ExitOK},
		{"scim-empty-404", "", "entra.test-connection", "scim", "Quarantine (SCIM compliance issue): a query returned 404 where Entra ID expects 200 with an empty ListResponse", "answers 404 to a filter that matches nothing", report.StatusFail, report.ExitFindings},
		{"scim-total-string", "okta.connection-test", "entra.test-connection", "scim", "totalResults is \"0\", not a JSON integer", "totalResults of a list response as a string", report.StatusFail, report.ExitFindings},
		{"scim-html-error", "okta.get.unknown-id", "entra.get.unknown-id", "scim", "", "without a SCIM error body", report.StatusFail, report.ExitFindings},
		{"scim-json-only", "okta.connection-test", "entra.test-connection", "http", "", "application/scim+json", report.StatusFail, report.ExitFindings},
		{"scim-case-sensitive", "", "entra.lookup.existing-case", "scim", "", "case-sensitively", report.StatusFail, report.ExitFindings},
		// The write-only faults pass the read-only requests of check.
		{"scim-op-case", "", "", "", "", "", report.StatusPass, report.ExitOK},
		{"scim-string-bool", "", "", "", "", "", report.StatusPass, report.ExitOK},
		{"scim-duplicate-201", "", "", "", "", "", report.StatusPass, report.ExitOK},
	}
	for _, tt := range tests {
		t.Run(tt.endpoint, func(t *testing.T) {
			t.Parallel()
			e, ok := l.Endpoint(tt.endpoint)
			if !ok {
				t.Fatalf("lab has no endpoint %q", tt.endpoint)
			}
			r, err := Run(context.Background(), Options{
				URL:           e.URL,
				Timeout:       5 * time.Second,
				CACertFiles:   []string{l.CAFile},
				Authorization: "Bearer " + lab.BearerToken,
				SCIMUser:      lab.SeedUserName,
			})
			if err != nil {
				t.Fatalf("Run(%s) failed: %v", e.URL, err)
			}
			if r.SCIM == nil {
				t.Fatalf("report has no SCIM layer; layers %+v", r.Layers)
			}
			if got := layerStatus(r, "scim"); got != tt.scimStatus {
				t.Errorf("scim layer status = %q, want %q", got, tt.scimStatus)
			}
			if r.SCIM.Requests == 0 {
				t.Error("SCIM layer sent no request")
			}
			for _, c := range []struct{ client, step, message string }{
				{"okta", tt.oktaStep, ""},
				{"entra", tt.entraStep, tt.entraMessage},
			} {
				v := verdictOf(t, r, c.client)
				if c.step == "" {
					if !v.Connects {
						t.Errorf("%s fails at %s (%s: %s), want it to connect", c.client, v.Layer, v.Class, v.Message)
					}
					continue
				}
				if v.Connects || v.Layer != tt.layer {
					t.Fatalf("%s: connects=%v layer=%q class=%q, want a failure at the %s layer", c.client, v.Connects, v.Layer, v.Class, tt.layer)
				}
				if step := firstSCIMFailure(r.SCIM, c.client); step == nil || step.Step != c.step {
					t.Errorf("%s: first failing SCIM step %+v, want %s", c.client, step, c.step)
				}
				if tt.layer == "scim" && v.Class != ClassSCIMRequest {
					t.Errorf("%s: class %q, want %q", c.client, v.Class, ClassSCIMRequest)
				}
				if tt.layer == "scim" && !strings.Contains(strings.Join(v.Evidence, "\n"), c.step+":") {
					t.Errorf("%s evidence %q does not name step %s", c.client, v.Evidence, c.step)
				}
				if c.message != "" && v.Message != c.message {
					t.Errorf("%s message = %q, want %q", c.client, v.Message, c.message)
				}
				if v.Cause == nil || !strings.Contains(v.Cause.Summary, tt.cause) {
					t.Errorf("%s cause = %+v, want a summary with %q", c.client, v.Cause, tt.cause)
				}
			}
			if first := r.SCIM.FirstFailure; (first != nil) != (tt.scimStatus == report.StatusFail) {
				t.Errorf("first failure = %+v with layer status %s", first, tt.scimStatus)
			}
			if r.ExitCode != tt.exit {
				t.Errorf("ExitCode = %d, want %d", r.ExitCode, tt.exit)
			}
		})
	}
}

// TestCheckNoSCIM checks that NoSCIM leaves the SCIM layer out.
func TestCheckNoSCIM(t *testing.T) {
	l := startLab(t)
	e, _ := l.Endpoint("scim-empty-404")
	r, err := Run(context.Background(), Options{URL: e.URL, Timeout: 5 * time.Second, CACertFiles: []string{l.CAFile}, Authorization: "Bearer " + lab.BearerToken, NoSCIM: true})
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	if r.SCIM != nil || layerStatus(r, "scim") != "" {
		t.Errorf("SCIM layer ran with NoSCIM: %+v", r.SCIM)
	}
	if r.ExitCode != report.ExitOK {
		t.Errorf("ExitCode = %d, want %d without the SCIM layer", r.ExitCode, report.ExitOK)
	}
}

// TestCheckSCIMSkipped checks the reasons the SCIM layer does not run.
func TestCheckSCIMSkipped(t *testing.T) {
	l := startLab(t)
	tests := []struct {
		name, endpoint, authorization, want string
	}{
		{"no client passes TLS", "tls10-only", "Bearer " + lab.BearerToken, "no client with a SCIM flow"},
		{"credentials rejected", "good", "Bearer wrong-token", "answered 401"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := l.Endpoint(tt.endpoint)
			r, err := Run(context.Background(), Options{URL: e.URL, Timeout: 5 * time.Second, CACertFiles: []string{l.CAFile}, Authorization: tt.authorization})
			if err != nil {
				t.Fatalf("Run failed: %v", err)
			}
			if got := layerStatus(r, "scim"); got != report.StatusSkip {
				t.Fatalf("scim layer status = %q, want skip", got)
			}
			for _, layer := range r.Layers {
				if layer.Name == "scim" && !strings.Contains(layer.Summary, tt.want) {
					t.Errorf("scim layer summary = %q, want %q in it", layer.Summary, tt.want)
				}
			}
		})
	}
}

func layerStatus(r *report.Report, name string) report.Status {
	for _, l := range r.Layers {
		if l.Name == name {
			return l.Status
		}
	}
	return ""
}
