package check

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/scimdoctor/scimdoctor/certcheck"
	"github.com/scimdoctor/scimdoctor/clients"
	"github.com/scimdoctor/scimdoctor/report"
	"github.com/scimdoctor/scimdoctor/tlsprobe"
)

// evidenceHeaders are the response headers kept in the report: the ones
// that name the server software or a box in front of it.
var evidenceHeaders = []string{
	"Server", "Via", "X-Powered-By", "X-AspNet-Version", "X-Cache", "X-Forwarded-For",
	"X-Forwarded-Proto", "X-Forwarded-Host", "X-Served-By", "CF-Ray", "X-Amz-Cf-Id",
	"X-Azure-Ref", "X-Application-Context", "WWW-Authenticate", "Content-Type", "Location",
}

// maxResponseHeaderBytes bounds the response headers read, at the limit of
// JDK 17.0.21's HttpURLConnection: measured here, it rejects a larger block
// with "java.net.ProtocolException: Header size too big: 393217 > 393216".
const maxResponseHeaderBytes = 393216

// httpFailure is an HTTP-layer failure that every client passing TLS meets.
type httpFailure struct {
	// class is clients.ClassReadTimeout or one of the http_* classes.
	class  string
	status int
	// evidence is the sentence added to each failing verdict.
	evidence string
}

// HTTP failure classes; they fail a verdict at the http layer.
const (
	classHTTPUnauthorized = "http_unauthorized"
	classHTTPError        = "http_error"
	// classHTTPNotSCIM is a 2xx response whose body is not SCIM JSON.
	classHTTPNotSCIM = "http_not_scim"
	// classClosedAfterHandshake is a close after the TLS handshake with no
	// HTTP response; clients word it as their "closed_after_handshake" text.
	classClosedAfterHandshake = "closed_after_handshake"
)

// handshakeError is a TLS handshake of the evidence request that failed:
// a limit of crypto/tls or the server's refusal, not an HTTP problem.
type handshakeError struct{ err error }

func (e *handshakeError) Error() string { return "TLS handshake failed: " + e.err.Error() }
func (e *handshakeError) Unwrap() error { return e.err }

// bodyError is a response whose headers came but whose body did not.
type bodyError struct {
	status int
	err    error
}

func (e *bodyError) Error() string {
	return fmt.Sprintf("the headers of a %d response came, but reading the body failed: %v", e.status, e.err)
}
func (e *bodyError) Unwrap() error { return e.err }

// httpAnswer is one request and what came back.
type httpAnswer struct {
	url  string
	resp *http.Response
	err  error
	body []byte
}

// http sends GET /ServiceProviderConfig over a handshake that accepts any
// version and suite the server offers, so the server's headers are evidence
// even when the IdP could not connect. When the server has no
// /ServiceProviderConfig, it sends the request of Okta's connection test,
// GET /Users?startIndex=1&count=2, and judges that instead.
func (run *runner) http(ctx context.Context) {
	client, closeIdle := run.httpClient()
	defer closeIdle()

	out := &report.HTTP{Method: http.MethodGet, URL: run.endpoint.ServiceProviderConfigURL()}
	run.report.HTTP = out
	answer := run.get(ctx, client, out.URL)
	var details []string
	if answer.err == nil && isMissing(answer.resp.StatusCode) {
		details = append(details, fmt.Sprintf("GET %s answered %d: the server has no /ServiceProviderConfig, so the request of Okta's connection test follows", out.URL, answer.resp.StatusCode))
		out.URL = run.endpoint.UsersURL()
		answer = run.get(ctx, client, out.URL)
	}

	if answer.err != nil {
		out.Error = answer.err.Error()
		run.noHTTPAnswer(answer.err, details)
		return
	}
	resp := answer.resp
	if final := resp.Request.URL.String(); final != out.URL {
		details = append(details, "followed redirects from "+out.URL+" to "+final)
		out.URL = final
	}
	out.Status = resp.StatusCode
	out.StatusText = http.StatusText(resp.StatusCode)
	out.ContentType = resp.Header.Get("Content-Type")
	if resp.TLS != nil {
		out.TLSVersion = tlsprobe.Version(resp.TLS.Version).String()
	}
	out.Headers = map[string]string{}
	for _, name := range evidenceHeaders {
		if value := resp.Header.Get(name); value != "" {
			out.Headers[name] = value
			details = append(details, name+": "+value)
		}
	}
	// Cookie names such as BIGipServer or AWSALB name a load balancer; the
	// values are not kept.
	for _, c := range resp.Header.Values("Set-Cookie") {
		cookieName, _, _ := strings.Cut(c, "=")
		out.CookieNames = append(out.CookieNames, strings.TrimSpace(cookieName))
		details = append(details, "Set-Cookie name: "+cookieName)
	}
	run.judgeHTTP(out, answer.body, details)
}

