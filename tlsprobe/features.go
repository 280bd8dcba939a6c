package tlsprobe

import (
	"context"
	"fmt"
	"slices"
)

// featureSuiteFallbackSCSV is TLS_FALLBACK_SCSV (RFC 7507, Section 2).
const featureSuiteFallbackSCSV uint16 = 0x5600

// Compression methods of the ClientHello and ServerHello (RFC 3749).
const (
	featureCompressionNull    uint8 = 0
	featureCompressionDeflate uint8 = 1
)

// featureAlertInappropriateFallback is the alert RFC 7507, Section 3 requires from a
// server that receives TLS_FALLBACK_SCSV in a hello below its highest version.
const featureAlertInappropriateFallback AlertDescription = 86

// featureAlertNoApplicationProtocol is the alert RFC 7301, Section 3.2 defines for a
// server that supports none of the offered protocols.
const featureAlertNoApplicationProtocol AlertDescription = 120

// Values of Features.FallbackSCSV.
const (
	// FallbackRejected: the server sent inappropriate_fallback, so it
	// honours TLS_FALLBACK_SCSV (RFC 7507).
	FallbackRejected = "rejected"
	// FallbackAccepted: the server completed a downgraded hello that carried
	// TLS_FALLBACK_SCSV, so it ignores the signal.
	FallbackAccepted = "accepted"
	// FallbackNotTested: the server accepts only one version of SSL 3.0 to
	// TLS 1.3, so no hello below its highest version can succeed, or an
	// earlier probe failed and NotObserved lists "fallback_scsv".
	FallbackNotTested = "not tested"
	// FallbackInconclusive: the server responded to the fallback hello with
	// neither a ServerHello nor inappropriate_fallback. Err then names the
	// response.
	FallbackInconclusive = "inconclusive"
)

// featureALPNProtocols are the protocols Features offers, each alone.
var featureALPNProtocols = []string{"h2", "http/1.1"}

// Features is the verdict on a server's use of optional TLS mechanisms,
// judged from its ServerHellos to hellos that differ in one point.
type Features struct {
	// Version is the highest version the server accepts.
	Version Version `json:"version"`
	// ProbeVersion is the version of the hellos behind ALPN and the
	// extension checks: the highest accepted version up to TLS 1.2, because
	// a TLS 1.3 server sends ALPN and OCSP responses encrypted. It is 0 when
	// the server accepts only TLS 1.3.
	ProbeVersion Version `json:"probe_version,omitempty"`
	// ALPN lists the protocols among h2 and http/1.1 that the server
	// selects when each is offered alone. Empty: no ALPN or none of them.
	// NOTE: judged at ProbeVersion only, so a server whose ALPN settings
	// differ for TLS 1.3 is not seen.
	ALPN []string `json:"alpn"`
	// SecureRenegotiation reports renegotiation_info in the ServerHello
	// (RFC 5746).
	SecureRenegotiation bool `json:"secure_renegotiation"`
	// ExtendedMasterSecret reports extended_master_secret in the
	// ServerHello (RFC 7627).
	ExtendedMasterSecret bool `json:"extended_master_secret"`
	// SessionTicket reports session_ticket in the ServerHello (RFC 5077).
	SessionTicket bool `json:"session_ticket"`
	// OCSPStapling reports status_request in the ServerHello or a
	// CertificateStatus message (RFC 6066, Section 8).
	OCSPStapling bool `json:"ocsp_stapling"`
	// Compression reports that the server chose DEFLATE when the hello
	// offered DEFLATE and null (RFC 3749). A compressing server is open to
	// CRIME.
	Compression bool `json:"compression"`
	// FallbackSCSV is FallbackRejected, FallbackAccepted, FallbackNotTested
	// or FallbackInconclusive.
	FallbackSCSV string `json:"fallback_scsv"`
	// NotObserved lists the fields above that the probes could not see,
	// such as "alpn" and "ocsp_stapling" for a TLS 1.3-only server. Those
	// fields are then false or empty without evidence.
	NotObserved []string `json:"not_observed,omitempty"`
	// Probes is the number of connections the checks used.
	Probes int `json:"probes"`
	// Err is set when a probe gave no usable response. The fields decided
	// before it keep their values, and the rest are listed in NotObserved.
	Err string `json:"error,omitempty"`
}

// Features probes addr ("host:port") for ALPN, secure renegotiation,
// extended master secret, session tickets, OCSP stapling, TLS compression
// and TLS_FALLBACK_SCSV. versions are the versions the server accepts, as
// VersionScan.Accepted returns them. serverName goes into SNI (empty or an IP
// literal: no SNI).
//
// The checks use ModernHello limited to the highest accepted version up to
// TLS 1.2: one hello without ALPN for the extensions that hello carries, one
// hello per ALPN protocol, and one hello that offers DEFLATE before null.
// A last hello sends the second-highest accepted version with
// TLS_FALLBACK_SCSV. That makes at most five connections, one after another
// through Probe, so the Prober's timeout and per-host limit apply.
//
// A server that accepts only TLS 1.3 gets the fallback verdict "not tested"
// and no probe, because in TLS 1.3 the server sends ALPN, OCSP responses and
// its other extensions encrypted, and TLS 1.3 has no renegotiation or
// compression.
func (p *Prober) Features(ctx context.Context, addr, serverName string, versions []Version) *Features {
	f := &featureProber{prober: p, ctx: ctx, addr: addr, serverName: serverName,
		features: &Features{FallbackSCSV: FallbackNotTested}}

	tlsVersions := slices.DeleteFunc(sortedVersions(versions), func(v Version) bool { return v < VersionSSL30 })
	if len(tlsVersions) == 0 {
		f.features.Err = fmt.Sprintf("no version of SSL 3.0 to TLS 1.3 among the accepted versions %v; run Prober.Versions first and pass VersionScan.Accepted", versions)
		f.features.NotObserved = featureAllNames()
		return f.features
	}
	f.features.Version = tlsVersions[0]
	if i := slices.IndexFunc(tlsVersions, func(v Version) bool { return v <= VersionTLS12 }); i >= 0 {
		f.features.ProbeVersion = tlsVersions[i]
	}

	switch f.features.ProbeVersion {
	case 0:
		f.features.NotObserved = []string{"alpn", "ocsp_stapling"}
	case VersionSSL30:
		// An SSL 3.0 hello has no extensions, so only the renegotiation
		// SCSV and compression can be checked.
		f.features.NotObserved = []string{"alpn", "extended_master_secret", "session_ticket", "ocsp_stapling"}
		if !f.checkExtensions() || !f.checkCompression() {
			return f.features
		}
	default:
		if !f.checkExtensions() || !f.checkALPN() || !f.checkCompression() {
			return f.features
		}
	}

	if len(tlsVersions) > 1 {
		f.checkFallback(tlsVersions[1])
	}
	return f.features
}

// featureProber carries the state of one Features call.
type featureProber struct {
	prober     *Prober
	ctx        context.Context
	addr       string
	serverName string
	features   *Features
}

// featureAllNames returns the JSON names of the Features verdicts.
func featureAllNames() []string {
	return []string{"alpn", "secure_renegotiation", "extended_master_secret", "session_ticket", "ocsp_stapling", "compression", "fallback_scsv"}
}

// baseHello returns ModernHello limited to ProbeVersion, without ALPN, so
// that a server strict about ALPN does not reject it.
func (f *featureProber) baseHello() *ClientHello {
	h := ModernHello(f.serverName, []Version{f.features.ProbeVersion})
	h.ALPN = nil
	return h
}

// probe sends hello and counts the connection.
func (f *featureProber) probe(hello *ClientHello) *Result {
	r, probes := f.prober.probeAgainAfterTimeout(f.ctx, f.addr, hello)
	f.features.Probes += probes
	return r
}

// stop sets Err for a probe that did not give a ServerHello of the expected
// version, and lists the verdicts from unchecked onward as not observed.
func (f *featureProber) stop(r *Result, what string, unchecked []string) bool {
	f.features.Err = fmt.Sprintf("probe %d (%s, %s) got no %s ServerHello: %s; check that %s still accepts %s and retry",
		f.features.Probes, what, f.features.ProbeVersion, f.features.ProbeVersion, r.Describe(), f.addr, f.features.ProbeVersion)
	f.features.NotObserved = append(f.features.NotObserved, unchecked...)
	return false
}

// checkExtensions reads renegotiation_info, extended_master_secret,
// session_ticket and status_request from the ServerHello to the base hello,
// which offers all four. A CertificateStatus message also counts as OCSP
// stapling, because RFC 6066, Section 8 sends the response there.
func (f *featureProber) checkExtensions() bool {
	r := f.probe(f.baseHello())
	if !negotiated(r, f.features.ProbeVersion) || r.Kind != KindServerHello {
		return f.stop(r, "ModernHello without ALPN", featureAllNames())
	}
	sh := r.Flight.ServerHello
	f.features.SecureRenegotiation = sh.SecureRenegotiation
	f.features.ExtendedMasterSecret = sh.ExtendedMasterSecret
	f.features.SessionTicket = sh.SessionTicket
	f.features.OCSPStapling = sh.OCSPStapling || r.Flight.CertificateStatus
	return true
}

// checkALPN offers each of featureALPNProtocols alone. A ServerHello without
// ALPN, or the alert no_application_protocol, means the server does not
// select that protocol.
func (f *featureProber) checkALPN() bool {
	for _, proto := range featureALPNProtocols {
		hello := f.baseHello()
		hello.ALPN = []string{proto}
		r := f.probe(hello)
		switch {
		case negotiated(r, f.features.ProbeVersion) && r.Kind == KindServerHello:
			if r.Flight.ServerHello.ALPN == proto {
				f.features.ALPN = append(f.features.ALPN, proto)
			}
		case r.Kind == KindAlert && r.Alert.Description == featureAlertNoApplicationProtocol:
			// The server supports ALPN but not proto.
		default:
			return f.stop(r, "ALPN "+proto+" alone", []string{"alpn", "compression", "fallback_scsv"})
		}
	}
	return true
}

// checkCompression offers DEFLATE before null. RFC 5246, Section 7.4.1.2
// requires null in every list, so a server that does not compress still
// accepts the hello.
func (f *featureProber) checkCompression() bool {
	hello := f.baseHello()
	hello.CompressionMethods = []uint8{featureCompressionDeflate, featureCompressionNull}
	r := f.probe(hello)
	if !negotiated(r, f.features.ProbeVersion) || r.Kind != KindServerHello {
		return f.stop(r, "DEFLATE and null compression", []string{"compression", "fallback_scsv"})
	}
	f.features.Compression = r.Flight.ServerHello.CompressionMethod == featureCompressionDeflate
	return true
}

// checkFallback sends ModernHello limited to fallback, a version below the
// server's highest, with TLS_FALLBACK_SCSV last in the suites
// (RFC 7507, Section 4). A server that honours the signal responds with the
// alert inappropriate_fallback (RFC 7507, Section 3).
func (f *featureProber) checkFallback(fallback Version) {
	hello := ModernHello(f.serverName, []Version{fallback})
	hello.CipherSuites = append(hello.CipherSuites, featureSuiteFallbackSCSV)
	r := f.probe(hello)
	switch {
	case r.Kind == KindAlert && r.Alert.Description == featureAlertInappropriateFallback:
		f.features.FallbackSCSV = FallbackRejected
	case negotiated(r, fallback) && r.Kind == KindServerHello:
		f.features.FallbackSCSV = FallbackAccepted
	default:
		f.features.FallbackSCSV = FallbackInconclusive
		f.features.Err = fmt.Sprintf("probe %d (%s with TLS_FALLBACK_SCSV) got neither a ServerHello nor inappropriate_fallback: %s; check that %s still accepts %s and retry",
			f.features.Probes, fallback, r.Describe(), f.addr, fallback)
	}
}
