package testservers

import (
	"bufio"
	"context"
	"encoding/xml"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// tomcatHome is CATALINA_HOME of Debian's tomcat10 package: bin/catalina.sh
// and the jars in lib/. The configuration lives in a CATALINA_BASE per test.
const tomcatHome = "/usr/share/tomcat10"

// tomcatStartupTimeout bounds the wait for "Server startup in" from a JVM
// with two HTTPS connectors. StartTomcat returned after 0.9 to 1.0 s on a
// 2-core test machine (Tomcat 10.1.60, JDK 17.0.21), so 60 s leaves room for
// a loaded machine.
const tomcatStartupTimeout = 60 * time.Second

// tomcatKeystorePassword protects the throw-away PKCS12 keystore made from
// the test certificate.
const tomcatKeystorePassword = "changeit"

// tomcatStartedMarker is the start of the message Catalina logs once every
// connector has started. The JVM runs with an English locale, so the
// message is not translated.
const tomcatStartedMarker = "Server startup in"

// tomcatOutputLines is how many of Tomcat's last output lines an error
// message quotes.
const tomcatOutputLines = 40

// tomcatProtocolsPattern matches the protocols attribute of SSLHostConfig:
// protocol names, "all", optional "+" or "-" prefixes and "," or "+"
// separators.
var tomcatProtocolsPattern = regexp.MustCompile(`^[A-Za-z0-9.+,-]+$`)

// TomcatTLS describes the HTTPS connectors of one Tomcat process. A JVM
// takes about a second to start Tomcat, so one process serves every
// connector.
type TomcatTLS struct {
	// Cert is served by every connector. It must have an RSA key, as
	// SelfSigned makes, because the keystore entry is declared type="RSA".
	Cert Cert
	// Protocols has one entry per connector: the protocols attribute of its
	// SSLHostConfig, such as "TLSv1.2+TLSv1.3" or "TLSv1". When any entry
	// names TLSv1, TLSv1.1 or "all", the JVM gets a java.security override
	// that removes TLSv1 and TLSv1.1 from jdk.tls.disabledAlgorithms, and
	// that override applies to every connector of the process.
	Protocols []string
}

// StartTomcat runs Debian's Tomcat 10 (tomcat10 package, CATALINA_HOME
// /usr/share/tomcat10) in the foreground with "catalina.sh run" and a
// CATALINA_BASE in a test temp dir. Each cfg.Protocols entry gets one
// HTTP/1.1 NIO connector on a free 127.0.0.1 port with the JSSE TLS
// implementation, Tomcat's default ciphers and a PKCS12 keystore built from
// cfg.Cert with openssl. StartTomcat returns the connector addresses in
// cfg.Protocols order once Tomcat has logged its startup and every port
// accepts TCP connections. The ROOT application serves index.html with 200.
// There is no shutdown port, and the JVM is killed when the test ends.
//
// The test fails when cfg.Protocols is empty or an entry is not a
// protocols attribute, when java, openssl or tomcat10 is missing, or when
// Tomcat does not start within 60 s, with its last output lines in the
// message.
func StartTomcat(t testing.TB, cfg TomcatTLS) []string {
	t.Helper()
	if len(cfg.Protocols) == 0 {
		t.Fatalf("testservers: TomcatTLS.Protocols is empty; give one protocols attribute per connector, such as \"TLSv1.2+TLSv1.3\"")
	}
	for i, p := range cfg.Protocols {
		if !tomcatProtocolsPattern.MatchString(p) {
			t.Fatalf("testservers: TomcatTLS.Protocols[%d] %q is not an SSLHostConfig protocols value; use names joined by + or comma, such as \"TLSv1.2+TLSv1.3\"", i, p)
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

	// EXIT_ON_INIT_FAILURE makes a connector that cannot bind its port stop
	// the JVM. Without it Tomcat logs the failure and starts without that
	// connector.
	opts := []string{
		"-Duser.language=en", "-Duser.country=US",
		"-Djava.io.tmpdir=" + filepath.Join(base, "temp"),
		"-Dorg.apache.catalina.startup.EXIT_ON_INIT_FAILURE=true",
	}
	if tomcatNeedsLegacyTLS(cfg.Protocols) {
		override := filepath.Join(base, "conf", "legacy-tls.security")
		if err := writeLegacyTLSOverride(javaHome, override); err != nil {
			t.Fatalf("testservers: %v", err)
		}
		opts = append(opts, "-Djava.security.properties="+override)
	}
	env := append(tomcatEnviron(),
		"CATALINA_HOME="+tomcatHome,
		"CATALINA_BASE="+base,
		"CATALINA_TMPDIR="+filepath.Join(base, "temp"),
		"CATALINA_OPTS="+strings.Join(opts, " "),
		"JAVA_HOME="+javaHome,
	)

	// A free port can be taken between its probe and Tomcat's bind, which
	// then stops the JVM (EXIT_ON_INIT_FAILURE), so try fresh ports a few
	// times.
	var lastErr error
	for range 3 {
		addrs := make([]string, len(cfg.Protocols))
		for i := range addrs {
			addrs[i] = freePort(t)
		}
		serverXML := tomcatServerXML(addrs, cfg.Protocols, keystore)
		if err := os.WriteFile(filepath.Join(base, "conf", "server.xml"), []byte(serverXML), 0o600); err != nil {
			t.Fatalf("testservers: %v", err)
		}
		stop, err := runTomcat(catalina, env, addrs)
		if err == nil {
			t.Cleanup(stop)
			return addrs
		}
		lastErr = err
	}
	t.Fatalf("testservers: %v", lastErr)
	return nil
}

// tomcatEnviron returns the test process's environment without the
// variables that catalina.sh or the JVM read for Tomcat's location, options
// or logging, so a developer's settings cannot change the measured server.
func tomcatEnviron() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "CATALINA_"), strings.HasPrefix(name, "JPDA_"),
			name == "JAVA_OPTS", name == "JAVA_TOOL_OPTIONS", name == "JDK_JAVA_OPTIONS",
			name == "_JAVA_OPTIONS", name == "JAVA_HOME", name == "JRE_HOME", name == "LOGGING_MANAGER",
			name == "LOGGING_CONFIG", name == "UMASK", name == "USE_NOHUP":
			continue
		}
		env = append(env, kv)
	}
	return env
}

