package certcheck

import (
	"context"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/scimdoctor/scimdoctor/tlsprobe"
)

// SNIVariant is one way of naming the server in the ClientHello.
type SNIVariant string

const (
	// SNIHostName sends the URL's host name as SNI, as every client does
	// for a host name with a dot.
	SNIHostName SNIVariant = "host name"
	// SNINone sends no server_name extension, as Java does for IP literals
	// and for names without a dot, such as localhost.
	SNINone SNIVariant = "no SNI"
	// SNIOther sends OtherServerName, a name the server cannot have a
	// certificate for, to see what a server sends to an unknown name.
	SNIOther SNIVariant = "other name"
)

// OtherServerName is the SNI of SNIOther. The .invalid top-level domain is
// reserved and never resolves (RFC 2606, Section 2), and ProbeSNI only
// sends the name in the ClientHello.
const OtherServerName = "scimdoctor-sni-check.invalid"

// OutcomeCertificate is the SNIResult.Outcome of a variant whose handshake
// completed.
const OutcomeCertificate = "certificate"

// SNIResult is the outcome of the handshakes of one SNIVariant.
type SNIResult struct {
	Variant SNIVariant `json:"variant"`
	// ServerName is the SNI sent, empty for SNINone.
	ServerName string `json:"server_name,omitempty"`
	// Outcome is OutcomeCertificate when the handshake completed. Otherwise
	// it describes the end, such as "fatal alert unrecognized_name (112)".
	Outcome string `json:"outcome"`
	// Alert is the RFC name of the alert that ended the handshake, such as
	// "unrecognized_name", or empty.
	Alert string `json:"alert,omitempty"`
	// Fingerprint, Subject and DNSNames describe the leaf certificate
	// served, when the handshake completed. Fingerprint is the SHA-256 of
	// the DER certificate in the form of Info.SHA256Fingerprint.
	Fingerprint string   `json:"fingerprint,omitempty"`
	Subject     string   `json:"subject,omitempty"`
	DNSNames    []string `json:"dns_names,omitempty"`

	// rejected reports that the server ended the handshake with an alert, a
	// close or a reset. A timeout or a failed connect is no evidence that
	// the server rejects the hello.
	rejected bool
}

// Completed reports whether the handshake of the variant completed.
func (r *SNIResult) Completed() bool { return r.Outcome == OutcomeCertificate }

// SNIBehaviour is the record of a server's handshakes with and without SNI.
type SNIBehaviour struct {
	Addr string `json:"addr"`
	Host string `json:"host"`
	// Results lists one result per variant probed, in the order
	// SNIHostName, SNINone, SNIOther. SNIHostName is missing when Host is an
	// IP literal or empty, because no client sends those as SNI.
	Results []SNIResult `json:"results"`
	// SameCertificate reports that at least one variant completed and every
	// variant that completed got the same leaf certificate.
	SameCertificate bool `json:"same_certificate"`
	// RequiresSNI reports that the server rejected the hello without SNI
	// (alert, close or reset) while the hello with the host name completed.
	RequiresSNI bool `json:"requires_sni"`
	// Summary is one sentence on what the results mean for a client.
	Summary string `json:"summary"`
}

// Result returns the result of variant, or nil when it was not probed.
func (b *SNIBehaviour) Result(variant SNIVariant) *SNIResult {
	for i := range b.Results {
		if b.Results[i].Variant == variant {
			return &b.Results[i]
		}
	}
	return nil
}

