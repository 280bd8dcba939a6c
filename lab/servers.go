package lab

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync"
	"time"
)

// Timeouts of the lab servers. They bound every connection, and they are
// longer than the timeouts of IdP clients (tens of seconds) so that the
// client, not the lab, gives up first.
const (
	readHeaderTimeout = 30 * time.Second
	readTimeout       = time.Minute
	writeTimeout      = time.Minute
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10

	// blackholeHoldTime is how long the blackhole endpoint keeps a silent
	// connection open before it closes it.
	blackholeHoldTime = 10 * time.Minute
	// acceptRetryDelay spaces out Accept retries after an error such as
	// EMFILE, which also limits how often the error is logged.
	acceptRetryDelay = 100 * time.Millisecond

	// Proxy-to-backend timeouts of the tls10-proxy, mixed-pool and
	// forward proxy endpoints.
	backendDialTimeout     = 5 * time.Second
	backendResponseTimeout = 30 * time.Second
)

// Header values of the tls10-proxy endpoint and its origin. They name the lab
// rather than a real product, so that a report cannot be mistaken for a
// finding about real software. The Via pseudonym has no "/", because a Via
// received-by is a host or a token (RFC 9110, Section 7.6.3).
const (
	proxyProduct       = "scimdoctor-lab-proxy/1.0"
	proxyViaPseudonym  = "scimdoctor-lab-proxy"
	originProduct      = "scimdoctor-lab-origin/1.0"
	loadBalancerCookie = "LABLB"
	// loadBalancerCookieValue names the one origin, as a load balancer's
	// persistence cookie names the member that served the client.
	loadBalancerCookieValue = "origin-1"
)

// originServer is a server with a backend of its own that a client can also
// reach directly.
type originServer interface {
	// originAddr returns the backend's listening address, 127.0.0.1:PORT.
	originAddr() string
}

// server is one running lab endpoint.
type server interface {
	// start serves connections from ln in goroutines counted by wg. The
	// server owns ln from then on.
	start(ln net.Listener, wg *sync.WaitGroup)
	// close stops accepting, closes open connections and releases what the
	// build step allocated. Goroutines of its own have ended when it returns.
	close() error
}

// httpServer is an HTTP/1.1 server, with TLS when tlsConfig is set.
type httpServer struct {
	srv       *http.Server
	tlsConfig *tls.Config
	logger    *slog.Logger
}

// tlsEndpoint returns the builder of an HTTPS endpoint that serves the SCIM
// handler with the config that newConfig makes.
func tlsEndpoint(newConfig func(authority *pki) (*tls.Config, error)) func(*pki, http.Handler, *slog.Logger) (server, error) {
	return func(authority *pki, handler http.Handler, logger *slog.Logger) (server, error) {
		config, err := newConfig(authority)
		if err != nil {
			return nil, err
		}
		return newHTTPServer(handler, config, logger), nil
	}
}

// newHTTPServer returns a server for handler. HTTP/2 is off, so every
// endpoint speaks HTTP/1.1, the protocol IdP provisioning clients use.
func newHTTPServer(handler http.Handler, tlsConfig *tls.Config, logger *slog.Logger) *httpServer {
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		// net/http reports failed TLS handshakes through ErrorLog, as
		// "http: TLS handshake error from ADDR: ERR".
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelInfo),
		ConnState: func(conn net.Conn, state http.ConnState) {
			if state == http.StateNew {
				logger.Info("accepted connection", "remote", conn.RemoteAddr().String())
			}
		},
		// A non-nil empty map turns HTTP/2 off.
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
	}
	return &httpServer{srv: srv, tlsConfig: tlsConfig, logger: logger}
}

func (s *httpServer) start(ln net.Listener, wg *sync.WaitGroup) {
	if s.tlsConfig != nil {
		ln = tls.NewListener(ln, s.tlsConfig)
	}
	wg.Go(func() {
		// Serve closes ln when it returns, also when close ran first.
		err := s.srv.Serve(ln)
		if !errors.Is(err, http.ErrServerClosed) {
			s.logger.Error("server stopped", "error", err)
		}
	})
}

func (s *httpServer) close() error {
	err := s.srv.Close()
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// proxyServer is a TLS-terminating reverse proxy in front of an HTTPS origin
// on another port of 127.0.0.1, as a load balancer in front of an application
// server. The proxy accepts only TLS 1.0 and the origin TLS 1.2 and 1.3, and
// each sends its own Server header.
type proxyServer struct {
	front     *httpServer
	origin    *httpServer
	originLn  net.Listener
	transport *http.Transport
}

// serverHeader sets the Server header of every response of next.
func serverHeader(product string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", product)
		next.ServeHTTP(w, r)
	})
}