func (run *runner) httpClient() (*http.Client, func()) {
	tlsConfig := &tls.Config{
		InsecureSkipVerify: true, // the certificate layer judges the chain; this request reads the HTTP response
		MinVersion:         tls.VersionTLS10,
		CipherSuites:       certcheck.GoSuites(),
		ServerName:         run.serverName(),
	}
	transport := &http.Transport{
		DialTLSContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			run.extraConnections.Add(1)
			raw, err := run.dial(ctx, network, run.addr)
			if err != nil {
				return nil, err
			}
			hsCtx, cancel := context.WithTimeout(ctx, run.opts.Timeout)
			defer cancel()
			conn := tls.Client(raw, tlsConfig)
			if err := conn.HandshakeContext(hsCtx); err != nil {
				raw.Close()
				return nil, &handshakeError{err: err}
			}
			return conn, nil
		},
		ResponseHeaderTimeout:  run.opts.Timeout,
		MaxResponseHeaderBytes: maxResponseHeaderBytes,
		DisableKeepAlives:      true,
		Proxy:                  nil,
	}
	client := &http.Client{
		Transport: transport,
		Timeout:   2 * run.opts.Timeout,
		// Java's HttpURLConnection, Go and .NET follow a redirect by
		// default, so the page it leads to is what the IdP judges. Every
		// connection goes to the probed address, so a redirect elsewhere is
		// reported instead of followed.
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects || req.URL.Scheme != "https" || req.URL.Host != via[0].URL.Host {
				return http.ErrUseLastResponse
			}
			return nil
		},
	}
	return client, transport.CloseIdleConnections
}

// maxRedirects is how many redirects the evidence request follows, fewer
// than clients allow (Java: 20), which is enough to reach a login page.
const maxRedirects = 5

// maxBodyBytes bounds the part of a body read to judge it.
const maxBodyBytes = 1 << 20

func (run *runner) get(ctx context.Context, client *http.Client, target string) httpAnswer {
	answer := httpAnswer{url: target}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		answer.err = err
		return answer
	}
	req.Header.Set("Accept", "application/scim+json")
	req.Header.Set("User-Agent", "scimdoctor")
	if run.opts.Authorization != "" {
		req.Header.Set("Authorization", run.opts.Authorization)
	}
	resp, err := client.Do(req)
	if err != nil {
		answer.err = err
		return answer
	}
	defer resp.Body.Close()
	answer.resp = resp
	answer.body, err = io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	if err != nil {
		answer.err = &bodyError{status: resp.StatusCode, err: err}
	}
	return answer
}

func isMissing(status int) bool {
	return status == http.StatusNotFound || status == http.StatusMethodNotAllowed || status == http.StatusNotImplemented
}

// noHTTPAnswer records a request that got no HTTP response although a
// lenient handshake was possible, or that failed before it.
func (run *runner) noHTTPAnswer(err error, details []string) {
	msg := shortHTTPError(err)
	if run.tlsAccepted() == 0 {
		run.addLayer("http", report.StatusSkip, "no HTTP answer even with any TLS version and suite: "+msg, details...)
		return
	}
	var hsErr *handshakeError
	if errors.As(err, &hsErr) {
		// The probes found a version the server accepts, so the failure is
		// most likely crypto/tls lacking the server's suites (DHE, CAMELLIA
		// and others). The HTTP layer then stays untested rather than failed.
		run.addLayer("http", report.StatusSkip, "not tested: Go's TLS client could not complete a handshake with this server ("+hsErr.err.Error()+"), although the probes found a version it accepts", details...)
		return
	}
	var netErr net.Error
	var body *bodyError
	timedOut := errors.As(err, &netErr) && netErr.Timeout()
	switch {
	case errors.As(err, &body) && timedOut:
		run.addLayer("http", report.StatusFail, "the response headers came, but the body did not arrive in full before the deadline", details...)
		run.httpFailure = &httpFailure{class: clients.ClassReadTimeout, evidence: fmt.Sprintf("the server sent the headers of a %d response, then the body too slowly for the client's read timeout", body.status)}
		return
	case timedOut:
		run.addLayer("http", report.StatusFail, "the TLS handshake completed but no HTTP response came within "+run.opts.Timeout.String(), details...)
		run.httpFailure = &httpFailure{class: clients.ClassReadTimeout, evidence: "the server completed the TLS handshake and then sent no HTTP response"}
		return
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		run.addLayer("http", report.StatusFail, "the server closed the connection after the TLS handshake without an HTTP response", details...)
		run.httpFailure = &httpFailure{class: classClosedAfterHandshake, evidence: "the server closed the connection after the TLS handshake without sending an HTTP response"}
		return
	}
	run.addLayer("http", report.StatusFail, "the HTTP request failed after the TLS handshake: "+msg, details...)
	run.httpFailure = &httpFailure{class: classHTTPError, evidence: "the HTTP request failed after the TLS handshake: " + msg}
}

// tlsAccepted counts the protocol versions the server accepted.
func (run *runner) tlsAccepted() int {
	if run.scan == nil {
		return 0
	}
	return len(run.scan.Accepted())
}

