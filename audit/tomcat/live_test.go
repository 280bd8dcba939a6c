package tomcat

import (
	"crypto/tls"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/audit"
	"github.com/scimdoctor/scimdoctor/internal/audittest"
	"github.com/scimdoctor/scimdoctor/internal/testservers"
)

const (
	t10 = "TLS 1.0"
	t11 = "TLS 1.1"
	t12 = "TLS 1.2"
	t13 = "TLS 1.3"
)

// liveConnector is one HTTPS connector of a live Tomcat and what tlsscan
// must find on it.
type liveConnector struct {
	name string
	// connectorAttrs go on the Connector element, hostAttrs on its
	// SSLHostConfig.
	connectorAttrs, hostAttrs string
	versions                  []string
	clientCert                string
	// serverOrder is whether the TLS 1.2 list must match in order.
	serverOrder bool
}

// defaultJVMConnectors run in one Tomcat on the JDK's own java.security.
var defaultJVMConnectors = []liveConnector{
	{name: "defaults-only", versions: []string{t12, t13}, clientCert: "off"},
	{name: "plus-prefixed-tlsv11-tlsv12", hostAttrs: `protocols="+TLSv1.1,+TLSv1.2"`, versions: []string{t12}, clientCert: "off"},
	{name: "all-minus-tlsv13", hostAttrs: `protocols="all,-TLSv1.3"`, versions: []string{t12}, clientCert: "off"},
	{name: "tlsv1-only-jvm-disables", hostAttrs: `protocols="TLSv1"`, versions: nil, clientCert: "off"},
	{name: "openssl-syntax-ecdhe-aesgcm", hostAttrs: `ciphers="ECDHE+AESGCM:!ECDSA"`, versions: []string{t12, t13}, clientCert: "off"},
	{name: "empty-cipher-suites-drops-tls13", hostAttrs: `ciphers="ECDHE+AESGCM" cipherSuites=""`, versions: []string{t12}, clientCert: "off"},
	{name: "cipher-suites-chacha-only", hostAttrs: `ciphers="ECDHE+AESGCM" cipherSuites="TLS_CHACHA20_POLY1305_SHA256"`, versions: []string{t12, t13}, clientCert: "off"},
	{name: "openssl-syntax-high-minus-sha1", hostAttrs: `ciphers="HIGH:!aNULL:!SHA1:!DHE"`, versions: []string{t12, t13}, clientCert: "off"},
	{name: "jsse-names", hostAttrs: `ciphers="TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,TLS_RSA_WITH_AES_128_CBC_SHA"`, versions: []string{t12, t13}, clientCert: "off"},
	{name: "jsse-names-server-order", hostAttrs: `honorCipherOrder="true" protocols="TLSv1.2" ciphers="TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"`, versions: []string{t12}, clientCert: "off", serverOrder: true},
	{name: "certificate-verification-required", hostAttrs: `certificateVerification="required"`, versions: []string{t12, t13}, clientCert: "required"},
	{name: "certificate-verification-optional", hostAttrs: `certificateVerification="optionalNoCA"`, versions: []string{t12, t13}, clientCert: "optional"},
	{name: "certificate-verification-invalid", hostAttrs: `certificateVerification="bogus"`, versions: []string{t12, t13}, clientCert: "required"},
	{name: "legacy-connector-attribute-ignored", connectorAttrs: `sslEnabledProtocols="TLSv1.2" ciphers="ECDHE-RSA-AES128-SHA"`, versions: []string{t12, t13}, clientCert: "off"},
	{name: "property-from-catalina-properties", hostAttrs: `protocols="${scim.tls.protocols}"`, versions: []string{t13}, clientCert: "off"},
}

// legacyJVMConnectors run in one Tomcat whose java.security override
// removes TLSv1 and TLSv1.1 from jdk.tls.disabledAlgorithms.
var legacyJVMConnectors = []liveConnector{
	{name: "legacy-jvm-defaults-are-all", versions: []string{t10, t11, t12, t13}, clientCert: "off"},
	{name: "legacy-jvm-tlsv1-only", hostAttrs: `protocols="TLSv1"`, versions: []string{t10}, clientCert: "off"},
	{name: "legacy-jvm-plus-tlsv11", hostAttrs: `protocols="+TLSv1.1"`, versions: []string{t11}, clientCert: "off"},
	{name: "legacy-jvm-gcm-only-tlsv1", hostAttrs: `protocols="TLSv1+TLSv1.2" ciphers="ECDHE+AESGCM"`, versions: []string{t12}, clientCert: "off"},
}

