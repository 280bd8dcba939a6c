package tlsprobe

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"golang.org/x/crypto/cryptobyte"

	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// SigAlgScan is the outcome of Prober.SignatureAlgorithms for one protocol
// version.
type SigAlgScan struct {
	Version Version `json:"version"`
	// Accepted lists the signature schemes the server accepted, in registry
	// order (by code point).
	Accepted []uint16 `json:"accepted"`
	// Probes is the number of connections the scan used.
	Probes int `json:"probes"`
	// Err is set when the scan could not finish: the version is invalid,
	// the server rejected the hello that offered every candidate scheme, a
	// probe got no TLS response, or the server sent a HelloRetryRequest the
	// scan cannot follow. Accepted then contains what was found before.
	Err string `json:"error,omitempty"`
}

// SignatureAlgorithms lists the signature schemes that the server at addr
// ("host:port") accepts for its handshake signature in version v, which
// must be TLS 1.2 or TLS 1.3. serverName goes into SNI (empty or an IP
// literal: no SNI).
//
// Each hello is built like ModernHello(serverName, []Version{v}) with
// signature_algorithms set to the schemes under test and no
// signature_algorithms_cert. In TLS 1.2 the ServerKeyExchange names the
// scheme the server signed with, so the scan is a removal loop. Each probe
// offers every candidate not yet found and records the scheme the server
// signs with. The loop stops when the server rejects the rest. A scheme counts only when a
// ServerKeyExchange without a following alert came and its scheme was
// offered. In TLS 1.3 the CertificateVerify is encrypted, so a ServerHello
// is the only sign of acceptance. The scan then offers each family of
// schemes (RSA-PKCS1, RSA-PSS with an rsaEncryption key, RSA-PSS with a
// PSS key, ECDSA, EdDSA and so on) at once, and tests the members of an
// accepted family one by one. An alert, a close, a reset or another
// version means not accepted. When the hello that offers every candidate
// is rejected, the scan stops with Err, because no single scheme can then
// succeed.
//
// The candidates are all registry schemes for TLS 1.2 and the schemes that
// RFC 8446, Section 4.2.3 allows in a TLS 1.3 CertificateVerify (no
// rsa_pkcs1, SHA-1, SHA-224, MD5 or DSA schemes). TLS 1.2 hellos offer only
// cipher suites with a signed ECDHE or DHE key exchange, because a static
// RSA key exchange signs nothing and would pass with any scheme. A TLS 1.3
// HelloRetryRequest to the first hello switches every hello to one key
// share for the group it names.
//
// The result depends on the server's certificate: a server can sign only
// with schemes that fit its key, so an RSA key serves only rsa_* schemes
// and an ECDSA P-256 key only ecdsa_secp256r1_sha256 in TLS 1.3. A server
// with several certificates shows the union of what their keys allow.
//
// Connections run one after another through Probe, so the Prober's timeout
// and per-host limit apply. A TLS 1.2 scan uses one probe per accepted
// scheme plus one. A TLS 1.3 scan uses one baseline probe (two after a
// HelloRetryRequest), one per family of several schemes, and one per
// scheme alone or in an accepted family. A version other than TLS 1.2 or
// 1.3 gives Err and no probe.
func (p *Prober) SignatureAlgorithms(ctx context.Context, addr, serverName string, v Version) *SigAlgScan {
	s := &sigAlgScanner{prober: p, ctx: ctx, addr: addr, serverName: serverName,
		scan: &SigAlgScan{Version: v, Accepted: []uint16{}}}
	if v != VersionTLS12 && v != VersionTLS13 {
		s.scan.Err = fmt.Sprintf("invalid version %s for a signature algorithm scan; use TLS 1.2 or TLS 1.3, the versions with the signature_algorithms extension", v)
		return s.scan
	}

	candidates := sigAlgCandidates(v)
	if v == VersionTLS12 {
		s.suites = sigAlgSignedSuites()
		s.removalLoop(candidates)
	} else if s.checkBaseline(candidates) {
		s.byFamily(candidates)
	}
	slices.Sort(s.scan.Accepted)
	return s.scan
}

// removalLoop finds the TLS 1.2 schemes: each probe offers the candidates
// not found yet, and the scheme of the ServerKeyExchange is removed from
// the next offer. When the scheme cannot be read, the remaining candidates
// are tested one by one.
func (s *sigAlgScanner) removalLoop(candidates []uint16) {
	remaining := slices.Clone(candidates)
	for len(remaining) > 0 {
		outcome, _, id := s.offer(remaining)
		switch outcome {
		case picked:
			if id == 0 {
				s.oneByOne(remaining)
				return
			}
			s.scan.Accepted = append(s.scan.Accepted, id)
			remaining = slices.DeleteFunc(remaining, func(c uint16) bool { return c == id })
		case rejected:
			if len(s.scan.Accepted) == 0 {
				s.scan.Err = fmt.Sprintf("server rejected probe %d, which offered all %d candidate signature schemes for %s, so it did not accept any ECDHE or DHE cipher suite with a signed key exchange; no scheme was tested alone",
					s.scan.Probes, len(candidates), s.scan.Version)
			}
			return
		default:
			return
		}
	}
}

