package certcheck

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// caServer is an HTTP server on 127.0.0.1 that plays a CA's caIssuers
// host. Tests register one handler per path and read the User-Agent of
// every request.
type caServer struct {
	*httptest.Server
	mu         sync.Mutex
	handlers   map[string]http.HandlerFunc
	userAgents []string
	requests   int
}

func startCAServer(t *testing.T) *caServer {
	t.Helper()
	s := &caServer{handlers: map[string]http.HandlerFunc{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.userAgents = append(s.userAgents, r.UserAgent())
		s.requests++
		h := s.handlers[r.URL.Path]
		s.mu.Unlock()
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// handle registers h at path and returns the http:// URL of path.
func (s *caServer) handle(path string, h http.HandlerFunc) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[path] = h
	return s.URL + path
}

// serve registers a 200 response with body at path and returns its URL.
func (s *caServer) serve(path, contentType string, body []byte) string {
	return s.handle(path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Write(body)
	})
}

func (s *caServer) requestCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// leafWithAIA issues a localhost leaf under issuer that names urls as its
// caIssuers URLs.
func leafWithAIA(t *testing.T, issuer *testCert, urls ...string) *testCert {
	t.Helper()
	return issueCert(t, issuer, certOptions{
		commonName: "localhost",
		dnsNames:   []string{"localhost"},
		issuerURLs: urls,
	})
}

func pemCert(cert *x509.Certificate) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
}

// opensslPKCS7 runs `openssl crl2pkcs7 -nocrl` on certs and returns its
// output in outform (DER or PEM).
func opensslPKCS7(t *testing.T, outform string, certs ...*x509.Certificate) []byte {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl is not installed; install Debian's openssl package")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "certs.pem")
	var buf bytes.Buffer
	for _, c := range certs {
		buf.Write(pemCert(c))
	}
	if err := os.WriteFile(in, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "certs.p7c")
	cmd := exec.Command("openssl", "crl2pkcs7", "-nocrl", "-certfile", in, "-outform", outform, "-out", out)
	if output, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl crl2pkcs7: %v: %s", err, output)
	}
	p7, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return p7
}

// pkcs7Spec describes a ContentInfo for buildPKCS7. The zero value with
// certificates is a valid certs-only SignedData.
type pkcs7Spec struct {
	contentType asn1.ObjectIdentifier // defaults to signedData
	omitCerts   bool
	// certElements are DER elements written into the certificates field,
	// after the certificates.
	certElements [][]byte
	withCRLs     bool
	trailing     []byte
}

var oidData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}

// buildPKCS7 encodes a certs-only SignedData (RFC 5652, Section 5.1) with
// cryptobyte, independently of the parser.
func buildPKCS7(spec pkcs7Spec, certs ...*x509.Certificate) []byte {
	contentType := spec.contentType
	if contentType == nil {
		contentType = oidSignedData
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1ObjectIdentifier(contentType)
		b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1Int64(1)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {})
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
					b.AddASN1ObjectIdentifier(oidData)
				})
				if !spec.omitCerts {
					b.AddASN1(cbasn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
						for _, c := range certs {
							b.AddBytes(c.Raw)
						}
						for _, e := range spec.certElements {
							b.AddBytes(e)
						}
					})
				}
				if spec.withCRLs {
					b.AddASN1(cbasn1.Tag(1).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {})
				}
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {})
			})
		})
	})
	return append(b.BytesOrPanic(), spec.trailing...)
}

func fetchWith(t *testing.T, chain *Chain, opts AIAOptions) *AIAResult {
	t.Helper()
	if opts.Timeout == 0 {
		opts.Timeout = 5 * time.Second
	}
	result, err := FetchIssuers(context.Background(), chain, opts)
	if err != nil {
		t.Fatalf("FetchIssuers: %v", err)
	}
	return result
}

