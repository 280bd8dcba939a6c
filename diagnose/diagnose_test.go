package diagnose

import (
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/report"
)

// scanOf builds the TLS part of a report from the accepted versions.
func scanOf(accepted ...string) *report.TLSScan {
	all := []string{"SSL 2.0", "SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}
	scan := &report.TLSScan{}
	for _, v := range all {
		scan.Versions = append(scan.Versions, report.VersionState{Version: v, Accepted: contains(accepted, v)})
	}
	return scan
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

var modernJava = []string{"TLS 1.3", "TLS 1.2"}
var entraVersions = []string{"TLS 1.2"}

func TestDiagnoseCauses(t *testing.T) {
	tests := []struct {
		name         string
		accepted     []string
		headers      map[string]string
		answers      map[string]string // version -> probe answer
		verdict      report.Verdict
		wantSummary  string // substring of Cause.Summary
		wantSoftware Software
		wantFix      string // substring of the joined fix steps
	}{
		{
			name:         "nginx TLS 1.0 only",
			accepted:     []string{"TLS 1.0"},
			headers:      map[string]string{"Server": "nginx/1.22.1"},
			verdict:      report.Verdict{Display: "Okta", Class: "alert", Alert: "protocol_version", ClientVersions: modernJava},
			wantSummary:  "offers only TLS 1.0",
			wantSoftware: SoftwareNginx,
			wantFix:      "ssl_protocols TLSv1.2 TLSv1.3;",
		},
		{
			name:         "apache TLS 1.0 and 1.1",
			accepted:     []string{"TLS 1.0", "TLS 1.1"},
			headers:      map[string]string{"Server": "Apache/2.4.62 (Debian)"},
			verdict:      report.Verdict{Display: "Okta", Class: "alert", Alert: "protocol_version", ClientVersions: modernJava},
			wantSummary:  "TLS 1.0 and TLS 1.1",
			wantSoftware: SoftwareApache,
			wantFix:      "SSLProtocol -all +TLSv1.2 +TLSv1.3",
		},
		{
			name:         "tomcat coyote is not apache",
			accepted:     []string{"TLS 1.1"},
			headers:      map[string]string{"Server": "Apache-Coyote/1.1"},
			verdict:      report.Verdict{Display: "Okta", Class: "alert", Alert: "protocol_version", ClientVersions: modernJava},
			wantSummary:  "offers only TLS 1.1",
			wantSoftware: SoftwareTomcat,
			wantFix:      "protocols=\"TLSv1.2+TLSv1.3\"",
		},
		{
			name:         "iis without tls 1.2",
			accepted:     []string{"TLS 1.0"},
			headers:      map[string]string{"Server": "Microsoft-IIS/8.5"},
			verdict:      report.Verdict{Display: "Okta", Class: "alert", Alert: "protocol_version", ClientVersions: modernJava},
			wantSoftware: SoftwareIIS,
			wantFix:      `SCHANNEL\Protocols\TLS 1.2\Server`,
		},
		{
			name:         "unknown software gets generic steps",
			accepted:     []string{"TLS 1.0"},
			verdict:      report.Verdict{Display: "Okta", Class: "alert", Alert: "protocol_version", ClientVersions: modernJava},
			wantSoftware: SoftwareUnknown,
			wantFix:      "HAProxy ssl-min-ver TLSv1.2",
		},
		{
			name:         "tls 1.3 only fails entra",
			accepted:     []string{"TLS 1.3"},
			headers:      map[string]string{"Server": "nginx"},
			verdict:      report.Verdict{Display: "Microsoft Entra ID", Class: "alert", Alert: "protocol_version", ClientVersions: entraVersions},
			wantSummary:  "only TLS 1.3",
			wantSoftware: SoftwareNginx,
			wantFix:      "ssl_protocols TLSv1.2 TLSv1.3;",
		},
		{
			name:         "shared version but handshake_failure is a suite mismatch",
			accepted:     []string{"TLS 1.2"},
			verdict:      report.Verdict{Display: "Okta", Class: "alert", Alert: "handshake_failure", ClientVersions: modernJava},
			wantSummary:  "no cipher suite",
			wantSoftware: SoftwareUnknown,
			wantFix:      "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
		},
		{
			name:         "old client against a good server blames the client",
			accepted:     []string{"TLS 1.2", "TLS 1.3"},
			verdict:      report.Verdict{Display: "Java 7", Class: "alert", Alert: "protocol_version", ClientVersions: []string{"TLS 1.0"}},
			wantSummary:  "enables only TLS 1.0",
			wantSoftware: SoftwareUnknown,
			wantFix:      "-Dhttps.protocols=TLSv1.2",
		},
		{
			name:         "client certificate required on haproxy",
			accepted:     []string{"TLS 1.2", "TLS 1.3"},
			headers:      map[string]string{"Server": "haproxy"},
			verdict:      report.Verdict{Display: "Okta", Class: "client_cert_required", ClientVersions: modernJava},
			wantSummary:  "client certificate",
			wantSoftware: SoftwareHAProxy,
			wantFix:      "verify required",
		},
		{
			name:         "certificate_required alert means client certificate",
			accepted:     []string{"TLS 1.2", "TLS 1.3"},
			verdict:      report.Verdict{Display: "Okta", Class: "alert", Alert: "certificate_required", ClientVersions: modernJava},
			wantSummary:  "client certificate",
			wantSoftware: SoftwareUnknown,
			wantFix:      "never with a TLS client certificate",
		},
		{
			name:         "plain http on the tls port",
			accepted:     nil,
			headers:      nil,
			verdict:      report.Verdict{Display: "Okta", Class: "not_tls", ClientVersions: modernJava},
			wantSummary:  "plain HTTP",
			wantSoftware: SoftwareUnknown,
			wantFix:      "enable TLS on this listener",
		},
		{
			name:         "unrecognized_name points at SNI",
			accepted:     []string{"TLS 1.2"},
			verdict:      report.Verdict{Display: "Okta", Class: "alert", Alert: "unrecognized_name", ClientVersions: modernJava},
			wantSummary:  "sent no server name",
			wantSoftware: SoftwareUnknown,
			wantFix:      "default certificate",
		},
		{
			name:         "missing intermediate",
			accepted:     []string{"TLS 1.2"},
			verdict:      report.Verdict{Display: "Okta", Class: "incomplete_chain", ClientVersions: modernJava},
			wantSummary:  "intermediate",
			wantSoftware: SoftwareUnknown,
			wantFix:      "do not fetch missing intermediates",
		},
		{
			name:         "openssl 3 internal_error at every version",
			accepted:     nil,
			answers:      map[string]string{"TLS 1.0": "fatal alert internal_error (80)"},
			verdict:      report.Verdict{Display: "Okta", Class: "alert", Alert: "internal_error", ClientVersions: modernJava},
			wantSummary:  "internal_error at every version",
			wantSoftware: SoftwareUnknown,
			wantFix:      "@SECLEVEL=0",
		},
		{
			name:         "token rejected",
			accepted:     []string{"TLS 1.2"},
			verdict:      report.Verdict{Display: "Okta", Class: "http_unauthorized", Layer: "http", ClientVersions: modernJava},
			wantSummary:  "rejects the credentials",
			wantSoftware: SoftwareUnknown,
			wantFix:      "Bearer Bearer TOKEN",
		},
		{
			name:         "html page instead of scim",
			accepted:     []string{"TLS 1.2"},
			headers:      map[string]string{"Server": "nginx"},
			verdict:      report.Verdict{Display: "Okta", Class: "http_error", Layer: "http", ClientVersions: modernJava, Evidence: []string{"the SCIM URL answered 404 with text/html"}},
			wantSummary:  "answered 404 with text/html",
			wantSoftware: SoftwareNginx,
			wantFix:      "exempt the SCIM path",
		},
		{
			name:         "no http response after handshake",
			accepted:     []string{"TLS 1.2"},
			verdict:      report.Verdict{Display: "Okta", Class: "read_timeout", Layer: "http", ClientVersions: modernJava},
			wantSummary:  "does not arrive in full",
			wantSoftware: SoftwareUnknown,
			wantFix:      "upstream timeouts",
		},
		{
			name:         "connection refused",
			verdict:      report.Verdict{Display: "Okta", Class: "connect_refused", ClientVersions: modernJava},
			wantSummary:  "nothing accepts TCP connections",
			wantSoftware: SoftwareUnknown,
			wantFix:      "AzureActiveDirectory service tag",
		},
		{
			name:         "reset of every hello",
			accepted:     nil,
			verdict:      report.Verdict{Display: "Okta", Class: "reset", ClientVersions: modernJava},
			wantSummary:  "TCP reset",
			wantSoftware: SoftwareUnknown,
			wantFix:      "firewall, IPS or WAF log",
		},
		{
			name:         "reset of modern hellos on a TLS 1.0 server",
			accepted:     []string{"TLS 1.0"},
			verdict:      report.Verdict{Display: "Okta", Class: "reset", ClientVersions: modernJava},
			wantSummary:  "accepts only TLS 1.0",
			wantSoftware: SoftwareUnknown,
			wantFix:      "enable TLS 1.2 there",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &report.Report{
				Target:   report.Target{Host: "scim.example.com", Port: 443, Address: "192.0.2.10:443"},
				TLS:      scanOf(tt.accepted...),
				Verdicts: []report.Verdict{tt.verdict},
			}
			for i, v := range r.TLS.Versions {
				r.TLS.Versions[i].Answer = tt.answers[v.Version]
			}
			if tt.headers != nil {
				r.HTTP = &report.HTTP{Headers: tt.headers}
			}
			Diagnose(r)
			cause := r.Verdicts[0].Cause
			if cause == nil {
				t.Fatal("Diagnose left Cause nil for a failing verdict")
			}
			if !strings.Contains(cause.Summary, tt.wantSummary) {
				t.Errorf("Summary = %q, want it to contain %q", cause.Summary, tt.wantSummary)
			}
			if cause.Software != string(tt.wantSoftware) {
				t.Errorf("Software = %q, want %q", cause.Software, tt.wantSoftware)
			}
			fix := strings.Join(cause.Fix, "\n")
			if !strings.Contains(fix, tt.wantFix) {
				t.Errorf("Fix = %q, want it to contain %q", fix, tt.wantFix)
			}
			if cause.Component == "" {
				t.Error("Component is empty")
			}
		})
	}
}

func TestDiagnoseLeavesPassingVerdicts(t *testing.T) {
	r := &report.Report{TLS: scanOf("TLS 1.2"), Verdicts: []report.Verdict{{Display: "Okta", Connects: true, Class: "ok"}}}
	Diagnose(r)
	if r.Verdicts[0].Cause != nil {
		t.Errorf("Cause = %+v, want nil for a client that connects", r.Verdicts[0].Cause)
	}
}

func TestDiagnoseNamesIntermediary(t *testing.T) {
	r := &report.Report{
		Target:   report.Target{Address: "192.0.2.10:443"},
		TLS:      scanOf("TLS 1.0"),
		HTTP:     &report.HTTP{Headers: map[string]string{"Server": "nginx", "Via": "1.1 legacy-gateway"}},
		Verdicts: []report.Verdict{{Display: "Okta", Class: "alert", Alert: "protocol_version", ClientVersions: modernJava}},
	}
	Diagnose(r)
	if got := r.Verdicts[0].Cause.Component; !strings.Contains(got, "Via: 1.1 legacy-gateway") {
		t.Errorf("Component = %q, want it to name the Via header", got)
	}
}

func TestDetectSoftware(t *testing.T) {
	tests := []struct {
		name    string
		headers map[string]string
		want    Software
	}{
		{"nginx", map[string]string{"Server": "nginx/1.22.1"}, SoftwareNginx},
		{"lowercase header key", map[string]string{"server": "nginx"}, SoftwareNginx},
		{"apache httpd", map[string]string{"Server": "Apache"}, SoftwareApache},
		{"tomcat coyote", map[string]string{"Server": "Apache-Coyote/1.1"}, SoftwareTomcat},
		{"iis", map[string]string{"Server": "Microsoft-IIS/10.0"}, SoftwareIIS},
		{"httpapi", map[string]string{"Server": "Microsoft-HTTPAPI/2.0"}, SoftwareIIS},
		{"kestrel", map[string]string{"Server": "Kestrel"}, SoftwareDotNet},
		{"asp.net powered", map[string]string{"X-Powered-By": "ASP.NET"}, SoftwareIIS},
		{"jetty", map[string]string{"Server": "Jetty(9.4.z-SNAPSHOT)"}, SoftwareJava},
		{"unknown product", map[string]string{"Server": "legacy-gateway/1.0"}, SoftwareUnknown},
		{"no headers", nil, SoftwareUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, why := DetectSoftware(tt.headers)
			if got != tt.want {
				t.Errorf("DetectSoftware(%v) = %q, want %q", tt.headers, got, tt.want)
			}
			if why == "" {
				t.Error("DetectSoftware gave no reason")
			}
		})
	}
}