// byFamily finds the TLS 1.3 schemes: a family whose schemes are offered
// together and rejected costs one probe, and the members of an accepted
// family are tested one by one.
func (s *sigAlgScanner) byFamily(candidates []uint16) {
	for _, family := range sigAlgFamilies(candidates) {
		if len(family) > 1 {
			outcome, group, _ := s.offer(family)
			switch outcome {
			case rejected:
				continue
			case retry:
				s.failRetry(group)
				return
			case failed:
				return
			}
		}
		if !s.oneByOne(family) {
			return
		}
	}
}

// oneByOne offers each scheme alone and reports whether the scan may go on.
func (s *sigAlgScanner) oneByOne(schemes []uint16) bool {
	for _, id := range schemes {
		outcome, group, _ := s.offer([]uint16{id})
		switch outcome {
		case picked:
			s.scan.Accepted = append(s.scan.Accepted, id)
		case retry:
			s.failRetry(group)
			return false
		case failed:
			return false
		}
	}
	return true
}

// sigAlgFamilies splits candidates by the signature algorithm of each
// scheme, keeping their order. RSA-PSS splits further by key type, because
// rsa_pss_rsae_* schemes need an rsaEncryption key and rsa_pss_pss_* an
// RSASSA-PSS key (RFC 8446, Section 4.2.3).
func sigAlgFamilies(candidates []uint16) [][]uint16 {
	var families [][]uint16
	index := map[string]int{}
	for _, id := range candidates {
		info, _ := registry.Scheme(id)
		family := info.Signature
		if family == "RSA-PSS" && strings.HasPrefix(info.Name, "rsa_pss_pss_") {
			family = "RSA-PSS-PSS"
		}
		i, ok := index[family]
		if !ok {
			i = len(families)
			index[family] = i
			families = append(families, nil)
		}
		families[i] = append(families[i], id)
	}
	return families
}

// sigAlgScanner carries the state of one SignatureAlgorithms call.
type sigAlgScanner struct {
	prober     *Prober
	ctx        context.Context
	addr       string
	serverName string
	scan       *SigAlgScan
	// suites is the cipher suite list of TLS 1.2 hellos.
	suites []uint16
	// keyShares, when set, replaces ModernHello's TLS 1.3 key shares after
	// a HelloRetryRequest.
	keyShares []uint16
}

// checkBaseline offers every candidate at once and reports whether the
// server accepted that hello. After a TLS 1.3 HelloRetryRequest for a group
// that ClientHello can build a share for, it offers them again with only
// that share, which all later hellos then carry too.
func (s *sigAlgScanner) checkBaseline(candidates []uint16) bool {
	outcome, group, _ := s.offer(candidates)
	if outcome == retry {
		if group == 0 || !groupShareable(group) {
			s.scan.Err = fmt.Sprintf("server sent a HelloRetryRequest for named group %s in probe %d, and scimdoctor cannot build a key share for it; the accepted signature schemes are unknown",
				registry.GroupName(group), s.scan.Probes)
			return false
		}
		s.keyShares = []uint16{group}
		outcome, group, _ = s.offer(candidates)
	}

	switch outcome {
	case picked:
		return true
	case rejected:
		what := "any ECDHE or DHE cipher suite with a signed key exchange"
		if s.scan.Version == VersionTLS13 {
			what = "the hello"
		}
		s.scan.Err = fmt.Sprintf("server rejected probe %d, which offered all %d candidate signature schemes for %s, so it did not accept %s; no scheme was tested alone",
			s.scan.Probes, len(candidates), s.scan.Version, what)
	case retry:
		s.failRetry(group)
	}
	return false
}

// retry is the outcome of a probe that got a TLS 1.3 HelloRetryRequest. It
// does not show that the server can sign with the offered scheme, because
// servers choose the group before the certificate.
const retry pickOutcome = failed + 1

// offer sends a hello with signature_algorithms set to schemes and
// classifies the server's response. For retry it also returns the group of
// the HelloRetryRequest, and for a TLS 1.2 pick the scheme the server
// signed with, or 0 when it cannot be read.
func (s *sigAlgScanner) offer(schemes []uint16) (outcome pickOutcome, group, scheme uint16) {
	v := s.scan.Version
	hello := ModernHello(s.serverName, []Version{v})
	hello.SignatureAlgorithms = slices.Clone(schemes)
	hello.SignatureAlgorithmsCert = nil
	if v == VersionTLS12 {
		hello.CipherSuites = slices.Clone(s.suites)
	}
	if s.keyShares != nil {
		hello.KeyShares = slices.Clone(s.keyShares)
	}

	r, probes := s.prober.probeAgainAfterTimeout(s.ctx, s.addr, hello)
	s.scan.Probes += probes
	if negotiated(r, v) {
		if r.Kind == KindHelloRetryRequest {
			return retry, r.Flight.ServerHello.KeyShareGroup, 0
		}
		if v == VersionTLS12 {
			outcome, scheme := s.checkSigned(r, schemes)
			return outcome, 0, scheme
		}
		return picked, 0, 0
	}

	switch r.Kind {
	case KindAlert, KindReset, KindSilentClose, KindServerHello, KindHelloRetryRequest:
		// A ServerHello or HelloRetryRequest here is for another version.
		return rejected, 0, 0
	}
	s.scan.Err = scanFailure(v.String()+" signature algorithm scan", s.scan.Probes, r, s.addr)
	return failed, 0, 0
}