func TestFetchIssuersFormats(t *testing.T) {
	h := newHierarchy(t)
	server := startCAServer(t)
	intermediate := h.intermediate.cert

	tests := []struct {
		name        string
		contentType string
		body        []byte
		wantFormat  string
	}{
		{"DER certificate", "application/pkix-cert", intermediate.Raw, AIAFormatDER},
		{"PEM certificate", "application/x-pem-file", pemCert(intermediate), AIAFormatPEM},
		{"PEM certificate after text", "text/plain", append([]byte("intermediate CA\n"), pemCert(intermediate)...), AIAFormatPEM},
		{"PEM root then intermediate", "application/x-pem-file", append(pemCert(h.root.cert), pemCert(intermediate)...), AIAFormatPEM},
		{"PKCS#7 from openssl DER", "application/pkcs7-mime", opensslPKCS7(t, "DER", intermediate), AIAFormatPKCS7},
		{"PKCS#7 from openssl PEM", "application/x-pkcs7-certificates", opensslPKCS7(t, "PEM", h.root.cert, intermediate), AIAFormatPEMPKCS7},
		{"PKCS#7 built with cryptobyte", "application/octet-stream", buildPKCS7(pkcs7Spec{}, h.root.cert, intermediate), AIAFormatPKCS7},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := server.serve(fmt.Sprintf("/format%d", i), tt.contentType, tt.body)
			leaf := leafWithAIA(t, h.intermediate, url)

			result := fetchWith(t, chainOf(leaf), AIAOptions{Roots: h.roots()})
			if len(result.Fetches) != 1 {
				t.Fatalf("fetches %+v, want one", result.Fetches)
			}
			f := result.Fetches[0]
			if f.Outcome != AIAIssuerFound {
				t.Fatalf("outcome %s (%s), want %s", f.Outcome, f.Error, AIAIssuerFound)
			}
			if f.Format != tt.wantFormat {
				t.Errorf("format %q, want %q", f.Format, tt.wantFormat)
			}
			if !f.Issuer.Equal(intermediate) {
				t.Errorf("issuer %s, want %s", f.Issuer.Subject, intermediate.Subject)
			}
			if f.StatusCode != http.StatusOK || f.ContentType != tt.contentType {
				t.Errorf("status %d content type %q, want 200 and %q", f.StatusCode, f.ContentType, tt.contentType)
			}
			if f.Hop != 1 || f.URL != url || f.ChildSubject != leaf.cert.Subject.String() {
				t.Errorf("hop %d URL %q child %q, want 1, %q, %q", f.Hop, f.URL, f.ChildSubject, url, leaf.cert.Subject)
			}
			if issuers := result.Issuers(); len(issuers) != 1 || !issuers[0].Equal(intermediate) {
				t.Errorf("Issuers() returned %d certificates, want the intermediate", len(issuers))
			}
		})
	}

	server.mu.Lock()
	defer server.mu.Unlock()
	for _, ua := range server.userAgents {
		if ua != AIAUserAgent {
			t.Errorf("User-Agent %q, want %q", ua, AIAUserAgent)
		}
	}
}

