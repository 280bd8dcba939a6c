package diagnose

import (
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/report"
)

// scimReport returns a report whose SCIM layer failed entra at one step
// with rule, and whose entra verdict failed with class at layer.
func scimReport(rule, class, layer string) *report.Report {
	step := report.SCIMStep{
		Profile: "entra", Step: "entra.test-connection", Title: "Test Connection",
		Method: "GET", URL: "https://scim.example.com/scim/v2/Users?filter=userName+eq+%22x%22", Status: 404,
		Verdict: "fail", Rule: rule, Reason: "the reason the rule gives",
	}
	return &report.Report{
		Target: report.Target{Host: "scim.example.com", Port: 443, Address: "192.0.2.10:443"},
		SCIM: &report.SCIM{
			Profiles: []report.SCIMProfile{
				{Profile: "okta", Steps: []report.SCIMStep{{Profile: "okta", Step: "okta.connection-test", Verdict: "pass", Rule: "okta.list"}}},
				{Profile: "entra", Steps: []report.SCIMStep{step}},
			},
			FirstFailure: &step,
		},
		Verdicts: []report.Verdict{
			{Client: "okta", Display: "Okta", Connects: true, Class: "ok"},
			{Client: "entra", Display: "Entra ID", Class: class, Layer: layer, Evidence: []string{"FAIL entra.test-connection"}},
		},
	}
}

func TestDiagnoseSCIMCauses(t *testing.T) {
	tests := []struct {
		name, rule, class, layer string
		wantSummary, wantFix     string
		wantComponent            string
	}{
		{"empty filter 404", "entra.lookup.empty-must-be-200", "scim_request", "scim", "answers 404 to a filter that matches nothing", "totalResults is 0", "the SCIM application at 192.0.2.10:443"},
		{"total as string", "entra.list.total-results-integer", "scim_request", "scim", "totalResults of a list response as a string", "JSON numbers", "the SCIM application"},
		{"html error page", "entra.error.not-scim", "scim_request", "scim", "without a SCIM error body", "proxy_intercept_errors", "the proxy, WAF or gateway"},
		{"case-sensitive userName", "entra.lookup.case-insensitive", "scim_request", "scim", "case-sensitively", "caseExact false", "the SCIM application"},
		{"unknown rule", "entra.lookup.something-new", "scim_request", "scim", "would reject the response to GET", "rule entra.lookup.something-new", "the SCIM application"},
		{"http layer with media type rule", "entra.media-type.rejected", "http_error", "http", "application/scim+json", "consumes and produces", "the SCIM application"},
		{"http layer with unknown rule", "entra.lookup.something-new", "http_error", "http", "does not answer with SCIM", "base URL", "the routing to the SCIM application"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := scimReport(tt.rule, tt.class, tt.layer)
			Diagnose(r)
			if r.Verdicts[0].Cause != nil {
				t.Errorf("okta connects but got cause %+v", r.Verdicts[0].Cause)
			}
			c := r.Verdicts[1].Cause
			if c == nil {
				t.Fatal("entra fails but has no cause")
			}
			if !strings.Contains(c.Summary, tt.wantSummary) {
				t.Errorf("summary = %q, want %q in it", c.Summary, tt.wantSummary)
			}
			if fix := strings.Join(c.Fix, "\n"); !strings.Contains(fix, tt.wantFix) {
				t.Errorf("fix = %q, want %q in it", fix, tt.wantFix)
			}
			if !strings.HasPrefix(c.Component, tt.wantComponent) {
				t.Errorf("component = %q, want it to start with %q", c.Component, tt.wantComponent)
			}
		})
	}
}

func TestDiagnoseSCIMWithoutLayer(t *testing.T) {
	r := scimReport("entra.lookup.empty-must-be-200", "scim_request", "scim")
	r.SCIM = nil
	Diagnose(r)
	c := r.Verdicts[1].Cause
	if c == nil || !strings.Contains(c.Summary, "FAIL entra.test-connection") {
		t.Fatalf("cause = %+v, want the generic SCIM cause with the evidence", c)
	}
	if len(c.Fix) == 0 || !strings.Contains(c.Fix[0], "scimdoctor scim") {
		t.Errorf("fix = %q, want a pointer to scimdoctor scim", c.Fix)
	}
}
