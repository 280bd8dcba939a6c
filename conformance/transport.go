package conformance

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/scimdoctor/scimdoctor/clients"
	"github.com/scimdoctor/scimdoctor/tlsprobe"
)

// transportFailure is a request that got no HTTP response, classified as
// the clients package names failures, with the values its texts use.
type transportFailure struct {
	// class is a clients failure class or variant, such as
	// clients.ClassExpired or "hostname_mismatch_ip"; empty when the error
	// fits none.
	class  string
	values map[string]string
}

// classifyTransport maps an error of Go's HTTP client for rawURL to a
// failure class. It reads the typed errors of net, crypto/tls and
// crypto/x509, never the error text.
func classifyTransport(err error, rawURL string) transportFailure {
	f := transportFailure{values: urlValues(rawURL)}
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var unknownAuthority x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var hostname x509.HostnameError
	var alert tls.AlertError
	var record tls.RecordHeaderError
	var netErr net.Error

	if errors.As(err, &opErr) && opErr.Addr != nil {
		if host, _, splitErr := net.SplitHostPort(opErr.Addr.String()); splitErr == nil {
			f.values["ip"] = host
		}
	}
	switch {
	case errors.As(err, &dnsErr):
		f.class = clients.ClassDNSFailure
	case errors.Is(err, syscall.ECONNREFUSED):
		f.class = clients.ClassConnectRefused
	case errors.As(err, &opErr) && opErr.Op == "dial" && opErr.Timeout():
		f.class = clients.ClassConnectTimeout
	case errors.As(err, &unknownAuthority):
		f.class = clients.ClassUntrusted
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		f.class = clients.ClassExpired
		if invalid.Cert != nil && time.Now().Before(invalid.Cert.NotBefore) {
			f.class = clients.ClassNotYetValid
		}
	case errors.As(err, &invalid):
		f.class = clients.ClassUntrusted
	case errors.As(err, &hostname):
		f.class = clients.ClassHostnameMismatch
		if net.ParseIP(f.values["host"]) != nil {
			f.class = "hostname_mismatch_ip"
		}
	case errors.As(err, &alert):
		f.class = clients.ClassAlert
		f.values["alert"] = alertName(uint8(alert))
	case errors.As(err, &opErr) && opErr.Op == "remote error":
		f.class = clients.ClassAlert
		if name, ok := alertByGoText[opErr.Err.Error()]; ok {
			f.values["alert"] = name
		}
	case errors.As(err, &record):
		f.class = clients.ClassNotTLS
	case errors.Is(err, syscall.ECONNRESET):
		f.class = clients.ClassReset
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.EPIPE):
		f.class = clients.ClassClosed
	case errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		f.class = clients.ClassReadTimeout
	}
	return f
}

// urlValues returns the placeholders of rawURL: url, host and port, the
// port defaulting by scheme, and ip when the host is an IP literal.
func urlValues(rawURL string) map[string]string {
	values := map[string]string{"url": rawURL}
	u, err := url.Parse(rawURL)
	if err != nil {
		return values
	}
	values["host"] = u.Hostname()
	values["port"] = u.Port()
	if values["port"] == "" {
		values["port"] = "443"
		if u.Scheme == "http" {
			values["port"] = "80"
		}
	}
	if net.ParseIP(u.Hostname()) != nil {
		values["ip"] = u.Hostname()
	}
	return values
}

// alertByGoText maps crypto/tls's text of a received alert, such as "tls:
// bad certificate", to the alert's RFC name, such as "bad_certificate".
// crypto/tls wraps received alerts in an unexported type with the text of
// tls.AlertError, so the text is the only handle on the number.
var alertByGoText = func() map[string]string {
	m := make(map[string]string, 256)
	for i := range 256 {
		m[tls.AlertError(i).Error()] = alertName(uint8(i))
	}
	return m
}()

// alertName returns the RFC name of a TLS alert, such as
// "protocol_version", as the clients package's texts use it.
func alertName(description uint8) string {
	return tlsprobe.AlertDescription(description).String()
}

