package certcheck

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Limits of what Handshake reads after the handshake.
const (
	// maxResponseBody is how much of the response body Handshake keeps, in
	// bytes. A server's error page (nginx's "400 No required SSL certificate
	// was sent") fits.
	maxResponseBody = 4096
	// maxResponseHead bounds the status line and headers Handshake reads,
	// in bytes, so a server that streams endless bytes without a line end
	// costs bounded memory. It is the JDK's default limit on response
	// headers (jdk.http.maxHeaderSize in JDK 17 and later).
	maxResponseHead = 393216
	// alertReadWindow is how long Handshake waits for an alert after a
	// failed write of its request. A server that rejects the client after
	// the handshake often sends the alert and closes at once, so the write
	// fails while the alert is still unread.
	alertReadWindow = 500 * time.Millisecond
)

// HandshakeOptions sets the client side of Handshake. The zero value offers
// TLS 1.0 to 1.3 with Go's default cipher suites and requests "/".
type HandshakeOptions struct {
	// MinVersion and MaxVersion bound the offered versions. 0 means TLS 1.0
	// and TLS 1.3.
	MinVersion, MaxVersion uint16
	// CipherSuites lists the TLS 1.0-1.2 suites to offer. Nil offers Go's
	// defaults.
	CipherSuites []uint16
	// Path is the request target of the GET request. Empty means "/".
	Path string
	// Host is the Host header. Empty means the server name, or the host of
	// addr when there is none, with the port unless it is 443.
	Host string
	// Authorization is sent as the Authorization header when not empty,
	// such as "Bearer TOKEN".
	Authorization string
	// Timeout bounds the whole exchange. 0 or less means DefaultTimeout.
	Timeout time.Duration
}

// HTTPResponse is the part of an HTTP response Handshake keeps.
type HTTPResponse struct {
	// StatusLine is the status line, such as "HTTP/1.1 400 Bad Request".
	StatusLine string      `json:"status_line"`
	StatusCode int         `json:"status_code"`
	Header     http.Header `json:"header"`
	// Body holds up to the first 4096 bytes of the body.
	Body string `json:"body,omitempty"`
	// BodyTruncated reports a body longer than what Body holds.
	BodyTruncated bool `json:"body_truncated,omitempty"`
}

// HandshakeResult is the record of one Handshake: the handshake, the
// server's request for a client certificate and the HTTP exchange.
type HandshakeResult struct {
	Addr       string `json:"addr"`
	ServerName string `json:"server_name,omitempty"`

	// Handshake ends in OutcomeCompleted when the TLS handshake finished.
	Handshake Step `json:"handshake"`
	// Version, CipherSuite and Chain are set when the handshake finished.
	Version     uint16 `json:"version,omitempty"`
	CipherSuite uint16 `json:"cipher_suite,omitempty"`
	Chain       *Chain `json:"chain,omitempty"`

	// CertificateRequested reports a CertificateRequest from the server. The
	// client sent an empty Certificate message in reply.
	CertificateRequested bool `json:"certificate_requested"`
	// AcceptableCAs lists the CA names of the CertificateRequest, in
	// RFC 2253 form.
	AcceptableCAs []string `json:"acceptable_cas,omitempty"`

	// After is the end of the exchange after the handshake: an HTTP
	// response, an alert (certificate_required in TLS 1.3), a close, a
	// reset or a timeout. Its Outcome is empty when the handshake failed.
	After    Step          `json:"after"`
	Response *HTTPResponse `json:"response,omitempty"`

	// Elapsed is the time from the start of the dial to the end.
	Elapsed time.Duration `json:"elapsed_ns"`
}

// Handshake connects to addr as a client that has no client certificate,
// completes a TLS handshake that accepts any server certificate, and sends
// "GET path HTTP/1.1". It records whether the server requested a client
// certificate and what came after the handshake, which differs by server.
// With a required client certificate, crypto/tls and OpenSSL 3.0 servers
// send the alert certificate_required after a TLS 1.3 handshake and fail a
// TLS 1.2 handshake with handshake_failure, while nginx 1.22 completes the
// handshake and returns HTTP 400. serverName is sent as SNI unless empty.
// Handshake never returns nil, and every failure is a Step of the result.
func Handshake(ctx context.Context, addr, serverName string, opts HandshakeOptions) *HandshakeResult {
	begin := time.Now()
	result := &HandshakeResult{Addr: addr, ServerName: serverName}
	defer func() { result.Elapsed = time.Since(begin) }()

	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	raw, err := dialContext(ctx, "tcp", addr)
	if err != nil {
		result.Handshake = classify(err)
		if result.Handshake.Outcome != OutcomeTimeout && result.Handshake.Outcome != OutcomeReset {
			result.Handshake.Outcome = OutcomeConnectFailed
		}
		return result
	}
	defer raw.Close()
	deadline, _ := ctx.Deadline()
	raw.SetDeadline(deadline)
	// A canceled ctx unblocks any read or write in progress.
	stopWatch := context.AfterFunc(ctx, func() { raw.SetDeadline(time.Now()) })
	defer stopWatch()

	conn := tls.Client(raw, result.clientConfig(serverName, opts))
	if err := conn.Handshake(); err != nil {
		result.Handshake = classify(err)
		return result
	}
	state := conn.ConnectionState()
	result.Handshake = Step{Outcome: OutcomeCompleted}
	result.Version = state.Version
	result.CipherSuite = state.CipherSuite
	result.Chain = &Chain{
		Certificates: state.PeerCertificates,
		Source:       SourceHandshake,
		Version:      state.Version,
		CipherSuite:  state.CipherSuite,
	}

	result.After, result.Response = exchangeRequest(conn, newRequest(addr, serverName, opts))
	return result
}

