package clients

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// requiredProfiles are the profiles the rest of scimdoctor refers to by
// name.
var requiredProfiles = []string{
	"okta", "entra", "java-7", "java-8u202", "java-8u291", "java-11", "java-17", "java-21",
	"dotnet-4.5", "dotnet-4.8", "openssl-1.0.0", "openssl-1.1.1", "openssl-3", "go", "curl",
}

func TestLoadEmbedded(t *testing.T) {
	profiles, err := LoadFS(embeddedProfiles)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range profiles {
		names = append(names, p.Name)
	}
	for _, want := range requiredProfiles {
		if !slices.Contains(names, want) {
			t.Errorf("profile %q is missing; loaded %v", want, names)
		}
	}
	if names[0] != "entra" || names[1] != "okta" {
		t.Errorf("All starts with %v, want the identity providers entra and okta first", names[:2])
	}
	for _, p := range profiles {
		for _, class := range Classes {
			if _, ok := p.Errors[class]; !ok {
				t.Errorf("%s: no text for class %s", p.Name, class)
			}
		}
	}
}

// TestOktaIsJDK17 checks the inference the okta profile rests on: JDK 17's
// ClientHello and policy, and JDK 17's texts without the alert prefix. The
// trust store alone differs, because Okta's JVM is not the JDK installed
// where scimdoctor runs.
func TestOktaIsJDK17(t *testing.T) {
	okta, _ := Lookup("okta")
	java, _ := Lookup("java-17")
	if got, want := okta.ClientHello("scim.example.com"), java.ClientHello("scim.example.com"); !helloEqual(got, want) {
		t.Errorf("okta's hello differs from java-17's")
	}
	oktaPolicy, javaPolicy := okta.Policy, java.Policy
	oktaPolicy.TrustStore, oktaPolicy.TrustStoreNote = "", ""
	javaPolicy.TrustStore, javaPolicy.TrustStoreNote = "", ""
	if oktaPolicy != javaPolicy {
		t.Errorf("okta's policy %+v differs from java-17's %+v beyond the trust store", okta.Policy, java.Policy)
	}
	if okta.Policy.TrustStore != "mozilla" || java.Policy.TrustStore != "java" {
		t.Errorf("trust stores: okta %q, java-17 %q; want mozilla and java", okta.Policy.TrustStore, java.Policy.TrustStore)
	}
	for class, text := range java.Errors {
		if apacheTexts[class] {
			continue
		}
		oktaText, ok := okta.Errors[class]
		if !ok {
			t.Errorf("okta has no text for %s", class)
			continue
		}
		if oktaText.Exception != text.Exception {
			t.Errorf("%s: okta exception %q, java-17 %q", class, oktaText.Exception, text.Exception)
		}
		if want := alertPrefix.ReplaceAllString(text.Message, ""); oktaText.Message != want && class != "alert" {
			t.Errorf("%s: okta message %q, want java-17's without the prefix: %q", class, oktaText.Message, want)
		}
	}
	if got := okta.Errors[ClassAlert].Message; got != "Received fatal alert: {alert}" {
		t.Errorf("okta alert text = %q, want the one Okta documents", got)
	}
}

// apacheTexts are the okta texts that come from Apache HttpClient, not from
// JSSE.
var apacheTexts = map[string]bool{
	ClassConnectTimeout: true, ClassConnectRefused: true,
	variantClosedAfterHandshake: true, variantWriteFailed: true,
}

