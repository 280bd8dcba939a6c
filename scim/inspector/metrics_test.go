package inspector

import (
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

func TestFailureClassByReason(t *testing.T) {
	tests := []struct {
		name    string
		outcome string
		reason  string
		want    string
	}{
		{"completed", OutcomeOK, "", ""},
		{"old versions", OutcomeFailed, "client offered only TLS 1.0; server requires TLS 1.2 or later", ClassVersion},
		{"no suite", OutcomeFailed, "no shared cipher suite for TLS 1.2: client offered A; server accepts B", ClassCipherSuite},
		{"no group", OutcomeFailed, "no shared group for TLS 1.3 key exchange: client offered A; server accepts B", ClassGroup},
		{"certificate", OutcomeFailed, "client rejected the server certificate (bad certificate): ...", ClassCertificateRejected},
		{"closed", OutcomeFailed, "client closed the connection during the handshake, after the server's reply", ClassClientClosed},
		{"malformed", OutcomeFailed, "malformed ClientHello: tls: ...", ClassMalformedHello},
		{"unknown error", OutcomeFailed, "handshake failed: tls: something new", ClassOther},
		{"plain http", OutcomeNotTLS, "plain HTTP request on the TLS port: GET /; use https://", ClassPlainHTTP},
		{"sslv2", OutcomeNotTLS, "client sent an SSL 2.0-format ClientHello, as very old clients do", ClassSSLv2Hello},
		{"other protocol", OutcomeNotTLS, "client sent bytes that are not TLS (first byte 0x53)", ClassNotTLS},
		{"silent", OutcomeNoHello, "client connected and sent nothing within 10s", ClassNoHello},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FailureClass(Handshake{Outcome: tt.outcome, Reason: tt.reason})
			if got != tt.want {
				t.Errorf("FailureClass(%s, %q) = %q, want %q", tt.outcome, tt.reason, got, tt.want)
			}
		})
	}
}

// waitCounted waits until c has counted n attempts.
func waitCounted(t *testing.T, c *HandshakeCounter, n uint64) map[string]uint64 {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		outcomes := c.Outcomes()
		var total uint64
		for _, v := range outcomes {
			total += v
		}
		if total >= n {
			return outcomes
		}
		if time.Now().After(deadline) {
			t.Fatalf("counted %d handshakes, want %d: %v", total, n, outcomes)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestHandshakeCounterRealClients(t *testing.T) {
	s := startInspected(t, nil)
	counter := s.rec.HandshakeCounts()

	dial := func(cfg *tls.Config) {
		cfg.InsecureSkipVerify = true
		c, err := tls.Dial("tcp", s.addr, cfg)
		if err == nil {
			c.Close()
		}
	}
	dial(&tls.Config{})
	dial(&tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS10})
	dial(&tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_GCM_SHA256}})
	plain, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(plain, "GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\n\r\n")
	plain.Read(make([]byte, 512))
	plain.Close()

	outcomes := waitCounted(t, counter, 4)
	if outcomes[OutcomeOK] != 1 || outcomes[OutcomeFailed] != 2 || outcomes[OutcomeNotTLS] != 1 {
		t.Errorf("outcomes = %v, want ok 1, failed 2, not_tls 1", outcomes)
	}
	failures := counter.Failures()
	for _, class := range []string{ClassVersion, ClassCipherSuite, ClassPlainHTTP} {
		if failures[class] != 1 {
			t.Errorf("failures[%s] = %d, want 1 (all: %v)", class, failures[class], failures)
		}
	}

	var out strings.Builder
	counter.WritePrometheus(&out)
	for _, line := range []string{
		`scimdoctor_tls_handshakes_total{outcome="ok"} 1`,
		`scimdoctor_tls_handshake_failures_total{reason="version"} 1`,
		`scimdoctor_tls_handshake_failures_total{reason="cipher_suite"} 1`,
		"# TYPE scimdoctor_tls_handshake_failures_total counter",
	} {
		if !strings.Contains(out.String(), line+"\n") {
			t.Errorf("metrics lack %q:\n%s", line, out.String())
		}
	}
}

func TestHandshakeCounterExactOnRingOverrun(t *testing.T) {
	rec := NewRecorder(Options{MaxHandshakes: 2})
	for range 5 {
		rec.AddHandshake(Handshake{Outcome: OutcomeNoHello})
	}
	rec.AddHandshake(Handshake{Outcome: OutcomeOK})
	if n := len(rec.Handshakes()); n != 2 {
		t.Fatalf("ring holds %d handshakes, want 2", n)
	}
	outcomes := rec.HandshakeCounts().Outcomes()
	if outcomes[OutcomeNoHello] != 5 || outcomes[OutcomeOK] != 1 {
		t.Errorf("outcomes = %v, want no_hello 5 and ok 1 although the ring kept 2", outcomes)
	}
	if failures := rec.HandshakeCounts().Failures(); failures[ClassNoHello] != 5 {
		t.Errorf("failures[no_hello] = %d, want 5", failures[ClassNoHello])
	}
	var out strings.Builder
	rec.HandshakeCounts().WritePrometheus(&out)
	if !strings.Contains(out.String(), `scimdoctor_tls_handshakes_total{outcome="no_hello"} 5`+"\n") {
		t.Errorf("metrics lack 5 no_hello attempts:\n%s", out.String())
	}
}
