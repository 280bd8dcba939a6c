package tlsprobe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Defaults of a zero Prober.
const (
	// DefaultTimeout bounds one probe connection: dial, write and read.
	DefaultTimeout = 10 * time.Second
	// DefaultMaxConnsPerHost is the number of concurrent connections a
	// Prober opens to one host.
	DefaultMaxConnsPerHost = 4
	// notTLSGrace is how long a probe keeps reading after a non-TLS first
	// byte, to collect up to 64 bytes of the response for the report.
	notTLSGrace = 500 * time.Millisecond
	// maxFirstBytes is how many bytes Result.FirstBytes keeps.
	maxFirstBytes = 64
)

// Prober sends ClientHellos and classifies what comes back. The zero value
// is ready to use; a Prober is safe for concurrent use, and its per-host
// limit applies across all goroutines that share it.
type Prober struct {
	// Timeout bounds each connection from dial to the end of the flight
	// (default 10s). The time spent waiting for a free per-host slot does
	// not count.
	Timeout time.Duration
	// MaxConnsPerHost is the number of connections open at once to one
	// host (default 4).
	MaxConnsPerHost int
	// Interval is the minimum time between the starts of two connections
	// to one host (default 0, no pause). With MaxConnsPerHost 1 it paces a
	// scan for servers and intrusion-prevention systems that count
	// connections per second.
	Interval time.Duration
	// Dial opens connections (default: a net.Dialer).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)

	mu        sync.Mutex
	slots     map[string]chan struct{}
	nextStart map[string]time.Time
	conns     atomic.Int64
}

// TimeoutError is the Err of a KindTimeout result.
type TimeoutError struct {
	// Phase is "connect", "first byte" or "rest of flight".
	Phase string
	// After is the time from the start of the connection to the deadline.
	After time.Duration
}

// Error returns, for example, "timed out after 10s waiting for the first
// byte".
func (e *TimeoutError) Error() string {
	after := e.After.Round(100 * time.Millisecond)
	switch e.Phase {
	case "connect":
		return fmt.Sprintf("timed out after %s connecting", after)
	case "rest of flight":
		return fmt.Sprintf("timed out after %s waiting for the rest of the flight", after)
	}
	return fmt.Sprintf("timed out after %s waiting for the %s", after, e.Phase)
}

// Timeout reports true, so TimeoutError satisfies net.Error's contract.
func (e *TimeoutError) Timeout() bool { return true }

// Connections returns the number of TCP connections the Prober has opened.
func (p *Prober) Connections() int64 { return p.conns.Load() }

func (p *Prober) timeout() time.Duration {
	if p.Timeout > 0 {
		return p.Timeout
	}
	return DefaultTimeout
}

