package conformance

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// MaxResponseBody is the largest response body read, in bytes. A SCIM
// response to any request this package sends is a few kilobytes; the cap
// keeps a hostile or broken server from exhausting memory.
const MaxResponseBody = 1 << 20

// exchange is one request and what came back, before redaction.
type exchange struct {
	method string
	url    string
	header http.Header
	body   []byte

	status    int
	respHdr   http.Header
	respBody  []byte
	truncated bool
	duration  time.Duration
}

// newHTTPClient returns a client that does not follow redirects: the
// verdicts judge the redirect itself.
//
// NOTE: neither Okta's nor Entra's documentation says whether their SCIM
// clients follow redirects. A 3xx is judged as a failure, because a SCIM
// client that replays a POST or PATCH across a redirect is not something an
// admin can rely on, and the fix (configure the final URL) is the same.
func newHTTPClient() *http.Client { return NewClient(nil) }

// NewClient returns the HTTP client Run uses by default: TLS 1.2 or newer
// (as both IdPs require), roots from the system store plus extraRoots
// (nil adds none), no proxy, redirects returned instead of followed.
func NewClient(extraRoots []*x509.Certificate) *http.Client {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = nil
	transport.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	if len(extraRoots) > 0 {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		for _, c := range extraRoots {
			pool.AddCert(c)
		}
		transport.TLSClientConfig.RootCAs = pool
	}
	transport.MaxResponseHeaderBytes = 64 << 10
	return &http.Client{
		Transport: transport,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// send performs one request with its own deadline and reads at most
// MaxResponseBody bytes of the response. The error is a transport failure
// (refused, reset, timed out, TLS); any HTTP status is a response.
func send(ctx context.Context, client *http.Client, timeout time.Duration, ex *exchange) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var body io.Reader
	if ex.body != nil {
		body = bytes.NewReader(ex.body)
	}
	req, err := http.NewRequestWithContext(ctx, ex.method, ex.url, body)
	if err != nil {
		return fmt.Errorf("building the request failed: %w", err)
	}
	// The query was encoded exactly as the IdP encodes it; keep it as is.
	if _, rawQuery, found := strings.Cut(ex.url, "?"); found {
		req.URL.RawQuery = rawQuery
	}
	req.Header = ex.header.Clone()
	if host := req.Header.Get("Host"); host != "" {
		req.Host = host
		req.Header.Del("Host")
	}

	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return describeTransportError(err, timeout)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBody+1))
	ex.duration = time.Since(start)
	ex.status = resp.StatusCode
	ex.respHdr = resp.Header
	if len(data) > MaxResponseBody {
		data = data[:MaxResponseBody]
		ex.truncated = true
	}
	ex.respBody = data
	if err != nil && !ex.truncated {
		return fmt.Errorf("reading the response body failed after %d bytes: %w", len(data), describeTransportError(err, timeout))
	}
	return nil
}

// describeTransportError names the failure class in words an admin can act on.
func describeTransportError(err error, timeout time.Duration) error {
	var netErr net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return fmt.Errorf("no response within --timeout %s: %w", timeout, err)
	}
	return err
}

// jsonBody decodes the response body as a JSON object; ok is false when the
// body is not one.
func (ex *exchange) jsonBody() (map[string]any, bool) {
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(ex.respBody))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, false
	}
	return m, true
}

func (ex *exchange) contentType() string { return ex.respHdr.Get("Content-Type") }
