package inspector

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// Limits of the listener.
const (
	// HelloTimeout bounds the wait for a whole ClientHello after accept.
	HelloTimeout = 10 * time.Second
	// HandshakeTimeout bounds the handshake after the hello arrived.
	HandshakeTimeout = 10 * time.Second
	// maxPendingHandshakes bounds the connections between accept and the
	// end of their handshake; further clients wait in the kernel's
	// accept queue.
	// TODO: 256 silent clients hold every slot for up to HelloTimeout and
	// delay other clients; a per-address limit would stop one host doing so.
	maxPendingHandshakes = 256
	// maxFirstBytes is how many of the client's first bytes a record
	// keeps for hellos that do not parse and for non-TLS input.
	maxFirstBytes = 64
)

// helloTimeout and handshakeTimeout are the limits in use; tests shorten
// them.
var (
	helloTimeout     = HelloTimeout
	handshakeTimeout = HandshakeTimeout
)

// Listen returns a TLS listener that records every handshake attempt in
// rec. Each accepted connection is handled in its own goroutine: the
// listener reads the ClientHello (without consuming it: crypto/tls reads
// the same bytes again), parses it, runs the handshake with cfg and records
// the outcome. Accept returns only connections whose handshake completed,
// as *tls.Conn, so net/http fills in Request.TLS. Failed attempts are
// recorded and closed. A plain HTTP request gets a short 400 response that
// asks for https.
//
// Closing the listener closes inner. Use ConnContext as the
// http.Server's ConnContext to link requests to their handshakes.
func Listen(inner net.Listener, cfg *tls.Config, rec *Recorder) net.Listener {
	l := &listener{
		inner: inner,
		cfg:   cfg,
		rec:   rec,
		conns: make(chan *tls.Conn),
		done:  make(chan struct{}),
		slots: make(chan struct{}, maxPendingHandshakes),
	}
	go l.acceptLoop()
	return l
}

type listener struct {
	inner net.Listener
	cfg   *tls.Config
	rec   *Recorder
	conns chan *tls.Conn
	slots chan struct{}

	done      chan struct{}
	closeOnce sync.Once
	errMu     sync.Mutex
	err       error
}

func (l *listener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		l.errMu.Lock()
		defer l.errMu.Unlock()
		return nil, l.err
	}
}

func (l *listener) Close() error {
	err := l.inner.Close()
	l.stop(net.ErrClosed)
	return err
}

func (l *listener) Addr() net.Addr { return l.inner.Addr() }

func (l *listener) stop(err error) {
	l.closeOnce.Do(func() {
		l.errMu.Lock()
		l.err = err
		l.errMu.Unlock()
		close(l.done)
	})
}

func (l *listener) acceptLoop() {
	var backoff time.Duration
	for {
		select {
		case l.slots <- struct{}{}:
		case <-l.done:
			return
		}
		c, err := l.inner.Accept()
		if err != nil {
			<-l.slots
			if errors.Is(err, net.ErrClosed) {
				l.stop(net.ErrClosed)
				return
			}
			// Other errors, such as too many open files, pass; retry with
			// a growing pause as net/http's Serve does.
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			select {
			case <-time.After(backoff):
			case <-l.done:
				return
			}
			continue
		}
		backoff = 0
		go func() {
			defer func() { <-l.slots }()
			if tc := l.handle(c); tc != nil {
				select {
				case l.conns <- tc:
				case <-l.done:
					tc.Close()
				}
			}
		}()
	}
}

// inspectedConn replays the bytes read before the handshake and carries
// the id of the connection's handshake record.
type inspectedConn struct {
	net.Conn
	pending []byte
	id      uint64
}

func (c *inspectedConn) Read(p []byte) (int, error) {
	if len(c.pending) > 0 {
		n := copy(p, c.pending)
		c.pending = c.pending[n:]
		return n, nil
	}
	return c.Conn.Read(p)
}

