package check

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/scimdoctor/scimdoctor/certcheck"
	"github.com/scimdoctor/scimdoctor/diagnose"
	"github.com/scimdoctor/scimdoctor/fingerprint"
	"github.com/scimdoctor/scimdoctor/report"
	"github.com/scimdoctor/scimdoctor/tlsprobe"
)

// resolveEntry is one --resolve value: connections to Host:Port go to Addr,
// as curl's --resolve does, without a DNS look-up.
type resolveEntry struct {
	host string
	port int
	addr string
}

// parseResolve reads HOST:PORT:ADDR values. ADDR is an IP address, an IPv6
// one in brackets or not.
func parseResolve(values []string) ([]resolveEntry, error) {
	var out []resolveEntry
	for _, v := range values {
		host, rest, ok := strings.Cut(v, ":")
		portText, addr, ok2 := strings.Cut(rest, ":")
		if !ok || !ok2 || host == "" {
			return nil, &UsageError{Err: fmt.Errorf("invalid --resolve %q: want HOST:PORT:ADDR", v), Hint: "for example --resolve scim.example.com:443:127.0.0.1"}
		}
		port, err := strconv.Atoi(portText)
		if err != nil || port < 1 || port > 65535 {
			return nil, &UsageError{Err: fmt.Errorf("invalid --resolve %q: port %q is not a number from 1 to 65535", v, portText), Hint: "for example --resolve scim.example.com:443:127.0.0.1"}
		}
		ip := net.ParseIP(strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]"))
		if ip == nil {
			return nil, &UsageError{Err: fmt.Errorf("invalid --resolve %q: %q is not an IP address", v, addr), Hint: "give the address the host should resolve to, such as 127.0.0.1 or [::1]"}
		}
		out = append(out, resolveEntry{host: strings.ToLower(host), port: port, addr: ip.String()})
	}
	return out, nil
}

// resolved returns the --resolve addresses of host:port, in the order
// given, or false when no entry names it.
func (run *runner) resolved(host string, port int) ([]string, bool) {
	var addrs []string
	for _, e := range run.resolves {
		if e.host == strings.ToLower(host) && e.port == port && !slices.Contains(addrs, e.addr) {
			addrs = append(addrs, e.addr)
		}
	}
	return addrs, len(addrs) > 0
}

// checkResolvesUsed rejects a --resolve entry that names neither the URL's
// host and port nor the origin's: it would be ignored, and the look-up the
// user meant to avoid would run.
func checkResolvesUsed(entries []resolveEntry, endpoint *Endpoint, originHost string, originPort int) error {
	for _, e := range entries {
		if e.host == strings.ToLower(endpoint.Host) && e.port == endpoint.Port {
			continue
		}
		if originHost != "" && e.host == strings.ToLower(originHost) && e.port == originPort {
			continue
		}
		used := endpoint.HostPort()
		if originHost != "" {
			used += " or " + net.JoinHostPort(originHost, strconv.Itoa(originPort))
		}
		return &UsageError{
			Err:  fmt.Errorf("--resolve %s:%d:%s matches no host of this check (%s), so it would be ignored", e.host, e.port, e.addr, used),
			Hint: "write the host and port exactly as in the URL or --origin, such as --resolve " + endpoint.HostPort() + ":127.0.0.1",
		}
	}
	return nil
}

// parseOrigin reads --origin HOST[:PORT]; the port defaults to 443.
func parseOrigin(value string) (host string, port int, err error) {
	if value == "" {
		return "", 0, nil
	}
	if strings.Count(value, "[") != strings.Count(value, "]") {
		return "", 0, &UsageError{Err: fmt.Errorf("invalid --origin %q: unbalanced brackets", value), Hint: "write an IPv6 origin in brackets with its port, such as [::1]:8443"}
	}
	h, p, splitErr := net.SplitHostPort(value)
	if splitErr != nil {
		h, p = strings.TrimSuffix(strings.TrimPrefix(value, "["), "]"), "443"
	}
	port, convErr := strconv.Atoi(p)
	if h == "" || convErr != nil || port < 1 || port > 65535 || strings.ContainsAny(h, "/?#@ ") {
		return "", 0, &UsageError{Err: fmt.Errorf("invalid --origin %q: want HOST:PORT of the server behind the load balancer or proxy", value), Hint: "for example --origin 10.0.0.12:8443, or an internal host name"}
	}
	return h, port, nil
}

