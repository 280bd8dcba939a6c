package certcheck

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
	"github.com/scimdoctor/scimdoctor/lab"
	"github.com/scimdoctor/scimdoctor/tlsprobe"
)

// wantStep is what a test expects of one Step. A zero alert means none.
type wantStep struct {
	outcome Outcome
	alert   tlsprobe.AlertDescription
}

func checkStep(t *testing.T, label string, got Step, want wantStep) {
	t.Helper()
	if got.Outcome != want.outcome {
		t.Errorf("%s outcome %q (error %q), want %q", label, got.Outcome, got.Error, want.outcome)
		return
	}
	if want.outcome != OutcomeAlert {
		return
	}
	if got.Alert == nil {
		t.Errorf("%s has no alert, want %s", label, want.alert)
		return
	}
	if *got.Alert != want.alert {
		t.Errorf("%s alert %s, want %s", label, got.Alert, want.alert)
	}
}

// Alert numbers of RFC 8446, Section 6.
const (
	alertHandshakeFailure    tlsprobe.AlertDescription = 40
	alertProtocolVersion     tlsprobe.AlertDescription = 70
	alertUnrecognizedName    tlsprobe.AlertDescription = 112
	alertCertificateRequired tlsprobe.AlertDescription = 116
)

func TestHandshakeLabEndpoints(t *testing.T) {
	l := startLab(t)
	labRootName := "CN=scimdoctor lab root CA,O=scimdoctor lab"

	tests := []struct {
		name          string
		endpoint      string
		serverName    string
		opts          HandshakeOptions
		wantHandshake wantStep
		wantAfter     wantStep
		wantStatus    int
		wantRequested bool
	}{
		{
			name:          "good with token",
			endpoint:      "good",
			serverName:    "localhost",
			opts:          HandshakeOptions{Path: "/scim/v2/ServiceProviderConfig", Authorization: "Bearer " + lab.BearerToken},
			wantHandshake: wantStep{outcome: OutcomeCompleted},
			wantAfter:     wantStep{outcome: OutcomeHTTPResponse},
			wantStatus:    200,
		},
		{
			name:          "good without token",
			endpoint:      "good",
			serverName:    "localhost",
			opts:          HandshakeOptions{Path: "/scim/v2/ServiceProviderConfig"},
			wantHandshake: wantStep{outcome: OutcomeCompleted},
			wantAfter:     wantStep{outcome: OutcomeHTTPResponse},
			wantStatus:    401,
		},
		{
			name:          "client cert required in TLS 1.3",
			endpoint:      "client-cert-required",
			serverName:    "localhost",
			opts:          HandshakeOptions{MinVersion: tls.VersionTLS13},
			wantHandshake: wantStep{outcome: OutcomeCompleted},
			wantAfter:     wantStep{outcome: OutcomeAlert, alert: alertCertificateRequired},
			wantRequested: true,
		},
		{
			name:          "client cert required in TLS 1.2",
			endpoint:      "client-cert-required",
			serverName:    "localhost",
			opts:          HandshakeOptions{MaxVersion: tls.VersionTLS12},
			wantHandshake: wantStep{outcome: OutcomeAlert, alert: alertHandshakeFailure},
			wantRequested: true,
		},
		{
			name:          "TLS 1.2 client against tls10-only",
			endpoint:      "tls10-only",
			serverName:    "localhost",
			opts:          HandshakeOptions{MinVersion: tls.VersionTLS12},
			wantHandshake: wantStep{outcome: OutcomeAlert, alert: alertProtocolVersion},
		},
		{
			name:          "TLS 1.2 client against tls13-only",
			endpoint:      "tls13-only",
			serverName:    "localhost",
			opts:          HandshakeOptions{MaxVersion: tls.VersionTLS12},
			wantHandshake: wantStep{outcome: OutcomeAlert, alert: alertProtocolVersion},
		},
		{
			name:          "default suites against 3des-only",
			endpoint:      "3des-only",
			serverName:    "localhost",
			wantHandshake: wantStep{outcome: OutcomeAlert, alert: alertHandshakeFailure},
		},
		{
			name:          "no SNI against sni-required",
			endpoint:      "sni-required",
			wantHandshake: wantStep{outcome: OutcomeAlert, alert: alertUnrecognizedName},
		},
		{
			name:          "proxy answers TLS 1.0 client",
			endpoint:      "tls10-proxy",
			serverName:    "localhost",
			opts:          HandshakeOptions{Path: "/scim/v2/ServiceProviderConfig", Authorization: "Bearer " + lab.BearerToken},
			wantHandshake: wantStep{outcome: OutcomeCompleted},
			wantAfter:     wantStep{outcome: OutcomeHTTPResponse},
			wantStatus:    200,
		},
		{
			name:          "plain HTTP on the TLS port",
			endpoint:      "plain-http",
			serverName:    "localhost",
			wantHandshake: wantStep{outcome: OutcomeNotTLS},
		},
		{
			name:          "reset",
			endpoint:      "reset",
			serverName:    "localhost",
			wantHandshake: wantStep{outcome: OutcomeReset},
		},
		{
			name:          "blackhole",
			endpoint:      "blackhole",
			serverName:    "localhost",
			opts:          HandshakeOptions{Timeout: 300 * time.Millisecond},
			wantHandshake: wantStep{outcome: OutcomeTimeout},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			result := Handshake(context.Background(), labAddr(t, l, tt.endpoint), tt.serverName, tt.opts)
			checkStep(t, "handshake", result.Handshake, tt.wantHandshake)
			checkStep(t, "after", result.After, tt.wantAfter)
			if result.CertificateRequested != tt.wantRequested {
				t.Errorf("certificate requested = %v, want %v", result.CertificateRequested, tt.wantRequested)
			}
			if tt.wantRequested && (len(result.AcceptableCAs) != 1 || result.AcceptableCAs[0] != labRootName) {
				t.Errorf("acceptable CAs %q, want [%q]", result.AcceptableCAs, labRootName)
			}
			if tt.wantStatus == 0 {
				if result.Response != nil {
					t.Errorf("response %+v, want none", result.Response)
				}
				return
			}
			if result.Response == nil {
				t.Fatalf("no HTTP response, want status %d", tt.wantStatus)
			}
			if result.Response.StatusCode != tt.wantStatus {
				t.Errorf("status %q, want %d", result.Response.StatusLine, tt.wantStatus)
			}
			if !strings.HasPrefix(result.Response.StatusLine, fmt.Sprintf("HTTP/1.1 %d ", tt.wantStatus)) {
				t.Errorf("status line %q", result.Response.StatusLine)
			}
		})
	}
}

