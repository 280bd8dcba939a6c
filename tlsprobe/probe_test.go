package tlsprobe

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
)

func startRawServer(t testing.TB, handle func(conn *net.TCPConn)) string {
	t.Helper()
	return testservers.StartRaw(t, handle)
}

// readHello reads the client's first record, so that closing afterwards
// sends FIN rather than RST (Linux resets a socket closed with unread data).
func readHello(conn net.Conn) {
	header := make([]byte, recordHeaderLen)
	if _, err := io.ReadFull(conn, header); err != nil {
		return
	}
	n := int(header[3])<<8 | int(header[4])
	io.CopyN(io.Discard, conn, int64(n))
}

// tls12Flight is a minimal TLS 1.2 server flight in two records: a
// ServerHello for TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, then
// ServerHelloDone.
func tls12Flight() []byte {
	return mustHex("160303002a" +
		"02000026" + "0303" + strings.Repeat("11", 32) + "00" + "c02f" + "00" +
		"1603030004" + "0e000000")
}

func TestProbeHostileServers(t *testing.T) {
	tests := []struct {
		name     string
		handle   func(conn *net.TCPConn)
		timeout  time.Duration
		kind     Kind
		describe string // a substring of Result.Describe
		check    func(t *testing.T, r *Result)
	}{
		{
			name: "plain HTTP answer",
			handle: func(conn *net.TCPConn) {
				readHello(conn)
				conn.Write([]byte("HTTP/1.1 400 Bad Request\r\nServer: nginx\r\nContent-Type: text/html\r\nContent-Length: 150\r\n\r\n<html>"))
				conn.Close()
			},
			kind:     KindNotTLS,
			describe: `not TLS: the server answered "HTTP/1.1 400 Bad Request"`,
			check: func(t *testing.T, r *Result) {
				if len(r.FirstBytes) != maxFirstBytes {
					t.Errorf("FirstBytes has %d bytes; want %d", len(r.FirstBytes), maxFirstBytes)
				}
			},
		},
		{
			name: "garbage bytes",
			handle: func(conn *net.TCPConn) {
				readHello(conn)
				conn.Write([]byte{0x00, 0xff, 0x13, 0x37, 0x42})
				conn.Close()
			},
			kind:     KindNotTLS,
			describe: "not TLS: the server answered 0x00ff133742",
		},
		{
			name: "garbage after a handshake record header",
			handle: func(conn *net.TCPConn) {
				readHello(conn)
				conn.Write(mustHex("1603030004" + "0b000009"))
				conn.Close()
			},
			kind:     KindSilentClose,
			describe: "server closed the connection inside a handshake message",
		},
		{
			name: "record over the length limit",
			handle: func(conn *net.TCPConn) {
				readHello(conn)
				conn.Write(mustHex("1603034801")) // 18433 bytes announced
				time.Sleep(time.Second)
				conn.Close()
			},
			kind:     KindMalformed,
			describe: "record of 18433 bytes exceeds the 18432-byte limit",
			check: func(t *testing.T, r *Result) {
				var pe *ParseError
				if !errors.As(r.Err, &pe) || pe.Field != "record.length" || pe.Offset != 3 {
					t.Errorf("Err = %#v; want a *ParseError for record.length at byte 3", r.Err)
				}
			},
		},
		{
			name: "immediate close",
			handle: func(conn *net.TCPConn) {
				readHello(conn)
				conn.Close()
			},
			kind:     KindSilentClose,
			describe: "server closed the connection without a TLS answer",
		},
		{
			name: "reset",
			handle: func(conn *net.TCPConn) {
				readHello(conn)
				conn.SetLinger(0)
				conn.Close()
			},
			kind:     KindReset,
			describe: "connection reset by peer",
		},
		{
			name: "silence",
			handle: func(conn *net.TCPConn) {
				readHello(conn)
				time.Sleep(3 * time.Second)
				conn.Close()
			},
			timeout:  time.Second,
			kind:     KindTimeout,
			describe: "timed out after 1s waiting for the first byte",
		},
		{
			name: "close inside a record",
			handle: func(conn *net.TCPConn) {
				readHello(conn)
				conn.Write(tls12Flight()[:20])
				conn.Close()
			},
			kind:     KindSilentClose,
			describe: "server closed the connection inside a 42-byte record, after 20 bytes",
		},
		{
			name: "fatal alert",
			handle: func(conn *net.TCPConn) {
				readHello(conn)
				conn.Write(mustHex("15030100020246"))
				conn.Close()
			},
			kind:     KindAlert,
			describe: "fatal alert protocol_version (70)",
		},
		{
			name: "server hello then close before done",
			handle: func(conn *net.TCPConn) {
				readHello(conn)
				flight := tls12Flight()
				conn.Write(flight[:len(flight)-4])
				conn.Close()
			},
			kind:     KindServerHello,
			describe: "server chose TLS 1.2 with TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (server closed the connection before the ServerHelloDone)",
		},
		{
			name: "complete minimal flight",
			handle: func(conn *net.TCPConn) {
				readHello(conn)
				conn.Write(tls12Flight())
				time.Sleep(time.Second)
				conn.Close()
			},
			kind:     KindServerHello,
			describe: "server chose TLS 1.2 with TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
			check: func(t *testing.T, r *Result) {
				if r.Err != nil || !r.Flight.Complete || !r.Flight.ServerHelloDone {
					t.Errorf("flight = %v, err %v; want a complete flight", r.Flight, r.Err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			addr := startRawServer(t, tt.handle)
			timeout := tt.timeout
			if timeout == 0 {
				timeout = 5 * time.Second
			}
			p := &Prober{Timeout: timeout}
			r := p.Probe(context.Background(), addr, ModernHello("localhost", []Version{VersionTLS12}))
			if r.Kind != tt.kind {
				t.Fatalf("Kind = %s (%s); want %s", r.Kind, r.Describe(), tt.kind)
			}
			if got := r.Describe(); !strings.Contains(got, tt.describe) {
				t.Errorf("Describe() = %q; want it to contain %q", got, tt.describe)
			}
			if r.Err != nil && r.Error != r.Err.Error() {
				t.Errorf("Error = %q; want Err's text %q", r.Error, r.Err.Error())
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

// TestProbeTrickleEndsAtTimeout checks that a server sending one byte a
// second cannot hold a probe past its Timeout.
func TestProbeTrickleEndsAtTimeout(t *testing.T) {
	t.Parallel()
	addr := startRawServer(t, func(conn *net.TCPConn) {
		readHello(conn)
		for _, b := range tls12Flight() {
			if _, err := conn.Write([]byte{b}); err != nil {
				return
			}
			time.Sleep(time.Second)
		}
	})
	const timeout = 2 * time.Second
	p := &Prober{Timeout: timeout}
	start := time.Now()
	r := p.Probe(context.Background(), addr, ModernHello("localhost", []Version{VersionTLS12}))
	elapsed := time.Since(start)
	if r.Kind != KindTimeout || r.Phase != "rest of flight" {
		t.Errorf("result = %s phase %q (%s); want timeout in phase rest of flight", r.Kind, r.Phase, r.Describe())
	}
	if elapsed > timeout+time.Second {
		t.Errorf("probe took %s; want at most %s", elapsed, timeout+time.Second)
	}
	if want := "timed out after 2s waiting for the rest of the flight"; r.Describe() != want {
		t.Errorf("Describe() = %q; want %q", r.Describe(), want)
	}
}

func TestProbeConnectFailed(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()

	p := &Prober{}
	r := p.Probe(context.Background(), addr, ModernHello("", []Version{VersionTLS12}))
	if r.Kind != KindConnectFailed {
		t.Fatalf("Kind = %s (%s); want connect_failed", r.Kind, r.Describe())
	}
	if !strings.Contains(r.Error, "connection refused") {
		t.Errorf("Error = %q; want it to name the refusal", r.Error)
	}
	if p.Connections() != 0 {
		t.Errorf("Connections() = %d after a refused dial; want 0", p.Connections())
	}
}

func TestProbeInvalidAddress(t *testing.T) {
	r := (&Prober{}).Probe(context.Background(), "127.0.0.1", ModernHello("", nil))
	if r.Kind != KindConnectFailed || !strings.Contains(r.Error, "use host:port") {
		t.Errorf("result = %s %q; want connect_failed with a host:port hint", r.Kind, r.Error)
	}
}

func TestProbeHelloThatDoesNotEncode(t *testing.T) {
	r := (&Prober{}).Probe(context.Background(), "127.0.0.1:1", &ClientHello{Version: VersionTLS12})
	if r.Kind != KindProbeError || !strings.Contains(r.Error, "no cipher suites") {
		t.Errorf("result = %s %q; want probe_error naming the missing suites", r.Kind, r.Error)
	}
}

// countingConn reports its Close to the dialer that made it.
type countingConn struct {
	net.Conn
	closed func()
}

func (c *countingConn) Close() error {
	c.closed()
	return c.Conn.Close()
}

// TestProbePerHostLimit checks that concurrent probes of one host never
// hold more connections than MaxConnsPerHost.
func TestProbePerHostLimit(t *testing.T) {
	t.Parallel()
	addr := startRawServer(t, func(conn *net.TCPConn) {
		readHello(conn)
		time.Sleep(100 * time.Millisecond)
		conn.Write(mustHex("15030300020228"))
		conn.Close()
	})
	var mu sync.Mutex
	var open, peak int
	p := &Prober{MaxConnsPerHost: 2}
	p.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		conn, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		mu.Lock()
		open++
		peak = max(peak, open)
		mu.Unlock()
		var once sync.Once
		return &countingConn{Conn: conn, closed: func() {
			once.Do(func() {
				mu.Lock()
				open--
				mu.Unlock()
			})
		}}, nil
	}
	done := make(chan *Result)
	for range 6 {
		go func() { done <- p.Probe(context.Background(), addr, ModernHello("", []Version{VersionTLS12})) }()
	}
	for range 6 {
		if r := <-done; r.Kind != KindAlert {
			t.Errorf("Kind = %s (%s); want alert", r.Kind, r.Describe())
		}
	}
	if peak != 2 {
		t.Errorf("peak of concurrent connections = %d; want 2", peak)
	}
	if p.Connections() != 6 {
		t.Errorf("Connections() = %d; want 6", p.Connections())
	}
}

func TestProbeCanceledContext(t *testing.T) {
	t.Parallel()
	addr := startRawServer(t, func(conn *net.TCPConn) {
		readHello(conn)
		time.Sleep(3 * time.Second)
		conn.Close()
	})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	r := (&Prober{}).Probe(ctx, addr, ModernHello("", []Version{VersionTLS12}))
	if r.Kind != KindProbeError {
		t.Errorf("Kind = %s (%s); want probe_error", r.Kind, r.Describe())
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("canceled probe took %s; want it to stop at once", elapsed)
	}
}

// TestProbeConnectTimeout uses a dialer that never connects, because tests
// may only reach loopback addresses, where connects do not hang.
func TestProbeConnectTimeout(t *testing.T) {
	t.Parallel()
	p := &Prober{Timeout: 300 * time.Millisecond}
	p.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	r := p.Probe(context.Background(), "127.0.0.1:443", ModernHello("", nil))
	if r.Kind != KindTimeout || r.Phase != "connect" {
		t.Fatalf("result = %s phase %q; want timeout in phase connect", r.Kind, r.Phase)
	}
	if want := "timed out after 300ms connecting"; r.Describe() != want {
		t.Errorf("Describe() = %q; want %q", r.Describe(), want)
	}
}

func TestResultDescribe(t *testing.T) {
	hrr := &ServerFlight{ServerHello: &ServerHello{Version: VersionTLS13, HelloRetryRequest: true, KeyShareGroup: 0x0018}}
	tls10 := &ServerFlight{ServerHello: &ServerHello{Version: VersionTLS10, CipherSuite: 0xc013}}
	tests := []struct {
		name   string
		result *Result
		want   string
	}{
		{"alert", &Result{Kind: KindAlert, Alert: &Alert{Level: AlertLevelFatal, Description: 70}}, "fatal alert protocol_version (70)"},
		{"server hello", &Result{Kind: KindServerHello, Flight: tls10}, "server chose TLS 1.0 with TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
		{"server hello then alert", &Result{Kind: KindServerHello, Flight: tls10, Alert: &Alert{Level: AlertLevelFatal, Description: 40}}, "server chose TLS 1.0 with TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, then sent fatal alert handshake_failure (40)"},
		{"hello retry request", &Result{Kind: KindHelloRetryRequest, Flight: hrr}, "server chose TLS 1.3 and asked for a secp384r1 key share (HelloRetryRequest)"},
		{"reset", &Result{Kind: KindReset}, "connection reset by peer"},
		{"silent close", &Result{Kind: KindSilentClose}, "server closed the connection without a TLS answer"},
		{"timeout", &Result{Kind: KindTimeout, Phase: "first byte", Err: &TimeoutError{Phase: "first byte", After: 10 * time.Second}}, "timed out after 10s waiting for the first byte"},
		{"not tls text", &Result{Kind: KindNotTLS, FirstBytes: []byte("HTTP/1.1 400 Bad Request\r\nServer: x")}, `not TLS: the server answered "HTTP/1.1 400 Bad Request"`},
		{"not tls binary", &Result{Kind: KindNotTLS, FirstBytes: []byte{0x80, 0x03}}, "not TLS: the server answered 0x8003"},
		{"connect failed", &Result{Kind: KindConnectFailed, Error: "dial tcp 127.0.0.1:1: connect: connection refused"}, "connection failed: dial tcp 127.0.0.1:1: connect: connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.result.Describe(); got != tt.want {
				t.Errorf("Describe() = %q; want %q", got, tt.want)
			}
		})
	}
}

func TestProbeIntervalSpacesConnections(t *testing.T) {
	t.Parallel()
	addr := startRawServer(t, func(conn *net.TCPConn) {
		readHello(conn)
		conn.Write(mustHex("15030300020228"))
		conn.Close()
	})
	const interval = 50 * time.Millisecond
	var mu sync.Mutex
	var starts []time.Time
	p := &Prober{MaxConnsPerHost: 4, Interval: interval}
	p.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		mu.Lock()
		starts = append(starts, time.Now())
		mu.Unlock()
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	started := time.Now()
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.Probe(context.Background(), addr, ModernHello("", []Version{VersionTLS12}))
		}()
	}
	wg.Wait()
	elapsed := time.Since(started)

	if len(starts) != 4 {
		t.Fatalf("dials = %d; want 4", len(starts))
	}
	// The fourth connection may start no earlier than three intervals after
	// the first. The dial times themselves can lag their booked start on a
	// busy machine, so the bound is checked on the whole run.
	if want := 3 * interval; elapsed < want {
		t.Errorf("4 probes took %s; want at least %s with an interval of %s", elapsed, want, interval)
	}
}

func TestProbeIntervalCanceled(t *testing.T) {
	t.Parallel()
	p := &Prober{Interval: time.Hour}
	if _, err := p.Acquire(context.Background(), "127.0.0.1"); err != nil {
		t.Fatalf("first Acquire: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := p.Acquire(ctx, "127.0.0.1"); err == nil {
		t.Error("second Acquire with a canceled context succeeded; want the context's error")
	}
}
