package check

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/scimdoctor/scimdoctor/certcheck"
	"github.com/scimdoctor/scimdoctor/clients"
	"github.com/scimdoctor/scimdoctor/report"
	"github.com/scimdoctor/scimdoctor/tlsprobe"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// connect opens one TCP connection to each address in turn until one
// accepts, and records why the others failed.
func (run *runner) connect(ctx context.Context, addrs []string) bool {
	var details []string
	refused := false
	port := strconv.Itoa(run.endpoint.Port)
	for _, ip := range addrs {
		addr := net.JoinHostPort(ip, port)
		dialer := net.Dialer{Timeout: run.opts.Timeout}
		started := time.Now()
		conn, err := dialer.DialContext(ctx, "tcp", addr)
		run.extraConnections.Add(1)
		if err == nil {
			conn.Close()
			run.addr = addr
			run.report.Target.Address = addr
			summary := fmt.Sprintf("%s accepts TCP connections (%s)", addr, time.Since(started).Round(time.Millisecond))
			run.addLayer("tcp", report.StatusPass, summary, details...)
			return true
		}
		if errors.Is(err, syscall.ECONNREFUSED) {
			refused = true
			details = append(details, addr+": connection refused")
		} else if isTimeout(err) {
			details = append(details, fmt.Sprintf("%s: no answer within %s", addr, run.opts.Timeout))
		} else {
			details = append(details, addr+": "+err.Error())
		}
	}

	class := "connect_timeout"
	if refused {
		class = "connect_refused"
	}
	target := run.endpoint.HostPort()
	run.addLayer("tcp", report.StatusFail, "no address of "+target+" accepts TCP connections", details...)
	values := map[string]string{"host": run.endpoint.Host, "port": port, "address": addrs[0]}
	run.failAll(class, "tcp", values, details...)
	run.report.Target.Address = net.JoinHostPort(addrs[0], port)
	run.unreachable = true
	return false
}

func isTimeout(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr) && netErr.Timeout() || errors.Is(err, os.ErrDeadlineExceeded)
}

