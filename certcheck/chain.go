// Package certcheck judges a server's certificate chain as a given client
// family would: it fetches the chain, builds a path to a trust store with or
// without AIA fetching, and checks dates, host name, key sizes and signature
// algorithms. It also runs a full handshake as a client without a client
// certificate, to learn what a server that requests one does next.
//
// Use Fetch or ParseChain to get a Chain, Roots to load a trust store,
// Verify to list the Problems a client with a given Policy would have, and
// Handshake for the client-certificate question.
package certcheck

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"slices"
	"time"
)

// DefaultTimeout bounds Fetch and Handshake when the caller gives no timeout.
const DefaultTimeout = 10 * time.Second

// Sources of a Chain.
const (
	// SourceHandshake: a crypto/tls handshake that completed.
	SourceHandshake = "tls handshake"
	// SourceCertificateMessage: a TLS 1.2 Certificate message read in clear
	// by a raw probe, with no completed handshake.
	SourceCertificateMessage = "Certificate message"
)

// Chain is a certificate chain as a server sent it.
type Chain struct {
	// Certificates holds the certificates in the order sent, leaf first.
	Certificates []*x509.Certificate `json:"-"`
	// Source names where the chain came from: SourceHandshake or
	// SourceCertificateMessage.
	Source string `json:"source"`
	// Version and CipherSuite are the parameters of the handshake that
	// fetched the chain, or 0 when Source is SourceCertificateMessage.
	Version     uint16 `json:"version,omitempty"`
	CipherSuite uint16 `json:"cipher_suite,omitempty"`
}

// Describe returns the Info of every certificate, in chain order.
func (c *Chain) Describe() []Info {
	infos := make([]Info, len(c.Certificates))
	for i, cert := range c.Certificates {
		infos[i] = Describe(cert)
	}
	return infos
}

// Fetch connects to addr and completes a TLS handshake to get the server's
// certificate chain. The handshake accepts any certificate, any version from
// TLS 1.0 to 1.3 and every cipher suite crypto/tls implements, the insecure
// ones included, so that as many servers as possible complete it. serverName
// is sent as SNI, and an empty serverName sends none. The handshake ends at the earlier of ctx's
// deadline and timeout (DefaultTimeout when timeout is 0 or less).
func Fetch(ctx context.Context, addr, serverName string, timeout time.Duration) (*Chain, error) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	raw, err := dialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("fetch certificate chain: connect to %s: %w", addr, err)
	}
	defer raw.Close()
	if deadline, ok := ctx.Deadline(); ok {
		raw.SetDeadline(deadline)
	}

	conn := tls.Client(raw, &tls.Config{
		// The chain is judged afterwards by Verify, per client.
		InsecureSkipVerify: true,
		ServerName:         serverName,
		MinVersion:         tls.VersionTLS10,
		MaxVersion:         tls.VersionTLS13,
		CipherSuites:       GoSuites(),
	})
	if err := conn.HandshakeContext(ctx); err != nil {
		return nil, fmt.Errorf("fetch certificate chain: TLS handshake with %s: %w", addr, err)
	}
	state := conn.ConnectionState()
	if len(state.PeerCertificates) == 0 {
		// unreachable: crypto/tls rejects a server Certificate message
		// without certificates
		return nil, fmt.Errorf("fetch certificate chain: server %s sent no certificate", addr)
	}
	return &Chain{
		Certificates: state.PeerCertificates,
		Source:       SourceHandshake,
		Version:      state.Version,
		CipherSuite:  state.CipherSuite,
	}, nil
}

// GoSuites returns the IDs of every TLS 1.0-1.2 suite crypto/tls
// implements, secure ones first, insecure ones included. TLS 1.3 suites are
// left out because crypto/tls does not let a config choose them.
func GoSuites() []uint16 {
	var ids []uint16
	for _, list := range [][]*tls.CipherSuite{tls.CipherSuites(), tls.InsecureCipherSuites()} {
		for _, suite := range list {
			if slices.Contains(suite.SupportedVersions, tls.VersionTLS13) && len(suite.SupportedVersions) == 1 {
				continue
			}
			ids = append(ids, suite.ID)
		}
	}
	return ids
}

// ParseChain parses the DER certificates of a Certificate message, leaf
// first. The error names the index of the first certificate that does not
// parse.
func ParseChain(der [][]byte) (*Chain, error) {
	if len(der) == 0 {
		return nil, fmt.Errorf("parse certificate chain: the Certificate message contains no certificate")
	}
	certs := make([]*x509.Certificate, len(der))
	for i, d := range der {
		cert, err := x509.ParseCertificate(d)
		if err != nil {
			return nil, fmt.Errorf("parse certificate chain: certificate %d of %d (%d bytes): %w", i, len(der), len(d), err)
		}
		certs[i] = cert
	}
	return &Chain{Certificates: certs, Source: SourceCertificateMessage}, nil
}