// handle reads the hello, runs the handshake and records it. It returns
// the connection when the handshake completed and nil otherwise.
func (l *listener) handle(c net.Conn) *tls.Conn {
	start := time.Now()
	record := Handshake{
		ID:         l.rec.newID(),
		Time:       start,
		RemoteAddr: c.RemoteAddr().String(),
		LocalAddr:  c.LocalAddr().String(),
	}
	finish := func(outcome string) {
		record.Outcome = outcome
		record.Duration = time.Since(start)
		l.rec.AddHandshake(record)
	}

	first, readErr := readHello(c, start.Add(helloTimeout))
	hello, parseErr := ParseClientHello(first)
	if parseErr != nil {
		record.FirstBytes = bytes.Clone(first[:min(len(first), maxFirstBytes)])
		outcome, reason := describeNoHello(first, parseErr.(*ParseError), readErr)
		record.Reason = reason
		if readErr != nil {
			record.Error = readErr.Error()
		}
		if outcome != OutcomeNoHello || len(first) > 0 {
			record.ParseError = parseErr.Error()
		}
		if outcome == OutcomeNotTLS && looksLikeHTTP(first) {
			answerPlainHTTP(c)
		}
		c.Close()
		finish(outcome)
		return nil
	}
	record.Hello = hello
	record.JA4 = hello.JA4()

	ic := &inspectedConn{Conn: c, pending: first, id: record.ID}
	tc := tls.Server(ic, l.cfg)
	c.SetDeadline(time.Now().Add(handshakeTimeout))
	ctx, cancel := context.WithTimeout(context.Background(), handshakeTimeout)
	err := tc.HandshakeContext(ctx)
	cancel()
	if err != nil {
		record.Error = err.Error()
		record.Reason = failureReason(hello, l.cfg, err)
		tc.Close()
		finish(OutcomeFailed)
		return nil
	}
	c.SetDeadline(time.Time{})

	state := tc.ConnectionState()
	record.Version = state.Version
	record.CipherSuite = state.CipherSuite
	record.Group = uint16(state.CurveID)
	record.ALPN = state.NegotiatedProtocol
	finish(OutcomeOK)
	return tc
}

// readHello reads from c until the bytes hold a whole ClientHello, are
// clearly not one, reach maxPeekBytes, or deadline passes. It returns the
// bytes read and the read error that stopped it, if any.
func readHello(c net.Conn, deadline time.Time) ([]byte, error) {
	c.SetReadDeadline(deadline)
	defer c.SetReadDeadline(time.Time{})
	buf := make([]byte, 0, 2048)
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, make([]byte, min(cap(buf), maxPeekBytes-len(buf)))...)[:len(buf)]
		}
		n, err := c.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if n > 0 && helloDone(buf) {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
		if len(buf) >= maxPeekBytes {
			return buf, nil
		}
	}
}

// helloDone reports whether data holds a whole handshake message in its
// leading handshake records, or is clearly not a TLS handshake. It walks
// the record headers only, so a client that sends one byte per packet
// costs O(records) per read, not a parse.
func helloDone(data []byte) bool {
	if data[0] != recordTypeHandshake {
		return true
	}
	var header [4]byte
	headerBytes, payload, want := 0, 0, -1
	for offset, records := 0, 0; ; records++ {
		if len(data)-offset < recordHeaderLen {
			return false
		}
		if data[offset] != recordTypeHandshake || records == maxHelloRecords {
			return true
		}
		length := int(data[offset+3])<<8 | int(data[offset+4])
		if length == 0 || length > maxRecordPayload {
			return true
		}
		offset += recordHeaderLen
		available := min(length, len(data)-offset)
		for i := 0; headerBytes < 4 && i < available; i++ {
			header[headerBytes] = data[offset+i]
			headerBytes++
		}
		payload += available
		if want < 0 && headerBytes == 4 {
			want = 4 + (int(header[1])<<16 | int(header[2])<<8 | int(header[3]))
			if header[0] != handshakeTypeClientHel || want > maxHelloBytes {
				return true
			}
		}
		if want >= 0 && payload >= want {
			return true
		}
		if available < length {
			return false
		}
		offset += length
	}
}

