package audittest

import (
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/scimdoctor/scimdoctor/audit"
	"github.com/scimdoctor/scimdoctor/internal/testservers"
)

// recorder keeps the Errorf messages of CompareWithScan, so a test can check
// which mismatches it reported. Everything else goes to the real test.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

// startGoTLS serves TLS on 127.0.0.1 with cfg and the test certificate, and
// closes each connection after its handshake.
func startGoTLS(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	cert := testservers.SelfSigned(t)
	pair, err := tls.X509KeyPair(cert.CertPEM, cert.KeyPEM)
	if err != nil {
		t.Fatalf("loading the test certificate: %v", err)
	}
	cfg.Certificates = []tls.Certificate{pair}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatalf("listening on 127.0.0.1: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				c.(*tls.Conn).Handshake()
			}(c)
		}
	}()
	return ln.Addr().String()
}

func listener(versions, suites, suites13 []string) audit.Listener {
	return audit.Listener{
		Versions: audit.Setting{Values: versions},
		Suites:   audit.Setting{Values: suites},
		Suites13: audit.Setting{Values: suites13},
	}
}

var (
	goSuites12 = []string{"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"}
	goSuites13 = []string{"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"}
)

func TestCompareWithScan(t *testing.T) {
	addr := startGoTLS(t, &tls.Config{
		MinVersion:   tls.VersionTLS12,
		MaxVersion:   tls.VersionTLS13,
		CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384},
	})

	tests := []struct {
		name string
		l    audit.Listener
		opts []Option
		// want holds one substring per expected Errorf message, in order.
		want []string
	}{
		{"matching listener", listener([]string{"TLS 1.2", "TLS 1.3"}, goSuites12, goSuites13), nil, nil},
		{"suites in another order", listener([]string{"TLS 1.2", "TLS 1.3"}, []string{goSuites12[1], goSuites12[0]}, goSuites13), nil, nil},
		{"missing version", listener([]string{"TLS 1.3"}, goSuites12, goSuites13), nil, []string{"versions: audit [TLS 1.3]"}},
		{"extra TLS 1.2 suite", listener([]string{"TLS 1.2", "TLS 1.3"}, append([]string{"TLS_RSA_WITH_AES_128_CBC_SHA"}, goSuites12...), goSuites13), nil,
			[]string{"TLS 1.2-and-older suites:\naudit [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 TLS_RSA_WITH_AES_128_CBC_SHA]"}},
		{"missing TLS 1.3 suite", listener([]string{"TLS 1.2", "TLS 1.3"}, goSuites12, goSuites13[:1]), nil, []string{"TLS 1.3 suites:\naudit [TLS_AES_128_GCM_SHA256]"}},
		{"TLS 1.3 suites skipped", listener([]string{"TLS 1.2", "TLS 1.3"}, goSuites12, nil), []Option{WithoutTLS13Suites()}, nil},
		{"everything wrong", listener(nil, nil, nil), nil, []string{"versions:", "TLS 1.2-and-older suites:", "TLS 1.3 suites:"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{TB: t}
			res := CompareWithScan(r, addr, tc.l, tc.opts...)
			if len(r.errors) != len(tc.want) {
				t.Fatalf("CompareWithScan reported %d mismatches, want %d: %q", len(r.errors), len(tc.want), r.errors)
			}
			for i, want := range tc.want {
				if !strings.Contains(r.errors[i], want) {
					t.Errorf("mismatch %d is %q, want it to contain %q", i, r.errors[i], want)
				}
			}
			if got := AcceptedVersions(res); len(got) != 2 || got[0] != "TLS 1.2" || got[1] != "TLS 1.3" {
				t.Errorf("AcceptedVersions = %v, want [TLS 1.2 TLS 1.3]", got)
			}
		})
	}
}

// TestCompareWithScanServerOrder checks the order comparison on a TLS 1.2
// server: it applies only with WithServerOrder and only when the scan finds
// a server order.
func TestCompareWithScanServerOrder(t *testing.T) {
	addr := startGoTLS(t, &tls.Config{
		MinVersion:   tls.VersionTLS12,
		MaxVersion:   tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384},
	})

	res := CompareWithScan(t, addr, listener([]string{"TLS 1.2"}, goSuites12, nil))
	if !ServerOrder(res) {
		t.Skip("the scan found no server order on Go's TLS 1.2 server, so the order comparison cannot be checked here")
	}
	var order []string
	for _, list := range res.Suites {
		if list.Version == "TLS 1.2" {
			order = suiteNames(list)
		}
	}
	reversed := []string{order[1], order[0]}

	r := &recorder{TB: t}
	CompareWithScan(r, addr, listener([]string{"TLS 1.2"}, reversed, nil))
	if len(r.errors) != 0 {
		t.Errorf("without WithServerOrder, CompareWithScan reported %q", r.errors)
	}

	r = &recorder{TB: t}
	CompareWithScan(r, addr, listener([]string{"TLS 1.2"}, reversed, nil), WithServerOrder())
	if len(r.errors) != 1 || !strings.HasPrefix(r.errors[0], "TLS 1.2 suite order:") {
		t.Errorf("with WithServerOrder, CompareWithScan reported %q, want one TLS 1.2 suite order mismatch", r.errors)
	}

	r = &recorder{TB: t}
	CompareWithScan(r, addr, listener([]string{"TLS 1.2"}, order, nil), WithServerOrder())
	if len(r.errors) != 0 {
		t.Errorf("with the scan's order, CompareWithScan reported %q", r.errors)
	}
}
