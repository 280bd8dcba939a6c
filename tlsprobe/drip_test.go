package tlsprobe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/cryptobyte"
)

// dripCertLen is the size of the one certificate in a dripping server's
// Certificate message, 200 KiB: a long chain, below maxHandshakeMessage.
const dripCertLen = 200 << 10

// dripChunk is how many bytes a dripping server writes at a time.
const dripChunk = 64

// handshakeRecords splits a handshake stream into records of at most
// recordLen bytes.
func handshakeRecords(hs []byte, recordLen int) []byte {
	var out []byte
	for len(hs) > 0 {
		n := min(len(hs), recordLen)
		out = append(out, record(recordHandshake, hs[:n])...)
		hs = hs[n:]
	}
	return out
}

// dripFlightAfterHello returns the TLS 1.2 flight after the ServerHello: a
// Certificate with one certLen-byte certificate and ServerHelloDone, in
// handshake records of at most recordLen bytes.
func dripFlightAfterHello(certLen, recordLen int) []byte {
	cert := make([]byte, certLen)
	for i := range cert {
		cert[i] = byte(i)
	}
	return handshakeRecords(cat(certificateMsg(cert), shdMsg), recordLen)
}

// Outcomes of one connection to a dripServer.
const (
	dripRejected     = "rejected"      // no acceptable suite: a fatal alert
	dripCutShort     = "cut short"     // the client closed during the drip
	dripFinished     = "finished"      // the whole flight was written
	dripOutOfTime    = "out of time"   // the raw server's deadline ended the drip
	dripBrokenClient = "broken client" // the ClientHello did not parse
)

// dripServer is a TLS 1.2 server played by a raw server. It picks the first
// offered suite of accept and writes the ServerHello at once. Then it writes
// the Certificate (200 KiB, in full 2^14-byte records) and ServerHelloDone
// dripChunk bytes per write, with a pause before each write. It sends the
// outcome of each connection to outcomes.
type dripServer struct {
	addr     string
	outcomes chan string
}

// startDripServer starts a dripServer that pauses for pause between writes.
func startDripServer(t *testing.T, accept []uint16, pause time.Duration) *dripServer {
	t.Helper()
	s := &dripServer{outcomes: make(chan string, 1024)}
	rest := dripFlightAfterHello(dripCertLen, maxPlaintext)
	s.addr = startRawServer(t, func(conn *net.TCPConn) {
		defer conn.Close()
		s.outcomes <- serveDrip(conn, accept, rest, pause)
	})
	return s
}

// serveDrip plays one connection of a dripServer and returns its outcome.
func serveDrip(conn *net.TCPConn, accept []uint16, rest []byte, pause time.Duration) string {
	offered, err := readOfferedSuites(conn)
	if err != nil {
		return dripBrokenClient + ": " + err.Error()
	}
	i := slices.IndexFunc(offered, func(id uint16) bool { return slices.Contains(accept, id) })
	if i < 0 {
		conn.Write(record(recordAlert, []byte{byte(AlertLevelFatal), 40})) // handshake_failure
		return dripRejected
	}
	hello := record(recordHandshake, hsMsg(typeServerHello, serverHelloBody(0x0303, nil, offered[i])))
	if _, err := conn.Write(hello); err != nil {
		return dripWriteFailure(err)
	}
	for len(rest) > 0 {
		time.Sleep(pause)
		n := min(len(rest), dripChunk)
		if _, err := conn.Write(rest[:n]); err != nil {
			return dripWriteFailure(err)
		}
		rest = rest[n:]
	}
	return dripFinished
}

// dripWriteFailure returns the outcome of a failed write: the client closed
// the connection, unless the raw server's own deadline passed.
func dripWriteFailure(err error) string {
	if isTimeout(err) {
		return dripOutOfTime
	}
	return dripCutShort
}

