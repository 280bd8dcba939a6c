package check

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
	"github.com/scimdoctor/scimdoctor/report"
)

// pathLayer returns the path layer of r.
func pathLayer(t *testing.T, r *report.Report) report.Layer {
	t.Helper()
	for _, l := range r.Layers {
		if l.Name == "path" {
			return l
		}
	}
	t.Fatalf("no path layer among %d layers", len(r.Layers))
	return report.Layer{}
}

// TestCheckOriginBehindLegacyFront runs real intermediaries on 127.0.0.1:
// haproxy terminating TLS 1.0 only in front of a healthy nginx, and nginx
// terminating TLS 1.2 and 1.3 in front of a TLS 1.0-only origin.
func TestCheckOriginBehindLegacyFront(t *testing.T) {
	// scim.test is not a loopback name, so a proxy variable of the test
	// machine would otherwise apply to it.
	t.Setenv("HTTPS_PROXY", "")
	t.Setenv("https_proxy", "")
	cert := testservers.SelfSigned(t)
	goodNginx := testservers.StartNginx(t, testservers.NginxTLS{Cert: cert, Directives: "ssl_protocols TLSv1.2 TLSv1.3;"})
	legacyFront := testservers.StartHAProxy(t, testservers.HAProxyTLS{
		Cert:        cert,
		BindOptions: "ssl-min-ver TLSv1.0 ssl-max-ver TLSv1.0 ciphers DEFAULT@SECLEVEL=0",
		Backend:     goodNginx,
	})
	legacyOrigin := testservers.StartNginx(t, testservers.NginxTLS{Cert: cert, Directives: "ssl_protocols TLSv1; ssl_ciphers DEFAULT@SECLEVEL=0;"})
	goodFront := testservers.StartNginx(t, testservers.NginxTLS{
		Cert:       cert,
		Directives: "ssl_protocols TLSv1.2 TLSv1.3;",
		Locations:  "location / { proxy_pass https://" + legacyOrigin + "; proxy_ssl_protocols TLSv1; proxy_ssl_ciphers DEFAULT@SECLEVEL=0; }",
	})

	tests := []struct {
		name       string
		front      string
		origin     string
		wantFixAt  string
		wantInText []string
	}{
		{"legacy haproxy before good nginx", legacyFront, goodNginx, "front", []string{"offers only TLS 1.0: fix the load balancer or proxy, not the application"}},
		{"good nginx before legacy origin", goodFront, legacyOrigin, "origin", []string{"fix the origin"}},
		{"same address as its own origin", goodNginx, goodNginx, "", []string{"--origin names the same address as the URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, port, _ := net.SplitHostPort(tt.front)
			r, err := Run(context.Background(), Options{
				URL:         "https://scim.test:" + port + "/scim/v2",
				Resolve:     []string{"scim.test:" + port + ":127.0.0.1"},
				Origin:      tt.origin,
				Timeout:     3 * time.Second,
				CACertFiles: []string{cert.CertFile},
			})
			if err != nil {
				t.Fatalf("Run failed: %v", err)
			}
			if r.Path == nil || r.Path.Origin == nil {
				t.Fatalf("path = %+v, want a front and origin comparison", r.Path)
			}
			if r.Path.FixAt != tt.wantFixAt {
				t.Errorf("FixAt = %q, want %q (%s)", r.Path.FixAt, tt.wantFixAt, r.Path.Summary)
			}
			for _, want := range tt.wantInText {
				if !strings.Contains(r.Path.Summary, want) {
					t.Errorf("summary = %q, want it to contain %q", r.Path.Summary, want)
				}
			}
			if tt.wantFixAt == "front" {
				okta := r.Verdicts[0]
				if okta.Cause == nil || !strings.Contains(okta.Cause.Component, "not the application") {
					t.Errorf("okta cause = %+v, want the component to name the front end, not the application", okta.Cause)
				}
			}
		})
	}
}

// startAlternatingPool listens on 127.0.0.1 and hands every other
// connection to a TLS 1.0-only server and the rest to a TLS 1.2 server, as a
// load balancer with one outdated member does.
func startAlternatingPool(t *testing.T) string {
	t.Helper()
	cert := testservers.SelfSigned(t)
	pair, err := tls.X509KeyPair(cert.CertPEM, cert.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	modern := &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	legacy := &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	var n atomic.Int64
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			config := modern
			if n.Add(1)%2 == 0 {
				config = legacy
			}
			go func() {
				defer conn.Close()
				conn.SetDeadline(time.Now().Add(5 * time.Second))
				tc := tls.Server(conn, config)
				if tc.Handshake() != nil {
					return
				}
				buf := make([]byte, 4096)
				tc.Read(buf)
				io.WriteString(tc, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
			}()
		}
	}()
	return l.Addr().String()
}

func TestCheckRepeatFindsMixedPool(t *testing.T) {
	addr := startAlternatingPool(t)
	r, err := Run(context.Background(), Options{URL: "https://" + addr + "/scim/v2", Repeat: 2, Timeout: 3 * time.Second})
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	if r.Path == nil || len(r.Path.Repeats) == 0 {
		t.Fatalf("path = %+v, want repeats", r.Path)
	}
	var tls12 report.Repeat
	for _, rep := range r.Path.Repeats {
		if rep.Version == "TLS 1.2" {
			tls12 = rep
		}
	}
	// Two consecutive rounds reach both members of a pool that alternates.
	if tls12.Rounds != 2 || !report.RepeatDiffers(tls12) {
		t.Errorf("TLS 1.2 repeat = %+v, want the repeat and the version scan to disagree", tls12)
	}
	layer := pathLayer(t, r)
	if layer.Status != report.StatusFail || !strings.Contains(layer.Summary, "the test passes sometimes") {
		t.Errorf("path layer = %s %q, want a failure naming the mixed pool", layer.Status, layer.Summary)
	}
}