// scanVersions finds every protocol version the server accepts.
func (run *runner) scanVersions(ctx context.Context) {
	scan := run.prober.Versions(ctx, run.addr, run.serverName())
	run.scan = scan
	out := &report.TLSScan{ServerName: run.serverName()}
	var accepted []string
	for _, vr := range scan.Versions {
		state := report.VersionState{
			Version:   vr.Version.String(),
			Accepted:  vr.Accepted,
			Confirmed: vr.Confirmed,
		}
		if vr.Result != nil {
			state.Kind = string(vr.Result.Kind)
			state.Answer = vr.Result.Describe()
			if vr.Accepted && vr.Result.Flight != nil && vr.Result.Flight.ServerHello != nil {
				state.CipherSuite = registry.SuiteName(vr.Result.Flight.ServerHello.CipherSuite)
			}
		}
		if vr.Accepted {
			accepted = append(accepted, vr.Version.String())
		}
		out.Versions = append(out.Versions, state)
	}
	run.report.TLS = out

	var details []string
	for _, s := range out.Versions {
		mark := "no "
		if s.Accepted {
			mark = "yes"
		}
		details = append(details, fmt.Sprintf("%-8s %s  %s", s.Version, mark, s.Answer))
	}
	switch {
	case len(accepted) == 0:
		run.addLayer("tls", report.StatusFail, "the server accepted no protocol version", details...)
	case !contains(accepted, "TLS 1.2"):
		run.addLayer("tls", report.StatusFail, "accepts "+strings.Join(accepted, ", ")+"; TLS 1.2, which Okta and Entra ID require, is missing", details...)
	case contains(accepted, "SSL 3.0") || contains(accepted, "SSL 2.0"):
		run.addLayer("tls", report.StatusWarn, "accepts "+strings.Join(accepted, ", ")+"; SSL should be off", details...)
	default:
		run.addLayer("tls", report.StatusPass, "accepts "+strings.Join(accepted, ", "), details...)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// simulate runs each profile's own handshake and turns the prediction into
// a verdict.
func (run *runner) simulate(ctx context.Context) {
	target := clients.Target{
		Addr:          run.addr,
		Host:          run.endpoint.Host,
		Path:          run.endpoint.URL.Path,
		Roots:         run.roots,
		Authorization: run.opts.Authorization,
		Timeout:       run.opts.Timeout,
	}
	predictions := make([]*clients.Prediction, len(run.profiles))
	var wg sync.WaitGroup
	for i, p := range run.profiles {
		wg.Add(1)
		go func() {
			defer wg.Done()
			predictions[i] = clients.Simulate(ctx, run.prober, target, p)
			if predictions[i].Handshake != nil {
				// The full handshake after an accepted hello is made by
				// certcheck, outside the prober's count.
				run.extraConnections.Add(1)
			}
		}()
	}
	wg.Wait()

	failures := 0
	var details []string
	for i, p := range run.profiles {
		pred := predictions[i]
		v := report.Verdict{
			Client:         p.Name,
			Display:        p.Display,
			Connects:       pred.Connects,
			Confidence:     pred.Confidence,
			Class:          pred.Class,
			Layer:          pred.Layer,
			LogLine:        pred.LogLine(),
			Message:        pred.Message,
			SentSNI:        pred.SentSNI,
			Evidence:       pred.Evidence,
			ClientVersions: versionNames(p.Versions()),
			Alert:          pred.Alert,
		}
		if pred.Version != 0 {
			v.Version = pred.Version.String()
		}
		if pred.CipherSuite != 0 {
			v.Suite = registry.SuiteName(pred.CipherSuite)
		}
		run.report.Verdicts = append(run.report.Verdicts, v)
		if pred.Connects {
			details = append(details, fmt.Sprintf("%s: connects with %s, %s", p.Display, v.Version, v.Suite))
		} else {
			failures++
			details = append(details, fmt.Sprintf("%s: %s", p.Display, v.LogLine))
		}
	}
	status := report.StatusPass
	summary := fmt.Sprintf("all %d simulated clients connect", len(run.profiles))
	if failures > 0 {
		status = report.StatusFail
		summary = fmt.Sprintf("%d of %d simulated clients fail", failures, len(run.profiles))
	}
	run.addLayer("clients", status, summary, details...)
}

// certificate fetches the chain with a lenient handshake and checks it
// against the Mozilla roots (plus --cacert) and the URL's host.
func (run *runner) certificate(ctx context.Context) {
	chain, err := certcheck.Fetch(ctx, run.addr, run.serverName(), run.opts.Timeout)
	run.extraConnections.Add(1)
	if err != nil {
		// crypto/tls completes no handshake when the server offers only
		// suites Go lacks (DHE, CAMELLIA, ARIA ...); a TLS 1.2 or older
		// server still sent its chain in clear to one of the probes.
		if raw := run.rawChain(); raw != nil {
			chain = raw
		} else {
			run.report.Certificate = &report.Certificate{Error: err.Error()}
			run.addLayer("certificate", report.StatusSkip, "no certificate could be fetched: "+err.Error())
			return
		}
	}
	roots := run.roots
	if roots == nil {
		roots, _ = certcheck.Roots("mozilla")
	}
	problems := certcheck.Verify(chain, run.endpoint.Host, certcheck.Policy{Roots: roots, MinRSABits: 2048, MinECBits: 256, RejectSHA1: true})
	out := &report.Certificate{Source: chain.Source}
	for _, c := range chain.Certificates {
		info := certcheck.Describe(c)
		key := info.KeyType
		if info.KeyBits > 0 {
			key = fmt.Sprintf("%s %d", info.KeyType, info.KeyBits)
		}
		if info.Curve != "" {
			key += " " + info.Curve
		}
		out.Chain = append(out.Chain, report.CertInfo{
			Subject: info.Subject, Issuer: info.Issuer, DNSNames: info.DNSNames, IPAddresses: info.IPAddresses,
			NotBefore: info.NotBefore, NotAfter: info.NotAfter, Key: key,
			SignatureAlgorithm: info.SignatureAlgorithm, SelfSigned: info.SelfSigned, SHA256: info.SHA256Fingerprint,
		})
	}
	for _, p := range problems {
		out.Problems = append(out.Problems, string(p.Class)+": "+p.Detail)
	}
	run.report.Certificate = out

	leaf := out.Chain[0]
	details := []string{
		"subject: " + leaf.Subject,
		"issuer: " + leaf.Issuer,
		fmt.Sprintf("valid: %s to %s", leaf.NotBefore.Format(time.DateOnly), leaf.NotAfter.Format(time.DateOnly)),
		"key: " + leaf.Key,
		fmt.Sprintf("chain: %d certificate(s) sent", len(out.Chain)),
	}
	if len(problems) == 0 {
		run.addLayer("certificate", report.StatusPass, "trusted, valid and issued for "+run.endpoint.Host, details...)
		return
	}
	run.addLayer("certificate", report.StatusFail, strings.Join(out.Problems, "; "), details...)
}

// rawChain returns the chain from the Certificate message of an accepted
// TLS 1.2 or older probe, newest version first, or nil.
func (run *runner) rawChain() *certcheck.Chain {
	if run.scan == nil {
		return nil
	}
	for i := len(run.scan.Versions) - 1; i >= 0; i-- {
		vr := run.scan.Versions[i]
		if !vr.Accepted || vr.Result == nil || vr.Result.Flight == nil || len(vr.Result.Flight.Certificates) == 0 {
			continue
		}
		chain, err := certcheck.ParseChain(vr.Result.Flight.Certificates)
		if err == nil {
			return chain
		}
	}
	return nil
}

// evidenceHeaders are the response headers kept in the report: the ones
// that name the server software or a box in front of it.
var evidenceHeaders = []string{
	"Server", "Via", "X-Powered-By", "X-AspNet-Version", "X-Cache", "X-Forwarded-For",
	"X-Forwarded-Proto", "X-Forwarded-Host", "X-Served-By", "CF-Ray", "X-Amz-Cf-Id",
	"X-Azure-Ref", "X-Application-Context", "WWW-Authenticate", "Content-Type",
}

// http sends GET /ServiceProviderConfig over a handshake that accepts any
// version and suite the server offers, so the server's headers are evidence
// even when the IdP could not connect.
func (run *runner) http(ctx context.Context) {
	target := run.endpoint.ServiceProviderConfigURL()
	out := &report.HTTP{Method: http.MethodGet, URL: target}
	run.report.HTTP = out

	tlsConfig := &tls.Config{
		InsecureSkipVerify: true, // the certificate layer judges the chain; this request only reads headers
		MinVersion:         tls.VersionTLS10,
		CipherSuites:       allGoSuites(),
		ServerName:         run.serverName(),
	}
	transport := &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			run.extraConnections.Add(1)
			return (&net.Dialer{Timeout: run.opts.Timeout}).DialContext(ctx, network, run.addr)
		},
		TLSClientConfig:       tlsConfig,
		TLSHandshakeTimeout:   run.opts.Timeout,
		ResponseHeaderTimeout: run.opts.Timeout,
		DisableKeepAlives:     true,
		Proxy:                 nil,
	}
	defer transport.CloseIdleConnections()
	client := &http.Client{Transport: transport, Timeout: 2 * run.opts.Timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		out.Error = err.Error()
		run.addLayer("http", report.StatusSkip, "cannot build the request: "+err.Error())
		return
	}
	req.Header.Set("Accept", "application/scim+json")
	req.Header.Set("User-Agent", "scimdoctor")
	if run.opts.Authorization != "" {
		req.Header.Set("Authorization", run.opts.Authorization)
	}
	resp, err := client.Do(req)
	if err != nil {
		out.Error = err.Error()
		run.addLayer("http", report.StatusSkip, "no HTTP answer even with any TLS version and suite: "+shortHTTPError(err))
		return
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))

	out.Status = resp.StatusCode
	out.StatusText = http.StatusText(resp.StatusCode)
	out.ContentType = resp.Header.Get("Content-Type")
	if resp.TLS != nil {
		out.TLSVersion = tlsprobe.Version(resp.TLS.Version).String()
	}
	out.Headers = map[string]string{}
	var details []string
	for _, name := range evidenceHeaders {
		if value := resp.Header.Get(name); value != "" {
			out.Headers[name] = value
			details = append(details, name+": "+value)
		}
	}
	for name, values := range resp.Header {
		if strings.HasPrefix(strings.ToLower(name), "set-cookie") && len(values) > 0 {
			// Cookie names such as BIGipServer or AWSALB name a load balancer;
			// the values are not kept.
			for _, v := range values {
				cookieName, _, _ := strings.Cut(v, "=")
				details = append(details, "Set-Cookie name: "+cookieName)
			}
		}
	}
	run.judgeHTTP(resp.StatusCode, out, details)
}