// silentListener accepts TCP connections on 127.0.0.1 and never writes.
func silentListener(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	var mu sync.Mutex
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

func TestFetchIssuersFailures(t *testing.T) {
	h := newHierarchy(t)
	server := startCAServer(t)
	silent := silentListener(t)

	// A certificate with the intermediate's name but another key.
	impostor := issueCert(t, h.root, certOptions{commonName: "certcheck test intermediate", isCA: true})
	oversized := make([]byte, MaxAIABodyBytes+1)

	tests := []struct {
		name        string
		url         string
		timeout     time.Duration
		wantOutcome AIAOutcome
		wantStatus  int
		wantError   string
	}{
		{
			name:        "HTTP 404",
			url:         server.URL + "/missing.crt",
			wantOutcome: AIAFailed,
			wantStatus:  http.StatusNotFound,
			wantError:   "returned HTTP 404 Not Found, want 200",
		},
		{
			name: "body over limit without Content-Length",
			url: server.handle("/chunked", func(w http.ResponseWriter, r *http.Request) {
				w.Write(oversized[:1024])
				w.(http.Flusher).Flush()
				w.Write(oversized[1024:])
			}),
			wantOutcome: AIAFailed,
			wantStatus:  http.StatusOK,
			wantError:   "the body exceeds the 1048576-byte limit",
		},
		{
			name: "Content-Length over limit",
			url: server.handle("/large", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", fmt.Sprint(len(oversized)))
				w.Write(oversized)
			}),
			wantOutcome: AIAFailed,
			wantStatus:  http.StatusOK,
			wantError:   "Content-Length 1048577 exceeds the 1048576-byte limit",
		},
		{
			name: "redirect loop",
			url: server.handle("/loop", func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "/loop", http.StatusFound)
			}),
			wantOutcome: AIAFailed,
			wantError:   "stopped after 3 redirects",
		},
		{
			name: "redirect to https",
			url: server.handle("/to-https", func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "https://127.0.0.1:1/intermediate.crt", http.StatusMovedPermanently)
			}),
			wantOutcome: AIAFailed,
			wantError:   "redirect to https://127.0.0.1:1/intermediate.crt not followed",
		},
		{
			name:        "HTML page",
			url:         server.serve("/login", "text/html; charset=utf-8", []byte("<!DOCTYPE html><html><body>Sign in</body></html>")),
			wantOutcome: AIAFailed,
			wantStatus:  http.StatusOK,
			wantError:   "is an HTML page",
		},
		{
			name:        "empty body",
			url:         server.serve("/empty", "application/pkix-cert", nil),
			wantOutcome: AIAFailed,
			wantError:   "the response body is empty",
		},
		{
			name:        "unknown bytes",
			url:         server.serve("/garbage", "application/octet-stream", []byte{0x01, 0x02, 0x03}),
			wantOutcome: AIAFailed,
			wantError:   "starting 010203) is neither a DER or PEM certificate nor a PKCS#7 bundle",
		},
		{
			name:        "truncated DER certificate",
			url:         server.serve("/truncated.crt", "application/pkix-cert", h.intermediate.cert.Raw[:100]),
			wantOutcome: AIAFailed,
			wantError:   "not a valid DER certificate",
		},
		{
			name:        "truncated PKCS#7",
			url:         server.serve("/truncated.p7c", "application/pkcs7-mime", buildPKCS7(pkcs7Spec{}, h.intermediate.cert)[:200]),
			wantOutcome: AIAFailed,
			wantError:   "not a valid PKCS#7 certs-only bundle: pkcs7:",
		},
		{
			name:        "PEM without certificate",
			url:         server.serve("/key.pem", "application/x-pem-file", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: []byte{1}})),
			wantOutcome: AIAFailed,
			wantError:   "contains no CERTIFICATE or PKCS7 block",
		},
		{
			name:        "certificate with the right name and another key",
			url:         server.serve("/impostor.crt", "application/pkix-cert", impostor.cert.Raw),
			wantOutcome: AIANotIssuer,
			wantStatus:  http.StatusOK,
			wantError:   "which did not issue CN=localhost",
		},
		{
			name:        "https URL",
			url:         "https://127.0.0.1:1/intermediate.crt",
			wantOutcome: AIASkipped,
			wantError:   "https URLs are not fetched",
		},
		{
			name:        "ldap URL",
			url:         "ldap://127.0.0.1/CN=certcheck%20test%20intermediate?cACertificate",
			wantOutcome: AIASkipped,
			wantError:   "SChannel (Windows, .NET) fetches them",
		},
		{
			name:        "server never answers",
			url:         "http://" + silent + "/intermediate.crt",
			timeout:     200 * time.Millisecond,
			wantOutcome: AIAFailed,
			wantError:   "timed out after 200ms",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			leaf := leafWithAIA(t, h.intermediate, tt.url)
			result := fetchWith(t, chainOf(leaf), AIAOptions{Roots: h.roots(), Timeout: tt.timeout})
			if len(result.Fetches) != 1 {
				t.Fatalf("fetches %+v, want one", result.Fetches)
			}
			f := result.Fetches[0]
			if f.Outcome != tt.wantOutcome {
				t.Errorf("outcome %s, want %s", f.Outcome, tt.wantOutcome)
			}
			if tt.wantStatus != 0 && f.StatusCode != tt.wantStatus {
				t.Errorf("status %d, want %d", f.StatusCode, tt.wantStatus)
			}
			if !strings.Contains(f.Error, tt.wantError) {
				t.Errorf("error %q does not contain %q", f.Error, tt.wantError)
			}
			if n := len(result.Issuers()); n != 0 {
				t.Errorf("%d issuers found, want none", n)
			}
		})
	}
}

