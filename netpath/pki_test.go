package netpath

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
)

// testCA is a throw-away certificate authority for tests.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

// newTestCA makes a self-signed CA with subject CN cn and O org.
func newTestCA(t testing.TB, cn, org string) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("generating a CA key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          randomSerial(t),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{org}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("creating the CA certificate %q: %v", cn, err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("parsing the CA certificate %q: %v", cn, err)
	}
	return &testCA{cert: cert, key: key}
}

// issue makes a server certificate for host (a DNS name or IP literal)
// signed by ca, with the CA certificate after the leaf in the chain.
func (ca *testCA) issue(t testing.TB, host string) tls.Certificate {
	t.Helper()
	cert, err := ca.issueCert(host)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// issueCert is issue for goroutines that cannot fail the test.
func (ca *testCA) issueCert(host string) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("generating a leaf key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("generating a serial number: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: host},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if ip := net.ParseIP(host); ip != nil {
		tmpl.IPAddresses = []net.IP{ip}
	} else {
		tmpl.DNSNames = []string{host}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("creating a leaf for %q: %w", host, err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("parsing the leaf for %q: %w", host, err)
	}
	return tls.Certificate{Certificate: [][]byte{der, ca.cert.Raw}, PrivateKey: key, Leaf: leaf}, nil
}

// chain returns the parsed certificates of c, leaf first.
func chain(t testing.TB, c tls.Certificate) []*x509.Certificate {
	t.Helper()
	var certs []*x509.Certificate
	for _, der := range c.Certificate {
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatalf("parsing a chain certificate: %v", err)
		}
		certs = append(certs, cert)
	}
	return certs
}

func randomSerial(t testing.TB) *big.Int {
	t.Helper()
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		t.Fatalf("generating a serial number: %v", err)
	}
	return serial
}

// originGreeting is what the test origin sends after each handshake.
const originGreeting = "hello from the origin\n"

// startOrigin starts a Go TLS server on 127.0.0.1 that serves cert, sends
// originGreeting after the handshake and closes. It returns the address.
func startOrigin(t testing.TB, cert tls.Certificate) string {
	t.Helper()
	config := &tls.Config{Certificates: []tls.Certificate{cert}}
	return testservers.StartRaw(t, func(conn *net.TCPConn) {
		tlsConn := tls.Server(conn, config)
		defer tlsConn.Close()
		if err := tlsConn.Handshake(); err != nil {
			return
		}
		io.WriteString(tlsConn, originGreeting)
	})
}

// startInspectionProxy starts a TLS-inspecting CONNECT proxy on 127.0.0.1
// that accepts CONNECT to loopback targets only. Like Zscaler or a
// FortiGate, it terminates the client's TLS with a certificate that ca
// issues on the fly for the requested name. It then opens its own TLS
// connection to the target and copies the bytes both ways.
func startInspectionProxy(t testing.TB, ca *testCA) string {
	t.Helper()
	return testservers.StartRaw(t, func(conn *net.TCPConn) {
		defer conn.Close()
		br := bufio.NewReader(conn)
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		if req.Method != http.MethodConnect {
			io.WriteString(conn, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
			return
		}
		host, _, err := net.SplitHostPort(req.Host)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			io.WriteString(conn, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
			return
		}
		io.WriteString(conn, "HTTP/1.1 200 Connection established\r\n\r\n")

		config := &tls.Config{GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			name := hello.ServerName
			if name == "" {
				name = host
			}
			cert, err := ca.issueCert(name)
			return &cert, err
		}}
		client := tls.Server(&bufferedConn{Conn: conn, r: br}, config)
		if err := client.Handshake(); err != nil {
			return
		}
		upstream, err := tls.Dial("tcp", req.Host, &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			return
		}
		defer upstream.Close()
		go io.Copy(upstream, client)
		io.Copy(client, upstream)
	})
}

// bufferedConn reads through r, which may hold bytes read past a header.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }
