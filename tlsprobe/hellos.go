package tlsprobe

import (
	"slices"
	"sort"

	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// maxMaximalSuites bounds the cipher suites of MaximalHello. Some servers
// and middleboxes reject hellos with long suite lists, and testssl.sh offers
// at most 128 suites per hello for that reason.
//
// NOTE: 250 is an estimate of what servers accept, not a measured limit. A
// server that rejects a long list would make MaximalHello confirm a
// rejection that a shorter hello would not get.
const maxMaximalSuites = 250

// modernSuites lists what a current client offers for TLS 1.2 and earlier,
// in its order: ECDHE with AEAD, then CBC, then DHE and static RSA, as
// JDK 17 and OpenSSL 3 order them.
var modernSuites = []uint16{
	0xc02c, 0xc02b, 0xcca9, 0xc030, 0xc02f, 0xcca8, // ECDHE AES-GCM, ChaCha20
	0x009f, 0x009e, 0xccaa, // DHE-RSA AES-GCM, ChaCha20
	0xc024, 0xc023, 0xc028, 0xc027, // ECDHE CBC-SHA384/256
	0x006b, 0x0067, // DHE-RSA CBC-SHA256
	0xc00a, 0xc009, 0xc014, 0xc013, // ECDHE CBC-SHA
	0x0039, 0x0033, // DHE-RSA CBC-SHA
	0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f, // RSA
	0xc012, 0x000a, // 3DES, the last suite TLS 1.0 servers often have
}

// tls13Suites are the TLS 1.3 suites real clients offer, in their order.
var tls13Suites = []uint16{0x1302, 0x1301, 0x1303}

// modernSignatureSchemes is a current client's signature_algorithms list:
// every RFC 8446 scheme a JDK or a browser sends, then the SHA-1 pairs that
// old servers need.
var modernSignatureSchemes = []uint16{
	registry.SchemeECDSAP256SHA256, registry.SchemeECDSAP384SHA384, registry.SchemeECDSAP521SHA512,
	registry.SchemeEd25519, registry.SchemeEd448,
	registry.SchemeRSAPSSRSAESHA256, registry.SchemeRSAPSSRSAESHA384, registry.SchemeRSAPSSRSAESHA512,
	registry.SchemeRSAPSSPSSSHA256, registry.SchemeRSAPSSPSSSHA384, registry.SchemeRSAPSSPSSSHA512,
	registry.SchemeRSAPKCS1SHA256, registry.SchemeRSAPKCS1SHA384, registry.SchemeRSAPKCS1SHA512,
	registry.SchemeECDSASHA1, registry.SchemeRSAPKCS1SHA1,
}

// modernGroups is a current client's supported_groups list, as JDK 17 sends
// it.
var modernGroups = []uint16{
	registry.GroupX25519, registry.GroupSecp256r1, registry.GroupSecp384r1, registry.GroupSecp521r1,
	registry.GroupX448, registry.GroupFFDHE2048, registry.GroupFFDHE3072, registry.GroupFFDHE4096,
	registry.GroupFFDHE6144, registry.GroupFFDHE8192,
}

// ModernHello returns a ClientHello that looks like a current client (JDK 17,
// OpenSSL 3) limited to versions.
//
// With TLS 1.3 among versions it sends legacy_version TLS 1.2,
// supported_versions with versions newest first, and key shares for x25519
// and secp256r1. Without TLS 1.3 it sends legacy_version set to the newest of
// versions and no supported_versions, so a server replies with the version it
// chooses instead of an alert about the extension. An SSL 3.0-only hello has
// no extensions, as SSL 3.0 clients had none, and signals secure
// renegotiation with TLS_EMPTY_RENEGOTIATION_INFO_SCSV.
//
// serverName goes into SNI unless it is an IP literal or empty. No versions
// means TLS 1.2.
func ModernHello(serverName string, versions []Version) *ClientHello {
	versions = sortedVersions(versions)
	if len(versions) == 0 {
		versions = []Version{VersionTLS12}
	}
	newest := versions[0]

	h := &ClientHello{ServerName: serverName}
	for _, id := range modernSuites {
		if suiteValidForAny(id, versions) {
			h.CipherSuites = append(h.CipherSuites, id)
		}
	}
	if newest == VersionSSL30 {
		h.Version, h.RecordVersion = VersionSSL30, VersionSSL30
		h.ServerName = "" // server_name is an extension
		h.CipherSuites = append(h.CipherSuites, 0x00ff)
		return h
	}
	h.setModernExtensions()
	if newest >= VersionTLS13 {
		h.Version = VersionTLS12
		h.SupportedVersions = versions
		h.CipherSuites = append(slices.Clone(tls13Suites), h.CipherSuites...)
		h.KeyShares = []uint16{registry.GroupX25519, registry.GroupSecp256r1}
		h.PSKKeyExchangeModes = true
		return h
	}
	h.Version = newest
	return h
}

// setModernExtensions sets what every ModernHello and MaximalHello of
// TLS 1.0 and later sends.
func (h *ClientHello) setModernExtensions() {
	h.SupportedGroups = slices.Clone(modernGroups)
	h.SignatureAlgorithms = slices.Clone(modernSignatureSchemes)
	h.ALPN = []string{"h2", "http/1.1"}
	h.ECPointFormats = true
	h.RenegotiationInfo = true
	h.ExtendedMasterSecret = true
	h.SessionTicket = true
	h.StatusRequest = true
	h.Padding = true
}

// MaximalHello returns a ClientHello for version v that offers everything
// the registry lists for v: up to 250 cipher suites valid for v, common ones
// first, every group, and every signature scheme. It confirms a "version not
// supported": a server that rejects it for v rejects v, not a detail of a
// thinner hello.
//
// For TLS 1.3 it also offers TLS 1.2 suites, as clients do, and key shares
// for x25519, secp256r1 and X25519MLKEM768.
func MaximalHello(serverName string, v Version) *ClientHello {
	h := &ClientHello{ServerName: serverName}
	var ranked []registry.SuiteInfo
	for _, s := range registry.Suites() {
		if s.ValidFor(uint16(v)) || (v == VersionTLS13 && s.ValidFor(uint16(VersionTLS12))) {
			ranked = append(ranked, s)
		}
	}
	sort.SliceStable(ranked, func(i, j int) bool { return suiteRank(ranked[i]) < suiteRank(ranked[j]) })
	for _, s := range ranked {
		if len(h.CipherSuites) == maxMaximalSuites {
			break
		}
		h.CipherSuites = append(h.CipherSuites, s.ID)
	}

	if v == VersionSSL30 {
		h.Version, h.RecordVersion = VersionSSL30, VersionSSL30
		h.ServerName = "" // server_name is an extension
		h.CipherSuites = append(h.CipherSuites[:min(len(h.CipherSuites), maxMaximalSuites-1)], 0x00ff)
		return h
	}
	h.setModernExtensions()
	h.SupportedGroups = nil
	for _, g := range registry.Groups() {
		if g.Legacy && g.Kind == "hybrid" {
			continue // pre-standard Kyber drafts
		}
		if v == VersionTLS13 && !g.TLS13 {
			continue
		}
		h.SupportedGroups = append(h.SupportedGroups, g.ID)
	}
	// Common groups first: some servers pick the first group they support.
	h.SupportedGroups = moveToFront(h.SupportedGroups, modernGroups)
	h.SignatureAlgorithms = moveToFront(schemeIDs(), modernSignatureSchemes)
	if v == VersionTLS13 {
		h.Version = VersionTLS12
		h.SupportedVersions = []Version{VersionTLS13}
		h.KeyShares = []uint16{registry.GroupX25519, registry.GroupSecp256r1, registry.GroupX25519MLKEM768}
		h.SupportedGroups = moveToFront(h.SupportedGroups, []uint16{registry.GroupX25519MLKEM768})
		h.PSKKeyExchangeModes = true
		return h
	}
	h.Version = v
	return h
}

// suiteRank orders suites for MaximalHello: TLS 1.3, then forward-secret
// AEAD, forward-secret CBC, RSA, and last the suites only special setups
// enable (PSK, SRP, anonymous, static DH, Kerberos, NULL, export).
func suiteRank(s registry.SuiteInfo) int {
	rare := s.Authentication == "PSK" || s.Authentication == "anon" || s.KeyExchange == "SRP" ||
		s.KeyExchange == "KRB5" || s.KeyExchange == "DH" || s.KeyExchange == "ECDH" ||
		s.KeyExchange == "ECCPWD" || s.Cipher == "NULL" || s.Export
	switch {
	case s.TLS13:
		return 0
	case slices.Contains(modernSuites, s.ID):
		return 1 + slices.Index(modernSuites, s.ID)
	case rare:
		return 1000
	case s.ForwardSecret():
		return 100
	}
	return 200
}

func schemeIDs() []uint16 {
	var ids []uint16
	for _, s := range registry.Schemes() {
		ids = append(ids, s.ID)
	}
	return ids
}

// moveToFront returns list with the members of front that it contains first,
// in front's order.
func moveToFront(list, front []uint16) []uint16 {
	out := make([]uint16, 0, len(list))
	for _, id := range front {
		if slices.Contains(list, id) {
			out = append(out, id)
		}
	}
	for _, id := range list {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// sortedVersions returns versions newest first, without duplicates.
func sortedVersions(versions []Version) []Version {
	out := slices.Clone(versions)
	slices.Sort(out)
	out = slices.Compact(out)
	slices.Reverse(out)
	return out
}

func suiteValidForAny(id uint16, versions []Version) bool {
	s, ok := registry.Suite(id)
	if !ok {
		return false
	}
	for _, v := range versions {
		if s.ValidFor(uint16(v)) {
			return true
		}
	}
	return false
}
