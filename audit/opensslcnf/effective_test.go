package opensslcnf

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/audit"
)

// debian11SystemDefault is the TLS part of the /etc/ssl/openssl.cnf of
// Debian 10 and 11 (OpenSSL 1.1.1): MinProtocol = TLSv1.2 and CipherString
// = DEFAULT@SECLEVEL=2 in [system_default_sect], as the Debian wiki page
// ContinuousIntegration/TriagingTips/openssl-1.1.1 gives them (quoted at
// http://pullrequest.ru/14792499/chto-moglo-vyzvat-oshibku-key-too-small).
const debian11SystemDefault = `openssl_conf = default_conf
[default_conf]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
MinProtocol = TLSv1.2
CipherString = DEFAULT@SECLEVEL=2
`

func TestEffectiveVersions(t *testing.T) {
	tests := []struct {
		name     string
		platform Platform
		text     string
		want     []string
		// from is a part of the Directive that decided the versions.
		from string
		note string
	}{
		// Source: Debian 12's openssl 3.0 package has no ssl_conf (see
		// TestParseDebianShippedFile) and rejects TLS 1.0 and 1.1 at its
		// default level 2, as the live test measures.
		{"debian12 without system_default", Debian12, "openssl_conf = openssl_init\n[openssl_init]\n", []string{"TLS 1.2", "TLS 1.3"}, "security level 2 rejects", "TLS 1.0 is allowed by the protocol settings"},
		// Source: Debian 11's openssl.cnf, see debian11SystemDefault.
		{"debian11 shipped system_default", Debian11, debian11SystemDefault, []string{"TLS 1.2", "TLS 1.3"}, "MinProtocol = TLSv1.2", ""},
		// OpenSSL 1.1.1 without Ubuntu's patch ties no TLS version to a
		// security level, so without Debian's MinProtocol line TLS 1.0
		// comes back.
		{"debian11 without MinProtocol", Debian11, strings.Replace(debian11SystemDefault, "MinProtocol = TLSv1.2\n", "", 1), []string{"TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}, "default of Debian 11", ""},
		// Source: Ubuntu security documentation, "Disable legacy TLS"
		// (https://documentation.ubuntu.com/security/security-features/cryptography/legacy-tls):
		// level 2 by default disables TLS 1.0 and 1.1, and SECLEVEL=1
		// enables them again.
		{"ubuntu2004 default level", Ubuntu2004, "", []string{"TLS 1.2", "TLS 1.3"}, "security level 2 rejects", ""},
		{"ubuntu2004 seclevel 1", Ubuntu2004, chainHead + "CipherString = DEFAULT@SECLEVEL=1\n", []string{"TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}, "default of Ubuntu 20.04", ""},
		{"protocol list", Debian12, chainHead + "Protocol = -ALL, TLSv1.2\n", []string{"TLS 1.2"}, "Protocol = -ALL, TLSv1.2", ""},
		// Measured with s_server: the items before the unknown one apply.
		{"protocol list unknown item", Debian12, chainHead + "Protocol = -ALL, TLSv1.2, TLSv9, TLSv1.3\n", []string{"TLS 1.2"}, "Protocol = -ALL", "Protocol item \"TLSv9\" is unknown"},
		{"min above max", Debian12, chainHead + "MinProtocol = TLSv1.3\nMaxProtocol = TLSv1.2\n", []string{}, "MaxProtocol = TLSv1.2", "above MaxProtocol"},
		{"invalid MinProtocol", Debian12, chainHead + "MinProtocol = TLS1.2\n", []string{"TLS 1.2", "TLS 1.3"}, "", "MinProtocol value \"TLS1.2\" is invalid"},
		{"dtls bound ignored", Debian12, chainHead + "MinProtocol = DTLSv1.2\nMaxProtocol = TLSv1.2\n", []string{"TLS 1.2"}, "MaxProtocol = TLSv1.2", ""},
		{"max none", Debian12, chainHead + "MaxProtocol = None\n", []string{"TLS 1.2", "TLS 1.3"}, "", ""},
		{"seclevel 0 in cipher string", Debian12, chainHead + "CipherString = ALL:@SECLEVEL=0\n", []string{"TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}, "default of Debian 12", ""},
		{"unknown command", Debian12, chainHead + "MinProtocl = TLSv1.3\n", []string{"TLS 1.2", "TLS 1.3"}, "", "\"MinProtocl\" is not an SSL_CONF command"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ParseText("openssl.cnf", []byte(tc.text), ParseOptions{NoIncludes: true})
			if err != nil {
				t.Fatalf("ParseText: %v", err)
			}
			p, err := PolicyOf(cfg)
			if err != nil {
				t.Fatalf("PolicyOf: %v", err)
			}
			l := Effective(p, Options{Platform: tc.platform})
			if !slices.Equal(l.Versions.Values, tc.want) {
				t.Errorf("versions %v, want %v (from %q; notes %q)", l.Versions.Values, tc.want, l.Versions.Directive, l.Notes)
			}
			if !strings.Contains(l.Versions.Directive, tc.from) {
				t.Errorf("versions from %q, want it to contain %q", l.Versions.Directive, tc.from)
			}
			if tc.note != "" && !slices.ContainsFunc(l.Notes, func(n string) bool { return strings.Contains(n, tc.note) }) {
				t.Errorf("notes %q lack %q", l.Notes, tc.note)
			}
		})
	}
}

func TestEffectiveSuites(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		keyType  string
		contains []string
		lacks    []string
		want13   []string
		note     string
	}{
		{"default list", "", "", []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_AES_128_CBC_SHA"},
			[]string{"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_PSK_WITH_AES_128_GCM_SHA256"},
			[]string{"TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"}, ""},
		{"ecdsa certificate", "", "aECDSA", []string{"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}, []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}, nil, "ECDSA certificate"},
		{"invalid cipher string keeps DEFAULT", chainHead + "CipherString = NOSUCHCIPHER\n", "", []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}, nil, nil, "CipherString \"NOSUCHCIPHER\" is invalid"},
		{"ciphersuites limited", chainHead + "Ciphersuites = TLS_AES_128_GCM_SHA256\n", "", nil, nil, []string{"TLS_AES_128_GCM_SHA256"}, ""},
		{"ciphersuites with a tls12 name", chainHead + "Ciphersuites = ECDHE-RSA-AES128-GCM-SHA256\n", "", nil, nil, []string{"TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256"}, "OpenSSL skips the command"},
		{"tls11 max drops tls12-only suites", chainHead + "MaxProtocol = TLSv1.1\nCipherString = DEFAULT:@SECLEVEL=0\n", "", []string{"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"}, []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ParseText("openssl.cnf", []byte(tc.text), ParseOptions{NoIncludes: true})
			if err != nil {
				t.Fatalf("ParseText: %v", err)
			}
			p, err := PolicyOf(cfg)
			if err != nil {
				t.Fatalf("PolicyOf: %v", err)
			}
			l := Effective(p, Options{Platform: Debian12, KeyType: tc.keyType})
			for _, s := range tc.contains {
				if !slices.Contains(l.Suites.Values, s) {
					t.Errorf("suites lack %s: %v", s, l.Suites.Values)
				}
			}
			for _, s := range tc.lacks {
				if slices.Contains(l.Suites.Values, s) {
					t.Errorf("suites contain %s: %v", s, l.Suites.Values)
				}
			}
			if tc.want13 != nil && !slices.Equal(l.Suites13.Values, tc.want13) {
				t.Errorf("TLS 1.3 suites %v, want %v", l.Suites13.Values, tc.want13)
			}
			if tc.note != "" && !slices.ContainsFunc(l.Notes, func(n string) bool { return strings.Contains(n, tc.note) }) {
				t.Errorf("notes %q lack %q", l.Notes, tc.note)
			}
		})
	}
}

func TestParsePlatform(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"debian12", "Debian 12"},
		{"Ubuntu 22.04", "Ubuntu 22.04"},
		{"ubuntu-20.04", "Ubuntu 20.04"},
		{"Debian11", "Debian 11"},
	}
	for _, tc := range tests {
		p, err := ParsePlatform(tc.in)
		if err != nil || p.Name != tc.want {
			t.Errorf("ParsePlatform(%q) = %q, %v; want %q", tc.in, p.Name, err, tc.want)
		}
	}
	if _, err := ParsePlatform("rhel9"); err == nil || !strings.Contains(err.Error(), "use debian12") {
		t.Errorf("ParsePlatform(rhel9) error %v, want one listing the platforms", err)
	}
}

func TestEffectiveClientCertificate(t *testing.T) {
	tests := []struct{ value, want string }{
		{"", "off"},
		{"Peer", "optional"},
		{"Peer,Require", "required"},
		{"Request", "optional"},
	}
	for _, tc := range tests {
		t.Run("VerifyMode "+tc.value, func(t *testing.T) {
			text := chainHead
			if tc.value != "" {
				text += "VerifyMode = " + tc.value + "\n"
			}
			cfg, err := ParseText("openssl.cnf", []byte(text), ParseOptions{NoIncludes: true})
			if err != nil {
				t.Fatal(err)
			}
			p, err := PolicyOf(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got := Effective(p, Options{Platform: Debian12}).ClientCertificate.Values; !slices.Equal(got, []string{tc.want}) {
				t.Errorf("client certificate %v, want %s", got, tc.want)
			}
		})
	}
}

func TestPolicyChainErrors(t *testing.T) {
	tests := []struct {
		name, text string
		line       int
		want       string
	}{
		{"missing init section", "openssl_conf = nowhere\n", 1, "[nowhere], which does not exist"},
		{"missing ssl section", "openssl_conf = i\n[i]\nssl_conf = s\n", 3, "[s], which does not exist"},
		{"missing system_default section", "openssl_conf = i\n[i]\nssl_conf = s\n[s]\nsystem_default = d\n", 5, "[d], which does not exist"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ParseText("openssl.cnf", []byte(tc.text), ParseOptions{NoIncludes: true})
			if err != nil {
				t.Fatal(err)
			}
			_, err = PolicyOf(cfg)
			var pe *ParseError
			if !errorsAs(err, &pe) || pe.Line != tc.line || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("PolicyOf error %v, want line %d with %q", err, tc.line, tc.want)
			}
		})
	}
}

func TestSystemDefaultRHELLayout(t *testing.T) {
	// The layout of RHEL 9's /etc/pki/tls/openssl.cnf: the crypto-policies
	// back end is included into the system_default section. Its lines
	// carry TLS. and DTLS. prefixes, which OpenSSL drops.
	dir := writeFiles(t, map[string]string{
		"back-ends/opensslcnf.config": "CipherString = @SECLEVEL=2:kEECDH:kRSA:kEDH:kPSK:kDHEPSK:kECDHEPSK:kRSAPSK:-aDSS:-3DES:!DES:!RC4:!RC2:!IDEA:-SEED:!eNULL:!aNULL:!MD5:-SHA384:-CAMELLIA:-ARIA:-AESCCM8\n" +
			"Ciphersuites = TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256\n" +
			"TLS.MinProtocol = TLSv1.2\nTLS.MaxProtocol = TLSv1.3\nDTLS.MinProtocol = DTLSv1.2\nDTLS.MaxProtocol = DTLSv1.2\n",
		"openssl.cnf": "openssl_conf = openssl_init\n[openssl_init]\nssl_conf = ssl_module\n[ssl_module]\nsystem_default = crypto_policy\n[crypto_policy]\n.include = BACKENDS/opensslcnf.config\n",
	})
	path := filepath.Join(dir, "openssl.cnf")
	rewrite(t, path, "BACKENDS", filepath.Join(dir, "back-ends"))

	p, err := SystemDefault(path)
	if err != nil {
		t.Fatalf("SystemDefault: %v", err)
	}
	if p.MinProtocol == nil || p.MinProtocol.Value != "TLSv1.2" || p.MinProtocol.Name != "MinProtocol" {
		t.Fatalf("MinProtocol %+v, want TLSv1.2 from TLS.MinProtocol", p.MinProtocol)
	}
	if p.MaxProtocol == nil || p.MaxProtocol.Value != "TLSv1.3" {
		t.Errorf("MaxProtocol %+v, want TLSv1.3 (the DTLS line applies to DTLS only)", p.MaxProtocol)
	}
	if s := p.MinProtocol.Setting([]string{"TLS 1.2"}); s.Line != 3 || !strings.HasSuffix(s.File, "opensslcnf.config") {
		t.Errorf("MinProtocol setting %+v, want opensslcnf.config:3", s)
	}

	l := Effective(p, Options{Platform: Debian12})
	if !slices.Equal(l.Versions.Values, []string{"TLS 1.2", "TLS 1.3"}) {
		t.Errorf("versions %v", l.Versions.Values)
	}
	if !slices.Contains(l.Suites13.Values, "TLS_AES_128_CCM_SHA256") {
		t.Errorf("TLS 1.3 suites %v lack TLS_AES_128_CCM_SHA256", l.Suites13.Values)
	}
	if slices.ContainsFunc(l.Suites.Values, func(s string) bool {
		return strings.Contains(s, "CAMELLIA") || strings.Contains(s, "SHA384") && strings.Contains(s, "CBC")
	}) {
		t.Errorf("suites %v contain CAMELLIA or CBC-SHA384 suites that -CAMELLIA and -SHA384 remove", l.Suites.Values)
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		path, head string
		want       bool
	}{
		{"/etc/ssl/openssl.cnf", "", true},
		{"/etc/pki/tls/openssl-legacy.cnf", "", true},
		{"/tmp/custom.conf", "HOME = .\nopenssl_conf = openssl_init\n", true},
		{"/tmp/x", "[ system_default_sect ]\nMinProtocol = TLSv1.2\n", true},
		{"/tmp/tls.cnf", "[tls]\nCipherString = DEFAULT\n", true},
		{"/tmp/nginx.conf", "server {\n listen 443 ssl;\n}\n", false},
		{"/tmp/stunnel.conf", "[scim]\naccept = 443\n", false},
		{"/tmp/openssl.cnf.bin", "\x00\x01", false},
	}
	for _, tc := range tests {
		if got := Detect(tc.path, []byte(tc.head)); got != tc.want {
			t.Errorf("Detect(%s, %q) = %v, want %v", tc.path, tc.head, got, tc.want)
		}
	}
}

func TestFixer(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"with.cnf":    chainHead + "MaxProtocol = TLSv1.1\n",
		"without.cnf": "openssl_conf = openssl_init\n[openssl_init]\n",
	})
	_, fix, err := Audit(filepath.Join(dir, "with.cnf"), Options{Platform: Debian12})
	if err != nil {
		t.Fatal(err)
	}
	if got := fix.VersionsLine([]string{"TLS 1.2", "TLS 1.3"}); !strings.HasPrefix(got, "MinProtocol = TLSv1.2 and MaxProtocol = TLSv1.3 in [system_default_sect] (") || !strings.HasSuffix(got, "with.cnf:6)") {
		t.Errorf("VersionsLine = %q", got)
	}
	if got := fix.VersionsLine([]string{"TLS 1.2"}); !strings.HasPrefix(got, "MinProtocol = TLSv1.2 and MaxProtocol = TLSv1.2") {
		t.Errorf("VersionsLine(TLS 1.2) = %q", got)
	}
	if got := fix.SuitesLine([]string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_NOT_A_SUITE"}); !strings.HasPrefix(got, "CipherString = ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=2 in [system_default_sect]") {
		t.Errorf("SuitesLine = %q", got)
	}
	_, fix, err = Audit(filepath.Join(dir, "without.cnf"), Options{Platform: Debian12})
	if err != nil {
		t.Fatal(err)
	}
	if got := fix.VersionsLine(nil); !strings.HasPrefix(got, "add openssl_conf = openssl_init") || !strings.HasSuffix(got, "MinProtocol = TLSv1.2 to [system_default_sect]") {
		t.Errorf("VersionsLine without a section = %q", got)
	}
}