// path compares the front end with the origin that --origin names,
// repeats the version probes per address for --repeat, and records what the
// HTTP headers show about an intermediary.
func (run *runner) path(ctx context.Context, addrs []string) {
	p := &report.Path{Front: run.frontEnd()}
	if run.anyTLSAnswer() {
		// A port that sent no TLS record would only make the twelve
		// fingerprint probes wait out timeouts.
		run.identify(ctx, &p.Front)
	}
	var originClues []string
	if r := run.report.HTTP; r != nil {
		p.Clues, originClues = httpClues(r)
	}
	if run.originHost != "" {
		origin := run.scanOrigin(ctx)
		p.Origin = &origin
		compareEnds(p)
	} else {
		p.Summary = fmt.Sprintf("no --origin given, so whether %s is the SCIM application or a load balancer, proxy or WAF in front of it is not known", p.Front.Address)
		if p.Front.Stack != "" {
			p.Summary += "; its TLS stack: " + p.Front.Stack
		}
		if len(p.Clues) > 0 {
			p.Summary += "; the response shows that an intermediary answered: " + strings.Join(p.Clues, "; ")
		} else {
			p.Summary += "; no response header names an intermediary, but many load balancers add none"
		}
		if len(originClues) > 0 {
			p.Summary += "; the response names " + strings.Join(originClues, "; ")
		}
	}
	if run.proxy != nil {
		p.Proxy = run.inspectProxy(ctx)
		p.Summary += "; " + proxyNote(p.Proxy)
		if p.Proxy.Intercepted {
			for i := range run.report.Verdicts {
				v := &run.report.Verdicts[i]
				v.Evidence = append(v.Evidence, "this check went through a proxy that re-signs TLS, so this verdict describes the proxy's certificate and settings, not the server's")
			}
		}
	}
	if run.opts.Repeat > 0 && run.anyTLSAnswer() {
		if run.proxy != nil {
			// Through a proxy the tunnel names the host, so the repeats go
			// to the same target as the other probes.
			addrs = nil
		}
		p.Repeats = run.repeatProbes(ctx, addrs)
		if differing := differingRepeats(p.Repeats); len(differing) > 0 {
			for i := range run.report.Verdicts {
				v := &run.report.Verdicts[i]
				if v.Connects {
					v.Evidence = append(v.Evidence, "this simulation reached a pool member that accepts the client, but repeated probes found another that does not ("+strings.Join(differing, "; ")+"), so the client fails on some connections")
				}
			}
		}
	}
	run.report.Path = p
	run.addPathLayer(p)
}

// frontEnd describes the box at the URL's address, from the version scan
// and the certificate layer.
func (run *runner) frontEnd() report.PathEnd {
	end := report.PathEnd{Address: run.addr, Versions: []string{}}
	if run.report.TLS != nil {
		for _, v := range run.report.TLS.Versions {
			if v.Accepted {
				end.Versions = append(end.Versions, v.Version)
			}
		}
	}
	if c := run.report.Certificate; c != nil && len(c.Chain) > 0 {
		end.LeafSHA256 = c.Chain[0].SHA256
	}
	return end
}