// ProbeSNI finds out how the server at addr ("host:port") handles a
// ClientHello with the URL's host name as SNI, without SNI, and with
// OtherServerName. For each variant it first sends a raw TLS 1.2 and 1.3
// ClientHello with prober, to see whether the server rejects it with an
// alert, a close or a reset. When the server accepts it, Fetch completes a
// handshake with the same SNI to get the leaf certificate. So a call opens
// up to two connections per variant, six in all.
//
// host is the host of the URL. When it is an IP literal or empty,
// SNIHostName is skipped. timeout bounds each connection (DefaultTimeout
// when 0 or less), and the raw probes also end at prober.Timeout. A nil
// prober means a zero tlsprobe.Prober. ProbeSNI never returns nil.
func ProbeSNI(ctx context.Context, prober *tlsprobe.Prober, addr, host string, timeout time.Duration) *SNIBehaviour {
	if prober == nil {
		prober = &tlsprobe.Prober{}
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	behaviour := &SNIBehaviour{Addr: addr, Host: host}

	hostIsIP := isIPLiteral(host)
	if host != "" && !hostIsIP {
		behaviour.Results = append(behaviour.Results, probeSNIVariant(ctx, prober, addr, SNIHostName, host, timeout))
	}
	behaviour.Results = append(behaviour.Results,
		probeSNIVariant(ctx, prober, addr, SNINone, "", timeout),
		probeSNIVariant(ctx, prober, addr, SNIOther, OtherServerName, timeout),
	)

	behaviour.SameCertificate = sameLeaf(behaviour.Results)
	hostName, none := behaviour.Result(SNIHostName), behaviour.Result(SNINone)
	behaviour.RequiresSNI = hostName != nil && hostName.Completed() && none.rejected
	behaviour.Summary = behaviour.summarize(hostIsIP)
	return behaviour
}

// probeSNIVariant sends one raw ClientHello with serverName as SNI and,
// when the server accepts it, completes a handshake with the same SNI.
func probeSNIVariant(ctx context.Context, prober *tlsprobe.Prober, addr string, variant SNIVariant, serverName string, timeout time.Duration) SNIResult {
	result := SNIResult{Variant: variant, ServerName: serverName}

	// Step 1: the raw probe shows a rejection exactly as the server sent
	// it, before crypto/tls turns it into an error. A HelloRetryRequest
	// means the server accepted the hello and wants another key share,
	// which crypto/tls sends in step 2.
	probeCtx, cancel := context.WithTimeout(ctx, timeout)
	hello := tlsprobe.ModernHello(serverName, []tlsprobe.Version{tlsprobe.VersionTLS13, tlsprobe.VersionTLS12})
	probe := prober.Probe(probeCtx, addr, hello)
	cancel()
	if !probe.Accepted() && probe.Kind != tlsprobe.KindHelloRetryRequest {
		result.Outcome = probe.Describe()
		if probe.Alert != nil {
			result.Alert = probe.Alert.Description.String()
		}
		switch probe.Kind {
		case tlsprobe.KindAlert, tlsprobe.KindReset, tlsprobe.KindSilentClose:
			result.rejected = true
		}
		return result
	}

	// Step 2: a full handshake with the same SNI, to get the leaf.
	chain, err := Fetch(ctx, addr, serverName, timeout)
	if err != nil {
		step := classify(err)
		result.Outcome = "handshake failed after the server accepted the ClientHello: " + step.Error
		if step.Alert != nil {
			result.Alert = step.Alert.String()
		}
		switch step.Outcome {
		case OutcomeAlert, OutcomeReset, OutcomeClosed:
			result.rejected = true
		}
		return result
	}
	leaf := Describe(chain.Certificates[0])
	result.Outcome = OutcomeCertificate
	result.Fingerprint = leaf.SHA256Fingerprint
	result.Subject = leaf.Subject
	result.DNSNames = leaf.DNSNames
	return result
}

// isIPLiteral reports whether host is an IPv4 or IPv6 address, with or
// without brackets and an IPv6 zone.
func isIPLiteral(host string) bool {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if i := strings.IndexByte(host, '%'); i >= 0 {
		host = host[:i]
	}
	return net.ParseIP(host) != nil
}

func sameLeaf(results []SNIResult) bool {
	first := ""
	for _, r := range results {
		if !r.Completed() {
			continue
		}
		if first == "" {
			first = r.Fingerprint
		} else if r.Fingerprint != first {
			return false
		}
	}
	return first != ""
}

// summarize writes the Summary sentence. The cases are checked in order of
// how directly they break a client.
func (b *SNIBehaviour) summarize(hostIsIP bool) string {
	hostName, none, other := b.Result(SNIHostName), b.Result(SNINone), b.Result(SNIOther)
	const javaRule = "Java sends no SNI for IP addresses and names without a dot"

	if hostIsIP {
		if none.Completed() {
			return fmt.Sprintf("the host %s is an IP address, which clients never send as SNI, so every client gets the certificate served without SNI (%s)", b.Host, none.Subject)
		}
		return fmt.Sprintf("the host %s is an IP address, which clients never send as SNI, and a hello without SNI ends in %s, so every client fails", b.Host, none.Outcome)
	}
	if hostName == nil {
		if none.Completed() {
			return fmt.Sprintf("no host name was given, so only the certificate served without SNI (%s) was checked", none.Subject)
		}
		return fmt.Sprintf("no host name was given, and a hello without SNI ends in %s", none.Outcome)
	}

	if !hostName.Completed() {
		return fmt.Sprintf("a hello with SNI %q ends in %s, so the failure does not depend on SNI alone", b.Host, hostName.Outcome)
	}
	if b.RequiresSNI {
		return fmt.Sprintf("without SNI the server rejects the hello with %s, and %s, so a URL with such a host fails", rejectionName(none), javaRule)
	}
	if !none.Completed() {
		return fmt.Sprintf("without SNI the hello ended in %s, so whether the server requires SNI is unknown", none.Outcome)
	}
	if none.Fingerprint != hostName.Fingerprint {
		return fmt.Sprintf("without SNI the server sends another certificate (%s) than for %s (%s), and %s, so a URL with such a host gets the wrong certificate", none.Subject, b.Host, hostName.Subject, javaRule)
	}
	if other.Completed() && other.Fingerprint != hostName.Fingerprint {
		return fmt.Sprintf("the server selects its certificate by SNI, and a hello without SNI gets the certificate for %s, so clients that send no SNI are served correctly", b.Host)
	}
	return fmt.Sprintf("the server sends the same certificate (%s) with and without SNI, so SNI does not affect clients", hostName.Subject)
}

// rejectionName returns the alert name of a rejected result, or its outcome
// when the rejection was a close or a reset.
func rejectionName(r *SNIResult) string {
	if r.Alert != "" {
		return r.Alert
	}
	return r.Outcome
}
