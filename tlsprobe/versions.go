package tlsprobe

import (
	"context"
	"sync"
)

// VersionScan is the outcome of Prober.Versions: for each protocol version,
// whether the server accepts it and the evidence.
type VersionScan struct {
	Addr       string `json:"addr"`
	ServerName string `json:"server_name,omitempty"`
	// Versions holds one entry per version of AllVersions, oldest first.
	Versions []VersionResult `json:"versions"`
}

// VersionResult is the verdict for one protocol version.
type VersionResult struct {
	Version Version `json:"version"`
	// Accepted reports that a ServerHello (or SSL 2.0 SERVER-HELLO)
	// negotiated exactly this version. A TLS 1.3 HelloRetryRequest that
	// selects TLS 1.3 counts, because the server has committed to TLS 1.3
	// and only requests another key share.
	Accepted bool `json:"accepted"`
	// Result is the probe that decided: the accepting probe, or for a
	// rejected version the confirming MaximalHello probe (or the only probe
	// when there was no confirmation).
	Result *Result `json:"result"`
	// Confirmed reports that a rejection was confirmed by a MaximalHello
	// after a ModernHello was rejected. SSL 2.0 has a single probe, which
	// already offers every SSL 2.0 cipher, and is never confirmed.
	Confirmed bool `json:"confirmed,omitempty"`
	// Attempts lists every probe for this version, in order.
	Attempts []*Result `json:"attempts"`
}

// Accepted returns the versions the server accepts, oldest first.
func (s *VersionScan) Accepted() []Version {
	var out []Version
	for _, v := range s.Versions {
		if v.Accepted {
			out = append(out, v.Version)
		}
	}
	return out
}

// Lookup returns the result for version v.
func (s *VersionScan) Lookup(v Version) (VersionResult, bool) {
	for _, r := range s.Versions {
		if r.Version == v {
			return r, true
		}
	}
	return VersionResult{}, false
}

// Versions probes addr ("host:port") for SSL 2.0, SSL 3.0 and TLS 1.0 to
// 1.3, concurrently within the Prober's per-host limit. Each version gets a
// ModernHello limited to it. When the server rejects that hello (a timeout is
// not confirmed, because a second wait proves nothing), a
// MaximalHello for the version confirms the rejection. serverName goes into SNI
// (empty or an IP literal: no SNI).
func (p *Prober) Versions(ctx context.Context, addr, serverName string) *VersionScan {
	scan := &VersionScan{Addr: addr, ServerName: serverName, Versions: make([]VersionResult, len(AllVersions))}
	var wg sync.WaitGroup
	for i, v := range AllVersions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			scan.Versions[i] = p.probeVersion(ctx, addr, serverName, v)
		}()
	}
	wg.Wait()
	return scan
}

// probeVersion decides one version.
func (p *Prober) probeVersion(ctx context.Context, addr, serverName string, v Version) VersionResult {
	vr := VersionResult{Version: v}
	if v == VersionSSL20 {
		r := p.ProbeSSLv2(ctx, addr)
		vr.Attempts = []*Result{r}
		vr.Result = r
		vr.Accepted = r.Kind == KindSSLv2ServerHello && r.SSLv2.Version == VersionSSL20
		return vr
	}

	first := p.Probe(ctx, addr, ModernHello(serverName, []Version{v}))
	vr.Attempts = append(vr.Attempts, first)
	vr.Result = first
	if negotiated(first, v) {
		vr.Accepted = true
		return vr
	}
	// A failed connection or a canceled probe is no evidence about the
	// version, and a second connection would fail the same way. A server
	// that stayed silent until the deadline would be waited for once more
	// by a larger hello, which cannot make it answer sooner.
	if first.Kind == KindConnectFailed || first.Kind == KindProbeError || first.Kind == KindTimeout {
		return vr
	}

	// Confirm with everything the registry lists for v, because a thin
	// hello can be rejected for a missing suite, group or signature scheme.
	second := p.Probe(ctx, addr, MaximalHello(serverName, v))
	vr.Attempts = append(vr.Attempts, second)
	vr.Result = second
	if negotiated(second, v) {
		vr.Accepted = true
		return vr
	}
	vr.Confirmed = second.Kind != KindProbeError
	return vr
}

// negotiated reports whether r is a ServerHello, or a HelloRetryRequest,
// that selects version v.
func negotiated(r *Result, v Version) bool {
	if r.Flight == nil || r.Flight.ServerHello == nil {
		return false
	}
	switch r.Kind {
	case KindServerHello, KindHelloRetryRequest:
		return r.Flight.ServerHello.Version == v
	}
	return false
}