// describeNoHello returns the outcome and the reason for a connection
// whose first bytes are not a whole ClientHello.
func describeNoHello(first []byte, perr *ParseError, readErr error) (string, string) {
	var ne net.Error
	timedOut := errors.As(readErr, &ne) && ne.Timeout()
	switch {
	case len(first) == 0 && timedOut:
		return OutcomeNoHello, fmt.Sprintf("client connected and sent nothing within %s: a port scan, a TCP health check, or a client that waits for the server to speak first", helloTimeout)
	case len(first) == 0:
		return OutcomeNoHello, "client closed the connection without sending anything: a TCP health check or a port scan"
	case looksLikeHTTP(first):
		return OutcomeNotTLS, "plain HTTP request on the TLS port: " + requestLine(first) + "; use https:// in the client's URL"
	case isSSLv2Hello(first):
		return OutcomeNotTLS, "client sent an SSL 2.0-format ClientHello, as very old clients do (Java 6 with SSLv2Hello enabled, OpenSSL 0.9.8); the server requires TLS 1.2 or later"
	case first[0] != recordTypeHandshake:
		return OutcomeNotTLS, fmt.Sprintf("client sent bytes that are not TLS (first byte 0x%02x, %q): another protocol on the TLS port", first[0], printable(first[:min(len(first), 16)]))
	case perr.Truncated && timedOut:
		return OutcomeNoHello, fmt.Sprintf("client sent %d bytes of a ClientHello, then nothing more within %s", len(first), helloTimeout)
	case perr.Truncated:
		return OutcomeNoHello, fmt.Sprintf("client sent %d bytes of a ClientHello, then closed the connection", len(first))
	}
	return OutcomeFailed, "malformed ClientHello: " + perr.Error()
}

var httpMethods = []string{"GET ", "POST ", "PUT ", "PATCH ", "DELETE ", "HEAD ", "OPTIONS ", "CONNECT ", "TRACE ", "PRI "}

func looksLikeHTTP(data []byte) bool {
	for _, m := range httpMethods {
		if bytes.HasPrefix(data, []byte(m)) {
			return true
		}
	}
	return false
}

// requestLine returns the method and target of an HTTP request line,
// made printable and cut at 200 bytes.
func requestLine(data []byte) string {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	line = bytes.TrimSuffix(line, []byte(" HTTP/1.1"))
	line = bytes.TrimSuffix(line, []byte(" HTTP/1.0"))
	if len(line) > 200 {
		return printable(line[:200]) + "..."
	}
	return printable(line)
}

// printable replaces bytes outside printable ASCII with '.'.
func printable(data []byte) string {
	out := make([]byte, len(data))
	for i, c := range data {
		if c < 0x20 || c > 0x7e {
			c = '.'
		}
		out[i] = c
	}
	return string(out)
}

// isSSLv2Hello reports an SSL 2.0-format CLIENT-HELLO: a 2-byte header
// with the top bit set, then message type 1.
func isSSLv2Hello(data []byte) bool {
	return len(data) >= 3 && data[0]&0x80 != 0 && data[2] == 1
}

// answerPlainHTTP writes a short 400 response, as net/http does for a
// plain request on a TLS port, so the user sees the mistake in a browser
// or in curl.
func answerPlainHTTP(c net.Conn) {
	const body = "This port expects TLS: use https:// in the URL.\n"
	c.SetWriteDeadline(time.Now().Add(time.Second))
	io.WriteString(c, "HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"+
		fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body))+body)
}

type connContextKey struct{}

// ConnContext stores the id of c's handshake record in ctx, for the
// http.Server's ConnContext field:
//
//	srv := &http.Server{Handler: rec.Middleware(mux), ConnContext: inspector.ConnContext}
//
// Connections that did not come from Listen leave ctx unchanged.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	if ic, ok := c.(*inspectedConn); ok {
		return context.WithValue(ctx, connContextKey{}, ic.id)
	}
	return ctx
}

// HandshakeID returns the handshake record id that ConnContext stored in
// ctx, or 0.
func HandshakeID(ctx context.Context) uint64 {
	id, _ := ctx.Value(connContextKey{}).(uint64)
	return id
}

// hostOf returns the host part of a host:port address.
func hostOf(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return host
}