func TestFetchIssuersRedirectLimit(t *testing.T) {
	h := newHierarchy(t)
	server := startCAServer(t)
	target := server.serve("/intermediate.crt", "application/pkix-cert", h.intermediate.cert.Raw)

	// redirects returns the URL of a path that redirects n times before
	// it reaches the certificate.
	redirects := func(n int) string {
		next := target
		for i := range n {
			to := next
			next = server.handle(fmt.Sprintf("/hop-%d-of-%d", i, n), func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, to, http.StatusFound)
			})
		}
		return next
	}

	tests := []struct {
		name        string
		redirects   int
		wantOutcome AIAOutcome
	}{
		{"no redirect", 0, AIAIssuerFound},
		{"redirects at limit", MaxAIARedirects, AIAIssuerFound},
		{"redirects over limit", MaxAIARedirects + 1, AIAFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			leaf := leafWithAIA(t, h.intermediate, redirects(tt.redirects))
			result := fetchWith(t, chainOf(leaf), AIAOptions{Roots: h.roots()})
			if len(result.Fetches) != 1 {
				t.Fatalf("fetches %+v, want one", result.Fetches)
			}
			if got := result.Fetches[0].Outcome; got != tt.wantOutcome {
				t.Errorf("outcome %s (%s), want %s", got, result.Fetches[0].Error, tt.wantOutcome)
			}
		})
	}
}

func TestFetchIssuersBodyLimit(t *testing.T) {
	h := newHierarchy(t)
	server := startCAServer(t)
	certPEM := pemCert(h.intermediate.cert)

	// padded returns certPEM after newlines, n bytes in all.
	padded := func(n int) []byte {
		return append(bytes.Repeat([]byte("\n"), n-len(certPEM)), certPEM...)
	}
	tests := []struct {
		name        string
		size        int
		wantOutcome AIAOutcome
	}{
		{"body at limit", MaxAIABodyBytes, AIAIssuerFound},
		{"body one byte over limit", MaxAIABodyBytes + 1, AIAFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := server.serve(fmt.Sprintf("/padded-%d.pem", tt.size), "application/x-pem-file", padded(tt.size))
			leaf := leafWithAIA(t, h.intermediate, url)
			result := fetchWith(t, chainOf(leaf), AIAOptions{Roots: h.roots()})
			if len(result.Fetches) != 1 {
				t.Fatalf("fetches %+v, want one", result.Fetches)
			}
			if got := result.Fetches[0].Outcome; got != tt.wantOutcome {
				t.Errorf("outcome %s (%s), want %s", got, result.Fetches[0].Error, tt.wantOutcome)
			}
		})
	}
}

func TestFetchIssuersFollowsHops(t *testing.T) {
	server := startCAServer(t)
	root := issueCert(t, nil, certOptions{commonName: "hops root", isCA: true})
	rootURL := server.serve("/root.crt", "application/pkix-cert", root.cert.Raw)

	// A line of five intermediates below the root, each naming the URL of
	// its issuer.
	issuer, issuerURL := root, rootURL
	var intermediates []*testCert
	for i := range 5 {
		c := issueCert(t, issuer, certOptions{commonName: fmt.Sprintf("hops intermediate %d", i+1), isCA: true, issuerURLs: []string{issuerURL}})
		intermediates = append(intermediates, c)
		issuer, issuerURL = c, server.serve(fmt.Sprintf("/intermediate-%d.crt", i+1), "application/pkix-cert", c.cert.Raw)
	}

	tests := []struct {
		name         string
		issuer       int // index in intermediates of the leaf's issuer
		roots        *x509.CertPool
		wantSubjects []string
	}{
		{
			name:         "stops at self-signed root",
			issuer:       1,
			wantSubjects: []string{"hops intermediate 2", "hops intermediate 1", "hops root"},
		},
		{
			name:         "stops below a trusted root",
			issuer:       1,
			roots:        poolOf(root),
			wantSubjects: []string{"hops intermediate 2", "hops intermediate 1"},
		},
		{
			name:         "stops at hop limit",
			issuer:       4,
			wantSubjects: []string{"hops intermediate 5", "hops intermediate 4", "hops intermediate 3", "hops intermediate 2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			leaf := leafWithAIA(t, intermediates[tt.issuer], fmt.Sprintf("%s/intermediate-%d.crt", server.URL, tt.issuer+1))
			result := fetchWith(t, chainOf(leaf), AIAOptions{Roots: tt.roots})
			var got []string
			for i, f := range result.Fetches {
				if f.Outcome != AIAIssuerFound {
					t.Fatalf("fetch %d of %s: outcome %s (%s), want %s", i, f.URL, f.Outcome, f.Error, AIAIssuerFound)
				}
				if f.Hop != i+1 {
					t.Errorf("fetch %d hop %d, want %d", i, f.Hop, i+1)
				}
				got = append(got, f.Issuer.Subject.CommonName)
			}
			if strings.Join(got, ", ") != strings.Join(tt.wantSubjects, ", ") {
				t.Errorf("fetched issuers %q, want %q", got, tt.wantSubjects)
			}
		})
	}
}

