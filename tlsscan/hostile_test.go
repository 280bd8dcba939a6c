package tlsscan

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimdoctor/scimdoctor/internal/testservers"
)

// hostileTimeout bounds each connection of the scans against hostile
// servers. It is short so that servers that never finish cost one second
// per connection.
const hostileTimeout = time.Second

// Record and handshake bytes of the hostile servers (RFC 5246, Sections
// 6.2.1 and 7.4).
const (
	hostileRecordAlert     = 21
	hostileRecordHandshake = 22
	hostileServerHello     = 2
	hostileCertificate     = 11
	hostileServerHelloDone = 14
)

// Extension types the hostile ServerHellos carry (IANA TLS ExtensionType
// Values).
const (
	hostileExtSupportedVersions   = 43
	hostileExtKeyShare            = 51
	hostileExtRenegotiationInfo   = 0xff01
	hostileGroupX25519            = 0x001d
	hostileSuiteECDHERSAAES128GCM = 0xc02f
)

// clientHello is what the hostile servers need of the ClientHello they
// receive.
type clientHello struct {
	// sslv2 reports an SSL 2.0 CLIENT-HELLO, which the servers close.
	sslv2 bool
	// suites lists the offered cipher suites in order.
	suites []uint16
}

// readClientHello reads one ClientHello, which may span records. Reading it
// all lets a server close with FIN, because Linux sends RST for a socket
// closed with unread data.
func readClientHello(conn net.Conn) (clientHello, error) {
	var hello clientHello
	header := make([]byte, 5)
	if _, err := io.ReadFull(conn, header); err != nil {
		return hello, err
	}
	if header[0]&0x80 != 0 {
		// SSL 2.0 record: a two-byte header with the length in the low 15
		// bits. Three of the five bytes read belong to the body.
		hello.sslv2 = true
		n := int(header[0]&0x7f)<<8 | int(header[1])
		_, err := io.CopyN(io.Discard, conn, int64(n-3))
		return hello, err
	}
	if header[0] != hostileRecordHandshake {
		return hello, fmt.Errorf("first record has content type %d, want handshake (22)", header[0])
	}

	var msg []byte
	for {
		n := int(binary.BigEndian.Uint16(header[3:5]))
		payload := make([]byte, n)
		if _, err := io.ReadFull(conn, payload); err != nil {
			return hello, err
		}
		msg = append(msg, payload...)
		if len(msg) >= 4 && len(msg) >= 4+int(msg[1])<<16|int(msg[2])<<8|int(msg[3]) {
			break
		}
		if _, err := io.ReadFull(conn, header); err != nil {
			return hello, err
		}
	}

	// Body: legacy_version (2), random (32), legacy_session_id<0..32>,
	// cipher_suites<2..2^16-2>.
	body := msg[4:]
	if len(body) < 35 {
		return hello, fmt.Errorf("ClientHello body of %d bytes is too short", len(body))
	}
	rest := body[35+int(body[34]):]
	if len(rest) < 2 {
		return hello, errors.New("ClientHello ends before its cipher suites")
	}
	n := int(binary.BigEndian.Uint16(rest))
	if len(rest) < 2+n {
		return hello, errors.New("ClientHello cipher suites are truncated")
	}
	for i := 2; i+1 < 2+n; i += 2 {
		hello.suites = append(hello.suites, binary.BigEndian.Uint16(rest[i:]))
	}
	return hello, nil
}

// firstSuite returns the first offered suite that is not a signalling value
// (TLS_EMPTY_RENEGOTIATION_INFO_SCSV 0x00ff, TLS_FALLBACK_SCSV 0x5600), or
// TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 when there is none.
func (h clientHello) firstSuite() uint16 {
	for _, s := range h.suites {
		if s != 0x00ff && s != 0x5600 {
			return s
		}
	}
	return hostileSuiteECDHERSAAES128GCM
}