// lookJavaHome returns the JDK directory of the java in PATH, the one
// StartJSSE runs too, so catalina.sh does not pick another JDK.
func lookJavaHome(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("java")
	if err != nil {
		t.Fatalf("testservers: java not found in PATH: %v; install Debian package openjdk-17-jdk-headless", err)
	}
	real, err := filepath.EvalSymlinks(bin)
	if err != nil {
		t.Fatalf("testservers: resolving %s: %v", bin, err)
	}
	return filepath.Dir(filepath.Dir(real))
}

// tomcatNeedsLegacyTLS reports whether a protocols attribute enables TLS 1.0
// or 1.1, which JDK 17 lists in jdk.tls.disabledAlgorithms.
func tomcatNeedsLegacyTLS(protocols []string) bool {
	for _, p := range protocols {
		for _, name := range strings.FieldsFunc(p, func(r rune) bool { return r == '+' || r == ',' }) {
			switch strings.TrimPrefix(name, "+") {
			case "TLSv1", "TLSv1.1", "all":
				return true
			}
		}
	}
	return false
}

// writeLegacyTLSOverride writes a security properties file for
// -Djava.security.properties that sets jdk.tls.disabledAlgorithms to the
// JDK's value without TLSv1 and TLSv1.1, as an administrator of a legacy
// Java server does. The JDK's value comes from conf/security/java.security
// under javaHome.
func writeLegacyTLSOverride(javaHome, path string) error {
	master := filepath.Join(javaHome, "conf", "security", "java.security")
	text, err := os.ReadFile(master)
	if err != nil {
		return fmt.Errorf("reading the JDK's security properties: %w; the JDK in PATH must have conf/security/java.security", err)
	}
	value, ok := securityProperty(string(text), "jdk.tls.disabledAlgorithms")
	if !ok {
		return fmt.Errorf("%s sets no jdk.tls.disabledAlgorithms; check that it is the master security file of the JDK in PATH", master)
	}
	var kept []string
	for _, item := range strings.Split(value, ",") {
		item = strings.TrimSpace(item)
		if item != "" && item != "TLSv1" && item != "TLSv1.1" {
			kept = append(kept, item)
		}
	}
	content := "# TLSv1 and TLSv1.1 removed from the JDK's list, so a connector can enable them.\n" +
		"jdk.tls.disabledAlgorithms=" + strings.Join(kept, ", ") + "\n"
	return os.WriteFile(path, []byte(content), 0o600)
}

// securityProperty returns the value of key in a java.security file, with
// continuation lines (a trailing backslash) joined, and false when no line
// sets key.
func securityProperty(text, key string) (string, bool) {
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		rest, found := strings.CutPrefix(line, key)
		if !found {
			continue
		}
		rest = strings.TrimSpace(rest)
		if !strings.HasPrefix(rest, "=") && !strings.HasPrefix(rest, ":") {
			continue
		}
		value := rest[1:]
		for strings.HasSuffix(value, "\\") && i+1 < len(lines) {
			i++
			value = strings.TrimSuffix(value, "\\") + strings.TrimSpace(lines[i])
		}
		return strings.TrimSpace(value), true
	}
	return "", false
}

