package lab

import (
	"bufio"
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Server and Proxy-Agent headers of the forward proxies.
const (
	forwardProxyProduct    = "scimdoctor-lab-forward-proxy/1.0"
	inspectionProxyProduct = "scimdoctor-lab-inspection-proxy/1.0"
)

// maxInspectionLeaves bounds the leaves the inspection proxy keeps, one per
// CONNECT host. Hosts past the limit get a fresh leaf on every connection.
const maxInspectionLeaves = 64

// forwardProxy is an HTTP proxy on 127.0.0.1 that serves CONNECT only, to
// targets in 127.0.0.0/8 or to localhost. Without inspection it relays the
// tunnel's bytes untouched. With inspection it terminates the client's TLS
// with a leaf that its own CA issues for the requested host, opens its own
// TLS connection to the target, verified against the lab root, and relays the
// plaintext between the two.
type forwardProxy struct {
	http      *httpServer
	authority *pki
	inspect   bool
	product   string
	logger    *slog.Logger
	tunnels   *connTracker

	leavesMu sync.Mutex
	leaves   map[string]*tls.Certificate
}

func newForwardProxy(authority *pki, inspect bool, logger *slog.Logger) *forwardProxy {
	p := &forwardProxy{
		authority: authority,
		inspect:   inspect,
		product:   forwardProxyProduct,
		logger:    logger,
		tunnels:   newConnTracker(),
		leaves:    make(map[string]*tls.Certificate),
	}
	if inspect {
		p.product = inspectionProxyProduct
	}
	p.http = newHTTPServer(p, nil, logger)
	return p
}

func (p *forwardProxy) start(ln net.Listener, wg *sync.WaitGroup) {
	p.http.start(ln, wg)
}

// close stops the HTTP server, which leaves hijacked tunnels open, then
// closes the tunnels and waits for their handlers.
func (p *forwardProxy) close() error {
	err := p.http.close()
	p.tunnels.closeAll()
	return err
}

func (p *forwardProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Server", p.product)
	if r.Method != http.MethodConnect {
		w.Header().Set("Allow", http.MethodConnect)
		p.fail(w, r, http.StatusMethodNotAllowed, fmt.Sprintf("method %s not allowed: this lab proxy serves only CONNECT to https:// targets", r.Method))
		return
	}

	// A CONNECT request names its target in authority form, host:port
	// (RFC 9110, Section 9.3.6), which net/http puts in r.Host.
	host, port, err := net.SplitHostPort(r.Host)
	if err != nil || port == "" {
		p.fail(w, r, http.StatusBadRequest, fmt.Sprintf("invalid CONNECT target %q: want host:port", r.Host))
		return
	}
	dialIP, ok := loopbackTarget(host)
	if !ok {
		p.fail(w, r, http.StatusForbidden, fmt.Sprintf("CONNECT target %q rejected: this lab proxy reaches only 127.0.0.0/8 and localhost", r.Host))
		return
	}

	if !p.tunnels.begin() {
		p.fail(w, r, http.StatusServiceUnavailable, "lab proxy is shutting down")
		return
	}
	defer p.tunnels.end()

	dialer := &net.Dialer{Timeout: backendDialTimeout}
	target, err := dialer.DialContext(r.Context(), "tcp4", net.JoinHostPort(dialIP.String(), port))
	if err != nil {
		p.fail(w, r, http.StatusBadGateway, fmt.Sprintf("connect to %s failed: %v", r.Host, err))
		return
	}
	if !p.tunnels.track(target) {
		p.fail(w, r, http.StatusServiceUnavailable, "lab proxy is shutting down")
		return
	}
	defer p.tunnels.release(target)

	conn, buffered, err := http.NewResponseController(w).Hijack()
	if err != nil {
		p.logger.Error("hijack CONNECT connection", "remote", r.RemoteAddr, "error", err)
		return
	}
	client := &bufferedConn{Conn: conn, reader: buffered.Reader}
	if !p.tunnels.track(client) {
		return
	}
	defer p.tunnels.release(client)

	// Clear the deadlines of the HTTP server, which bound the request, not
	// the tunnel. relay sets its own.
	conn.SetDeadline(time.Time{})
	established := "HTTP/1.1 200 Connection established\r\nProxy-Agent: " + p.product + "\r\n\r\n"
	if _, err := conn.Write([]byte(established)); err != nil {
		p.logger.Info("write CONNECT response", "remote", r.RemoteAddr, "error", err)
		return
	}
	p.logger.Info("tunnel opened", "remote", r.RemoteAddr, "target", r.Host, "inspect", p.inspect)

	if !p.inspect {
		relay(client, target)
		return
	}
	p.inspectTunnel(client, target, host, r)
}

// inspectTunnel terminates the client's TLS, opens TLS to the target and
// relays between the two. When the target's handshake fails, the client gets
// an HTTP 502 inside its TLS connection, as from an inspection appliance that
// shows a block page.
func (p *forwardProxy) inspectTunnel(client, target net.Conn, host string, r *http.Request) {
	leaf, err := p.leafFor(host)
	if err != nil {
		p.logger.Error("issue inspection leaf", "host", host, "error", err)
		return
	}
	clientTLS := tls.Server(client, &tls.Config{
		Certificates: []tls.Certificate{*leaf},
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"http/1.1"},
	})
	ctx, cancel := context.WithTimeout(context.Background(), relayHandshakeTimeout)
	defer cancel()
	if err := clientTLS.HandshakeContext(ctx); err != nil {
		p.logger.Info("inspection handshake with client failed", "remote", r.RemoteAddr, "target", r.Host, "error", err)
		return
	}

	// The inspection proxy checks the target as a client would, against
	// the lab root and the name the client asked for.
	targetTLS := tls.Client(target, &tls.Config{
		RootCAs:    p.authority.rootPool(),
		ServerName: host,
		MinVersion: tls.VersionTLS12,
		NextProtos: []string{"http/1.1"},
	})
	if err := targetTLS.HandshakeContext(ctx); err != nil {
		p.logger.Info("inspection handshake with target failed", "remote", r.RemoteAddr, "target", r.Host, "error", err)
		p.writeBadGateway(clientTLS, r.Host, err)
		return
	}
	relay(clientTLS, targetTLS)
}

