// Package fingerprint identifies the TLS stack, and the product, that
// terminates TLS on an address.
//
// Take sends a fixed set of ClientHellos (Hellos) and records each response
// as a short token. Identify compares those tokens with a table measured on
// live servers (nginx, Apache httpd, haproxy, stunnel, openssl s_server on
// OpenSSL 3.0, JSSE on JDK 17, Go crypto/tls), which is embedded in the
// package. HTTPEvidence reads response headers and cookie names that name a
// proxy, load balancer or CDN. Several products that share a TLS library
// and its defaults send identical tokens, so the TLS evidence names a
// library and a group of products, and the HTTP evidence separates them.
//
// The idea of a fixed hello set comes from JARM. The hellos, the tokens and
// the hash are this package's own, so they are not comparable with JARM
// fingerprints.
package fingerprint

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"

	"github.com/scimdoctor/scimdoctor/tlsprobe"
)

// Fingerprint is the response of one server to the hello set.
type Fingerprint struct {
	// HelloSet is the name of the hello set used (HelloSet).
	HelloSet string `json:"hello_set"`
	// Addr is the host:port probed and ServerName the SNI sent, if any.
	Addr       string `json:"addr"`
	ServerName string `json:"server_name,omitempty"`
	// Probes holds one entry per hello, in the order of Hellos.
	Probes []Probe `json:"probes"`
	// Hash is a stable digest of the hello set name and every token, such
	// as "fp1:3f9a...": equal hashes mean equal tokens.
	Hash string `json:"hash"`
	// Summary describes the behaviour in a few plain clauses.
	Summary string `json:"summary"`
}

// Probe is one hello of the set and what came back.
type Probe struct {
	// Hello is the Name of the hello sent.
	Hello string `json:"hello"`
	// Token encodes the response, as Encode describes.
	Token string `json:"token"`
	// Result is the full probe result.
	Result *tlsprobe.Result `json:"-"`
}

// Tokens returns the tokens by hello name.
func (fp *Fingerprint) Tokens() map[string]string {
	tokens := make(map[string]string, len(fp.Probes))
	for _, p := range fp.Probes {
		tokens[p.Hello] = p.Token
	}
	return tokens
}

// Conclusive returns the number of probes whose token is evidence about the
// server, that is not a timeout, a failed connection or a probe that did not
// run.
func (fp *Fingerprint) Conclusive() int {
	n := 0
	for _, p := range fp.Probes {
		if conclusive(p.Token) {
			n++
		}
	}
	return n
}

// Take sends every hello of the set to addr ("host:port") through prober,
// so the prober's per-host connection limit, pacing and timeout apply, and
// returns the fingerprint. serverName goes into SNI except in the hellos
// that test its absence and the SSL 3.0 hello; empty or an IP literal
// sends none. Take never returns nil: a probe that fails becomes a token
// such as "timeout" or "connect_failed", which Identify ignores.
func Take(ctx context.Context, prober *tlsprobe.Prober, addr, serverName string) *Fingerprint {
	if prober == nil {
		prober = &tlsprobe.Prober{}
	}
	fp := &Fingerprint{HelloSet: HelloSet, Addr: addr, ServerName: serverName, Probes: make([]Probe, len(hellos))}
	var wg sync.WaitGroup
	for i, h := range hellos {
		wg.Go(func() {
			r := prober.Probe(ctx, addr, h.build(serverName))
			fp.Probes[i] = Probe{Hello: h.Name, Token: Encode(r), Result: r}
		})
	}
	wg.Wait()
	fp.Hash = hashTokens(fp.HelloSet, fp.Probes)
	fp.Summary = summarize(fp)
	return fp
}

// hashTokens digests the set name and the tokens in set order. The "fp1:"
// prefix names this encoding of the hash.
func hashTokens(set string, probes []Probe) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n", set)
	for _, p := range probes {
		fmt.Fprintf(h, "%s=%s\n", p.Hello, p.Token)
	}
	return "fp1:" + hex.EncodeToString(h.Sum(nil)[:12])
}

// Tokens of outcomes without a ServerHello. Alerts are "alert:" and the
// RFC name.
const (
	tokenReset         = "reset"
	tokenClosed        = "closed"
	tokenTimeout       = "timeout"
	tokenNotTLS        = "not_tls"
	tokenMalformed     = "malformed"
	tokenConnectFailed = "connect_failed"
	tokenProbeError    = "probe_error"
	tokenSSLv2         = "sslv2"
)