func TestFetchIssuersCompleteChainFetchesNothing(t *testing.T) {
	h := newHierarchy(t)
	server := startCAServer(t)
	url := server.serve("/intermediate.crt", "application/pkix-cert", h.intermediate.cert.Raw)
	leaf := leafWithAIA(t, h.intermediate, url)

	tests := []struct {
		name  string
		chain *Chain
	}{
		{"intermediate sent and root trusted", chainOf(leaf, h.intermediate)},
		{"self-signed leaf", chainOf(h.root)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			result := fetchWith(t, tt.chain, AIAOptions{Roots: h.roots()})
			if len(result.Fetches) != 0 {
				t.Errorf("fetches %+v, want none", result.Fetches)
			}
		})
	}
	if n := server.requestCount(); n != 0 {
		t.Errorf("the CA server got %d requests, want 0", n)
	}
}

func TestFetchIssuersInjectedClient(t *testing.T) {
	h := newHierarchy(t)
	server := startCAServer(t)
	server.serve("/intermediate.crt", "application/pkix-cert", h.intermediate.cert.Raw)
	leaf := leafWithAIA(t, h.intermediate, "http://ca.test/intermediate.crt")

	// The client dials the local server whatever the URL's host is.
	var dialed []string
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dialed = append(dialed, addr)
			var d net.Dialer
			return d.DialContext(ctx, network, server.Listener.Addr().String())
		},
	}}
	t.Cleanup(client.CloseIdleConnections)

	result := fetchWith(t, chainOf(leaf), AIAOptions{Client: client, Roots: h.roots()})
	if len(result.Fetches) != 1 || result.Fetches[0].Outcome != AIAIssuerFound {
		t.Fatalf("fetches %+v, want the issuer found", result.Fetches)
	}
	if len(dialed) != 1 || dialed[0] != "ca.test:80" {
		t.Errorf("the client dialed %q, want ca.test:80", dialed)
	}
	if client.CheckRedirect != nil {
		t.Errorf("FetchIssuers changed the CheckRedirect of the caller's client")
	}
}

func TestFetchIssuersTriesNextURL(t *testing.T) {
	h := newHierarchy(t)
	server := startCAServer(t)
	good := server.serve("/intermediate.crt", "application/pkix-cert", h.intermediate.cert.Raw)
	leaf := leafWithAIA(t, h.intermediate, "ldap://127.0.0.1/CN=intermediate", server.URL+"/gone.crt", good, server.URL+"/never-tried.crt")

	result := fetchWith(t, chainOf(leaf), AIAOptions{Roots: h.roots()})
	var outcomes []AIAOutcome
	for _, f := range result.Fetches {
		outcomes = append(outcomes, f.Outcome)
	}
	want := []AIAOutcome{AIASkipped, AIAFailed, AIAIssuerFound}
	if fmt.Sprint(outcomes) != fmt.Sprint(want) {
		t.Errorf("outcomes %v, want %v", outcomes, want)
	}
}

func TestFetchIssuersErrors(t *testing.T) {
	h := newHierarchy(t)
	server := startCAServer(t)
	leaf := leafWithAIA(t, h.intermediate, server.serve("/intermediate.crt", "application/pkix-cert", h.intermediate.cert.Raw))

	t.Run("empty chain", func(t *testing.T) {
		_, err := FetchIssuers(context.Background(), &Chain{}, AIAOptions{})
		if err == nil || !strings.Contains(err.Error(), "the chain contains no certificate") {
			t.Errorf("error %v, want one about the empty chain", err)
		}
	})
	t.Run("canceled context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		result, err := FetchIssuers(ctx, chainOf(leaf), AIAOptions{})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
		if result == nil || len(result.Fetches) != 1 || result.Fetches[0].Outcome != AIAFailed {
			t.Errorf("result %+v, want the one failed fetch", result)
		}
	})
}

