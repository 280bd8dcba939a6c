package tlsprobe

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// GroupScan is the outcome of Prober.Groups for one protocol version.
type GroupScan struct {
	Version Version `json:"version"`
	// Accepted lists the named groups the server accepts, in the order the
	// scan found them: ECDHE curves and, for TLS 1.3, also ffdhe, ML-KEM
	// and hybrid groups.
	Accepted []uint16 `json:"accepted"`
	// Preferred is the group the server picks when offered every accepted
	// group, or 0 when it accepts none or the scan stopped before.
	Preferred uint16 `json:"preferred,omitempty"`
	// ServerOrder reports that the server picked Preferred again when the
	// accepted groups were offered in reverse order.
	ServerOrder bool `json:"server_order"`
	// Probes is the number of connections the scan used.
	Probes int `json:"probes"`
	// Err is set when the scan could not finish: the version is invalid, a
	// probe got no TLS response, the server picked a group it was not
	// offered, or it rejected a hello of groups it had accepted. Accepted
	// then contains what was found before.
	Err string `json:"error,omitempty"`
}

// groupTLS13OnlyIDs are the groups defined for TLS 1.3 only: the
// brainpool groups of RFC 8734 (TLS 1.2 uses the older ids 0x001a to
// 0x001c) and curveSM2 (RFC 8998).
var groupTLS13OnlyIDs = []uint16{0x001f, 0x0020, 0x0021, 0x0029}

// groupExplicitCurveIDs are arbitrary_explicit_prime_curves and
// arbitrary_explicit_char2_curves (RFC 8422, Section 5.1.1 deprecates them).
// They name no curve, and parseServerKeyExchange rejects the explicit curve
// parameters a server would send for them.
var groupExplicitCurveIDs = []uint16{0xff01, 0xff02}

// Groups lists the named groups that the server at addr ("host:port")
// accepts in version v, and the group it prefers. serverName goes into SNI
// (empty or an IP literal: no SNI).
//
// Each hello is built like ModernHello(serverName, []Version{v}) with
// supported_groups set to the groups not yet found. Each group the server
// picks is removed and the rest offered again, until the server rejects the
// hello.
//
// In TLS 1.0 to 1.2 the hello offers only ECDHE cipher suites, and the
// group is the named curve of the ServerKeyExchange. The candidates are the
// registry's elliptic curves for TLS 1.2 and earlier.
//
// In TLS 1.3 the hello carries one key share, for the first remaining group
// that has a share generator (see ClientHello.KeyShares). The server either
// accepts that share or sends a HelloRetryRequest naming the group it wants.
// Both count as acceptance, because RFC 8446, Section 4.1.4 binds the server
// to the group of its HelloRetryRequest. The candidates are the registry's
// TLS 1.3 groups without the pre-standard Kyber drafts.
//
// When more than one group is accepted, two more probes offer them in order
// and reversed. In TLS 1.3 these two hellos carry a key share for every
// accepted group that has a share generator, so the server chooses freely
// and no HelloRetryRequest is needed.
//
// Connections run one after another, through ProbeServerHello for TLS 1.3
// and Probe for earlier versions, so the Prober's timeout and per-host limit
// apply. A version outside TLS 1.0 to 1.3 gives Err and no probe, because
// SSL 3.0 hellos have no extensions.
func (p *Prober) Groups(ctx context.Context, addr, serverName string, v Version) *GroupScan {
	s := &groupScanner{prober: p, ctx: ctx, addr: addr, serverName: serverName,
		scan: &GroupScan{Version: v}}
	if v < VersionTLS10 || v > VersionTLS13 {
		s.scan.Err = fmt.Sprintf("invalid version %s for a named group scan; use TLS 1.0 to TLS 1.3", v)
		return s.scan
	}
	if v <= VersionTLS12 {
		s.ecdheSuites = groupECDHESuites(v)
		if len(s.ecdheSuites) == 0 {
			// unreachable: the registry has ECDHE suites for TLS 1.0 to 1.2.
			s.scan.Err = fmt.Sprintf("no ECDHE cipher suites in the registry for %s; a named group scan needs them", v)
			return s.scan
		}
	}

	if !s.findAccepted(groupCandidates(v)) {
		return s.scan
	}
	switch len(s.scan.Accepted) {
	case 0:
	case 1:
		s.scan.Preferred = s.scan.Accepted[0]
	default:
		s.findPreferred()
	}
	return s.scan
}

