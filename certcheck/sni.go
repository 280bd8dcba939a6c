package certcheck

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"slices"
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

// OutcomeCertificate is the SNIResult.Outcome of a variant whose leaf
// certificate is known: its handshake completed, or at SSL 3.0 the raw probe
// read the Certificate message.
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
	// Version is the version the server chose in the raw probe, or 0 when
	// it chose none.
	Version tlsprobe.Version `json:"version,omitempty"`
	// CertificateSource is SourceHandshake when the leaf below comes from a
	// completed crypto/tls handshake, and SourceCertificateMessage when it
	// comes from the Certificate message of the raw probe. That is the case
	// at SSL 3.0, which crypto/tls does not implement.
	CertificateSource string `json:"certificate_source,omitempty"`
	// Fingerprint, Subject and DNSNames describe the leaf certificate
	// served, when Outcome is OutcomeCertificate. Fingerprint is the SHA-256
	// of the DER certificate in the form of Info.SHA256Fingerprint.
	Fingerprint string   `json:"fingerprint,omitempty"`
	Subject     string   `json:"subject,omitempty"`
	DNSNames    []string `json:"dns_names,omitempty"`

	// rejected reports that the server ended the handshake with an alert, a
	// close or a reset. A timeout or a failed connect is no evidence that
	// the server rejects the hello.
	rejected bool
}

// Completed reports whether the server sent its leaf certificate to the
// variant: the handshake completed, or at SSL 3.0 the raw probe read the
// Certificate message.
func (r *SNIResult) Completed() bool { return r.Outcome == OutcomeCertificate }