func helloEqual(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func TestEntraDocumentedRequirements(t *testing.T) {
	entra, _ := Lookup("entra")
	wantSuites := []uint16{0xc02b, 0xc02c, 0xc02f, 0xc030, 0xc023, 0xc024, 0xc027, 0xc028}
	if got := entra.ClientHello("scim.example.com").CipherSuites; !slices.Equal(got, wantSuites) {
		t.Errorf("entra suites = %#04x, want the eight Microsoft documents, in order: %#04x", got, wantSuites)
	}
	if got := entra.Versions(); len(got) != 1 || got[0] != 0x0303 {
		t.Errorf("entra versions = %v, want TLS 1.2 only", got)
	}
	if entra.Policy.MinRSABits != 2048 || entra.Policy.MinECBits != 256 {
		t.Errorf("entra key minimums = RSA %d, EC %d; want 2048 and 256", entra.Policy.MinRSABits, entra.Policy.MinECBits)
	}
}

// validProfile is a minimal profile that loads; the error cases change one
// field of it.
func validProfile() map[string]any {
	errs := map[string]any{}
	for _, class := range Classes {
		errs[class] = map[string]any{"message": "text for " + class, "confidence": "inferred"}
	}
	return map[string]any{
		"name": "test", "display": "Test client", "kind": "runtime", "family": "go",
		"source": "made up for the loader test", "date": "2026-01-02", "confidence": "inferred",
		"note": "none",
		"client_hello": map[string]any{
			"versions": []string{"TLS 1.2"}, "record_version": "TLS 1.0", "legacy_version": "TLS 1.2",
			"supported_versions": false,
			"cipher_suites":      []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
			"groups":             []string{"x25519"}, "key_shares": []string{},
			"signature_algorithms": []string{"rsa_pss_rsae_sha256"}, "signature_algorithms_cert": []string{},
			"sni": "always", "alpn": []string{}, "extensions": []string{"ec_point_formats"},
		},
		"policy": map[string]any{
			"min_rsa_bits": 2048, "min_ec_bits": 256, "min_dh_bits": 0, "trust_store": "mozilla",
			"trust_store_note": "stand-in", "fetch_aia": false, "hostname": "san_only",
			"client_certificate": "sends_empty",
		},
		"log_line": "{message}", "version_names": "go",
		"errors": errs,
	}
}

func profileFS(t *testing.T, files map[string]map[string]any) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, p := range files {
		data, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		fsys["profiles/"+name] = &fstest.MapFile{Data: data}
	}
	return fsys
}

