// Package report holds the Report value that every scimdoctor command fills
// in, and renders it as text or JSON. A report is plain data: it does no I/O
// of its own and can be rendered again from its JSON form.
package report

import "time"

// Schema names the JSON layout. It changes only when a field changes meaning
// or goes away; new fields may appear within one schema version.
const Schema = "scimdoctor.report/v1"

// Status is the result of one layer or check.
type Status string

const (
	StatusPass Status = "pass"
	StatusWarn Status = "warn"
	StatusFail Status = "fail"
	// StatusSkip marks a layer that did not run because an earlier one failed.
	StatusSkip Status = "skip"
)

// Exit codes shared by every command.
const (
	ExitOK          = 0 // every selected client would connect, no finding at or above --fail-on
	ExitFindings    = 1 // at least one client would fail, or a finding at or above --fail-on
	ExitUsage       = 2 // usage or input error
	ExitUnreachable = 3 // the target could not be resolved or reached
)

// Report is the outcome of one run against one target.
type Report struct {
	Schema    string        `json:"schema"`
	Tool      string        `json:"tool"`
	Command   string        `json:"command"`
	Target    Target        `json:"target"`
	StartedAt time.Time     `json:"started_at"`
	Duration  time.Duration `json:"duration_ns"`

	// Layers lists every layer in the order it ran: url, dns, tcp, tls,
	// clients, certificate, http, scim, path.
	Layers []Layer `json:"layers"`

	TLS         *TLSScan     `json:"tls,omitempty"`
	Certificate *Certificate `json:"certificate,omitempty"`
	HTTP        *HTTP        `json:"http,omitempty"`
	// SCIM holds the read-only SCIM requests of Okta and Entra ID and their
	// verdicts, when the SCIM layer ran.
	SCIM *SCIM `json:"scim,omitempty"`
	// Path compares the box at the URL's address with the origin behind it
	// and holds the repeated version probes per address, when the options
	// request them.
	Path *Path `json:"path,omitempty"`

	// Verdicts holds one entry per selected client profile, in the order
	// the user selected them.
	Verdicts []Verdict `json:"verdicts"`
	// Findings lists problems worth fixing that are not tied to one client.
	Findings []Finding `json:"findings,omitempty"`

	// Connections counts the TCP connections the run opened.
	Connections int64 `json:"connections"`
	// ExitCode is the process exit code the command chose.
	ExitCode int `json:"exit_code"`
}

// Target is the URL the user gave, with the addresses it resolved to.
type Target struct {
	URL  string `json:"url"`
	Host string `json:"host"`
	Port int    `json:"port"`
	// Addresses lists every address the host resolved to.
	Addresses []string `json:"addresses,omitempty"`
	// Address is the address that was probed: the first one that accepted
	// a TCP connection.
	Address string `json:"address,omitempty"`
}

// Layer is the result of one layer of the check.
type Layer struct {
	Name    string   `json:"name"`
	Status  Status   `json:"status"`
	Summary string   `json:"summary"`
	Details []string `json:"details,omitempty"`
}

// TLSScan lists what the server accepts per protocol version.
type TLSScan struct {
	ServerName string         `json:"server_name,omitempty"`
	Versions   []VersionState `json:"versions"`
}

// VersionState is the outcome of the probes for one protocol version.
type VersionState struct {
	Version  string `json:"version"`
	Accepted bool   `json:"accepted"`
	// Answer describes the deciding probe's outcome, such as
	// "fatal alert protocol_version (70)".
	Answer string `json:"answer"`
	// Kind is the deciding probe's outcome kind (tlsprobe.Kind).
	Kind string `json:"kind"`
	// CipherSuite is the suite chosen when the version was accepted.
	CipherSuite string `json:"cipher_suite,omitempty"`
	// Confirmed reports that a refusal held for a second, maximal hello.
	Confirmed bool `json:"confirmed,omitempty"`
}