// hostileRecord wraps payload in one record of contentType with version
// TLS 1.2.
func hostileRecord(contentType byte, payload []byte) []byte {
	out := []byte{contentType, 3, 3, byte(len(payload) >> 8), byte(len(payload))}
	return append(out, payload...)
}

// handshakeMessage wraps body in a handshake header that announces length.
func handshakeMessage(msgType byte, length int, body []byte) []byte {
	out := []byte{msgType, byte(length >> 16), byte(length >> 8), byte(length)}
	return append(out, body...)
}

// extension encodes one ServerHello extension.
func extension(extType uint16, data []byte) []byte {
	out := binary.BigEndian.AppendUint16(nil, extType)
	out = binary.BigEndian.AppendUint16(out, uint16(len(data)))
	return append(out, data...)
}

// serverHelloBody builds a ServerHello body with legacy_version version,
// an empty session ID, suite, no compression and exts (no extensions block
// when exts is nil).
func serverHelloBody(version, suite uint16, exts ...[]byte) []byte {
	body := binary.BigEndian.AppendUint16(nil, version)
	for i := range 32 {
		body = append(body, byte(0x40+i))
	}
	body = append(body, 0) // legacy_session_id
	body = binary.BigEndian.AppendUint16(body, suite)
	body = append(body, 0) // compression_method null
	if exts == nil {
		return body
	}
	var block []byte
	for _, e := range exts {
		block = append(block, e...)
	}
	body = binary.BigEndian.AppendUint16(body, uint16(len(block)))
	return append(body, block...)
}

// serverHelloRecord wraps a ServerHello body in a handshake message and a
// record, both of the right length.
func serverHelloRecord(body []byte) []byte {
	return hostileRecord(hostileRecordHandshake, handshakeMessage(hostileServerHello, len(body), body))
}

// serverHelloDoneRecord is a ServerHelloDone in its own record.
func serverHelloDoneRecord() []byte {
	return hostileRecord(hostileRecordHandshake, handshakeMessage(hostileServerHelloDone, 0, nil))
}

// hostileServer starts a raw server that reads each ClientHello, closes SSL
// 2.0 hellos, and hands TLS hellos to answer. The connection closes when
// answer returns.
func hostileServer(t testing.TB, answer func(conn *net.TCPConn, hello clientHello)) string {
	t.Helper()
	return testservers.StartRaw(t, func(conn *net.TCPConn) {
		defer conn.Close()
		hello, err := readClientHello(conn)
		if err != nil || hello.sslv2 {
			return
		}
		answer(conn, hello)
	})
}

// writeUntilClosed writes chunk again and again until the client closes the
// connection or the raw server's deadline ends it, and returns the bytes
// written.
func writeUntilClosed(conn net.Conn, chunk []byte, pause time.Duration) int64 {
	var total int64
	for {
		n, err := conn.Write(chunk)
		total += int64(n)
		if err != nil {
			return total
		}
		if pause > 0 {
			time.Sleep(pause)
		}
	}
}

// answerOverrunningServerHello sends a ServerHello whose handshake header
// announces a body of 256 bytes, of which the record carries 45, then
// closes.
func answerOverrunningServerHello(conn *net.TCPConn, hello clientHello) {
	body := serverHelloBody(0x0303, hello.firstSuite(), extension(hostileExtRenegotiationInfo, []byte{0}))
	conn.Write(hostileRecord(hostileRecordHandshake, handshakeMessage(hostileServerHello, 256, body)))
}

// answerOverrunningExtensions sends a ServerHello whose extensions block
// announces 64 bytes more than the message holds, followed by a
// ServerHelloDone.
func answerOverrunningExtensions(conn *net.TCPConn, hello clientHello) {
	body := serverHelloBody(0x0303, hello.firstSuite(), extension(hostileExtRenegotiationInfo, []byte{0}))
	// The extensions length sits right after the compression method.
	extsAt := 2 + 32 + 1 + 2 + 1
	binary.BigEndian.PutUint16(body[extsAt:], uint16(len(body)-extsAt-2+64))
	conn.Write(append(serverHelloRecord(body), serverHelloDoneRecord()...))
	io.Copy(io.Discard, conn)
}