func TestLoadErrors(t *testing.T) {
	set := func(path string, value any) func(map[string]any) {
		return func(p map[string]any) {
			keys := strings.Split(path, ".")
			m := p
			for _, k := range keys[:len(keys)-1] {
				m = m[k].(map[string]any)
			}
			if value == nil {
				delete(m, keys[len(keys)-1])
			} else {
				m[keys[len(keys)-1]] = value
			}
		}
	}
	tests := []struct {
		name      string
		change    func(map[string]any)
		wantField string
		wantText  string
	}{
		{"name differs from file", set("name", "other"), "name", "name the file after the profile"},
		{"unknown family", set("family", "rust"), "family", `"rust" is not one of`},
		{"bad date", set("date", "12/2026"), "date", "YYYY-MM-DD"},
		{"unknown confidence", set("confidence", "guessed"), "confidence", "not one of"},
		{"unknown suite", set("client_hello.cipher_suites", []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_MADE_UP"}),
			"client_hello.cipher_suites[1]", `unknown cipher suite "TLS_MADE_UP"`},
		{"duplicate suite", set("client_hello.cipher_suites", []string{"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}),
			"client_hello.cipher_suites[1]", "listed twice"},
		{"no suite for the versions", set("client_hello.cipher_suites", []string{"TLS_AES_128_GCM_SHA256"}),
			"client_hello.cipher_suites", "no suite is valid"},
		{"unknown version", set("client_hello.versions", []string{"TLS 1.4"}), "client_hello.versions[0]", "unknown protocol version"},
		{"TLS 1.3 without supported_versions", set("client_hello.versions", []string{"TLS 1.3", "TLS 1.2"}),
			"client_hello.supported_versions", "must be true"},
		{"key share outside groups", set("client_hello.key_shares", []string{"secp256r1"}), "client_hello.key_shares[0]", "not one of the groups"},
		{"unknown scheme", set("client_hello.signature_algorithms", []string{"rsa_sha3"}), "client_hello.signature_algorithms", "unknown signature scheme"},
		{"unknown flag extension", set("client_hello.extensions", []string{"heartbeat"}), "client_hello.extensions[0]", "not a flag extension"},
		{"unknown SNI rule", set("client_hello.sni", "sometimes"), "client_hello.sni", "not one of"},
		{"missing class", set("errors.expired", nil), "errors.expired", "is missing"},
		{"unknown error key", set("errors.alert_999", map[string]any{"message": "x", "confidence": "inferred"}), "errors.alert_999", "unknown class or variant"},
		{"unknown placeholder", set("errors.alert", map[string]any{"message": "got {alerts}", "confidence": "inferred"}), "errors.alert.message", "unknown placeholder {alerts}"},
		{"log line without message", set("log_line", "{exception}"), "log_line", "lacks {message}"},
		{"min version not enabled", set("policy.min_version", "TLS 1.3"), "policy.min_version", "not one of the versions"},
		{"unknown field", set("colour", "blue"), "", `unknown field "colour"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := validProfile()
			tt.change(p)
			_, err := LoadFS(profileFS(t, map[string]map[string]any{"test.json": p}))
			var pe *ProfileError
			if !errors.As(err, &pe) {
				t.Fatalf("Load error = %v, want a *ProfileError", err)
			}
			if pe.File != "profiles/test.json" {
				t.Errorf("File = %q, want profiles/test.json", pe.File)
			}
			if pe.Field != tt.wantField {
				t.Errorf("Field = %q, want %q (error: %v)", pe.Field, tt.wantField, err)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q does not say %q", err, tt.wantText)
			}
		})
	}
}

func TestLoadValidProfile(t *testing.T) {
	profiles, err := LoadFS(profileFS(t, map[string]map[string]any{"test.json": validProfile()}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if len(profiles) != 1 || profiles[0].Name != "test" {
		t.Fatalf("Load returned %v, want the one test profile", profiles)
	}
}

func TestLoadBase(t *testing.T) {
	child := map[string]any{
		"name": "child", "display": "Child", "kind": "idp", "family": "go", "base": "test",
		"source": "s", "date": "2026-01-02", "confidence": "inferred", "note": "n",
	}
	profiles, err := LoadFS(profileFS(t, map[string]map[string]any{"test.json": validProfile(), "child.json": child}))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if profiles[0].Name != "child" {
		t.Fatalf("first profile is %q, want the identity provider child", profiles[0].Name)
	}
	if got := profiles[0].Errors[ClassExpired].Message; got != "text for expired" {
		t.Errorf("child's expired text = %q, want the base's", got)
	}

	loop := validProfile()
	loop["base"] = "test"
	_, err = LoadFS(profileFS(t, map[string]map[string]any{"test.json": loop}))
	var pe *ProfileError
	if !errors.As(err, &pe) || pe.Field != "base" {
		t.Errorf("a profile that is its own base: error %v, want a *ProfileError on field base", err)
	}

	orphan := validProfile()
	orphan["base"] = "nobody"
	_, err = LoadFS(profileFS(t, map[string]map[string]any{"test.json": orphan}))
	if !errors.As(err, &pe) || pe.Field != "base" || !strings.Contains(err.Error(), "profiles/nobody.json") {
		t.Errorf("a missing base: error %v, want a *ProfileError naming profiles/nobody.json", err)
	}
}

func TestLoadNoFiles(t *testing.T) {
	if _, err := LoadFS(fstest.MapFS{}); err == nil {
		t.Error("Load of an empty file system succeeded, want an error")
	}
}

func TestLoadInvalidJSON(t *testing.T) {
	_, err := LoadFS(fstest.MapFS{"profiles/bad.json": &fstest.MapFile{Data: []byte("{")}})
	var pe *ProfileError
	if !errors.As(err, &pe) || pe.File != "profiles/bad.json" {
		t.Errorf("error %v, want a *ProfileError naming profiles/bad.json", err)
	}
}

func TestNaturalLess(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"java-7", "java-11", true},
		{"java-11", "java-7", false},
		{"java-8u202", "java-8u291", true},
		{"java-17", "java-21", true},
		{"openssl-1.0.0", "openssl-1.1.1", true},
		{"openssl-1.1.1", "openssl-3", true},
		{"dotnet-4.5", "dotnet-4.8", true},
		{"curl", "dotnet-4.5", true},
		{"go", "go", false},
		{"java", "java-7", true},
	}
	for _, tt := range tests {
		if got := naturalLess(tt.a, tt.b); got != tt.want {
			t.Errorf("naturalLess(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
