package tomcat

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
)

// tcnativeLibrary is the tomcat-native library of Debian 12's package
// libtcnative-1 (1.2.35), which the JVM finds on its default
// java.library.path.
const tcnativeLibrary = "/usr/lib/x86_64-linux-gnu/libtcnative-1.so"

// aprListenerConnectors run in one Tomcat with an AprLifecycleListener
// and no sslImplementationName, under a java.security that disables
// TLSv1.3. Tomcat 10.1.60 rejects Debian 12's tomcat-native 1.2.35, so
// every connector falls back to JSSE and the JVM's limit applies.
var aprListenerConnectors = []liveConnector{
	{name: "apr-listener-defaults", versions: []string{t12}, clientCert: "off"},
	{name: "apr-listener-legacy-protocols", hostAttrs: `protocols="TLSv1+TLSv1.1+TLSv1.2"`, versions: []string{t12}, clientCert: "off"},
	{name: "apr-listener-openssl-syntax", hostAttrs: `ciphers="ECDHE+AESGCM:!ECDSA"`, versions: []string{t12}, clientCert: "off"},
}

// aprServerXML returns a server.xml with an AprLifecycleListener and one
// NIO connector per entry on {{PORTn}}, each with sslImplementationName
// set to impl, or without it when impl is "".
func aprServerXML(connectors []liveConnector, impl string) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<Server port="-1" shutdown="SHUTDOWN">
  <Listener className="org.apache.catalina.core.AprLifecycleListener" SSLEngine="on"/>
  <Service name="Catalina">
`)
	for i, c := range connectors {
		implAttr := ""
		if impl != "" {
			implAttr = fmt.Sprintf("sslImplementationName=%q", impl)
		}
		fmt.Fprintf(&b, `    <!-- %s -->
    <Connector port="{{PORT%d}}" address="127.0.0.1"
               protocol="org.apache.coyote.http11.Http11NioProtocol"
               %s
               SSLEnabled="true" scheme="https" secure="true" maxThreads="10" %s>
      <SSLHostConfig %s>
        <Certificate certificateKeystoreFile="{{KEYSTORE}}" certificateKeystoreType="PKCS12"
                     certificateKeystorePassword="{{KEYSTORE_PASSWORD}}" type="RSA"/>
      </SSLHostConfig>
    </Connector>
`, c.name, i, implAttr, c.connectorAttrs, c.hostAttrs)
	}
	b.WriteString(`    <Engine name="Catalina" defaultHost="localhost">
      <Host name="localhost" appBase="webapps" unpackWARs="false" autoDeploy="false"/>
    </Engine>
  </Service>
</Server>
`)
	return b.String()
}

// TestAuditMatchesLiveTomcatAprListener runs Tomcat 10.1.60 with an
// AprLifecycleListener and Debian 12's tomcat-native, under a java.security
// that disables TLSv1.3, and compares the audit of the same files with
// tlsscan: the connectors use JSSE, so the JVM's limit applies.
func TestAuditMatchesLiveTomcatAprListener(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Tomcat JVM")
	}
	requireTCNative(t)
	cert := testservers.SelfSigned(t)
	rt, security, _ := loadJavaRuntime(t, disabledTLS13, "")

	path, addrs := testservers.StartTomcatXML(t, testservers.TomcatXML{
		Cert:       cert,
		ServerXML:  aprServerXML(aprListenerConnectors, ""),
		Ports:      len(aprListenerConnectors),
		JVMOptions: []string{"-Djava.security.properties==" + security},
	})
	listeners, _, err := Audit(Options{Runtime: rt}, path)
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	for _, l := range listeners {
		if !hasNote(l, "1.3.9") {
			t.Errorf("%s: notes %q, want the tomcat-native version Tomcat 10.1 requires", l.Name, l.Notes)
		}
	}
	checkLive(t, aprListenerConnectors, addrs, listeners)
}

// TestTomcatNativeTooOldForOpenSSLConnector runs a connector with
// sslImplementationName OpenSSLImplementation in Tomcat 10.1.60 with
// Debian 12's tomcat-native 1.2.35, which Tomcat rejects, so the connector
// fails and Tomcat does not start. The audit's note must quote Tomcat's error.
//
// Tomcat 10.1's FFM implementation
// (org.apache.tomcat.util.net.openssl.panama.OpenSSLImplementation) has no
// live case: it needs Java 22 or later, and these tests run Tomcat on
// JDK 17. Debian 12's tomcat10 package also leaves out its classes.
func TestTomcatNativeTooOldForOpenSSLConnector(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Tomcat JVM")
	}
	requireTCNative(t)
	cert := testservers.SelfSigned(t)
	connectors := []liveConnector{{name: "openssl-implementation"}}
	xml := aprServerXML(connectors, "org.apache.tomcat.util.net.openssl.OpenSSLImplementation")

	rec := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		testservers.StartTomcatXML(rec, testservers.TomcatXML{Cert: cert, ServerXML: xml, Ports: 1})
	}()
	<-done
	if rec.message == "" {
		t.Fatalf("Tomcat started an OpenSSLImplementation connector with tomcat-native 1.2.35; update the model and this test")
	}
	for _, want := range []string{"An incompatible version [1.2.35]", "A suitable Tomcat Native implementation is not available"} {
		if !strings.Contains(rec.message, want) {
			t.Errorf("Tomcat output lacks %q:\n%s", want, rec.message)
		}
	}

	// The audit reads the same server.xml, with the placeholders filled.
	path := filepath.Join(t.TempDir(), "server.xml")
	if err := os.WriteFile(path, []byte(strings.NewReplacer("{{PORT0}}", "8443", "{{KEYSTORE}}", "ks.p12", "{{KEYSTORE_PASSWORD}}", "x").Replace(xml)), 0o600); err != nil {
		t.Fatal(err)
	}
	listeners, _, err := Audit(Options{}, path)
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	if len(listeners) != 1 || !hasNote(listeners[0], "A suitable Tomcat Native implementation is not available") {
		t.Errorf("listeners %+v, want one whose notes quote Tomcat's error for an old tomcat-native", listeners)
	}
}

// fatalRecorder stores the message of Fatal or Fatalf and ends the calling
// goroutine, so a test can observe a testservers helper that fails.
type fatalRecorder struct {
	testing.TB
	message string
}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.message = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (f *fatalRecorder) Fatal(args ...any) {
	f.message = fmt.Sprint(args...)
	runtime.Goexit()
}

func requireTCNative(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(tcnativeLibrary); err != nil {
		t.Fatalf("%v; install Debian package libtcnative-1 (scripts/install-test-deps.sh does)", err)
	}
}
