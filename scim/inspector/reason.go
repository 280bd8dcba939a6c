package inspector

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strings"

	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// goDefaultSuites are the TLS 1.0 to 1.2 suites crypto/tls enables when
// tls.Config.CipherSuites is nil.
// NOTE: this is the default list of Go 1.22 to 1.26 (no RSA key exchange,
// no 3DES); GODEBUG settings such as tlsrsakex=1 widen it.
var goDefaultSuites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
}

// tls13Suites are the TLS 1.3 suites crypto/tls implements; they cannot be
// configured.
var tls13Suites = []uint16{tls.TLS_AES_128_GCM_SHA256, tls.TLS_AES_256_GCM_SHA384, tls.TLS_CHACHA20_POLY1305_SHA256}

// goDefaultGroups are the groups crypto/tls enables when
// tls.Config.CurvePreferences is nil (Go 1.24 to 1.26).
var goDefaultGroups = []uint16{0x11ec, 0x001d, 0x0017, 0x0018, 0x0019}

// serverVersions returns the versions cfg enables, newest first.
func serverVersions(cfg *tls.Config) []uint16 {
	low, high := cfg.MinVersion, cfg.MaxVersion
	if low == 0 {
		// crypto/tls servers default to TLS 1.2 since Go 1.22.
		low = tls.VersionTLS12
	}
	if high == 0 {
		high = tls.VersionTLS13
	}
	var vs []uint16
	for v := high; v >= low && v >= tls.VersionTLS10; v-- {
		vs = append(vs, v)
	}
	return vs
}

// serverSuites returns the TLS 1.0 to 1.2 suites cfg accepts for its
// certificate's key type.
func serverSuites(cfg *tls.Config) []uint16 {
	suites := cfg.CipherSuites
	if suites == nil {
		suites = goDefaultSuites
	}
	auth := certificateAuth(cfg)
	var out []uint16
	for _, id := range suites {
		info, ok := registry.Suite(id)
		if ok && auth != "" && info.Authentication != auth {
			continue
		}
		out = append(out, id)
	}
	return out
}

// certificateAuth returns "RSA" or "ECDSA" for a config with exactly one
// certificate of that key type, and "" when it cannot tell.
func certificateAuth(cfg *tls.Config) string {
	if len(cfg.Certificates) != 1 || cfg.GetCertificate != nil {
		return ""
	}
	switch cfg.Certificates[0].PrivateKey.(type) {
	case *rsa.PrivateKey:
		return "RSA"
	case *ecdsa.PrivateKey, ed25519.PrivateKey:
		return "ECDSA"
	}
	return ""
}

func serverGroups(cfg *tls.Config) []uint16 {
	if cfg.CurvePreferences == nil {
		return goDefaultGroups
	}
	out := make([]uint16, len(cfg.CurvePreferences))
	for i, c := range cfg.CurvePreferences {
		out[i] = uint16(c)
	}
	return out
}

// failureReason explains a failed handshake in one sentence. It first
// compares the hello with cfg (versions, then suites, then groups),
// because that names the mismatch in both sides' terms. Otherwise it
// translates crypto/tls's error.
func failureReason(h *ClientHello, cfg *tls.Config, err error) string {
	offered := h.OfferedVersions()
	accepted := serverVersions(cfg)
	var common []uint16
	for _, v := range offered {
		if slices.Contains(accepted, v) {
			common = append(common, v)
		}
	}
	if len(common) == 0 {
		return fmt.Sprintf("client offered only %s; server requires %s", versionList(offered), versionRange(accepted))
	}

	negotiated := common[0]
	clientSuites := withoutGREASE(h.CipherSuites)
	if negotiated == tls.VersionTLS13 {
		if !sharesAny(clientSuites, tls13Suites) {
			return fmt.Sprintf("no shared cipher suite for TLS 1.3: client offered %s; server accepts %s",
				joinNames(clientSuites, suiteName), joinNames(tls13Suites, suiteName))
		}
	} else {
		suites := serverSuites(cfg)
		if !sharesAny(clientSuites, suites) {
			return fmt.Sprintf("no shared cipher suite for %s: client offered %s; server accepts %s",
				versionName(negotiated), joinNames(clientSuites, suiteName), joinNames(suites, suiteName))
		}
	}

	groups := serverGroups(cfg)
	clientGroups := withoutGREASE(h.SupportedGroups)
	if negotiated == tls.VersionTLS13 && !sharesAny(clientGroups, groups) {
		return fmt.Sprintf("no shared group for TLS 1.3 key exchange: client offered %s; server accepts %s",
			joinNames(clientGroups, groupName), joinNames(groups, groupName))
	}

	return translateError(h, err)
}

