package lab

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// testTimeout bounds every connection a test makes to the lab.
const testTimeout = 5 * time.Second

// startLab starts the named endpoints and closes them when the test ends.
func startLab(t *testing.T, names ...string) *Lab {
	t.Helper()
	l, err := Start(context.Background(), names...)
	if err != nil {
		t.Fatalf("Start(%v): %v", names, err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return l
}

func mustEndpoint(t *testing.T, l *Lab, name string) Endpoint {
	t.Helper()
	e, ok := l.Endpoint(name)
	if !ok {
		t.Fatalf("lab has no endpoint %q", name)
	}
	return e
}

// handshake dials addr and completes a TLS handshake with config.
func handshake(addr string, config *tls.Config, timeout time.Duration) (*tls.Conn, error) {
	dialer := &net.Dialer{Timeout: timeout, Deadline: time.Now().Add(timeout)}
	return tls.DialWithDialer(dialer, "tcp", addr, config)
}

// clientConfig verifies against the lab CA and offers TLS versions from
// minVersion to maxVersion.
func clientConfig(l *Lab, minVersion, maxVersion uint16) *tls.Config {
	return &tls.Config{
		RootCAs:    l.CertPool(),
		ServerName: labHost,
		MinVersion: minVersion,
		MaxVersion: maxVersion,
	}
}

// getServiceProviderConfig sends GET /scim/v2/ServiceProviderConfig on conn
// with the given Authorization header, and returns the response with its body
// read.
func getServiceProviderConfig(t *testing.T, conn net.Conn, authorization string) (*http.Response, []byte) {
	t.Helper()
	conn.SetDeadline(time.Now().Add(testTimeout))
	req, err := http.NewRequest(http.MethodGet, "https://localhost"+serviceProviderConfigURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	req.Close = true
	if err := req.Write(conn); err != nil {
		t.Fatalf("write request: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read response body: %v", err)
	}
	return resp, body
}

// selfSignedClientCert returns a throwaway client certificate.
func selfSignedClientCert(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "lab test client"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func TestCatalogEntries(t *testing.T) {
	seen := make(map[string]string)
	for _, list := range []struct {
		kind      string
		endpoints []Endpoint
	}{{KindSCIM, Catalog()}, {KindProxy, ProxyCatalog()}} {
		for _, e := range list.endpoints {
			if e.Name == "" || e.Summary == "" || e.Fault == "" || e.Fix == "" {
				t.Errorf("catalog entry %+v has an empty description field", e)
			}
			if e.Kind != list.kind {
				t.Errorf("catalog entry %s has kind %q, want %q", e.Name, e.Kind, list.kind)
			}
			if e.URL != "" || e.Addr != "" || e.ServerName != "" || e.Origin != "" {
				t.Errorf("catalog entry %s has an address before Start: %+v", e.Name, e)
			}
			if _, dup := seen[e.Name]; dup {
				t.Errorf("catalog name %s appears twice", e.Name)
			}
			seen[e.Name] = e.Kind
		}
	}
	if len(seen) != len(catalog) {
		t.Errorf("Catalog and ProxyCatalog list %d entries, catalog has %d", len(seen), len(catalog))
	}
	for _, name := range []string{"good", "tls10-only", "tls11-only", "tls13-only", "3des-only",
		"client-cert-required", "expired", "self-signed", "wrong-host", "missing-intermediate",
		"sni-required", "tls10-proxy", "mixed-pool", "plain-http", "blackhole", "reset"} {
		if seen[name] != KindSCIM {
			t.Errorf("Catalog lacks SCIM endpoint %s", name)
		}
	}
	for _, name := range []string{"forward-proxy", "inspection-proxy"} {
		if seen[name] != KindProxy {
			t.Errorf("ProxyCatalog lacks proxy %s", name)
		}
	}
}

func TestStartUnknownName(t *testing.T) {
	l, err := Start(context.Background(), "good", "tls9-only")
	if err == nil {
		l.Close()
		t.Fatal("Start with an unknown name returned no error")
	}
	for _, want := range []string{`"tls9-only"`, "good", "tls10-only", "reset"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
}

func TestStartAllEndpoints(t *testing.T) {
	begin := time.Now()
	l := startLab(t)
	elapsed := time.Since(begin)
	t.Logf("Start of %d endpoints took %v", len(l.Endpoints), elapsed)
	// Start should take well under a second. The 2-second limit leaves room
	// for a loaded CI machine and still catches slow key generation.
	if elapsed > 2*time.Second {
		t.Errorf("Start took %v, want well under a second", elapsed)
	}

	if got, want := len(l.Endpoints), len(Catalog()); got != want {
		t.Fatalf("lab runs %d SCIM endpoints, Catalog has %d", got, want)
	}
	if got, want := len(l.Proxies), len(ProxyCatalog()); got != want {
		t.Fatalf("lab runs %d proxies, ProxyCatalog has %d", got, want)
	}
	for _, e := range l.Proxies {
		if want := "http://" + e.Addr; e.URL != want {
			t.Errorf("proxy %s URL = %q, want %q", e.Name, e.URL, want)
		}
		if e.ServerName != "" {
			t.Errorf("proxy %s ServerName = %q, want none", e.Name, e.ServerName)
		}
	}
	for _, e := range l.Endpoints {
		if e.Kind != KindSCIM {
			t.Errorf("endpoint %s in Endpoints has kind %q", e.Name, e.Kind)
		}
		if wantOrigin := e.Name == "tls10-proxy"; (e.Origin != "") != wantOrigin {
			t.Errorf("endpoint %s Origin = %q", e.Name, e.Origin)
		}
		host, port, err := net.SplitHostPort(e.Addr)
		if err != nil || host != "127.0.0.1" || port == "0" {
			t.Errorf("endpoint %s listens on %q, want 127.0.0.1:PORT", e.Name, e.Addr)
		}
		if want := "https://localhost:" + port + "/scim/v2"; e.URL != want {
			t.Errorf("endpoint %s URL = %q, want %q", e.Name, e.URL, want)
		}
		if e.ServerName != "localhost" {
			t.Errorf("endpoint %s ServerName = %q, want localhost", e.Name, e.ServerName)
		}
	}

	pemData, err := os.ReadFile(l.CAFile)
	if err != nil {
		t.Fatalf("read CA file: %v", err)
	}
	if string(pemData) != string(l.CACertPEM) {
		t.Error("CA file content differs from CACertPEM")
	}
	inspectionPEM, err := os.ReadFile(l.InspectionCAFile)
	if err != nil {
		t.Fatalf("read inspection CA file: %v", err)
	}
	if string(inspectionPEM) != string(l.InspectionCACertPEM) {
		t.Error("inspection CA file content differs from InspectionCACertPEM")
	}
	if filepath.Dir(l.InspectionCAFile) != filepath.Dir(l.CAFile) {
		t.Errorf("inspection CA file %s is not next to the CA file %s", l.InspectionCAFile, l.CAFile)
	}
	if l.Token != BearerToken {
		t.Errorf("Token = %q, want %q", l.Token, BearerToken)
	}
}

func TestGoodEndpointServesSCIM(t *testing.T) {
	l := startLab(t, "good")
	e := mustEndpoint(t, l, "good")

	for _, version := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		conn, err := handshake(e.Addr, clientConfig(l, version, version), testTimeout)
		if err != nil {
			t.Fatalf("%s handshake with good: %v", tls.VersionName(version), err)
		}
		state := conn.ConnectionState()
		if len(state.PeerCertificates) != 2 {
			t.Errorf("%s: server sent %d certificates, want leaf and intermediate", tls.VersionName(version), len(state.PeerCertificates))
		}
		resp, body := getServiceProviderConfig(t, conn, "Bearer "+BearerToken)
		conn.Close()

		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %s, want 200; body %s", tls.VersionName(version), resp.Status, body)
		}
		if got := resp.Header.Get("Content-Type"); !mediaTypeIs(got, scimMediaType) {
			t.Errorf("Content-Type = %q, want %q", got, scimMediaType)
		}
		var config struct {
			Schemas               []string
			AuthenticationSchemes []struct{ Type string }
			Meta                  struct{ Location string }
		}
		if err := json.Unmarshal(body, &config); err != nil {
			t.Fatalf("decode ServiceProviderConfig: %v; body %s", err, body)
		}
		if len(config.Schemas) != 1 || config.Schemas[0] != serviceProviderSchema {
			t.Errorf("schemas = %v, want [%s]", config.Schemas, serviceProviderSchema)
		}
		if len(config.AuthenticationSchemes) == 0 || config.AuthenticationSchemes[0].Type != "oauthbearertoken" {
			t.Errorf("authenticationSchemes = %+v, want oauthbearertoken first", config.AuthenticationSchemes)
		}
		if want := "https://localhost" + serviceProviderConfigURL; config.Meta.Location != want {
			t.Errorf("meta.location = %q, want %q", config.Meta.Location, want)
		}
	}
}

func TestSCIMHandlerErrors(t *testing.T) {
	l := startLab(t, "good")
	e := mustEndpoint(t, l, "good")
	client := &http.Client{
		Timeout:   testTimeout,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: l.CertPool()}},
	}
	defer client.CloseIdleConnections()

	tests := []struct {
		name          string
		method, path  string
		authorization string
		wantStatus    int
	}{
		{"missing token", http.MethodGet, "/scim/v2/ServiceProviderConfig", "", http.StatusUnauthorized},
		{"wrong token", http.MethodGet, "/scim/v2/ServiceProviderConfig", "Bearer other", http.StatusUnauthorized},
		{"basic scheme", http.MethodGet, "/scim/v2/ServiceProviderConfig", "Basic bGFiOmxhYg==", http.StatusUnauthorized},
		{"lowercase scheme", http.MethodGet, "/scim/v2/ServiceProviderConfig", "bearer " + BearerToken, http.StatusOK},
		{"user list", http.MethodGet, "/scim/v2/Users", "Bearer " + BearerToken, http.StatusOK},
		{"unknown resource", http.MethodGet, "/scim/v2/Widgets", "Bearer " + BearerToken, http.StatusNotFound},
		{"outside base path", http.MethodGet, "/index.html", "", http.StatusNotFound},
		{"post rejected", http.MethodPost, "/scim/v2/ServiceProviderConfig", "Bearer " + BearerToken, http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, e.URL[:strings.Index(e.URL, "/scim")]+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.authorization != "" {
				req.Header.Set("Authorization", tt.authorization)
			}
			// Dial the listening address, because localhost may resolve
			// to ::1 first, where nothing listens.
			client.Transport.(*http.Transport).DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, "tcp4", e.Addr)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("%s %s: %v", tt.method, tt.path, err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d; body %s", resp.StatusCode, tt.wantStatus, body)
			}
			if tt.wantStatus == http.StatusOK {
				return
			}
			var scimErr struct {
				Schemas []string `json:"schemas"`
				Status  string   `json:"status"`
				Detail  string   `json:"detail"`
			}
			if err := json.Unmarshal(body, &scimErr); err != nil {
				t.Fatalf("error body is not JSON: %v; body %s", err, body)
			}
			if len(scimErr.Schemas) != 1 || scimErr.Schemas[0] != scimErrorSchema {
				t.Errorf("error schemas = %v, want [%s]", scimErr.Schemas, scimErrorSchema)
			}
			if scimErr.Status != resp.Status[:3] {
				t.Errorf("error status = %q, want %q", scimErr.Status, resp.Status[:3])
			}
			if tt.wantStatus == http.StatusUnauthorized && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate = %q, want a Bearer challenge", resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
}

// remoteAlert reports whether err is an alert received from the server whose
// crypto/tls text (such as "protocol version not supported") is text.
func remoteAlert(err error, text string) bool {
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "remote error" && opErr.Err.Error() == "tls: "+text
}

func TestVersionEndpoints(t *testing.T) {
	l := startLab(t, "tls10-only", "tls11-only", "tls13-only", "tls10-proxy")

	tests := []struct {
		name       string
		endpoint   string
		minVersion uint16
		maxVersion uint16
		wantAlert  string // empty: the handshake succeeds
	}{
		{"tls10-only rejects TLS 1.2 client", "tls10-only", tls.VersionTLS12, tls.VersionTLS13, "protocol version not supported"},
		{"tls10-only accepts TLS 1.0 client", "tls10-only", tls.VersionTLS10, tls.VersionTLS10, ""},
		{"tls11-only rejects TLS 1.2 client", "tls11-only", tls.VersionTLS12, tls.VersionTLS13, "protocol version not supported"},
		{"tls11-only rejects TLS 1.0 client", "tls11-only", tls.VersionTLS10, tls.VersionTLS10, "protocol version not supported"},
		{"tls11-only accepts TLS 1.1 client", "tls11-only", tls.VersionTLS11, tls.VersionTLS11, ""},
		{"tls13-only rejects TLS 1.2 client", "tls13-only", tls.VersionTLS10, tls.VersionTLS12, "protocol version not supported"},
		{"tls13-only accepts TLS 1.3 client", "tls13-only", tls.VersionTLS13, tls.VersionTLS13, ""},
		{"tls10-proxy rejects TLS 1.2 client", "tls10-proxy", tls.VersionTLS12, tls.VersionTLS13, "protocol version not supported"},
		{"tls10-proxy accepts TLS 1.0 client", "tls10-proxy", tls.VersionTLS10, tls.VersionTLS13, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := mustEndpoint(t, l, tt.endpoint)
			conn, err := handshake(e.Addr, clientConfig(l, tt.minVersion, tt.maxVersion), testTimeout)
			if tt.wantAlert != "" {
				if err == nil {
					conn.Close()
					t.Fatalf("handshake succeeded with %s, want alert %q", tls.VersionName(conn.ConnectionState().Version), tt.wantAlert)
				}
				if !remoteAlert(err, tt.wantAlert) {
					t.Fatalf("handshake error %v, want remote alert %q", err, tt.wantAlert)
				}
				return
			}
			if err != nil {
				t.Fatalf("handshake: %v", err)
			}
			defer conn.Close()
			if got, want := conn.ConnectionState().Version, tt.maxVersion; tt.minVersion == tt.maxVersion && got != want {
				t.Errorf("negotiated %s, want %s", tls.VersionName(got), tls.VersionName(want))
			}
		})
	}
}

func TestReverseProxyHeaders(t *testing.T) {
	l := startLab(t, "tls10-proxy")
	e := mustEndpoint(t, l, "tls10-proxy")

	conn, err := handshake(e.Addr, clientConfig(l, tls.VersionTLS10, tls.VersionTLS10), testTimeout)
	if err != nil {
		t.Fatalf("TLS 1.0 handshake with tls10-proxy: %v", err)
	}
	defer conn.Close()
	resp, body := getServiceProviderConfig(t, conn, "Bearer "+BearerToken)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %s, want 200; body %s", resp.Status, body)
	}
	if got := resp.Header.Get("Server"); got != proxyProduct {
		t.Errorf("Server = %q, want %q", got, proxyProduct)
	}
	if got, want := resp.Header.Get("Via"), "1.1 "+proxyViaPseudonym; got != want {
		t.Errorf("Via = %q, want %q", got, want)
	}
	var lbCookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == loadBalancerCookie {
			lbCookie = c
		}
	}
	if lbCookie == nil || lbCookie.Value != loadBalancerCookieValue {
		t.Errorf("Set-Cookie = %q, want a %s=%s cookie", resp.Header.Values("Set-Cookie"), loadBalancerCookie, loadBalancerCookieValue)
	}
	if !strings.Contains(string(body), `"https://localhost/scim/v2/ServiceProviderConfig"`) {
		t.Errorf("origin did not see the client's Host; body %s", body)
	}
}

