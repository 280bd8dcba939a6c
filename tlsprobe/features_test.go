package tlsprobe

import (
	"context"
	"crypto"
	"crypto/tls"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
)

// featureGoServer configures a crypto/tls server for TestFeaturesGoTLS.
type featureGoServer struct {
	min, max       uint16
	nextProtos     []string
	staple         bool
	ticketDisabled bool
}

// featureOCSPResponse returns a DER OCSP response, status good, for cert,
// signed by cert's own key: the certificate is self-signed, so it is its own
// issuer and responder.
func featureOCSPResponse(t *testing.T, cert tls.Certificate) []byte {
	t.Helper()
	leaf := cert.Leaf
	der, err := ocsp.CreateResponse(leaf, leaf, ocsp.Response{
		Status:       ocsp.Good,
		SerialNumber: leaf.SerialNumber,
		ThisUpdate:   time.Now().Add(-time.Minute),
		NextUpdate:   time.Now().Add(time.Hour),
	}, cert.PrivateKey.(crypto.Signer))
	if err != nil {
		t.Fatalf("creating an OCSP response: %v", err)
	}
	return der
}

// featureStartGoTLS starts a crypto/tls server configured by s that
// completes handshakes and closes.
func featureStartGoTLS(t *testing.T, s featureGoServer) string {
	t.Helper()
	c := testservers.SelfSigned(t)
	cert, err := tls.X509KeyPair(c.CertPEM, c.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	if s.staple {
		cert.OCSPStaple = featureOCSPResponse(t, cert)
	}
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates:           []tls.Certificate{cert},
		MinVersion:             s.min,
		MaxVersion:             s.max,
		NextProtos:             s.nextProtos,
		SessionTicketsDisabled: s.ticketDisabled,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				conn.SetDeadline(time.Now().Add(5 * time.Second))
				conn.(*tls.Conn).Handshake()
			}()
		}
	}()
	return l.Addr().String()
}

// featureCheck compares the verdicts of got with want, field by field.
func featureCheck(t *testing.T, got, want *Features) {
	t.Helper()
	if got.Err != want.Err {
		t.Errorf("Err = %q; want %q", got.Err, want.Err)
	}
	if got.Version != want.Version {
		t.Errorf("Version = %s; want %s", got.Version, want.Version)
	}
	if got.ProbeVersion != want.ProbeVersion {
		t.Errorf("ProbeVersion = %s; want %s", got.ProbeVersion, want.ProbeVersion)
	}
	if !slices.Equal(got.ALPN, want.ALPN) {
		t.Errorf("ALPN = %q; want %q", got.ALPN, want.ALPN)
	}
	if got.SecureRenegotiation != want.SecureRenegotiation {
		t.Errorf("SecureRenegotiation = %v; want %v", got.SecureRenegotiation, want.SecureRenegotiation)
	}
	if got.ExtendedMasterSecret != want.ExtendedMasterSecret {
		t.Errorf("ExtendedMasterSecret = %v; want %v", got.ExtendedMasterSecret, want.ExtendedMasterSecret)
	}
	if got.SessionTicket != want.SessionTicket {
		t.Errorf("SessionTicket = %v; want %v", got.SessionTicket, want.SessionTicket)
	}
	if got.OCSPStapling != want.OCSPStapling {
		t.Errorf("OCSPStapling = %v; want %v", got.OCSPStapling, want.OCSPStapling)
	}
	if got.Compression != want.Compression {
		t.Errorf("Compression = %v; want %v", got.Compression, want.Compression)
	}
	if got.FallbackSCSV != want.FallbackSCSV {
		t.Errorf("FallbackSCSV = %q; want %q", got.FallbackSCSV, want.FallbackSCSV)
	}
	if !slices.Equal(got.NotObserved, want.NotObserved) {
		t.Errorf("NotObserved = %q; want %q", got.NotObserved, want.NotObserved)
	}
	if got.Probes != want.Probes {
		t.Errorf("Probes = %d; want %d", got.Probes, want.Probes)
	}
}

