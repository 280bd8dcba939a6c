package clients

import (
	"fmt"
	"strings"

	"github.com/scimdoctor/scimdoctor/certcheck"
	"github.com/scimdoctor/scimdoctor/tlsprobe"
)

// clientCertificate handles a server that requested a client certificate:
// the client sends none, and the prediction follows what the server did
// next. It reports whether the simulation is done.
func (s *simulation) clientCertificate(r *tlsprobe.Result, hs *certcheck.HandshakeResult) bool {
	pred := s.pred
	requested := r.Flight != nil && r.Flight.CertificateRequest != nil
	requested = requested || (hs != nil && hs.CertificateRequested)
	if !requested {
		return false
	}
	cas := ""
	if hs != nil && len(hs.AcceptableCAs) > 0 {
		cas = " (acceptable CAs: " + strings.Join(hs.AcceptableCAs, "; ") + ")"
	}
	pred.Evidence = append(pred.Evidence, fmt.Sprintf("the server requested a client certificate%s; %s has none and sends an empty Certificate message", cas, s.profile.Name))

	// In TLS 1.2 the server rejects the empty Certificate inside the
	// handshake. In TLS 1.3 the handshake completes on the client's side,
	// so the rejection comes after it.
	var step certcheck.Step
	switch {
	case hs != nil && hs.CertificateRequested && hs.Handshake.Outcome != certcheck.OutcomeCompleted:
		step = hs.Handshake
	case hs != nil && hs.Chain != nil:
		step = hs.After
	default:
		s.fail(ClassClientCertRequired, LayerTLS, "", "what the server does without a client certificate is unknown, because the simulation's own handshake did not get that far")
		return true
	}
	switch step.Outcome {
	case certcheck.OutcomeHTTPResponse:
		if hs.Response != nil && hs.Response.StatusCode < 400 {
			pred.Evidence = append(pred.Evidence, fmt.Sprintf("the server accepted the connection without a certificate and responded with %s", hs.Response.StatusLine))
			return false
		}
		status := 0
		line := ""
		if hs.Response != nil {
			status, line = hs.Response.StatusCode, hs.Response.StatusLine
		}
		pred.HTTPStatus = status
		s.values.status = status
		s.fail(ClassClientCertRequired, LayerHTTP, variantHTTPError, "the server completed the handshake without a client certificate and responded with "+line)
		// The TLS connection succeeded, so Connects is true, and the
		// caller judges the HTTP response.
		pred.Connects = true
		return true
	case certcheck.OutcomeAlert:
		s.values.alert = step.Alert
		s.failWith(ClassClientCertRequired, LayerTLS, ClassAlert, alertVariant(*step.Alert),
			fmt.Sprintf("the server then sent fatal alert %s", step.Alert.Display()))
		if text, ok := s.profile.Errors[variantWriteFailed]; ok && hs.Handshake.Outcome == certcheck.OutcomeCompleted {
			alt := &Prediction{Exception: text.Exception, Message: s.profile.render(text.Message, s.values), logLine: s.profile.LogLine}
			pred.Evidence = append(pred.Evidence, fmt.Sprintf("when the server's close overtakes the request, %s logs instead: %s", s.profile.Name, alt.LogLine()))
		}
	case certcheck.OutcomeClosed:
		variant := ""
		if hs.Handshake.Outcome == certcheck.OutcomeCompleted {
			variant = variantClosedAfterHandshake
		}
		s.failWith(ClassClientCertRequired, LayerTLS, ClassClosed, variant, "the server then closed the connection without an alert")
	case certcheck.OutcomeReset:
		s.failWith(ClassClientCertRequired, LayerTLS, ClassReset, "", "the server then reset the connection")
	case certcheck.OutcomeTimeout:
		s.failWith(ClassClientCertRequired, LayerTLS, ClassReadTimeout, "", "the server then sent nothing")
	default:
		s.fail(ClassClientCertRequired, LayerTLS, "", fmt.Sprintf("the exchange then ended with %s: %s", step.Outcome, step.Error))
	}
	return true
}
