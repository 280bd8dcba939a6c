package tlsprobe

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// warningRecords returns n records of one warning alert each.
func warningRecords(n int, description AlertDescription) []byte {
	var out []byte
	for range n {
		out = append(out, record(recordAlert, []byte{byte(AlertLevelWarning), byte(description)})...)
	}
	return out
}

// helloRequests returns n HelloRequest messages.
func helloRequests(n int) []byte {
	return bytes.Repeat(hsMsg(typeHelloRequest, nil), n)
}

// oneByteRecords splits a handshake stream into records of one byte each.
func oneByteRecords(hs []byte) []byte {
	var out []byte
	for _, b := range hs {
		out = append(out, record(recordHandshake, []byte{b})...)
	}
	return out
}

// certificateStatusMsg is a CertificateStatus with a one-byte OCSP response.
var certificateStatusMsg = hsMsg(typeCertificateStatus, []byte{1, 0, 0, 1, 0x30})

// TestParseServerFlightHostileLimits checks the limits on warning alerts,
// HelloRequest messages and handshake records per flight: the limit parses,
// one more is an error that names the count and the limit. A second
// CertificateStatus is an error, as a second Certificate is.
func TestParseServerFlightHostileLimits(t *testing.T) {
	const userCanceled AlertDescription = 90
	shRecord := record(recordHandshake, shTLS12)
	tests := []struct {
		name    string
		input   []byte
		field   string // empty: the input must parse
		message string
		offset  int
	}{
		{
			name:  "warnings at the limit before the hello",
			input: cat(warningRecords(maxIgnoredMessages, userCanceled), shRecord, record(recordHandshake, shdMsg)),
		},
		{
			name:    "warnings over the limit before the hello",
			input:   warningRecords(maxIgnoredMessages+1, userCanceled),
			field:   "alert",
			message: "server sent 17 warning alerts, the last user_canceled, without ending its flight; the limit is 16",
			offset:  maxIgnoredMessages*7 + recordHeaderLen,
		},
		{
			name:    "warnings over the limit in one record",
			input:   record(recordAlert, bytes.Repeat([]byte{byte(AlertLevelWarning), byte(userCanceled)}, 1000)),
			field:   "alert",
			message: "server sent 17 warning alerts",
			offset:  recordHeaderLen + maxIgnoredMessages*2,
		},
		{
			name:    "warnings over the limit after the hello",
			input:   cat(shRecord, warningRecords(maxIgnoredMessages+1, 100)),
			field:   "alert",
			message: "server sent 17 warning alerts, the last no_renegotiation,",
			offset:  len(shRecord) + maxIgnoredMessages*7 + recordHeaderLen,
		},
		{
			name:  "warnings over the limit after the flight ended",
			input: cat(shRecord, record(recordHandshake, shdMsg), warningRecords(maxIgnoredMessages+10, userCanceled)),
		},
		{
			name:  "hello requests at the limit",
			input: record(recordHandshake, cat(shTLS12, helloRequests(maxIgnoredMessages), shdMsg)),
		},
		{
			name:    "hello requests over the limit",
			input:   record(recordHandshake, cat(shTLS12, helloRequests(maxIgnoredMessages+1))),
			field:   "handshake.msg_type",
			message: "server sent 17 HelloRequest messages in its first flight; the limit is 16",
			offset:  recordHeaderLen + len(shTLS12) + maxIgnoredMessages*handshakeHeaderLen,
		},
		{
			name:    "hello requests over the limit before the hello",
			input:   record(recordHandshake, helloRequests(maxIgnoredMessages+1)),
			field:   "handshake.msg_type",
			message: "server sent 17 HelloRequest messages",
			offset:  recordHeaderLen + maxIgnoredMessages*handshakeHeaderLen,
		},
		{
			name:  "handshake records at the limit",
			input: oneByteRecords(cat(shTLS12, certificateMsg(make([]byte, maxHandshakeRecords-len(shTLS12)-len(shdMsg)-10)), shdMsg)),
		},
		{
			name:    "handshake records over the limit",
			input:   oneByteRecords(cat(shTLS12, certificateMsg(make([]byte, maxHandshakeRecords)), shdMsg)),
			field:   "record",
			message: "server split its flight into more than 1024 handshake records",
			offset:  maxHandshakeRecords * (recordHeaderLen + 1),
		},
		{
			name:    "second certificate status",
			input:   record(recordHandshake, cat(shTLS12, certificateStatusMsg, certificateStatusMsg, shdMsg)),
			field:   "handshake.msg_type",
			message: "server sent a second CertificateStatus",
			offset:  recordHeaderLen + len(shTLS12) + len(certificateStatusMsg),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ParseServerFlight(tt.input)
			if tt.field == "" {
				if err != nil || f == nil || !f.Complete {
					t.Fatalf("ParseServerFlight = %v, %v; want a complete flight", f, err)
				}
				if len(f.Alerts) > maxIgnoredMessages {
					t.Errorf("flight keeps %d alerts; want at most %d", len(f.Alerts), maxIgnoredMessages)
				}
				return
			}
			if f != nil {
				t.Errorf("flight = %v; want nil with an error", f)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error = %v (%T); want a *ParseError", err, err)
			}
			if pe.Field != tt.field {
				t.Errorf("Field = %q; want %q (error %v)", pe.Field, tt.field, err)
			}
			if !strings.Contains(pe.Message, tt.message) {
				t.Errorf("Message = %q; want it to contain %q", pe.Message, tt.message)
			}
			if pe.Offset != tt.offset {
				t.Errorf("Offset = %d; want %d (error %v)", pe.Offset, tt.offset, err)
			}
		})
	}
}

// TestProbeEndlessWarningAlerts checks that a server that sends warning
// alerts as fast as the socket takes them ends the probe at the alert limit,
// long before the flight size limit.
func TestProbeEndlessWarningAlerts(t *testing.T) {
	t.Parallel()
	chunk := warningRecords(512, 90)
	addr := startRawServer(t, func(conn *net.TCPConn) {
		defer conn.Close()
		readHello(conn)
		for {
			if _, err := conn.Write(chunk); err != nil {
				return
			}
		}
	})
	p := &Prober{Timeout: 5 * time.Second}
	r := p.Probe(context.Background(), addr, ModernHello("localhost", []Version{VersionTLS12}))
	if r.Kind != KindMalformed {
		t.Fatalf("Kind = %s (%s); want malformed", r.Kind, r.Describe())
	}
	want := "malformed TLS answer: server sent 17 warning alerts, the last user_canceled, without ending its flight; the limit is 16 (alert at byte 117)"
	if got := r.Describe(); got != want {
		t.Errorf("Describe() = %q; want %q", got, want)
	}
}
