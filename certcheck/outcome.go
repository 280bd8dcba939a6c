package certcheck

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"syscall"

	"github.com/scimdoctor/scimdoctor/tlsprobe"
)

// Outcome names how one step of Handshake ended. Each is evidence of a
// different box: an alert comes from a TLS stack, a reset often from a
// firewall or proxy, a silent close from a server that gave up without a
// word.
type Outcome string

const (
	// OutcomeCompleted: the TLS handshake finished.
	OutcomeCompleted Outcome = "completed"
	// OutcomeHTTPResponse: an HTTP response came after the handshake.
	OutcomeHTTPResponse Outcome = "http_response"
	// OutcomeAlert: the server sent a fatal TLS alert.
	OutcomeAlert Outcome = "alert"
	// OutcomeClosed: the server closed the connection. crypto/tls returns
	// io.EOF both for a close_notify alert and for a TCP FIN without one,
	// so the two look the same here.
	OutcomeClosed Outcome = "closed"
	// OutcomeReset: the TCP connection was reset.
	OutcomeReset Outcome = "reset"
	// OutcomeTimeout: nothing complete came before the deadline.
	OutcomeTimeout Outcome = "timeout"
	// OutcomeNotTLS: the server sent bytes that are not a TLS record, such
	// as a plain HTTP response.
	OutcomeNotTLS Outcome = "not_tls"
	// OutcomeNotHTTP: after the handshake, the server sent bytes that are
	// not an HTTP response.
	OutcomeNotHTTP Outcome = "not_http"
	// OutcomeConnectFailed: no TCP connection was made.
	OutcomeConnectFailed Outcome = "connect_failed"
	// OutcomeError: the client side ended the step, for example because
	// crypto/tls rejected the server's parameters.
	OutcomeError Outcome = "error"
)

// Step is the end of one step of Handshake.
type Step struct {
	Outcome Outcome `json:"outcome"`
	// Alert is the received alert, for OutcomeAlert.
	Alert *tlsprobe.AlertDescription `json:"alert,omitempty"`
	// FirstBytes holds the first bytes the server sent, for OutcomeNotTLS.
	FirstBytes []byte `json:"first_bytes,omitempty"`
	// Error is the error that ended the step, empty for OutcomeCompleted
	// and OutcomeHTTPResponse.
	Error string `json:"error,omitempty"`
}

// alertsByGoText maps the text crypto/tls gives a received alert, such as
// "tls: certificate required", back to the alert number. The texts come
// from tls.AlertError itself, which prints alerts as crypto/tls does, so the
// map stays right when Go renames one.
var alertsByGoText = func() map[string]tlsprobe.AlertDescription {
	m := make(map[string]tlsprobe.AlertDescription, 256)
	for i := range 256 {
		m[tls.AlertError(i).Error()] = tlsprobe.AlertDescription(i)
	}
	return m
}()

// receivedAlert returns the alert the server sent, if err reports one.
// crypto/tls wraps a received alert in a *net.OpError whose Op is
// "remote error", and as of Go 1.26 its Err is an unexported type with the
// same text as tls.AlertError.
func receivedAlert(err error) (tlsprobe.AlertDescription, bool) {
	var opErr *net.OpError
	if !errors.As(err, &opErr) || opErr.Op != "remote error" || opErr.Err == nil {
		return 0, false
	}
	var alertErr tls.AlertError
	if errors.As(opErr.Err, &alertErr) {
		return tlsprobe.AlertDescription(alertErr), true
	}
	description, ok := alertsByGoText[opErr.Err.Error()]
	return description, ok
}

// classify turns the error that ended a step into a Step.
func classify(err error) Step {
	step := Step{Outcome: OutcomeError, Error: err.Error()}

	if description, ok := receivedAlert(err); ok {
		step.Outcome = OutcomeAlert
		step.Alert = &description
		return step
	}
	var recordErr tls.RecordHeaderError
	if errors.As(err, &recordErr) {
		step.Outcome = OutcomeNotTLS
		step.FirstBytes = append([]byte(nil), recordErr.RecordHeader[:]...)
		return step
	}

	var netErr net.Error
	switch {
	case errors.Is(err, syscall.ECONNRESET):
		step.Outcome = OutcomeReset
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.EPIPE):
		// EPIPE: a write after the server closed its side.
		step.Outcome = OutcomeClosed
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &netErr) && netErr.Timeout():
		step.Outcome = OutcomeTimeout
	}
	return step
}
