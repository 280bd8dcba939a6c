// Command latencyproxy is a TCP proxy on loopback that adds a fixed one-way
// delay in each direction, so that benchmarks can measure scanners as if each
// connection crossed a network with a round-trip time of 2×delay. It exists
// because the benchmark machine has no tc netem and benchmarks may only use
// 127.0.0.0/8 and ::1.
//
// Usage:
//
//	latencyproxy -listen 127.0.0.1:0 -target 127.0.0.1:8443 -delay 10ms
//
// It prints the address it listens on as one line on stdout and logs to
// stderr. Both -listen and -target must be IP addresses in 127.0.0.0/8 or
// ::1. SIGINT or SIGTERM stops it: it closes the listener and every open
// connection and exits with status 0.
//
// The delay model:
//
//   - Set-up. The kernel completes the client's TCP handshake before accept,
//     so the client's connect returns at once. To make connect cost a round
//     trip anyway, the proxy dials the target 3×delay after accept. Of that
//     wait, one round trip is the SYN and SYN-ACK that the client would have
//     waited for, and one delay is the trip of its first data. Data that the
//     client sends before then is held and delivered at that point, which is
//     when it would have arrived on a network.
//   - Data. Every chunk that one side sends reaches the other side delay
//     after the proxy read it, in order.
//   - Ends. A clean end of stream (FIN) reaches the other side delay later as
//     a half-close (CloseWrite), so the other direction stays open. A read
//     error such as a reset, or a failed write, reaches the other side delay
//     later as a close with SO_LINGER 0, which sends a reset.
//
// Limits: it does not model bandwidth, loss, reordering or jitter, and the
// delay is only as precise as Go's timers and scheduler, so on a loaded
// machine a chunk can arrive later than delay. A target that refuses the connection or fails to
// answer within dialTimeout shows up to the client as a close after a
// completed connect, not as a refused connect. Memory is bounded: each
// direction queues at most queueChunks chunks of at most chunkSize bytes,
// and a full queue stops the proxy reading from that side, so TCP flow
// control pushes back on the sender.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"
)

const (
	// chunkSize is the largest number of bytes read from one side at a time.
	chunkSize = 32 << 10
	// queueChunks is the maximum number of chunks waiting in one direction,
	// so each connection buffers at most 2×chunkSize×queueChunks bytes (4 MiB).
	queueChunks = 64
	// dialTimeout bounds the dial to the target. On loopback a dial fails at
	// once unless the target's listen backlog is full, which delays it.
	dialTimeout = 5 * time.Second
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args, serves until SIGINT or SIGTERM and returns the exit code:
// 0 after a signal, 1 when the listener fails and 2 for invalid flags.
func run(args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("latencyproxy", flag.ContinueOnError)
	flags.SetOutput(stderr)
	listen := flags.String("listen", "127.0.0.1:0", "address to listen on, an IP in 127.0.0.0/8 or ::1 with a port (0 picks a free port)")
	target := flags.String("target", "", "address to forward to, an IP in 127.0.0.0/8 or ::1 with a port")
	delay := flags.Duration("delay", 10*time.Millisecond, "one-way delay added to each direction, such as 10ms (a round trip costs twice this)")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "latencyproxy: error: unexpected argument %q; pass every setting as a flag, such as -target 127.0.0.1:8443\n", flags.Arg(0))
		return 2
	}
	if err := checkLoopback("-listen", *listen, true); err != nil {
		fmt.Fprintf(stderr, "latencyproxy: error: %v\n", err)
		return 2
	}
	if *target == "" {
		fmt.Fprintln(stderr, "latencyproxy: error: missing -target; give the server's address, such as -target 127.0.0.1:8443")
		return 2
	}
	if err := checkLoopback("-target", *target, false); err != nil {
		fmt.Fprintf(stderr, "latencyproxy: error: %v\n", err)
		return 2
	}
	if *delay < 0 {
		fmt.Fprintf(stderr, "latencyproxy: error: invalid -delay %s: the delay must be 0 or more, such as 10ms\n", *delay)
		return 2
	}

	logger := slog.New(slog.NewTextHandler(stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "latencyproxy: error: listen on %s failed: %v; pick another port or use port 0\n", *listen, err)
		return 1
	}
	fmt.Fprintln(stdout, ln.Addr().String())
	logger.Info("started", "listen", ln.Addr().String(), "target", *target, "delay", delay.String())

	p := &proxy{target: *target, delay: *delay, logger: logger, conns: map[net.Conn]struct{}{}}
	p.serve(ctx, ln)
	logger.Info("stopped", "listen", ln.Addr().String())
	return 0
}

// checkLoopback returns an error unless addr is host:port with host an IP
// literal in 127.0.0.0/8 or ::1. Port 0 is allowed only when allowZeroPort
// is set.
func checkLoopback(flagName, addr string, allowZeroPort bool) error {
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("invalid %s %q: %v; use IP:PORT, such as 127.0.0.1:8443 or [::1]:8443", flagName, addr, err)
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return fmt.Errorf("invalid %s %q: host %q is not an IP address; use 127.0.0.1 or ::1, not a name", flagName, addr, host)
	}
	if !ip.IsLoopback() {
		return fmt.Errorf("invalid %s %q: %s is outside 127.0.0.0/8 and ::1; this proxy only works on loopback", flagName, addr, host)
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil {
		return fmt.Errorf("invalid %s %q: port %q is not a number from 0 to 65535", flagName, addr, portText)
	}
	if port == 0 && !allowZeroPort {
		return fmt.Errorf("invalid %s %q: port 0 cannot be dialed; give the server's port", flagName, addr)
	}
	return nil
}