func (run *runner) judgeHTTP(status int, out *report.HTTP, details []string) {
	summary := fmt.Sprintf("GET %s answered %d %s over %s", out.URL, status, out.StatusText, out.TLSVersion)
	isJSON := strings.Contains(out.ContentType, "json")
	switch {
	case status == http.StatusOK && isJSON:
		run.addLayer("http", report.StatusPass, summary, details...)
	case (status == http.StatusUnauthorized || status == http.StatusForbidden) && run.opts.Authorization == "":
		run.addLayer("http", report.StatusWarn, summary+"; give --token or --basic to test the credentials the IdP uses", details...)
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		run.addLayer("http", report.StatusFail, summary+"; the server rejects the credentials given", details...)
		run.httpRejectedStatus = status
	case status >= 400 && !isJSON:
		run.addLayer("http", report.StatusFail, summary+" with "+orNone(out.ContentType)+", not a SCIM error: the base URL may not reach the SCIM service", details...)
	case status >= 400:
		run.addLayer("http", report.StatusFail, summary, details...)
	default:
		run.addLayer("http", report.StatusWarn, summary+" with "+orNone(out.ContentType), details...)
	}
}

// failHTTP marks the clients that passed TLS as failing at the HTTP layer,
// with the message each IdP is documented to show.
func (run *runner) failHTTP(status int, why string) {
	for i := range run.report.Verdicts {
		v := &run.report.Verdicts[i]
		if !v.Connects {
			continue
		}
		p, err := clients.Load(v.Client)
		if err != nil {
			continue
		}
		exception, message := p.ErrorText("http_unauthorized", map[string]string{"status": strconv.Itoa(status), "reason": http.StatusText(status)})
		v.Connects = false
		v.Layer = "http"
		v.Class = "http_unauthorized"
		v.Message = message
		v.LogLine = joinLogLine(exception, message)
		v.Evidence = append(v.Evidence, why)
	}
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

// allGoSuites lists every suite crypto/tls implements, insecure ones
// included, so the evidence request reaches legacy servers.
func allGoSuites() []uint16 {
	var ids []uint16
	for _, s := range tls.CipherSuites() {
		ids = append(ids, s.ID)
	}
	for _, s := range tls.InsecureCipherSuites() {
		ids = append(ids, s.ID)
	}
	return ids
}