func TestReverseProxyOrigin(t *testing.T) {
	l := startLab(t, "tls10-proxy")
	e := mustEndpoint(t, l, "tls10-proxy")
	if host, _, err := net.SplitHostPort(e.Origin); err != nil || host != "127.0.0.1" {
		t.Fatalf("Origin = %q, want 127.0.0.1:PORT", e.Origin)
	}

	t.Run("TLS 1.0 client rejected", func(t *testing.T) {
		conn, err := handshake(e.Origin, clientConfig(l, tls.VersionTLS10, tls.VersionTLS10), testTimeout)
		if err == nil {
			conn.Close()
			t.Fatal("TLS 1.0 handshake with the origin succeeded")
		}
		if !remoteAlert(err, "protocol version not supported") {
			t.Fatalf("handshake error %v, want remote alert protocol version not supported", err)
		}
	})

	for _, version := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		t.Run(tls.VersionName(version)+" client served", func(t *testing.T) {
			conn, err := handshake(e.Origin, clientConfig(l, version, version), testTimeout)
			if err != nil {
				t.Fatalf("handshake with the origin: %v", err)
			}
			defer conn.Close()
			resp, body := getServiceProviderConfig(t, conn, "Bearer "+BearerToken)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %s, want 200; body %s", resp.Status, body)
			}
			if got := resp.Header.Get("Server"); got != originProduct {
				t.Errorf("Server = %q, want %q", got, originProduct)
			}
			if got := resp.Header.Get("Via"); got != "" {
				t.Errorf("Via = %q, want none from the origin", got)
			}
			if got := resp.Header.Values("Set-Cookie"); len(got) != 0 {
				t.Errorf("Set-Cookie = %q, want none from the origin", got)
			}
		})
	}
}

