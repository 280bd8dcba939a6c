package tlsprobe

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// maxSuitesPerHello bounds the cipher suites of one hello of a suite scan,
// signalling values included, because some servers and middleboxes reject or
// ignore hellos with long suite lists.
//
// NOTE: 128 is an estimate of what such servers accept, not a measured limit.
const maxSuitesPerHello = 128

// suiteRenegotiationSCSV is TLS_EMPTY_RENEGOTIATION_INFO_SCSV (RFC 5746,
// Section 3.3).
const suiteRenegotiationSCSV uint16 = 0x00ff

// SuiteScan is the outcome of Prober.Suites for one protocol version.
type SuiteScan struct {
	Version Version `json:"version"`
	// Accepted lists the suites the server accepted: in the server's
	// preference order when ServerOrder is true, else in the order the scan
	// found them, which is the order of the offered lists.
	Accepted []uint16 `json:"accepted"`
	// ServerOrder reports that the server imposes its own order: it picked
	// the same first suite when the offered order was reversed.
	ServerOrder bool `json:"server_order"`
	// ChaChaWhenClientPrefers reports a server that imposes its order
	// except that it picks ChaCha20-Poly1305 when the client lists it
	// before any AES-GCM suite, taking that as a client without AES
	// hardware. Go's crypto/tls does this, and OpenSSL with
	// PrioritizeChaCha. ServerOrder is then true and Accepted is the order
	// for a client that prefers AES-GCM.
	ChaChaWhenClientPrefers bool `json:"chacha_when_client_prefers,omitempty"`
	// Probes is the number of connections the scan used.
	Probes int `json:"probes"`
	// Err is set when the scan could not finish: the version is invalid, a
	// probe got no TLS response, the server picked a suite it was not
	// offered, or it rejected a hello of suites it had accepted. Accepted
	// then contains what was found before.
	Err string `json:"error,omitempty"`
}

// Suites lists the cipher suites that the server at addr ("host:port")
// accepts in version v, and whether it picks by its own preference order.
// serverName goes into SNI (empty or an IP literal: no SNI).
//
// It offers every registry suite valid for v, at most 128 per hello, in a
// hello built like ModernHello(serverName, []Version{v}) with only the suite
// list changed. Each suite the server picks is removed and the rest offered
// again, until the server rejects the hello. A TLS 1.3 HelloRetryRequest
// counts as a pick, because RFC 8446, Section 4.1.4 binds the server to the
// suite it names. When more than one suite is accepted, two more probes
// offer them in order and reversed. If the server picks the same suite both
// times, further probes determine its full order. If not, and ChaCha20
// suites are among them, two more probes without those suites tell a
// server that honours a client's ChaCha20 preference from one that follows
// the client.
//
// Connections run one after another through ProbeServerHello, so the
// Prober's timeout and per-host limit apply, and no probe waits for the
// Certificate. A version outside SSL 3.0 to TLS 1.3 gives Err and no probe.
func (p *Prober) Suites(ctx context.Context, addr, serverName string, v Version) *SuiteScan {
	s := &suiteScanner{prober: p, ctx: ctx, addr: addr, serverName: serverName,
		scan: &SuiteScan{Version: v}}
	if v < VersionSSL30 || v > VersionTLS13 {
		s.scan.Err = fmt.Sprintf("invalid version %s for a cipher suite scan; use SSL 3.0 to TLS 1.3 (for SSL 2.0, the SERVER-HELLO from ProbeSSLv2 lists the server's ciphers)", v)
		return s.scan
	}

	for _, chunk := range suiteChunks(v) {
		if !s.findAccepted(chunk) {
			return s.scan
		}
	}
	if len(s.scan.Accepted) > 1 {
		s.findOrder()
	}
	return s.scan
}

// suiteScanner carries the state of one Suites call.
type suiteScanner struct {
	prober     *Prober
	ctx        context.Context
	addr       string
	serverName string
	scan       *SuiteScan
}

// pickOutcome classifies one probe of a suite scan.
type pickOutcome int