func TestFeaturesGoTLS(t *testing.T) {
	allVersions := []Version{VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13}
	tests := []struct {
		name     string
		server   featureGoServer
		versions []Version
		want     Features
	}{
		{
			name:     "tls1.0 to 1.3 with h2 and http/1.1",
			server:   featureGoServer{min: tls.VersionTLS10, max: tls.VersionTLS13, nextProtos: []string{"h2", "http/1.1"}},
			versions: allVersions,
			want: Features{Version: VersionTLS13, ProbeVersion: VersionTLS12, ALPN: []string{"h2", "http/1.1"},
				SecureRenegotiation: true, ExtendedMasterSecret: true, SessionTicket: true,
				FallbackSCSV: FallbackRejected, Probes: 5},
		},
		{
			name:     "http/1.1 only, staple, no tickets",
			server:   featureGoServer{min: tls.VersionTLS12, max: tls.VersionTLS13, nextProtos: []string{"http/1.1"}, staple: true, ticketDisabled: true},
			versions: []Version{VersionTLS12, VersionTLS13},
			want: Features{Version: VersionTLS13, ProbeVersion: VersionTLS12, ALPN: []string{"http/1.1"},
				SecureRenegotiation: true, ExtendedMasterSecret: true, OCSPStapling: true,
				FallbackSCSV: FallbackRejected, Probes: 5},
		},
		{
			name:     "no ALPN configured",
			server:   featureGoServer{min: tls.VersionTLS12, max: tls.VersionTLS12},
			versions: []Version{VersionTLS12},
			want: Features{Version: VersionTLS12, ProbeVersion: VersionTLS12,
				SecureRenegotiation: true, ExtendedMasterSecret: true, SessionTicket: true,
				FallbackSCSV: FallbackNotTested, Probes: 4},
		},
		{
			name:     "tls1.3 only",
			server:   featureGoServer{min: tls.VersionTLS13, max: tls.VersionTLS13, nextProtos: []string{"h2"}},
			versions: []Version{VersionTLS13},
			want: Features{Version: VersionTLS13, FallbackSCSV: FallbackNotTested,
				NotObserved: []string{"alpn", "ocsp_stapling"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			addr := featureStartGoTLS(t, tt.server)
			p := &Prober{Timeout: 5 * time.Second}
			got := p.Features(context.Background(), addr, "localhost", tt.versions)
			featureCheck(t, got, &tt.want)
		})
	}
}

func TestFeaturesOpenSSL(t *testing.T) {
	// s_server staples whatever DER file -status_file names, so any
	// well-formed OCSP response works.
	c := testservers.SelfSigned(t)
	cert, err := tls.X509KeyPair(c.CertPEM, c.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	statusFile := filepath.Join(t.TempDir(), "ocsp.der")
	if err := os.WriteFile(statusFile, featureOCSPResponse(t, cert), 0o600); err != nil {
		t.Fatal(err)
	}
	certArgs := []string{"-cert", c.CertFile, "-key", c.KeyFile}

	tests := []struct {
		name     string
		args     []string
		versions []Version
		want     Features
	}{
		{
			name:     "tls1.2 with tickets and http/1.1",
			args:     []string{"-tls1_2", "-alpn", "http/1.1"},
			versions: []Version{VersionTLS12},
			want: Features{Version: VersionTLS12, ProbeVersion: VersionTLS12, ALPN: []string{"http/1.1"},
				SecureRenegotiation: true, ExtendedMasterSecret: true, SessionTicket: true,
				FallbackSCSV: FallbackNotTested, Probes: 4},
		},
		{
			name:     "tls1.2 no_ticket with status_file",
			args:     append([]string{"-tls1_2", "-no_ticket", "-status_file", statusFile}, certArgs...),
			versions: []Version{VersionTLS12},
			want: Features{Version: VersionTLS12, ProbeVersion: VersionTLS12,
				SecureRenegotiation: true, ExtendedMasterSecret: true, OCSPStapling: true,
				FallbackSCSV: FallbackNotTested, Probes: 4},
		},
		{
			name:     "tls1.2 and 1.3 honour fallback SCSV",
			args:     []string{},
			versions: []Version{VersionTLS12, VersionTLS13},
			want: Features{Version: VersionTLS13, ProbeVersion: VersionTLS12,
				SecureRenegotiation: true, ExtendedMasterSecret: true, SessionTicket: true,
				FallbackSCSV: FallbackRejected, Probes: 5},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			addr := testservers.StartOpenSSL(t, tt.args...)
			p := &Prober{Timeout: 5 * time.Second}
			got := p.Features(context.Background(), addr, "localhost", tt.versions)
			featureCheck(t, got, &tt.want)
		})
	}
}

func TestFeaturesWithoutVersions(t *testing.T) {
	tests := []struct {
		name     string
		versions []Version
	}{
		{"no versions", nil},
		{"ssl2.0 only", []Version{VersionSSL20}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// No server listens: Features must not connect.
			p := &Prober{Timeout: time.Second}
			got := p.Features(context.Background(), "127.0.0.1:1", "", tt.versions)
			if got.Err == "" {
				t.Errorf("Err is empty; want an error naming the missing versions")
			}
			if got.Probes != 0 {
				t.Errorf("Probes = %d; want 0", got.Probes)
			}
			if got.FallbackSCSV != FallbackNotTested {
				t.Errorf("FallbackSCSV = %q; want %q", got.FallbackSCSV, FallbackNotTested)
			}
			if !slices.Equal(got.NotObserved, featureAllNames()) {
				t.Errorf("NotObserved = %q; want %q", got.NotObserved, featureAllNames())
			}
		})
	}
}

