package netpath

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"
)

// DefaultTimeout bounds one Dialer.DialContext call when Dialer.Timeout is
// zero: the TCP connection, the TLS handshake with an https:// proxy and
// the CONNECT exchange together.
const DefaultTimeout = 10 * time.Second

// Dialer opens TCP connections to a target, directly or through an HTTP
// CONNECT proxy. Its DialContext has the signature of net.Dialer's, so it
// fits tlsprobe.Prober.Dial and tls.Dialer-style hooks. A Dialer is safe
// for concurrent use when its fields are not changed.
type Dialer struct {
	// Proxy is the proxy to connect through, or nil to connect directly.
	Proxy *Proxy
	// Timeout bounds each DialContext call (default DefaultTimeout). A
	// deadline on the caller's context applies as well, whichever is
	// earlier.
	Timeout time.Duration
	// ProxyTLS configures the TLS connection to an https:// proxy. nil
	// means the system roots and the proxy URL's host as the server name.
	// A config without ServerName gets the proxy URL's host.
	ProxyTLS *tls.Config
}

// DialContext connects to addr ("host:port") over network ("tcp", "tcp4"
// or "tcp6"). Without a Proxy it dials addr directly and returns
// net.Dialer's error as is. With a Proxy it connects to the proxy, first
// with TLS for an https:// proxy URL, sends "CONNECT addr HTTP/1.1" with
// Proxy-Authorization Basic when the URL has user info, and returns the
// tunnel once the proxy responds with 2xx. Bytes the proxy sent after its header
// are returned by the tunnel's first reads. Every failure that concerns
// the proxy is a *ProxyError; the tunnel has no deadline set.
func (d *Dialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return nil, fmt.Errorf("netpath: unsupported network %q for %s; use tcp, tcp4 or tcp6", network, addr)
	}
	timeout := d.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	var nd net.Dialer
	if d.Proxy == nil {
		return nd.DialContext(ctx, network, addr)
	}
	if d.Proxy.URL == nil {
		return nil, fmt.Errorf("netpath: Dialer.Proxy has no URL; build it with ProxyFor")
	}
	conn, err := d.dialThroughProxy(ctx, network, addr)
	if err != nil && errors.Is(ctx.Err(), context.Canceled) {
		// The caller gave up; the proxy is not at fault.
		return nil, fmt.Errorf("netpath: dialing %s through proxy %s: %w", addr, d.Proxy, context.Canceled)
	}
	return conn, err
}

// dialThroughProxy opens the tunnel to addr through d.Proxy. ctx carries
// the dial's deadline.
func (d *Dialer) dialThroughProxy(ctx context.Context, network, addr string) (net.Conn, error) {
	start := time.Now()
	newError := func(kind ProxyErrorKind, detail string, err error) *ProxyError {
		return &ProxyError{Kind: kind, Proxy: d.Proxy.String(), Target: addr, Detail: detail, Err: err}
	}

	// Step 1: TCP to the proxy.
	var nd net.Dialer
	proxyAddr := d.Proxy.address()
	conn, err := nd.DialContext(ctx, network, proxyAddr)
	if err != nil {
		if isTimeout(ctx, err) {
			return nil, newError(ProxyTimeout, fmt.Sprintf("connecting to %s timed out after %s; check that the proxy is reachable from this host", proxyAddr, roundElapsed(start)), err)
		}
		return nil, newError(ProxyUnreachable, fmt.Sprintf("connecting to %s failed: %v; check the proxy's host and port", proxyAddr, err), err)
	}

	// Step 2: TLS to an https:// proxy. A plain HTTP proxy may wait for a
	// line end that the ClientHello does not contain, so the handshake gets
	// half of the remaining time and a plain CONNECT is tried after it.
	if d.Proxy.URL.Scheme == "https" {
		tlsConn, perr := d.handshakeWithProxy(ctx, conn, addr, start)
		if perr != nil {
			return nil, perr
		}
		conn = tlsConn
	}

	// Step 3: CONNECT and its response.
	resp, br, err := d.exchangeConnect(ctx, conn, addr)
	if err != nil {
		conn.Close()
		if d.Proxy.URL.Scheme == "http" && closedWithoutResponse(err) && d.speaksTLS(ctx) {
			return nil, &ProxyError{Kind: ProxyNotHTTP, Proxy: d.Proxy.String(), Target: addr, Err: err,
				Detail: fmt.Sprintf("the proxy closed the connection on CONNECT %s (%v), and the same port completes a TLS handshake, so it expects TLS; use https://%s for this proxy", addr, err, d.Proxy.URL.Host)}
		}
		return nil, d.connectFailure(ctx, addr, start, err)
	}
	if resp.Status < 200 || resp.Status > 299 {
		conn.Close()
		return nil, d.connectRejected(addr, resp)
	}
	if br.Buffered() > 0 {
		return &tunnelConn{Conn: conn, r: br}, nil
	}
	return conn, nil
}

