package inspector

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

// Failure classes of a handshake attempt, the reason label of
// scimdoctor_tls_handshake_failures_total. Each groups the reasons that
// call for the same fix.
const (
	ClassVersion             = "version"              // no TLS version in common
	ClassCipherSuite         = "cipher_suite"         // no cipher suite in common
	ClassGroup               = "group"                // no key exchange group in common (TLS 1.3)
	ClassALPN                = "alpn"                 // no ALPN protocol in common
	ClassCertificateRejected = "certificate_rejected" // client rejected the server certificate
	ClassClientAlert         = "client_alert"         // client sent another alert
	ClassClientClosed        = "client_closed"        // client closed mid-handshake without an alert
	ClassTimeout             = "timeout"              // client stopped sending before the handshake ended
	ClassFallback            = "fallback"             // TLS_FALLBACK_SCSV downgrade refused
	ClassNoCertificate       = "no_certificate"       // no server certificate for the requested name
	ClassMalformedHello      = "malformed_hello"      // a ClientHello that does not parse
	ClassPlainHTTP           = "plain_http"           // an HTTP request on the TLS port
	ClassSSLv2Hello          = "sslv2_hello"          // an SSL 2.0-format hello
	ClassNotTLS              = "not_tls"              // other bytes that are not TLS
	ClassNoHello             = "no_hello"             // nothing, or part of a hello, then close or silence
	ClassOther               = "other"                // a crypto/tls error without a closer class
)

// FailureClass returns the class of a failed handshake attempt, one of the
// Class constants, and "" for a handshake that completed. It reads
// h.Outcome and the start of h.Reason as Listen writes them.
func FailureClass(h Handshake) string {
	switch h.Outcome {
	case OutcomeOK:
		return ""
	case OutcomeNoHello:
		return ClassNoHello
	case OutcomeNotTLS:
		switch {
		case strings.HasPrefix(h.Reason, "plain HTTP"):
			return ClassPlainHTTP
		case strings.HasPrefix(h.Reason, "client sent an SSL 2.0"):
			return ClassSSLv2Hello
		}
		return ClassNotTLS
	}

	prefixes := []struct{ prefix, class string }{
		{"client offered only", ClassVersion},
		{"no shared cipher suite", ClassCipherSuite},
		{"no shared group", ClassGroup},
		{"no shared ALPN", ClassALPN},
		{"client rejected the server certificate", ClassCertificateRejected},
		{"client aborted the handshake", ClassClientAlert},
		{"client sent an alert", ClassClientAlert},
		{"client closed the connection", ClassClientClosed},
		{"handshake did not finish", ClassTimeout},
		{"client retried with an older version", ClassFallback},
		{"server has no certificate", ClassNoCertificate},
		{"malformed ClientHello", ClassMalformedHello},
	}
	for _, p := range prefixes {
		if strings.HasPrefix(h.Reason, p.prefix) {
			return p.class
		}
	}
	return ClassOther
}

// HandshakeCounter counts the handshake attempts that a Recorder records,
// by outcome and by failure class, as Prometheus counters. Recorder.AddHandshake
// counts each attempt as it records it, so the counts stay exact when the
// ring overwrites old records. Its methods are safe for concurrent use.
type HandshakeCounter struct {
	mu       sync.Mutex
	outcomes map[string]uint64
	failures map[string]uint64
}

func newHandshakeCounter() *HandshakeCounter {
	return &HandshakeCounter{outcomes: map[string]uint64{}, failures: map[string]uint64{}}
}

// HandshakeCounts returns the counter of every handshake attempt r has
// recorded since NewRecorder.
func (r *Recorder) HandshakeCounts() *HandshakeCounter { return r.counter }

func (c *HandshakeCounter) add(h Handshake) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.outcomes[h.Outcome]++
	if class := FailureClass(h); class != "" {
		c.failures[class]++
	}
}

// Outcomes returns the number of counted attempts per outcome
// (OutcomeOK, OutcomeFailed, OutcomeNotTLS, OutcomeNoHello).
func (c *HandshakeCounter) Outcomes() map[string]uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return cloneCounts(c.outcomes)
}

// Failures returns the number of counted failed attempts per failure
// class (see FailureClass).
func (c *HandshakeCounter) Failures() map[string]uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return cloneCounts(c.failures)
}

// WritePrometheus writes the counters in the Prometheus text exposition
// format (version 0.0.4), series sorted by label value.
func (c *HandshakeCounter) WritePrometheus(w io.Writer) {
	c.mu.Lock()
	outcomes, failures := cloneCounts(c.outcomes), cloneCounts(c.failures)
	c.mu.Unlock()

	fmt.Fprintln(w, "# HELP scimdoctor_tls_handshakes_total TLS handshake attempts, by outcome: ok, failed, not_tls or no_hello.")
	fmt.Fprintln(w, "# TYPE scimdoctor_tls_handshakes_total counter")
	for _, k := range sortedKeys(outcomes) {
		fmt.Fprintf(w, "scimdoctor_tls_handshakes_total{outcome=%q} %d\n", k, outcomes[k])
	}
	fmt.Fprintln(w, "# HELP scimdoctor_tls_handshake_failures_total TLS handshake attempts that did not complete, by reason class, such as version or cipher_suite.")
	fmt.Fprintln(w, "# TYPE scimdoctor_tls_handshake_failures_total counter")
	for _, k := range sortedKeys(failures) {
		fmt.Fprintf(w, "scimdoctor_tls_handshake_failures_total{reason=%q} %d\n", k, failures[k])
	}
}

func cloneCounts(m map[string]uint64) map[string]uint64 {
	out := make(map[string]uint64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func sortedKeys(m map[string]uint64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