// connectThrough sends CONNECT target to the proxy at proxyAddr and returns
// the connection and the proxy's response. After a 200 the connection is the
// tunnel.
func connectThrough(t *testing.T, proxyAddr, target string) (net.Conn, *http.Response) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", proxyAddr, testTimeout)
	if err != nil {
		t.Fatalf("dial proxy: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(testTimeout))
	req := &http.Request{
		Method: http.MethodConnect,
		URL:    &url.URL{Opaque: target},
		Host:   target,
		Header: make(http.Header),
	}
	if err := req.Write(conn); err != nil {
		t.Fatalf("write CONNECT: %v", err)
	}
	// The bufio.Reader may not hold tunnel bytes past the header. It holds
	// none, because the proxy sends nothing after its 200 until the client
	// sends its ClientHello.
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatalf("read CONNECT response: %v", err)
	}
	conn.SetDeadline(time.Time{})
	return conn, resp
}

func TestForwardProxyTunnels(t *testing.T) {
	l := startLab(t, "good", "forward-proxy")
	good := mustEndpoint(t, l, "good")
	proxy := mustEndpoint(t, l, "forward-proxy")
	_, port, _ := net.SplitHostPort(good.Addr)

	for _, target := range []string{"localhost:" + port, good.Addr} {
		t.Run(target, func(t *testing.T) {
			conn, resp := connectThrough(t, proxy.Addr, target)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("CONNECT status %s, want 200", resp.Status)
			}
			if got := resp.Header.Get("Proxy-Agent"); got != forwardProxyProduct {
				t.Errorf("Proxy-Agent = %q, want %q", got, forwardProxyProduct)
			}
			tlsConn := tls.Client(conn, clientConfig(l, tls.VersionTLS12, tls.VersionTLS13))
			tlsConn.SetDeadline(time.Now().Add(testTimeout))
			if err := tlsConn.Handshake(); err != nil {
				t.Fatalf("handshake through the tunnel: %v", err)
			}
			if issuer := tlsConn.ConnectionState().PeerCertificates[0].Issuer.CommonName; issuer != intermediateCommonName {
				t.Errorf("leaf issuer = %q, want the lab's %q untouched", issuer, intermediateCommonName)
			}
			resp, body := getServiceProviderConfig(t, tlsConn, "Bearer "+BearerToken)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %s, want 200; body %s", resp.Status, body)
			}
		})
	}
}

