package diagnose

import (
	"strings"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/report"
)

func TestFindings(t *testing.T) {
	now := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		accepted []string
		notAfter time.Time
		wantIDs  []string
	}{
		{"modern only", []string{"TLS 1.2", "TLS 1.3"}, now.AddDate(1, 0, 0), nil},
		{"legacy next to modern", []string{"TLS 1.0", "TLS 1.1", "TLS 1.2"}, now.AddDate(1, 0, 0), []string{"tls.legacy_versions"}},
		{"legacy only is a verdict not a finding", []string{"TLS 1.0"}, now.AddDate(1, 0, 0), nil},
		{"sslv3", []string{"SSL 3.0", "TLS 1.2"}, now.AddDate(1, 0, 0), []string{"tls.ssl_enabled"}},
		{"expires in ten days", []string{"TLS 1.2"}, now.AddDate(0, 0, 10), []string{"certificate.expires_soon"}},
		{"already expired is a verdict", []string{"TLS 1.2"}, now.AddDate(0, 0, -1), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &report.Report{
				TLS:         scanOf(tt.accepted...),
				Certificate: &report.Certificate{Chain: []report.CertInfo{{NotAfter: tt.notAfter}}},
			}
			got := Findings(r, now)
			if len(got) != len(tt.wantIDs) {
				t.Fatalf("Findings = %+v, want ids %v", got, tt.wantIDs)
			}
			for i, f := range got {
				if f.ID != tt.wantIDs[i] {
					t.Errorf("finding %d id = %q, want %q", i, f.ID, tt.wantIDs[i])
				}
			}
		})
	}
}

func TestFailOnThreshold(t *testing.T) {
	findings := []report.Finding{{ID: "tls.legacy_versions", Severity: report.SeverityLow}}
	tests := []struct {
		failOn string
		want   bool
	}{
		{"none", false},
		{"info", true},
		{"low", true},
		{"medium", false},
		{"HIGH", false},
	}
	for _, tt := range tests {
		t.Run(tt.failOn, func(t *testing.T) {
			sev, err := ParseSeverity(tt.failOn)
			if err != nil {
				t.Fatalf("ParseSeverity(%q) failed: %v", tt.failOn, err)
			}
			if got := AtOrAbove(findings, sev); got != tt.want {
				t.Errorf("AtOrAbove(low finding, %q) = %v, want %v", tt.failOn, got, tt.want)
			}
		})
	}
	if _, err := ParseSeverity("critical"); err == nil {
		t.Error("ParseSeverity(critical) succeeded, want an error naming the choices")
	}
}

func TestSortBySeverity(t *testing.T) {
	findings := []report.Finding{
		{ID: "a", Severity: report.SeverityLow},
		{ID: "b", Severity: report.SeverityHigh},
		{ID: "c", Severity: report.SeverityMedium},
		{ID: "d", Severity: report.SeverityHigh},
		{ID: "e", Severity: report.SeverityInfo},
	}
	SortBySeverity(findings)
	var got []string
	for _, f := range findings {
		got = append(got, f.ID)
	}
	if want := "b d c a e"; strings.Join(got, " ") != want {
		t.Errorf("order = %v, want %s (high first, ties in input order)", got, want)
	}
}

func TestParseSeverityEmpty(t *testing.T) {
	if _, err := ParseSeverity(""); err == nil || !strings.Contains(err.Error(), `invalid --fail-on ""`) {
		t.Errorf("ParseSeverity(\"\") error = %v, want one naming the empty value", err)
	}
}
