package check

import (
	"context"
	"fmt"
	"net"
	"strconv"

	"github.com/scimdoctor/scimdoctor/netpath"
	"github.com/scimdoctor/scimdoctor/report"
)

// connectViaProxy opens a CONNECT tunnel to the URL's host and port. The
// proxy resolves the host, so no DNS look-up runs here.
func (run *runner) connectViaProxy(ctx context.Context) bool {
	target := run.endpoint.HostPort()
	if addrs, ok := run.resolved(run.endpoint.Host, run.endpoint.Port); ok {
		// The tunnel goes to the pinned address, so the proxy looks
		// nothing up either.
		target = net.JoinHostPort(addrs[0], strconv.Itoa(run.endpoint.Port))
		run.addLayer("dns", report.StatusPass, fmt.Sprintf("%s resolved by --resolve to %s; the proxy is asked for that address", run.endpoint.Host, addrs[0]))
	} else {
		run.addLayer("dns", report.StatusSkip, fmt.Sprintf("not looked up here: the proxy %s resolves %s", run.proxy, run.endpoint.Host))
	}
	conn, err := run.dial(ctx, "tcp", target)
	run.extraConnections.Add(1)
	if err == nil {
		conn.Close()
		run.addr = target
		run.report.Target.Address = target
		run.addLayer("tcp", report.StatusPass, fmt.Sprintf("the proxy %s opened a tunnel to %s (HTTP CONNECT)", run.proxy, target))
		return true
	}
	detail := err.Error()
	run.addLayer("tcp", report.StatusFail, "no tunnel through the proxy to "+target,
		detail, "this is the path of this check, not the IdP's: the IdP connects from the internet without this proxy")
	run.report.Target.Address = target
	run.unreachable = true
	return false
}

// inspectProxy compares the chain seen through the proxy with the chain of
// a direct connection, to find a proxy that re-signs TLS. When the direct
// connection fails, the proxied chain alone is checked for the CA of a
// known inspection product.
func (run *runner) inspectProxy(ctx context.Context) *report.ProxyPath {
	out := &report.ProxyPath{URL: run.proxy.URL.Redacted(), Source: run.proxy.Source}
	proxied, err := netpath.PeerChain(ctx, &netpath.Dialer{Proxy: run.proxy, Timeout: run.opts.Timeout}, run.addr, run.serverName())
	run.extraConnections.Add(1)
	if err != nil {
		out.Evidence = append(out.Evidence, "the chain through the proxy could not be read: "+err.Error())
		return out
	}
	direct, err := netpath.PeerChain(ctx, &netpath.Dialer{Timeout: run.opts.Timeout}, run.addr, run.serverName())
	run.extraConnections.Add(1)
	var inspection *netpath.Inspection
	if err != nil {
		out.DirectError = err.Error()
		inspection = netpath.DetectProduct(proxied)
	} else {
		inspection = netpath.CompareChains(direct, proxied)
	}
	if inspection != nil {
		out.Intercepted, out.Product = inspection.Intercepted, inspection.Product
		out.Evidence = append(out.Evidence, inspection.Evidence...)
	}
	return out
}

// proxyNote is the sentence the path layer adds for a proxied check.
func proxyNote(p *report.ProxyPath) string {
	switch {
	case p.Intercepted && p.Product != "":
		return fmt.Sprintf("the proxy %s re-signs TLS with the CA of %s (TLS inspection): this check sees the proxy's certificate and TLS settings, not what Okta or Entra ID see, because the IdP connects from the internet", p.URL, p.Product)
	case p.Intercepted:
		return fmt.Sprintf("the proxy %s re-signs TLS (TLS inspection): this check sees the proxy's certificate and TLS settings, not what Okta or Entra ID see, because the IdP connects from the internet", p.URL)
	}
	return fmt.Sprintf("the check went through the proxy %s (%s), which passed TLS through unchanged", p.URL, p.Source)
}