// checkSigned decides a TLS 1.2 probe that got a ServerHello. Servers such
// as Go's crypto/tls send the ServerHello before they find out that they
// cannot sign, and then send an alert in place of the ServerKeyExchange. So
// the scheme counts as accepted only when a ServerKeyExchange came and no
// alert followed. When the ServerKeyExchange names a scheme outside the
// offer, the scan stops with Err. It also returns the scheme, or 0 when the
// ServerKeyExchange cannot be read.
func (s *sigAlgScanner) checkSigned(r *Result, schemes []uint16) (pickOutcome, uint16) {
	if r.Alert != nil || r.Flight.ServerKeyExchange == nil {
		return rejected, 0
	}
	id, ok := serverKeyExchangeScheme(r.Flight.ServerHello.CipherSuite, r.Flight.ServerKeyExchange.Raw)
	if !ok {
		// NOTE: the scheme is unknown here, so a server that signs with a
		// scheme it was not offered still counts as accepting the offer.
		return picked, 0
	}
	if !slices.Contains(schemes, id) {
		s.scan.Err = fmt.Sprintf("server signed its ServerKeyExchange with %s in probe %d, which offered %d signature schemes without it; RFC 5246, Section 7.4.1.4.1 requires an offered one, so the accepted schemes are unknown",
			registry.SchemeName(id), s.scan.Probes, len(schemes))
		return failed, 0
	}
	return picked, id
}

// serverKeyExchangeScheme reads the signature scheme of a TLS 1.2
// ServerKeyExchange body for an ECDHE or DHE suite (RFC 5246, Section
// 7.4.3; RFC 8422, Section 5.4): it skips the key exchange parameters and
// returns the two bytes that follow them. It returns false for other key
// exchanges and for a body too short to hold a scheme.
func serverKeyExchangeScheme(suite uint16, body []byte) (uint16, bool) {
	info, known := registry.Suite(suite)
	if !known {
		return 0, false
	}
	in := cryptobyte.String(body)
	var params cryptobyte.String
	switch info.KeyExchange {
	case "ECDHE":
		var curveType uint8
		var curve uint16
		if !in.ReadUint8(&curveType) || !in.ReadUint16(&curve) || !in.ReadUint8LengthPrefixed(&params) {
			return 0, false
		}
	case "DHE":
		if !in.ReadUint16LengthPrefixed(&params) || !in.ReadUint16LengthPrefixed(&params) ||
			!in.ReadUint16LengthPrefixed(&params) {
			return 0, false
		}
	default:
		return 0, false
	}
	var id uint16
	if !in.ReadUint16(&id) {
		return 0, false
	}
	return id, true
}

// failRetry sets Err for a HelloRetryRequest that the scan does not follow:
// a second one in the baseline, or one to a single-scheme hello.
func (s *sigAlgScanner) failRetry(group uint16) {
	share := "x25519 and secp256r1"
	if s.keyShares != nil {
		share = registry.GroupName(s.keyShares[0])
	}
	s.scan.Err = fmt.Sprintf("server sent a HelloRetryRequest for named group %s in probe %d, although the hello carried a key share for %s; the scan stopped",
		registry.GroupName(group), s.scan.Probes, share)
}

// sigAlgCandidates returns the registry schemes to test in v, in registry
// order: all of them for TLS 1.2, and those allowed in a TLS 1.3
// CertificateVerify for TLS 1.3.
func sigAlgCandidates(v Version) []uint16 {
	var ids []uint16
	for _, info := range registry.Schemes() {
		if v == VersionTLS12 || info.TLS13 {
			ids = append(ids, info.ID)
		}
	}
	return ids
}

// sigAlgSignedSuites returns the registry's TLS 1.2 suites whose key
// exchange the server signs (ECDHE or DHE with RSA, ECDSA or DSS
// authentication), ranked by suiteRank and cut to maxSuitesPerHello.
func sigAlgSignedSuites() []uint16 {
	var ranked []registry.SuiteInfo
	for _, info := range registry.Suites() {
		signedExchange := info.KeyExchange == "ECDHE" || info.KeyExchange == "DHE"
		signingKey := info.Authentication == "RSA" || info.Authentication == "ECDSA" || info.Authentication == "DSS"
		if info.ValidFor(uint16(VersionTLS12)) && signedExchange && signingKey {
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