// answerDuplicateExtension returns a server that sends a TLS 1.2
// ServerHello with extension ext twice, then ServerHelloDone.
func answerDuplicateExtension(ext []byte) func(conn *net.TCPConn, hello clientHello) {
	return func(conn *net.TCPConn, hello clientHello) {
		body := serverHelloBody(0x0303, hello.firstSuite(), ext, ext)
		conn.Write(append(serverHelloRecord(body), serverHelloDoneRecord()...))
		io.Copy(io.Discard, conn)
	}
}

// certificateAnnounced is the length the hostile Certificate message
// announces: 16 MiB minus one byte, the largest 24-bit length.
const certificateAnnounced = 1<<24 - 1

// answerHugeCertificate returns a server that sends a valid TLS 1.2
// ServerHello, then a Certificate message announcing 16 MiB and streams
// its bytes in full records, with pause between records, until the client
// closes. written receives the bytes each connection wrote.
func answerHugeCertificate(pause time.Duration, written *atomic.Int64) func(conn *net.TCPConn, hello clientHello) {
	return func(conn *net.TCPConn, hello clientHello) {
		sh := serverHelloRecord(serverHelloBody(0x0303, hello.firstSuite(), extension(hostileExtRenegotiationInfo, []byte{0})))
		// certificate_list<0..2^24-1> of one certificate that fills it.
		var start []byte
		start = append(start, hostileCertificate)
		start = appendUint24(start, certificateAnnounced)
		start = appendUint24(start, certificateAnnounced-3)
		start = appendUint24(start, certificateAnnounced-6)
		start = append(start, 0x30, 0x83)
		if _, err := conn.Write(append(sh, hostileRecord(hostileRecordHandshake, start)...)); err != nil {
			return
		}
		filler := hostileRecord(hostileRecordHandshake, make([]byte, 1<<14))
		written.Add(writeUntilClosed(conn, filler, pause))
	}
}

// appendUint24 appends n as a 24-bit big-endian length.
func appendUint24(b []byte, n int) []byte {
	return append(b, byte(n>>16), byte(n>>8), byte(n))
}

// answerFragmentedCertificate returns a server that sends a valid TLS 1.2
// ServerHello, then a Certificate message of 200 KiB (under the parser's
// 256 KiB limit) in records of one byte each, as fast as the socket takes
// them. written receives the bytes each connection wrote. The records are
// built once, so that the server's allocations do not hide the scan's.
func answerFragmentedCertificate(written *atomic.Int64) func(conn *net.TCPConn, hello clientHello) {
	const certLen = 200 << 10
	var msg []byte
	msg = append(msg, hostileCertificate)
	msg = appendUint24(msg, certLen+6)
	msg = appendUint24(msg, certLen+3)
	msg = appendUint24(msg, certLen)
	msg = append(msg, make([]byte, certLen)...)
	records := make([]byte, 0, len(msg)*6)
	for _, b := range msg {
		records = append(records, hostileRecord(hostileRecordHandshake, []byte{b})...)
	}

	return func(conn *net.TCPConn, hello clientHello) {
		sh := serverHelloRecord(serverHelloBody(0x0303, hello.firstSuite(), extension(hostileExtRenegotiationInfo, []byte{0})))
		if _, err := conn.Write(sh); err != nil {
			return
		}
		n, _ := conn.Write(records)
		written.Add(int64(n))
		io.Copy(io.Discard, conn)
	}
}

// Alert descriptions of the warning stream (RFC 5246, Section 7.2).
const (
	alertUserCanceled     = 90
	alertNoRenegotiation  = 100
	alertLevelWarning     = 1
	warningStreamPerWrite = 512
)

