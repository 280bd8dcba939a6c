package lab

import (
	"bufio"
	"errors"
	"io"
	"net"
	"sync"
	"time"
)

// Limits of the connections the proxies and the pool relay.
const (
	// relayIdleTimeout ends a relayed connection when neither side has sent
	// a byte for this long. It is longer than the idle timeout of the lab's
	// HTTP servers, so the server behind the relay closes first.
	relayIdleTimeout = 3 * time.Minute
	// relayBufferSize is the copy buffer of each direction.
	relayBufferSize = 32 << 10
	// relayHandshakeTimeout bounds each TLS handshake of the inspection
	// proxy, on the client side and on the target side.
	relayHandshakeTimeout = 30 * time.Second
)

// connTracker keeps the connections that a server relays outside net/http,
// so that close can end them and wait for their goroutines.
type connTracker struct {
	mu     sync.Mutex
	closed bool
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
}

func newConnTracker() *connTracker {
	return &connTracker{conns: make(map[net.Conn]struct{})}
}

// begin counts one relay session and reports false, counting nothing, once
// closeAll has run. A true result must be paired with end.
func (t *connTracker) begin() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	t.wg.Add(1)
	return true
}

func (t *connTracker) end() {
	t.wg.Done()
}

// track adds conn to the set closeAll closes. It reports false, and closes
// conn, once closeAll has run.
func (t *connTracker) track(conn net.Conn) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		conn.Close()
		return false
	}
	t.conns[conn] = struct{}{}
	return true
}

// release closes conn and removes it from the set.
func (t *connTracker) release(conn net.Conn) {
	conn.Close()
	t.mu.Lock()
	delete(t.conns, conn)
	t.mu.Unlock()
}

// closeAll closes every tracked connection, makes later begin and track
// calls fail, and waits for every session that begin counted.
func (t *connTracker) closeAll() {
	t.mu.Lock()
	t.closed = true
	for conn := range t.conns {
		conn.Close()
	}
	t.mu.Unlock()
	t.wg.Wait()
}

// relay copies bytes both ways between a and b until both directions have
// ended. The end of one direction with EOF half-closes the other side's write
// half, so an answer still in flight reaches its reader. Any other error,
// including relayIdleTimeout without a byte, closes both connections. The
// caller closes a and b afterwards.
func relay(a, b net.Conn) {
	var wg sync.WaitGroup
	wg.Go(func() { copyHalf(b, a) })
	copyHalf(a, b)
	wg.Wait()
}

// copyHalf copies from src to dst with a fresh idle deadline before each read
// and write.
func copyHalf(dst, src net.Conn) {
	buf := make([]byte, relayBufferSize)
	for {
		src.SetReadDeadline(time.Now().Add(relayIdleTimeout))
		n, readErr := src.Read(buf)
		if n > 0 {
			dst.SetWriteDeadline(time.Now().Add(relayIdleTimeout))
			if _, err := dst.Write(buf[:n]); err != nil {
				src.Close()
				dst.Close()
				return
			}
		}
		if errors.Is(readErr, io.EOF) {
			if cw, ok := dst.(interface{ CloseWrite() error }); ok && cw.CloseWrite() == nil {
				return
			}
			dst.Close()
			return
		}
		if readErr != nil {
			src.Close()
			dst.Close()
			return
		}
	}
}

// bufferedConn is a hijacked connection whose first bytes may already sit in
// the bufio.Reader of net/http, such as a ClientHello that a client sent
// right behind its CONNECT request.
type bufferedConn struct {
	net.Conn
	reader *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) {
	return c.reader.Read(p)
}

// CloseWrite half-closes the TCP connection underneath.
func (c *bufferedConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return c.Conn.Close()
}