// translateError turns crypto/tls's server-side error into a reason.
func translateError(h *ClientHello, err error) string {
	text := err.Error()
	var ne net.Error
	switch {
	case errors.Is(err, io.EOF) || strings.Contains(text, "connection reset by peer"):
		return "client closed the connection during the handshake, after the server's reply, without an alert: it rejected the certificate or the negotiated parameters (Java and .NET clients log the cause on their side)"
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("handshake did not finish within %s: the client stopped answering after the server's reply", handshakeTimeout)
	case strings.Contains(text, "remote error: tls: bad certificate"),
		strings.Contains(text, "remote error: tls: unknown certificate authority"),
		strings.Contains(text, "remote error: tls: unknown certificate"),
		strings.Contains(text, "remote error: tls: unsupported certificate"):
		return "client rejected the server certificate (" + strings.TrimPrefix(text, "remote error: tls: ") + "): the client does not trust its issuer or the chain is incomplete; serve the full chain or add the CA to the client's trust store"
	case strings.Contains(text, "remote error: tls: expired certificate"):
		return "client rejected the server certificate as expired; renew it"
	case strings.Contains(text, "remote error: tls: access denied"),
		strings.Contains(text, "remote error: tls: handshake failure"):
		return "client aborted the handshake (" + strings.TrimPrefix(text, "remote error: tls: ") + ") after the server's reply"
	case strings.Contains(text, "remote error"):
		return "client sent an alert: " + strings.TrimPrefix(text, "remote error: tls: ")
	case strings.Contains(text, "client requested unsupported application protocols"):
		return fmt.Sprintf("no shared ALPN protocol: client offered %s", strings.Join(h.ALPN, ", "))
	case strings.Contains(text, "inappropriate protocol fallback"):
		return "client retried with an older version and signalled TLS_FALLBACK_SCSV, so the server refused the downgrade; an earlier attempt from this client failed first"
	case strings.Contains(text, "no certificates configured"), strings.Contains(text, "no certificate"):
		serverName := h.ServerName
		if serverName == "" {
			serverName = "(no SNI)"
		}
		return fmt.Sprintf("server has no certificate for server name %q: %s", serverName, text)
	}
	return "handshake failed: " + text
}

func sharesAny(a, b []uint16) bool {
	for _, v := range a {
		if slices.Contains(b, v) {
			return true
		}
	}
	return false
}

// versionList names versions oldest first, such as "TLS 1.0, TLS 1.1".
func versionList(vs []uint16) string {
	sorted := slices.Clone(vs)
	slices.Sort(sorted)
	return joinNames(sorted, versionName)
}

// versionRange describes the versions a server accepts, such as "TLS 1.2
// or later" or "TLS 1.0 to TLS 1.1".
func versionRange(vs []uint16) string {
	if len(vs) == 0 {
		return "no version at all (check MinVersion and MaxVersion)"
	}
	newest, oldest := vs[0], vs[len(vs)-1]
	switch {
	case newest == tls.VersionTLS13 && oldest == tls.VersionTLS13:
		return "TLS 1.3"
	case newest == tls.VersionTLS13:
		return versionName(oldest) + " or later"
	case newest == oldest:
		return versionName(oldest) + " only"
	}
	return versionName(oldest) + " to " + versionName(newest)
}