// answerWarningStream returns a server that sends warning alerts without
// end, as fast as the socket takes them, after a TLS 1.2 ServerHello when
// afterHello is set. written receives the bytes each connection wrote.
func answerWarningStream(description byte, afterHello bool, written *atomic.Int64) func(conn *net.TCPConn, hello clientHello) {
	return func(conn *net.TCPConn, hello clientHello) {
		if afterHello {
			sh := serverHelloRecord(serverHelloBody(0x0303, hello.firstSuite(), extension(hostileExtRenegotiationInfo, []byte{0})))
			if _, err := conn.Write(sh); err != nil {
				return
			}
		}
		var chunk []byte
		for range warningStreamPerWrite {
			chunk = append(chunk, hostileRecord(hostileRecordAlert, []byte{alertLevelWarning, description})...)
		}
		written.Add(writeUntilClosed(conn, chunk, 0))
	}
}

// roundRobinVersions are the versions the inconsistent server answers with,
// one per connection in turn: the first four in legacy_version, the last
// two in supported_versions. 0x7f1c is TLS 1.3 draft 28 and 0x0305 a version
// that does not exist yet.
var roundRobinVersions = []uint16{0x0301, 0x0302, 0x0303, 0x0300, 0x7f1c, 0x0305}

// answerRoundRobin returns a server that answers each hello with the next
// version of roundRobinVersions, whatever the hello offered, and the first
// suite it offered.
func answerRoundRobin(next *atomic.Int64) func(conn *net.TCPConn, hello clientHello) {
	return func(conn *net.TCPConn, hello clientHello) {
		version := roundRobinVersions[int(next.Add(1)-1)%len(roundRobinVersions)]
		var out []byte
		if version > 0x0303 {
			share := binary.BigEndian.AppendUint16(nil, hostileGroupX25519)
			share = binary.BigEndian.AppendUint16(share, 32)
			share = append(share, make([]byte, 32)...)
			body := serverHelloBody(0x0303, hello.firstSuite(),
				extension(hostileExtSupportedVersions, binary.BigEndian.AppendUint16(nil, version)),
				extension(hostileExtKeyShare, share))
			out = serverHelloRecord(body)
		} else {
			out = append(serverHelloRecord(serverHelloBody(version, hello.firstSuite())), serverHelloDoneRecord()...)
		}
		conn.Write(out)
		io.Copy(io.Discard, conn)
	}
}

// answerHTTP400 answers with the 400 page nginx sends for plain HTTP on
// a TLS port.
func answerHTTP400(conn *net.TCPConn, hello clientHello) {
	page := "<html>\r\n<head><title>400 The plain HTTP request was sent to HTTPS port</title></head>\r\n</html>\r\n"
	conn.Write([]byte("HTTP/1.1 400 Bad Request\r\nServer: nginx\r\nContent-Type: text/html\r\nContent-Length: " +
		fmt.Sprint(len(page)) + "\r\nConnection: close\r\n\r\n" + page))
}

// answerTrickle sends a valid TLS 1.2 flight one byte a second.
func answerTrickle(conn *net.TCPConn, hello clientHello) {
	flight := append(serverHelloRecord(serverHelloBody(0x0303, hello.firstSuite())), serverHelloDoneRecord()...)
	for _, b := range flight {
		if _, err := conn.Write([]byte{b}); err != nil {
			return
		}
		time.Sleep(time.Second)
	}
}

// runHostileScan scans addr with hostileTimeout and fails the test when Run
// returns an error.
func runHostileScan(t *testing.T, addr string) *Result {
	t.Helper()
	r, err := Run(context.Background(), Options{Target: addr, ServerName: "localhost", Timeout: hostileTimeout})
	if err != nil {
		t.Fatalf("Run(%s) failed: %v", addr, err)
	}
	return r
}