// oktaTransportMessage returns the line Okta's admin reads for a request
// that got no response: "Error authenticating: " and the text of the
// okta client profile for the failure class, as Okta's Java client (Apache
// HttpClient on JSSE) reports it. ok is false when the profile has no text
// for the class, and the caller falls back to Go's error text.
func oktaTransportMessage(f transportFailure) (message string, ok bool) {
	if f.class == "" {
		return "", false
	}
	profile, err := clients.Load("okta")
	if err != nil {
		return "", false // unreachable: the okta profile is built in
	}
	_, text := profile.ErrorText(f.class, f.values)
	if text == "" || strings.Contains(text, "none is predicted") {
		return "", false
	}
	return "Error authenticating: " + text, true
}

// entraTransportMessage returns the line for a request that got no
// response as the entra client profile predicts it: the .NET exception and
// message for the failure class, such as "System.Net.WebException: The
// underlying connection was closed: Could not establish trust relationship
// for the SSL/TLS secure channel.". A timeout starts with "Timeout: ",
// the code of Entra ID's documented provisioning error table. ok is false
// when the profile has no text for the class.
//
// NOTE: Microsoft documents neither the runtime of its provisioning
// service nor the text its provisioning log shows for a TLS or connection
// failure, so the texts of the entra profile are inferred from .NET
// Framework. transportVerdict states this in the verdict.
func entraTransportMessage(f transportFailure) (message string, ok bool) {
	if f.class == "" {
		return "", false
	}
	profile, err := clients.Load("entra")
	if err != nil {
		return "", false // unreachable: the entra profile is built in
	}
	exception, text := profile.ErrorText(f.class, f.values)
	if text == "" || strings.Contains(text, "none is predicted") {
		return "", false
	}
	line := profile.JoinLogLine(exception, text)
	if f.class == clients.ClassConnectTimeout || f.class == clients.ClassReadTimeout {
		line = "Timeout: " + line
	}
	return line, true
}

// transportHint returns what to do next about a failure class, for the
// run's abort: pass the CA of a private certificate, or run check, which
// tests DNS, TCP, TLS and the certificate step by step.
func transportHint(f transportFailure, base string) string {
	check := "run scimdoctor check " + base + " to test DNS, TCP, TLS and the certificate step by step"
	switch f.class {
	case clients.ClassUntrusted, clients.ClassIncompleteChain, clients.ClassExpired, clients.ClassNotYetValid,
		clients.ClassHostnameMismatch, "hostname_mismatch_ip":
		return "if the server uses a private CA or scimdoctor serve's self-signed certificate, pass it with --cacert (serve writes scimdoctor-tls.pem); the IdPs trust only public CAs, so " + check
	}
	return check
}

// plainHTTPBodies are the texts web servers send with their 400 to a
// plain-HTTP request on a TLS port: Go's net/http, nginx and Apache httpd.
var plainHTTPBodies = []string{
	"Client sent an HTTP request to an HTTPS server",
	"The plain HTTP request was sent to HTTPS port",
	"speaking plain HTTP to an SSL-enabled server port",
}

// plainHTTPToTLS reports whether ex went over http:// to a port that
// speaks TLS, as the server's 400 body shows, and returns the reason.
func plainHTTPToTLS(ex *exchange) (string, bool) {
	if !strings.HasPrefix(strings.ToLower(ex.url), "http://") || ex.status != 400 {
		return "", false
	}
	body := string(ex.respBody)
	for _, text := range plainHTTPBodies {
		if strings.Contains(body, text) {
			return "the port speaks HTTPS, and the request went over plain HTTP: the server answered 400 \"" + text + "\"", true
		}
	}
	return "", false
}

// httpsForm returns base with the scheme https.
func httpsForm(base string) string {
	if rest, ok := strings.CutPrefix(base, "http://"); ok {
		return "https://" + rest
	}
	return base
}

// baseURLWarnings returns what Okta and Entra ID reject in a base URL
// before sending any request: a scheme other than https, and for Okta an
// underscore, which Okta's SCIM integration requirements rule out.
func baseURLWarnings(base string) []string {
	var warnings []string
	if strings.HasPrefix(strings.ToLower(base), "http://") {
		warnings = append(warnings, "the base URL uses http://: Okta and Entra ID send SCIM requests over HTTPS only, so configure "+httpsForm(base)+" in the IdP")
	}
	if strings.Contains(base, "_") {
		warnings = append(warnings, "the base URL contains \"_\": Okta does not accept a SCIM base URL with an underscore, so rename the host or path for Okta")
	}
	return warnings
}