// groupScanner carries the state of one Groups call.
type groupScanner struct {
	prober     *Prober
	ctx        context.Context
	addr       string
	serverName string
	scan       *GroupScan
	// ecdheSuites is the cipher suite list of TLS 1.2 and earlier hellos.
	ecdheSuites []uint16
}

// offer sends a hello with supported_groups set to groups and, in TLS 1.3,
// key shares for shares, and returns the group the server picks.
func (s *groupScanner) offer(groups, shares []uint16) (uint16, pickOutcome) {
	v := s.scan.Version
	hello := ModernHello(s.serverName, []Version{v})
	hello.SupportedGroups = slices.Clone(groups)
	if v >= VersionTLS13 {
		hello.KeyShares = slices.Clone(shares)
	} else {
		hello.CipherSuites = slices.Clone(s.ecdheSuites)
	}

	// A TLS 1.3 server names the group in the key_share of its ServerHello
	// or HelloRetryRequest. In TLS 1.2 and earlier the group is in the
	// ServerKeyExchange, so the probe reads the whole flight.
	probe := s.prober.probeAgainAfterTimeout
	if v >= VersionTLS13 {
		probe = s.prober.serverHelloAgainAfterTimeout
	}
	r, probes := probe(s.ctx, s.addr, hello)
	s.scan.Probes += probes
	if negotiated(r, v) {
		return s.pickedGroup(r, groups, shares)
	}

	switch r.Kind {
	case KindAlert, KindReset, KindSilentClose, KindServerHello, KindHelloRetryRequest:
		// A ServerHello or HelloRetryRequest here is for another version.
		return 0, rejected
	}
	s.scan.Err = scanFailure(v.String()+" named group scan", s.scan.Probes, r, s.addr)
	return 0, failed
}

// pickedGroup reads the group from a response that negotiated the scan's
// version and checks it against the offer.
func (s *groupScanner) pickedGroup(r *Result, groups, shares []uint16) (uint16, pickOutcome) {
	sh := r.Flight.ServerHello
	var id uint16
	switch {
	case s.scan.Version >= VersionTLS13:
		id = sh.KeyShareGroup
		if id == 0 {
			s.scan.Err = fmt.Sprintf("server sent a TLS 1.3 %s without a key_share extension in probe %d; the group is unknown",
				groupMessageName(sh), s.scan.Probes)
			return 0, failed
		}
		// RFC 8446, Section 4.1.4: a HelloRetryRequest must not name a
		// group the client already sent a share for. A ServerHello must
		// select one of the client's shares (Section 4.2.8).
		if sh.HelloRetryRequest && slices.Contains(shares, id) {
			s.scan.Err = fmt.Sprintf("server sent a HelloRetryRequest for %s in probe %d, although the hello carried a key share for it, which RFC 8446, Section 4.1.4 forbids; the group is unknown",
				registry.GroupName(id), s.scan.Probes)
			return 0, failed
		}
		if !sh.HelloRetryRequest && !slices.Contains(shares, id) {
			s.fail(id, groups, "with a key share that was not offered")
			return 0, failed
		}
	case r.Flight.ServerKeyExchange == nil:
		reason := "the flight ended before it"
		if r.Err != nil {
			reason = r.Err.Error()
		}
		s.scan.Err = fmt.Sprintf("server picked ECDHE cipher suite %s in probe %d but sent no ServerKeyExchange (%s); the group is unknown",
			registry.SuiteName(sh.CipherSuite), s.scan.Probes, reason)
		return 0, failed
	default:
		id = r.Flight.ServerKeyExchange.NamedCurve
	}

	if !slices.Contains(groups, id) {
		what := "which was not offered"
		if slices.Contains(s.scan.Accepted, id) {
			what = "again after it was removed from the offer"
		}
		s.fail(id, groups, what)
		return 0, failed
	}
	return id, picked
}

// fail sets Err for a server that picked group id outside the offer.
func (s *groupScanner) fail(id uint16, groups []uint16, what string) {
	s.scan.Err = fmt.Sprintf("server picked named group %s (0x%04x) in probe %d, %s (offered %d groups); the scan stopped to avoid a loop",
		registry.GroupName(id), id, s.scan.Probes, what, len(groups))
}