// checkScanWentOn checks that the scan reached the certificate, SNI and
// client-certificate steps and that each reports an error or an outcome.
func checkScanWentOn(t *testing.T, r *Result) {
	t.Helper()
	if r.Unreachable {
		t.Fatalf("Unreachable = true (%s), want the scan to reach the TLS steps", r.Error)
	}
	if len(r.Versions) != 6 {
		t.Errorf("versions = %d entries, want 6 (SSL 2.0 to TLS 1.3)", len(r.Versions))
	}
	for _, v := range r.Versions {
		if v.Answer == "" || v.Kind == "" {
			t.Errorf("version %s has answer %q and kind %q, want both set", v.Version, v.Answer, v.Kind)
		}
	}
	if len(r.Skipped) > 0 && r.Certificate == nil && r.SNI == nil && r.ClientAuth == nil {
		// No probe got a TLS record, so the scan skipped the steps that
		// would only repeat that, and listed them in Skipped.
		if len(r.Clients) == 0 {
			t.Errorf("no client was simulated for a port without TLS answers")
		}
		return
	}
	if r.Certificate == nil {
		t.Errorf("certificate step did not run")
	} else if len(r.Certificate.Chain) == 0 && r.Certificate.Error == "" {
		t.Errorf("certificate step has neither a chain nor an error: %+v", r.Certificate)
	}
	if r.SNI == nil {
		t.Errorf("SNI step did not run")
	} else {
		if r.SNI.Summary == "" {
			t.Errorf("SNI summary is empty")
		}
		for _, res := range r.SNI.Results {
			if res.Outcome == "" {
				t.Errorf("SNI variant %s has no outcome", res.Variant)
			}
		}
	}
	if r.ClientAuth == nil {
		t.Errorf("client-certificate step did not run")
	} else if r.ClientAuth.Summary == "" {
		t.Errorf("client-certificate summary is empty")
	}
	if r.Connections == 0 {
		t.Errorf("connections = 0, want the count of the scan")
	}
}

// checkVersionAnswers checks that every version except SSL 2.0, whose
// probe the servers close, has kind and an answer containing answer.
func checkVersionAnswers(t *testing.T, r *Result, kind, answer string) {
	t.Helper()
	for _, v := range r.Versions {
		if v.Version == "SSL 2.0" {
			continue
		}
		if v.Accepted {
			t.Errorf("version %s accepted (%s), want it rejected", v.Version, v.Answer)
		}
		if v.Kind != kind {
			t.Errorf("version %s kind = %q (%s), want %q", v.Version, v.Kind, v.Answer, kind)
		}
		if !strings.Contains(v.Answer, answer) {
			t.Errorf("version %s answer = %q, want it to contain %q", v.Version, v.Answer, answer)
		}
	}
}

