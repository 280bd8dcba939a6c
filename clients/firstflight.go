package clients

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"syscall"

	"github.com/scimdoctor/scimdoctor/tlsprobe"
)

// classifyFirstFlight sets the prediction for every first flight but an
// accepted ServerHello and reports whether the simulation is done.
func (s *simulation) classifyFirstFlight(r *tlsprobe.Result) bool {
	pred := s.pred
	switch r.Kind {
	case tlsprobe.KindProbeError:
		pred.Evidence = append(pred.Evidence, "the simulation did not run: "+r.Describe())
		return true

	case tlsprobe.KindConnectFailed:
		var dnsErr *net.DNSError
		switch {
		case errors.As(r.Err, &dnsErr):
			s.fail(ClassDNSFailure, LayerDNS, "", "the name "+s.host+" did not resolve: "+dnsErr.Err)
		case errors.Is(r.Err, syscall.ECONNREFUSED):
			s.fail(ClassConnectRefused, LayerTCP, "", "the TCP connection to "+s.target.Addr+" was refused (a reset answered the SYN)")
		case errors.Is(r.Err, syscall.ECONNRESET):
			// The server accepted the connection and reset it before the
			// client wrote its hello.
			s.fail(ClassReset, LayerTLS, variantResetOnConnect, "the server reset the TCP connection right after accepting it: "+errorText(r))
		default:
			// NOTE: unreachable hosts and networks have texts of their own
			// in every client; they are reported with the refused text.
			s.fail(ClassConnectRefused, LayerTCP, "", "the TCP connection to "+s.target.Addr+" failed: "+errorText(r))
		}
		return true

	case tlsprobe.KindTimeout:
		if r.Phase == "connect" {
			s.fail(ClassConnectTimeout, LayerTCP, "", "the TCP connection to "+s.target.Addr+" "+errorText(r))
			return true
		}
		s.fail(ClassReadTimeout, LayerTLS, "", "the server accepted the TCP connection but sent no complete response to the ClientHello: "+errorText(r))
		return true

	case tlsprobe.KindReset:
		variant := ""
		var opErr *net.OpError
		if errors.As(r.Err, &opErr) && opErr.Op == "write" {
			variant = variantResetOnWrite
		}
		s.fail(ClassReset, LayerTLS, variant, "the server reset the TCP connection after the ClientHello")
		return true

	case tlsprobe.KindSilentClose:
		s.fail(ClassClosed, LayerTLS, "", "the server closed the connection without a TLS alert: "+errorText(r))
		return true

	case tlsprobe.KindNotTLS:
		variant := ""
		if !strings.HasPrefix(string(r.FirstBytes), "HTTP/") {
			variant = variantNotTLSOther
		}
		s.fail(ClassNotTLS, LayerTLS, variant, "the port does not speak TLS: "+r.Describe())
		return true

	case tlsprobe.KindMalformed:
		// TODO: predict each client's own line for the common malformations
		// (JDK 17 prints "Bad input record size, TLSCiphertext.length = N"
		// for a record over its limit); the text now states that none is predicted.
		s.fail(ClassMalformed, LayerTLS, "", "the server's response is not valid TLS: "+r.Describe())
		return true

	case tlsprobe.KindAlert:
		if r.Alert == nil {
			// unreachable: the prober sets Alert for KindAlert.
			s.fail(ClassClosed, LayerTLS, "", "the server ended the handshake: "+r.Describe())
			return true
		}
		s.values.alert = &r.Alert.Description
		s.fail(ClassAlert, LayerTLS, alertVariant(r.Alert.Description),
			fmt.Sprintf("the server responded to the hello with %s", r.Alert))
		return true

	case tlsprobe.KindSSLv2ServerHello:
		s.values.version = tlsprobe.VersionSSL20
		s.fail(ClassVersionRejected, LayerTLS, "", "the server responded with an SSL 2.0 SERVER-HELLO")
		return true

	case tlsprobe.KindHelloRetryRequest:
		return s.helloRetry(r)

	case tlsprobe.KindServerHello:
		return s.serverHello(r)
	}
	// unreachable: every Kind is handled above.
	s.pred.Evidence = append(s.pred.Evidence, "the probe ended in an unknown way: "+r.Describe())
	return true
}

// serverHello checks the version and suite the server chose. It reports
// whether the simulation is done.
func (s *simulation) serverHello(r *tlsprobe.Result) bool {
	p, pred := s.profile, s.pred
	sh := r.Flight.ServerHello
	pred.Version, pred.CipherSuite = sh.Version, sh.CipherSuite
	s.values.version, s.values.suite = sh.Version, sh.CipherSuite
	pred.Evidence = append(pred.Evidence, "the server accepted the hello: "+r.Describe())

	if !p.Enables(sh.Version) {
		s.fail(ClassVersionRejected, LayerTLS, "", fmt.Sprintf("the server chose %s, which %s does not enable (it enables %s)",
			sh.Version, p.Name, joinVersions(p.versions)))
		return true
	}
	if floor := p.minVersion(); floor != 0 && sh.Version < floor {
		s.fail(ClassVersionRejected, LayerTLS, "", fmt.Sprintf("the server chose %s; %s offers it but fails such a handshake, because it completes only %s and newer",
			sh.Version, p.Name, floor))
		return true
	}
	if !p.Offers(sh.CipherSuite) {
		s.fail(ClassSuiteRejected, LayerTLS, "", fmt.Sprintf("the server chose the cipher suite %s, which %s did not offer",
			suiteName(sh.CipherSuite), p.Name))
		return true
	}
	if ske := r.Flight.ServerKeyExchange; ske != nil && ske.DHPrimeBits > 0 && ske.DHPrimeBits < p.Policy.MinDHBits {
		s.values.keyType, s.values.keyBits = "DH", ske.DHPrimeBits
		// TODO: measure each client's own text for a small DHE group; the
		// weak_key text names the certificate key.
		s.fail(ClassWeakKey, LayerTLS, "", fmt.Sprintf("the server's DHE group has %d bits, below the %d bits %s accepts",
			ske.DHPrimeBits, p.Policy.MinDHBits, p.Name))
		return true
	}
	return false
}

// helloRetry handles a HelloRetryRequest: a real client sends a second
// hello with a key share for the requested group when it supports that
// group, which the handshake step then repeats. It reports whether the
// simulation is done.
func (s *simulation) helloRetry(r *tlsprobe.Result) bool {
	p, pred := s.profile, s.pred
	sh := r.Flight.ServerHello
	pred.Version, pred.CipherSuite = sh.Version, sh.CipherSuite
	s.values.version, s.values.suite = sh.Version, sh.CipherSuite
	pred.Evidence = append(pred.Evidence, r.Describe())
	if !slices.Contains(p.hello.SupportedGroups, sh.KeyShareGroup) {
		illegal := tlsprobe.AlertDescription(47)
		s.values.alert = &illegal
		// NOTE: the client aborts with illegal_parameter (RFC 8446,
		// Section 4.1.4); its exact text for this case is not measured.
		s.fail(ClassSuiteRejected, LayerTLS, "", fmt.Sprintf("the server asked for a key share of %s, a group %s did not offer",
			groupName(sh.KeyShareGroup), p.Name))
		return true
	}
	return false
}

// alertVariant returns the text key for alert a, such as "alert_70".
func alertVariant(a tlsprobe.AlertDescription) string {
	return fmt.Sprintf("%s%d", variantAlertPrefix, a)
}
