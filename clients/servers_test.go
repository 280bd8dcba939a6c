package clients

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// This file holds the servers the tests need beyond the lab and the Debian
// packages. A CA of their own issues certificates the lab does not issue.
// Scripted peers give behaviour no installed server has: a server that
// ignores supported_versions, one that picks a suite the client never
// offered, and a port whose accept queue is full.

// testCA is a root CA with a P-256 key, made per test.
type testCA struct {
	cert    *x509.Certificate
	key     crypto.Signer
	File    string // the root in PEM, for --cacert
	KeyFile string // the root's key in PKCS #8 PEM, for openssl x509 -CAkey
	serial  int64
	mu      sync.Mutex
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("generate CA key: %v", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "clients test root"},
		NotBefore:             now.Add(-365 * 24 * time.Hour),
		NotAfter:              now.Add(365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatalf("create CA certificate: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("parse CA certificate: %v", err)
	}

	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatalf("encode CA key: %v", err)
	}
	ca := &testCA{cert: cert, key: key, serial: 1}
	ca.File = writePEM(t, "root.pem", "CERTIFICATE", der)
	ca.KeyFile = writePEM(t, "root.key", "PRIVATE KEY", keyDER)
	return ca
}

// leafSpec describes a server certificate of the test CA.
type leafSpec struct {
	dnsNames  []string
	ips       []net.IP
	notBefore time.Time
	notAfter  time.Time
	// rsaBits makes an RSA key of that size; 0 makes a P-256 key.
	rsaBits int
	// commonNameOnly leaves out the subjectAltName extension: the name is
	// only in the subject CN, as in certificates from before RFC 2818 was
	// enforced.
	commonNameOnly bool
}

// issue returns the leaf as a tls.Certificate and as PEM files.
func (ca *testCA) issue(t *testing.T, spec leafSpec) (tls.Certificate, string, string) {
	t.Helper()
	var key crypto.Signer
	var err error
	if spec.rsaBits > 0 {
		key, err = rsa.GenerateKey(rand.Reader, spec.rsaBits)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		t.Fatalf("generate leaf key: %v", err)
	}

	ca.mu.Lock()
	ca.serial++
	serial := ca.serial
	ca.mu.Unlock()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: spec.dnsNames[0]},
		DNSNames:     spec.dnsNames,
		IPAddresses:  spec.ips,
		NotBefore:    spec.notBefore,
		NotAfter:     spec.notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if spec.commonNameOnly {
		tmpl.DNSNames, tmpl.IPAddresses = nil, nil
	}

	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, key.Public(), ca.key)
	if err != nil {
		t.Fatalf("create leaf certificate: %v", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatalf("encode leaf key: %v", err)
	}
	certFile := writePEM(t, "leaf.pem", "CERTIFICATE", der)
	keyFile := writePEM(t, "leaf.key", "PRIVATE KEY", keyDER)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, certFile, keyFile
}