// TestRunHostileServers scans servers that break TLS on purpose and checks
// that each scan returns, gives each version probe an answer that names
// what the server did, and goes on to the certificate, SNI and
// client-certificate steps.
func TestRunHostileServers(t *testing.T) {
	var unusedWritten atomic.Int64
	tests := []struct {
		name       string
		answer     func(conn *net.TCPConn, hello clientHello)
		kind       string
		answerText string
	}{
		{
			name:       "handshake length overruns the record",
			answer:     answerOverrunningServerHello,
			kind:       "closed",
			answerText: "server closed the connection inside a handshake message, after 54 bytes",
		},
		{
			name:       "extensions length overruns the message",
			answer:     answerOverrunningExtensions,
			kind:       "malformed",
			answerText: "malformed TLS answer: server_hello.extensions is longer than the",
		},
		{
			name:       "duplicate supported_versions",
			answer:     answerDuplicateExtension(extension(hostileExtSupportedVersions, []byte{3, 3})),
			kind:       "malformed",
			answerText: "malformed TLS answer: duplicate supported_versions extension (server_hello.extensions.supported_versions at byte",
		},
		{
			name:       "duplicate renegotiation_info",
			answer:     answerDuplicateExtension(extension(hostileExtRenegotiationInfo, []byte{0})),
			kind:       "malformed",
			answerText: "malformed TLS answer: duplicate renegotiation_info extension (server_hello.extensions.renegotiation_info at byte",
		},
		{
			name:       "certificate of 16 MiB streamed fast",
			answer:     answerHugeCertificate(0, &unusedWritten),
			kind:       "malformed",
			answerText: "malformed TLS answer: server Certificate of 16777215 bytes exceeds the 262144-byte limit (handshake.length at byte 60)",
		},
		{
			name:       "certificate of 16 MiB streamed slowly",
			answer:     answerHugeCertificate(100*time.Millisecond, &unusedWritten),
			kind:       "malformed",
			answerText: "malformed TLS answer: server Certificate of 16777215 bytes exceeds the 262144-byte limit (handshake.length at byte 60)",
		},
		{
			name:       "certificate in one-byte records",
			answer:     answerFragmentedCertificate(&unusedWritten),
			kind:       "malformed",
			answerText: "malformed TLS answer: server split its flight into more than 1024 handshake records (record at byte 6192)",
		},
		{
			name:       "endless user_canceled warnings",
			answer:     answerWarningStream(alertUserCanceled, false, &unusedWritten),
			kind:       "malformed",
			answerText: "malformed TLS answer: server sent 17 warning alerts, the last user_canceled, without ending its flight; the limit is 16 (alert at byte 117)",
		},
		{
			name:       "endless no_renegotiation warnings after the hello",
			answer:     answerWarningStream(alertNoRenegotiation, true, &unusedWritten),
			kind:       "malformed",
			answerText: "malformed TLS answer: server sent 17 warning alerts, the last no_renegotiation, without ending its flight; the limit is 16 (alert at byte 171)",
		},
		{
			name:       "plain HTTP 400 page",
			answer:     answerHTTP400,
			kind:       "not_tls",
			answerText: `not TLS: the server answered "HTTP/1.1 400 Bad Request"`,
		},
		{
			name:       "one byte a second",
			answer:     answerTrickle,
			kind:       "timeout",
			answerText: "timed out after 1s waiting for the rest of the flight",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			addr := hostileServer(t, tt.answer)
			r := runHostileScan(t, addr)
			checkScanWentOn(t, r)
			checkVersionAnswers(t, r, tt.kind, tt.answerText)
			if t.Failed() {
				for _, v := range r.Versions {
					t.Logf("version %s: %s %s", v.Version, v.Kind, v.Answer)
				}
			}
		})
	}
}

