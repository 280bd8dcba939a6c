package lab

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
)

// Server headers of the two members of the mixed-pool endpoint, so that a
// client that completes a handshake can tell which member served it.
const (
	poolMemberAProduct = "scimdoctor-lab-pool-a/1.0"
	poolMemberBProduct = "scimdoctor-lab-pool-b/1.0"
)

// poolMember is one backend of the mixed-pool endpoint.
type poolMember struct {
	name   string
	server *httpServer
	ln     net.Listener
}

// poolServer is a TCP load balancer in round robin over two TLS backends on
// other ports of 127.0.0.1. It does not terminate TLS: connection 1 goes to
// member A (TLS 1.2 and 1.3), connection 2 to member B (TLS 1.0 only), and so
// on, as a layer-4 balancer in front of servers configured apart. Both
// members serve the same certificate.
type poolServer struct {
	members [2]poolMember
	logger  *slog.Logger
	conns   *connTracker

	mu     sync.Mutex
	ln     net.Listener
	closed bool
	next   int // index of the member that gets the next connection
}

func newPoolEndpoint(authority *pki, scimHandler http.Handler, logger *slog.Logger) (server, error) {
	cert, err := authority.issueLeaf(authority.validLeaf())
	if err != nil {
		return nil, err
	}
	configs := [2]*tls.Config{
		{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS13, NextProtos: []string{"http/1.1"}},
		{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10, NextProtos: []string{"http/1.1"}},
	}
	names := [2]string{"a", "b"}
	products := [2]string{poolMemberAProduct, poolMemberBProduct}

	s := &poolServer{logger: logger, conns: newConnTracker()}
	for i := range s.members {
		ln, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			for _, m := range s.members[:i] {
				m.ln.Close()
			}
			return nil, fmt.Errorf("listen for pool member %s on 127.0.0.1: %w", names[i], err)
		}
		memberLogger := logger.With("role", "member-"+names[i])
		handler := serverHeader(products[i], scimHandler)
		s.members[i] = poolMember{name: names[i], server: newHTTPServer(handler, configs[i], memberLogger), ln: ln}
	}
	return s, nil
}

func (s *poolServer) start(ln net.Listener, wg *sync.WaitGroup) {
	for _, m := range s.members {
		m.server.start(m.ln, wg)
	}
	s.mu.Lock()
	s.ln = ln
	closed := s.closed
	s.mu.Unlock()
	if closed {
		ln.Close()
		return
	}
	wg.Go(func() { acceptLoop(ln, s.logger, s.forward) })
}

// forward picks the next member and relays conn to it in a goroutine that
// close waits for.
func (s *poolServer) forward(conn net.Conn) {
	s.mu.Lock()
	member := s.members[s.next]
	s.next = (s.next + 1) % len(s.members)
	s.mu.Unlock()

	if !s.conns.begin() {
		conn.Close()
		return
	}
	go func() {
		defer s.conns.end()
		if !s.conns.track(conn) {
			return
		}
		defer s.conns.release(conn)

		backend, err := net.DialTimeout("tcp4", member.ln.Addr().String(), backendDialTimeout)
		if err != nil {
			s.logger.Error("connect to pool member", "member", member.name, "remote", conn.RemoteAddr().String(), "error", err)
			return
		}
		if !s.conns.track(backend) {
			return
		}
		defer s.conns.release(backend)

		s.logger.Info("connection sent to pool member", "member", member.name, "remote", conn.RemoteAddr().String())
		relay(conn, backend)
	}()
}

func (s *poolServer) close() error {
	s.mu.Lock()
	s.closed = true
	var err error
	if s.ln != nil {
		err = s.ln.Close()
	}
	s.mu.Unlock()

	s.conns.closeAll()
	for _, m := range s.members {
		err = errors.Join(err, m.server.close())
		// Serve closes the member's listener, but when start never ran
		// only this does.
		if lnErr := m.ln.Close(); lnErr != nil && !errors.Is(lnErr, net.ErrClosed) {
			err = errors.Join(err, lnErr)
		}
	}
	return err
}