func (run *runner) judgeHTTP(out *report.HTTP, body []byte, details []string) {
	status := out.Status
	summary := fmt.Sprintf("GET %s answered %d %s over %s", out.URL, status, out.StatusText, out.TLSVersion)
	isJSON := strings.Contains(strings.ToLower(out.ContentType), "json")
	unauthorized := status == http.StatusUnauthorized || status == http.StatusForbidden
	switch {
	case status >= 200 && status < 300 && isJSON:
		run.addLayer("http", report.StatusPass, summary, details...)
	case status >= 200 && status < 300:
		run.addLayer("http", report.StatusFail, summary+" with "+orNone(out.ContentType)+" instead of SCIM JSON", details...)
		run.httpFailure = &httpFailure{class: classHTTPNotSCIM, status: status, evidence: fmt.Sprintf("the SCIM URL returned %d with %s (%s), not SCIM JSON", status, orNone(out.ContentType), bodyStart(body))}
	case unauthorized && strings.Contains(strings.ToLower(out.ContentType), "html"):
		run.addLayer("http", report.StatusFail, summary+" with an HTML page: a WAF, proxy or login gateway answered in place of the SCIM service", details...)
		run.httpFailure = &httpFailure{class: classHTTPError, status: status, evidence: fmt.Sprintf("the SCIM URL returned %d with an HTML page (%s), which a WAF, proxy or login gateway sends, not a SCIM server", status, bodyStart(body))}
	case unauthorized && run.opts.Authorization == "":
		run.addLayer("http", report.StatusWarn, summary+"; give --token or --basic to test the credentials the IdP uses", details...)
	case unauthorized:
		run.addLayer("http", report.StatusFail, summary+"; the server rejects the credentials given", details...)
		run.httpFailure = &httpFailure{class: classHTTPUnauthorized, status: status, evidence: fmt.Sprintf("the SCIM server answered %d to the credentials the IdP would send", status)}
	case status >= 300 && status < 400:
		location := out.Headers["Location"]
		run.addLayer("http", report.StatusFail, summary+"; a redirect to "+orNone(location)+" instead of the SCIM answer", details...)
		run.httpFailure = &httpFailure{class: classHTTPError, status: status, evidence: fmt.Sprintf("the SCIM URL redirects (%d) to %s, often a login page of a proxy or single sign-on gateway in front of the API", status, orNone(location))}
	case !isJSON:
		run.addLayer("http", report.StatusFail, summary+" with "+orNone(out.ContentType)+", not a SCIM error: the base URL may not reach the SCIM service", details...)
		run.httpFailure = &httpFailure{class: classHTTPError, status: status, evidence: fmt.Sprintf("the SCIM URL returned %d with %s (%s), not a SCIM error body", status, orNone(out.ContentType), bodyStart(body))}
	default:
		run.addLayer("http", report.StatusFail, summary, details...)
		run.httpFailure = &httpFailure{class: classHTTPError, status: status, evidence: fmt.Sprintf("the SCIM URL returned %d (%s)", status, bodyStart(body))}
	}
}

// bodyStart quotes the first bytes of a body for evidence.
func bodyStart(body []byte) string {
	const max = 80
	text := strings.TrimSpace(string(body))
	if text == "" {
		return "empty body"
	}
	if len(text) > max {
		text = text[:max] + "..."
	}
	return strconv.Quote(text)
}

// failHTTP marks the clients that passed TLS as failing at the HTTP layer,
// with each client's text for the failure.
func (run *runner) failHTTP(f *httpFailure) {
	values := map[string]string{
		"url":    run.report.HTTP.URL,
		"host":   run.endpoint.Host,
		"port":   strconv.Itoa(run.endpoint.Port),
		"status": strconv.Itoa(f.status),
		"reason": http.StatusText(f.status),
	}
	for i := range run.report.Verdicts {
		v := &run.report.Verdicts[i]
		if !v.Connects {
			continue
		}
		p, ok := clients.Lookup(v.Client)
		if !ok {
			continue
		}
		key := f.class
		if key == classHTTPNotSCIM {
			key = "" // no client has a text of its own for a body it cannot parse
		}
		exception, message := "", ""
		if f.status != 0 || key == clients.ClassReadTimeout || key == classClosedAfterHandshake {
			exception, message = p.ErrorText(key, values)
		}
		v.Connects = false
		v.Layer = "http"
		v.Class = f.class
		v.Evidence = append(v.Evidence, f.evidence)
		if message == "" {
			// No text of the client's own: the message describes the
			// failure, and no log line is claimed.
			v.Message = genericHTTPMessage(f)
			v.LogLine = ""
			continue
		}
		v.Message = message
		v.LogLine = p.JoinLogLine(exception, message)
	}
}

func genericHTTPMessage(f *httpFailure) string {
	switch f.class {
	case classHTTPNotSCIM:
		return fmt.Sprintf("HTTP %d answer that is not SCIM JSON", f.status)
	case clients.ClassReadTimeout:
		return "no HTTP response before the read timeout"
	}
	if f.status == 0 {
		return "HTTP request failed"
	}
	return fmt.Sprintf("HTTP %d %s", f.status, http.StatusText(f.status))
}

func orNone(s string) string {
	if s == "" {
		return "no Content-Type"
	}
	return s
}

func shortHTTPError(err error) string {
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 && strings.HasPrefix(msg, "Get ") {
		return msg[i+2:]
	}
	return msg
}
