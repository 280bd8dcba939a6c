package clients

import (
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/tlsprobe"
)

func TestRender(t *testing.T) {
	java, _ := Lookup("java-17")
	goProfile, _ := Lookup("go")
	curl, _ := Lookup("curl")
	alert := tlsprobe.AlertDescription(70)
	unknownAlert := tlsprobe.AlertDescription(200)
	when := time.Date(2026, 12, 4, 21, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		profile  *Profile
		template string
		values   messageValues
		want     string
	}{
		{"java alert", java, "({alert}) Received fatal alert: {alert}", messageValues{alert: &alert},
			"(protocol_version) Received fatal alert: protocol_version"},
		{"java versions", java, "selected {version} not in [{client_versions}]",
			messageValues{version: tlsprobe.VersionTLS10, clientVersions: []tlsprobe.Version{tlsprobe.VersionTLS13, tlsprobe.VersionTLS12}},
			"selected TLS10 not in [TLS13, TLS12]"},
		{"go version in hex", goProfile, "version {version}", messageValues{version: tlsprobe.VersionTLS11}, "version 302"},
		{"go alert text", goProfile, "tls: {alert_go}", messageValues{alert: &alert}, "tls: protocol version not supported"},
		{"go unknown alert", goProfile, "tls: {alert_go}", messageValues{alert: &unknownAlert}, "tls: alert(200)"},
		{"openssl alert code", curl, "error:0A000{alert_openssl_code}:SSL routines::{alert_openssl_reason}", messageValues{alert: &alert},
			"error:0A00042E:SSL routines::tlsv1 alert protocol version"},
		{"openssl unknown alert", curl, "{alert_openssl_reason}", messageValues{alert: &unknownAlert}, "reason(1200)"},
		{"java signed alert byte", java, "Unknown alert description ({alert_byte})", messageValues{alert: &unknownAlert},
			"Unknown alert description (-56)"},
		{"java suite name", java, "{suite_java}", messageValues{suite: 0x0004}, "SSL_RSA_WITH_RC4_128_MD5"},
		{"java unknown suite", java, "{suite_java}", messageValues{suite: 0xc0ff}, "UNKNOWN-CIPHER-SUITE(0xC0FF)"},
		{"iana suite", java, "{suite}", messageValues{suite: 0xc02f}, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
		{"times", goProfile, "{now} after {not_after}", messageValues{now: when, notAfter: when.Add(-time.Hour)},
			"2026-12-04T21:00:00Z after 2026-12-04T20:00:00Z"},
		{"http status", java, "{status} {reason}", messageValues{status: 400}, "400 Bad Request"},
		{"no status", java, "[{status}]", messageValues{}, "[]"},
		{"local address", goProfile, "tcp {local_addr}->{addr}", messageValues{addr: "127.0.0.1:443"}, "tcp <local address>->127.0.0.1:443"},
		{"elapsed", curl, "after {elapsed_ms} ms", messageValues{elapsed: 1500 * time.Millisecond}, "after 1500 ms"},
		{"no alert", java, "[{alert}]", messageValues{}, "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.profile.render(tt.template, tt.values); got != tt.want {
				t.Errorf("render(%q) = %q, want %q", tt.template, got, tt.want)
			}
		})
	}
}

func TestVersionName(t *testing.T) {
	tests := []struct {
		style string
		v     tlsprobe.Version
		want  string
	}{
		{"jsse", tlsprobe.VersionTLS12, "TLS12"},
		{"jsse", tlsprobe.VersionSSL30, "SSL30"},
		{"jsse_legacy", tlsprobe.VersionTLS10, "TLSv1"},
		{"jsse_legacy", tlsprobe.VersionTLS11, "TLSv1.1"},
		{"openssl", tlsprobe.VersionSSL30, "SSLv3"},
		{"openssl", tlsprobe.Version(0x7f1c), "0x7f1c"},
		{"go", tlsprobe.VersionTLS10, "301"},
		{"iana", tlsprobe.VersionTLS13, "TLS 1.3"},
	}
	for _, tt := range tests {
		if got := versionName(tt.style, tt.v); got != tt.want {
			t.Errorf("versionName(%s, %#04x) = %q, want %q", tt.style, uint16(tt.v), got, tt.want)
		}
	}
}

func TestLogLine(t *testing.T) {
	tests := []struct {
		name string
		pred Prediction
		want string
	}{
		{"java", Prediction{Exception: "javax.net.ssl.SSLHandshakeException", Message: "Received fatal alert: protocol_version", logLine: "{exception}: {message}"},
			"javax.net.ssl.SSLHandshakeException: Received fatal alert: protocol_version"},
		{"curl", Prediction{Exception: "curl: (60)", Message: "SSL certificate problem: self-signed certificate", logLine: "{exception} {message}"},
			"curl: (60) SSL certificate problem: self-signed certificate"},
		{"no exception", Prediction{Message: "connected with TLS 1.3", logLine: "{exception}: {message}"}, "connected with TLS 1.3"},
		{"no format", Prediction{Exception: "E", Message: "m"}, "m"},
	}
	for _, tt := range tests {
		if got := tt.pred.LogLine(); got != tt.want {
			t.Errorf("%s: LogLine() = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestWeakerConfidence(t *testing.T) {
	tests := []struct{ a, b, want string }{
		{ConfidenceMeasured, ConfidenceMeasured, ConfidenceMeasured},
		{ConfidenceMeasured, ConfidenceDocumented, ConfidenceDocumented},
		{ConfidenceInferred, ConfidenceDocumented, ConfidenceInferred},
		{ConfidenceDocumented, ConfidenceInferred, ConfidenceInferred},
	}
	for _, tt := range tests {
		if got := weakerConfidence(tt.a, tt.b); got != tt.want {
			t.Errorf("weakerConfidence(%s, %s) = %s, want %s", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestMatchHostname(t *testing.T) {
	tests := []struct {
		pattern, host string
		want          bool
	}{
		{"scim.example.com", "SCIM.example.com", true},
		{"*.example.com", "scim.example.com", true},
		{"*.example.com", "a.b.example.com", false},
		{"*.example.com", "example.com", false},
		{"scim.example.com.", "scim.example.com", true},
		{"", "scim.example.com", false},
	}
	for _, tt := range tests {
		if got := matchHostname(tt.pattern, tt.host); got != tt.want {
			t.Errorf("matchHostname(%q, %q) = %v, want %v", tt.pattern, tt.host, got, tt.want)
		}
	}
}