func TestRunTestdataFolder(t *testing.T) {
	abs, err := filepath.Abs("testdata/rhel9")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("SCIMDOCTOR_TESTDATA", abs)
	r, err := audit.Run([]string{"testdata"}, "", []audit.Format{Format()})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		versions []string
		problems int
	}{
		"testdata/legacy-tls10.cnf":  {[]string{"TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}, 0},
		"testdata/rhel9/openssl.cnf": {[]string{"TLS 1.2", "TLS 1.3"}, 0},
		"testdata/tls11-only.cnf":    {[]string{"TLS 1.0", "TLS 1.1"}, 1},
	}
	if len(r.Files) != len(want) {
		t.Fatalf("audited %d files, want %d: %+v", len(r.Files), len(want), r.Files)
	}
	for _, f := range r.Files {
		w, ok := want[f.Path]
		if !ok || f.Error != "" || len(f.Listeners) != 1 {
			t.Errorf("file %s: error %q, %d listeners", f.Path, f.Error, len(f.Listeners))
			continue
		}
		l := f.Listeners[0]
		if !slices.Equal(l.Versions.Values, w.versions) {
			t.Errorf("%s: versions %v, want %v", f.Path, l.Versions.Values, w.versions)
		}
		if len(l.Problems) != w.problems {
			t.Errorf("%s: problems %+v, want %d", f.Path, l.Problems, w.problems)
		}
	}
	if r.ExitCode != 1 {
		t.Errorf("exit code %d, want 1 for the TLS 1.1-only file", r.ExitCode)
	}
}

func TestRunJudgesSystemDefault(t *testing.T) {
	dir := writeFiles(t, map[string]string{"openssl.cnf": chainHead + "MaxProtocol = TLSv1.1\nCipherString = DEFAULT:@SECLEVEL=0\n"})
	r, err := audit.Run([]string{filepath.Join(dir, "openssl.cnf")}, "", []audit.Format{Format()})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Files) != 1 || r.Files[0].Type != "openssl" || len(r.Files[0].Listeners) != 1 {
		t.Fatalf("report %+v, want one openssl file with one listener", r)
	}
	l := r.Files[0].Listeners[0]
	if len(l.Problems) == 0 || !strings.Contains(l.Problems[0].Fix, "MinProtocol = TLSv1.2") {
		t.Errorf("problems %+v, want a version problem fixed by MinProtocol = TLSv1.2", l.Problems)
	}
	if r.ExitCode != 1 {
		t.Errorf("exit code %d, want 1", r.ExitCode)
	}
}

