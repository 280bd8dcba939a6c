package audit

import (
	"slices"
	"strings"
	"testing"
)

// lineFixer writes corrected lines in a neutral syntax for the tests.
type lineFixer struct{}

func (lineFixer) VersionsLine(v []string) string { return "versions " + strings.Join(v, " ") }
func (lineFixer) SuitesLine(s []string) string   { return "suites " + strings.Join(s, ":") }

// certFixer is a lineFixer that also writes client-certificate lines.
type certFixer struct{ lineFixer }

func (certFixer) ClientCertificateLine(s Setting) string {
	return "verify optional instead of " + s.Directive
}

func TestJudge(t *testing.T) {
	modern := Setting{Values: []string{"TLS 1.2", "TLS 1.3"}, Directive: "default"}
	gcm := Setting{Values: []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}, Directive: "default"}
	off := Setting{Values: []string{"off"}, Directive: "default"}
	tests := []struct {
		name        string
		listener    Listener
		wantClients [][]string // per problem, in order
		wantFix     []string
	}{
		{"modern listener passes", Listener{Versions: modern, Suites: gcm, ClientCertificate: off}, nil, nil},
		{
			"TLS 1.0 only fails both IdPs",
			Listener{Versions: Setting{Values: []string{"TLS 1.0"}, File: "a.conf", Line: 3, Directive: "ssl_protocols TLSv1;"}, Suites: gcm, ClientCertificate: off},
			[][]string{{"okta", "entra"}},
			[]string{"versions TLS 1.2 TLS 1.3"},
		},
		{
			"TLS 1.2 with CBC-SHA only fails Entra",
			Listener{Versions: Setting{Values: []string{"TLS 1.2"}}, Suites: Setting{Values: []string{"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"}}, ClientCertificate: off},
			[][]string{{"entra"}},
			[]string{"suites TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
		},
		{
			"required client certificate fails both",
			Listener{Versions: modern, Suites: gcm, ClientCertificate: Setting{Values: []string{"required"}, Directive: "ssl_verify_client on;"}},
			[][]string{{"okta", "entra"}},
			[]string{"make client certificates optional or off for the SCIM path"},
		},
		{
			"TLS 1.0 with CBC-SHA gives both fixes at once",
			Listener{Versions: Setting{Values: []string{"TLS 1.0"}}, Suites: Setting{Values: []string{"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"}}, ClientCertificate: off},
			[][]string{{"okta", "entra"}, {"entra"}},
			[]string{"versions TLS 1.2 TLS 1.3", "suites TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
		},
		{
			"TLS 1.3 only judges the suites TLS 1.2 would bring",
			Listener{Versions: Setting{Values: []string{"TLS 1.3"}}, Suites: Setting{Values: []string{}}, SuitesWithTLS12: []string{"TLS_RSA_WITH_AES_128_CBC_SHA"}, ClientCertificate: off},
			[][]string{{"entra"}, {"entra"}},
			[]string{"versions TLS 1.2 TLS 1.3", "suites TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:TLS_RSA_WITH_AES_128_CBC_SHA"},
		},
		{
			"TLS 1.3 only with GCM for TLS 1.2 needs the version fix alone",
			Listener{Versions: Setting{Values: []string{"TLS 1.3"}}, Suites: Setting{Values: []string{}}, SuitesWithTLS12: gcm.Values, ClientCertificate: off},
			[][]string{{"entra"}},
			[]string{"versions TLS 1.2 TLS 1.3"},
		},
		{"deliberate rejecting listener is not judged", Listener{Versions: Setting{Values: []string{}}, RejectsHandshakes: true}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := tt.listener
			Judge(&l, lineFixer{})
			if tt.wantClients == nil && len(l.Problems) == 0 && l.Problems == nil {
				t.Errorf("Problems is nil, want an empty list")
			}
			if len(l.Problems) != len(tt.wantClients) {
				t.Fatalf("problems = %+v, want %d", l.Problems, len(tt.wantClients))
			}
			for i, p := range l.Problems {
				if !slices.Equal(p.Clients, tt.wantClients[i]) {
					t.Errorf("problem %d clients = %v, want %v", i, p.Clients, tt.wantClients[i])
				}
				if p.Fix != tt.wantFix[i] {
					t.Errorf("problem %d fix = %q, want %q", i, p.Fix, tt.wantFix[i])
				}
			}
		})
	}
}

func TestJudgeClientCertificateFix(t *testing.T) {
	l := Listener{
		Versions:          Setting{Values: []string{"TLS 1.2", "TLS 1.3"}},
		Suites:            Setting{Values: []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}},
		ClientCertificate: Setting{Values: []string{"required"}, Directive: "verify required"},
	}
	Judge(&l, certFixer{})
	if len(l.Problems) != 1 {
		t.Fatalf("problems = %+v, want 1", l.Problems)
	}
	if got, want := l.Problems[0].Fix, "verify optional instead of verify required"; got != want {
		t.Errorf("fix = %q, want %q from the format's ClientCertificateFixer", got, want)
	}
}