// writeTomcatStatic writes the parts of CATALINA_BASE that do not depend on
// the ports: logging to the console, a web.xml with only the default
// servlet, a context.xml without class path scanning, and the ROOT
// application.
func writeTomcatStatic(base string) error {
	files := map[string]string{
		"conf/logging.properties": `handlers = java.util.logging.ConsoleHandler
.handlers = java.util.logging.ConsoleHandler
.level = INFO
java.util.logging.ConsoleHandler.level = INFO
java.util.logging.ConsoleHandler.formatter = org.apache.juli.OneLineFormatter
`,
		"conf/web.xml": `<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0">
  <servlet>
    <servlet-name>default</servlet-name>
    <servlet-class>org.apache.catalina.servlets.DefaultServlet</servlet-class>
    <load-on-startup>1</load-on-startup>
  </servlet>
  <servlet-mapping>
    <servlet-name>default</servlet-name>
    <url-pattern>/</url-pattern>
  </servlet-mapping>
  <welcome-file-list>
    <welcome-file>index.html</welcome-file>
  </welcome-file-list>
</web-app>
`,
		// Tomcat scans every jar on the class path for TLDs and
		// annotations by default, which took 0.7 s of a 1.4 s start.
		"conf/context.xml": `<?xml version="1.0" encoding="UTF-8"?>
<Context>
  <JarScanner scanClassPath="false" scanManifest="false"/>
</Context>
`,
		"webapps/ROOT/index.html": "tomcat test server\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(base, name), []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// tomcatServerXML returns a server.xml with one HTTPS connector per address
// and no shutdown port.
func tomcatServerXML(addrs, protocols []string, keystore string) string {
	var connectors strings.Builder
	for i, addr := range addrs {
		_, port, _ := net.SplitHostPort(addr)
		fmt.Fprintf(&connectors, `    <Connector port="%s" address="127.0.0.1"
               protocol="org.apache.coyote.http11.Http11NioProtocol"
               sslImplementationName="org.apache.tomcat.util.net.jsse.JSSEImplementation"
               SSLEnabled="true" scheme="https" secure="true" maxThreads="10">
      <SSLHostConfig protocols="%s">
        <Certificate certificateKeystoreFile="%s" certificateKeystoreType="PKCS12"
                     certificateKeystorePassword="%s" type="RSA"/>
      </SSLHostConfig>
    </Connector>
`, port, xmlAttr(protocols[i]), xmlAttr(keystore), tomcatKeystorePassword)
	}
	return `<?xml version="1.0" encoding="UTF-8"?>
<Server port="-1" shutdown="SHUTDOWN">
  <Service name="Catalina">
` + connectors.String() + `    <Engine name="Catalina" defaultHost="localhost">
      <Host name="localhost" appBase="webapps" unpackWARs="false" autoDeploy="false"/>
    </Engine>
  </Service>
</Server>
`
}

func xmlAttr(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// runTomcat starts catalina.sh run, which execs the JVM, and waits for the
// startup message and for every address to accept TCP connections. It
// returns the function that kills the JVM, or an error with Tomcat's last
// output lines after killing it.
func runTomcat(catalina string, env, addrs []string) (stop func(), err error) {
	ctx, cancel := context.WithCancel(context.Background())
	// TODO: a test binary killed before its cleanup leaves the JVM running,
	// unlike StartJSSE's server, which exits when its stdin closes.
	cmd := exec.CommandContext(ctx, catalina, "run")
	cmd.Env = env
	output, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		return nil, err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		cancel()
		return nil, fmt.Errorf("starting %s run: %w", catalina, err)
	}

	// The reader keeps the last lines for error messages and drains the
	// pipe for the JVM's whole life, so Tomcat never blocks on logging.
	var mu sync.Mutex
	var last []string
	started := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(output)
		signalled := false
		for sc.Scan() {
			line := sc.Text()
			mu.Lock()
			last = append(last, line)
			if len(last) > tomcatOutputLines {
				last = last[1:]
			}
			mu.Unlock()
			if !signalled && strings.Contains(line, tomcatStartedMarker) {
				signalled = true
				close(started)
			}
		}
		cmd.Wait()
		close(exited)
	}()
	stop = func() {
		cancel()
		<-exited
	}
	tail := func() string {
		mu.Lock()
		defer mu.Unlock()
		return strings.Join(last, "\n")
	}

	select {
	case <-started:
	case <-exited:
		cancel()
		return nil, fmt.Errorf("tomcat (%s run) exited before its startup message; output:\n%s", catalina, tail())
	case <-time.After(tomcatStartupTimeout):
		stop()
		return nil, fmt.Errorf("tomcat (%s run) logged no %q within %s; output:\n%s", catalina, tomcatStartedMarker, tomcatStartupTimeout, tail())
	}
	for _, addr := range addrs {
		conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			stop()
			return nil, fmt.Errorf("tomcat started but its connector on %s accepts no connection (%v); output:\n%s", addr, err, tail())
		}
		conn.Close()
	}
	return stop, nil
}
