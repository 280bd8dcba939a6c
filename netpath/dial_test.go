package netpath

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
)

// testTimeout bounds each dial in these tests. It only stops a broken test
// from hanging; no assertion depends on it.
const testTimeout = 10 * time.Second

// proxyDialer returns a Dialer for the --proxy value flag, built through
// ProxyFor with an empty environment, as the CLI would build it.
func proxyDialer(t *testing.T, target, flag string) *Dialer {
	t.Helper()
	p, err := ProxyFor(target, flag, envMap(nil))
	if err != nil {
		t.Fatalf("ProxyFor(%q, %q): %v", target, flag, err)
	}
	return &Dialer{Proxy: p, Timeout: testTimeout}
}

// wantProxyError fails the test unless err is a *ProxyError of kind.
func wantProxyError(t *testing.T, err error, kind ProxyErrorKind) *ProxyError {
	t.Helper()
	var proxyError *ProxyError
	if !errors.As(err, &proxyError) {
		t.Fatalf("error = %v (%T), want a *ProxyError of kind %s", err, err, kind)
	}
	if proxyError.Kind != kind {
		t.Fatalf("Kind = %s, want %s; error: %v", proxyError.Kind, kind, err)
	}
	return proxyError
}

// portOf returns the port of a host:port address as a number.
func portOf(t *testing.T, addr string) int {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("splitting %q: %v", addr, err)
	}
	n, err := strconv.Atoi(port)
	if err != nil {
		t.Fatalf("port of %q: %v", addr, err)
	}
	return n
}

// sameChain reports whether two chains hold the same certificates.
func sameChain(a, b []*x509.Certificate) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i].Raw, b[i].Raw) {
			return false
		}
	}
	return true
}

// readGreeting completes a TLS handshake on conn and returns what the
// origin sends.
func readGreeting(t *testing.T, conn net.Conn) string {
	t.Helper()
	tlsConn := tls.Client(conn, &tls.Config{InsecureSkipVerify: true})
	defer tlsConn.Close()
	data, err := io.ReadAll(tlsConn)
	if err != nil {
		t.Fatalf("reading through the tunnel: %v", err)
	}
	return string(data)
}

func TestDialTinyproxySameChainAsDirect(t *testing.T) {
	origin := startOrigin(t, newTestCA(t, "Origin Test CA", "scimdoctor test").issue(t, "127.0.0.1"))
	tinyproxy := testservers.StartTinyproxy(t, testservers.Tinyproxy{ConnectPorts: []int{portOf(t, origin)}})
	ctx := context.Background()

	direct, err := PeerChain(ctx, &Dialer{Timeout: testTimeout}, origin, "")
	if err != nil {
		t.Fatalf("direct PeerChain: %v", err)
	}
	dialer := proxyDialer(t, origin, "http://"+tinyproxy)
	proxied, err := PeerChain(ctx, dialer, origin, "")
	if err != nil {
		t.Fatalf("PeerChain through tinyproxy: %v", err)
	}
	if !sameChain(direct, proxied) {
		t.Errorf("chain through tinyproxy differs from the direct chain")
	}

	inspection := CompareChains(direct, proxied)
	if inspection.Intercepted {
		t.Errorf("Intercepted = true for a plain CONNECT proxy; evidence: %q", inspection.Evidence)
	}
	if len(inspection.Evidence) != 0 {
		t.Errorf("Evidence = %q, want none", inspection.Evidence)
	}

	conn, err := dialer.DialContext(ctx, "tcp", origin)
	if err != nil {
		t.Fatalf("DialContext through tinyproxy: %v", err)
	}
	if got := readGreeting(t, conn); got != originGreeting {
		t.Errorf("read %q through the tunnel, want %q", got, originGreeting)
	}
}

func TestDialTinyproxyRejectsPort(t *testing.T) {
	origin := startOrigin(t, newTestCA(t, "Origin Test CA", "scimdoctor test").issue(t, "127.0.0.1"))
	// Port 9 (discard) is the only one allowed, so the origin's is not.
	tinyproxy := testservers.StartTinyproxy(t, testservers.Tinyproxy{ConnectPorts: []int{9}})

	_, err := proxyDialer(t, origin, "http://"+tinyproxy).DialContext(context.Background(), "tcp", origin)
	proxyError := wantProxyError(t, err, ProxyRejectedConnect)
	if proxyError.Status != 403 {
		t.Errorf("Status = %d, want 403", proxyError.Status)
	}
	if proxyError.StatusLine != "403 Access violation" {
		t.Errorf("StatusLine = %q, want tinyproxy's %q", proxyError.StatusLine, "403 Access violation")
	}
	if proxyError.Target != origin {
		t.Errorf("Target = %q, want %q", proxyError.Target, origin)
	}
	for _, part := range []string{"rejected CONNECT " + origin, "tinyproxy/", "allow CONNECT"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not contain %q", err, part)
		}
	}
}