const (
	// picked: the server chose a suite of the offered list in version v.
	picked pickOutcome = iota
	// rejected: the server rejected the hello (an alert, a close, a reset,
	// or a ServerHello of another version), so no offered suite is usable.
	rejected
	// failed: the probe gave no evidence, or the server broke the protocol.
	// The scan stops with Err set.
	failed
)

// offer sends a hello with suites and classifies the server's response. For picked it
// returns the suite.
func (s *suiteScanner) offer(suites []uint16) (uint16, pickOutcome) {
	v := s.scan.Version
	hello := ModernHello(s.serverName, []Version{v})
	hello.CipherSuites = slices.Clone(suites)
	if v <= VersionTLS12 && !slices.Contains(hello.CipherSuites, suiteRenegotiationSCSV) {
		// NOTE: RFC 5746, Section 3.4 does not recommend sending both the
		// SCSV and the renegotiation_info extension that ModernHello sets,
		// but servers accept it, and the SCSV reaches servers that skip
		// extensions.
		hello.CipherSuites = append(hello.CipherSuites, suiteRenegotiationSCSV)
	}

	// The suite is in the ServerHello, so the probe does not wait for the
	// Certificate and the rest of a TLS 1.2 flight. An alert after the
	// ServerHello, such as that of a server that cannot sign, does not undo
	// the pick: the server accepted the suite for this hello.
	r, probes := s.prober.serverHelloAgainAfterTimeout(s.ctx, s.addr, hello)
	s.scan.Probes += probes
	if negotiated(r, v) {
		id := r.Flight.ServerHello.CipherSuite
		if !slices.Contains(suites, id) {
			s.fail(r, id, suites)
			return 0, failed
		}
		return id, picked
	}

	switch r.Kind {
	case KindServerHello:
		// The scan runs for versions the server accepted, so a ServerHello
		// for another version contradicts the version scan. Taking it as a
		// rejection would end the list early without a word.
		s.scan.Err = fmt.Sprintf("server answered probe %d of the %s cipher suite scan with a ServerHello for %s, although it accepted %s before; its answers differ between connections, so the suite list may be incomplete",
			s.scan.Probes, v, r.Flight.ServerHello.Version, v)
		return 0, failed
	case KindAlert, KindReset, KindSilentClose, KindHelloRetryRequest:
		// A HelloRetryRequest here is for another version.
		return 0, rejected
	}
	s.scan.Err = scanFailure(v.String()+" cipher suite scan", s.scan.Probes, r, s.addr)
	return 0, failed
}

// fail sets Err for a server that picked id, which suites did not contain.
func (s *suiteScanner) fail(r *Result, id uint16, suites []uint16) {
	what := "which was not offered"
	if slices.Contains(s.scan.Accepted, id) {
		what = "again after it was removed from the offer"
	}
	s.scan.Err = fmt.Sprintf("server picked cipher suite %s in probe %d, %s (offered %d suites); the scan stopped to avoid a loop",
		registry.SuiteName(id), s.scan.Probes, what, len(suites))
}

// findAccepted runs the removal loop on chunk: offer it, remove the suite the
// server picks, and offer the rest, until the server rejects the hello. It
// appends the picks to Accepted and returns false when the scan must stop.
func (s *suiteScanner) findAccepted(chunk []uint16) bool {
	remaining := slices.Clone(chunk)
	for len(remaining) > 0 {
		id, outcome := s.offer(remaining)
		switch outcome {
		case rejected:
			return true
		case failed:
			return false
		}
		s.scan.Accepted = append(s.scan.Accepted, id)
		remaining = slices.DeleteFunc(remaining, func(x uint16) bool { return x == id })
	}
	return true
}