func TestHandshakeProxyHeaders(t *testing.T) {
	l := startLab(t, "tls10-proxy")
	result := Handshake(context.Background(), labAddr(t, l, "tls10-proxy"), "localhost", HandshakeOptions{
		Path:          "/scim/v2/ServiceProviderConfig",
		Authorization: "Bearer " + lab.BearerToken,
	})
	if result.Version != tls.VersionTLS10 {
		t.Errorf("version %s, want TLS 1.0", tls.VersionName(result.Version))
	}
	if result.Response == nil {
		t.Fatalf("no response; handshake %+v after %+v", result.Handshake, result.After)
	}
	if got := result.Response.Header.Get("Server"); !strings.HasPrefix(got, "scimdoctor-lab-proxy") {
		t.Errorf("Server header %q, want the lab proxy's", got)
	}
	if !strings.Contains(result.Response.Body, "ServiceProviderConfig") {
		t.Errorf("body %q lacks the ServiceProviderConfig", result.Response.Body)
	}
	if result.Chain == nil || len(result.Chain.Certificates) != 2 {
		t.Errorf("chain %+v, want leaf and intermediate", result.Chain)
	}
}

func TestHandshakeOpenSSLVerifyClient(t *testing.T) {
	tests := []struct {
		name          string
		versionFlag   string
		wantHandshake wantStep
		wantAfter     wantStep
	}{
		// OpenSSL 3.0 fails a TLS 1.2 handshake without a client
		// certificate, and in TLS 1.3 sends certificate_required after the
		// client's Finished.
		{"TLS 1.2", "-tls1_2", wantStep{outcome: OutcomeAlert, alert: alertHandshakeFailure}, wantStep{}},
		{"TLS 1.3", "-tls1_3", wantStep{outcome: OutcomeCompleted}, wantStep{outcome: OutcomeAlert, alert: alertCertificateRequired}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := testservers.StartOpenSSL(t, tt.versionFlag, "-Verify", "1", "-www")
			result := Handshake(context.Background(), addr, "localhost", HandshakeOptions{Timeout: 5 * time.Second})
			checkStep(t, "handshake", result.Handshake, tt.wantHandshake)
			checkStep(t, "after", result.After, tt.wantAfter)
			if !result.CertificateRequested {
				t.Error("no CertificateRequest recorded")
			}
			if result.Response != nil {
				t.Errorf("response %+v, want none", result.Response)
			}
		})
	}
}