func TestDialTinyproxyBasicAuth(t *testing.T) {
	origin := startOrigin(t, newTestCA(t, "Origin Test CA", "scimdoctor test").issue(t, "127.0.0.1"))
	tinyproxy := testservers.StartTinyproxy(t, testservers.Tinyproxy{User: "scim", Password: "doctor"})
	ctx := context.Background()

	t.Run("no credentials", func(t *testing.T) {
		_, err := proxyDialer(t, origin, "http://"+tinyproxy).DialContext(ctx, "tcp", origin)
		proxyError := wantProxyError(t, err, ProxyAuthRequired)
		if proxyError.Status != 407 {
			t.Errorf("Status = %d, want 407", proxyError.Status)
		}
		for _, part := range []string{"requires authentication", `Basic realm="Tinyproxy"`, "http://USER:PASSWORD@" + tinyproxy} {
			if !strings.Contains(err.Error(), part) {
				t.Errorf("error %q does not contain %q", err, part)
			}
		}
	})

	t.Run("wrong password", func(t *testing.T) {
		_, err := proxyDialer(t, origin, "http://scim:wrongpass@"+tinyproxy).DialContext(ctx, "tcp", origin)
		proxyError := wantProxyError(t, err, ProxyAuthRequired)
		// tinyproxy 1.11 responds to wrong credentials with 401, not 407.
		if proxyError.Status != 401 {
			t.Errorf("Status = %d, want tinyproxy's 401", proxyError.Status)
		}
		if !strings.Contains(err.Error(), `rejected the Basic credentials of user "scim"`) {
			t.Errorf("error %q does not name the rejected user", err)
		}
		if strings.Contains(err.Error(), "wrongpass") {
			t.Errorf("error %q shows the password", err)
		}
	})

	t.Run("credentials in URL", func(t *testing.T) {
		conn, err := proxyDialer(t, origin, "http://scim:doctor@"+tinyproxy).DialContext(ctx, "tcp", origin)
		if err != nil {
			t.Fatalf("DialContext with credentials: %v", err)
		}
		if got := readGreeting(t, conn); got != originGreeting {
			t.Errorf("read %q through the tunnel, want %q", got, originGreeting)
		}
	})
}

func TestDialHTTPSURLToPlainProxy(t *testing.T) {
	origin := startOrigin(t, newTestCA(t, "Origin Test CA", "scimdoctor test").issue(t, "127.0.0.1"))
	tinyproxy := testservers.StartTinyproxy(t, testservers.Tinyproxy{})

	dialer := proxyDialer(t, origin, "https://"+tinyproxy)
	// tinyproxy reads the ClientHello as a request line and waits for a
	// line end the hello may not contain, so this dial can use half of
	// its time before the plain CONNECT check runs.
	dialer.Timeout = 4 * time.Second
	_, err := dialer.DialContext(context.Background(), "tcp", origin)
	t.Logf("error: %v", err)
	wantProxyError(t, err, ProxyPlainHTTP)
	for _, part := range []string{"speaks plain HTTP", "WRONG_VERSION_NUMBER", "use http://" + tinyproxy} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("error %q does not contain %q", err, part)
		}
	}
}