// featureEchoVersion reads a ClientHello and responds with a ServerHello of
// its client_version, without extensions, and ServerHelloDone, like an old
// server that ignores TLS_FALLBACK_SCSV. It closes without a response for
// versions below minVersion. With deflate set it chooses DEFLATE whenever
// the hello offers it.
func featureEchoVersion(minVersion Version, deflate bool) func(conn *net.TCPConn) {
	return func(conn *net.TCPConn) {
		defer conn.Close()
		header := make([]byte, recordHeaderLen)
		if _, err := io.ReadFull(conn, header); err != nil {
			return
		}
		payload := make([]byte, int(header[3])<<8|int(header[4]))
		if _, err := io.ReadFull(conn, payload); err != nil || len(payload) < 6 {
			return
		}
		version := uint16(payload[4])<<8 | uint16(payload[5])
		if Version(version) < minVersion {
			return
		}
		body := serverHelloBody(version, nil, 0xc02f)
		if deflate && slices.Contains(featureCompressionMethods(payload[4:]), featureCompressionDeflate) {
			body[len(body)-1] = featureCompressionDeflate
		}
		conn.Write(record(recordHandshake, cat(hsMsg(typeServerHello, body), shdMsg)))
	}
}

// featureCompressionMethods returns the compression_methods of a
// ClientHello body (RFC 5246, Section 7.4.1.2), or nil when body is too
// short.
func featureCompressionMethods(body []byte) []uint8 {
	pos := 2 + 32 // client_version, random
	if len(body) <= pos {
		return nil
	}
	pos += 1 + int(body[pos]) // session_id
	if len(body) < pos+2 {
		return nil
	}
	suitesLen := int(body[pos])<<8 | int(body[pos+1])
	pos += 2 + suitesLen // cipher_suites
	if len(body) <= pos || len(body) < pos+1+int(body[pos]) {
		return nil
	}
	return body[pos+1 : pos+1+int(body[pos])]
}

// TestFeaturesRawServers covers outcomes that no server installed here
// gives: a server that ignores TLS_FALLBACK_SCSV, one that compresses
// (Debian's OpenSSL 3.0.19 chose null even with s_server -comp), and servers
// that close instead of responding.
func TestFeaturesRawServers(t *testing.T) {
	tests := []struct {
		name     string
		handle   func(conn *net.TCPConn)
		versions []Version
		want     Features
		wantErr  bool
	}{
		{
			name:   "fallback SCSV ignored",
			handle: featureEchoVersion(VersionTLS10, false),
			want: Features{Version: VersionTLS12, ProbeVersion: VersionTLS12,
				FallbackSCSV: FallbackAccepted, Probes: 5},
		},
		{
			name:     "ssl3.0 only",
			handle:   featureEchoVersion(VersionSSL30, false),
			versions: []Version{VersionSSL30},
			want: Features{Version: VersionSSL30, ProbeVersion: VersionSSL30, FallbackSCSV: FallbackNotTested,
				NotObserved: []string{"alpn", "extended_master_secret", "session_ticket", "ocsp_stapling"}, Probes: 2},
		},
		{
			name:   "DEFLATE chosen",
			handle: featureEchoVersion(VersionTLS10, true),
			want: Features{Version: VersionTLS12, ProbeVersion: VersionTLS12, Compression: true,
				FallbackSCSV: FallbackAccepted, Probes: 5},
		},
		{
			name:   "close on fallback hello",
			handle: featureEchoVersion(VersionTLS12, false),
			want: Features{Version: VersionTLS12, ProbeVersion: VersionTLS12,
				FallbackSCSV: FallbackInconclusive, Probes: 5},
			wantErr: true,
		},
		{
			name:   "close on every hello",
			handle: featureEchoVersion(VersionTLS13, false),
			want: Features{Version: VersionTLS12, ProbeVersion: VersionTLS12,
				FallbackSCSV: FallbackNotTested, NotObserved: featureAllNames(), Probes: 1},
			wantErr: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			addr := startRawServer(t, tt.handle)
			p := &Prober{Timeout: 5 * time.Second}
			versions := tt.versions
			if versions == nil {
				versions = []Version{VersionTLS11, VersionTLS12}
			}
			got := p.Features(context.Background(), addr, "", versions)
			t.Logf("Err: %s", got.Err)
			if (got.Err != "") != tt.wantErr {
				t.Errorf("Err = %q; want an error = %v", got.Err, tt.wantErr)
			}
			got.Err = ""
			featureCheck(t, got, &tt.want)
		})
	}
}
