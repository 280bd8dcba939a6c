package java

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// jvmCases run in the real JDK 17 (Debian's openjdk-17) and through Load,
// which must agree on the enabled protocols and suites, in order, on
// both sides. security is appended to Debian's java.security with
// -Djava.security.properties; flags are more JVM options.
var jvmCases = []struct {
	name     string
	security string
	flags    []string
}{
	{"debian-defaults", "", nil},
	{"disabled-list-empty", "jdk.tls.disabledAlgorithms=\n", nil},
	{"legacy-tls10-reenabled", "jdk.tls.disabledAlgorithms=SSLv3, RC4, DES, 3DES_EDE_CBC, anon, NULL\n", nil},
	{"tls12-disabled", "jdk.tls.disabledAlgorithms=TLSv1.2\n", nil},
	{"tls12-and-tls13-disabled", "jdk.tls.disabledAlgorithms=TLSv1.2, TLSv1.3\n", nil},
	{"protocol-name-any-case", "jdk.tls.disabledAlgorithms=tlsv1.3\n", nil},
	{"prf-hash-sha256", "jdk.tls.disabledAlgorithms=SHA256\n", nil},
	{"mac-sha1", "jdk.tls.disabledAlgorithms=SHA1\n", nil},
	{"mode-cbc", "jdk.tls.disabledAlgorithms=CBC\n", nil},
	{"cipher-desede", "jdk.tls.disabledAlgorithms=DESede\n", nil},
	{"cipher-3des-no-effect", "jdk.tls.disabledAlgorithms=3DES, TripleDES\n", nil},
	{"key-exchange-rsa", "jdk.tls.disabledAlgorithms=RSA\n", nil},
	{"key-exchange-dh", "jdk.tls.disabledAlgorithms=DH\n", nil},
	{"mode-gcm", "jdk.tls.disabledAlgorithms=GCM\n", nil},
	{"chacha20-poly1305", "jdk.tls.disabledAlgorithms=ChaCha20-Poly1305\n", nil},
	{"pattern-prefix", "jdk.tls.disabledAlgorithms=TLS_ECDHE_*\n", nil},
	{"pattern-middle", "jdk.tls.disabledAlgorithms=TLS_*_SHA\n", nil},
	{"pattern-case-sensitive", "jdk.tls.disabledAlgorithms=TLS_ecdhe_RSA_*\n", nil},
	{"iana-name-of-ssl-suite", "jdk.tls.disabledAlgorithms=TLS_RSA_WITH_3DES_EDE_CBC_SHA\n", nil},
	{"jsse-name-of-ssl-suite", "jdk.tls.disabledAlgorithms=SSL_RSA_WITH_3DES_EDE_CBC_SHA\n", nil},
	{"constrained-entries-only", "jdk.tls.disabledAlgorithms=DH keySize < 2048, RSA keySize < 1024\n", nil},
	{"include-ignored-before-jdk24", "jdk.tls.disabledAlgorithms=SSLv3, GCM\ninclude /nonexistent/more.security\n", nil},
	{"continuation-lines", "jdk.tls.disabledAlgorithms=SSLv3, \\\n    TLSv1, \\\n    GCM\n", nil},
	{"enable-ecc-false", "", []string{"-Dcom.sun.net.ssl.enableECC=false"}},
	{"server-and-client-protocols", "jdk.tls.disabledAlgorithms=SSLv3\n", []string{"-Djdk.tls.server.protocols=TLSv1,TLSv1.2", "-Djdk.tls.client.protocols=TLSv1.3"}},
	{"server-protocols-empty", "", []string{"-Djdk.tls.server.protocols="}},
	{"server-cipher-suites", "", []string{"-Djdk.tls.server.cipherSuites=TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,TLS_RSA_WITH_AES_128_GCM_SHA256,TLS_AES_128_GCM_SHA256"}},
}

func TestModelMatchesJDK17(t *testing.T) {
	java, classes := compileEnabledDefaults(t)
	for _, tc := range jvmCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			flags := slices.Clone(tc.flags)
			if tc.security != "" {
				path := filepath.Join(t.TempDir(), "override.security")
				if err := os.WriteFile(path, []byte(tc.security), 0o600); err != nil {
					t.Fatal(err)
				}
				flags = append(flags, "-Djava.security.properties="+path)
			}
			out, err := exec.Command(java, append(append([]string{"-cp", classes}, flags...), "EnabledDefaults")...).CombinedOutput()
			if err != nil {
				t.Fatalf("java EnabledDefaults %v: %v\n%s", flags, err, out)
			}
			got := parseEnabledDefaults(t, string(out))

			p, err := Load(nil, Options{JDK: "17", Flags: strings.Join(flags, " ")})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			for _, s := range []struct {
				side side
				name string
			}{{serverSide, "server"}, {clientSide, "client"}} {
				vr := p.sideVersions(s.side, nil)
				if vr.fatal != "" {
					t.Fatalf("%s: model reports a fatal policy: %s", s.name, vr.fatal)
				}
				var jvmVersions []string
				for _, name := range got[s.name+"-protocols"] {
					v, ok := versionName(name)
					if !ok {
						t.Fatalf("JVM protocol %q has no version name", name)
					}
					jvmVersions = append(jvmVersions, v)
				}
				if want := sortVersions(jvmVersions); !slices.Equal(vr.versions, want) {
					t.Errorf("%s versions: model %v, JVM %v", s.name, vr.versions, want)
				}
				sr := p.sideSuites(s.side, nil, vr.versions)
				model := sr.all
				var jvm []string
				for _, name := range got[s.name+"-suites"] {
					if name == "TLS_EMPTY_RENEGOTIATION_INFO_SCSV" {
						continue
					}
					jvm = append(jvm, ianaSuiteName(name))
				}
				if !slices.Equal(model, jvm) {
					t.Errorf("%s suites:\nmodel %v\nJVM   %v", s.name, model, jvm)
				}
			}
		})
	}
}

