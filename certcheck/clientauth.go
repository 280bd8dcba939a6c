package certcheck

import (
	"context"
	"crypto/tls"
	"fmt"
	"strings"
	"time"

	"github.com/scimdoctor/scimdoctor/tlsprobe"
)

// Values of ClientAuthVersion.Requirement.
const (
	// RequirementNone: the server sent no CertificateRequest.
	RequirementNone = "none"
	// RequirementOptional: the server requested a client certificate but
	// completed the handshake and returned an HTTP response without one.
	RequirementOptional = "optional"
	// RequirementRequired: the server rejected the client without a
	// certificate, with an alert, a close, a reset or HTTP 400.
	RequirementRequired = "required"
	// RequirementUnknown: the server requested a client certificate, but
	// what it did without one proves neither a rejection nor an
	// acceptance, such as a timeout after the handshake. With Requested
	// false, it means that neither the raw probe's first flight nor a
	// completed handshake showed whether a CertificateRequest comes.
	RequirementUnknown = "unknown"
)

// ClientAuthVersion is the server's handling of clients without a
// certificate at one TLS version.
type ClientAuthVersion struct {
	Version tlsprobe.Version `json:"version"`
	// Requested reports a CertificateRequest from the server.
	Requested bool `json:"requested"`
	// CANames lists the acceptable CA names of the CertificateRequest, in
	// RFC 2253 form.
	CANames []string `json:"ca_names,omitempty"`
	// Requirement is RequirementNone, RequirementOptional,
	// RequirementRequired or RequirementUnknown.
	Requirement string `json:"requirement"`
	// Evidence is the server's reaction to a client that sent no
	// certificate, such as "completed the handshake and answered HTTP 400".
	Evidence string `json:"evidence"`
	// HTTPStatus is the status code of the HTTP response, or 0 when none
	// came.
	HTTPStatus int `json:"http_status,omitempty"`
}

// ClientAuth is the result of ProbeClientAuth.
type ClientAuth struct {
	// Versions lists TLS 1.2 and TLS 1.3, oldest first, for each one the
	// server accepted.
	Versions []ClientAuthVersion `json:"versions"`
	// Summary is one sentence on whether Okta and Entra ID, which send no
	// client certificate, can connect.
	Summary string `json:"summary"`
}