// clientConfig returns the config of a client that accepts any server
// certificate and records a CertificateRequest in result.
func (result *HandshakeResult) clientConfig(serverName string, opts HandshakeOptions) *tls.Config {
	minVersion, maxVersion := opts.MinVersion, opts.MaxVersion
	if minVersion == 0 {
		minVersion = tls.VersionTLS10
	}
	if maxVersion == 0 {
		maxVersion = tls.VersionTLS13
	}
	return &tls.Config{
		// The chain is judged by Verify, per client.
		InsecureSkipVerify: true,
		ServerName:         serverName,
		MinVersion:         minVersion,
		MaxVersion:         maxVersion,
		CipherSuites:       opts.CipherSuites,
		NextProtos:         []string{"http/1.1"},
		// crypto/tls calls this only when a CertificateRequest came. An
		// empty certificate makes the client send an empty Certificate
		// message, as a client without a certificate does.
		GetClientCertificate: func(info *tls.CertificateRequestInfo) (*tls.Certificate, error) {
			result.CertificateRequested = true
			result.AcceptableCAs = caNames(info.AcceptableCAs)
			return &tls.Certificate{}, nil
		},
	}
}

func newRequest(addr, serverName string, opts HandshakeOptions) *http.Request {
	host := opts.Host
	if host == "" {
		addrHost, port, err := net.SplitHostPort(addr)
		if err != nil {
			addrHost, port = addr, ""
		}
		host = serverName
		if host == "" {
			host = addrHost
		}
		if port != "" && port != "443" {
			host = net.JoinHostPort(host, port)
		}
	}
	path := opts.Path
	if path == "" {
		path = "/"
	}

	req := &http.Request{
		Method: http.MethodGet,
		// Opaque sends path as given, query included, without escaping.
		URL:        &url.URL{Opaque: path},
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     make(http.Header),
		Host:       host,
		Close:      true,
	}
	req.Header.Set("User-Agent", "scimdoctor")
	req.Header.Set("Accept", "application/scim+json, application/json")
	if opts.Authorization != "" {
		req.Header.Set("Authorization", opts.Authorization)
	}
	return req
}

// exchangeRequest writes req on conn and reads the response.
func exchangeRequest(conn *tls.Conn, req *http.Request) (Step, *HTTPResponse) {
	if err := req.Write(conn); err != nil {
		// The server may have sent an alert and closed before the
		// request went out. The alert is still in the receive buffer.
		conn.SetReadDeadline(time.Now().Add(alertReadWindow))
		if _, readErr := conn.Read(make([]byte, 1)); readErr != nil {
			if step := classify(readErr); step.Outcome == OutcomeAlert {
				return step, nil
			}
		}
		return classify(err), nil
	}

	// The limit covers the head and the part of the body that is kept.
	limited := &io.LimitedReader{R: conn, N: maxResponseHead + maxResponseBody + 1}
	resp, err := http.ReadResponse(bufio.NewReader(limited), req)
	if err != nil && limited.N <= 0 {
		return Step{Outcome: OutcomeNotHTTP, Error: fmt.Sprintf("the response head did not end within %d bytes; an HTTP server ends it with an empty line", maxResponseHead)}, nil
	}
	if err != nil {
		step := classify(err)
		if step.Outcome == OutcomeError {
			step.Outcome = OutcomeNotHTTP
		}
		return step, nil
	}
	defer resp.Body.Close()

	body, readErr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	response := &HTTPResponse{
		StatusLine: fmt.Sprintf("%s %s", resp.Proto, resp.Status),
		StatusCode: resp.StatusCode,
		Header:     resp.Header,
		Body:       string(body),
	}
	if len(body) > maxResponseBody {
		response.Body = string(body[:maxResponseBody])
		response.BodyTruncated = true
	}
	step := Step{Outcome: OutcomeHTTPResponse}
	if readErr != nil {
		step.Error = fmt.Sprintf("read response body: %v", readErr)
	}
	return step, response
}

// caNames converts the DER distinguished names of a CertificateRequest to
// RFC 2253 strings. A name that does not parse is shown with its size, so
// the list keeps its length.
func caNames(der [][]byte) []string {
	names := make([]string, 0, len(der))
	for _, d := range der {
		var sequence pkix.RDNSequence
		rest, err := asn1.Unmarshal(d, &sequence)
		if err != nil || len(rest) > 0 {
			names = append(names, fmt.Sprintf("unparsable distinguished name (%d bytes)", len(d)))
			continue
		}
		var name pkix.Name
		name.FillFromRDNSequence(&sequence)
		names = append(names, name.String())
	}
	return names
}