// findAccepted runs the removal loop on candidates: offer them, remove the
// group the server picks, and offer the rest, until the server rejects the
// hello. It appends the picks to Accepted and returns false when the scan
// must stop.
func (s *groupScanner) findAccepted(candidates []uint16) bool {
	remaining := slices.Clone(candidates)
	for len(remaining) > 0 {
		var shares []uint16
		if s.scan.Version >= VersionTLS13 {
			share, ok := groupFirstShareable(remaining)
			if !ok {
				// NOTE: groups without a share generator (MLKEM512 and the
				// brainpool TLS 1.3 groups) are found only while a group
				// with one is still offered next to them. A server that
				// accepts every other candidate leaves them untested.
				return true
			}
			shares = []uint16{share}
		}

		id, outcome := s.offer(remaining, shares)
		switch outcome {
		case rejected:
			// TODO: in TLS 1.2 a server with only an ECDSA certificate
			// rejects every hello whose supported_groups lacks the
			// certificate's curve, so the scan stops once that curve is
			// removed. Against OpenSSL 3.0.19 with a P-256 certificate it
			// finds only x25519 and secp256r1 of the 5 curves accepted.
			return true
		case failed:
			return false
		}
		s.scan.Accepted = append(s.scan.Accepted, id)
		remaining = slices.DeleteFunc(remaining, func(x uint16) bool { return x == id })
	}
	return true
}

// findPreferred offers the accepted groups in the order found and reversed,
// and sets Preferred and ServerOrder.
func (s *groupScanner) findPreferred() {
	found := slices.Clone(s.scan.Accepted)
	first, ok := s.offerAccepted(found)
	if !ok {
		return
	}
	s.scan.Preferred = first

	reversed := slices.Clone(found)
	slices.Reverse(reversed)
	firstReversed, ok := s.offerAccepted(reversed)
	if !ok {
		return
	}
	s.scan.ServerOrder = first == firstReversed
}

// offerAccepted offers groups that the server accepted before and returns
// its pick. A rejection sets Err, because the server accepted each of them
// alone.
func (s *groupScanner) offerAccepted(groups []uint16) (uint16, bool) {
	var shares []uint16
	if s.scan.Version >= VersionTLS13 {
		shares = slices.DeleteFunc(slices.Clone(groups), func(id uint16) bool { return !groupShareable(id) })
		if len(shares) == 0 {
			// Without a key share the hello is invalid (RFC 8446,
			// Section 9.2), so the preference stays unknown.
			return 0, false
		}
	}

	id, outcome := s.offer(groups, shares)
	switch outcome {
	case picked:
		return id, true
	case rejected:
		s.scan.Err = fmt.Sprintf("server rejected probe %d, which offered only the %d %s named groups it had accepted; the preferred group is unknown",
			s.scan.Probes, len(groups), s.scan.Version)
	}
	return 0, false
}

// groupCandidates returns the registry groups to offer for v, the groups of
// a current client (modernGroups) first, in its order.
func groupCandidates(v Version) []uint16 {
	var ids []uint16
	for _, g := range registry.Groups() {
		switch {
		case v >= VersionTLS13 && g.TLS13 && !(g.Legacy && g.Kind == "hybrid"):
			ids = append(ids, g.ID)
		case v <= VersionTLS12 && g.Kind == "ECDHE" &&
			!slices.Contains(groupTLS13OnlyIDs, g.ID) && !slices.Contains(groupExplicitCurveIDs, g.ID):
			ids = append(ids, g.ID)
		}
	}
	return moveToFront(ids, modernGroups)
}

// groupECDHESuites returns the registry's ECDHE suites valid for v, without
// PSK suites, ranked by suiteRank and cut to maxSuitesPerHello.
func groupECDHESuites(v Version) []uint16 {
	var ranked []registry.SuiteInfo
	for _, info := range registry.Suites() {
		if info.ValidFor(uint16(v)) && info.KeyExchange == "ECDHE" && info.Authentication != "PSK" {
			ranked = append(ranked, info)
		}
	}
	sort.SliceStable(ranked, func(i, j int) bool { return suiteRank(ranked[i]) < suiteRank(ranked[j]) })

	var ids []uint16
	for _, info := range ranked {
		if len(ids) == maxSuitesPerHello {
			break
		}
		ids = append(ids, info.ID)
	}
	return ids
}

// groupShareable reports whether ClientHello can build a key share for id.
func groupShareable(id uint16) bool {
	_, err := keyShare(id)
	return err == nil
}

// groupFirstShareable returns the first of groups that groupShareable
// accepts.
func groupFirstShareable(groups []uint16) (uint16, bool) {
	for _, id := range groups {
		if groupShareable(id) {
			return id, true
		}
	}
	return 0, false
}

// groupMessageName returns "HelloRetryRequest" or "ServerHello" for sh.
func groupMessageName(sh *ServerHello) string {
	if sh.HelloRetryRequest {
		return "HelloRetryRequest"
	}
	return "ServerHello"
}
