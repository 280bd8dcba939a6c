package check

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scimdoctor/scimdoctor/certcheck"
	"github.com/scimdoctor/scimdoctor/clients"
	"github.com/scimdoctor/scimdoctor/diagnose"
	"github.com/scimdoctor/scimdoctor/netpath"
	"github.com/scimdoctor/scimdoctor/report"
	"github.com/scimdoctor/scimdoctor/tlsprobe"
)

// DefaultClients are the profiles checked when the user names none.
var DefaultClients = []string{"okta", "entra"}

// Options configure one check.
type Options struct {
	URL string
	// Clients names the profiles to judge; empty means DefaultClients.
	Clients []string
	// Timeout bounds each connection (dial, hello, answer) and each DNS
	// look-up. Zero means 10 seconds.
	Timeout time.Duration
	// CACertFiles add PEM roots to every client's trust store, the way an
	// admin adds a private CA to an IdP agent's trust store.
	CACertFiles []string
	// Authorization is the value of the Authorization header of the HTTP
	// request, such as "Bearer abc"; empty sends none.
	Authorization string
	// Resolver resolves the host; nil means net.DefaultResolver.
	Resolver *net.Resolver
	// Prober sends the probes; nil means a Prober with Timeout and the
	// default per-host limit.
	Prober *tlsprobe.Prober
	// Tool is the name and version written into the report.
	Tool string
	// FailOn makes a finding of this severity or higher set ExitFindings;
	// empty means findings never change the exit code.
	FailOn report.Severity
	// Origin is HOST[:PORT] of the server behind a load balancer or proxy.
	// The check scans it with the same version probes and reports which
	// box to fix. Empty: no comparison.
	Origin string
	// Resolve lists HOST:PORT:ADDR overrides of DNS, as curl's --resolve:
	// connections to HOST:PORT, of the URL or of Origin, go to ADDR.
	Resolve []string
	// Repeat sends the version probes of TLS 1.0 to 1.3 this many more
	// times to every address, to catch pool members that treat them
	// differently. Zero: no repeat.
	Repeat int
	// Proxy is the --proxy URL. Empty means HTTPS_PROXY and NO_PROXY, read
	// with Getenv, as net/http does.
	Proxy string
	// Getenv reads the proxy variables; nil means os.Getenv.
	Getenv func(string) string
	// NoSCIM turns the SCIM layer off. Without it, once a client of okta
	// or entra completes the TLS handshake, check sends that IdP's
	// read-only SCIM requests (package conformance) with Authorization,
	// and a request the IdP would reject fails the client's verdict at
	// the scim layer.
	NoSCIM bool
	// SCIMUser is the userName of an existing user that the SCIM layer
	// looks up, read-only, as the IdPs match users. When it is empty, the
	// layer looks up only names that match nothing.
	SCIMUser string
}

// Run checks opts.URL layer by layer. It returns an error only for input the
// user must correct, as a *UsageError. An unreachable or broken target is a
// report with ExitUnreachable or ExitFindings, not an error.
func Run(ctx context.Context, opts Options) (*report.Report, error) {
	start := time.Now()
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	endpoint, err := ParseURL(opts.URL)
	if err != nil {
		return nil, err
	}
	profiles, err := loadProfiles(opts.Clients)
	if err != nil {
		return nil, err
	}
	roots, extraRoots, err := trustRoots(opts.CACertFiles)
	if err != nil {
		return nil, err
	}
	resolves, err := parseResolve(opts.Resolve)
	if err != nil {
		return nil, err
	}
	originHost, originPort, err := parseOrigin(opts.Origin)
	if err != nil {
		return nil, err
	}
	if err := checkResolvesUsed(resolves, endpoint, originHost, originPort); err != nil {
		return nil, err
	}
	if opts.Repeat < 0 || opts.Repeat > 100 {
		return nil, &UsageError{Err: fmt.Errorf("invalid --repeat %d: use 0 to 100", opts.Repeat), Hint: "5 rounds show most mixed pools"}
	}
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	proxy, err := netpath.ProxyFor(endpoint.HostPort(), opts.Proxy, getenv)
	if err != nil {
		hint := "fix or unset HTTPS_PROXY to connect directly, or give --proxy http://HOST:PORT"
		if opts.Proxy != "" {
			hint = "give --proxy http://HOST:PORT, or https:// for TLS to the proxy"
		}
		return nil, &UsageError{Err: err, Hint: hint}
	}
	prober := opts.Prober
	if prober == nil {
		prober = &tlsprobe.Prober{Timeout: opts.Timeout}
	}
	dial := certcheck.DialFunc((&net.Dialer{Timeout: opts.Timeout}).DialContext)
	if proxy != nil {
		// Every connection of the check goes through the proxy's CONNECT
		// tunnel, as the client behind that proxy would.
		dial = (&netpath.Dialer{Proxy: proxy, Timeout: opts.Timeout}).DialContext
		if prober.Dial == nil {
			prober.Dial = dial
		}
		ctx = certcheck.WithDial(ctx, dial)
	}
	connectionsBefore := prober.Connections()

	r := &report.Report{
		Schema:    report.Schema,
		Tool:      opts.Tool,
		Command:   "check",
		StartedAt: start.UTC(),
		Target:    report.Target{URL: opts.URL, Host: endpoint.Host, Port: endpoint.Port},
	}
	run := &runner{opts: opts, endpoint: endpoint, profiles: profiles, roots: roots, extraRoots: extraRoots, prober: prober, report: r,
		resolves: resolves, originHost: originHost, originPort: originPort, proxy: proxy, dial: dial}
	r.Layers = append(r.Layers, report.Layer{Name: "url", Status: report.StatusPass, Summary: endpoint.URL.String()})

	run.layers(ctx)

	diagnose.Diagnose(r)
	r.Findings = diagnose.Findings(r, time.Now())
	r.Connections = prober.Connections() - connectionsBefore + run.extraConnections.Load()
	r.Duration = time.Since(start)
	r.ExitCode = exitCode(r, run.unreachable)
	if r.ExitCode == report.ExitOK && diagnose.AtOrAbove(r.Findings, opts.FailOn) {
		r.ExitCode = report.ExitFindings
	}
	return r, nil
}

