package testservers

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TomcatXML is a caller-written server.xml for one Tomcat process, so a test
// can audit the exact file Tomcat runs.
type TomcatXML struct {
	// Cert goes into the PKCS12 keystore that {{KEYSTORE}} names. It must
	// have an RSA key, as SelfSigned makes.
	Cert Cert
	// ServerXML is the whole server.xml. StartTomcatXML replaces
	// {{PORT0}}, {{PORT1}}, ... with free 127.0.0.1 ports, {{KEYSTORE}}
	// with the keystore path and {{KEYSTORE_PASSWORD}} with its password.
	// Every connector should listen on address="127.0.0.1".
	ServerXML string
	// Ports is how many {{PORTn}} placeholders ServerXML uses, at least 1.
	Ports int
	// LegacyTLS gives the JVM a java.security override that removes TLSv1
	// and TLSv1.1 from the JDK's jdk.tls.disabledAlgorithms, for every
	// connector of the process.
	LegacyTLS bool
	// CatalinaProperties, when set, is written to conf/catalina.properties
	// after the common.loader line that Tomcat needs to find its own jars,
	// so ${name} in ServerXML can read it.
	CatalinaProperties string
	// JVMOptions are added to the JVM's command line after the options
	// StartTomcatXML sets (and after the LegacyTLS override, so a second
	// -Djava.security.properties wins), such as
	// "-Djava.security.properties==/tmp/x/java.security", which replaces
	// the JDK's java.security. catalina.sh evaluates CATALINA_OPTS with
	// the shell, so the test fails when an option contains a blank or a
	// shell character.
	JVMOptions []string
}