func errorsAs(err error, target **ParseError) bool {
	return errors.As(err, target)
}

func rewrite(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(data), old, new)), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestMinProtocolNoteNamesServers checks the note on which servers take
// MinProtocol from openssl.cnf: stunnel alone, as measured.
func TestMinProtocolNoteNamesServers(t *testing.T) {
	dir := writeFiles(t, map[string]string{"openssl.cnf": chainHead + "MinProtocol = TLSv1.3\n"})
	listeners, _, err := Audit(filepath.Join(dir, "openssl.cnf"), Options{Platform: Debian12})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range listeners {
		if slices.ContainsFunc(l.Notes, func(n string) bool { return strings.Contains(n, "still gets this MinProtocol") }) {
			t.Errorf("notes %q claim every server without a version directive gets MinProtocol", l.Notes)
		}
		if !slices.Contains(l.Notes, minProtocolNote) {
			t.Errorf("notes %q lack the measured note per server", l.Notes)
		}
	}
	for _, want := range []string{"stunnel 5.68 accepted TLS 1.3 alone", "nginx 1.22.1 kept its default ssl_protocols (TLS 1.2 alone", "Apache 2.4 its default SSLProtocol (TLS 1.2 and 1.3)", "HAProxy 2.6.12 its default minimum (TLS 1.2 and 1.3)"} {
		if !strings.Contains(minProtocolNote, want) {
			t.Errorf("note %q lacks %q", minProtocolNote, want)
		}
	}
}
