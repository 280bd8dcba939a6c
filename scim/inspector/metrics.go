package inspector

import (
	"context"
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
// by outcome and by failure class, as Prometheus counters. Its methods
// are safe for concurrent use.
type HandshakeCounter struct {
	mu       sync.Mutex
	outcomes map[string]uint64
	failures map[string]uint64
	// overruns counts the passes that found the whole ring rewritten, so
	// an unknown number of attempts went uncounted.
	overruns uint64
}

// CountHandshakes returns a HandshakeCounter that follows r until ctx
// ends. It counts the handshakes already recorded, then each new one as
// it is added.
//
// NOTE: the counter reads the recorder's ring after each addition. When
// as many handshakes as the ring holds (Options.MaxHandshakes), or more,
// arrive before it runs, it counts the ring's contents, misses the
// overwritten ones and adds one to scimdoctor_inspector_ring_overruns_total.
func (r *Recorder) CountHandshakes(ctx context.Context) *HandshakeCounter {
	c := &HandshakeCounter{outcomes: map[string]uint64{}, failures: map[string]uint64{}}
	go c.follow(ctx, r)
	return c
}

// follow counts the handshakes written to r's ring since its last pass,
// until ctx ends. It remembers the slot it read last and that slot's
// record id. The ring writes its slots in turn, so while that slot still
// contains the same record, fewer records than the ring holds arrived,
// and they sit between that slot and the ring's next slot.
func (c *HandshakeCounter) follow(ctx context.Context, r *Recorder) {
	ring := &r.handshakes
	size := len(ring.items)
	next, lastID := 0, uint64(0) // a fresh ring's slots hold id 0
	for {
		r.mu.Lock()
		changed := r.changed
		var fresh []Handshake
		overrun := ring.items[(next-1+size)%size].ID != lastID
		count := (ring.next - next + size) % size
		if overrun {
			count = size
		}
		for i := 0; i < count; i++ {
			fresh = append(fresh, ring.items[(ring.next-count+i+size)%size])
		}
		next = ring.next
		lastID = ring.items[(next-1+size)%size].ID
		r.mu.Unlock()
		c.add(fresh, overrun)

		select {
		case <-ctx.Done():
			return
		case <-changed:
		}
	}
}

func (c *HandshakeCounter) add(hs []Handshake, overrun bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if overrun {
		c.overruns++
	}
	for _, h := range hs {
		c.outcomes[h.Outcome]++
		if class := FailureClass(h); class != "" {
			c.failures[class]++
		}
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
	outcomes, failures, overruns := cloneCounts(c.outcomes), cloneCounts(c.failures), c.overruns
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
	fmt.Fprintln(w, "# HELP scimdoctor_inspector_ring_overruns_total Times more TLS handshake attempts arrived than the inspector's ring holds before they were counted, so the two counters above miss some.")
	fmt.Fprintln(w, "# TYPE scimdoctor_inspector_ring_overruns_total counter")
	fmt.Fprintf(w, "scimdoctor_inspector_ring_overruns_total %d\n", overruns)
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