func exitCode(r *report.Report, unreachable bool) int {
	if unreachable {
		return report.ExitUnreachable
	}
	for _, v := range r.Verdicts {
		if !v.Connects {
			return report.ExitFindings
		}
	}
	// A pool whose members differ fails some connections of a client whose
	// simulation happened to reach a good member.
	for _, f := range r.Findings {
		if f.ID == "path.mixed_pool" {
			return report.ExitFindings
		}
	}
	return report.ExitOK
}

func loadProfiles(names []string) ([]*clients.Profile, error) {
	if len(names) == 0 {
		names = DefaultClients
	}
	profiles, err := clients.Select(names)
	if err != nil {
		return nil, &UsageError{Err: err, Hint: "separate several names with commas, as in --client okta,entra"}
	}
	return profiles, nil
}

// trustRoots returns the pool of the certificate layer, the Mozilla roots
// plus the given files, and the files' certificates, which every simulated
// client adds to its own store.
func trustRoots(files []string) (*x509.CertPool, []*x509.Certificate, error) {
	pool, err := certcheck.Roots(certcheck.StoreMozilla, files...)
	if err != nil {
		return nil, nil, &UsageError{Err: fmt.Errorf("invalid --cacert: %w", err), Hint: "give a PEM file with one or more CERTIFICATE blocks"}
	}
	var extra []*x509.Certificate
	for _, name := range files {
		certs, err := certcheck.ReadPEMCertificates(name)
		if err != nil {
			return nil, nil, &UsageError{Err: fmt.Errorf("invalid --cacert: %w", err), Hint: "give a PEM file with one or more CERTIFICATE blocks"}
		}
		extra = append(extra, certs...)
	}
	return pool, extra, nil
}

type runner struct {
	opts     Options
	endpoint *Endpoint
	profiles []*clients.Profile
	// roots is the store of the certificate layer: the Mozilla roots
	// plus --cacert.
	roots *x509.CertPool
	// extraRoots are the --cacert certificates, which each simulated
	// client adds to its own store.
	extraRoots []*x509.Certificate
	prober     *tlsprobe.Prober
	report     *report.Report
	// resolves are the --resolve overrides.
	resolves []resolveEntry
	// originHost and originPort are --origin, or "" and 0.
	originHost string
	originPort int
	// proxy is the outbound proxy, or nil for direct connections, and dial
	// opens every connection that does not go through the prober.
	proxy *netpath.Proxy
	dial  certcheck.DialFunc

	// addr is the ip:port that accepted a TCP connection.
	addr string
	// scan is the version scan, kept for the certificate layer's fallback.
	scan *tlsprobe.VersionScan
	// unreachable is set when DNS or TCP failed for every address.
	unreachable bool
	// extraConnections counts connections not made through prober.
	extraConnections atomic.Int64
	// httpFailure is set when the HTTP layer fails for every client that
	// passes TLS.
	httpFailure *httpFailure

	mu sync.Mutex // guards report.Layers while layers run at once
}