// handshakeWithProxy runs the TLS handshake with an https:// proxy on conn
// and classifies its failure. It closes conn on failure.
func (d *Dialer) handshakeWithProxy(ctx context.Context, conn net.Conn, addr string, start time.Time) (*tls.Conn, *ProxyError) {
	config := &tls.Config{}
	if d.ProxyTLS != nil {
		config = d.ProxyTLS.Clone()
	}
	if config.ServerName == "" {
		config.ServerName = d.Proxy.URL.Hostname()
	}
	hsCtx := ctx
	if deadline, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		hsCtx, cancel = context.WithDeadline(ctx, time.Now().Add(time.Until(deadline)/2))
		defer cancel()
	}
	tlsConn := tls.Client(conn, config)
	err := tlsConn.HandshakeContext(hsCtx)
	if err == nil {
		return tlsConn, nil
	}
	conn.Close()

	proxyError := &ProxyError{Proxy: d.Proxy.String(), Target: addr, Err: err}
	plainHint := fmt.Sprintf("the proxy URL uses https:// but the proxy speaks plain HTTP, the case OpenSSL reports as WRONG_VERSION_NUMBER; use http://%s for this proxy", d.Proxy.URL.Host)

	var header tls.RecordHeaderError
	if errors.As(err, &header) {
		if string(header.RecordHeader[:]) == "HTTP/" {
			proxyError.Kind = ProxyPlainHTTP
			proxyError.Detail = plainHint + " (it responded to the ClientHello with an HTTP response)"
			return nil, proxyError
		}
		proxyError.Kind = ProxyTLSFailed
		proxyError.Detail = fmt.Sprintf("the proxy responded to the ClientHello with %s, which is not TLS; check that the URL points at the proxy's TLS port, or use http:// for a plain proxy port", quoteBytes(header.RecordHeader[:], 5))
		return nil, proxyError
	}

	// No response, or a close, can mean a plain HTTP proxy that is still
	// reading its request line or gave up on it. A plain CONNECT on a new
	// connection shows which.
	if isTimeout(hsCtx, err) || errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) {
		if resp := d.tryPlainConnect(ctx, addr); resp != nil {
			proxyError.Kind = ProxyPlainHTTP
			proxyError.Detail = fmt.Sprintf("%s (the TLS handshake %s, and the same port responded to a plain CONNECT with %q)", plainHint, describeHandshakeFailure(hsCtx, err, start), resp.statusLine())
			return nil, proxyError
		}
		if isTimeout(hsCtx, err) {
			proxyError.Kind = ProxyTimeout
			proxyError.Detail = fmt.Sprintf("the TLS handshake with the proxy timed out after %s; check that the URL points at the proxy's TLS port", roundElapsed(start))
			return nil, proxyError
		}
	}
	proxyError.Kind = ProxyTLSFailed
	proxyError.Detail = fmt.Sprintf("the TLS handshake with the proxy failed: %v; check the proxy's certificate and TLS settings, or use http:// if the proxy takes plain connections", err)
	return nil, proxyError
}

// describeHandshakeFailure words a handshake error for a message: a
// timeout as the time waited, anything else as quoted text.
func describeHandshakeFailure(ctx context.Context, err error, start time.Time) string {
	if isTimeout(ctx, err) {
		return fmt.Sprintf("got no response within %s", roundElapsed(start))
	}
	return fmt.Sprintf("failed with %q", err)
}

// tryPlainConnect sends a plain-text CONNECT to the proxy's port on a new
// connection and returns the response, or nil when no HTTP response came before
// ctx's deadline.
func (d *Dialer) tryPlainConnect(ctx context.Context, addr string) *connectResponse {
	var nd net.Dialer
	conn, err := nd.DialContext(ctx, "tcp", d.Proxy.address())
	if err != nil {
		return nil
	}
	defer conn.Close()
	resp, _, err := d.exchangeConnect(ctx, conn, addr)
	if err != nil {
		return nil
	}
	return resp
}