// Certificate describes the chain the server sent and what is wrong with it.
type Certificate struct {
	Source   string     `json:"source"`
	Chain    []CertInfo `json:"chain"`
	Problems []string   `json:"problems,omitempty"`
	// Error is set when no chain could be fetched.
	Error string `json:"error,omitempty"`
}

// CertInfo is one certificate of a chain.
type CertInfo struct {
	Subject            string    `json:"subject"`
	Issuer             string    `json:"issuer"`
	DNSNames           []string  `json:"dns_names,omitempty"`
	IPAddresses        []string  `json:"ip_addresses,omitempty"`
	NotBefore          time.Time `json:"not_before"`
	NotAfter           time.Time `json:"not_after"`
	Key                string    `json:"key"`
	SignatureAlgorithm string    `json:"signature_algorithm"`
	SelfSigned         bool      `json:"self_signed,omitempty"`
	SHA256             string    `json:"sha256"`
}

// HTTP is the response to one request under the SCIM base URL, normally
// /ServiceProviderConfig.
type HTTP struct {
	Method      string            `json:"method"`
	URL         string            `json:"url"`
	Status      int               `json:"status,omitempty"`
	StatusText  string            `json:"status_text,omitempty"`
	ContentType string            `json:"content_type,omitempty"`
	Headers     map[string]string `json:"headers,omitempty"`
	// CookieNames are the names of the Set-Cookie headers; the values are
	// not kept.
	CookieNames []string `json:"cookie_names,omitempty"`
	// TLSVersion is the version this request negotiated. The request accepts
	// any version the server offers, so that the server's headers are seen
	// even when the IdP would fail.
	TLSVersion string `json:"tls_version,omitempty"`
	Error      string `json:"error,omitempty"`
}

// Verdict is the prediction for one client: would it connect, and if not,
// what it logs, which box is at fault and how to fix it.
type Verdict struct {
	Client     string `json:"client"`
	Display    string `json:"display"`
	Connects   bool   `json:"connects"`
	Confidence string `json:"confidence"`
	// Source is the basis of the client profile: a vendor document, release
	// notes or a measurement.
	Source string `json:"source,omitempty"`
	// Class is the failure class id, or "ok".
	Class string `json:"class"`
	// Alert is the RFC name of the alert the client received, when the
	// failure is an alert.
	Alert string `json:"alert,omitempty"`
	// Layer is the layer at which the client fails: tcp, tls, certificate,
	// http or scim.
	Layer string `json:"layer,omitempty"`
	// LogLine is the exact line the client logs, and Message the part an
	// IdP shows to its admin. LogLine is empty when no exact line is
	// predicted; Message then describes the failure in scimdoctor's words.
	LogLine string `json:"log_line,omitempty"`
	Message string `json:"message,omitempty"`
	Version string `json:"version,omitempty"`
	Suite   string `json:"cipher_suite,omitempty"`
	SentSNI bool   `json:"sent_sni"`
	// ClientVersions lists the protocol versions the client enables.
	ClientVersions []string `json:"client_versions,omitempty"`
	Evidence       []string `json:"evidence,omitempty"`
	Cause          *Cause   `json:"cause,omitempty"`
}

// Cause names the component at fault and the fix for it.
type Cause struct {
	// Summary states the cause in one sentence.
	Summary string `json:"summary"`
	// Component is the box to fix, such as "the TLS terminator at
	// 192.0.2.10:443 (nginx/1.22.1)".
	Component string `json:"component"`
	// Software is the server software the evidence points to: nginx,
	// apache, tomcat, iis, haproxy, java, or "unknown".
	Software string `json:"software"`
	// SoftwareEvidence is the reason Software was chosen.
	SoftwareEvidence string `json:"software_evidence,omitempty"`
	// Fix lists the steps, in order; configuration lines are given as the
	// software spells them.
	Fix []string `json:"fix"`
}

// Severity orders findings for --fail-on.
type Severity string

const (
	SeverityInfo   Severity = "info"
	SeverityLow    Severity = "low"
	SeverityMedium Severity = "medium"
	SeverityHigh   Severity = "high"
)