func (run *runner) layers(ctx context.Context) {
	var addrs []string
	if run.proxy != nil {
		if !run.connectViaProxy(ctx) {
			return
		}
	} else {
		var ok bool
		addrs, ok = run.resolve(ctx)
		if !ok {
			return
		}
		if !run.connect(ctx, addrs) {
			return
		}
	}
	run.scanVersions(ctx)

	// The simulations, the certificate fetch and the HTTP request are
	// independent, so they run at once. Against a silent server, the run
	// then waits out the timeout once for all three.
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); run.simulate(ctx) }()
	go func() { defer wg.Done(); run.certificate(ctx) }()
	go func() { defer wg.Done(); run.http(ctx) }()
	wg.Wait()
	scimClients := run.scimClients()
	if run.httpFailure != nil {
		run.failHTTP(run.httpFailure)
	}
	run.scim(ctx, scimClients)
	run.path(ctx, addrs)
	sort.SliceStable(run.report.Layers, func(i, j int) bool {
		return layerOrder[run.report.Layers[i].Name] < layerOrder[run.report.Layers[j].Name]
	})
}

// layerOrder is the order in which layers appear in a report.
var layerOrder = map[string]int{"url": 0, "dns": 1, "tcp": 2, "tls": 3, "clients": 4, "certificate": 5, "http": 6, "scim": 7, "path": 8}

// serverName is the SNI scimdoctor's own probes send: the URL's host, unless
// it is an IP literal.
func (run *runner) serverName() string {
	if run.endpoint.IsIP {
		return ""
	}
	return run.endpoint.Host
}

func (run *runner) addLayer(name string, status report.Status, summary string, details ...string) {
	run.mu.Lock()
	defer run.mu.Unlock()
	run.report.Layers = append(run.report.Layers, report.Layer{Name: name, Status: status, Summary: summary, Details: details})
}

// failAll records the same early failure (DNS or TCP) for every profile,
// with each profile's own log line.
func (run *runner) failAll(class, layer string, values map[string]string, evidence ...string) {
	for _, p := range run.profiles {
		exception, message := p.ErrorText(class, values)
		run.report.Verdicts = append(run.report.Verdicts, report.Verdict{
			Client:         p.Name,
			Display:        p.Display,
			Confidence:     p.Confidence,
			Source:         p.Source,
			Class:          class,
			Layer:          layer,
			LogLine:        p.JoinLogLine(exception, message),
			Message:        message,
			Evidence:       evidence,
			ClientVersions: clients.VersionNames(p.Versions()),
		})
	}
}

func (run *runner) resolve(ctx context.Context) ([]string, bool) {
	if run.endpoint.IsIP {
		run.addLayer("dns", report.StatusPass, "host is an IP address; no look-up needed")
		run.report.Target.Addresses = []string{run.endpoint.Host}
		return []string{run.endpoint.Host}, true
	}

	if addrs, ok := run.resolved(run.endpoint.Host, run.endpoint.Port); ok {
		run.addLayer("dns", report.StatusPass, fmt.Sprintf("%s resolved by --resolve to %s; no DNS look-up", run.endpoint.Host, strings.Join(addrs, ", ")))
		run.report.Target.Addresses = addrs
		return addrs, true
	}

	addrs, err := run.lookup(ctx, run.endpoint.Host)
	if err != nil {
		reason := describeDNSError(err)
		run.addLayer("dns", report.StatusFail, fmt.Sprintf("cannot resolve %q: %s", run.endpoint.Host, reason))
		run.failAll(clients.ClassDNSFailure, "dns", map[string]string{"host": run.endpoint.Host, "url": run.endpoint.URL.String(), "port": strconv.Itoa(run.endpoint.Port)}, fmt.Sprintf("the look-up of %s failed: %s", run.endpoint.Host, reason))
		run.unreachable = true
		return nil, false
	}

	run.report.Target.Addresses = addrs
	run.addLayer("dns", report.StatusPass, fmt.Sprintf("%s resolves to %s", run.endpoint.Host, strings.Join(addrs, ", ")))
	return addrs, true
}

// lookup resolves host with the configured resolver, IPv4 first as Java
// does by default (java.net.preferIPv6Addresses=false).
func (run *runner) lookup(ctx context.Context, host string) ([]string, error) {
	resolver := run.opts.Resolver
	if resolver == nil {
		resolver = net.DefaultResolver
	}
	lookupCtx, cancel := context.WithTimeout(ctx, run.opts.Timeout)
	defer cancel()
	ips, err := resolver.LookupIPAddr(lookupCtx, host)
	if err != nil {
		return nil, err
	}
	if len(ips) == 0 {
		return nil, &net.DNSError{Err: "no addresses", Name: host}
	}
	sort.SliceStable(ips, func(i, j int) bool { return ips[i].IP.To4() != nil && ips[j].IP.To4() == nil })
	addrs := make([]string, len(ips))
	for i, ip := range ips {
		addrs[i] = ip.IP.String()
	}
	return addrs, nil
}

func describeDNSError(err error) string {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		switch {
		case dnsErr.IsNotFound:
			return "no such host"
		case dnsErr.IsTimeout:
			return "the DNS server did not answer in time"
		}
		return dnsErr.Err
	}
	return err.Error()
}