func TestForwardProxyRejects(t *testing.T) {
	l := startLab(t, "forward-proxy", "inspection-proxy")

	closed, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()

	tests := []struct {
		name       string
		target     string
		wantStatus int
	}{
		// The proxy rejects these before it dials, so no packet leaves
		// the loopback interface.
		{"private address", "10.0.0.1:443", http.StatusForbidden},
		{"public name", "scim.example:443", http.StatusForbidden},
		{"IPv6 loopback", "[::1]:443", http.StatusForbidden},
		{"unspecified address", "0.0.0.0:443", http.StatusForbidden},
		{"no port", "127.0.0.1", http.StatusBadRequest},
		{"closed port", closedAddr, http.StatusBadGateway},
	}
	for _, proxyName := range []string{"forward-proxy", "inspection-proxy"} {
		proxy := mustEndpoint(t, l, proxyName)
		for _, tt := range tests {
			t.Run(proxyName+" "+tt.name, func(t *testing.T) {
				_, resp := connectThrough(t, proxy.Addr, tt.target)
				if resp.StatusCode != tt.wantStatus {
					t.Fatalf("CONNECT %s status %s, want %d", tt.target, resp.Status, tt.wantStatus)
				}
				if resp.Header.Get("Server") == "" {
					t.Error("rejection has no Server header")
				}
			})
		}
	}
}

func TestForwardProxyPlainRequests(t *testing.T) {
	l := startLab(t, "forward-proxy")
	proxy := mustEndpoint(t, l, "forward-proxy")

	t.Run("GET rejected", func(t *testing.T) {
		conn, err := net.DialTimeout("tcp", proxy.Addr, testTimeout)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		resp, _ := getServiceProviderConfig(t, conn, "")
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("status %s, want 405", resp.Status)
		}
		if got := resp.Header.Get("Allow"); got != http.MethodConnect {
			t.Errorf("Allow = %q, want CONNECT", got)
		}
	})

	// A client given https://127.0.0.1:PORT as its proxy URL starts TLS
	// with the plain proxy, which answers in HTTP. OpenSSL reports this as
	// "wrong version number", crypto/tls as a RecordHeaderError.
	t.Run("TLS to the proxy", func(t *testing.T) {
		config := &tls.Config{ServerName: "127.0.0.1", RootCAs: l.CertPool(), MinVersion: tls.VersionTLS12}
		_, err := handshake(proxy.Addr, config, testTimeout)
		var recordErr tls.RecordHeaderError
		if !errors.As(err, &recordErr) {
			t.Fatalf("TLS handshake error %v, want tls.RecordHeaderError", err)
		}
		if !strings.HasPrefix(string(recordErr.RecordHeader[:]), "HTTP/") {
			t.Errorf("first bytes %q, want an HTTP status line", recordErr.RecordHeader[:])
		}
	})
}