// ProbeClientAuth finds out whether the server at addr requests a client
// certificate at TLS 1.2 and TLS 1.3, and whether it rejects a client
// that sends none. It opens at most three connections: one raw TLS 1.2
// probe through prober, which reads the CertificateRequest in clear, and one
// Handshake per version, without a client certificate, that sends
// "GET path". serverName is sent as SNI unless empty. timeout bounds each
// connection, and 0 or less means DefaultTimeout. prober may be nil, which
// means a zero tlsprobe.Prober. ProbeClientAuth never returns nil.
func ProbeClientAuth(ctx context.Context, prober *tlsprobe.Prober, addr, serverName, path string, timeout time.Duration) *ClientAuth {
	if prober == nil {
		prober = &tlsprobe.Prober{}
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	opts := HandshakeOptions{Path: path, Timeout: timeout}

	result := &ClientAuth{Versions: []ClientAuthVersion{}}
	if version, ok := probeClientAuthTLS12(ctx, prober, addr, serverName, opts); ok {
		result.Versions = append(result.Versions, version)
	}
	if version, ok := probeClientAuthTLS13(ctx, addr, serverName, opts); ok {
		result.Versions = append(result.Versions, version)
	}
	result.Summary = summarizeClientAuth(result.Versions)
	return result
}

// probeClientAuthTLS12 reads the TLS 1.2 CertificateRequest with a raw
// probe and, when the server accepted TLS 1.2, runs a TLS 1.2 Handshake.
// It reports false when the server did not accept TLS 1.2.
func probeClientAuthTLS12(ctx context.Context, prober *tlsprobe.Prober, addr, serverName string, opts HandshakeOptions) (ClientAuthVersion, bool) {
	probeCtx, cancel := context.WithTimeout(ctx, opts.Timeout)
	probe := prober.Probe(probeCtx, addr, tlsprobe.ModernHello(serverName, []tlsprobe.Version{tlsprobe.VersionTLS12}))
	cancel()
	if !probe.Accepted() || probe.Flight == nil || probe.Flight.ServerHello == nil ||
		probe.Flight.ServerHello.Version != tlsprobe.VersionTLS12 {
		return ClientAuthVersion{}, false
	}

	version := ClientAuthVersion{Version: tlsprobe.VersionTLS12}
	if request := probe.Flight.CertificateRequest; request != nil {
		version.Requested = true
		version.CANames = request.CANamesText
	}

	opts.MinVersion, opts.MaxVersion = tls.VersionTLS12, tls.VersionTLS12
	handshake := Handshake(ctx, addr, serverName, opts)
	// The raw flight can end early, before a CertificateRequest, so the
	// request that crypto/tls saw counts too.
	if !version.Requested && handshake.CertificateRequested {
		version.Requested = true
		version.CANames = handshake.AcceptableCAs
	}

	// A TLS 1.2 server sends its CertificateRequest before ServerHelloDone
	// (RFC 5246, Section 7.3). Without a request, only a flight that
	// reached ServerHelloDone or a completed handshake shows that none
	// comes.
	if !version.Requested && !probe.Flight.ServerHelloDone && handshake.Handshake.Outcome != OutcomeCompleted {
		version.Requirement = RequirementUnknown
		version.Evidence = fmt.Sprintf("whether the server sends a CertificateRequest is unknown: the raw probe's first flight ended before ServerHelloDone (%s), and the handshake of crypto/tls failed (%s)",
			probe.Describe(), describeStep(handshake.Handshake))
		return version, true
	}
	classifyClientAuth(&version, handshake)
	if !version.Requested && probe.Flight.ServerHelloDone {
		version.Evidence = strings.Replace(version.Evidence, "sent no CertificateRequest",
			"sent no CertificateRequest in its first flight, which ended with ServerHelloDone", 1)
	}
	return version, true
}

// probeClientAuthTLS13 runs a TLS 1.3 Handshake, which both reads the
// encrypted CertificateRequest and tests a client without a certificate.
// It reports false when the server did not accept TLS 1.3.
func probeClientAuthTLS13(ctx context.Context, addr, serverName string, opts HandshakeOptions) (ClientAuthVersion, bool) {
	opts.MinVersion, opts.MaxVersion = tls.VersionTLS13, tls.VersionTLS13
	handshake := Handshake(ctx, addr, serverName, opts)
	// A CertificateRequest follows the ServerHello, so a server that sent
	// one accepted TLS 1.3 even when the handshake then failed.
	if handshake.Handshake.Outcome != OutcomeCompleted && !handshake.CertificateRequested {
		return ClientAuthVersion{}, false
	}

	version := ClientAuthVersion{
		Version:   tlsprobe.VersionTLS13,
		Requested: handshake.CertificateRequested,
		CANames:   handshake.AcceptableCAs,
	}
	classifyClientAuth(&version, handshake)
	return version, true
}

// classifyClientAuth sets Requirement, Evidence and HTTPStatus of version
// from a Handshake that sent no client certificate. version.Requested must
// already be set.
func classifyClientAuth(version *ClientAuthVersion, handshake *HandshakeResult) {
	if handshake.Response != nil {
		version.HTTPStatus = handshake.Response.StatusCode
	}

	if !version.Requested {
		version.Requirement = RequirementNone
		version.Evidence = "sent no CertificateRequest"
		if handshake.Handshake.Outcome != OutcomeCompleted {
			version.Evidence += fmt.Sprintf("; the handshake of crypto/tls failed (%s)", describeStep(handshake.Handshake))
		}
		return
	}

	// A failure after the CertificateRequest, once the client has sent its
	// empty Certificate, counts as the server's rejection of the missing
	// certificate. OpenSSL 3.0 sends handshake_failure in TLS 1.2.
	if handshake.Handshake.Outcome != OutcomeCompleted {
		switch handshake.Handshake.Outcome {
		case OutcomeAlert, OutcomeClosed, OutcomeReset:
			if handshake.CertificateRequested {
				version.Requirement = RequirementRequired
				version.Evidence = describeStep(handshake.Handshake) + " during the handshake"
				return
			}
		}
		// The raw probe saw the request, but crypto/tls failed before it,
		// for example over a cipher suite Go does not offer.
		version.Requirement = RequirementUnknown
		version.Evidence = fmt.Sprintf("the handshake of crypto/tls failed before the CertificateRequest (%s)", describeStep(handshake.Handshake))
		return
	}

	// A TLS 1.3 server learns of the missing certificate only from the
	// client's second flight, so it rejects the client after the handshake
	// completed on the client's side.
	switch handshake.After.Outcome {
	case OutcomeAlert, OutcomeClosed, OutcomeReset:
		version.Requirement = RequirementRequired
		version.Evidence = describeStep(handshake.After) + " after the handshake, before any HTTP response"
	case OutcomeHTTPResponse:
		if version.HTTPStatus == 400 {
			// nginx 1.22 with "ssl_verify_client on" completes the
			// handshake and returns 400 "No required SSL certificate was
			// sent".
			version.Requirement = RequirementRequired
			version.Evidence = "completed the handshake and answered HTTP 400, as nginx does with ssl_verify_client on"
			return
		}
		version.Requirement = RequirementOptional
		version.Evidence = fmt.Sprintf("completed the handshake and answered HTTP %d", version.HTTPStatus)
	default:
		version.Requirement = RequirementUnknown
		version.Evidence = fmt.Sprintf("completed the handshake, then %s", describeStep(handshake.After))
	}
}

// describeStep names how a step of Handshake ended, such as "fatal alert
// certificate_required (116)".
func describeStep(step Step) string {
	switch step.Outcome {
	case OutcomeAlert:
		if step.Alert != nil {
			return fmt.Sprintf("fatal alert %s (%d)", step.Alert, uint8(*step.Alert))
		}
		return "fatal alert"
	case OutcomeClosed:
		// crypto/tls reports close_notify and a bare TCP FIN alike.
		return "closed the connection without a fatal alert"
	case OutcomeReset:
		return "reset the connection"
	case OutcomeTimeout:
		return "sent nothing before the timeout"
	case OutcomeNotHTTP:
		return "sent bytes that are not an HTTP response"
	}
	if step.Error != "" {
		return fmt.Sprintf("%s: %s", step.Outcome, step.Error)
	}
	return string(step.Outcome)
}

// summarizeClientAuth writes the one-sentence verdict for Okta and Entra ID,
// which send no client certificate.
func summarizeClientAuth(versions []ClientAuthVersion) string {
	if len(versions) == 0 {
		return "Okta and Entra ID are blocked before any client certificate matters, because the server accepted neither a TLS 1.2 nor a TLS 1.3 handshake from this probe."
	}

	var required, optional, unknown, unknownRequest []string
	for _, v := range versions {
		switch {
		case v.Requirement == RequirementRequired:
			required = append(required, v.Version.String())
		case v.Requirement == RequirementOptional:
			optional = append(optional, v.Version.String())
		case v.Requirement == RequirementUnknown && v.Requested:
			unknown = append(unknown, v.Version.String())
		case v.Requirement == RequirementUnknown:
			unknownRequest = append(unknownRequest, v.Version.String())
		}
	}

	switch {
	case len(required) == len(versions):
		return fmt.Sprintf("Okta and Entra ID are blocked, because the server requires a client certificate at %s and they send none.", strings.Join(required, " and "))
	case len(required) > 0:
		return fmt.Sprintf("Okta and Entra ID are blocked when they negotiate %s, where the server requires a client certificate that they never send.", strings.Join(required, " or "))
	case len(unknown) > 0:
		return fmt.Sprintf("Whether Okta and Entra ID are blocked is unknown, because the server requested a client certificate at %s but its handling of a client without one was unclear.", strings.Join(unknown, " and "))
	case len(unknownRequest) > 0:
		return fmt.Sprintf("Whether Okta and Entra ID are blocked by client authentication is unknown, because the probes did not show whether the server requests a client certificate at %s.", strings.Join(unknownRequest, " and "))
	case len(optional) > 0:
		return fmt.Sprintf("Okta and Entra ID are not blocked, because the server requests a client certificate at %s but also serves clients without one.", strings.Join(optional, " and "))
	}
	return "Okta and Entra ID are not blocked by client authentication, because the server requests no client certificate."
}