func TestHandshakeNginxVerifyClient(t *testing.T) {
	// nginx completes the handshake without a client certificate and
	// rejects the request with HTTP 400, unlike OpenSSL's s_server and
	// Apache, which end the connection.
	cert := testservers.SelfSigned(t)
	for _, version := range []string{"TLSv1.2", "TLSv1.3"} {
		t.Run(version, func(t *testing.T) {
			addr := testservers.StartNginx(t, testservers.NginxTLS{
				Cert:       cert,
				Directives: fmt.Sprintf("ssl_protocols %s;\n        ssl_verify_client on;\n        ssl_client_certificate %s;", version, cert.CertFile),
			})
			result := Handshake(context.Background(), addr, "localhost", HandshakeOptions{Path: "/scim/v2/Users", Timeout: 5 * time.Second})
			checkStep(t, "handshake", result.Handshake, wantStep{outcome: OutcomeCompleted})
			checkStep(t, "after", result.After, wantStep{outcome: OutcomeHTTPResponse})
			if !result.CertificateRequested {
				t.Error("no CertificateRequest recorded")
			}
			if want := "CN=localhost,O=scimdoctor test"; len(result.AcceptableCAs) != 1 || result.AcceptableCAs[0] != want {
				t.Errorf("acceptable CAs %q, want [%q]", result.AcceptableCAs, want)
			}
			if result.Response == nil {
				t.Fatal("no HTTP response")
			}
			if result.Response.StatusCode != 400 {
				t.Errorf("status %q, want 400", result.Response.StatusLine)
			}
			if !strings.Contains(result.Response.Body, "No required SSL certificate was sent") {
				t.Errorf("body %q lacks nginx's message", result.Response.Body)
			}
			if server := result.Response.Header.Get("Server"); !strings.HasPrefix(server, "nginx") {
				t.Errorf("Server header %q, want nginx", server)
			}
		})
	}
}

func TestHandshakeConnectFailed(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	result := Handshake(context.Background(), addr, "localhost", HandshakeOptions{})
	checkStep(t, "handshake", result.Handshake, wantStep{outcome: OutcomeConnectFailed})
	if !strings.Contains(result.Handshake.Error, "connection refused") {
		t.Errorf("error %q, want connection refused", result.Handshake.Error)
	}
}

func TestHandshakeCanceledContext(t *testing.T) {
	l := startLab(t, "blackhole")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	begin := time.Now()
	result := Handshake(ctx, labAddr(t, l, "blackhole"), "localhost", HandshakeOptions{Timeout: time.Minute})
	if elapsed := time.Since(begin); elapsed > 2*time.Second {
		t.Errorf("Handshake ran %v after its context was canceled at 100ms", elapsed)
	}
	if result.Handshake.Outcome == OutcomeCompleted {
		t.Errorf("handshake completed against the blackhole")
	}
}