func TestParsePKCS7CertificatesOpenSSL(t *testing.T) {
	h := newHierarchy(t)
	p7 := opensslPKCS7(t, "DER", h.leaf.cert, h.intermediate.cert, h.root.cert)
	certs, err := ParsePKCS7Certificates(p7)
	if err != nil {
		t.Fatalf("ParsePKCS7Certificates: %v", err)
	}
	want := []*x509.Certificate{h.leaf.cert, h.intermediate.cert, h.root.cert}
	if len(certs) != len(want) {
		t.Fatalf("got %d certificates, want %d", len(certs), len(want))
	}
	for i := range want {
		if !certs[i].Equal(want[i]) {
			t.Errorf("certificate %d is %s, want %s", i, certs[i].Subject, want[i].Subject)
		}
	}
}

func TestParsePKCS7Certificates(t *testing.T) {
	h := newHierarchy(t)
	cert := h.intermediate.cert
	valid := buildPKCS7(pkcs7Spec{}, cert)
	// attributeCert is an element tagged [2], the choice of a version 2
	// attribute certificate, which the parser skips.
	attributeCert := []byte{0xa2, 0x03, 0x02, 0x01, 0x00}
	indefinite := append([]byte{0x30, 0x80}, valid[2:]...)

	tests := []struct {
		name      string
		input     []byte
		wantCerts int
		wantField string
		wantError string
	}{
		{name: "one certificate", input: valid, wantCerts: 1},
		{name: "two certificates", input: buildPKCS7(pkcs7Spec{}, cert, h.root.cert), wantCerts: 2},
		{name: "with empty CRL set", input: buildPKCS7(pkcs7Spec{withCRLs: true}, cert), wantCerts: 1},
		{name: "attribute certificate skipped", input: buildPKCS7(pkcs7Spec{certElements: [][]byte{attributeCert}}, cert), wantCerts: 1},
		{name: "empty input", input: nil, wantField: "ContentInfo", wantError: "the input ends where a SEQUENCE is expected"},
		{name: "trailing byte", input: buildPKCS7(pkcs7Spec{trailing: []byte{0}}, cert), wantField: "ContentInfo", wantError: "1 bytes follow the ContentInfo"},
		{name: "BER indefinite length", input: indefinite, wantField: "ContentInfo", wantError: "BER indefinite length"},
		{name: "not a SEQUENCE", input: []byte{0x04, 0x00}, wantField: "ContentInfo", wantError: "found tag 0x04"},
		{name: "data content type", input: buildPKCS7(pkcs7Spec{contentType: oidData}, cert), wantField: "ContentInfo.contentType", wantError: "content type 1.2.840.113549.1.7.1 is not signedData"},
		{name: "no certificates field", input: buildPKCS7(pkcs7Spec{omitCerts: true}), wantField: "SignedData.certificates", wantError: "contains no certificates field"},
		{name: "empty certificates field", input: buildPKCS7(pkcs7Spec{}), wantField: "SignedData.certificates", wantError: "contains no X.509 certificate"},
		{name: "only an attribute certificate", input: buildPKCS7(pkcs7Spec{certElements: [][]byte{attributeCert}}), wantField: "SignedData.certificates", wantError: "contains no X.509 certificate"},
		{name: "invalid certificate", input: buildPKCS7(pkcs7Spec{certElements: [][]byte{{0x30, 0x03, 0x02, 0x01, 0x00}}}, cert), wantField: "SignedData.certificates[1]", wantError: "invalid certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			certs, err := ParsePKCS7Certificates(tt.input)
			if tt.wantError == "" {
				if err != nil {
					t.Fatalf("ParsePKCS7Certificates: %v", err)
				}
				if len(certs) != tt.wantCerts {
					t.Errorf("got %d certificates, want %d", len(certs), tt.wantCerts)
				}
				return
			}
			var perr *PKCS7Error
			if !errors.As(err, &perr) {
				t.Fatalf("error %v (%T), want a *PKCS7Error", err, err)
			}
			if certs != nil {
				t.Errorf("got %d certificates with the error, want nil", len(certs))
			}
			if perr.Field != tt.wantField {
				t.Errorf("field %q, want %q", perr.Field, tt.wantField)
			}
			if !strings.Contains(perr.Message, tt.wantError) {
				t.Errorf("message %q does not contain %q", perr.Message, tt.wantError)
			}
			if perr.Offset < 0 || perr.Offset > len(tt.input) {
				t.Errorf("offset %d outside the %d-byte input", perr.Offset, len(tt.input))
			}
		})
	}
}