// SNIBehaviour is the record of a server's handshakes with and without SNI.
type SNIBehaviour struct {
	Addr string `json:"addr"`
	Host string `json:"host"`
	// Versions lists the versions the raw ClientHellos offered, newest
	// first.
	Versions []tlsprobe.Version `json:"versions"`
	// Results lists one result per variant probed, in the order
	// SNIHostName, SNINone, SNIOther. SNIHostName is missing when Host is an
	// IP literal or empty, because no client sends those as SNI. When the
	// newest of Versions is SSL 3.0, whose ClientHello has no extensions and
	// so no SNI, only SNINone is probed.
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

// defaultSNIVersions are the versions of the raw ClientHellos of ProbeSNI,
// as every current client offers them.
var defaultSNIVersions = []tlsprobe.Version{tlsprobe.VersionTLS13, tlsprobe.VersionTLS12}

// ProbeSNI is ProbeSNIAt with the versions TLS 1.3 and TLS 1.2.
func ProbeSNI(ctx context.Context, prober *tlsprobe.Prober, addr, host string, timeout time.Duration) *SNIBehaviour {
	return ProbeSNIAt(ctx, prober, addr, host, defaultSNIVersions, timeout)
}

// ProbeSNIAt finds out how the server at addr ("host:port") handles a
// ClientHello with the URL's host name as SNI, without SNI, and with
// OtherServerName. For each variant it first sends a raw ClientHello that
// offers versions with prober, to see whether the server rejects it with an
// alert, a close or a reset. When the server accepts it, Fetch completes a
// handshake with the same SNI, which offers TLS 1.0 to 1.3, to get the leaf
// certificate. So a call opens up to two connections per variant, six in
// all. crypto/tls does not implement SSL 3.0, so when the server chooses
// SSL 3.0 the leaf comes from the Certificate message of the raw probe, and
// no handshake follows.
//
// versions are the versions to offer, such as those a version scan found
// accepted, in any order. SSL 2.0 and unknown values are left out, because
// a ClientHello of SSL 2.0 has no extensions either and ModernHello does not
// build one. When nothing else is given, no hello is sent, and the result
// and the summary explain why. When the newest version is SSL 3.0, only
// SNINone is probed.
//
// host is the host of the URL. When it is an IP literal or empty,
// SNIHostName is skipped. timeout bounds each connection (DefaultTimeout
// when 0 or less), and the raw probes also end at prober.Timeout. A nil
// prober means a zero tlsprobe.Prober. ProbeSNIAt never returns nil.
func ProbeSNIAt(ctx context.Context, prober *tlsprobe.Prober, addr, host string, versions []tlsprobe.Version, timeout time.Duration) *SNIBehaviour {
	if prober == nil {
		prober = &tlsprobe.Prober{}
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	behaviour := &SNIBehaviour{Addr: addr, Host: host, Versions: helloVersions(versions)}

	hostIsIP := isIPLiteral(host)
	if len(behaviour.Versions) == 0 {
		behaviour.Results = []SNIResult{{Variant: SNINone, Outcome: noHelloOutcome(versions)}}
		behaviour.Summary = fmt.Sprintf("no ClientHello was sent, because %s", noHelloOutcome(versions))
		return behaviour
	}
	withSNI := behaviour.Versions[0] >= tlsprobe.VersionTLS10
	probe := func(variant SNIVariant, serverName string) SNIResult {
		return probeSNIVariant(ctx, prober, addr, variant, serverName, behaviour.Versions, timeout)
	}
	if withSNI && host != "" && !hostIsIP {
		behaviour.Results = append(behaviour.Results, probe(SNIHostName, host))
	}
	behaviour.Results = append(behaviour.Results, probe(SNINone, ""))
	if withSNI {
		behaviour.Results = append(behaviour.Results, probe(SNIOther, OtherServerName))
	}

	behaviour.SameCertificate = sameLeaf(behaviour.Results)
	hostName, none := behaviour.Result(SNIHostName), behaviour.Result(SNINone)
	behaviour.RequiresSNI = hostName != nil && hostName.Completed() && none.rejected
	if withSNI {
		behaviour.Summary = behaviour.summarize(hostIsIP)
	} else {
		behaviour.Summary = behaviour.summarizeSSL30()
	}
	return behaviour
}

// helloVersions returns the versions of versions that ModernHello builds a
// hello for, SSL 3.0 to TLS 1.3, newest first and without repeats.
func helloVersions(versions []tlsprobe.Version) []tlsprobe.Version {
	var usable []tlsprobe.Version
	for _, v := range versions {
		if v >= tlsprobe.VersionSSL30 && v <= tlsprobe.VersionTLS13 && !slices.Contains(usable, v) {
			usable = append(usable, v)
		}
	}
	slices.Sort(usable)
	slices.Reverse(usable)
	return usable
}

// noHelloOutcome explains why ProbeSNIAt sent no hello for versions.
func noHelloOutcome(versions []tlsprobe.Version) string {
	if len(versions) == 0 {
		return "no version was given: give SSL 3.0, TLS 1.0, 1.1, 1.2 or 1.3"
	}
	names := make([]string, len(versions))
	for i, v := range versions {
		names[i] = v.String()
	}
	return fmt.Sprintf("the versions %s contain none from SSL 3.0 to TLS 1.3, and an SSL 2.0 hello cannot carry SNI: give a version the server accepts from SSL 3.0 to TLS 1.3", strings.Join(names, ", "))
}

// probeSNIVariant sends one raw ClientHello that offers versions with
// serverName as SNI and, when the server accepts it, gets the leaf
// certificate served to the same SNI.
func probeSNIVariant(ctx context.Context, prober *tlsprobe.Prober, addr string, variant SNIVariant, serverName string, versions []tlsprobe.Version, timeout time.Duration) SNIResult {
	result := SNIResult{Variant: variant, ServerName: serverName}

	// Step 1: the raw probe shows a rejection exactly as the server sent
	// it, before crypto/tls turns it into an error. A HelloRetryRequest
	// means the server accepted the hello and wants another key share,
	// which crypto/tls sends in step 2.
	probeCtx, cancel := context.WithTimeout(ctx, timeout)
	probe := prober.Probe(probeCtx, addr, tlsprobe.ModernHello(serverName, versions))
	cancel()
	if probe.Flight != nil && probe.Flight.ServerHello != nil {
		result.Version = probe.Flight.ServerHello.Version
	}
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

	// Step 2 at SSL 3.0: crypto/tls cannot complete the handshake, but
	// the Certificate message came in clear in the raw probe.
	if result.Version == tlsprobe.VersionSSL30 {
		return rawCertificateResult(result, probe)
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
	result.CertificateSource = SourceHandshake
	return withLeaf(result, chain.Certificates[0])
}

// rawCertificateResult completes result with the leaf of the Certificate
// message that the raw probe read.
func rawCertificateResult(result SNIResult, probe *tlsprobe.Result) SNIResult {
	if len(probe.Flight.Certificates) == 0 {
		result.Outcome = fmt.Sprintf("the server chose %s, which crypto/tls does not implement, and its first flight has no Certificate message, so its certificate is unknown", result.Version)
		return result
	}
	chain, err := ParseChain(probe.Flight.Certificates[:1])
	if err != nil {
		result.Outcome = fmt.Sprintf("the server chose %s and sent a leaf certificate that does not parse: %v", result.Version, err)
		return result
	}
	result.CertificateSource = SourceCertificateMessage
	return withLeaf(result, chain.Certificates[0])
}

// withLeaf sets the outcome and the leaf fields of result.
func withLeaf(result SNIResult, leaf *x509.Certificate) SNIResult {
	info := Describe(leaf)
	result.Outcome = OutcomeCertificate
	result.Fingerprint = info.SHA256Fingerprint
	result.Subject = info.Subject
	result.DNSNames = info.DNSNames
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

// summarizeSSL30 writes the Summary sentence when the newest version offered
// is SSL 3.0, so that only SNINone was probed.
func (b *SNIBehaviour) summarizeSSL30() string {
	none := b.Result(SNINone)
	if none.Completed() {
		return fmt.Sprintf("the hellos offered SSL 3.0 at most, which has no extensions and so no SNI, and the server sends %s to every client of that version", none.Subject)
	}
	return fmt.Sprintf("the hellos offered SSL 3.0 at most, which has no extensions and so no SNI, and a hello ends in %s", none.Outcome)
}

// rejectionName returns the alert name of a rejected result, or its outcome
// when the rejection was a close or a reset.
func rejectionName(r *SNIResult) string {
	if r.Alert != "" {
		return r.Alert
	}
	return r.Outcome
}