// liveServerXML returns a server.xml with one JSSE NIO connector per entry
// on {{PORTn}}.
func liveServerXML(connectors []liveConnector) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<Server port="-1" shutdown="SHUTDOWN">
  <Service name="Catalina">
`)
	for i, c := range connectors {
		fmt.Fprintf(&b, `    <!-- %s -->
    <Connector port="{{PORT%d}}" address="127.0.0.1"
               protocol="org.apache.coyote.http11.Http11NioProtocol"
               sslImplementationName="org.apache.tomcat.util.net.jsse.JSSEImplementation"
               SSLEnabled="true" scheme="https" secure="true" maxThreads="10" %s>
      <SSLHostConfig %s>
        <Certificate certificateKeystoreFile="{{KEYSTORE}}" certificateKeystoreType="PKCS12"
                     certificateKeystorePassword="{{KEYSTORE_PASSWORD}}" type="RSA"/>
      </SSLHostConfig>
    </Connector>
`, c.name, i, c.connectorAttrs, c.hostAttrs)
	}
	b.WriteString(`    <Engine name="Catalina" defaultHost="localhost">
      <Host name="localhost" appBase="webapps" unpackWARs="false" autoDeploy="false"/>
    </Engine>
  </Service>
</Server>
`)
	return b.String()
}

func TestAuditMatchesLiveTomcat(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two Tomcat JVMs")
	}
	cert := testservers.SelfSigned(t)

	path, addrs := testservers.StartTomcatXML(t, testservers.TomcatXML{
		Cert:               cert,
		ServerXML:          liveServerXML(defaultJVMConnectors),
		Ports:              len(defaultJVMConnectors),
		CatalinaProperties: "scim.tls.protocols=TLSv1.3\n",
	})
	listeners, _, err := Audit(Options{}, path)
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	legacyPath, legacyAddrs := testservers.StartTomcatXML(t, testservers.TomcatXML{
		Cert:      cert,
		ServerXML: liveServerXML(legacyJVMConnectors),
		Ports:     len(legacyJVMConnectors),
		LegacyTLS: true,
	})
	legacyJVM := JDK17
	legacyJVM.Versions = []string{t10, t11, t12, t13}
	legacyJVM.Limit = audit.Setting{File: filepath.Join(filepath.Dir(legacyPath), "legacy-tls.security"), Line: 2,
		Directive: "jdk.tls.disabledAlgorithms without TLSv1 and TLSv1.1"}
	legacyListeners, _, err := Audit(Options{Runtime: legacyJVM}, legacyPath)
	if err != nil {
		t.Fatalf("Audit of the legacy-JVM file: %v", err)
	}

	t.Run("default-jvm", func(t *testing.T) {
		checkLive(t, defaultJVMConnectors, addrs, listeners)
	})
	t.Run("legacy-jvm", func(t *testing.T) {
		checkLive(t, legacyJVMConnectors, legacyAddrs, legacyListeners)
	})
}

func checkLive(t *testing.T, connectors []liveConnector, addrs []string, listeners []audit.Listener) {
	for i, tc := range connectors {
		addr := addrs[i]
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := listenerOn(t, listeners, addr)

			res := audittest.CompareWithScan(t, addr, l, audittest.WithServerOrder(), audittest.WithProbeTimeout(5*time.Second))
			scanned := audittest.AcceptedVersions(res)
			if !slices.Equal(scanned, tc.versions) {
				t.Errorf("versions: scan %v, table %v", scanned, tc.versions)
			}
			if got := audittest.ServerOrder(res); slices.Contains(scanned, t12) && got != tc.serverOrder {
				t.Errorf("scan server order %v, table %v", got, tc.serverOrder)
			}
			if got := l.ClientCertificate.Values; len(got) != 1 || got[0] != tc.clientCert {
				t.Errorf("client certificate: audit %v (from %q), want %s", got, l.ClientCertificate.Directive, tc.clientCert)
			}
			if slices.Contains(scanned, t12) {
				if live := clientCertMode(t, addr); live != tc.clientCert {
					t.Errorf("client certificate: live server %s, table %s", live, tc.clientCert)
				}
			}
		})
	}
}

// clientCertMode runs one TLS 1.2 handshake without a client certificate
// and returns "required" when the server rejects it, "optional" when the
// server requested a certificate but went on, and "off" otherwise.
func clientCertMode(t *testing.T, addr string) string {
	t.Helper()
	requested := false
	conn, err := tls.Dial("tcp", addr, &tls.Config{
		InsecureSkipVerify: true, // the test's self-signed certificate
		MaxVersion:         tls.VersionTLS12,
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			requested = true
			return &tls.Certificate{}, nil
		},
	})
	if err != nil {
		if requested {
			return "required"
		}
		t.Fatalf("TLS 1.2 handshake with %s failed before any certificate request: %v", addr, err)
	}
	defer conn.Close()
	// A TLS 1.2 server that requires a certificate may send its alert
	// after the client's Finished, so read once to collect it.
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	conn.Write([]byte("GET / HTTP/1.0\r\n\r\n"))
	if _, err := conn.Read(make([]byte, 1)); err != nil && requested && !errors.Is(err, os.ErrDeadlineExceeded) {
		return "required"
	}
	if requested {
		return "optional"
	}
	return "off"
}

// listenerOn returns the audited listener of the connector on addr.
func listenerOn(t *testing.T, listeners []audit.Listener, addr string) audit.Listener {
	t.Helper()
	for _, l := range listeners {
		if strings.Contains(l.Name, "Connector "+addr+" ") {
			return l
		}
	}
	var names []string
	for _, l := range listeners {
		names = append(names, l.Name)
	}
	t.Fatalf("no audited listener for %s among %q", addr, names)
	return audit.Listener{}
}

// TestLegacyConnectorFixStartsLive audits a Tomcat 9 style Connector,
// which Tomcat 10.1 does not start, and runs the fixed file in the real
// Tomcat 10.1, where the connector must accept TLS 1.2 and TLS 1.3.
func TestLegacyConnectorFixStartsLive(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Tomcat JVM")
	}
	original := `<?xml version="1.0" encoding="UTF-8"?>