// TestJDK17RejectsLowercasePattern checks the fatal case the model
// reports: the JVM fails to create its default SSLContext.
func TestJDK17RejectsLowercasePattern(t *testing.T) {
	java, classes := compileEnabledDefaults(t)
	path := filepath.Join(t.TempDir(), "override.security")
	if err := os.WriteFile(path, []byte("jdk.tls.disabledAlgorithms=tls_rsa_*\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	flag := "-Djava.security.properties=" + path
	out, err := exec.Command(java, "-cp", classes, flag, "EnabledDefaults").CombinedOutput()
	if err == nil {
		t.Fatalf("java accepted the pattern tls_rsa_*:\n%s", out)
	}
	if !strings.Contains(string(out), `Wildcard pattern must start with "TLS_"`) {
		t.Errorf("java failed without the expected message:\n%s", out)
	}
	p, err := Load(nil, Options{JDK: "17", Flags: flag})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if vr := p.sideVersions(serverSide, nil); vr.fatal == "" || len(vr.versions) != 0 {
		t.Errorf("model: versions %v, fatal %q; want none and a fatal message", vr.versions, vr.fatal)
	}
}

var compileOnce struct {
	sync.Once
	java, classes string
	err           error
	out           []byte
}

// compileEnabledDefaults compiles the Java programs of testdata once per
// test binary and returns the java binary and the classes folder.
func compileEnabledDefaults(t *testing.T) (string, string) {
	t.Helper()
	javac, err := exec.LookPath("javac")
	if err != nil {
		t.Fatalf("javac not found in PATH: %v; install Debian package openjdk-17-jdk-headless", err)
	}
	java, err := exec.LookPath("java")
	if err != nil {
		t.Fatalf("java not found in PATH: %v; install Debian package openjdk-17-jdk-headless", err)
	}
	compileOnce.Do(func() {
		sources := []string{"testdata/EnabledDefaults.java", "testdata/PropertiesDump.java"}
		dir, err := os.MkdirTemp("", "javasec-classes")
		if err != nil {
			compileOnce.err = err
			return
		}
		compileOnce.classes = dir
		compileOnce.out, compileOnce.err = exec.Command(javac, append([]string{"-d", dir}, sources...)...).CombinedOutput()
	})
	if compileOnce.err != nil {
		t.Fatalf("javac testdata/*.java: %v\n%s", compileOnce.err, compileOnce.out)
	}
	return java, compileOnce.classes
}

func parseEnabledDefaults(t *testing.T, out string) map[string][]string {
	t.Helper()
	got := map[string][]string{}
	for _, line := range strings.Split(out, "\n") {
		key, value, ok := strings.Cut(strings.TrimSpace(line), " ")
		if ok {
			got[key] = strings.Split(value, ",")
		} else if key != "" {
			got[key] = nil
		}
	}
	for _, key := range []string{"server-protocols", "server-suites", "client-protocols", "client-suites"} {
		if _, ok := got[key]; !ok {
			t.Fatalf("JVM output lacks %s:\n%s", key, out)
		}
	}
	return got
}

// TestParsePropertiesMatchesJava loads every valid input of the
// ParseProperties table, the error inputs and Debian's java.security
// with java.util.Properties and compares keys and values (the last of
// repeated keys) or the rejection.
func TestParsePropertiesMatchesJava(t *testing.T) {
	java, classes := compileEnabledDefaults(t)
	inputs := map[string]string{}
	for _, tc := range propertiesCases {
		inputs[tc.name] = tc.input
	}
	for _, tc := range propertiesErrorCases {
		inputs["error-"+tc.name] = tc.input
	}
	debian, err := os.ReadFile("testdata/debian-17.java.security")
	if err != nil {
		t.Fatal(err)
	}
	inputs["debian-17"] = string(debian)

	dir := t.TempDir()
	var files []string
	for name, input := range inputs {
		path := filepath.Join(dir, name+".properties")
		if err := os.WriteFile(path, []byte(input), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
	}
	slices.Sort(files)
	out, err := exec.Command(java, append([]string{"-cp", classes, "PropertiesDump"}, files...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("java PropertiesDump: %v\n%s", err, out)
	}
	javaResults := map[string][]string{}
	current := ""
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if name, ok := strings.CutPrefix(line, "file "); ok {
			current = name
			javaResults[current] = []string{}
			continue
		}
		javaResults[current] = append(javaResults[current], line)
	}

	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		props, err := ParseProperties(path, data)
		var ours []string
		if err != nil {
			ours = []string{"error"}
		} else {
			last := map[string]string{}
			for _, p := range props {
				last[p.Key] = p.Value
			}
			for _, key := range slices.Sorted(maps.Keys(last)) {
				ours = append(ours, escapeLikeDump(key)+" "+escapeLikeDump(last[key]))
			}
		}
		theirs := javaResults[path]
		if len(theirs) == 1 && strings.HasPrefix(theirs[0], "error ") {
			theirs = []string{"error"}
		}
		if !slices.Equal(ours, theirs) {
			t.Errorf("%s:\nours %q\njava %q", filepath.Base(path), ours, theirs)
		}
	}
}

// escapeLikeDump escapes as PropertiesDump.escape does.
func escapeLikeDump(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > 0x20 && r < 0x7f && r != '\\' {
			b.WriteRune(r)
			continue
		}
		fmt.Fprintf(&b, "\\u%04x", r)
	}
	return b.String()
}