// acquire waits for a connection slot for host and returns its release
// function.
func (p *Prober) acquire(ctx context.Context, host string) (func(), error) {
	limit := p.MaxConnsPerHost
	if limit <= 0 {
		limit = DefaultMaxConnsPerHost
	}
	p.mu.Lock()
	if p.slots == nil {
		p.slots = map[string]chan struct{}{}
		p.nextStart = map[string]time.Time{}
	}
	slot, ok := p.slots[host]
	if !ok {
		slot = make(chan struct{}, limit)
		p.slots[host] = slot
	}
	p.mu.Unlock()

	select {
	case slot <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	release := func() { <-slot }
	if err := p.pace(ctx, host); err != nil {
		release()
		return nil, err
	}
	return release, nil
}

// Acquire blocks until a connection to host may start under the per-host
// limit and Interval, and returns the function that frees the slot. Callers
// that open their own connections, such as crypto/tls handshakes, use it to
// stay within the same limits as the probes. It returns an error only when
// ctx ends first.
func (p *Prober) Acquire(ctx context.Context, host string) (release func(), err error) {
	return p.acquire(ctx, host)
}

// pace waits until Interval has passed since the last connection to host
// started, and books the next start.
func (p *Prober) pace(ctx context.Context, host string) error {
	if p.Interval <= 0 {
		return nil
	}
	p.mu.Lock()
	now := time.Now()
	start := p.nextStart[host]
	if start.Before(now) {
		start = now
	}
	p.nextStart[host] = start.Add(p.Interval)
	p.mu.Unlock()

	wait := time.Until(start)
	if wait <= 0 {
		return nil
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// probeMode selects what a connection sends and how it reads the response.
type probeMode int

const (
	// modeTLS reads the whole clear first flight.
	modeTLS probeMode = iota
	// modeServerHello reads up to the ServerHello or HelloRetryRequest.
	modeServerHello
	modeSSLv2
)

// Probe sends hello to addr ("host:port") on a new TCP connection and
// classifies the server's first flight. It never returns nil: every failure,
// including a hello that does not encode, is a Result kind. It reads until
// ServerHelloDone in TLS 1.2 and earlier and until the ServerHello in
// TLS 1.3, and then closes the connection.
func (p *Prober) Probe(ctx context.Context, addr string, hello *ClientHello) *Result {
	records, err := hello.Records()
	if err != nil {
		return probeError(err)
	}
	return p.run(ctx, addr, records, modeTLS)
}

// ProbeServerHello is Probe for callers that need only the ServerHello, such
// as the cipher suite scan. It returns as soon as the ServerHello or
// HelloRetryRequest is parsed, or when an alert, a close, a reset, a
// timeout or a non-TLS response comes before it. So a server that is slow
// to send its Certificate costs one round trip.
//
// After a TLS 1.2 or earlier ServerHello, Result.StoppedAtServerHello is
// true and Flight.Complete false: the probe did not read the Certificate,
// ServerKeyExchange, CertificateRequest or ServerHelloDone, so their absence
// says nothing about the server. Flight.Alerts lists the alerts that came
// before the ServerHello, and those in whole records that had arrived when
// the ServerHello was parsed. A TLS 1.3 ServerHello or a HelloRetryRequest ends the
// clear flight anyway, so the Result is the one Probe returns.
func (p *Prober) ProbeServerHello(ctx context.Context, addr string, hello *ClientHello) *Result {
	records, err := hello.Records()
	if err != nil {
		return probeError(err)
	}
	return p.run(ctx, addr, records, modeServerHello)
}

// ProbeSSLv2 sends SSLv2ClientHello to addr. A server that speaks SSL 2.0
// gives KindSSLv2ServerHello; a TLS server gives an alert, a close or a
// reset.
func (p *Prober) ProbeSSLv2(ctx context.Context, addr string) *Result {
	return p.run(ctx, addr, SSLv2ClientHello(), modeSSLv2)
}

// probeAgainAfterTimeout sends hello and, when the probe timed out after
// connecting, sends it once more on a new connection. A server that
// handles one connection at a time (openssl s_server without -www, small
// appliances) accepts TCP connections into its backlog while it serves
// another client. A probe queued behind a slow connection then times out
// although the server would respond to it. The scans that stop at a failed
// probe use this; the version scan does not, so that a port that never
// answers costs one timeout per probe only.
func (p *Prober) probeAgainAfterTimeout(ctx context.Context, addr string, hello *ClientHello) (r *Result, probes int) {
	r = p.Probe(ctx, addr, hello)
	if r.Kind != KindTimeout || r.Phase == "connect" || ctx.Err() != nil {
		return r, 1
	}
	return p.Probe(ctx, addr, hello), 2
}

// serverHelloAgainAfterTimeout is probeAgainAfterTimeout with
// ProbeServerHello: it sends hello once more on a new connection when the
// first probe timed out after connecting.
func (p *Prober) serverHelloAgainAfterTimeout(ctx context.Context, addr string, hello *ClientHello) (r *Result, probes int) {
	r = p.ProbeServerHello(ctx, addr, hello)
	if r.Kind != KindTimeout || r.Phase == "connect" || ctx.Err() != nil {
		return r, 1
	}
	return p.ProbeServerHello(ctx, addr, hello), 2
}

// scanFailure describes the probe that stopped a scan. A timeout was
// already retried by probeAgainAfterTimeout, so it points at servers that
// handle one client at a time.
func scanFailure(scan string, probe int, r *Result, addr string) string {
	if r.Kind == KindTimeout && r.Phase != "connect" {
		return fmt.Sprintf("probe %d of the %s timed out twice: %s; the server at %s may handle one client at a time, so scan it with one connection at a time (--polite)",
			probe, scan, r.Describe(), addr)
	}
	return fmt.Sprintf("probe %d of the %s failed: %s; check that %s is reachable and retry", probe, scan, r.Describe(), addr)
}

func probeError(err error) *Result {
	return &Result{Kind: KindProbeError, Err: err, Error: err.Error()}
}

// run dials, writes payload and reads the response.
func (p *Prober) run(ctx context.Context, addr string, payload []byte, mode probeMode) *Result {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		err = fmt.Errorf("invalid address %q: %w; use host:port", addr, err)
		return &Result{Kind: KindConnectFailed, Err: err, Error: err.Error()}
	}
	release, err := p.acquire(ctx, host)
	if err != nil {
		return probeError(fmt.Errorf("probe of %s canceled while waiting for a connection slot: %w", addr, err))
	}
	defer release()

	// Phase: connect. The deadline covers dial, write and read.
	start := time.Now()
	timeout := p.timeout()
	deadline := start.Add(timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
		timeout = d.Sub(start)
	}
	dialCtx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	dial := p.Dial
	if dial == nil {
		var d net.Dialer
		dial = d.DialContext
	}
	conn, err := dial(dialCtx, "tcp", addr)
	if err != nil {
		r := p.dialFailure(ctx, err, timeout)
		r.Elapsed = time.Since(start)
		return r
	}
	p.conns.Add(1)
	defer conn.Close()
	conn.SetDeadline(deadline)
	// A canceled parent context unblocks reads at once.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	r := p.exchange(ctx, conn, payload, mode, deadline, timeout)
	r.Elapsed = time.Since(start)
	if r.Err != nil {
		r.Error = r.Err.Error()
	}
	return r
}

func (p *Prober) dialFailure(ctx context.Context, err error, timeout time.Duration) *Result {
	if ctx.Err() == context.Canceled {
		return probeError(fmt.Errorf("probe canceled while connecting: %w", err))
	}
	var netErr net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout()) {
		te := &TimeoutError{Phase: "connect", After: timeout}
		return &Result{Kind: KindTimeout, Phase: te.Phase, Err: te, Error: te.Error()}
	}
	return &Result{Kind: KindConnectFailed, Err: err, Error: err.Error()}
}

// exchange writes payload and reads until the response is classified.
func (p *Prober) exchange(ctx context.Context, conn net.Conn, payload []byte, mode probeMode, deadline time.Time, timeout time.Duration) *Result {
	// Phase: send the hello. A server may reset or close before reading it
	// all; the read below then reports what it did.
	if _, err := conn.Write(payload); err != nil {
		if isReset(err) {
			return &Result{Kind: KindReset, Err: err}
		}
		if isTimeout(err) {
			return timeoutResult("first byte", timeout)
		}
		return &Result{Kind: KindSilentClose, Err: err}
	}

	// Phase: read the flight. The parser keeps its state between reads and
	// parses each record once, when its last byte arrives.
	buf := make([]byte, 0, 8192)
	chunk := make([]byte, 16384)
	fp := &flightParser{stopAtServerHello: mode == modeServerHello}
	var st flightState
	for {
		n, err := conn.Read(chunk)
		if n > 0 {
			buf = append(buf, chunk[:n]...)
			if r := classifyBytes(conn, buf, mode, fp, &st, deadline); r != nil {
				return r
			}
			if len(buf) > maxFlightBytes {
				pe := newParseError(buf, 0, "flight", "server flight exceeds %d bytes without ending", maxFlightBytes)
				return &Result{Kind: KindMalformed, Err: pe, FirstBytes: firstBytes(buf)}
			}
		}
		if err != nil {
			return readFailure(ctx, err, buf, st, timeout)
		}
	}
}

// classifyBytes feeds buf, the bytes read so far, to fp and returns a Result
// once the response is decided, or nil when more bytes are needed. st
// receives the parse state.
func classifyBytes(conn net.Conn, buf []byte, mode probeMode, fp *flightParser, st *flightState, deadline time.Time) *Result {
	if mode == modeSSLv2 && buf[0]&0x80 != 0 {
		// An SSL 2.0 response is one short record: parseSSLv2ServerHello
		// reads its header only until the record is whole.
		hello, done, perr := parseSSLv2ServerHello(buf)
		switch {
		case !done:
			return nil
		case perr != nil:
			return &Result{Kind: KindMalformed, Err: perr, FirstBytes: firstBytes(buf)}
		}
		return &Result{Kind: KindSSLv2ServerHello, SSLv2: hello}
	}

	*st = fp.feed(buf)
	switch st.status {
	case flightNeedMore:
		return nil
	case flightNotTLS:
		return &Result{Kind: KindNotTLS, FirstBytes: readMore(conn, buf, deadline)}
	case flightMalformed:
		return &Result{Kind: KindMalformed, Err: st.err, FirstBytes: firstBytes(buf)}
	}
	r := flightResult(st.flight)
	r.StoppedAtServerHello = fp.stoppedAtServerHello
	return r
}

// flightResult classifies a complete flight.
func flightResult(f *ServerFlight) *Result {
	r := &Result{}
	if n := len(f.Alerts); n > 0 {
		a := f.Alerts[n-1]
		r.Alert = &a
	}
	switch {
	case f.ServerHello == nil:
		r.Kind = KindAlert
	case f.ServerHello.HelloRetryRequest:
		r.Kind, r.Flight = KindHelloRetryRequest, f
	default:
		r.Kind, r.Flight = KindServerHello, f
	}
	return r
}

// readFailure classifies a read error, given the bytes read before it.
func readFailure(ctx context.Context, err error, buf []byte, st flightState, timeout time.Duration) *Result {
	if ctx.Err() == context.Canceled {
		return probeError(fmt.Errorf("probe canceled while reading: %w", err))
	}

	// A ServerHello decides the probe even when the rest of the flight
	// never comes. Err then names the missing part.
	if f := st.flight; f != nil && len(buf) > 0 {
		r := flightResult(f)
		var reason string
		switch {
		case errors.Is(err, io.EOF):
			reason = "server closed the connection before " + st.expecting
		case isReset(err):
			reason = "connection reset by peer before " + st.expecting
		case isTimeout(err):
			reason = (&TimeoutError{Phase: "rest of flight", After: timeout}).Error()
		default:
			reason = err.Error()
		}
		r.Err = errors.New(reason)
		return r
	}

	switch {
	case isTimeout(err):
		phase := "first byte"
		if len(buf) > 0 {
			phase = "rest of flight"
		}
		r := timeoutResult(phase, timeout)
		r.FirstBytes = firstBytes(buf)
		return r
	case isReset(err):
		return &Result{Kind: KindReset, Err: err, FirstBytes: firstBytes(buf)}
	case errors.Is(err, io.EOF) && len(buf) == 0:
		return &Result{Kind: KindSilentClose, Err: errors.New("server closed the connection without a TLS answer")}
	case errors.Is(err, io.EOF) && st.midRecord && st.recordLen < 0:
		return &Result{Kind: KindSilentClose, FirstBytes: firstBytes(buf),
			Err: fmt.Errorf("server closed the connection inside a record header, after %d bytes", len(buf))}
	case errors.Is(err, io.EOF) && st.midRecord:
		return &Result{Kind: KindSilentClose, FirstBytes: firstBytes(buf),
			Err: fmt.Errorf("server closed the connection inside a %d-byte record, after %d bytes", st.recordLen, len(buf))}
	case errors.Is(err, io.EOF):
		return &Result{Kind: KindSilentClose, FirstBytes: firstBytes(buf),
			Err: fmt.Errorf("server closed the connection inside a handshake message, after %d bytes", len(buf))}
	}
	return &Result{Kind: KindSilentClose, Err: err, FirstBytes: firstBytes(buf)}
}

func timeoutResult(phase string, timeout time.Duration) *Result {
	te := &TimeoutError{Phase: phase, After: timeout}
	return &Result{Kind: KindTimeout, Phase: phase, Err: te}
}

// readMore reads for up to notTLSGrace more, within the connection deadline,
// to fill FirstBytes, because an HTTP response may come in pieces.
func readMore(conn net.Conn, buf []byte, deadline time.Time) []byte {
	grace := time.Now().Add(notTLSGrace)
	if deadline.Before(grace) {
		grace = deadline
	}
	conn.SetReadDeadline(grace)
	chunk := make([]byte, maxFirstBytes)
	for len(buf) < maxFirstBytes {
		n, err := conn.Read(chunk[:maxFirstBytes-len(buf)])
		buf = append(buf, chunk[:n]...)
		if err != nil {
			break
		}
	}
	return firstBytes(buf)
}

func firstBytes(buf []byte) []byte {
	if len(buf) == 0 {
		return nil
	}
	return append([]byte(nil), buf[:min(len(buf), maxFirstBytes)]...)
}

// isReset reports a TCP reset or a write to a connection the peer closed.
func isReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED)
}

func isTimeout(err error) bool {
	var netErr net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &netErr) && netErr.Timeout())
}