// scanOrigin runs the version scan and a certificate fetch on the origin,
// with the URL's host as SNI, as a proxy that forwards the host name does.
func (run *runner) scanOrigin(ctx context.Context) report.PathEnd {
	end := report.PathEnd{Address: net.JoinHostPort(run.originHost, strconv.Itoa(run.originPort)), Versions: []string{}}
	ip := ""
	if addrs, ok := run.resolved(run.originHost, run.originPort); ok {
		ip = addrs[0]
	} else {
		if net.ParseIP(run.originHost) != nil {
			ip = run.originHost
		} else {
			ips, err := run.lookup(ctx, run.originHost)
			if err != nil {
				end.Error = fmt.Sprintf("cannot resolve the origin %q: %s", run.originHost, describeDNSError(err))
				return end
			}
			ip = ips[0]
		}
	}
	addr := net.JoinHostPort(ip, strconv.Itoa(run.originPort))
	end.Address = addr

	if addr == run.addr {
		end.Error = "--origin names the same address as the URL; give the address of the server behind the load balancer or proxy"
		return end
	}
	scan := run.prober.Versions(ctx, addr, run.serverName())
	kinds := map[tlsprobe.Kind]int{}
	var last *tlsprobe.Result
	for _, v := range scan.Versions {
		r := v.Result
		if r == nil {
			continue
		}
		last = r
		kinds[r.Kind]++
		if r.Kind == tlsprobe.KindConnectFailed || r.Kind == tlsprobe.KindTimeout && r.Phase == "connect" {
			end.Error = "the origin did not accept a TCP connection (" + r.Describe() + "); check the address and that this machine can reach the origin"
			return end
		}
	}
	for _, v := range scan.Accepted() {
		end.Versions = append(end.Versions, v.String())
	}
	tlsAnswers := kinds[tlsprobe.KindServerHello] + kinds[tlsprobe.KindHelloRetryRequest] + kinds[tlsprobe.KindAlert] + kinds[tlsprobe.KindMalformed]
	switch {
	case tlsAnswers > 0:
	case kinds[tlsprobe.KindNotTLS] > 0:
		end.PlainHTTP = true
		return end
	case kinds[tlsprobe.KindTimeout] > 0:
		end.Error = fmt.Sprintf("the origin accepted TCP connections but answered no TLS hello within %s", run.opts.Timeout)
		return end
	default:
		end.Error = "the origin closed or reset every TLS hello"
		if last != nil {
			end.Error += " (" + last.Describe() + ")"
		}
		return end
	}
	run.identify(ctx, &end)
	run.extraConnections.Add(1)
	if chain, err := certcheck.Fetch(ctx, addr, run.serverName(), run.opts.Timeout); err == nil {
		end.LeafSHA256 = chain.Describe()[0].SHA256Fingerprint
	}
	return end
}

// compareEnds sets FixAt and Summary from the versions of front and origin.
func compareEnds(p *report.Path) {
	front, origin := p.Front, *p.Origin
	if origin.Error != "" {
		p.Summary = fmt.Sprintf("the origin %s could not be scanned: %s. Only the front end at %s was judged", origin.Address, origin.Error, front.Address)
		return
	}
	if origin.PlainHTTP {
		p.Summary = fmt.Sprintf("the origin at %s speaks plain HTTP, so the front end at %s ends TLS for it, and its settings are the ones the IdP meets", origin.Address, front.Address)
		if !slices.Contains(front.Versions, "TLS 1.2") {
			p.FixAt = "front"
			p.Summary += ": fix the load balancer or proxy, not the application"
		}
		return
	}
	modern := func(versions []string) bool {
		return slices.Contains(versions, "TLS 1.2") || slices.Contains(versions, "TLS 1.3")
	}
	frontOK, originOK := slices.Contains(front.Versions, "TLS 1.2"), slices.Contains(origin.Versions, "TLS 1.2")
	describe := func(versions []string) string {
		if len(versions) == 0 {
			return "no protocol version"
		}
		return strings.Join(versions, " and ")
	}
	switch {
	case !frontOK && originOK:
		p.FixAt = "front"
		p.Summary = fmt.Sprintf("the origin at %s offers %s; the front end at %s offers only %s: fix the load balancer or proxy, not the application",
			origin.Address, describe(origin.Versions), front.Address, describe(front.Versions))
	case frontOK && !originOK:
		p.FixAt = "origin"
		p.Summary = fmt.Sprintf("the front end at %s offers %s, but the origin at %s offers only %s: if the front end opens TLS to the origin, that connection fails; fix the origin",
			front.Address, describe(front.Versions), origin.Address, describe(origin.Versions))
	case !frontOK && !originOK:
		p.FixAt = "both"
		p.Summary = fmt.Sprintf("neither the front end at %s (%s) nor the origin at %s (%s) offers TLS 1.2: fix both, the origin first",
			front.Address, describe(front.Versions), origin.Address, describe(origin.Versions))
	case !slices.Equal(front.Versions, origin.Versions):
		p.Summary = fmt.Sprintf("the front end at %s offers %s and the origin at %s offers %s; both offer TLS 1.2, which Okta and Entra ID need",
			front.Address, describe(front.Versions), origin.Address, describe(origin.Versions))
	default:
		p.Summary = fmt.Sprintf("the front end at %s and the origin at %s offer the same versions (%s)", front.Address, origin.Address, describe(front.Versions))
	}
	if !modern(front.Versions) && !modern(origin.Versions) {
		return
	}
	if front.LeafSHA256 != "" && origin.LeafSHA256 != "" && front.LeafSHA256 != origin.LeafSHA256 {
		p.Summary += "; they send different certificates, so the front end terminates TLS itself rather than passing it through"
	}
	switch {
	case front.Fingerprint != "" && front.Fingerprint == origin.Fingerprint && front.LeafSHA256 == origin.LeafSHA256:
		p.Summary += "; the origin answers exactly like the front end (same certificate and TLS behaviour), so it may be the same box or pass TLS through"
	case front.Fingerprint != "" && origin.Fingerprint != "" && front.Fingerprint != origin.Fingerprint:
		p.Summary += fmt.Sprintf("; TLS stack of the front end: %s; of the origin: %s", front.Stack, origin.Stack)
	}
}

