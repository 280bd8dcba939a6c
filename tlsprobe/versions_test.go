package tlsprobe

import (
	"context"
	"crypto/tls"
	"net"
	"slices"
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
	c := testservers.SelfSigned(t)
	cert, err := tls.X509KeyPair(c.CertPEM, c.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   minVersion,
		MaxVersion:   maxVersion,
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

var _ = net.Dial