// closedWithoutResponse reports whether a CONNECT exchange ended with a close
// or reset before the proxy sent any byte.
func closedWithoutResponse(err error) bool {
	var responseErr *connectResponseError
	if errors.As(err, &responseErr) {
		return responseErr.Offset == 0 && responseErr.Err != nil
	}
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// speaksTLS reports whether the proxy's port completes a TLS handshake, or
// responds to it with a TLS alert, on a new connection. The certificate is not
// checked, because only the protocol matters here.
func (d *Dialer) speaksTLS(ctx context.Context) bool {
	var nd net.Dialer
	conn, err := nd.DialContext(ctx, "tcp", d.Proxy.address())
	if err != nil {
		return false
	}
	defer conn.Close()
	tlsConn := tls.Client(conn, &tls.Config{InsecureSkipVerify: true, ServerName: d.Proxy.URL.Hostname()})
	err = tlsConn.HandshakeContext(ctx)
	var alert tls.AlertError
	return err == nil || errors.As(err, &alert)
}

// exchangeConnect writes the CONNECT request for addr to conn and reads the
// response's header. conn's deadline follows ctx during the exchange and is
// cleared after it, and cancelling ctx interrupts it.
func (d *Dialer) exchangeConnect(ctx context.Context, conn net.Conn, addr string) (*connectResponse, *bufio.Reader, error) {
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer func() {
		if stop() {
			conn.SetDeadline(time.Time{})
		}
	}()

	request := fmt.Sprintf("CONNECT %s HTTP/1.1\r\nHost: %s\r\n", addr, addr)
	if user := d.Proxy.URL.User; user != nil {
		password, _ := user.Password()
		credentials := base64.StdEncoding.EncodeToString([]byte(user.Username() + ":" + password))
		request += "Proxy-Authorization: Basic " + credentials + "\r\n"
	}
	request += "\r\n"
	if _, err := io.WriteString(conn, request); err != nil {
		return nil, nil, err
	}

	br := bufio.NewReader(conn)
	resp, err := readConnectResponse(br)
	if err != nil {
		return nil, nil, err
	}
	return resp, br, nil
}

// connectFailure turns an error of the CONNECT exchange into a *ProxyError.
func (d *Dialer) connectFailure(ctx context.Context, addr string, start time.Time, err error) *ProxyError {
	proxyError := &ProxyError{Proxy: d.Proxy.String(), Target: addr, Err: err}
	var responseErr *connectResponseError
	switch {
	case errors.As(err, &responseErr) && responseErr.looksLikeTLS() && d.Proxy.URL.Scheme == "http":
		proxyError.Kind = ProxyNotHTTP
		proxyError.Detail = fmt.Sprintf("the proxy responded to CONNECT %s with TLS bytes (%s), so its port expects TLS; use https://%s for this proxy", addr, quoteBytes(responseErr.FirstBytes, 8), d.Proxy.URL.Host)
	case errors.As(err, &responseErr):
		proxyError.Kind = ProxyNotHTTP
		proxyError.Detail = fmt.Sprintf("the response to CONNECT %s is not HTTP: %v; check that the URL points at an HTTP proxy port", addr, responseErr)
	case isTimeout(ctx, err):
		proxyError.Kind = ProxyTimeout
		proxyError.Detail = fmt.Sprintf("the proxy did not respond to CONNECT %s within %s; check the proxy's logs for the request", addr, roundElapsed(start))
	default:
		proxyError.Kind = ProxyNotHTTP
		proxyError.Detail = fmt.Sprintf("the CONNECT %s exchange failed: %v; check the proxy's logs for the request", addr, err)
	}
	return proxyError
}

// connectRejected builds the error for a non-2xx response to CONNECT.
func (d *Dialer) connectRejected(addr string, resp *connectResponse) *ProxyError {
	proxyError := &ProxyError{Proxy: d.Proxy.String(), Target: addr, Status: resp.Status, StatusLine: resp.statusLine()}
	// A 401 to CONNECT can only come from the proxy, because no origin is
	// reached before the tunnel. tinyproxy 1.11 sends it for wrong
	// credentials, and 407 for missing ones.
	if resp.Status == 407 || resp.Status == 401 {
		proxyError.Kind = ProxyAuthRequired
		challenge := "no Proxy-Authenticate header"
		if len(resp.ProxyAuthenticate) > 0 {
			challenge = fmt.Sprintf("Proxy-Authenticate: %s", resp.ProxyAuthenticate[0])
		}
		if d.Proxy.URL.User == nil {
			proxyError.Detail = fmt.Sprintf("the proxy requires authentication for CONNECT %s (%q, %s); put the credentials in the proxy URL as http://USER:PASSWORD@%s", addr, resp.statusLine(), challenge, d.Proxy.URL.Host)
		} else {
			proxyError.Detail = fmt.Sprintf("the proxy rejected the Basic credentials of user %q for CONNECT %s (%q, %s); check the user and password in the proxy URL, and whether the proxy takes Basic authentication", d.Proxy.URL.User.Username(), addr, resp.statusLine(), challenge)
		}
		return proxyError
	}
	proxyError.Kind = ProxyRejectedConnect
	proxyError.Detail = fmt.Sprintf("the proxy rejected CONNECT %s with %q; ask the proxy's administrator to allow CONNECT to this host and port, or connect directly", addr, resp.statusLine())
	if resp.Server != "" {
		proxyError.Detail += fmt.Sprintf(" (proxy software: %q)", resp.Server)
	}
	return proxyError
}

// tunnelConn is a tunnel whose first bytes were read together with the
// proxy's header and wait in r.
type tunnelConn struct {
	net.Conn
	r *bufio.Reader
}

// Read returns the buffered bytes first, then reads the connection.
func (c *tunnelConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// isTimeout reports whether err is a deadline expiry, of the connection or
// of ctx.
func isTimeout(ctx context.Context, err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return errors.Is(ctx.Err(), context.DeadlineExceeded)
}

// roundElapsed returns the time since start, rounded for messages.
func roundElapsed(start time.Time) time.Duration {
	return time.Since(start).Round(100 * time.Millisecond)
}