// writeBadGateway reads the client's request header, so that closing the
// connection does not reset it with unread bytes, then answers 502.
func (p *forwardProxy) writeBadGateway(conn *tls.Conn, target string, cause error) {
	conn.SetDeadline(time.Now().Add(readHeaderTimeout))
	if _, err := http.ReadRequest(bufio.NewReader(conn)); err != nil {
		p.logger.Info("read request of client before 502", "target", target, "error", err)
	}
	body := fmt.Sprintf("lab inspection proxy: TLS handshake with %s failed: %v\n", target, cause)
	resp := fmt.Sprintf("HTTP/1.1 502 Bad Gateway\r\nServer: %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
		p.product, len(body), body)
	if _, err := conn.Write([]byte(resp)); err != nil {
		p.logger.Info("write 502 to client", "target", target, "error", err)
	}
	conn.Close()
}

// leafFor returns the inspection leaf for host, issuing it on first use.
func (p *forwardProxy) leafFor(host string) (*tls.Certificate, error) {
	p.leavesMu.Lock()
	defer p.leavesMu.Unlock()
	if leaf, ok := p.leaves[host]; ok {
		return leaf, nil
	}
	cert, err := p.authority.issueInspectionLeaf(host)
	if err != nil {
		return nil, err
	}
	if len(p.leaves) < maxInspectionLeaves {
		p.leaves[host] = &cert
	}
	return &cert, nil
}

// fail answers a proxy request with status and a one-line text body, and
// logs it.
func (p *forwardProxy) fail(w http.ResponseWriter, r *http.Request, status int, message string) {
	p.logger.Info("proxy request rejected", "remote", r.RemoteAddr, "method", r.Method, "target", r.Host, "status", status, "reason", message)
	http.Error(w, message, status)
}

// loopbackTarget returns the address to dial for a CONNECT host: an IPv4
// literal in 127.0.0.0/8 as it is, and the name localhost as 127.0.0.1, where
// the lab listens. It reports false for every other host, so the lab never
// connects beyond the loopback interface.
func loopbackTarget(host string) (net.IP, bool) {
	if strings.EqualFold(strings.TrimSuffix(host, "."), labHost) {
		return labIP, true
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return nil, false
	}
	ip4 := ip.To4()
	if ip4 == nil || !ip4.IsLoopback() {
		return nil, false
	}
	return ip4, true
}
