package netpath

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
)

// PeerChain connects to addr ("host:port") through d, completes a TLS
// handshake that sends serverName as SNI (none when serverName is empty or
// an IP literal), and returns the certificates the server sent, leaf
// first. It does not verify them, because an untrusted chain is what an
// inspecting proxy produces and what CompareChains needs to see. It offers
// TLS 1.0 to 1.3 with crypto/tls's default suites, so a server that
// accepts none of them gives a handshake error. The dial's errors are
// returned as is, so a *ProxyError reaches the caller.
func PeerChain(ctx context.Context, d *Dialer, addr, serverName string) ([]*x509.Certificate, error) {
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	defer conn.Close()

	config := &tls.Config{
		ServerName:         serverName,
		InsecureSkipVerify: true, // the chain is inspected, not trusted
		MinVersion:         tls.VersionTLS10,
	}
	if net.ParseIP(serverName) != nil {
		config.ServerName = ""
	}
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	hsCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	tlsConn := tls.Client(conn, config)
	if err := tlsConn.HandshakeContext(hsCtx); err != nil {
		return nil, fmt.Errorf("netpath: TLS handshake with %s via %s failed: %w", addr, d.Proxy, err)
	}
	return tlsConn.ConnectionState().PeerCertificates, nil
}