// inspectionRoots returns a pool that holds only the inspection CA of l.
func inspectionRoots(t *testing.T, l *Lab) *x509.CertPool {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(l.InspectionCACertPEM) {
		t.Fatal("InspectionCACertPEM holds no certificate")
	}
	return pool
}

func TestInspectionProxyResigns(t *testing.T) {
	l := startLab(t, "good", "inspection-proxy")
	good := mustEndpoint(t, l, "good")
	proxy := mustEndpoint(t, l, "inspection-proxy")
	_, port, _ := net.SplitHostPort(good.Addr)
	target := "localhost:" + port

	t.Run("lab root rejects the chain", func(t *testing.T) {
		conn, resp := connectThrough(t, proxy.Addr, target)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("CONNECT status %s, want 200", resp.Status)
		}
		tlsConn := tls.Client(conn, clientConfig(l, tls.VersionTLS12, tls.VersionTLS13))
		tlsConn.SetDeadline(time.Now().Add(testTimeout))
		err := tlsConn.Handshake()
		var unknown x509.UnknownAuthorityError
		if !errors.As(err, &unknown) {
			t.Fatalf("handshake error %v, want x509.UnknownAuthorityError", err)
		}
	})

	t.Run("inspection CA accepts the chain", func(t *testing.T) {
		conn, resp := connectThrough(t, proxy.Addr, target)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("CONNECT status %s, want 200", resp.Status)
		}
		if got := resp.Header.Get("Proxy-Agent"); got != inspectionProxyProduct {
			t.Errorf("Proxy-Agent = %q, want %q", got, inspectionProxyProduct)
		}
		config := clientConfig(l, tls.VersionTLS12, tls.VersionTLS13)
		config.RootCAs = inspectionRoots(t, l)
		tlsConn := tls.Client(conn, config)
		tlsConn.SetDeadline(time.Now().Add(testTimeout))
		if err := tlsConn.Handshake(); err != nil {
			t.Fatalf("handshake trusting the inspection CA: %v", err)
		}
		chain := tlsConn.ConnectionState().PeerCertificates
		if len(chain) != 2 {
			t.Fatalf("proxy sent %d certificates, want leaf and inspection CA", len(chain))
		}
		if got := chain[0].Issuer.CommonName; got != inspectionCommonName {
			t.Errorf("leaf issuer = %q, want %q", got, inspectionCommonName)
		}
		if got := chain[0].DNSNames; len(got) != 1 || got[0] != labHost {
			t.Errorf("leaf DNS names = %v, want [%s]", got, labHost)
		}
		if got := chain[1].Subject.Organization; len(got) != 1 || got[0] != inspectionOrganization {
			t.Errorf("second certificate organization = %v, want [%s]", got, inspectionOrganization)
		}
		resp, body := getServiceProviderConfig(t, tlsConn, "Bearer "+BearerToken)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %s through the inspection proxy, want 200; body %s", resp.Status, body)
		}
	})

	t.Run("IP literal target", func(t *testing.T) {
		conn, resp := connectThrough(t, proxy.Addr, good.Addr)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("CONNECT status %s, want 200", resp.Status)
		}
		config := &tls.Config{ServerName: "127.0.0.1", RootCAs: inspectionRoots(t, l), MinVersion: tls.VersionTLS12}
		tlsConn := tls.Client(conn, config)
		tlsConn.SetDeadline(time.Now().Add(testTimeout))
		if err := tlsConn.Handshake(); err != nil {
			t.Fatalf("handshake for 127.0.0.1: %v", err)
		}
		if ips := tlsConn.ConnectionState().PeerCertificates[0].IPAddresses; len(ips) != 1 || !ips[0].Equal(labIP) {
			t.Errorf("leaf IP addresses = %v, want [127.0.0.1]", ips)
		}
	})
}

func TestInspectionProxyBadGateway(t *testing.T) {
	l := startLab(t, "tls10-only", "inspection-proxy")
	legacy := mustEndpoint(t, l, "tls10-only")
	proxy := mustEndpoint(t, l, "inspection-proxy")
	_, port, _ := net.SplitHostPort(legacy.Addr)

	// The proxy's own TLS client needs TLS 1.2, so the target's TLS 1.0
	// shows to the client as a 502 from the proxy, not as an alert.
	conn, resp := connectThrough(t, proxy.Addr, "localhost:"+port)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("CONNECT status %s, want 200", resp.Status)
	}
	config := clientConfig(l, tls.VersionTLS12, tls.VersionTLS13)
	config.RootCAs = inspectionRoots(t, l)
	tlsConn := tls.Client(conn, config)
	tlsConn.SetDeadline(time.Now().Add(testTimeout))
	if err := tlsConn.Handshake(); err != nil {
		t.Fatalf("handshake with the inspection proxy: %v", err)
	}
	resp, body := getServiceProviderConfig(t, tlsConn, "Bearer "+BearerToken)
	if resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("status %s, want 502; body %s", resp.Status, body)
	}
	if got := resp.Header.Get("Server"); got != inspectionProxyProduct {
		t.Errorf("Server = %q, want %q", got, inspectionProxyProduct)
	}
	if !strings.Contains(string(body), "protocol version") {
		t.Errorf("body %q does not name the target's TLS failure", body)
	}
}

