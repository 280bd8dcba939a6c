package check

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/scimdoctor/scimdoctor/certcheck"
	"github.com/scimdoctor/scimdoctor/clients"
	"github.com/scimdoctor/scimdoctor/report"
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
			summary := fmt.Sprintf("%s accepts TCP connections (connect took %s)", addr, connectTime(time.Since(started)))
			run.addLayer("tcp", report.StatusPass, summary, details...)
			return true
		}
		if errors.Is(err, syscall.ECONNRESET) {
			// The port completed the TCP handshake and reset the connection
			// before connect returned: something listens, and the TLS layer
			// shows how it treats a hello.
			run.addr = addr
			run.report.Target.Address = addr
			details = append(details, addr+": accepted the TCP handshake, then reset the connection at once")
			run.addLayer("tcp", report.StatusWarn, addr+" accepts TCP connections and resets them", details...)
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

	class := clients.ClassConnectTimeout
	if refused {
		class = clients.ClassConnectRefused
	}
	target := run.endpoint.HostPort()
	run.addLayer("tcp", report.StatusFail, "no address of "+target+" accepts TCP connections", details...)
	values := map[string]string{"host": run.endpoint.Host, "port": port, "addr": net.JoinHostPort(addrs[0], port), "ip": addrs[0], "url": run.endpoint.URL.String()}
	run.failAll(class, "tcp", values, details...)
	run.report.Target.Address = net.JoinHostPort(addrs[0], port)
	run.unreachable = true
	return false
}

// connectTime rounds a connect time to milliseconds, and returns "under
// 1ms" rather than "0s" on loopback.
func connectTime(d time.Duration) string {
	if d < time.Millisecond {
		return "under 1ms"
	}
	return d.Round(time.Millisecond).String()
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
		Path:          run.endpoint.ServiceProviderConfigRequestURI(),
		ExtraRoots:    run.extraRoots,
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
		v := pred.Verdict(p)
		run.report.Verdicts = append(run.report.Verdicts, v)
		if pred.Connects {
			details = append(details, fmt.Sprintf("%s: connects with %s, %s", p.Display, v.Version, v.Suite))
		} else {
			failures++
			details = append(details, fmt.Sprintf("%s: %s", p.Display, v.LogLine))
		}
	}
	status := report.StatusPass
	summary := fmt.Sprintf("all %d simulated clients complete the TLS handshake and certificate checks", len(run.profiles))
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
		// suites Go lacks (DHE, CAMELLIA, ARIA and others). A TLS 1.2 or
		// older server still sent its chain in clear to one of the probes.
		if raw := run.rawChain(); raw != nil {
			chain = raw
		} else {
			run.report.Certificate = &report.Certificate{Error: err.Error()}
			run.addLayer("certificate", report.StatusSkip, "no certificate could be fetched: "+err.Error())
			return
		}
	}
	problems := certcheck.Verify(chain, run.endpoint.Host, certcheck.Policy{Roots: run.roots, MinRSABits: 2048, MinECBits: 256, RejectSHA1: true})
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