// TestParsePKCS7CertificatesOffsets checks the offset of errors deep in
// the structure against the position where the bad element starts.
func TestParsePKCS7CertificatesOffsets(t *testing.T) {
	h := newHierarchy(t)
	cert := h.intermediate.cert
	bad := []byte{0x30, 0x03, 0x02, 0x01, 0x00}
	input := buildPKCS7(pkcs7Spec{certElements: [][]byte{bad}}, cert)

	_, err := ParsePKCS7Certificates(input)
	var perr *PKCS7Error
	if !errors.As(err, &perr) {
		t.Fatalf("error %v, want a *PKCS7Error", err)
	}
	// The bad element follows the certificate, and an empty signerInfos
	// SET of 2 bytes follows it, at the end of the input.
	want := len(input) - 2 - len(bad)
	if perr.Offset != want {
		t.Errorf("offset %d, want %d", perr.Offset, want)
	}
	if !bytes.HasPrefix(input[perr.Offset:], bad) {
		t.Errorf("the input at offset %d is %x, want the bad element %x", perr.Offset, input[perr.Offset:perr.Offset+len(bad)], bad)
	}
}

func TestParsePKCS7CertificatesPrefixes(t *testing.T) {
	h := newHierarchy(t)
	valid := buildPKCS7(pkcs7Spec{}, h.intermediate.cert)
	for n := range len(valid) {
		certs, err := ParsePKCS7Certificates(valid[:n])
		if err == nil {
			t.Fatalf("the %d-byte prefix of a %d-byte bundle parsed to %d certificates, want an error", n, len(valid), len(certs))
		}
		var perr *PKCS7Error
		if !errors.As(err, &perr) || perr.Offset < 0 || perr.Offset > n {
			t.Fatalf("the %d-byte prefix: error %v, want a *PKCS7Error inside the input", n, err)
		}
	}
}

// fuzzSeedCertificate returns a self-signed certificate made without a
// testing.T, for the fuzz seeds.
func fuzzSeedCertificate() (*x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "pkcs7 fuzz seed"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, key.Public(), key)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

func FuzzParsePKCS7Certificates(f *testing.F) {
	cert, err := fuzzSeedCertificate()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(buildPKCS7(pkcs7Spec{}, cert))
	f.Add(buildPKCS7(pkcs7Spec{}, cert, cert))
	f.Add(buildPKCS7(pkcs7Spec{withCRLs: true, certElements: [][]byte{{0xa2, 0x00}}}, cert))
	f.Add(buildPKCS7(pkcs7Spec{omitCerts: true}))
	f.Add(cert.Raw)
	f.Add([]byte{0x30, 0x80, 0x06, 0x00})

	f.Fuzz(func(t *testing.T, input []byte) {
		certs, err := ParsePKCS7Certificates(input)
		if err != nil {
			var perr *PKCS7Error
			if !errors.As(err, &perr) {
				t.Fatalf("error %v (%T), want a *PKCS7Error", err, err)
			}
			if perr.Offset < 0 || perr.Offset > len(input) {
				t.Fatalf("offset %d outside the %d-byte input", perr.Offset, len(input))
			}
			if certs != nil {
				t.Fatalf("got %d certificates with the error, want nil", len(certs))
			}
			return
		}
		if len(certs) == 0 {
			t.Fatal("no certificate and no error")
		}
		for i, c := range certs {
			if !bytes.Contains(input, c.Raw) {
				t.Fatalf("certificate %d is not a part of the input", i)
			}
		}
	})
}