func TestMixedPoolAlternates(t *testing.T) {
	l := startLab(t, "mixed-pool")
	e := mustEndpoint(t, l, "mixed-pool")

	tests := []struct {
		name        string
		version     uint16
		wantProduct string // Server header of the member that accepts
	}{
		{"TLS 1.0 client", tls.VersionTLS10, poolMemberBProduct},
		{"TLS 1.2 client", tls.VersionTLS12, poolMemberAProduct},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Two consecutive connections reach both members, in either
			// order, because the other subtest moved the round robin.
			var served, rejected int
			for range 2 {
				conn, err := handshake(e.Addr, clientConfig(l, tt.version, tt.version), testTimeout)
				if err != nil {
					if !remoteAlert(err, "protocol version not supported") {
						t.Fatalf("handshake error %v, want success or remote alert protocol version not supported", err)
					}
					rejected++
					continue
				}
				served++
				resp, body := getServiceProviderConfig(t, conn, "Bearer "+BearerToken)
				conn.Close()
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status %s, want 200; body %s", resp.Status, body)
				}
				if got := resp.Header.Get("Server"); got != tt.wantProduct {
					t.Errorf("Server = %q, want %q", got, tt.wantProduct)
				}
			}
			if served != 1 || rejected != 1 {
				t.Errorf("%d handshakes succeeded and %d failed, want one of each", served, rejected)
			}
		})
	}
}

func TestLoopbackTarget(t *testing.T) {
	tests := []struct {
		host string
		want string // empty: rejected
	}{
		{"127.0.0.1", "127.0.0.1"},
		{"127.1.2.3", "127.1.2.3"},
		{"localhost", "127.0.0.1"},
		{"LocalHost.", "127.0.0.1"},
		{"::ffff:127.0.0.1", "127.0.0.1"},
		{"::1", ""},
		{"10.0.0.1", ""},
		{"0.0.0.0", ""},
		{"128.0.0.1", ""},
		{"localhost.example", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			ip, ok := loopbackTarget(tt.host)
			if tt.want == "" {
				if ok {
					t.Errorf("loopbackTarget(%q) = %v, want rejected", tt.host, ip)
				}
				return
			}
			if !ok || ip.String() != tt.want {
				t.Errorf("loopbackTarget(%q) = %v, %v, want %s", tt.host, ip, ok, tt.want)
			}
		})
	}
}

// FuzzLoopbackTarget checks that no CONNECT host leads the proxies to an
// address outside 127.0.0.0/8.
func FuzzLoopbackTarget(f *testing.F) {
	for _, seed := range []string{"127.0.0.1", "localhost", "::1", "10.0.0.1", "::ffff:127.0.0.1", "127.000.000.001", "scim.example"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, host string) {
		ip, ok := loopbackTarget(host)
		if !ok {
			return
		}
		if ip.To4() == nil || ip.To4()[0] != 127 {
			t.Fatalf("loopbackTarget(%q) = %v, outside 127.0.0.0/8", host, ip)
		}
	})
}

func TestCipherSuiteEndpoint(t *testing.T) {
	l := startLab(t, "3des-only")
	e := mustEndpoint(t, l, "3des-only")

	t.Run("default client rejected", func(t *testing.T) {
		conn, err := handshake(e.Addr, clientConfig(l, tls.VersionTLS10, tls.VersionTLS13), testTimeout)
		if err == nil {
			conn.Close()
			t.Fatalf("default client negotiated %s", tls.CipherSuiteName(conn.ConnectionState().CipherSuite))
		}
		if !remoteAlert(err, "handshake failure") {
			t.Fatalf("handshake error %v, want remote alert handshake failure", err)
		}
	})

	t.Run("3DES client accepted", func(t *testing.T) {
		config := clientConfig(l, tls.VersionTLS12, tls.VersionTLS12)
		config.CipherSuites = []uint16{tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA}
		conn, err := handshake(e.Addr, config, testTimeout)
		if err != nil {
			t.Fatalf("handshake offering only 3DES: %v", err)
		}
		defer conn.Close()
		if got := conn.ConnectionState().CipherSuite; got != tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA {
			t.Errorf("negotiated %s, want TLS_RSA_WITH_3DES_EDE_CBC_SHA", tls.CipherSuiteName(got))
		}
		if _, ok := conn.ConnectionState().PeerCertificates[0].PublicKey.(*rsa.PublicKey); !ok {
			t.Errorf("leaf key is %T, want an RSA key", conn.ConnectionState().PeerCertificates[0].PublicKey)
		}
	})
}

func TestClientCertEndpoint(t *testing.T) {
	l := startLab(t, "client-cert-required")
	e := mustEndpoint(t, l, "client-cert-required")

	t.Run("TLS 1.2 without certificate", func(t *testing.T) {
		conn, err := handshake(e.Addr, clientConfig(l, tls.VersionTLS12, tls.VersionTLS12), testTimeout)
		if err == nil {
			conn.Close()
			t.Fatal("TLS 1.2 handshake without a client certificate succeeded")
		}
		if !remoteAlert(err, "handshake failure") {
			t.Fatalf("handshake error %v, want remote alert handshake failure", err)
		}
	})

	t.Run("TLS 1.3 without certificate", func(t *testing.T) {
		// In TLS 1.3 the client finishes its handshake before the server
		// checks the client's Certificate, so the alert comes on the first
		// read.
		var acceptable []string
		config := clientConfig(l, tls.VersionTLS13, tls.VersionTLS13)
		config.GetClientCertificate = func(info *tls.CertificateRequestInfo) (*tls.Certificate, error) {
			for _, der := range info.AcceptableCAs {
				var name pkix.RDNSequence
				if _, err := asn1.Unmarshal(der, &name); err == nil {
					var n pkix.Name
					n.FillFromRDNSequence(&name)
					acceptable = append(acceptable, n.CommonName)
				}
			}
			return &tls.Certificate{}, nil
		}
		conn, err := handshake(e.Addr, config, testTimeout)
		if err != nil {
			t.Fatalf("TLS 1.3 handshake: %v", err)
		}
		defer conn.Close()
		if len(acceptable) != 1 || acceptable[0] != rootCommonName {
			t.Errorf("CertificateRequest names %v, want [%s]", acceptable, rootCommonName)
		}
		conn.SetDeadline(time.Now().Add(testTimeout))
		_, err = conn.Read(make([]byte, 1))
		if !remoteAlert(err, "certificate required") {
			t.Fatalf("first read error %v, want remote alert certificate required", err)
		}
	})

	t.Run("any certificate accepted", func(t *testing.T) {
		config := clientConfig(l, tls.VersionTLS12, tls.VersionTLS13)
		// Certificates would be skipped, because crypto/tls sends only a
		// certificate issued by a CA the CertificateRequest names.
		cert := selfSignedClientCert(t)
		config.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return &cert, nil
		}
		conn, err := handshake(e.Addr, config, testTimeout)
		if err != nil {
			t.Fatalf("handshake with a client certificate: %v", err)
		}
		defer conn.Close()
		resp, body := getServiceProviderConfig(t, conn, "Bearer "+BearerToken)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %s, want 200; body %s", resp.Status, body)
		}
	})
}