func newReverseProxyEndpoint(authority *pki, scimHandler http.Handler, logger *slog.Logger) (server, error) {
	frontConfig, err := leafConfig(authority, authority.validLeaf(), tls.VersionTLS10, tls.VersionTLS10)
	if err != nil {
		return nil, err
	}
	originConfig, err := leafConfig(authority, authority.validLeaf(), tls.VersionTLS12, tls.VersionTLS13)
	if err != nil {
		return nil, err
	}
	originLn, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for the origin on 127.0.0.1: %w", err)
	}
	originLogger := logger.With("role", "origin")
	origin := newHTTPServer(serverHeader(originProduct, scimHandler), originConfig, originLogger)
	originURL := &url.URL{Scheme: "https", Host: originLn.Addr().String()}

	transport := &http.Transport{
		Proxy:       nil,
		DialContext: (&net.Dialer{Timeout: backendDialTimeout}).DialContext,
		// The proxy verifies the origin against the lab root under the
		// public name, as a load balancer that re-encrypts to its pool does.
		TLSClientConfig: &tls.Config{
			RootCAs:    authority.rootPool(),
			ServerName: labHost,
			MinVersion: tls.VersionTLS12,
		},
		TLSHandshakeTimeout:   backendDialTimeout,
		ResponseHeaderTimeout: backendResponseTimeout,
		// One origin connection per request, so no idle connection
		// outlives Close.
		DisableKeepAlives: true,
	}
	proxyLogger := logger.With("role", "proxy")
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(originURL)
			// Keep the client's Host, as proxies configured to pass it
			// do, so the origin builds its URLs for the public name.
			r.Out.Host = r.In.Host
			r.SetXForwarded()
		},
		Transport: transport,
		ModifyResponse: func(resp *http.Response) error {
			resp.Header.Set("Server", proxyProduct)
			resp.Header.Add("Via", resp.Proto[len("HTTP/"):]+" "+proxyViaPseudonym)
			cookie := &http.Cookie{Name: loadBalancerCookie, Value: loadBalancerCookieValue, Path: "/", Secure: true, HttpOnly: true}
			resp.Header.Add("Set-Cookie", cookie.String())
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			proxyLogger.Error("forward request to origin", "remote", r.RemoteAddr, "path", r.URL.Path, "error", err)
			w.Header().Set("Server", proxyProduct)
			http.Error(w, "bad gateway", http.StatusBadGateway)
		},
		ErrorLog: slog.NewLogLogger(proxyLogger.Handler(), slog.LevelError),
	}

	return &proxyServer{
		front:     newHTTPServer(proxy, frontConfig, proxyLogger),
		origin:    origin,
		originLn:  originLn,
		transport: transport,
	}, nil
}

func (s *proxyServer) start(ln net.Listener, wg *sync.WaitGroup) {
	s.origin.start(s.originLn, wg)
	s.front.start(ln, wg)
}

func (s *proxyServer) originAddr() string {
	return s.originLn.Addr().String()
}

func (s *proxyServer) close() error {
	frontErr := s.front.close()
	originErr := s.origin.close()
	// Serve closes originLn, but when start never ran only this does.
	if err := s.originLn.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		originErr = errors.Join(originErr, err)
	}
	s.transport.CloseIdleConnections()
	return errors.Join(frontErr, originErr)
}

// blackholeServer accepts connections and never writes to them. It reads and
// drops what the client sends, so the client sees an open, silent
// connection and not a full receive window.
type blackholeServer struct {
	logger *slog.Logger

	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]struct{}
	closed bool
	connWG sync.WaitGroup
}

func newBlackholeServer(logger *slog.Logger) *blackholeServer {
	return &blackholeServer{logger: logger, conns: make(map[net.Conn]struct{})}
}

func (s *blackholeServer) start(ln net.Listener, wg *sync.WaitGroup) {
	s.mu.Lock()
	s.ln = ln
	closed := s.closed
	s.mu.Unlock()
	if closed {
		ln.Close()
		return
	}
	wg.Go(func() { acceptLoop(ln, s.logger, s.hold) })
}

func (s *blackholeServer) hold(conn net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		conn.Close()
		return
	}
	s.conns[conn] = struct{}{}
	s.connWG.Go(func() {
		conn.SetReadDeadline(time.Now().Add(blackholeHoldTime))
		n, err := io.Copy(io.Discard, conn)
		s.logger.Info("connection ended without an answer", "remote", conn.RemoteAddr().String(), "bytes_read", n, "error", err)
		conn.Close()

		s.mu.Lock()
		delete(s.conns, conn)
		s.mu.Unlock()
	})
}

func (s *blackholeServer) close() error {
	s.mu.Lock()
	s.closed = true
	var err error
	if s.ln != nil {
		err = s.ln.Close()
	}
	for conn := range s.conns {
		conn.Close()
	}
	s.mu.Unlock()

	s.connWG.Wait()
	return err
}

// resetServer accepts connections and closes each at once with SO_LINGER set
// to 0, which makes the kernel send a TCP RST instead of a FIN.
type resetServer struct {
	logger *slog.Logger

	mu     sync.Mutex
	ln     net.Listener
	closed bool
}

func newResetServer(logger *slog.Logger) *resetServer {
	return &resetServer{logger: logger}
}

func (s *resetServer) start(ln net.Listener, wg *sync.WaitGroup) {
	s.mu.Lock()
	s.ln = ln
	closed := s.closed
	s.mu.Unlock()
	if closed {
		ln.Close()
		return
	}
	wg.Go(func() { acceptLoop(ln, s.logger, s.reset) })
}

func (s *resetServer) reset(conn net.Conn) {
	if tcp, ok := conn.(*net.TCPConn); ok {
		if err := tcp.SetLinger(0); err != nil {
			s.logger.Error("set SO_LINGER to 0", "remote", conn.RemoteAddr().String(), "error", err)
		}
	}
	if err := conn.Close(); err != nil {
		s.logger.Error("close connection", "remote", conn.RemoteAddr().String(), "error", err)
	}
}

func (s *resetServer) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.ln == nil {
		return nil
	}
	return s.ln.Close()
}

// acceptLoop hands every accepted connection to handle until ln is closed.
func acceptLoop(ln net.Listener, logger *slog.Logger, handle func(net.Conn)) {
	for {
		conn, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			logger.Error("accept connection", "error", err)
			time.Sleep(acceptRetryDelay)
			continue
		}
		logger.Info("accepted connection", "remote", conn.RemoteAddr().String())
		handle(conn)
	}
}
