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
		{
			"TLS 1.2 with a known empty suite list fails both",
			Listener{Versions: Setting{Values: []string{"TLS 1.2"}}, Suites: Setting{Values: []string{}, Directive: "ciphers NULL-SHA256"}, ClientCertificate: off},
			[][]string{{"okta", "entra"}},
			[]string{"suites TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
		},
		{
			"TLS 1.2 with unknown suites passes",
			Listener{Versions: Setting{Values: []string{"TLS 1.2"}}, Suites: Setting{Unknown: true, Directive: "the library's default"}, ClientCertificate: off},
			nil, nil,
		},
		{
			"TLS 1.2 and 1.3 with both suite lists known empty fails both",
			Listener{Versions: modern, Suites: Setting{Values: []string{}, Directive: "-Djdk.tls.server.cipherSuites=TLS_RSA_WITH_AES_128_CBC_SHA"}, Suites13: Setting{Values: []string{}, Directive: "-Djdk.tls.server.cipherSuites=TLS_RSA_WITH_AES_128_CBC_SHA"}, ClientCertificate: off},
			[][]string{{"okta", "entra"}},
			[]string{"suites TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
		},
		{
			"TLS 1.3 suites unset count as the library's default",
			Listener{Versions: modern, Suites: Setting{Values: []string{}, Directive: "ciphers NULL-SHA256"}, ClientCertificate: off},
			[][]string{{"entra"}},
			[]string{"suites TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
		},
		{
			"TLS 1.3 only with a known empty TLS 1.3 list fails Okta",
			Listener{Versions: Setting{Values: []string{"TLS 1.3"}}, Suites: Setting{Values: []string{}}, Suites13: Setting{Values: []string{}, Directive: "ssl_conf_command Ciphersuites NONE;"}, SuitesWithTLS12: gcm.Values, ClientCertificate: off},
			[][]string{{"entra"}, {"okta"}},
			[]string{"versions TLS 1.2 TLS 1.3", "allow TLS_AES_128_GCM_SHA256 and TLS_AES_256_GCM_SHA384 among the TLS 1.3 suites of this line, or allow TLS 1.2 too"},
		},
		{
			"client allowing only TLS 1.0 fails calls to both APIs",
			Listener{Client: true, Versions: Setting{Values: []string{"TLS 1.0"}, Directive: "-Djdk.tls.client.protocols=TLSv1"}, Suites: gcm},
			[][]string{{"okta", "entra"}},
			[]string{"versions TLS 1.2 TLS 1.3"},
		},
		{
			"TLS 1.3-only client reaches both APIs",
			Listener{Client: true, Versions: Setting{Values: []string{"TLS 1.3"}, Directive: "-Djdk.tls.client.protocols=TLSv1.3"}, Suites: Setting{Values: []string{}}},
			nil, nil,
		},
		{
			"TLS 1.2 client with CBC suites only fails both APIs",
			Listener{Client: true, Versions: Setting{Values: []string{"TLS 1.2"}}, Suites: Setting{Values: []string{"TLS_RSA_WITH_AES_128_CBC_SHA"}}},
			[][]string{{"okta", "entra"}},
			[]string{"suites TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:TLS_RSA_WITH_AES_128_CBC_SHA"},
		},
		{
			"client certificate setting of a client is not judged",
			Listener{Client: true, Versions: modern, Suites: gcm, ClientCertificate: Setting{Values: []string{"required"}}},
			nil, nil,
		},
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

func TestJudgeTitles(t *testing.T) {
	tests := []struct {
		name      string
		listener  Listener
		wantTitle string
	}{
		{
			"IdP names are capitalised",
			Listener{Versions: Setting{Values: []string{"TLS 1.0"}}, Suites: Setting{Values: []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}}},
			"Okta and Entra ID share no protocol version with this listener, which allows TLS 1.0",
		},
		{
			"empty version list says at all",
			Listener{Versions: Setting{Values: []string{}}, Suites: Setting{Values: []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}}},
			"which allows no protocol version at all",
		},
		{
			"empty suite list says no cipher suite at all",
			Listener{Versions: Setting{Values: []string{"TLS 1.2"}}, Suites: Setting{Values: []string{}, Directive: "ciphers NULL-SHA256"}},
			"Okta and Entra ID share no cipher suite with this listener, which allows no cipher suite at all",
		},
		{
			"client with old versions names the APIs",
			Listener{Client: true, Versions: Setting{Values: []string{"TLS 1.0"}}},
			"calls from this client to Okta's and Entra ID's APIs fail: it allows only TLS 1.0; they require TLS 1.2 or later",
		},
		{
			"client without versions says at all",
			Listener{Client: true, Versions: Setting{Values: []string{}}},
			"calls from this client to Okta's and Entra ID's APIs fail: it allows no protocol version at all",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := tt.listener
			Judge(&l, lineFixer{})
			if len(l.Problems) == 0 {
				t.Fatalf("no problem, want one titled %q", tt.wantTitle)
			}
			if !strings.Contains(l.Problems[0].Title, tt.wantTitle) {
				t.Errorf("title = %q, want it to contain %q", l.Problems[0].Title, tt.wantTitle)
			}
		})
	}
}