func TestCertificateEndpoints(t *testing.T) {
	l := startLab(t, "good", "expired", "self-signed", "wrong-host", "missing-intermediate")

	tests := []struct {
		endpoint  string
		wantCerts int
		check     func(err error) bool
		want      string
	}{
		{"good", 2, func(err error) bool { return err == nil }, "no error"},
		{"expired", 2, func(err error) bool {
			var invalid x509.CertificateInvalidError
			return errors.As(err, &invalid) && invalid.Reason == x509.Expired
		}, "x509.CertificateInvalidError with reason Expired"},
		{"self-signed", 1, func(err error) bool {
			var unknown x509.UnknownAuthorityError
			return errors.As(err, &unknown)
		}, "x509.UnknownAuthorityError"},
		{"wrong-host", 2, func(err error) bool {
			var hostErr x509.HostnameError
			return errors.As(err, &hostErr)
		}, "x509.HostnameError"},
		{"missing-intermediate", 1, func(err error) bool {
			var unknown x509.UnknownAuthorityError
			return errors.As(err, &unknown)
		}, "x509.UnknownAuthorityError"},
	}
	for _, tt := range tests {
		t.Run(tt.endpoint, func(t *testing.T) {
			e := mustEndpoint(t, l, tt.endpoint)

			// Fetch the chain without verification, then verify it as a
			// client that trusts the lab CA.
			config := clientConfig(l, tls.VersionTLS12, tls.VersionTLS13)
			config.InsecureSkipVerify = true
			conn, err := handshake(e.Addr, config, testTimeout)
			if err != nil {
				t.Fatalf("handshake: %v", err)
			}
			certs := conn.ConnectionState().PeerCertificates
			conn.Close()
			if len(certs) != tt.wantCerts {
				t.Errorf("server sent %d certificates, want %d", len(certs), tt.wantCerts)
			}

			intermediates := x509.NewCertPool()
			for _, c := range certs[1:] {
				intermediates.AddCert(c)
			}
			_, err = certs[0].Verify(x509.VerifyOptions{
				DNSName:       labHost,
				Roots:         l.CertPool(),
				Intermediates: intermediates,
			})
			if !tt.check(err) {
				t.Errorf("Verify error %v, want %s", err, tt.want)
			}
		})
	}
}

func TestSNIRequiredEndpoint(t *testing.T) {
	l := startLab(t, "sni-required")
	e := mustEndpoint(t, l, "sni-required")

	// An empty ServerName makes crypto/tls send no server_name extension.
	config := &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}
	conn, err := handshake(e.Addr, config, testTimeout)
	if err == nil {
		conn.Close()
		t.Fatal("handshake without SNI succeeded")
	}
	if !remoteAlert(err, "unrecognized name") {
		t.Fatalf("handshake without SNI: error %v, want remote alert unrecognized name", err)
	}

	conn, err = handshake(e.Addr, clientConfig(l, tls.VersionTLS12, tls.VersionTLS13), testTimeout)
	if err != nil {
		t.Fatalf("handshake with SNI localhost: %v", err)
	}
	conn.Close()
}

func TestPlainHTTPEndpoint(t *testing.T) {
	l := startLab(t, "plain-http")
	e := mustEndpoint(t, l, "plain-http")

	_, err := handshake(e.Addr, clientConfig(l, tls.VersionTLS12, tls.VersionTLS13), testTimeout)
	var recordErr tls.RecordHeaderError
	if !errors.As(err, &recordErr) {
		t.Fatalf("TLS handshake error %v, want tls.RecordHeaderError", err)
	}
	if !strings.HasPrefix(string(recordErr.RecordHeader[:]), "HTTP/") {
		t.Errorf("first bytes %q, want an HTTP status line", recordErr.RecordHeader[:])
	}

	conn, err := net.DialTimeout("tcp", e.Addr, testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	resp, body := getServiceProviderConfig(t, conn, "Bearer "+BearerToken)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("plain HTTP status %s, want 200; body %s", resp.Status, body)
	}
}

func TestBlackholeEndpointTimesOut(t *testing.T) {
	l := startLab(t, "blackhole")
	e := mustEndpoint(t, l, "blackhole")

	begin := time.Now()
	_, err := handshake(e.Addr, clientConfig(l, tls.VersionTLS12, tls.VersionTLS13), 300*time.Millisecond)
	var netErr net.Error
	if !errors.As(err, &netErr) || !netErr.Timeout() {
		t.Fatalf("handshake error %v, want a timeout", err)
	}
	if elapsed := time.Since(begin); elapsed < 250*time.Millisecond {
		t.Errorf("handshake ended after %v, before the 300ms deadline", elapsed)
	}
}