// repeatVersions are the versions --repeat sends again: the ones an IdP or
// an old client may use.
var repeatVersions = []tlsprobe.Version{tlsprobe.VersionTLS10, tlsprobe.VersionTLS11, tlsprobe.VersionTLS12, tlsprobe.VersionTLS13}

// repeatProbes sends the version probe of each of repeatVersions
// opts.Repeat times to every address, so that pool members that answer
// differently show, even when DNS or a load balancer hides them behind one
// address.
func (run *runner) repeatProbes(ctx context.Context, addrs []string) []report.Repeat {
	port := strconv.Itoa(run.endpoint.Port)
	targets := []string{run.addr}
	for _, ip := range addrs {
		if addr := net.JoinHostPort(ip, port); addr != run.addr {
			targets = append(targets, addr)
		}
	}
	base := map[string]string{}
	if run.report.TLS != nil {
		for _, v := range run.report.TLS.Versions {
			base[v.Version] = "rejected"
			if v.Accepted {
				base[v.Version] = "accepted"
			}
		}
	}
	var out []report.Repeat
	for _, addr := range targets {
		for _, v := range repeatVersions {
			rep := report.Repeat{Address: addr, Version: v.String(), Rounds: run.opts.Repeat}
			if addr == run.addr {
				rep.Base = base[v.String()]
			}
			counts := map[string]int{}
			var order []string
			for range run.opts.Repeat {
				r := run.prober.Probe(ctx, addr, tlsprobe.ModernHello(run.serverName(), []tlsprobe.Version{v}))
				answer := r.Describe()
				if r.Kind == tlsprobe.KindServerHello && r.Flight != nil && r.Flight.ServerHello != nil && r.Flight.ServerHello.Version == v {
					rep.Accepted++
					answer = "accepted"
				}
				if counts[answer] == 0 {
					order = append(order, answer)
				}
				counts[answer]++
			}
			for _, a := range order {
				rep.Answers = append(rep.Answers, fmt.Sprintf("%dx %s", counts[a], a))
			}
			out = append(out, rep)
		}
	}
	return out
}

// addPathLayer records the path layer: a failure when the comparison
// points at a box to fix or repeated probes disagree, else a pass.
func (run *runner) addPathLayer(p *report.Path) {
	var details []string
	if p.Origin != nil {
		details = append(details, fmt.Sprintf("front end %s: %s", p.Front.Address, versionList(p.Front.Versions)))
		switch {
		case p.Origin.Error != "":
			details = append(details, fmt.Sprintf("origin %s: %s", p.Origin.Address, p.Origin.Error))
		case p.Origin.PlainHTTP:
			details = append(details, fmt.Sprintf("origin %s: plain HTTP, no TLS", p.Origin.Address))
		default:
			details = append(details, fmt.Sprintf("origin %s: %s", p.Origin.Address, versionList(p.Origin.Versions)))
		}
	}
	status := report.StatusPass
	switch {
	case p.FixAt != "", p.Proxy != nil && p.Proxy.Intercepted:
		status = report.StatusFail
	case p.Origin != nil && p.Origin.Error != "":
		status = report.StatusWarn
	case p.Origin == nil && p.Proxy == nil:
		status = report.StatusSkip
	}
	if p.Proxy != nil {
		details = append(details, p.Proxy.Evidence...)
		if p.Proxy.DirectError != "" {
			details = append(details, "direct connection for the comparison: "+p.Proxy.DirectError)
		}
	}
	summary := p.Summary
	if differing := differingRepeats(p.Repeats); len(differing) > 0 {
		status = report.StatusFail
		summary += fmt.Sprintf("; repeated probes got different answers from the same address: the test passes sometimes because the members of a pool differ (%s)", strings.Join(differing, "; "))
	}
	for _, r := range p.Repeats {
		details = append(details, fmt.Sprintf("%s %s: accepted %d of %d (%s)", r.Address, r.Version, r.Accepted, r.Rounds, strings.Join(r.Answers, ", ")))
	}
	run.addLayer("path", status, summary, details...)
}