<Server port="-1" shutdown="SHUTDOWN">
  <Service name="Catalina">
    <Connector port="{{PORT0}}" address="127.0.0.1" protocol="org.apache.coyote.http11.Http11NioProtocol"
               SSLEnabled="true" scheme="https" secure="true" maxThreads="10"
               keystoreFile="{{KEYSTORE}}" keystorePass="{{KEYSTORE_PASSWORD}}" keystoreType="PKCS12"
               sslEnabledProtocols="TLSv1,TLSv1.1" clientAuth="true">
    </Connector>
    <Engine name="Catalina" defaultHost="localhost">
      <Host name="localhost" appBase="webapps" unpackWARs="false" autoDeploy="false"/>
    </Engine>
  </Service>
</Server>
`
	path := filepath.Join(t.TempDir(), "server.xml")
	if err := os.WriteFile(path, []byte(original), 0o600); err != nil {
		t.Fatal(err)
	}
	listeners, fixer, err := Audit(Options{}, path)
	if err != nil {
		t.Fatalf("Audit: %v", err)
	}
	l := listeners[0]
	if len(l.Versions.Values) != 0 || !hasNote(l, "does not start this connector") {
		t.Fatalf("versions %v, notes %q; want none and a note that Tomcat does not start the connector", l.Versions.Values, l.Notes)
	}
	audit.Judge(&l, fixer)
	if len(l.Problems) == 0 {
		t.Fatal("no problem reported")
	}
	fix, _, ok := strings.Cut(l.Problems[0].Fix, " inside the Connector")
	if !ok || !strings.HasPrefix(fix, "<SSLHostConfig ") {
		t.Fatalf("fix %q, want an SSLHostConfig element", l.Problems[0].Fix)
	}

	// The fixed Connector: its TLS attributes replaced by the fix.
	fixed := strings.Replace(original, `
               keystoreFile="{{KEYSTORE}}" keystorePass="{{KEYSTORE_PASSWORD}}" keystoreType="PKCS12"
               sslEnabledProtocols="TLSv1,TLSv1.1" clientAuth="true">`, ">\n      "+fix, 1)
	cert := testservers.SelfSigned(t)
	_, addrs := testservers.StartTomcatXML(t, testservers.TomcatXML{Cert: cert, ServerXML: fixed, Ports: 1})

	scanned := audittest.AcceptedVersions(audittest.Scan(t, addrs[0], audittest.WithProbeTimeout(5*time.Second)))
	if !slices.Equal(scanned, []string{t12, t13}) {
		t.Errorf("fixed connector accepts %v, want TLS 1.2 and TLS 1.3; fixed file:\n%s", scanned, fixed)
	}
}