func TestCheckPathWithoutOrigin(t *testing.T) {
	cert := testservers.SelfSigned(t)
	addr := testservers.StartNginx(t, testservers.NginxTLS{
		Cert:      cert,
		Locations: `location / { add_header Via "1.1 lab-gateway" always; return 404; }`,
	})
	r, err := Run(context.Background(), Options{URL: "https://" + addr + "/scim/v2", Timeout: 3 * time.Second, CACertFiles: []string{cert.CertFile}})
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	layer := pathLayer(t, r)
	if layer.Status != report.StatusSkip {
		t.Errorf("path layer status = %s, want skip without --origin", layer.Status)
	}
	for _, want := range []string{"no --origin given", `Via: "1.1 lab-gateway"`, "an intermediary answered", "nginx"} {
		if !strings.Contains(layer.Summary, want) {
			t.Errorf("path summary = %q, want it to contain %q", layer.Summary, want)
		}
	}
}

func TestCheckPathUsageErrors(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{"resolve without address", Options{URL: "https://a.test/", Resolve: []string{"a.test:443"}}, "want HOST:PORT:ADDR"},
		{"resolve with a name as address", Options{URL: "https://a.test/", Resolve: []string{"a.test:443:b.test"}}, `"b.test" is not an IP address`},
		{"resolve with a bad port", Options{URL: "https://a.test/", Resolve: []string{"a.test:0:127.0.0.1"}}, `port "0"`},
		{"origin with a path", Options{URL: "https://a.test/", Origin: "b.test/scim"}, "invalid --origin"},
		{"repeat too large", Options{URL: "https://a.test/", Repeat: 1000}, "invalid --repeat 1000"},
		{"resolve for another port", Options{URL: "https://a.test:8443/", Resolve: []string{"a.test:443:127.0.0.1"}}, "matches no host of this check (a.test:8443)"},
		{"origin with an unclosed bracket", Options{URL: "https://a.test/", Origin: "[::1"}, "unbalanced brackets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Run(context.Background(), tt.opts)
			var usage *UsageError
			if !errors.As(err, &usage) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Run error = %v, want a *UsageError containing %q", err, tt.wantErr)
			}
		})
	}
}

// TestCheckNginxBeforeGoOrigin runs nginx as a TLS 1.0-only terminating
// reverse proxy in front of a Go origin, and checks that the report names
// both stacks and sends the fix to the front end.
func TestCheckNginxBeforeGoOrigin(t *testing.T) {
	cert := testservers.SelfSigned(t)
	pair, err := tls.X509KeyPair(cert.CertPEM, cert.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{pair}})
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
				buf := make([]byte, 4096)
				conn.Read(buf)
				io.WriteString(conn, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
			}()
		}
	}()
	goOrigin := l.Addr().String()
	front := testservers.StartNginx(t, testservers.NginxTLS{
		Cert:       cert,
		Directives: "ssl_protocols TLSv1; ssl_ciphers DEFAULT@SECLEVEL=0;",
		Locations:  "location / { proxy_pass https://" + goOrigin + "; }",
	})

	r, err := Run(context.Background(), Options{URL: "https://" + front + "/scim/v2", Origin: goOrigin, Timeout: 3 * time.Second, CACertFiles: []string{cert.CertFile}})
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	if r.Path == nil || r.Path.Origin == nil {
		t.Fatalf("path = %+v, want a comparison", r.Path)
	}
	if r.Path.FixAt != "front" {
		t.Errorf("FixAt = %q, want front (%s)", r.Path.FixAt, r.Path.Summary)
	}
	if !strings.Contains(r.Path.Front.Stack, "nginx") {
		t.Errorf("front stack = %q, want nginx", r.Path.Front.Stack)
	}
	if !strings.Contains(r.Path.Origin.Stack, "Go crypto/tls") {
		t.Errorf("origin stack = %q, want Go crypto/tls", r.Path.Origin.Stack)
	}
}

// TestCheckOriginSpeaksPlainHTTP puts haproxy, ending TLS 1.0 only, in
// front of an origin that speaks plain HTTP, the usual TLS offload: the fix
// belongs on the front end.
func TestCheckOriginSpeaksPlainHTTP(t *testing.T) {
	plain, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { plain.Close() })
	go func() {
		for {
			conn, err := plain.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				conn.SetDeadline(time.Now().Add(5 * time.Second))
				buf := make([]byte, 4096)
				conn.Read(buf)
				io.WriteString(conn, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
			}()
		}
	}()
	cert := testservers.SelfSigned(t)
	front := testservers.StartHAProxy(t, testservers.HAProxyTLS{
		Cert:        cert,
		BindOptions: "ssl-min-ver TLSv1.0 ssl-max-ver TLSv1.0 ciphers DEFAULT@SECLEVEL=0",
		Backend:     plain.Addr().String(),
	})
	r, err := Run(context.Background(), Options{URL: "https://" + front + "/scim/v2", Origin: plain.Addr().String(), Timeout: 3 * time.Second, CACertFiles: []string{cert.CertFile}})
	if err != nil {
		t.Fatalf("Run failed: %v", err)
	}
	if r.Path == nil || r.Path.Origin == nil || !r.Path.Origin.PlainHTTP {
		t.Fatalf("path = %+v, want an origin that speaks plain HTTP", r.Path)
	}
	if r.Path.FixAt != "front" || !strings.Contains(r.Path.Summary, "ends TLS for it") {
		t.Errorf("FixAt = %q, summary %q; want the front end to fix", r.Path.FixAt, r.Path.Summary)
	}
}