func TestResetEndpoint(t *testing.T) {
	l := startLab(t, "reset")
	e := mustEndpoint(t, l, "reset")

	// The reset can arrive before Go's non-blocking connect reports
	// success, so the dial may fail with it as well as the first read.
	conn, err := net.DialTimeout("tcp", e.Addr, testTimeout)
	if err == nil {
		defer conn.Close()
		conn.SetDeadline(time.Now().Add(testTimeout))
		_, err = conn.Read(make([]byte, 1))
	}
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("dial and read error %v, want ECONNRESET", err)
	}

	_, err = handshake(e.Addr, clientConfig(l, tls.VersionTLS12, tls.VersionTLS13), testTimeout)
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("handshake error %v, want ECONNRESET", err)
	}
}

func TestCloseEndsGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()

	l, err := Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	// Leave connections open in every kind of server: a silent one in the
	// blackhole, a kept-alive HTTPS one, and a request through the proxy.
	silent, err := net.DialTimeout("tcp", mustEndpoint(t, l, "blackhole").Addr, testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	open, err := handshake(mustEndpoint(t, l, "good").Addr, clientConfig(l, tls.VersionTLS12, tls.VersionTLS13), testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close()
	proxied, err := handshake(mustEndpoint(t, l, "tls10-proxy").Addr, clientConfig(l, tls.VersionTLS10, tls.VersionTLS10), testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer proxied.Close()
	if resp, body := getServiceProviderConfig(t, proxied, "Bearer "+BearerToken); resp.StatusCode != http.StatusOK {
		t.Fatalf("proxy status %s; body %s", resp.Status, body)
	}

	// Leave relayed connections open as well: one through the pool, one
	// tunnel through each forward proxy, and one inspection tunnel to a
	// target that never answers.
	// The first connection to the pool goes to member A, which accepts TLS
	// 1.2 and 1.3.
	pooled, err := handshake(mustEndpoint(t, l, "mixed-pool").Addr, clientConfig(l, tls.VersionTLS12, tls.VersionTLS13), testTimeout)
	if err != nil {
		t.Fatalf("handshake through mixed-pool: %v", err)
	}
	defer pooled.Close()
	_, goodPort, _ := net.SplitHostPort(mustEndpoint(t, l, "good").Addr)
	for _, proxyName := range []string{"forward-proxy", "inspection-proxy"} {
		tunnel, resp := connectThrough(t, mustEndpoint(t, l, proxyName).Addr, "localhost:"+goodPort)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("CONNECT through %s: status %s", proxyName, resp.Status)
		}
		config := clientConfig(l, tls.VersionTLS12, tls.VersionTLS13)
		config.RootCAs.AppendCertsFromPEM(l.InspectionCACertPEM)
		tlsTunnel := tls.Client(tunnel, config)
		tlsTunnel.SetDeadline(time.Now().Add(testTimeout))
		if err := tlsTunnel.Handshake(); err != nil {
			t.Fatalf("handshake through %s: %v", proxyName, err)
		}
	}
	connectThrough(t, mustEndpoint(t, l, "forward-proxy").Addr, mustEndpoint(t, l, "blackhole").Addr)

	if err := l.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := l.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	// Connection goroutines of net/http end shortly after Close closes
	// their connections, so poll for a moment.
	deadline := time.Now().Add(2 * time.Second)
	after := runtime.NumGoroutine()
	for after > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		after = runtime.NumGoroutine()
	}
	if after > before {
		buf := make([]byte, 1<<20)
		n := runtime.Stack(buf, true)
		t.Fatalf("%d goroutines after Close, %d before Start; stacks:\n%s", after, before, buf[:n])
	}

	if _, err := os.Stat(l.CAFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("CA file %s still exists after Close (stat error %v)", l.CAFile, err)
	}
	var addrs []string
	for _, e := range append(l.Endpoints, l.Proxies...) {
		addrs = append(addrs, e.Addr)
		if e.Origin != "" {
			addrs = append(addrs, e.Origin)
		}
	}
	for _, addr := range addrs {
		if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			conn.Close()
			t.Errorf("%s still accepts connections after Close", addr)
		}
	}
}

func TestContextEndClosesLab(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	l, err := Start(ctx, "good", "blackhole")
	if err != nil {
		t.Fatal(err)
	}
	cancel()

	addr := mustEndpoint(t, l, "good").Addr
	deadline := time.Now().Add(2 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("lab still accepts connections 2s after its context ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := l.Close(); err != nil {
		t.Errorf("Close after context end: %v", err)
	}
}

func TestStartWithEndedContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	l, err := Start(ctx, "good")
	if err == nil {
		l.Close()
		t.Fatal("Start with an ended context returned no error")
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error %v, want context.Canceled", err)
	}
}

// syncBuffer is a bytes.Buffer safe for the lab's concurrent log writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestLoggerRecordsAcceptsAndErrors(t *testing.T) {
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	l, err := StartWithOptions(context.Background(), Options{Logger: logger}, "tls10-only", "reset")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	if _, err := handshake(mustEndpoint(t, l, "tls10-only").Addr, clientConfig(l, tls.VersionTLS12, tls.VersionTLS13), testTimeout); err == nil {
		t.Fatal("TLS 1.2 handshake with tls10-only succeeded")
	}
	if conn, err := net.DialTimeout("tcp", mustEndpoint(t, l, "reset").Addr, testTimeout); err == nil {
		conn.Close()
	}

	// The server logs after the client has seen the alert, so poll.
	wants := []string{
		"msg=\"accepted connection\" endpoint=tls10-only",
		"TLS handshake error",
		"msg=\"accepted connection\" endpoint=reset",
	}
	deadline := time.Now().Add(2 * time.Second)
	for _, want := range wants {
		for !strings.Contains(logs.String(), want) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q; log:\n%s", want, logs.String())
		}
	}
}