// StartTomcatXML runs Debian's Tomcat 10 as StartTomcat does, but with
// cfg.ServerXML as conf/server.xml. It returns the path of that file, with
// the placeholders replaced, and the addresses of {{PORT0}}, {{PORT1}}, ...
// in order, once Tomcat has logged its startup and every port accepts TCP
// connections. The JVM is killed when the test ends.
//
// A connector that Tomcat cannot start stops the JVM
// (EXIT_ON_INIT_FAILURE), so the test fails with Tomcat's last output
// lines. The test also fails when cfg.Ports is below 1, when a placeholder
// {{PORTn}} is missing, when java, openssl or tomcat10 is missing, or when
// Tomcat does not start within 60 s.
func StartTomcatXML(t testing.TB, cfg TomcatXML) (string, []string) {
	t.Helper()
	if cfg.Ports < 1 {
		t.Fatalf("testservers: TomcatXML.Ports is %d; give the number of {{PORTn}} placeholders in ServerXML, at least 1", cfg.Ports)
	}
	for i := range cfg.Ports {
		if !strings.Contains(cfg.ServerXML, tomcatPortPlaceholder(i)) {
			t.Fatalf("testservers: TomcatXML.ServerXML has no %s although Ports is %d; add a connector with port=%q", tomcatPortPlaceholder(i), cfg.Ports, tomcatPortPlaceholder(i))
		}
	}
	for i, opt := range cfg.JVMOptions {
		if opt == "" || strings.ContainsAny(opt, catalinaOptsSpecial) {
			t.Fatalf("testservers: TomcatXML.JVMOptions[%d] %q is empty or contains a blank or shell character, which catalina.sh would reinterpret; give one option such as -Djava.security.properties==/tmp/dir/java.security, with a plain path", i, opt)
		}
	}
	catalina := filepath.Join(tomcatHome, "bin", "catalina.sh")
	if _, err := os.Stat(catalina); err != nil {
		t.Fatalf("testservers: %v; install Debian package tomcat10 (scripts/install-test-deps.sh does)", err)
	}
	javaHome := lookJavaHome(t)
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Fatalf("testservers: openssl not found in PATH: %v; install Debian package openssl", err)
	}

	base := t.TempDir()
	// catalina.sh passes CATALINA_OPTS through eval, so a path with spaces
	// or shell characters would be split or expanded.
	if strings.ContainsAny(base, " \t\"'$`\\;&|<>()*?[]{}!#~") {
		t.Fatalf("testservers: temp dir %q contains characters catalina.sh would reinterpret; set TMPDIR to a plain path such as /tmp", base)
	}
	for _, sub := range []string{"conf", "logs", "work", "temp", "webapps/ROOT"} {
		if err := os.MkdirAll(filepath.Join(base, sub), 0o755); err != nil {
			t.Fatalf("testservers: %v", err)
		}
	}
	keystore := filepath.Join(base, "conf", "keystore.p12")
	out, err := exec.Command(openssl, "pkcs12", "-export", "-in", cfg.Cert.CertFile, "-inkey", cfg.Cert.KeyFile,
		"-name", "tomcat", "-out", keystore, "-passout", "pass:"+tomcatKeystorePassword).CombinedOutput()
	if err != nil {
		t.Fatalf("testservers: building the PKCS12 keystore from %s with openssl pkcs12: %v: %s", cfg.Cert.CertFile, err, strings.TrimSpace(string(out)))
	}
	if err := writeTomcatStatic(base); err != nil {
		t.Fatalf("testservers: %v", err)
	}
	if cfg.CatalinaProperties != "" {
		// Without conf/catalina.properties Tomcat reads the copy inside
		// catalina.jar; a file of our own must repeat its class path.
		text := `common.loader="${catalina.base}/lib","${catalina.base}/lib/*.jar","${catalina.home}/lib","${catalina.home}/lib/*.jar"` + "\n" + cfg.CatalinaProperties
		if err := os.WriteFile(filepath.Join(base, "conf", "catalina.properties"), []byte(text), 0o600); err != nil {
			t.Fatalf("testservers: %v", err)
		}
	}

	opts := []string{
		"-Duser.language=en", "-Duser.country=US",
		"-Djava.io.tmpdir=" + filepath.Join(base, "temp"),
		"-Dorg.apache.catalina.startup.EXIT_ON_INIT_FAILURE=true",
	}
	if cfg.LegacyTLS {
		override := filepath.Join(base, "conf", "legacy-tls.security")
		if err := writeLegacyTLSOverride(javaHome, override); err != nil {
			t.Fatalf("testservers: %v", err)
		}
		opts = append(opts, "-Djava.security.properties="+override)
	}
	opts = append(opts, cfg.JVMOptions...)
	env := append(tomcatEnviron(),
		"CATALINA_HOME="+tomcatHome,
		"CATALINA_BASE="+base,
		"CATALINA_TMPDIR="+filepath.Join(base, "temp"),
		"CATALINA_OPTS="+strings.Join(opts, " "),
		"JAVA_HOME="+javaHome,
	)

	// A free port can be taken between its probe and Tomcat's bind, which
	// then stops the JVM, so try fresh ports a few times.
	path := filepath.Join(base, "conf", "server.xml")
	var lastErr error
	for range 3 {
		addrs := make([]string, cfg.Ports)
		pairs := []string{"{{KEYSTORE}}", xmlAttr(keystore), "{{KEYSTORE_PASSWORD}}", tomcatKeystorePassword}
		for i := range addrs {
			addrs[i] = freePort(t)
			_, port, _ := strings.Cut(addrs[i], ":")
			pairs = append(pairs, tomcatPortPlaceholder(i), port)
		}
		text := strings.NewReplacer(pairs...).Replace(cfg.ServerXML)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatalf("testservers: %v", err)
		}
		stop, err := runTomcat(catalina, env, addrs)
		if err == nil {
			t.Cleanup(stop)
			return path, addrs
		}
		lastErr = err
	}
	t.Fatalf("testservers: %v", lastErr)
	return "", nil
}

// catalinaOptsSpecial are the characters that catalina.sh's eval of
// CATALINA_OPTS splits on or expands.
const catalinaOptsSpecial = " \t\n\"'$`\\;&|<>()*?[]{}!#~"

func tomcatPortPlaceholder(i int) string {
	return fmt.Sprintf("{{PORT%d}}", i)
}
