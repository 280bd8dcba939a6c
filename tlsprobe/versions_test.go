package tlsprobe

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
)

// TestVersionsOpenSSL runs Versions against `openssl s_server` limited to
// one version each, and expects exactly that version.
func TestVersionsOpenSSL(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want []Version
	}{
		{"tls1.0 only", []string{"-tls1", "-cipher", "DEFAULT@SECLEVEL=0"}, []Version{VersionTLS10}},
		{"tls1.1 only", []string{"-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"}, []Version{VersionTLS11}},
		{"tls1.2 only", []string{"-tls1_2"}, []Version{VersionTLS12}},
		{"tls1.3 only", []string{"-tls1_3"}, []Version{VersionTLS13}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			addr := testservers.StartOpenSSL(t, tt.args...)
			p := &Prober{Timeout: 5 * time.Second}
			scan := p.Versions(context.Background(), addr, "localhost")
			if got := scan.Accepted(); !slices.Equal(got, tt.want) {
				t.Errorf("Versions accepted %v; want %v", got, tt.want)
			}
			for _, v := range scan.Versions {
				t.Logf("%s: accepted=%v confirmed=%v: %s", v.Version, v.Accepted, v.Confirmed, v.Result.Describe())
				if !v.Accepted && !v.Confirmed && v.Version != VersionSSL20 {
					t.Errorf("%s rejected without confirmation: %s", v.Version, v.Result.Describe())
				}
			}
		})
	}
}

// startGoTLS starts a crypto/tls server limited to [minVersion, maxVersion]
// that completes handshakes and closes.
func startGoTLS(t testing.TB, minVersion, maxVersion uint16) string {
	t.Helper()
	return startGoTLSConfig(t, &tls.Config{MinVersion: minVersion, MaxVersion: maxVersion})
}

// namesOf formats ids with name, such as registry.GroupName, for test
// messages.
func namesOf(ids []uint16, name func(uint16) string) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = name(id)
	}
	return "[" + strings.Join(names, " ") + "]"
}

// startGoTLSConfig starts a crypto/tls server with cfg on 127.0.0.1 that
// completes each handshake and closes the connection. A cfg without
// certificates gets a SelfSigned RSA one.
func startGoTLSConfig(t testing.TB, cfg *tls.Config) string {
	t.Helper()
	if len(cfg.Certificates) == 0 {
		c := testservers.SelfSigned(t)
		cert, err := tls.X509KeyPair(c.CertPEM, c.KeyPEM)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	l, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatalf("starting the Go TLS server failed: %v", err)
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

func TestVersionsGoTLS(t *testing.T) {
	tests := []struct {
		name     string
		min, max uint16
		want     []Version
	}{
		{"tls1.0 to 1.3", tls.VersionTLS10, tls.VersionTLS13, []Version{VersionTLS10, VersionTLS11, VersionTLS12, VersionTLS13}},
		{"tls1.2 only", tls.VersionTLS12, tls.VersionTLS12, []Version{VersionTLS12}},
		{"tls1.3 only", tls.VersionTLS13, tls.VersionTLS13, []Version{VersionTLS13}},
		{"tls1.0 to 1.1", tls.VersionTLS10, tls.VersionTLS11, []Version{VersionTLS10, VersionTLS11}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			addr := startGoTLS(t, tt.min, tt.max)
			p := &Prober{Timeout: 5 * time.Second}
			scan := p.Versions(context.Background(), addr, "localhost")
			if got := scan.Accepted(); !slices.Equal(got, tt.want) {
				t.Errorf("Versions accepted %v; want %v", got, tt.want)
			}
			for _, v := range scan.Versions {
				t.Logf("%s: accepted=%v confirmed=%v: %s", v.Version, v.Accepted, v.Confirmed, v.Result.Describe())
			}
		})
	}
}

// TestVersionsSSLv2Server checks SSL 2.0 detection against a raw server that
// responds to an SSL 2.0 CLIENT-HELLO with a SERVER-HELLO, and to TLS hellos
// with a handshake_failure alert.
func TestVersionsSSLv2Server(t *testing.T) {
	t.Parallel()
	serverHello := mustHex("04" + "00" + "01" + "0002" + "0003" + "0003" + "0010" + "616263" + "010080" + "00112233445566778899aabbccddeeff")
	serverHello = append([]byte{0x80, byte(len(serverHello))}, serverHello...)
	addr := startRawServer(t, func(conn *net.TCPConn) {
		defer conn.Close()
		first := make([]byte, 2)
		if _, err := io.ReadFull(conn, first); err != nil {
			return
		}
		if first[0]&0x80 != 0 {
			io.CopyN(io.Discard, conn, int64(int(first[0]&0x7f)<<8|int(first[1])))
			conn.Write(serverHello)
			return
		}
		rest := make([]byte, 3)
		io.ReadFull(conn, rest)
		io.CopyN(io.Discard, conn, int64(int(rest[1])<<8|int(rest[2])))
		conn.Write(mustHex("15030100020228"))
	})
	scan := (&Prober{Timeout: 5 * time.Second}).Versions(context.Background(), addr, "")
	if got := scan.Accepted(); !slices.Equal(got, []Version{VersionSSL20}) {
		t.Errorf("Versions accepted %v; want [SSL 2.0]", got)
	}
	v, _ := scan.Lookup(VersionSSL20)
	if v.Result.Kind != KindSSLv2ServerHello || len(v.Result.SSLv2.CipherSpecs) != 1 {
		t.Errorf("SSL 2.0 result = %s %+v; want one cipher spec", v.Result.Kind, v.Result.SSLv2)
	}
	if want := "server chose SSL 2.0 with 1 cipher specs"; v.Result.Describe() != want {
		t.Errorf("Describe() = %q; want %q", v.Result.Describe(), want)
	}
	tls12, _ := scan.Lookup(VersionTLS12)
	if tls12.Accepted || !tls12.Confirmed || len(tls12.Attempts) != 2 || tls12.Result.Describe() != "fatal alert handshake_failure (40)" {
		t.Errorf("TLS 1.2 = %+v (%s); want a confirmed handshake_failure after 2 attempts", tls12, tls12.Result.Describe())
	}
}

// BenchmarkVersions measures a full version scan of a local crypto/tls
// server that accepts TLS 1.2 and 1.3, and reports TCP connections per scan.
func BenchmarkVersions(b *testing.B) {
	addr := startGoTLS(b, tls.VersionTLS12, tls.VersionTLS13)
	p := &Prober{Timeout: 5 * time.Second}
	b.ResetTimer()
	for b.Loop() {
		scan := p.Versions(context.Background(), addr, "localhost")
		if got := scan.Accepted(); len(got) != 2 {
			b.Fatalf("accepted %v; want TLS 1.2 and 1.3", got)
		}
	}
	b.ReportMetric(float64(p.Connections())/float64(b.N), "conns/op")
}
