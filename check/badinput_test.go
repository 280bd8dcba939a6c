package check

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
	"github.com/scimdoctor/scimdoctor/report"
)

// nxdomainResolver returns a resolver that queries a DNS server on
// 127.0.0.1 that returns NXDOMAIN for every query, so the test sends no query
// beyond loopback.
func nxdomainResolver(t *testing.T) *net.Resolver {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening for DNS on loopback: %v", err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 512)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if n < 12 {
				continue
			}
			answer := append([]byte{}, buf[:n]...)
			answer[2] = 0x81 // QR=1, opcode 0, RD=1
			answer[3] = 0x83 // RA=1, RCODE=3 (NXDOMAIN)
			for i := 6; i < 12; i++ {
				answer[i] = 0 // no answer, authority or additional records
			}
			pc.WriteTo(answer, from)
		}
	}()
	server := pc.LocalAddr().String()
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "udp", server)
		},
	}
}

// hostileServer serves each connection with serve and closes it.
func hostileServer(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	return testservers.StartRaw(t, func(c *net.TCPConn) {
		defer c.Close()
		serve(c)
	})
}

func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening: %v", err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// TestCheckBadTargets checks that each broken target gets a report that
// names the layer and the value, within the timeout, and no panic.
func TestCheckBadTargets(t *testing.T) {
	const timeout = 2 * time.Second
	garbage := hostileServer(t, func(c net.Conn) {
		c.Write([]byte("\x00\x01\x02garbage that is no TLS record at all\r\n"))
	})
	oversized := hostileServer(t, func(c net.Conn) {
		// A handshake record announcing 2^14+2049 bytes, over the RFC 5246 limit.
		length := 1<<14 + 2049
		c.Write([]byte{22, 3, 3, byte(length >> 8), byte(length)})
		c.Write(make([]byte, 64))
		time.Sleep(timeout)
	})
	trickle := hostileServer(t, func(c net.Conn) {
		record := []byte{22, 3, 3, 0, 80, 2, 0, 0, 76, 3, 3}
		for _, b := range record {
			if _, err := c.Write([]byte{b}); err != nil {
				return
			}
			time.Sleep(time.Second)
		}
	})

	tests := []struct {
		name      string
		url       string
		resolver  *net.Resolver
		wantExit  int
		wantClass string
		wantLayer string // the layer whose summary names the problem
		wantText  string // substring of that layer's summary or details
	}{
		{"unknown host", "https://no-such-host.invalid/scim/v2", nxdomainResolver(t), report.ExitUnreachable, "dns_failure", "dns", `cannot resolve "no-such-host.invalid": no such host`},
		{"closed port", "https://" + closedPort(t) + "/scim/v2", nil, report.ExitUnreachable, "connect_refused", "tcp", "connection refused"},
		{"garbage answer", "https://" + garbage + "/scim/v2", nil, report.ExitFindings, "not_tls", "tls", "not TLS"},
		{"oversized record", "https://" + oversized + "/scim/v2", nil, report.ExitFindings, "malformed", "tls", "18432"},
		{"one byte a second", "https://" + trickle + "/scim/v2", nil, report.ExitFindings, "read_timeout", "tls", "timed out"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			started := time.Now()
			r, err := Run(context.Background(), Options{URL: tt.url, Timeout: timeout, Resolver: tt.resolver})
			if err != nil {
				t.Fatalf("Run(%s) returned an error, want a report: %v", tt.url, err)
			}
			// Each layer makes a bounded number of rounds of connections, each
			// bounded by the timeout; 10 rounds is far above what a run needs.
			if elapsed := time.Since(started); elapsed > 10*timeout {
				t.Errorf("Run took %s with a %s timeout", elapsed, timeout)
			}
			if r.ExitCode != tt.wantExit {
				t.Errorf("ExitCode = %d, want %d", r.ExitCode, tt.wantExit)
			}
			okta := verdictOf(t, r, "okta")
			if tt.wantClass != "" && okta.Class != tt.wantClass {
				t.Errorf("okta class = %q, want %q (log line %q)", okta.Class, tt.wantClass, okta.LogLine)
			}
			if okta.Connects {
				t.Error("okta connects to a broken target")
			}
			var layer *report.Layer
			for i := range r.Layers {
				if r.Layers[i].Name == tt.wantLayer {
					layer = &r.Layers[i]
				}
			}
			if layer == nil {
				t.Fatalf("report has no %s layer: %+v", tt.wantLayer, r.Layers)
			}
			text := layer.Summary + "\n" + strings.Join(layer.Details, "\n")
			if !strings.Contains(text, tt.wantText) {
				t.Errorf("%s layer = %q, want it to contain %q", tt.wantLayer, text, tt.wantText)
			}
		})
	}
}

// TestCheckUsageErrors checks that input errors come back as *UsageError
// before any connection is made.
func TestCheckUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"malformed url", Options{URL: "https://exa mple.com/"}, "invalid URL"},
		{"unknown client", Options{URL: "https://127.0.0.1:1/", Clients: []string{"netscape-4"}}, `unknown client profile "netscape-4"`},
		{"missing cacert", Options{URL: "https://127.0.0.1:1/", CACertFiles: []string{"/nonexistent/ca.pem"}}, "/nonexistent/ca.pem"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(context.Background(), tt.opts)
			if err == nil {
				t.Fatal("Run succeeded, want a usage error")
			}
			if _, ok := err.(*UsageError); !ok {
				t.Errorf("error is %T, want *UsageError", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want it to contain %q", err.Error(), tt.want)
			}
		})
	}
}