// TestDialHTTPSURLToRespondingPlainProxy covers a plain proxy that responds to
// the ClientHello at once with an HTTP error, as a proxy that reads up to
// the first unparsable byte does.
func TestDialHTTPSURLToRespondingPlainProxy(t *testing.T) {
	proxy := testservers.StartRaw(t, func(conn *net.TCPConn) {
		defer conn.Close()
		buf := make([]byte, 1024)
		conn.Read(buf)
		io.WriteString(conn, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
	})
	_, err := proxyDialer(t, "127.0.0.1:443", "https://"+proxy).DialContext(context.Background(), "tcp", "127.0.0.1:443")
	proxyError := wantProxyError(t, err, ProxyPlainHTTP)
	var header tls.RecordHeaderError
	if !errors.As(proxyError, &header) {
		t.Errorf("Err = %v, want crypto/tls's RecordHeaderError", proxyError.Err)
	}
	if !strings.Contains(proxyError.Detail, "responded to the ClientHello with an HTTP response") {
		t.Errorf("Detail = %q, want the HTTP response named", proxyError.Detail)
	}
}

func TestDialHTTPSProxyThroughStunnel(t *testing.T) {
	origin := startOrigin(t, newTestCA(t, "Origin Test CA", "scimdoctor test").issue(t, "127.0.0.1"))
	tinyproxy := testservers.StartTinyproxy(t, testservers.Tinyproxy{})
	proxyCert := testservers.SelfSigned(t)
	tlsProxy := testservers.StartStunnel(t, testservers.StunnelTLS{Cert: proxyCert, Backend: tinyproxy})
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(proxyCert.CertPEM) {
		t.Fatal("adding the proxy certificate to the pool failed")
	}
	ctx := context.Background()

	t.Run("trusted proxy certificate", func(t *testing.T) {
		dialer := proxyDialer(t, origin, "https://"+tlsProxy)
		dialer.ProxyTLS = &tls.Config{RootCAs: roots}
		conn, err := dialer.DialContext(ctx, "tcp", origin)
		if err != nil {
			t.Fatalf("DialContext through the https:// proxy: %v", err)
		}
		if got := readGreeting(t, conn); got != originGreeting {
			t.Errorf("read %q through the tunnel, want %q", got, originGreeting)
		}
	})

	t.Run("untrusted proxy certificate", func(t *testing.T) {
		_, err := proxyDialer(t, origin, "https://"+tlsProxy).DialContext(ctx, "tcp", origin)
		proxyError := wantProxyError(t, err, ProxyTLSFailed)
		var unknownAuthority x509.UnknownAuthorityError
		if !errors.As(proxyError, &unknownAuthority) {
			t.Errorf("Err = %v, want an x509.UnknownAuthorityError", proxyError.Err)
		}
	})

	t.Run("http URL to TLS port", func(t *testing.T) {
		_, err := proxyDialer(t, origin, "http://"+tlsProxy).DialContext(ctx, "tcp", origin)
		t.Logf("error: %v", err)
		proxyError := wantProxyError(t, err, ProxyNotHTTP)
		if !strings.Contains(proxyError.Detail, "use https://"+tlsProxy) {
			t.Errorf("Detail = %q, want the hint to use https://", proxyError.Detail)
		}
	})
}

func TestDialProxyUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening: %v", err)
	}
	closed := l.Addr().String()
	l.Close()

	_, err = proxyDialer(t, "127.0.0.1:443", "http://"+closed).DialContext(context.Background(), "tcp", "127.0.0.1:443")
	proxyError := wantProxyError(t, err, ProxyUnreachable)
	if !strings.Contains(proxyError.Detail, "connection refused") {
		t.Errorf("Detail = %q, want the refused connection named", proxyError.Detail)
	}
}

func TestDialProxySilent(t *testing.T) {
	silent := testservers.StartRaw(t, func(conn *net.TCPConn) {
		defer conn.Close()
		io.Copy(io.Discard, conn)
	})
	dialer := proxyDialer(t, "127.0.0.1:443", "http://"+silent)
	dialer.Timeout = 300 * time.Millisecond

	_, err := dialer.DialContext(context.Background(), "tcp", "127.0.0.1:443")
	proxyError := wantProxyError(t, err, ProxyTimeout)
	if !strings.Contains(proxyError.Detail, "did not respond to CONNECT 127.0.0.1:443") {
		t.Errorf("Detail = %q, want the unresponded to CONNECT named", proxyError.Detail)
	}
}

func TestDialProxyNotHTTP(t *testing.T) {
	tests := []struct {
		name       string
		response   string
		wantDetail string
	}{
		{name: "socks reply", response: "\x05\xff", wantDetail: `response starts with "\x05\xff"`},
		{name: "tls alert", response: "\x15\x03\x01\x00\x02\x02\x46", wantDetail: "use https://"},
		{name: "close", response: "", wantDetail: "connection closed without a response"},
		{name: "oversized header", response: "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", maxConnectHeader) + "\r\n\r\n", wantDetail: "65536-byte limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proxy := testservers.StartRaw(t, func(conn *net.TCPConn) {
				defer conn.Close()
				io.WriteString(conn, tt.response)
				conn.CloseWrite()
				io.Copy(io.Discard, conn)
			})
			_, err := proxyDialer(t, "127.0.0.1:443", "http://"+proxy).DialContext(context.Background(), "tcp", "127.0.0.1:443")
			proxyError := wantProxyError(t, err, ProxyNotHTTP)
			if !strings.Contains(proxyError.Detail, tt.wantDetail) {
				t.Errorf("Detail = %q, want it to contain %q", proxyError.Detail, tt.wantDetail)
			}
		})
	}
}