// TestRunInconsistentVersions scans a server that answers each hello with
// the next version of roundRobinVersions, whatever the hello offered. Which
// probe gets which version depends on the order of the connections, so the
// test checks what must hold for every order: a version counts as accepted
// only when its deciding answer chose it. Every other ServerHello answer
// names the version the server chose instead.
func TestRunInconsistentVersions(t *testing.T) {
	t.Parallel()
	var next atomic.Int64
	addr := hostileServer(t, answerRoundRobin(&next))
	r := runHostileScan(t, addr)
	checkScanWentOn(t, r)

	for _, v := range r.Versions {
		t.Logf("version %s: accepted %v, %s: %s", v.Version, v.Accepted, v.Kind, v.Answer)
		if v.Version == "SSL 2.0" {
			continue
		}
		if v.Kind != "server_hello" {
			t.Errorf("version %s kind = %q (%s), want server_hello", v.Version, v.Kind, v.Answer)
			continue
		}
		chose := "server chose " + v.Version + " with "
		if v.Accepted && !strings.HasPrefix(v.Answer, chose) {
			t.Errorf("version %s accepted with answer %q, want one that starts %q", v.Version, v.Answer, chose)
		}
		if !v.Accepted && (strings.HasPrefix(v.Answer, chose) || !strings.HasPrefix(v.Answer, "server chose ")) {
			t.Errorf("version %s rejected with answer %q, want a ServerHello of another version", v.Version, v.Answer)
		}
	}
	if next.Load() == 0 {
		t.Errorf("the server answered no hello")
	}

	// tls.inconsistent_answers fires exactly when a deciding answer chose
	// a version that was not accepted on its own. The connection order
	// decides whether that happens, so the test checks both directions.
	accepted := map[string]bool{}
	for _, v := range r.Versions {
		accepted[v.Version] = v.Accepted
	}
	contradiction := false
	for _, v := range r.Versions {
		if v.Chosen != "" && v.Chosen != v.Version && !accepted[v.Chosen] {
			contradiction = true
		}
	}
	if got := slices.Contains(findingIDs(r), "tls.inconsistent_answers"); got != contradiction {
		t.Errorf("tls.inconsistent_answers present = %v, want %v (a ServerHello chose a version rejected alone)", got, contradiction)
	}

	// A suite scan that met a ServerHello of another version sets Error,
	// so an empty list never looks like a complete one.
	for _, list := range r.Suites {
		t.Logf("suites %s: %d found, error %q", list.Version, len(list.Suites), list.Error)
		if len(list.Suites) == 0 && list.Error == "" {
			t.Errorf("suites %s: none found and no error, want the inconsistent answer named", list.Version)
		}
	}
	for _, f := range r.Findings {
		t.Logf("finding %s: %s", f.ID, f.Title)
	}
}

// hostileMemoryLimit bounds the bytes one scan of a hostile server may
// allocate in total. It is generous: the point is that a server cannot make
// the scan buffer the 16 MiB it announces or the alerts it streams.
const hostileMemoryLimit = 64 << 20

// measureAllocations runs f and returns the bytes it allocated in total
// and the peak of HeapInuse, sampled every millisecond while f ran.
func measureAllocations(f func()) (total, peakHeap uint64) {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)

	stop := make(chan struct{})
	var peak atomic.Uint64
	var sampler sync.WaitGroup
	sampler.Add(1)
	go func() {
		defer sampler.Done()
		ticker := time.NewTicker(time.Millisecond)
		defer ticker.Stop()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-ticker.C:
			}
		}
	}()

	f()
	close(stop)
	sampler.Wait()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc, peak.Load()
}

// TestRunHostileMemory scans a server that streams a Certificate message
// announcing 16 MiB, one that streams warning alerts and one that splits a
// Certificate into records of one byte, and checks that each scan allocates
// less than hostileMemoryLimit. It does not run in
// parallel, so the allocations it measures are the scan's own and those of
// the test server.
func TestRunHostileMemory(t *testing.T) {
	tests := []struct {
		name   string
		answer func(written *atomic.Int64) func(conn *net.TCPConn, hello clientHello)
	}{
		{"certificate of 16 MiB", func(written *atomic.Int64) func(conn *net.TCPConn, hello clientHello) {
			return answerHugeCertificate(0, written)
		}},
		{"endless warning alerts", func(written *atomic.Int64) func(conn *net.TCPConn, hello clientHello) {
			return answerWarningStream(alertUserCanceled, false, written)
		}},
		{"certificate in one-byte records", answerFragmentedCertificate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var written atomic.Int64
			addr := hostileServer(t, tt.answer(&written))
			var r *Result
			total, peak := measureAllocations(func() { r = runHostileScan(t, addr) })
			checkScanWentOn(t, r)
			t.Logf("allocated %d bytes in total, HeapInuse peak %d bytes, server wrote %d bytes over %d connections",
				total, peak, written.Load(), r.Connections)
			if total > hostileMemoryLimit {
				t.Errorf("scan allocated %d bytes in total, want less than %d", total, hostileMemoryLimit)
			}
			if peak > hostileMemoryLimit {
				t.Errorf("HeapInuse peaked at %d bytes, want less than %d", peak, hostileMemoryLimit)
			}
		})
	}
}