// proxy forwards connections to target with the delay model of the package
// doc. conns holds every open connection of both sides, so that a stop can
// close them.
type proxy struct {
	target string
	delay  time.Duration
	logger *slog.Logger

	mu    sync.Mutex
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

// serve accepts connections until ctx is done, then closes the listener and
// every open connection and waits for their goroutines.
func (p *proxy) serve(ctx context.Context, ln net.Listener) {
	go func() {
		<-ctx.Done()
		ln.Close()
		p.closeAll()
	}()

	for {
		conn, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				break
			}
			// Such as EMFILE: wait a little, so the loop does not spin.
			p.logger.Error("accept failed", "err", err)
			time.Sleep(50 * time.Millisecond)
			continue
		}
		if !p.track(conn) {
			conn.Close()
			break
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.handle(ctx, conn.(*net.TCPConn))
		}()
	}
	p.wg.Wait()
}

// track adds conn to the open connections. It returns false once closeAll
// has run, and then the caller must close conn itself.
func (p *proxy) track(conn net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.conns == nil {
		return false
	}
	p.conns[conn] = struct{}{}
	return true
}

func (p *proxy) untrack(conn net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.conns, conn)
}

// closeAll closes every open connection and makes later track calls fail.
func (p *proxy) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for conn := range p.conns {
		conn.Close()
	}
	p.conns = nil
}

// chunk is one read from a side: data, or the end of the stream when end is
// set. err is nil for a clean end (FIN) and the read error otherwise.
type chunk struct {
	readAt time.Time
	data   []byte
	end    bool
	err    error
}

// handle proxies one accepted client connection and closes it when both
// directions have ended.
func (p *proxy) handle(ctx context.Context, client *net.TCPConn) {
	defer p.untrack(client)
	defer client.Close()
	acceptedAt := time.Now()

	// stop releases the readers that wait on a full queue once handle returns.
	stop := make(chan struct{})
	defer close(stop)

	// The client's data is read from the start, so each chunk is stamped when
	// it arrived and is held in the queue until the target is dialed.
	toServer := make(chan chunk, queueChunks)
	go readChunks(client, toServer, stop)

	if !sleepUntil(ctx, acceptedAt.Add(3*p.delay)) {
		return
	}
	dialer := net.Dialer{Timeout: dialTimeout}
	conn, err := dialer.DialContext(ctx, "tcp", p.target)
	if err != nil {
		p.logger.Warn("dial to target failed; closing the client connection", "client", client.RemoteAddr().String(), "target", p.target, "err", err)
		return
	}
	server := conn.(*net.TCPConn)
	if !p.track(server) {
		server.Close()
		return
	}
	defer p.untrack(server)
	defer server.Close()

	toClient := make(chan chunk, queueChunks)
	go readChunks(server, toClient, stop)

	var done sync.WaitGroup
	done.Add(2)
	go func() {
		defer done.Done()
		p.forward(ctx, toServer, server, client)
	}()
	go func() {
		defer done.Done()
		p.forward(ctx, toClient, client, server)
	}()
	done.Wait()
}

// readChunks reads src into queue until src ends, then sends one chunk with
// end set and returns. A full queue blocks it, which bounds memory, until
// the forwarder takes a chunk or stop is closed.
func readChunks(src *net.TCPConn, queue chan<- chunk, stop <-chan struct{}) {
	send := func(c chunk) bool {
		select {
		case queue <- c:
			return true
		case <-stop:
			return false
		}
	}
	for {
		buf := make([]byte, chunkSize)
		n, err := src.Read(buf)
		now := time.Now()
		if n > 0 && !send(chunk{readAt: now, data: buf[:n]}) {
			return
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = nil
			}
			send(chunk{readAt: now, end: true, err: err})
			return
		}
	}
}

// forward writes each chunk of queue to dst delay after it was read, in
// order, and passes the end of the stream on: a clean end as CloseWrite on
// dst, an error as a reset of dst. When a write to dst fails, it resets src
// delay later, so the sender learns of the failure as over a network.
func (p *proxy) forward(ctx context.Context, queue <-chan chunk, dst, src *net.TCPConn) {
	for c := range queue {
		if !sleepUntil(ctx, c.readAt.Add(p.delay)) {
			return
		}
		if c.end {
			if c.err == nil {
				if err := dst.CloseWrite(); err != nil && !errors.Is(err, net.ErrClosed) {
					p.logger.Debug("half-close failed", "conn", dst.RemoteAddr().String(), "err", err)
				}
			} else {
				reset(dst)
			}
			return
		}
		if _, err := dst.Write(c.data); err != nil {
			failedAt := time.Now()
			if sleepUntil(ctx, failedAt.Add(p.delay)) {
				reset(src)
			}
			return
		}
	}
}

// reset closes conn with SO_LINGER 0, so the kernel sends a reset in place
// of a FIN. A connection that is already closed is left as it is.
func reset(conn *net.TCPConn) {
	_ = conn.SetLinger(0)
	_ = conn.Close()
}

// sleepUntil waits until t and returns true, or returns false as soon as ctx
// is done.
func sleepUntil(ctx context.Context, t time.Time) bool {
	wait := time.Until(t)
	if wait <= 0 {
		return ctx.Err() == nil
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-ctx.Done():
		return false
	}
}
