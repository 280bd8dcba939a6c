package tlsscan

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
	"github.com/scimdoctor/scimdoctor/report"
)

// poolResolver resolves every name to the given loopback addresses, the
// way DNS returns the members of a load-balancer pool. It replaces a
// DNS server because the test machine's resolver has no name with several
// loopback addresses.
type poolResolver []string

func (p poolResolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	var out []net.IPAddr
	for _, ip := range p {
		out = append(out, net.IPAddr{IP: net.ParseIP(ip)})
	}
	return out, nil
}

// serveTLS accepts connections on l with config until the test ends, and
// responds to each completed handshake with an HTTP 204.
func serveTLS(t *testing.T, l net.Listener, config *tls.Config) {
	t.Helper()
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				tc := tls.Server(conn, config)
				if tc.Handshake() != nil {
					return
				}
				buf := make([]byte, 4096)
				tc.Read(buf)
				io.WriteString(tc, "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
			}()
		}
	}()
}

// listenPool listens on 127.0.0.1 and 127.0.0.2 with the same port, so
// that one name resolving to both addresses reaches both listeners.
func listenPool(t *testing.T) (first, second net.Listener) {
	t.Helper()
	for range 20 {
		a, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("listen on 127.0.0.1: %v", err)
		}
		port := a.Addr().(*net.TCPAddr).Port
		b, err := net.Listen("tcp", fmt.Sprintf("127.0.0.2:%d", port))
		if err == nil {
			return a, b
		}
		a.Close()
	}
	t.Skip("no port free on both 127.0.0.1 and 127.0.0.2 after 20 tries")
	return nil, nil
}

func tlsConfig(t *testing.T, minVersion, maxVersion uint16) *tls.Config {
	t.Helper()
	c := testservers.SelfSigned(t, "pool.scimdoctor.test")
	pair, err := tls.X509KeyPair(c.CertPEM, c.KeyPEM)
	if err != nil {
		t.Fatalf("load the test key pair: %v", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: minVersion, MaxVersion: maxVersion}
}

func TestRunComparesEveryAddress(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		second      func(t *testing.T, l net.Listener, first *tls.Config)
		wantFinding string
		check       func(t *testing.T, scans []AddressScan)
	}{
		{
			name: "same settings and certificate",
			second: func(t *testing.T, l net.Listener, first *tls.Config) {
				serveTLS(t, l, first)
			},
			check: func(t *testing.T, scans []AddressScan) {
				if scans[0].LeafSHA256 == "" || scans[0].LeafSHA256 != scans[1].LeafSHA256 {
					t.Errorf("leaf fingerprints = %q and %q, want the same one", scans[0].LeafSHA256, scans[1].LeafSHA256)
				}
			},
		},
		{
			name: "second member accepts only TLS 1.0",
			second: func(t *testing.T, l net.Listener, first *tls.Config) {
				old := first.Clone()
				old.MinVersion, old.MaxVersion = tls.VersionTLS10, tls.VersionTLS10
				serveTLS(t, l, old)
			},
			wantFinding: "tls.addresses_differ",
			check: func(t *testing.T, scans []AddressScan) {
				if !slices.Equal(scans[1].Versions, []string{"TLS 1.0"}) {
					t.Errorf("second address versions = %v, want [TLS 1.0]", scans[1].Versions)
				}
			},
		},
		{
			name: "second member has another certificate",
			second: func(t *testing.T, l net.Listener, first *tls.Config) {
				serveTLS(t, l, tlsConfig(t, tls.VersionTLS12, tls.VersionTLS13))
			},
			wantFinding: "tls.addresses_differ",
		},
		{
			name: "second member does not listen",
			second: func(t *testing.T, l net.Listener, first *tls.Config) {
				l.Close()
			},
			wantFinding: "tcp.address_unreachable",
			check: func(t *testing.T, scans []AddressScan) {
				if scans[1].Reachable || scans[1].Error == "" {
					t.Errorf("second address = %+v, want unreachable with a reason", scans[1])
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, b := listenPool(t)
			config := tlsConfig(t, tls.VersionTLS12, tls.VersionTLS13)
			serveTLS(t, a, config)
			tt.second(t, b, config)
			port := a.Addr().(*net.TCPAddr).Port

			r, err := Run(context.Background(), Options{
				Target:   fmt.Sprintf("pool.scimdoctor.test:%d", port),
				Timeout:  testTimeout,
				Clients:  []string{"okta"},
				Resolver: poolResolver{"127.0.0.1", "127.0.0.2"},
			})
			if err != nil {
				t.Fatalf("Run failed: %v", err)
			}
			if len(r.AddressScans) != 2 {
				t.Fatalf("address scans = %+v, want 2", r.AddressScans)
			}
			if got := r.AddressScans[0].Address; got != fmt.Sprintf("127.0.0.1:%d", port) {
				t.Errorf("first address scan = %s, want the fully scanned 127.0.0.1", got)
			}
			ids := findingIDs(r)
			for _, id := range []string{"tls.addresses_differ", "tcp.address_unreachable"} {
				if got, want := slices.Contains(ids, id), id == tt.wantFinding; got != want {
					t.Errorf("finding %s present = %v, want %v (findings %v)", id, got, want, ids)
				}
			}
			if tt.check != nil {
				tt.check(t, r.AddressScans)
			}

			var text strings.Builder
			if err := WriteText(&text, r, report.Options{}); err != nil {
				t.Fatalf("WriteText failed: %v", err)
			}
			if !strings.Contains(text.String(), "127.0.0.2:") {
				t.Errorf("text report does not list 127.0.0.2:\n%s", text.String())
			}
		})
	}
}

func TestRunSingleAddressHasNoAddressScans(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	serveTLS(t, l, tlsConfig(t, tls.VersionTLS12, tls.VersionTLS13))
	r, err := Run(context.Background(), Options{Target: l.Addr().String(), Timeout: testTimeout, Clients: []string{"okta"}})
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	if len(r.AddressScans) != 0 {
		t.Errorf("address scans = %+v, want none for one address", r.AddressScans)
	}
}