// readOfferedSuites reads a ClientHello in one record and returns its
// cipher suites in the order offered.
func readOfferedSuites(conn net.Conn) ([]uint16, error) {
	header := make([]byte, recordHeaderLen)
	if _, err := io.ReadFull(conn, header); err != nil {
		return nil, err
	}
	body := make([]byte, int(header[3])<<8|int(header[4]))
	if _, err := io.ReadFull(conn, body); err != nil {
		return nil, err
	}
	s := cryptobyte.String(body)
	var msgType uint8
	var version uint16
	var msg, sessionID, suites cryptobyte.String
	if !s.ReadUint8(&msgType) || msgType != typeClientHello || !s.ReadUint24LengthPrefixed(&msg) ||
		!msg.ReadUint16(&version) || !msg.Skip(32) || !msg.ReadUint8LengthPrefixed(&sessionID) ||
		!msg.ReadUint16LengthPrefixed(&suites) {
		return nil, fmt.Errorf("ClientHello of %d bytes does not parse up to its cipher suites", len(body))
	}
	var ids []uint16
	for !suites.Empty() {
		var id uint16
		if !suites.ReadUint16(&id) {
			return nil, errors.New("cipher_suites has an odd length")
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// TestProbeServerHelloDrippingServer checks that ProbeServerHello returns at
// the ServerHello of a server that takes seconds to drip its Certificate.
// The Timeout is 30s and the drip ends after 3200 pauses of 1ms, so a
// probe that waited for the flight would see it finish, which the server
// reports.
func TestProbeServerHelloDrippingServer(t *testing.T) {
	t.Parallel()
	const suite = 0xc030 // TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
	s := startDripServer(t, []uint16{suite}, time.Millisecond)
	hello := ModernHello("localhost", []Version{VersionTLS12})
	hello.CipherSuites = []uint16{suite, 0xc02f}
	p := &Prober{Timeout: 30 * time.Second}

	r := p.ProbeServerHello(context.Background(), s.addr, hello)

	if r.Kind != KindServerHello {
		t.Fatalf("Kind = %s (%s); want server_hello", r.Kind, r.Describe())
	}
	if r.Err != nil {
		t.Errorf("Err = %v; want nil, because the probe ends at the ServerHello", r.Err)
	}
	if got := r.Flight.ServerHello.CipherSuite; got != suite {
		t.Errorf("CipherSuite = 0x%04x; want 0x%04x", got, suite)
	}
	if !r.StoppedAtServerHello {
		t.Errorf("StoppedAtServerHello = false; want true")
	}
	if r.Flight.Complete {
		t.Errorf("Flight.Complete = true; want false, because the Certificate was not read")
	}
	if len(r.Flight.Certificates) != 0 {
		t.Errorf("Flight has %d certificates; want none parsed", len(r.Flight.Certificates))
	}
	if got := <-s.outcomes; got != dripCutShort {
		t.Errorf("server outcome = %q; want %q, the client closing before the Certificate ended", got, dripCutShort)
	}
}

// TestProbeServerHelloOutcomes covers what ProbeServerHello returns for
// responses other than a dripping TLS 1.2 flight.
func TestProbeServerHelloOutcomes(t *testing.T) {
	tls12Rest := cat(record(recordHandshake, certificateMsg([]byte{0x30, 0x00})), record(recordHandshake, shdMsg))
	hrr := hsMsg(typeServerHello, serverHelloBody(0x0303, helloRetryRequestRandom, 0x1301,
		ext(extSupportedVersions, u16(0x0304)), ext(extKeyShare, u16(0x0017))))
	tests := []struct {
		name     string
		response []byte
		kind     Kind
		stopped  bool
		check    func(t *testing.T, r *Result)
	}{
		{
			name:     "whole TLS 1.2 flight in one write",
			response: cat(record(recordHandshake, shTLS12), tls12Rest),
			kind:     KindServerHello,
			stopped:  true,
			check: func(t *testing.T, r *Result) {
				if len(r.Flight.Certificates) != 0 || r.Flight.ServerHelloDone {
					t.Errorf("flight = %v; want the messages after the ServerHello left unparsed", r.Flight)
				}
			},
		},
		{
			name:     "TLS 1.2 flight in one-byte records",
			response: oneByteRecords(cat(shTLS12, certificateMsg([]byte{0x30, 0x00}), shdMsg)),
			kind:     KindServerHello,
			stopped:  true,
		},
		{
			name:     "TLS 1.2 hello and a malformed record after it",
			response: cat(record(recordHandshake, shTLS12), []byte{0x63, 0x03, 0x03, 0x00, 0x01, 0x00}),
			kind:     KindServerHello,
			stopped:  true,
		},
		{
			name:     "TLS 1.3 hello",
			response: record(recordHandshake, shTLS13),
			kind:     KindServerHello,
			check: func(t *testing.T, r *Result) {
				if !r.Flight.Complete {
					t.Errorf("Flight.Complete = false; want true, because a TLS 1.3 clear flight ends at the ServerHello")
				}
			},
		},
		{
			name:     "hello retry request",
			response: record(recordHandshake, hrr),
			kind:     KindHelloRetryRequest,
		},
		{
			name:     "fatal alert",
			response: alertFlow,
			kind:     KindAlert,
		},
		{
			name:     "warning alert before the hello",
			response: cat(record(recordAlert, []byte{byte(AlertLevelWarning), 112}), record(recordHandshake, shTLS12)),
			kind:     KindServerHello,
			stopped:  true,
			check: func(t *testing.T, r *Result) {
				want := []Alert{{Level: AlertLevelWarning, Description: 112}}
				if !slices.Equal(r.Flight.Alerts, want) {
					t.Errorf("Flight.Alerts = %v; want %v", r.Flight.Alerts, want)
				}
			},
		},
		{
			name:     "plain HTTP",
			response: []byte("HTTP/1.1 400 Bad Request\r\n\r\n"),
			kind:     KindNotTLS,
		},
		{
			name:     "close before the hello ends",
			response: record(recordHandshake, shTLS12)[:20],
			kind:     KindSilentClose,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			addr := startRawServer(t, func(conn *net.TCPConn) {
				defer conn.Close()
				readHello(conn)
				conn.Write(tt.response)
			})
			p := &Prober{Timeout: 30 * time.Second}
			r := p.ProbeServerHello(context.Background(), addr, ModernHello("localhost", []Version{VersionTLS12, VersionTLS13}))
			if r.Kind != tt.kind {
				t.Fatalf("Kind = %s (%s); want %s", r.Kind, r.Describe(), tt.kind)
			}
			if r.StoppedAtServerHello != tt.stopped {
				t.Errorf("StoppedAtServerHello = %v; want %v", r.StoppedAtServerHello, tt.stopped)
			}
			if tt.stopped && (r.Flight.Complete || r.Err != nil) {
				t.Errorf("flight complete %v, Err %v; want an incomplete flight and no error", r.Flight.Complete, r.Err)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

// TestProbeDrippingServerAllocation checks that a full Probe of a server
// that drips a 200 KiB Certificate 64 bytes at a time allocates in
// proportion to the flight. A read loop that parsed the whole buffer again
// after each read allocated about 600 MB here. The test does not run in
// parallel, because it reads process-wide allocation counters.
func TestProbeDrippingServerAllocation(t *testing.T) {
	const limit = 16 << 20
	s := startDripServer(t, []uint16{0xc02f}, 100*time.Microsecond)
	p := &Prober{Timeout: 30 * time.Second}
	hello := ModernHello("localhost", []Version{VersionTLS12})

	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r := p.Probe(context.Background(), s.addr, hello)
	runtime.ReadMemStats(&after)

	if r.Kind != KindServerHello || r.Err != nil || !r.Flight.Complete {
		t.Fatalf("Probe = %s (%s); want a complete flight", r.Kind, r.Describe())
	}
	if len(r.Flight.Certificates) != 1 || len(r.Flight.Certificates[0]) != dripCertLen {
		t.Errorf("flight = %v; want one certificate of %d bytes", r.Flight, dripCertLen)
	}
	if r.StoppedAtServerHello {
		t.Errorf("StoppedAtServerHello = true; want false for Probe")
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > limit {
		t.Errorf("probe allocated %d bytes; want at most %d", got, limit)
	} else {
		t.Logf("probe allocated %d bytes", got)
	}
	if got := <-s.outcomes; got != dripFinished {
		t.Errorf("server outcome = %q; want %q", got, dripFinished)
	}
}

// TestSuitesDrippingServer runs a TLS 1.2 suite scan against a dripServer
// that accepts three suites. Each accepted probe must close its connection
// at the ServerHello: the server reports every drip it finished, and a scan
// that waited would take seconds per accepted probe.
func TestSuitesDrippingServer(t *testing.T) {
	t.Parallel()
	accept := []uint16{0xc02f, 0xc030, 0x009c}
	s := startDripServer(t, accept, time.Millisecond)
	p := &Prober{Timeout: 30 * time.Second}

	scan := p.Suites(context.Background(), s.addr, "localhost", VersionTLS12)

	if scan.Err != "" {
		t.Fatalf("Suites Err = %q; want none", scan.Err)
	}
	if got, want := sortedIDs(scan.Accepted), sortedIDs(accept); !slices.Equal(got, want) {
		t.Errorf("Suites accepted %s; want %s", suiteNames(got), suiteNames(want))
	}
	if scan.ServerOrder {
		t.Errorf("ServerOrder = true; want false for a server that picks the client's first suite")
	}
	counts := map[string]int{}
	for range scan.Probes {
		counts[<-s.outcomes]++
	}
	if counts[dripFinished] != 0 {
		t.Errorf("%d probes waited for the whole flight; want none (outcomes %v)", counts[dripFinished], counts)
	}
	if counts[dripCutShort] < len(accept) {
		t.Errorf("%d probes closed at the ServerHello; want at least %d (outcomes %v)", counts[dripCutShort], len(accept), counts)
	}
}

// dripPipe serves flight over net.Pipe, dripChunk bytes per write, after
// reading helloLen bytes, and returns the client end.
func dripPipe(helloLen int, flight []byte) net.Conn {
	client, server := net.Pipe()
	go func() {
		defer server.Close()
		if _, err := io.ReadFull(server, make([]byte, helloLen)); err != nil {
			return
		}
		for rest := flight; len(rest) > 0; {
			n := min(len(rest), dripChunk)
			if _, err := server.Write(rest[:n]); err != nil {
				return
			}
			rest = rest[n:]
		}
	}()
	return client
}

// BenchmarkExchangeDrip measures the read loop against a server that sends
// a TLS 1.2 flight with a 200 KiB Certificate 64 bytes per write. It runs
// over net.Pipe, so every Read returns at most 64 bytes and no time passes
// between them. The sub-benchmarks differ in the record size the server
// uses.
func BenchmarkExchangeDrip(b *testing.B) {
	hello, err := ModernHello("localhost", []Version{VersionTLS12}).Records()
	if err != nil {
		b.Fatal(err)
	}
	for _, recordLen := range []int{maxPlaintext, 1 << 10} {
		flight := cat(record(recordHandshake, shTLS12), dripFlightAfterHello(dripCertLen, recordLen))
		b.Run(strconv.Itoa(recordLen>>10)+"KiB_records", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(flight)))
			p := &Prober{}
			for b.Loop() {
				client := dripPipe(len(hello), flight)
				deadline := time.Now().Add(time.Minute)
				client.SetDeadline(deadline)
				r := p.exchange(context.Background(), client, hello, modeTLS, deadline, time.Minute)
				client.Close()
				if r.Kind != KindServerHello || r.Flight == nil || !r.Flight.ServerHelloDone {
					b.Fatalf("exchange = %s (%s); want a complete TLS 1.2 flight", r.Kind, r.Describe())
				}
			}
		})
	}
}

// feedInPieces feeds data to a new flightParser in pieces whose sizes cycle
// through sizes, and checks after each piece that the state equals that of
// parsing the bytes so far in one call. It stops at the first state other
// than flightNeedMore, as a probe does.
func feedInPieces(t *testing.T, data []byte, sizes []int, stopAtServerHello bool) {
	t.Helper()
	fp := &flightParser{stopAtServerHello: stopAtServerHello}
	for end, i := 0, 0; end < len(data); i++ {
		end = min(len(data), end+sizes[i%len(sizes)])
		got := fp.feed(data[:end])
		one := &flightParser{stopAtServerHello: stopAtServerHello}
		want := one.feed(data[:end])
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("after %d of %d bytes in pieces of %v: state %+v; want %+v as in one call", end, len(data), sizes, got, want)
		}
		if one.stoppedAtServerHello != fp.stoppedAtServerHello {
			t.Fatalf("after %d bytes: stoppedAtServerHello %v; want %v", end, fp.stoppedAtServerHello, one.stoppedAtServerHello)
		}
		if got.status != flightNeedMore {
			return
		}
	}
}

// TestFlightParserPieces checks that the parser's state does not depend on
// where reads split the stream, for the recorded flights and for hostile
// ones, in both modes.
func TestFlightParserPieces(t *testing.T) {
	inputs := map[string][]byte{
		"one-byte records":         oneByteRecords(cat(shTLS12, certificateMsg(make([]byte, 300)), shdMsg)),
		"warnings over the limit":  warningRecords(maxIgnoredMessages+1, 90),
		"malformed after hello":    cat(record(recordHandshake, shTLS12), []byte{0x63, 0x03, 0x03, 0x00, 0x01, 0x00}),
		"alert after the flight":   cat(record(recordHandshake, cat(shTLS12, shdMsg)), alertFlow, []byte{0x16, 0x03}),
		"1 KiB records":            cat(record(recordHandshake, shTLS12), dripFlightAfterHello(8<<10, 1<<10)),
		"certificate over a limit": record(recordHandshake, cat(shTLS12, []byte{typeCertificate, 0x04, 0x00, 0x01})),
		"not TLS":                  []byte("HTTP/1.1 400 Bad Request\r\n"),
	}
	for _, path := range flightFiles(t) {
		_, data := readFlightFile(t, path)
		inputs[strings.TrimSuffix(filepath.Base(path), ".txt")] = data
	}
	pieceSizes := [][]int{{1}, {2}, {5}, {64}, {1000}, {3, 1, 700}}
	for name, data := range inputs {
		for _, stop := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s stop=%v", name, stop), func(t *testing.T) {
				for _, sizes := range pieceSizes {
					feedInPieces(t, data, sizes, stop)
				}
			})
		}
	}
}

// FuzzFlightParserPieces checks that feeding a stream in pieces gives, after
// every piece, the state of parsing those bytes in one call. Each byte of
// cuts plus one is the size of a piece, in a cycle.
func FuzzFlightParserPieces(f *testing.F) {
	for _, path := range flightFiles(f) {
		_, data := readFlightFile(f, path)
		f.Add(data, []byte{0, 6, 200}, false)
		f.Add(data, []byte{63}, true)
	}
	f.Add(oneByteRecords(cat(shTLS12, shdMsg)), []byte{4}, true)
	f.Fuzz(func(t *testing.T, data, cuts []byte, stop bool) {
		if len(cuts) == 0 {
			cuts = []byte{0}
		}
		sizes := make([]int, len(cuts))
		for i, c := range cuts {
			sizes[i] = int(c) + 1
		}
		feedInPieces(t, data, sizes, stop)
	})
}