// Finding is a problem found on the way that is not one client's verdict.
type Finding struct {
	ID       string   `json:"id"`
	Severity Severity `json:"severity"`
	Layer    string   `json:"layer"`
	Title    string   `json:"title"`
	Detail   string   `json:"detail,omitempty"`
	Evidence []string `json:"evidence,omitempty"`
}

// Path describes the boxes between the IdP and the SCIM application.
type Path struct {
	// Front is the box that accepted the connection at the URL's address.
	Front PathEnd `json:"front"`
	// Origin is the server behind it that --origin named, or nil.
	Origin *PathEnd `json:"origin,omitempty"`
	// FixAt names the box whose TLS settings must change: "front" (a load
	// balancer, proxy or WAF in front of a healthy origin), "origin",
	// "both", or "" when the comparison found no difference or did not run.
	FixAt string `json:"fix_at,omitempty"`
	// Summary states the comparison in one sentence.
	Summary string `json:"summary"`
	// Clues are the HTTP headers and cookie names that show an intermediary
	// handled the request.
	Clues []string `json:"clues,omitempty"`
	// Repeats holds, per address and version, the outcome of probes sent
	// again (--repeat).
	Repeats []Repeat `json:"repeats,omitempty"`
	// Proxy describes the outbound proxy the check went through, or nil.
	Proxy *ProxyPath `json:"proxy,omitempty"`
}

// ProxyPath is the outbound proxy of this check and what it does to TLS.
type ProxyPath struct {
	// URL is the proxy URL without its password, and Source the flag or
	// variable that named it.
	URL    string `json:"url"`
	Source string `json:"source"`
	// Intercepted reports a proxy that re-signs TLS (TLS inspection), and
	// Product the inspection product its CA names, if known.
	Intercepted bool   `json:"intercepted"`
	Product     string `json:"product,omitempty"`
	// Evidence explains the verdict, such as the two issuers compared.
	Evidence []string `json:"evidence,omitempty"`
	// DirectError is set when the direct connection, made for the
	// comparison, failed.
	DirectError string `json:"direct_error,omitempty"`
}

// PathEnd is one box of the path, as the version scan saw it.
type PathEnd struct {
	Address string `json:"address"`
	// Versions are the accepted protocol versions, oldest first.
	Versions []string `json:"versions"`
	// LeafSHA256 is the fingerprint of the leaf certificate it sent.
	LeafSHA256 string `json:"leaf_sha256,omitempty"`
	// Stack names the TLS stack its answers to a fixed set of hellos match
	// best, with the confidence, or "unknown".
	Stack string `json:"stack,omitempty"`
	// Fingerprint is the hash of those answers.
	Fingerprint string `json:"fingerprint,omitempty"`
	// PlainHTTP reports a box that answered the TLS hellos with plain
	// HTTP: an origin behind a front end that ends TLS for it.
	PlainHTTP bool `json:"plain_http,omitempty"`
	// Error is set when the box could not be scanned.
	Error string `json:"error,omitempty"`
}

// Repeat is the outcome of one version probe sent several times to one
// address.
type Repeat struct {
	Address  string `json:"address"`
	Version  string `json:"version"`
	Rounds   int    `json:"rounds"`
	Accepted int    `json:"accepted"`
	// Base is the version scan's verdict for this address and version,
	// "accepted" or "rejected", or "" for an address it did not scan.
	Base string `json:"base,omitempty"`
	// Answers lists each distinct answer with its count, such as
	// "3x server chose TLS 1.2 with ...".
	Answers []string `json:"answers"`
}

// RepeatDiffers reports whether the probes of r, the version scan's own
// probe included when Base is set, were accepted some times and not others.
func RepeatDiffers(r Repeat) bool {
	some := r.Accepted > 0 || r.Base == "accepted"
	notAll := r.Accepted < r.Rounds || r.Base == "rejected"
	return some && notAll
}