// issueWeakRSA makes, with the openssl command, a leaf for localhost with a
// 512-bit RSA key, which crypto/rsa refuses to generate or use since
// Go 1.24. It returns the certificate and key files.
func (ca *testCA) issueWeakRSA(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "weak.key")
	csrFile := filepath.Join(dir, "weak.csr")
	extFile := filepath.Join(dir, "weak.ext")
	certFile := filepath.Join(dir, "weak.pem")
	if err := os.WriteFile(extFile, []byte("subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"genrsa", "-out", keyFile, "512"},
		{"req", "-new", "-key", keyFile, "-subj", "/CN=localhost", "-out", csrFile},
		{"x509", "-req", "-in", csrFile, "-CA", ca.File, "-CAkey", ca.KeyFile, "-set_serial", "4096",
			"-days", "30", "-extfile", extFile, "-out", certFile},
	} {
		if out, err := exec.Command("openssl", args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	return certFile, keyFile
}

// issueSHA1 issues, with openssl, an RSA 2048 leaf for localhost signed
// with SHA-1 by the test CA, and returns the certificate and key files.
// crypto/x509 no longer signs with SHA-1.
func (ca *testCA) issueSHA1(t *testing.T) (string, string) {
	t.Helper()
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "sha1.key")
	csrFile := filepath.Join(dir, "sha1.csr")
	extFile := filepath.Join(dir, "sha1.ext")
	certFile := filepath.Join(dir, "sha1.pem")
	writeFile(t, extFile, "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
	for _, args := range [][]string{
		{"genrsa", "-out", keyFile, "2048"},
		{"req", "-new", "-key", keyFile, "-subj", "/CN=localhost", "-out", csrFile},
		{"x509", "-req", "-sha1", "-in", csrFile, "-CA", ca.File, "-CAkey", ca.KeyFile, "-set_serial", "4097",
			"-days", "30", "-extfile", extFile, "-out", certFile},
	} {
		if out, err := exec.Command("openssl", args...).CombinedOutput(); err != nil {
			t.Fatalf("openssl %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	return certFile, keyFile
}

// localhostLeaf is a leaf for localhost and 127.0.0.1 valid around now.
func localhostLeaf() leafSpec {
	now := time.Now()
	return leafSpec{
		dnsNames:  []string{"localhost"},
		ips:       []net.IP{net.IPv4(127, 0, 0, 1)},
		notBefore: now.Add(-time.Hour),
		notAfter:  now.Add(30 * 24 * time.Hour),
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatalf("write %s: %v", path, err)
	}
}

func writePEM(t *testing.T, name, blockType string, der []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der}), 0o600); err != nil {
		t.Fatalf("write %s: %v", name, err)
	}
	return path
}

// startTLSServer runs a crypto/tls server that responds to every request
// with "HTTP/1.1 200 OK" and returns its address.
func startTLSServer(t *testing.T, config *tls.Config) string {
	t.Helper()
	ln, err := tls.Listen("tcp4", "127.0.0.1:0", config)
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	return serve(t, ln, func(c net.Conn) {
		c.SetDeadline(time.Now().Add(10 * time.Second))
		buf := make([]byte, 4096)
		if _, err := c.Read(buf); err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
	})
}

// startScripted runs a raw TCP server that calls handle for every
// connection and returns its address.
func startScripted(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	return serve(t, ln, handle)
}

func serve(t *testing.T, ln net.Listener, handle func(net.Conn)) string {
	var wg sync.WaitGroup
	var mu sync.Mutex
	conns := map[net.Conn]bool{}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns[c] = true
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				handle(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// readClientHello reads one TLS record, the ClientHello.
func readClientHello(c net.Conn) bool {
	c.SetDeadline(time.Now().Add(10 * time.Second))
	header := make([]byte, 5)
	if _, err := io.ReadFull(c, header); err != nil {
		return false
	}
	body := make([]byte, binary.BigEndian.Uint16(header[3:5]))
	_, err := io.ReadFull(c, body)
	return err == nil
}

// serverHelloRecord builds a ServerHello record with the given version and
// cipher suite and no extensions, as an old server that ignores
// supported_versions sends it.
func serverHelloRecord(version, suite uint16) []byte {
	body := binary.BigEndian.AppendUint16(nil, version)
	random := make([]byte, 32)
	rand.Read(random)
	body = append(body, random...)
	body = append(body, 0) // session_id
	body = binary.BigEndian.AppendUint16(body, suite)
	body = append(body, 0) // compression: null
	msg := append([]byte{2, 0, byte(len(body) >> 8), byte(len(body))}, body...)
	record := []byte{22}
	record = binary.BigEndian.AppendUint16(record, version)
	record = binary.BigEndian.AppendUint16(record, uint16(len(msg)))
	return append(record, msg...)
}

// startServerHello sends serverHelloRecord after every ClientHello and
// waits for the client to give up.
func startServerHello(t *testing.T, version, suite uint16) string {
	return startScripted(t, func(c net.Conn) {
		if !readClientHello(c) {
			return
		}
		c.Write(serverHelloRecord(version, suite))
		io.Copy(io.Discard, c)
	})
}

// startResetAfterHello resets the connection once the ClientHello is read.
func startResetAfterHello(t *testing.T) string {
	return startScripted(t, func(c net.Conn) {
		if readClientHello(c) {
			c.(*net.TCPConn).SetLinger(0)
		}
	})
}

// startCloseAfterHello closes the connection once the ClientHello is read.
func startCloseAfterHello(t *testing.T) string {
	return startScripted(t, func(c net.Conn) {
		readClientHello(c)
	})
}

// closedPort returns an address of 127.0.0.1 where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startFullBacklog returns the address of a listener with a backlog of 0
// whose accept queue is filled and never drained: Linux drops further SYNs,
// so a connect times out, as behind a firewall that drops packets.
func startFullBacklog(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatalf("socket: %v", err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatalf("bind: %v", err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatalf("listen: %v", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatalf("getsockname: %v", err)
	}
	addr := (&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: sa.(*syscall.SockaddrInet4).Port}).String()

	// Fill the queue; these connections stay pending until the test ends.
	for range 3 {
		c, err := net.DialTimeout("tcp4", addr, 200*time.Millisecond)
		if err == nil {
			t.Cleanup(func() { c.Close() })
		}
	}
	probe, err := net.DialTimeout("tcp4", addr, 300*time.Millisecond)
	if err == nil {
		probe.Close()
		t.Fatalf("the full-backlog listener at %s still accepts connections; this kernel does not drop SYNs on a full accept queue", addr)
	}
	return addr
}