// findOrder decides whether the server imposes its order on the accepted
// suites, and if so sorts Accepted into that order.
func (s *suiteScanner) findOrder() {
	found := slices.Clone(s.scan.Accepted)
	first, ok := s.offerAccepted(found)
	if !ok {
		return
	}
	reversed := slices.Clone(found)
	slices.Reverse(reversed)
	firstReversed, ok := s.offerAccepted(reversed)
	if !ok {
		return
	}
	if first != firstReversed {
		// The reversed list may start with ChaCha20-Poly1305, which some
		// servers honour as a sign of a client without AES hardware.
		// Without ChaCha20 suites, the two orders tell those servers apart
		// from servers that follow the client.
		first, ok = s.orderWithoutChaCha(found)
		if !ok {
			return
		}
		s.scan.ChaChaWhenClientPrefers = true
	}

	// The server picks by its own order: remove each pick and offer the
	// rest, ChaCha20 suites last so that they do not trigger the client
	// preference above. The last suite needs no probe.
	s.scan.ServerOrder = true
	order := []uint16{first}
	remaining := chaChaLast(slices.DeleteFunc(slices.Clone(found), func(x uint16) bool { return x == first }))
	for len(remaining) > 1 {
		id, ok := s.offerAccepted(remaining)
		if !ok {
			s.scan.ServerOrder, s.scan.ChaChaWhenClientPrefers = false, false
			return
		}
		order = append(order, id)
		remaining = slices.DeleteFunc(remaining, func(x uint16) bool { return x == id })
	}
	s.scan.Accepted = append(order, remaining...)
}

// orderWithoutChaCha offers the accepted suites other than ChaCha20 ones in
// order and reversed, and returns the suite the server picked both times.
// It reports false when fewer than two such suites exist, none was left
// out, or the server followed the client.
func (s *suiteScanner) orderWithoutChaCha(found []uint16) (uint16, bool) {
	others := slices.DeleteFunc(slices.Clone(found), isChaCha)
	if len(others) < 2 || len(others) == len(found) {
		return 0, false
	}
	first, ok := s.offerAccepted(others)
	if !ok {
		return 0, false
	}
	slices.Reverse(others)
	firstReversed, ok := s.offerAccepted(others)
	if !ok || first != firstReversed {
		return 0, false
	}
	return first, true
}

func isChaCha(id uint16) bool {
	info, _ := registry.Suite(id)
	return strings.HasPrefix(info.Cipher, "CHACHA20")
}

// chaChaLast returns suites with the ChaCha20 ones moved to the end, in
// their order.
func chaChaLast(suites []uint16) []uint16 {
	out := slices.DeleteFunc(slices.Clone(suites), isChaCha)
	for _, id := range suites {
		if isChaCha(id) {
			out = append(out, id)
		}
	}
	return out
}

// offerAccepted offers suites that the server accepted before and returns
// its pick. A rejection sets Err, because the server accepted each of them
// alone.
func (s *suiteScanner) offerAccepted(suites []uint16) (uint16, bool) {
	id, outcome := s.offer(suites)
	switch outcome {
	case picked:
		return id, true
	case rejected:
		s.scan.Err = fmt.Sprintf("server rejected probe %d, which offered only the %d %s suites it had accepted; the preference order is unknown",
			s.scan.Probes, len(suites), s.scan.Version)
	}
	return 0, false
}

// suiteChunks returns the registry suites to offer for v, split into lists
// of at most maxSuitesPerHello including the SCSV that offer adds for
// TLS 1.2 and earlier. Common suites come first, in the order of suiteRank,
// so a server that follows the client's order picks them first.
func suiteChunks(v Version) [][]uint16 {
	var ranked []registry.SuiteInfo
	for _, info := range registry.Suites() {
		if info.ValidFor(uint16(v)) && info.TLS13 == (v >= VersionTLS13) {
			ranked = append(ranked, info)
		}
	}
	sort.SliceStable(ranked, func(i, j int) bool { return suiteRank(ranked[i]) < suiteRank(ranked[j]) })

	size := maxSuitesPerHello
	if v <= VersionTLS12 {
		size-- // room for TLS_EMPTY_RENEGOTIATION_INFO_SCSV
	}
	var ids []uint16
	for _, info := range ranked {
		ids = append(ids, info.ID)
	}
	return slices.Collect(slices.Chunk(ids, size))
}
