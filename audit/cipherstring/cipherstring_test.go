package cipherstring

import (
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// debianSecurityLevel is the security level of Debian 12's OpenSSL 3.0 when
// no @SECLEVEL is given: the build sets OPENSSL_TLS_SECURITY_LEVEL=2 and
// /etc/ssl/openssl.cnf sets no CipherString. TestDebianDefaultLevel checks it.
const debianSecurityLevel = 2

// realStrings are cipher strings from real configurations and common
// advice, each compared with the real `openssl ciphers -V`.
var realStrings = []struct {
	name string
	s    string
	// known, when set, is a difference from OpenSSL that is understood,
	// with its reason. The test then expects the lists to differ.
	known string
}{
	{name: "mozilla intermediate v5", s: "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305"},
	{name: "mozilla old v5", s: "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:DHE-RSA-AES128-SHA256:DHE-RSA-AES256-SHA256:AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256:AES128-SHA:AES256-SHA:DES-CBC3-SHA"},
	{name: "mozilla modern v4", s: "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256"},
	{name: "nginx default", s: "HIGH:!aNULL:!MD5"},
	{name: "apache centos default", s: "HIGH:MEDIUM:!MD5:!RC4:!3DES"},
	{name: "apache debian default", s: "HIGH:!aNULL"},
	{name: "apache 2.2 default", s: "ALL:!ADH:!EXPORT:!SSLv2:RC4+RSA:+HIGH:+MEDIUM:+LOW"},
	{name: "haproxy debian default", s: "ECDH+AESGCM:DH+AESGCM:ECDH+AES256:DH+AES256:ECDH+AES128:DH+AES:RSA+AESGCM:RSA+AES:!aNULL:!MD5:!DSS"},
	{name: "hynek 2014", s: "ECDH+AESGCM:DH+AESGCM:ECDH+AES256:DH+AES256:ECDH+AES128:DH+AES:ECDH+3DES:DH+3DES:RSA+AESGCM:RSA+AES:RSA+3DES:!aNULL:!MD5:!DSS"},
	{name: "hynek kEECDH", s: "kEECDH+ECDSA+AES128:kEECDH+ECDSA+AES256:kEECDH+AES128:kEECDH+AES256:kEDH+AES128:kEDH+AES256:DES-CBC3-SHA:+SHA:!aNULL:!eNULL:!LOW:!kECDH:!DSS:!MD5:!RC4:!EXP:!PSK:!SRP:!CAMELLIA:!SEED"},
	{name: "cipherli.st", s: "EECDH+AESGCM:EDH+AESGCM:AES256+EECDH:AES256+EDH"},
	{name: "cipherli.st legacy", s: "EECDH+AESGCM:EDH+AESGCM:AES256+EECDH:AES256+EDH:ECDHE-RSA-AES128-SHA:DHE-RSA-AES128-SHA:!aNULL:!eNULL:!EXPORT:!DES:!RC4:!3DES:!MD5:!PSK"},
	{name: "all without export and low", s: "ALL:!EXPORT:!LOW"},
	{name: "openssl 1.0.2 default rule", s: "ALL:!EXPORT:!LOW:!aNULL:!eNULL:!SSLv2"},
	{name: "default at level 0", s: "DEFAULT:@SECLEVEL=0"},
	{name: "default with level suffix", s: "DEFAULT@SECLEVEL=2"},
	{name: "rc4 only", s: "RC4-SHA"},
	{name: "aes and 3des", s: "AES128-SHA:DES-CBC3-SHA"},
	{name: "eecdh edh aesgcm", s: "EECDH+AESGCM:EDH+AESGCM"},
	{name: "one suite not anull", s: "ECDHE-RSA-AES128-GCM-SHA256:!aNULL"},
	{name: "high without 3des", s: "HIGH:!aNULL:!MD5:!3DES"},
	{name: "ecdhe not complement", s: "ECDHE:!COMPLEMENTOFDEFAULT"},
	{name: "all by strength", s: "ALL:@STRENGTH"},
	{name: "default without dh", s: "DEFAULT:!DH"},
	{name: "high medium no rc4", s: "HIGH:MEDIUM:!aNULL:!MD5:!RC4"},
	{name: "aesgcm not anull", s: "AESGCM:!aNULL"},
	{name: "tls12 only suites", s: "TLSv1.2:!aNULL:!eNULL"},
	{name: "beast era rc4 first", s: "RC4-SHA:AES128-SHA:HIGH:!aNULL:!MD5"},
	{name: "three explicit suites", s: "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384"},
	{name: "high without camellia", s: "HIGH:!aNULL:!eNULL:!EXPORT:!DES:!RC4:!MD5:!PSK:!SRP:!CAMELLIA"},
	{name: "fedora profile", s: "PROFILE=SYSTEM"},
	{name: "ecdhe aesgcm", s: "ECDHE+AESGCM"},
	{name: "chacha before gcm", s: "ECDHE+CHACHA20:ECDHE+AESGCM"},
	{name: "chacha aesgcm strength", s: "CHACHA20:AESGCM:!aNULL:@STRENGTH"},
	{name: "default hardened", s: "DEFAULT:!aNULL:!eNULL:!MD5:!3DES:!DES:!RC4:!IDEA:!SEED:!aDSS:!SRP:!PSK"},
	{name: "fips alias", s: "FIPS"},
	{name: "postfix style", s: "HIGH:!aNULL:!kRSA:!PSK:!SRP:!MD5:!RC4"},
	{name: "arsa high no krsa", s: "aRSA+HIGH:!kRSA"},
	{name: "suite b 128", s: "SUITEB128"},
	{name: "suite b 192 rest ignored", s: "SUITEB192:AES128-SHA"},
	{name: "suite b not at start", s: "AES128-SHA:SUITEB128"},
	{name: "fips not anull", s: "FIPS:!aNULL"},
	{name: "krsa gcm last", s: "kRSA:+AESGCM"},
	{name: "remove then add back", s: "ALL:-AES128-SHA:AES128-SHA"},
	{name: "remove all then high", s: "-ALL:HIGH"},
	{name: "remove high then all", s: "-HIGH:ALL"},
	{name: "explicit pair by strength", s: "AES256-SHA:AES128-SHA:@STRENGTH"},
	{name: "space separated", s: "ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-RSA-AES256-GCM-SHA384"},
	{name: "comma separated", s: "ECDHE-RSA-AES128-GCM-SHA256,ECDHE-RSA-AES256-GCM-SHA384"},
	{name: "unknown alias ignored", s: "HIGH:!aNULL:!MD5:FOO"},
	{name: "default not at start", s: "HIGH:DEFAULT"},
	{name: "default without krsa sha1", s: "DEFAULT:!kRSA:!SHA1"},
	{name: "old rc4 preference", s: "EECDH+AES:EDH+AES:-SHA1:EECDH+RC4:EDH+RC4:RC4-SHA:EECDH+AES256:EDH+AES256:AES256-SHA:!aNULL:!eNULL:!EXP:!LOW:!MD5"},
	{name: "stack overflow no aesgcm", s: "ECDHE-RSA-AES256-SHA384:AES256-SHA256:RC4:HIGH:!MD5:!aNULL:!EDH:!AESGCM"},
	{name: "old all plus rc4 rsa", s: "ALL:!aNULL:!ADH:!eNULL:!LOW:!EXP:RC4+RSA:+HIGH:+MEDIUM"},
	{name: "nginx with level", s: "HIGH:!aNULL:!MD5:@SECLEVEL=3"},
	{name: "complement of all", s: "COMPLEMENTOFALL"},
	{name: "complement of default", s: "COMPLEMENTOFDEFAULT"},
	{name: "enull only", s: "eNULL"},
	{name: "anonymous only", s: "aNULL:!eNULL"},
	{name: "psk alias", s: "PSK"},
	{name: "psk suite", s: "PSK-AES128-CBC-SHA"},
	{name: "aead only", s: "HIGH:!aNULL:!MD5:!SHA1:!SHA256:!SHA384"},
	{name: "camellia aria", s: "CAMELLIA:ARIA"},
	{name: "everything reordered", s: "ALL:COMPLEMENTOFALL:+kRSA:+aNULL:-SSLv3"},
	{name: "lowercase alias", s: "high"},
	{name: "iana name", s: "TLS_RSA_WITH_AES_128_CBC_SHA:AES256-SHA"},
	{name: "tls13 name only", s: "TLS_AES_128_GCM_SHA256"},
	{name: "kill without separator", s: "AES128-SHA:AES256-SHA!AES128-SHA"},
	{name: "invalid byte", s: "AES128-SHA_X"},
	{name: "empty operator", s: "AES128-SHA:!"},
	{name: "unknown command", s: "AES128-SHA:@FOO"},
	{name: "level out of range", s: "AES128-SHA:@SECLEVEL=9"},
	{name: "strength suffix ignored", s: "AES256-SHA:AES128-SHA:@STRENGTH!AES128-SHA"},
	{name: "joined with empty result", s: "TLSv1.2+AES128-SHA:AES256-SHA"},
	{name: "version and auth join", s: "ECDHE+TLSv1+aRSA"},
	{name: "semicolon separated", s: "AES128-SHA;AES256-SHA"},
	{name: "default then join", s: "DEFAULT+kRSA"},
}

// runOpenSSL returns the TLS 1.2 and older suite names of `openssl ciphers
// -V` with extra arguments, or ok false when openssl rejects s.
func runOpenSSL(t *testing.T, s string, extra ...string) (names []string, ok bool) {
	t.Helper()
	rows, err := opensslCiphers(t, s, extra...)
	if err != nil {
		if !strings.Contains(err.Error(), "exit status") {
			t.Fatalf("openssl ciphers %q: %v", s, err)
		}
		return nil, false
	}
	for _, r := range rows {
		names = append(names, r.Name)
	}
	return names, true
}

func requireOpenSSL30(t *testing.T) {
	t.Helper()
	out, err := exec.Command("openssl", "version").Output()
	if err != nil {
		t.Skipf("openssl not installed (Debian package openssl): %v", err)
	}
	if !strings.HasPrefix(string(out), "OpenSSL 3.0.") {
		t.Skipf("openssl is %q, the comparison needs OpenSSL 3.0", strings.TrimSpace(string(out)))
	}
}

func TestRealStringsMatchOpenSSL(t *testing.T) {
	requireOpenSSL30(t)
	if len(realStrings) < 50 {
		t.Fatalf("%d real strings, want at least 50", len(realStrings))
	}
	for _, tc := range realStrings {
		t.Run(tc.name, func(t *testing.T) {
			want, ok := runOpenSSL(t, tc.s)
			got, err := Evaluate(tc.s, OpenSSL30, Options{SecurityLevel: debianSecurityLevel})
			if !ok {
				if err == nil {
					t.Fatalf("Evaluate(%q) = %v, openssl rejects the string", tc.s, Names(got.Suites))
				}
				var e *Error
				if !errors.As(err, &e) {
					t.Fatalf("Evaluate(%q) error %v is not an *Error", tc.s, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Evaluate(%q): %v, openssl lists %v", tc.s, err, want)
			}
			equal := slices.Equal(Names(got.Suites), want)
			if tc.known != "" {
				if equal {
					t.Fatalf("known difference %q no longer occurs: remove it", tc.known)
				}
				return
			}
			if !equal {
				t.Fatalf("Evaluate(%q)\n got %v\nwant %v", tc.s, Names(got.Suites), want)
			}

			wantUsable, _ := runOpenSSL(t, tc.s, "-s", "-psk", "-srp")
			if gotUsable := Names(got.Usable()); !slices.Equal(gotUsable, wantUsable) {
				t.Fatalf("Usable at level %d\n got %v\nwant %v", got.SecurityLevel, gotUsable, wantUsable)
			}
		})
	}
}

func TestDebianDefaultLevel(t *testing.T) {
	requireOpenSSL30(t)
	atDefault, _ := runOpenSSL(t, "ALL:COMPLEMENTOFALL", "-s", "-psk", "-srp")
	atLevel, _ := runOpenSSL(t, "ALL:COMPLEMENTOFALL:@SECLEVEL=2", "-s", "-psk", "-srp")
	if !slices.Equal(atDefault, atLevel) {
		t.Fatalf("openssl's default level is not %d:\n default %v\n level 2 %v", debianSecurityLevel, atDefault, atLevel)
	}
}

func TestSecurityLevelsMatchOpenSSL(t *testing.T) {
	requireOpenSSL30(t)
	for level := 0; level <= 5; level++ {
		s := "ALL:COMPLEMENTOFALL:@SECLEVEL=" + string(rune('0'+level))
		want, _ := runOpenSSL(t, s, "-s", "-psk", "-srp")
		r, err := Evaluate(s, OpenSSL30, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := Names(r.Usable()); !slices.Equal(got, want) {
			t.Errorf("level %d\n got %v\nwant %v", level, got, want)
		}
	}
}

func TestTableMatchesRegistry(t *testing.T) {
	for _, v := range []Version{OpenSSL30, OpenSSL102} {
		for _, s := range tables[v].suites {
			info, ok := registry.Suite(s.ID)
			if !ok {
				t.Errorf("%v: suite %s (%#04x) is not in the registry", v, s.Name, s.ID)
				continue
			}
			// OpenSSL 1.1.0 renamed the EDH- suites to DHE-, and the
			// registry stores the new names.
			if v == OpenSSL30 && info.OpenSSLName != s.Name {
				t.Errorf("%v: suite %#04x is %s, the registry says %s", v, s.ID, s.Name, info.OpenSSLName)
			}
		}
	}
	if n := len(tables[OpenSSL30].suites); n != 155 {
		t.Errorf("OpenSSL 3.0 table has %d suites, Debian 12 lists 155", n)
	}
}

func TestTermsAndWarnings(t *testing.T) {
	r, err := Evaluate("ECDHE+AESGCM:FOO:+aECDSA:!kRSA", OpenSSL30, Options{SecurityLevel: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Terms) != 4 {
		t.Fatalf("got %d terms, want 4: %+v", len(r.Terms), r.Terms)
	}
	if r.Terms[1].Text != "FOO" || !r.Terms[1].Unknown || r.Terms[1].Offset != 13 {
		t.Errorf("term 1 = %+v, want unknown FOO at 13", r.Terms[1])
	}
	if r.Terms[2].Op != OpMove || len(r.Terms[2].Changed) == 0 {
		t.Errorf("term 2 = %+v, want a move of the ECDSA suites", r.Terms[2])
	}
	if len(r.Warnings) != 1 || !strings.Contains(r.Warnings[0], `"FOO" at byte 13`) {
		t.Errorf("warnings = %q, want one naming FOO at byte 13", r.Warnings)
	}
	if last := r.Suites[len(r.Suites)-1]; last.Authentication != "aECDSA" {
		t.Errorf("last suite %s, want an ECDSA suite after +aECDSA", last.Name)
	}
}

func TestErrorsNamePosition(t *testing.T) {
	tests := []struct {
		name, s    string
		v          Version
		offset     int
		term, text string
	}{
		{name: "invalid byte", s: "HIGH:AES128-SHA_X", offset: 15, term: "_X", text: "expected a suite name or alias"},
		{name: "empty kill", s: "HIGH:!", offset: 6, term: "", text: "expected a suite name"},
		{name: "unknown command", s: "HIGH:@FOO", offset: 5, term: "@FOO", text: "invalid command"},
		{name: "level too high", s: "HIGH:@SECLEVEL=6", offset: 5, term: "@SECLEVEL=6", text: `invalid security level "6"`},
		{name: "no match", s: "FOO:BAR", offset: -1, text: "no cipher match"},
		{name: "seclevel on 1.0.2", s: "HIGH:@SECLEVEL=1", v: OpenSSL102, offset: 5, term: "@SECLEVEL=1", text: "no @SECLEVEL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Evaluate(tc.s, tc.v, Options{})
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Evaluate(%q) error = %v, want *Error", tc.s, err)
			}
			if e.Offset != tc.offset {
				t.Errorf("offset %d, want %d", e.Offset, tc.offset)
			}
			if e.Term != tc.term {
				t.Errorf("term %q, want %q", e.Term, tc.term)
			}
			if !strings.Contains(e.Error(), tc.text) {
				t.Errorf("error %q does not contain %q", e.Error(), tc.text)
			}
		})
	}
}

func TestOptionsRejected(t *testing.T) {
	tests := []struct {
		name string
		v    Version
		opts Options
	}{
		{name: "level below 0", v: OpenSSL30, opts: Options{SecurityLevel: -1}},
		{name: "level above 5", v: OpenSSL111, opts: Options{SecurityLevel: 6}},
		{name: "level on 1.0.2", v: OpenSSL102, opts: Options{SecurityLevel: 1}},
		{name: "unknown version", v: Version(9)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Evaluate("HIGH", tc.v, tc.opts); err == nil {
				t.Fatal("Evaluate accepted the options")
			}
		})
	}
}

func TestInputLimit(t *testing.T) {
	at := strings.Repeat(":", MaxInputLength-4) + "HIGH"
	if _, err := Evaluate(at, OpenSSL30, Options{}); err != nil {
		t.Errorf("input of exactly %d bytes: %v", MaxInputLength, err)
	}
	if _, err := Evaluate(at+":", OpenSSL30, Options{}); err == nil {
		t.Errorf("input of %d bytes accepted", MaxInputLength+1)
	}
}

// TestOpenSSL102Rules checks the rules that differ in 1.0.2; they are
// derived, because no 1.0.2 binary runs on Debian 12.
func TestOpenSSL102Rules(t *testing.T) {
	r, err := Evaluate("RC4-SHA:DES-CBC3-SHA", OpenSSL102, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := Names(r.Suites); !slices.Equal(got, []string{"RC4-SHA", "DES-CBC3-SHA"}) {
		t.Errorf("RC4-SHA:DES-CBC3-SHA = %v", got)
	}

	def, err := Evaluate("DEFAULT", OpenSSL102, Options{})
	if err != nil {
		t.Fatal(err)
	}
	names := Names(def.Suites)
	for _, want := range []string{"RC4-SHA", "DES-CBC3-SHA", "PSK-AES128-CBC-SHA"} {
		if !slices.Contains(names, want) {
			t.Errorf("1.0.2 DEFAULT lacks %s", want)
		}
	}
	for _, absent := range []string{"ECDHE-RSA-CHACHA20-POLY1305", "AES128-CCM", "ADH-AES128-SHA"} {
		if slices.Contains(names, absent) {
			t.Errorf("1.0.2 DEFAULT has %s", absent)
		}
	}

	v1, _ := Evaluate("TLSv1", OpenSSL102, Options{})
	v3, _ := Evaluate("SSLv3", OpenSSL102, Options{})
	if !slices.Equal(Names(v1.Suites), Names(v3.Suites)) {
		t.Errorf("1.0.2 TLSv1 and SSLv3 differ")
	}

	r111, err := Evaluate("RC4-SHA", OpenSSL111, Options{SecurityLevel: 1})
	if err == nil {
		t.Errorf("1.1.1 RC4-SHA = %v, want no cipher match", Names(r111.Suites))
	}
}

func FuzzEvaluate(f *testing.F) {
	for _, tc := range realStrings {
		f.Add(tc.s)
	}
	f.Add("DEFAULT")
	f.Add("+-!@:::+")
	f.Fuzz(func(t *testing.T, s string) {
		for _, v := range []Version{OpenSSL30, OpenSSL102} {
			r, err := Evaluate(s, v, Options{})
			if err != nil {
				if r != nil {
					t.Fatalf("Evaluate(%q) returned a result with error %v", s, err)
				}
				continue
			}
			if len(r.Suites) == 0 {
				t.Fatalf("Evaluate(%q) returned no suites and no error", s)
			}
			seen := map[string]bool{}
			for _, su := range r.Suites {
				if seen[su.Name] {
					t.Fatalf("Evaluate(%q) lists %s twice", s, su.Name)
				}
				seen[su.Name] = true
			}
		}
	})
}
