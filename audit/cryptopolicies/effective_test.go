package cryptopolicies

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/audit"
)

// Red Hat documents the expected values come from.
const (
	rhel8Policies = `RHEL 8 Security hardening, "Using system-wide cryptographic policies", https://access.redhat.com/documentation/en-us/red_hat_enterprise_linux/8/html/security_hardening/using-the-system-wide-cryptographic-policies_security-hardening`
	rhel8TLS      = `RHEL 8 Securing networks, "Planning and implementing TLS", https://access.redhat.com/documentation/en-us/red_hat_enterprise_linux/8/html/securing_networks/planning-and-implementing-tls_securing-networks`
	rhel9Policies = `RHEL 9 Security hardening, "Using system-wide cryptographic policies", https://docs.redhat.com/en/documentation/red_hat_enterprise_linux/9/html/security_hardening/using-the-system-wide-cryptographic-policies_security-hardening`
	rhel9TLS      = `RHEL 9 Securing networks, "Planning and implementing TLS", https://docs.redhat.com/en/documentation/red_hat_enterprise_linux/9/html/securing_networks/planning-and-implementing-tls_securing-networks`
	rhel10Policy  = `RHEL 10 Security hardening, "Using system-wide cryptographic policies", https://docs.redhat.com/ko/documentation/red_hat_enterprise_linux/10/html/security_hardening/using-system-wide-cryptographic-policies`
	generator     = `python/policygenerators/openssl.py of the fedora-crypto-policies repository (2025)`
	ospp          = `policies/modules/OSPP.pmod of the fedora-crypto-policies repository (2025)`
)