// conclusive reports whether a token is evidence about the server: a
// timeout can come from load, a failed connection from the network, and a
// probe error from the local side.
func conclusive(token string) bool {
	switch token {
	case tokenTimeout, tokenConnectFailed, tokenProbeError, "":
		return false
	}
	return true
}

// Encode turns one probe result into a token:
//
//	sh:VERSION:SUITE:EXTENSIONS:GROUP  a ServerHello, such as
//	                                   "sh:0303:c030:ff01.000b.0023.0017:0017"
//	hrr:GROUP:EXTENSIONS               a HelloRetryRequest
//	alert:NAME                         a fatal alert before any ServerHello,
//	                                   such as "alert:protocol_version"
//	reset, closed, timeout, not_tls, malformed, connect_failed,
//	probe_error, sslv2                 the other outcomes
//
// VERSION and SUITE are 4 hex digits. EXTENSIONS lists the ServerHello's
// extension types as 4 hex digits each, in the server's order, joined by
// "."; "-" means none. GROUP is the key exchange group in 4 hex digits:
// the TLS 1.3 key share, or the curve of a TLS 1.2 ECDHE
// ServerKeyExchange. It is "dhN" for a finite-field DHE prime of N bits,
// and "-" for none, as with static RSA. A TLS 1.2 ServerHello whose flight stopped before the
// ServerKeyExchange gives "?" as GROUP.
func Encode(r *tlsprobe.Result) string {
	if r == nil {
		return tokenProbeError
	}
	switch r.Kind {
	case tlsprobe.KindServerHello:
		return encodeServerHello(r.Flight)
	case tlsprobe.KindHelloRetryRequest:
		if r.Flight == nil || r.Flight.ServerHello == nil {
			return "hrr:?:-"
		}
		sh := r.Flight.ServerHello
		return fmt.Sprintf("hrr:%04x:%s", sh.KeyShareGroup, joinExtensions(sh.Extensions))
	case tlsprobe.KindAlert:
		if r.Alert == nil {
			return "alert:?"
		}
		return "alert:" + r.Alert.Description.String()
	case tlsprobe.KindReset:
		return tokenReset
	case tlsprobe.KindSilentClose:
		return tokenClosed
	case tlsprobe.KindTimeout:
		return tokenTimeout
	case tlsprobe.KindNotTLS:
		return tokenNotTLS
	case tlsprobe.KindMalformed:
		return tokenMalformed
	case tlsprobe.KindConnectFailed:
		return tokenConnectFailed
	case tlsprobe.KindSSLv2ServerHello:
		return tokenSSLv2
	}
	return tokenProbeError
}

func encodeServerHello(f *tlsprobe.ServerFlight) string {
	if f == nil || f.ServerHello == nil {
		return tokenMalformed
	}
	sh := f.ServerHello
	group := "-"
	switch {
	case sh.Version >= tlsprobe.VersionTLS13:
		if sh.KeyShareGroup != 0 {
			group = fmt.Sprintf("%04x", sh.KeyShareGroup)
		}
	case f.ServerKeyExchange != nil && f.ServerKeyExchange.NamedCurve != 0:
		group = fmt.Sprintf("%04x", f.ServerKeyExchange.NamedCurve)
	case f.ServerKeyExchange != nil && f.ServerKeyExchange.DHPrimeBits != 0:
		group = fmt.Sprintf("dh%d", f.ServerKeyExchange.DHPrimeBits)
	case f.ServerKeyExchange == nil && !f.ServerHelloDone:
		group = "?"
	}
	return fmt.Sprintf("sh:%04x:%04x:%s:%s", uint16(sh.Version), sh.CipherSuite, joinExtensions(sh.Extensions), group)
}

// extServerName is the server_name extension (RFC 6066). A server echoes
// it empty only when the hello carried SNI, so it is left out of tokens:
// the same server must give the same fingerprint whether it is scanned by
// name or by IP address.
const extServerName uint16 = 0x0000

func joinExtensions(exts []uint16) string {
	var parts []string
	for _, e := range exts {
		if e == extServerName {
			continue
		}
		parts = append(parts, fmt.Sprintf("%04x", e))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ".")
}