// differingRepeats names each address and version whose probes were
// accepted some times and not others, the version scan's own probe
// counted as one more round.
func differingRepeats(repeats []report.Repeat) []string {
	var out []string
	for _, r := range repeats {
		if report.RepeatDiffers(r) {
			accepted, rounds := r.Accepted, r.Rounds
			if r.Base != "" {
				rounds++
				if r.Base == "accepted" {
					accepted++
				}
			}
			out = append(out, fmt.Sprintf("%s accepted %s %d of %d times", r.Address, r.Version, accepted, rounds))
		}
	}
	return out
}

// identify fingerprints the TLS stack at end.Address with the fixed hello
// set of the fingerprint package (12 connections) and names the closest
// stack of its table.
func (run *runner) identify(ctx context.Context, end *report.PathEnd) {
	fp := fingerprint.Take(ctx, run.prober, end.Address, run.serverName())
	if fp.Conclusive() == 0 {
		return
	}
	end.Fingerprint = fp.Hash
	end.Stack = "not in the table of known stacks (" + fp.Summary + ")"
	if matches := fingerprint.Identify(fp); len(matches) > 0 {
		end.Stack = matches[0].String()
	}
}

// httpClues reads the response headers and cookie names for the boxes on
// the path, with the fingerprint package's table of products, and adds the
// forwarding headers that name no product. The first result lists the
// clues of intermediaries (load balancers, proxies, CDNs, WAFs), the second
// those of the origin server and its framework.
func httpClues(r *report.HTTP) (intermediaries, origin []string) {
	h := http.Header{}
	for name, value := range r.Headers {
		h.Set(name, value)
	}
	for _, name := range r.CookieNames {
		h.Add("Set-Cookie", name+"=")
	}
	seen := map[string]bool{}
	for _, c := range fingerprint.HTTPEvidence(h) {
		header, _, _ := strings.Cut(c.Evidence, ":")
		seen[strings.ToLower(header)] = true
		product := c.Product
		if product == "" || product == "unknown" {
			product = "a " + c.Role
		}
		clue := fmt.Sprintf("%s (%s)", c.Evidence, product)
		if c.Role == "origin server" || c.Role == "application framework" {
			origin = append(origin, clue)
		} else {
			intermediaries = append(intermediaries, clue)
		}
	}
	for _, header := range diagnose.Intermediary(r.Headers) {
		name, _, _ := strings.Cut(header, ":")
		if !seen[strings.ToLower(name)] {
			intermediaries = append(intermediaries, header)
		}
	}
	return intermediaries, origin
}

func versionList(versions []string) string {
	if len(versions) == 0 {
		return "no protocol version accepted"
	}
	return strings.Join(versions, ", ")
}

// anyTLSAnswer reports whether some version probe got a TLS record back. A
// port that sends none would only make the repeats wait out timeouts.
func (run *runner) anyTLSAnswer() bool {
	if run.scan == nil {
		return false
	}
	for _, v := range run.scan.Versions {
		if r := v.Result; r != nil {
			switch r.Kind {
			case tlsprobe.KindServerHello, tlsprobe.KindHelloRetryRequest, tlsprobe.KindAlert, tlsprobe.KindMalformed:
				return true
			}
		}
	}
	return false
}