func TestEffectiveBuiltinPolicies(t *testing.T) {
	tests := []struct {
		source   string
		release  Release
		spec     string
		versions []string
		// contains and lacks are TLS 1.2 suites; note is part of a note.
		contains []string
		lacks    []string
		note     string
	}{
		{rhel8Policies, RHEL8, "DEFAULT", []string{"TLS 1.2", "TLS 1.3"}, []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256"}, nil, "at least 2048 bits"},
		{rhel8TLS, RHEL8, "LEGACY", []string{"TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}, []string{"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"}, nil, "at least 1023 bits"},
		{rhel8Policies, RHEL8, "FUTURE", []string{"TLS 1.2", "TLS 1.3"}, []string{"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"}, []string{"TLS_RSA_WITH_AES_256_GCM_SHA384"}, "at least 3072 bits"},
		{rhel8Policies, RHEL8, "FIPS", []string{"TLS 1.2", "TLS 1.3"}, []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}, []string{"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"}, "FIPS policy"},
		{rhel9TLS, RHEL9, "DEFAULT", []string{"TLS 1.2", "TLS 1.3"}, []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256"}, nil, "at least 2048 bits"},
		{rhel9Policies, RHEL9, "LEGACY", []string{"TLS 1.2", "TLS 1.3"}, []string{"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"}, nil, "at least 2048 bits"},
		// FUTURE: "128-bit ciphers are disabled", "CBC-mode ciphers are
		// disabled except in Kerberos", keys of at least 3072 bits.
		{rhel9Policies, RHEL9, "FUTURE", []string{"TLS 1.2", "TLS 1.3"}, []string{"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
			[]string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"}, "at least 3072 bits"},
		{rhel9Policies, RHEL9, "FIPS", []string{"TLS 1.2", "TLS 1.3"}, []string{"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
			[]string{"TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_RSA_WITH_AES_128_GCM_SHA256"}, "extended master secret"},
		{ospp, RHEL9, "FIPS:OSPP", []string{"TLS 1.2"}, []string{"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
			[]string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"}, "at least 3072 bits"},
		{rhel9Policies, RHEL9, "LEGACY:AD-SUPPORT", []string{"TLS 1.2", "TLS 1.3"}, []string{"TLS_RSA_WITH_AES_128_GCM_SHA256"}, nil, "module AD-SUPPORT changes no setting"},
		{rhel9Policies, RHEL9, "DEFAULT:NO-SHA1", []string{"TLS 1.2", "TLS 1.3"}, []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}, nil, "OpenSSL rejects SHA-1 signatures"},
		// RHEL 10 DEFAULT: "TLS ciphers that use the RSA key exchange are
		// rejected"; LEGACY: "Ciphers that use the RSA key exchange are
		// accepted".
		{rhel10Policy, RHEL10, "DEFAULT", []string{"TLS 1.2", "TLS 1.3"}, []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}, []string{"TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_CBC_SHA"}, "MLKEM768-X25519"},
		{rhel10Policy, RHEL10, "LEGACY", []string{"TLS 1.2", "TLS 1.3"}, []string{"TLS_RSA_WITH_AES_128_GCM_SHA256"}, nil, "at least 2048 bits"},
		{rhel10Policy, RHEL10, "DEFAULT:SHA1", []string{"TLS 1.2", "TLS 1.3"}, []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}, []string{"TLS_RSA_WITH_AES_128_GCM_SHA256"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.release.String()+" "+tc.spec, func(t *testing.T) {
			spec, err := ParseSpec(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			c, err := Load(spec, LoadOptions{Release: tc.release})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			l := Effective(c)
			if !slices.Equal(l.Versions.Values, tc.versions) {
				t.Errorf("versions %v, want %v (source: %s)", l.Versions.Values, tc.versions, tc.source)
			}
			for _, s := range tc.contains {
				if !slices.Contains(l.Suites.Values, s) {
					t.Errorf("suites lack %s (source: %s): %v", s, tc.source, l.Suites.Values)
				}
			}
			for _, s := range tc.lacks {
				if slices.Contains(l.Suites.Values, s) {
					t.Errorf("suites contain %s (source: %s): %v", s, tc.source, l.Suites.Values)
				}
			}
			if tc.note != "" && !slices.ContainsFunc(l.Notes, func(n string) bool { return strings.Contains(n, tc.note) }) {
				t.Errorf("notes lack %q (source: %s): %q", tc.note, tc.source, l.Notes)
			}
			if want := tc.release.String() + " system policy " + tc.spec + " (OpenSSL back end)"; l.Name != want {
				t.Errorf("name %q, want %q", l.Name, want)
			}
		})
	}
}

func TestOpenSSLBackendStrings(t *testing.T) {
	// The expected lines are what the generator's rules give for RHEL 9's
	// DEFAULT and FUTURE policies.
	tests := []struct {
		spec, cipherString, ciphersuites string
	}{
		{"DEFAULT", "@SECLEVEL=2:kEECDH:kRSA:kEDH:kPSK:kDHEPSK:kECDHEPSK:kRSAPSK:-aDSS:-3DES:!DES:!RC4:!RC2:!IDEA:-SEED:!eNULL:!aNULL:!MD5:-SHA384:-CAMELLIA:-ARIA:-AESCCM8",
			"TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_128_CCM_SHA256"},
		{"FUTURE", "@SECLEVEL=3:kEECDH:kEDH:kPSK:kDHEPSK:kECDHEPSK:-kRSAPSK:-kRSA:-aDSS:-AES128:-SHA256:-3DES:!DES:!RC4:!RC2:!IDEA:-SEED:!eNULL:!aNULL:-SHA1:!MD5:-SHA384:-CAMELLIA:-ARIA:-AESCCM8",
			"TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			c, err := Load(Spec{Policy: tc.spec}, LoadOptions{Release: RHEL9})
			if err != nil {
				t.Fatal(err)
			}
			s := c.For(OpenSSL)
			if got := OpenSSLCipherString(s); got != tc.cipherString {
				t.Errorf("CipherString (source: %s)\n got %s\nwant %s", generator, got, tc.cipherString)
			}
			if got := OpenSSLCiphersuites(s); got != tc.ciphersuites {
				t.Errorf("Ciphersuites (source: %s)\n got %s\nwant %s", generator, got, tc.ciphersuites)
			}
		})
	}
}

func TestEffectiveCustomFiles(t *testing.T) {
	tests := []struct {
		name     string
		release  Release
		config   string
		files    map[string]string
		versions []string
		note     string
	}{
		{"custom module enabling TLS 1.0 on RHEL 9", RHEL9, "DEFAULT:TLS10",
			map[string]string{"modules/TLS10.pmod": "protocol@TLS = TLS1.0+ TLS1.1+\n"},
			[]string{"TLS 1.2", "TLS 1.3"}, "OpenSSL 3 on RHEL 9 rejects it at security level 2"},
		{"custom module enabling TLS 1.0 at level 0", RHEL9, "LEGACY:OLD",
			map[string]string{"modules/OLD.pmod": "protocol@TLS = TLS1.0+ TLS1.1+\nmin_rsa_size = 1000\nmin_dh_size = 1000\n"},
			[]string{"TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}, "security level 0"},
		{"custom policy with a version hole", RHEL8, "HOLE",
			map[string]string{"HOLE.pol": "protocol@TLS = TLS1.3 TLS1.0\nmin_rsa_size = 2048\nmin_dh_size = 2048\ncipher@TLS = AES-128-GCM AES-128-CBC\nkey_exchange = ECDHE\nmac = AEAD HMAC-SHA1\n"},
			[]string{"TLS 1.0", "TLS 1.1", "TLS 1.2", "TLS 1.3"}, "TLS 1.1 is not in the policy's protocol list"},
		{"custom module scoped to another back end", RHEL9, "DEFAULT:GNUTLS-ONLY",
			map[string]string{"modules/GNUTLS-ONLY.pmod": "protocol@gnutls = -TLS1.2\n"},
			[]string{"TLS 1.2", "TLS 1.3"}, ""},
		{"custom module for openssl only", RHEL9, "DEFAULT:TLS13",
			map[string]string{"modules/TLS13.pmod": "protocol@openssl = -TLS1.2\n"},
			[]string{"TLS 1.3"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			files := map[string]string{"config": tc.config + "\n"}
			for name, text := range tc.files {
				files["policies/"+name] = text
			}
			dir := writeFiles(t, files)
			listeners, _, err := Audit(filepath.Join(dir, "config"), Options{Release: tc.release})
			if err != nil {
				t.Fatalf("Audit: %v", err)
			}
			l := listeners[0]
			if !slices.Equal(l.Versions.Values, tc.versions) {
				t.Errorf("versions %v, want %v (from %q; notes %q)", l.Versions.Values, tc.versions, l.Versions.Directive, l.Notes)
			}
			if tc.note != "" && !slices.ContainsFunc(l.Notes, func(n string) bool { return strings.Contains(n, tc.note) }) {
				t.Errorf("notes lack %q: %q", tc.note, l.Notes)
			}
			if l.File != filepath.Join(dir, "config") || l.Line != 1 {
				t.Errorf("listener at %s:%d, want the config file's line 1", l.File, l.Line)
			}
		})
	}
}

func TestAuditErrors(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"unknown/config":                      "NOSUCH\n",
		"unknownmod/config":                   "DEFAULT:NOSUCH\n",
		"modfirst/config":                     "AD-SUPPORT\n",
		"polsecond/config":                    "DEFAULT:LEGACY\n",
		"badcustom/config":                    "DEFAULT:BAD\n",
		"badcustom/policies/modules/BAD.pmod": "cipher = AES-128-GCM -AES-256-GCM\n",
	})
	tests := []struct {
		dir  string
		want []string
	}{
		{"unknown", []string{"config:1", "unknown policy NOSUCH for RHEL 9", "built in: DEFAULT, FIPS, FUTURE, LEGACY"}},
		{"unknownmod", []string{"config:1", "unknown module NOSUCH", "AD-SUPPORT"}},
		{"modfirst", []string{"config:1", "AD-SUPPORT is a module, not a policy"}},
		{"polsecond", []string{"config:1", "LEGACY is a policy, not a module"}},
		{"badcustom", []string{"BAD.pmod:1", "mixes a new list"}},
	}
	for _, tc := range tests {
		t.Run(tc.dir, func(t *testing.T) {
			_, _, err := Audit(filepath.Join(dir, tc.dir, "config"), Options{})
			if err == nil {
				t.Fatal("Audit succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		path, head string
		want       bool
	}{
		{"/etc/crypto-policies/config", "DEFAULT\n", true},
		{"/etc/crypto-policies/config", "# comment\nLEGACY:AD-SUPPORT\n", true},
		{"/tmp/audit/config", "FIPS:OSPP", true},
		{"/etc/crypto-policies/policies/MY.pol", "", true},
		{"/etc/crypto-policies/policies/modules/MY.pmod", "", true},
		{"/home/user/project/config", "[core]\n\tbare = false\n", false},
		{"/etc/crypto-policies/config", "DEFAULT\nFUTURE\n", false},
		{"/etc/nginx/nginx.conf", "DEFAULT\n", false},
		{"/etc/crypto-policies/config", "default\n", false},
	}
	for _, tc := range tests {
		if got := Detect(tc.path, []byte(tc.head)); got != tc.want {
			t.Errorf("Detect(%s, %q) = %v, want %v", tc.path, tc.head, got, tc.want)
		}
	}
}

func TestAuditModuleAndPolicyFiles(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"policies/MYPOL.pol":             "protocol@TLS = TLS1.3\ncipher@TLS = AES-256-GCM\nmin_rsa_size = 2048\nmin_dh_size = 2048\nkey_exchange = ECDHE\nmac = AEAD\n",
		"policies/modules/NO-TLS12.pmod": "protocol@TLS = -TLS1.2\n",
		"elsewhere/ONLY13.pmod":          "protocol@openssl = -TLS1.2\n",
	})
	listeners, _, err := Audit(filepath.Join(dir, "policies/MYPOL.pol"), Options{Release: RHEL9})
	if err != nil {
		t.Fatalf("Audit(.pol): %v", err)
	}
	if got := listeners[0]; !slices.Equal(got.Versions.Values, []string{"TLS 1.3"}) || got.Versions.Line != 1 || got.Name != "RHEL 9 system policy MYPOL (OpenSSL back end)" {
		t.Errorf("policy file listener %q versions %v from line %d", got.Name, got.Versions.Values, got.Versions.Line)
	}
	listeners, _, err = Audit(filepath.Join(dir, "policies/modules/NO-TLS12.pmod"), Options{Release: RHEL9})
	if err != nil {
		t.Fatalf("Audit(.pmod): %v", err)
	}
	l := listeners[0]
	if !slices.Equal(l.Versions.Values, []string{"TLS 1.3"}) || l.Name != "RHEL 9 system policy DEFAULT:NO-TLS12 (OpenSSL back end)" {
		t.Errorf("module listener %q versions %v", l.Name, l.Versions.Values)
	}
	if !strings.HasSuffix(l.Versions.File, "NO-TLS12.pmod") || l.Versions.Line != 1 {
		t.Errorf("versions from %s:%d, want NO-TLS12.pmod:1", l.Versions.File, l.Versions.Line)
	}

	// A module outside a modules folder is still found.
	listeners, _, err = Audit(filepath.Join(dir, "elsewhere/ONLY13.pmod"), Options{Release: RHEL10})
	if err != nil {
		t.Fatalf("Audit(module outside modules/): %v", err)
	}
	if got := listeners[0].Versions.Values; !slices.Equal(got, []string{"TLS 1.3"}) {
		t.Errorf("versions %v, want TLS 1.3 only", got)
	}
}

func TestFixer(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"config":                        "LEGACY:OLDONLY\n",
		"policies/modules/OLDONLY.pmod": "protocol@TLS = TLS1.1 TLS1.0\n",
	})
	r, err := audit.Run([]string{filepath.Join(dir, "config")}, "", []audit.Format{FormatFor(Options{Release: RHEL8})})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Files) != 1 || r.Files[0].Type != "crypto-policies" || r.Files[0].Error != "" {
		t.Fatalf("report files %+v, want one crypto-policies file", r.Files)
	}
	l := r.Files[0].Listeners[0]
	if !slices.Equal(l.Versions.Values, []string{"TLS 1.0", "TLS 1.1"}) {
		t.Fatalf("versions %v, want TLS 1.0 and 1.1", l.Versions.Values)
	}
	if len(l.Problems) == 0 {
		t.Fatalf("no problem for a TLS 1.0-1.1 policy")
	}
	p := l.Problems[0]
	if !strings.HasPrefix(p.Fix, "protocol@TLS = TLS1.3 TLS1.2 DTLS1.2 (in ") || !strings.Contains(p.Fix, "OLDONLY.pmod") || !strings.Contains(p.Fix, "update-crypto-policies --set LEGACY:OLDONLY") {
		t.Errorf("fix %q, want the protocol@TLS line for OLDONLY.pmod", p.Fix)
	}
	if p.Line != 1 || !strings.HasSuffix(p.File, "OLDONLY.pmod") {
		t.Errorf("problem at %s:%d, want OLDONLY.pmod:1", p.File, p.Line)
	}

	fix := Fixer{Composite: &Composite{Spec: Spec{Policy: "FUTURE", Modules: []string{"AD-SUPPORT"}}}}
	if got := fix.VersionsLine([]string{"TLS 1.2", "TLS 1.3"}); !strings.HasPrefix(got, "update-crypto-policies --set DEFAULT:AD-SUPPORT (which writes DEFAULT:AD-SUPPORT to /etc/crypto-policies/config)") {
		t.Errorf("VersionsLine for a built-in policy = %q", got)
	}
	if got := fix.SuitesLine(nil); !strings.Contains(got, "SCIM-IDP.pmod") || !strings.Contains(got, "--set FUTURE:AD-SUPPORT:SCIM-IDP") {
		t.Errorf("SuitesLine = %q", got)
	}
}

func TestRunTestdataFolder(t *testing.T) {
	r, err := audit.Run([]string{"testdata/etc-crypto-policies"}, "", []audit.Format{Format()})
	if err != nil {
		t.Fatal(err)
	}
	type listenerWant struct {
		name     string
		versions []string
		problems int
	}
	// Each file gives the OpenSSL listener, then the Java one. NO-TLS13
	// is scoped @openssl, so Java keeps TLS 1.3.
	want := map[string][2]listenerWant{
		"testdata/etc-crypto-policies/config": {
			{"RHEL 9 system policy DEFAULT:NO-TLS13:AD-SUPPORT (OpenSSL back end)", []string{"TLS 1.2"}, 0},
			{"RHEL 9 system policy DEFAULT:NO-TLS13:AD-SUPPORT (Java back end, OpenJDK 17 server side)", []string{"TLS 1.2", "TLS 1.3"}, 0},
		},
		"testdata/etc-crypto-policies/policies/OLDAPP.pol": {
			{"RHEL 9 system policy OLDAPP (OpenSSL back end)", []string{}, 1},
			{"RHEL 9 system policy OLDAPP (Java back end, OpenJDK 17 server side)", []string{"TLS 1.0", "TLS 1.1"}, 1},
		},
		"testdata/etc-crypto-policies/policies/modules/NO-TLS13.pmod": {
			{"RHEL 9 system policy DEFAULT:NO-TLS13 (OpenSSL back end)", []string{"TLS 1.2"}, 0},
			{"RHEL 9 system policy DEFAULT:NO-TLS13 (Java back end, OpenJDK 17 server side)", []string{"TLS 1.2", "TLS 1.3"}, 0},
		},
	}
	if len(r.Files) != len(want) {
		t.Fatalf("audited %d files, want %d: %+v", len(r.Files), len(want), r.Files)
	}
	for _, f := range r.Files {
		ws, ok := want[f.Path]
		if !ok || f.Error != "" || len(f.Listeners) != len(ws) {
			t.Errorf("file %s: error %q, %d listeners", f.Path, f.Error, len(f.Listeners))
			continue
		}
		for i, w := range ws {
			l := f.Listeners[i]
			if l.Name != w.name {
				t.Errorf("%s: name %q, want %q", f.Path, l.Name, w.name)
			}
			if !slices.Equal(l.Versions.Values, w.versions) {
				t.Errorf("%s: %s: versions %v, want %v (notes %q)", f.Path, l.Name, l.Versions.Values, w.versions, l.Notes)
			}
			if len(l.Problems) != w.problems {
				t.Errorf("%s: %s: problems %+v, want %d", f.Path, l.Name, l.Problems, w.problems)
			}
		}
	}
}

// writeFiles writes files (relative name to content) under a new folder
// and returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