// TestDialTunnelKeepsBufferedBytes checks that bytes sent in the same
// segment as the proxy's header reach the tunnel's reader.
func TestDialTunnelKeepsBufferedBytes(t *testing.T) {
	const early = "first bytes of the tunnel"
	proxy := testservers.StartRaw(t, func(conn *net.TCPConn) {
		defer conn.Close()
		buf := make([]byte, 1024)
		conn.Read(buf)
		io.WriteString(conn, "HTTP/1.1 200 Connection established\r\nVia: 1.1 test\r\n\r\n"+early)
	})
	conn, err := proxyDialer(t, "127.0.0.1:443", "http://"+proxy).DialContext(context.Background(), "tcp", "127.0.0.1:443")
	if err != nil {
		t.Fatalf("DialContext: %v", err)
	}
	defer conn.Close()
	data, err := io.ReadAll(conn)
	if err != nil {
		t.Fatalf("reading the tunnel: %v", err)
	}
	if string(data) != early {
		t.Errorf("tunnel returned %q, want %q", data, early)
	}
}

// TestDialSendsConnectRequest checks the request line, Host header and
// Proxy-Authorization header the proxy receives.
func TestDialSendsConnectRequest(t *testing.T) {
	received := make(chan string, 1)
	proxy := testservers.StartRaw(t, func(conn *net.TCPConn) {
		defer conn.Close()
		var request []byte
		buf := make([]byte, 1024)
		for !bytes.HasSuffix(request, []byte("\r\n\r\n")) {
			n, err := conn.Read(buf)
			request = append(request, buf[:n]...)
			if err != nil {
				break
			}
		}
		received <- string(request)
		io.WriteString(conn, "HTTP/1.1 200 OK\r\n\r\n")
	})
	conn, err := proxyDialer(t, "[::1]:8443", "http://alice:open%20sesame@"+proxy).DialContext(context.Background(), "tcp", "[::1]:8443")
	if err != nil {
		t.Fatalf("DialContext: %v", err)
	}
	conn.Close()

	// base64("alice:open sesame")
	want := "CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\nProxy-Authorization: Basic YWxpY2U6b3BlbiBzZXNhbWU=\r\n\r\n"
	if got := <-received; got != want {
		t.Errorf("proxy received %q, want %q", got, want)
	}
}

func TestDialDirect(t *testing.T) {
	origin := startOrigin(t, newTestCA(t, "Origin Test CA", "scimdoctor test").issue(t, "127.0.0.1"))
	conn, err := (&Dialer{}).DialContext(context.Background(), "tcp", origin)
	if err != nil {
		t.Fatalf("direct DialContext: %v", err)
	}
	if got := readGreeting(t, conn); got != originGreeting {
		t.Errorf("read %q, want %q", got, originGreeting)
	}
}

func TestDialUnsupportedNetwork(t *testing.T) {
	_, err := (&Dialer{}).DialContext(context.Background(), "udp", "127.0.0.1:443")
	if err == nil || !strings.Contains(err.Error(), `unsupported network "udp"`) {
		t.Errorf("error = %v, want the unsupported network named", err)
	}
}

func TestDialCancelledIsNotProxyError(t *testing.T) {
	silent := testservers.StartRaw(t, func(conn *net.TCPConn) {
		defer conn.Close()
		io.Copy(io.Discard, conn)
	})
	ctx, cancel := context.WithCancel(context.Background())
	dialer := proxyDialer(t, "127.0.0.1:443", "http://"+silent)
	done := make(chan error, 1)
	go func() {
		_, err := dialer.DialContext(ctx, "tcp", "127.0.0.1:443")
		done <- err
	}()
	cancel()
	err := <-done
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want context.Canceled", err)
	}
	var proxyError *ProxyError
	if errors.As(err, &proxyError) {
		t.Errorf("error is a *ProxyError of kind %s; a cancelled dial is not the proxy's fault", proxyError.Kind)
	}
}