func TestHandshakeRequestLine(t *testing.T) {
	// A raw TLS server records the request Handshake sends.
	cert := testservers.SelfSigned(t)
	pair, err := tls.X509KeyPair(cert.CertPEM, cert.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{pair}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	requests := make(chan string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			requests <- err.Error()
			return
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 4096)
		n, err := conn.Read(buf)
		requests <- string(buf[:n])
		if err == nil {
			io.WriteString(conn, "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
		}
	}()

	_, port, _ := net.SplitHostPort(ln.Addr().String())
	result := Handshake(context.Background(), ln.Addr().String(), "scim.localhost", HandshakeOptions{
		Path:          "/scim/v2/Users?filter=userName%20eq%20%22a%22",
		Authorization: "Bearer secret",
		Timeout:       5 * time.Second,
	})
	request := <-requests
	for _, want := range []string{
		"GET /scim/v2/Users?filter=userName%20eq%20%22a%22 HTTP/1.1\r\n",
		"Host: scim.localhost:" + port + "\r\n",
		"Authorization: Bearer secret\r\n",
	} {
		if !strings.Contains(request, want) {
			t.Errorf("request %q lacks %q", request, want)
		}
	}
	checkStep(t, "after", result.After, wantStep{outcome: OutcomeHTTPResponse})
	if result.Response == nil || result.Response.StatusCode != 204 {
		t.Errorf("response %+v, want 204", result.Response)
	}
}

func TestClassifyErrors(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want wantStep
	}{
		{"received alert", &net.OpError{Op: "remote error", Err: tls.AlertError(116)}, wantStep{outcome: OutcomeAlert, alert: alertCertificateRequired}},
		{"local error is not received", &net.OpError{Op: "local error", Err: tls.AlertError(40)}, wantStep{outcome: OutcomeError}},
		{"reset", &net.OpError{Op: "read", Err: syscall.ECONNRESET}, wantStep{outcome: OutcomeReset}},
		{"broken pipe", &net.OpError{Op: "write", Err: syscall.EPIPE}, wantStep{outcome: OutcomeClosed}},
		{"EOF", io.EOF, wantStep{outcome: OutcomeClosed}},
		{"wrapped deadline", fmt.Errorf("read: %w", context.DeadlineExceeded), wantStep{outcome: OutcomeTimeout}},
		{"other", errors.New("tls: server selected unsupported protocol version 301"), wantStep{outcome: OutcomeError}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkStep(t, "step", classify(tt.err), tt.want)
		})
	}
}

func TestAlertTextsMapBack(t *testing.T) {
	// Every alert crypto/tls can name must map back to its number, and the
	// RFC name must be tlsprobe's.
	tests := []struct {
		goText string
		want   string
	}{
		{"tls: certificate required", "certificate_required"},
		{"tls: protocol version not supported", "protocol_version"},
		{"tls: handshake failure", "handshake_failure"},
		{"tls: unrecognized name", "unrecognized_name"},
		{"tls: bad certificate", "bad_certificate"},
		{"tls: unknown certificate authority", "unknown_ca"},
		{"tls: alert(200)", "alert(200)"},
	}
	for _, tt := range tests {
		description, ok := alertsByGoText[tt.goText]
		if !ok {
			t.Errorf("no alert for crypto/tls text %q", tt.goText)
			continue
		}
		if description.String() != tt.want {
			t.Errorf("%q maps to %s, want %s", tt.goText, description, tt.want)
		}
	}
}

func TestHandshakeEndlessResponseHead(t *testing.T) {
	// A server that streams bytes without a line end after the handshake,
	// as `openssl s_server < /dev/zero` does, must not make Handshake
	// buffer them all.
	cert := testservers.SelfSigned(t)
	pair, err := tls.X509KeyPair(cert.CertPEM, cert.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{pair}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		zeros := make([]byte, 16384)
		for {
			if _, err := conn.Write(zeros); err != nil {
				return
			}
		}
	}()

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	result := Handshake(context.Background(), ln.Addr().String(), "localhost", HandshakeOptions{Timeout: 10 * time.Second})
	runtime.ReadMemStats(&after)

	if result.After.Outcome != OutcomeNotHTTP {
		t.Errorf("after outcome = %s (%s), want %s", result.After.Outcome, result.After.Error, OutcomeNotHTTP)
	}
	if !strings.Contains(result.After.Error, "did not end within 393216 bytes") {
		t.Errorf("after error = %q, want it to name the head limit", result.After.Error)
	}
	if allocated := after.TotalAlloc - before.TotalAlloc; allocated > 32<<20 {
		t.Errorf("Handshake allocated %d bytes, want at most 32 MiB for a bounded head", allocated)
	}
}
