// Package tlsscan runs `scimdoctor tls`: a full TLS scan of one host and
// port without the SCIM layer. It lists the protocol versions, cipher suites,
// named groups and signature algorithms the server accepts, its TLS
// features, its certificate
// chain, its handling of SNI and of clients without a certificate, and the
// findings that matter for Okta and Entra ID.
package tlsscan

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/scimdoctor/scimdoctor/certcheck"
	"github.com/scimdoctor/scimdoctor/clients"
	"github.com/scimdoctor/scimdoctor/diagnose"
	"github.com/scimdoctor/scimdoctor/report"
	"github.com/scimdoctor/scimdoctor/tlsprobe"
	"github.com/scimdoctor/scimdoctor/tlsprobe/registry"
)

// Schema names the JSON layout of Result. Fields within one schema version
// are only ever added.
const Schema = "scimdoctor.tls/v1"

// DefaultTimeout bounds each connection and DNS look-up when
// Options.Timeout is 0.
const DefaultTimeout = 10 * time.Second

// DefaultMaxConnsPerHost is the number of connections open at once to the
// target when Options.MaxConnsPerHost is 0.
const DefaultMaxConnsPerHost = 4

// clientAuthPath is the request path of the client-certificate handshakes.
const clientAuthPath = "/"

// Options selects the target and tunes the scan.
type Options struct {
	// Target is "host", "host:port", "[::1]:8443" or an https:// URL, of
	// which only the host and port count. The port defaults to 443.
	Target string
	// ServerName is the SNI of the probes and the name the certificate is
	// checked against. Empty means the target host, or no SNI when the
	// host is an IP literal.
	ServerName string
	// Timeout bounds each connection and the DNS look-up (default 10s).
	Timeout time.Duration
	// MaxConnsPerHost is the number of connections open at once to the
	// target (default 4). With 1 every step runs after the other.
	// NOTE: there is no pause between connections, so 1 limits
	// concurrency but not the connection rate.
	MaxConnsPerHost int
	// Interval is the minimum time between the starts of two connections
	// (default 0). With MaxConnsPerHost 1 it makes a polite scan.
	Interval time.Duration
	// CACertFiles are PEM files of extra trusted roots, added to every
	// client's trust store.
	CACertFiles []string
	// JavaCACerts is the Java key store (JKS, JCEKS or PKCS#12) that the
	// Java client profiles trust and the "java" trust check uses. Empty
	// means the cacerts of the JDK installed here, if any.
	JavaCACerts string
	// FetchAIA downloads missing issuers from the AIA caIssuers URLs of the
	// chain (http:// only), to learn whether they complete it. Without it
	// the URLs are listed but not fetched.
	FetchAIA bool
	// Clients names the client profiles to simulate; empty means all
	// built-in profiles (clients.Names).
	Clients []string
	// Resolver looks the host up (default net.DefaultResolver).
	Resolver Resolver
	// FailOn makes findings of this severity or higher set ExitCode to
	// report.ExitFindings. Empty: findings never do.
	FailOn report.Severity
}

// Result is the outcome of one scan, ready for JSON.
type Result struct {
	Schema string `json:"schema"`
	// Target is Options.Target as given.
	Target     string `json:"target"`
	Host       string `json:"host"`
	Port       int    `json:"port"`
	ServerName string `json:"server_name,omitempty"`
	// FromURL reports that Target was an https:// URL, of which the scan
	// took only the host and port.
	FromURL bool `json:"from_url,omitempty"`
	// Addresses lists every address the host resolved to, IPv4 first.
	Addresses []string `json:"addresses,omitempty"`
	// Address is the address scanned: the first that accepted a TCP
	// connection, as "ip:port".
	Address string `json:"address,omitempty"`
	// Unreachable reports that the host did not resolve or no address
	// accepted a TCP connection. Error then gives the reason, and no TLS step ran.
	Unreachable bool   `json:"unreachable"`
	Error       string `json:"error,omitempty"`

	Versions []VersionState `json:"versions"`
	Suites   []SuiteList    `json:"suites"`
	Groups   []GroupList    `json:"groups"`
	// SignatureAlgorithms has one entry each for TLS 1.2 and TLS 1.3 when
	// the server accepts that version.
	SignatureAlgorithms []SigAlgList       `json:"signature_algorithms"`
	Features            *tlsprobe.Features `json:"features,omitempty"`
	Certificate         *Certificate       `json:"certificate,omitempty"`
	// OtherCertificates are chains with another leaf that the server sent
	// at some versions, seen in the Certificate messages of TLS 1.2-or-older
	// probes.
	OtherCertificates []*Certificate          `json:"other_certificates,omitempty"`
	SNI               *certcheck.SNIBehaviour `json:"sni,omitempty"`
	ClientAuth        *certcheck.ClientAuth   `json:"client_auth,omitempty"`
	// Clients holds the verdict of each simulated client, past the
	// ServerHello: version range, suites, certificate policy, trust store,
	// host name and client-certificate request.
	Clients []report.Verdict `json:"clients"`
	// Skipped lists the steps the scan left out, with the reason.
	Skipped []string `json:"skipped,omitempty"`
	// AddressScans compares every address of the host when it has more
	// than one; the first entry is Address.
	AddressScans []AddressScan    `json:"address_scans,omitempty"`
	Findings     []report.Finding `json:"findings"`

	// Connections counts the TCP connections the scan opened.
	Connections int64         `json:"connections"`
	Duration    time.Duration `json:"duration_ns"`
	ExitCode    int           `json:"exit_code"`
}

// VersionState is the verdict for one protocol version.
type VersionState struct {
	Version  string `json:"version"`
	Accepted bool   `json:"accepted"`
	// Answer describes the deciding probe's outcome, such as
	// "fatal alert protocol_version (70)".
	Answer string `json:"answer"`
	// Kind is the deciding probe's tlsprobe.Kind.
	Kind string `json:"kind"`
	// Confirmed reports that a rejection held for a second, maximal hello.
	Confirmed bool `json:"confirmed,omitempty"`
	// Alert is the RFC name of the alert of the deciding probe, if any.
	Alert string `json:"alert,omitempty"`
	// Chosen is the version the deciding probe's ServerHello chose, when
	// the server sent one, such as "TLS 1.1" for a TLS 1.2 hello that an
	// older server answered with its own highest version.
	Chosen string `json:"chosen,omitempty"`
}

// SuiteList is the outcome of the cipher suite scan of one version.
type SuiteList struct {
	Version string `json:"version"`
	// Suites are in the server's preference order when ServerOrder is
	// true, else in the order the scan found them.
	Suites      []Suite `json:"suites"`
	ServerOrder bool    `json:"server_order"`
	// ChaChaWhenClientPrefers reports a server order with one exception:
	// a client that lists ChaCha20-Poly1305 before AES-GCM gets ChaCha20.
	ChaChaWhenClientPrefers bool `json:"chacha_when_client_prefers,omitempty"`
	// Error is set when the scan stopped early; Suites then lists what was
	// found before.
	Error string `json:"error,omitempty"`
	// Probes counts the connections of this scan.
	Probes int `json:"probes"`
}

// Suite is one cipher suite.
type Suite struct {
	// ID is the IANA code point in hex, such as "0xc02f".
	ID string `json:"id"`
	// Name is the IANA name.
	Name string `json:"name"`
	// Strength is the registry's class: strong, acceptable, weak or
	// insecure.
	Strength registry.Strength `json:"strength,omitempty"`
}

// GroupList is the outcome of the named group scan of one version.
type GroupList struct {
	Version string   `json:"version"`
	Groups  []string `json:"groups"`
	// Preferred is the group the server picks among all it accepts.
	Preferred   string `json:"preferred,omitempty"`
	ServerOrder bool   `json:"server_order"`
	Error       string `json:"error,omitempty"`
	// Probes counts the connections of this scan.
	Probes int `json:"probes"`
}

// SigAlgList is the outcome of the signature algorithm scan of one version:
// the schemes the server signs its handshake with when offered only that
// scheme. The certificate key limits them, so an RSA key gives only rsa_*
// schemes.
type SigAlgList struct {
	Version string `json:"version"`
	// Schemes are IANA names in code point order.
	Schemes []string `json:"schemes"`
	Error   string   `json:"error,omitempty"`
	// Probes counts the connections of this scan.
	Probes int `json:"probes"`
}

// Run scans opts.Target. It returns an error only for a usage problem, a
// *UsageError. An unresolvable or unreachable target gives a Result with
// Unreachable set and ExitCode report.ExitUnreachable.
func Run(ctx context.Context, opts Options) (*Result, error) {
	start := time.Now()
	t, err := parseTarget(opts.Target)
	if err != nil {
		return nil, err
	}
	if err := checkServerName(opts.ServerName); err != nil {
		return nil, err
	}
	roots, err := certcheck.Roots(certcheck.StoreMozilla, opts.CACertFiles...)
	if err != nil {
		return nil, &UsageError{Err: fmt.Errorf("invalid --cacert: %w", err), Hint: "give a PEM file with one or more CERTIFICATE blocks"}
	}
	var extraRoots []*x509.Certificate
	for _, name := range opts.CACertFiles {
		certs, err := certcheck.ReadPEMCertificates(name)
		if err != nil {
			return nil, &UsageError{Err: fmt.Errorf("invalid --cacert: %w", err), Hint: "give a PEM file with one or more CERTIFICATE blocks"}
		}
		extraRoots = append(extraRoots, certs...)
	}
	if opts.JavaCACerts != "" {
		if _, _, err := certcheck.JavaRoots(opts.JavaCACerts); err != nil {
			return nil, &UsageError{Err: fmt.Errorf("invalid --java-cacerts: %w", err), Hint: "keytool -list -keystore FILE shows whether Java can read the file"}
		}
	}
	profiles := clients.All()
	if len(opts.Clients) > 0 {
		profiles, err = clients.Select(opts.Clients)
		if err != nil {
			return nil, &UsageError{Err: err, Hint: "separate several names with commas, as in --client okta,entra"}
		}
	}
	if opts.Resolver == nil {
		opts.Resolver = net.DefaultResolver
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxConnsPerHost <= 0 {
		opts.MaxConnsPerHost = DefaultMaxConnsPerHost
	}
	serverName := opts.ServerName
	if serverName == "" && !t.isIP {
		serverName = t.host
	}

	s := &scanner{
		opts:       opts,
		target:     t,
		serverName: serverName,
		roots:      roots,
		extraRoots: extraRoots,
		profiles:   profiles,
		result: &Result{
			Schema: Schema, Target: opts.Target, Host: t.host, Port: t.port, ServerName: serverName, FromURL: t.fromURL,
			Versions: []VersionState{}, Suites: []SuiteList{}, Groups: []GroupList{},
			SignatureAlgorithms: []SigAlgList{}, Clients: []report.Verdict{}, Findings: []report.Finding{},
		},
	}
	s.run(ctx)

	r := s.result
	r.Findings = append(r.Findings, findings(r, s.entraSuites)...)
	r.Findings = append(r.Findings, addressFindings(r)...)
	r.Findings = append(r.Findings, fipsFindings(r)...)
	r.Findings = append(r.Findings, clientFindings(r)...)
	diagnose.SortBySeverity(r.Findings)
	r.Connections = s.connections()
	r.Duration = time.Since(start)
	switch {
	case r.Unreachable:
		r.ExitCode = report.ExitUnreachable
	case diagnose.AtOrAbove(r.Findings, opts.FailOn):
		r.ExitCode = report.ExitFindings
	default:
		r.ExitCode = report.ExitOK
	}
	return r, nil
}

// scanner carries the state of one Run.
type scanner struct {
	opts       Options
	target     target
	serverName string
	roots      *x509.CertPool
	// extraRoots are the --cacert certificates, which every trust store
	// and simulated client adds to its own roots.
	extraRoots []*x509.Certificate
	// aia is the result of --fetch-aia for the main chain, or nil.
	aia *certcheck.AIAResult
	// chain is the main chain of the certificate step, or nil.
	chain    *certcheck.Chain
	profiles []*clients.Profile
	result   *Result

	// prober opens the raw probes; it is nil until the target accepted a TCP connection.
	prober *tlsprobe.Prober
	// direct counts connections made outside prober: the TCP check and
	// the crypto/tls handshakes of certcheck.
	direct atomic.Int64
	// entraSuites reports, for the findings, whether the TLS 1.2 suite scan
	// found one of Entra ID's suites: nil when unknown.
	entraSuites *bool
}

func (s *scanner) connections() int64 {
	n := s.direct.Load()
	if s.prober != nil {
		n += s.prober.Connections()
	}
	return n
}

func (s *scanner) run(ctx context.Context) {
	addrs, ok := s.resolve(ctx)
	if !ok {
		return
	}
	addr, ok := s.connect(ctx, addrs)
	if !ok {
		return
	}
	// The system and Java stores take milliseconds to parse, so they load
	// while the first probes run; both are cached for the later steps.
	go func() {
		certcheck.Roots(certcheck.StoreSystem)
		if s.opts.JavaCACerts == "" {
			certcheck.JavaRoots("")
		}
	}()

	// The certificate, SNI and client-certificate steps make crypto/tls
	// connections that the Prober's per-host limit does not see. They run
	// in one goroutine, one connection at a time, next to the raw probes,
	// which then get one slot fewer. With a limit of 1 they run last.
	probeLimit := s.opts.MaxConnsPerHost
	concurrentSide := probeLimit > 1
	if concurrentSide {
		probeLimit--
	}
	s.prober = &tlsprobe.Prober{Timeout: s.opts.Timeout, MaxConnsPerHost: probeLimit, Interval: s.opts.Interval}

	versions := s.prober.Versions(ctx, addr, s.serverName)
	s.recordVersions(versions)
	accepted := versions.Accepted()
	if !anyTLSRecord(s.result) {
		s.scanSilentPort(ctx, addr)
		return
	}

	if !concurrentSide {
		s.scanSuitesGroupsFeatures(ctx, addr, accepted)
		s.certificate(ctx, addr, versions)
		s.simulate(ctx, addr, probeLimit)
		s.trust()
		s.sni(ctx, addr, accepted)
		s.clientAuth(ctx, addr)
	} else {
		// The simulations need the chain and what --fetch-aia fetched for
		// it, so the certificate step ends before they start.
		var side sync.WaitGroup
		certificateDone := make(chan struct{})
		side.Add(1)
		go func() {
			defer side.Done()
			s.certificate(ctx, addr, versions)
			close(certificateDone)
			s.trust()
			s.sni(ctx, addr, accepted)
			s.clientAuth(ctx, addr)
		}()

		// The simulations share the prober's slots with the suite, group
		// and signature scans, and fill the slots that the longest of those
		// scans leaves idle at its end.
		var scans sync.WaitGroup
		scans.Add(1)
		go func() { defer scans.Done(); s.scanSuitesGroupsFeatures(ctx, addr, accepted) }()
		<-certificateDone
		s.simulate(ctx, addr, probeLimit)
		scans.Wait()
		side.Wait()
	}
	// The address comparison needs the certificate, so it runs last.
	s.scanAddresses(ctx, addr, versions)
}

// scanSilentPort finishes the scan of a port that sent no TLS record to any
// version probe: it reset, closed, timed out or spoke another protocol. The
// certificate, SNI and client-certificate steps would only repeat that at
// the cost of a timeout each, so they are skipped, and only the identity
// providers are simulated, for the line each would log, unless the caller
// named the clients.
func (s *scanner) scanSilentPort(ctx context.Context, addr string) {
	s.result.Skipped = append(s.result.Skipped,
		"certificate, SNI and client-certificate steps: no version probe got a TLS record back")
	if len(s.opts.Clients) == 0 {
		var idps []*clients.Profile
		for _, p := range s.profiles {
			if p.Kind == clients.KindIdP {
				idps = append(idps, p)
			}
		}
		s.profiles = idps
		s.result.Skipped = append(s.result.Skipped, "runtime client simulations: only the identity providers were simulated; name others with --client")
	}
	s.simulate(ctx, addr, s.prober.MaxConnsPerHost)
}

// resolve looks the host up, IPv4 first as Java does by default.
func (s *scanner) resolve(ctx context.Context) ([]string, bool) {
	if s.target.isIP {
		s.result.Addresses = []string{s.target.host}
		return s.result.Addresses, true
	}
	lookupCtx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	ips, err := s.opts.Resolver.LookupIPAddr(lookupCtx, s.target.host)
	if err != nil || len(ips) == 0 {
		reason := "no addresses"
		if err != nil {
			reason = err.Error()
		}
		s.result.Unreachable = true
		s.result.Error = fmt.Sprintf("cannot resolve %q: %s", s.target.host, reason)
		return nil, false
	}
	sort.SliceStable(ips, func(i, j int) bool { return ips[i].IP.To4() != nil && ips[j].IP.To4() == nil })
	for _, ip := range ips {
		s.result.Addresses = append(s.result.Addresses, ip.IP.String())
	}
	return s.result.Addresses, true
}

// connect returns the first address that accepts a TCP connection. A reset
// right after the TCP handshake counts as reachable, because the TLS probes
// then show how the port treats a hello.
func (s *scanner) connect(ctx context.Context, addrs []string) (string, bool) {
	port := fmt.Sprint(s.target.port)
	var failures []string
	for _, ip := range addrs {
		addr := net.JoinHostPort(ip, port)
		dialer := net.Dialer{Timeout: s.opts.Timeout}
		s.direct.Add(1)
		conn, err := dialer.DialContext(ctx, "tcp", addr)
		if err == nil {
			conn.Close()
			s.result.Address = addr
			return addr, true
		}
		if errors.Is(err, syscall.ECONNRESET) {
			s.result.Address = addr
			return addr, true
		}
		failures = append(failures, fmt.Sprintf("%s: %v", addr, err))
	}
	s.result.Unreachable = true
	s.result.Error = "no address accepts TCP connections: " + strings.Join(failures, "; ")
	return "", false
}

func (s *scanner) recordVersions(scan *tlsprobe.VersionScan) {
	for _, v := range scan.Versions {
		state := VersionState{Version: v.Version.String(), Accepted: v.Accepted, Confirmed: v.Confirmed}
		if v.Result != nil {
			state.Answer = v.Result.Describe()
			state.Kind = string(v.Result.Kind)
			if f := v.Result.Flight; f != nil && f.ServerHello != nil {
				state.Chosen = f.ServerHello.Version.String()
			}
			if a := v.Result.Alert; a != nil {
				state.Alert = a.Description.String()
			}
		}
		s.result.Versions = append(s.result.Versions, state)
	}
}

// scanSuitesGroupsFeatures runs the suite scan of each accepted version
// from SSL 3.0, the group scan of TLS 1.3 and of the newest accepted version
// from TLS 1.0 to 1.2, the signature algorithm scan of TLS 1.2 and TLS 1.3
// when accepted, and the feature checks. All run at once within the
// Prober's per-host limit.
//
// TLS 1.0 to 1.2 share one group list in OpenSSL, Go, SChannel and JSSE, so
// the older versions are not scanned again when a newer one is. That saves
// about seven connections per version, each a signed handshake.
func (s *scanner) scanSuitesGroupsFeatures(ctx context.Context, addr string, accepted []tlsprobe.Version) {
	var suiteVersions, groupVersions, sigAlgVersions []tlsprobe.Version
	var newestLegacy tlsprobe.Version
	for _, v := range accepted {
		if v >= tlsprobe.VersionSSL30 {
			suiteVersions = append(suiteVersions, v)
		}
		if v >= tlsprobe.VersionTLS10 && v <= tlsprobe.VersionTLS12 && v > newestLegacy {
			newestLegacy = v
		}
		if v == tlsprobe.VersionTLS13 {
			groupVersions = append(groupVersions, v)
		}
		if v == tlsprobe.VersionTLS12 || v == tlsprobe.VersionTLS13 {
			sigAlgVersions = append(sigAlgVersions, v)
		}
	}
	if newestLegacy != 0 {
		groupVersions = append([]tlsprobe.Version{newestLegacy}, groupVersions...)
		for _, v := range accepted {
			if v >= tlsprobe.VersionTLS10 && v < newestLegacy {
				s.result.Skipped = append(s.result.Skipped, fmt.Sprintf("%s groups: not scanned apart from %s, whose list servers apply to TLS 1.0 to 1.2 alike", v, newestLegacy))
			}
		}
	}
	suites := make([]*tlsprobe.SuiteScan, len(suiteVersions))
	groups := make([]*tlsprobe.GroupScan, len(groupVersions))
	sigAlgs := make([]*tlsprobe.SigAlgScan, len(sigAlgVersions))
	var features *tlsprobe.Features

	var wg sync.WaitGroup
	for i, v := range suiteVersions {
		wg.Add(1)
		go func() { defer wg.Done(); suites[i] = s.prober.Suites(ctx, addr, s.serverName, v) }()
	}
	for i, v := range groupVersions {
		wg.Add(1)
		go func() { defer wg.Done(); groups[i] = s.prober.Groups(ctx, addr, s.serverName, v) }()
	}
	for i, v := range sigAlgVersions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sigAlgs[i] = s.prober.SignatureAlgorithms(ctx, addr, s.serverName, v)
		}()
	}
	if len(suiteVersions) > 0 {
		wg.Add(1)
		go func() { defer wg.Done(); features = s.prober.Features(ctx, addr, s.serverName, accepted) }()
	}
	wg.Wait()

	for _, scan := range suites {
		s.result.Suites = append(s.result.Suites, suiteList(scan))
		if scan.Version == tlsprobe.VersionTLS12 {
			s.entraSuites = offersEntraSuite(scan)
		}
	}
	for _, scan := range groups {
		s.result.Groups = append(s.result.Groups, groupList(scan))
	}
	for _, scan := range sigAlgs {
		s.result.SignatureAlgorithms = append(s.result.SignatureAlgorithms, sigAlgList(scan))
	}
	s.result.Features = features
}

func suiteList(scan *tlsprobe.SuiteScan) SuiteList {
	list := SuiteList{Version: scan.Version.String(), Suites: []Suite{}, ServerOrder: scan.ServerOrder,
		ChaChaWhenClientPrefers: scan.ChaChaWhenClientPrefers, Error: scan.Err, Probes: scan.Probes}
	for _, id := range scan.Accepted {
		info, _ := registry.Suite(id)
		list.Suites = append(list.Suites, Suite{ID: fmt.Sprintf("0x%04x", id), Name: registry.SuiteName(id), Strength: info.Strength})
	}
	return list
}

func groupList(scan *tlsprobe.GroupScan) GroupList {
	list := GroupList{Version: scan.Version.String(), Groups: []string{}, ServerOrder: scan.ServerOrder, Error: scan.Err, Probes: scan.Probes}
	for _, id := range scan.Accepted {
		list.Groups = append(list.Groups, registry.GroupName(id))
	}
	if scan.Preferred != 0 {
		list.Preferred = registry.GroupName(scan.Preferred)
	}
	return list
}

func sigAlgList(scan *tlsprobe.SigAlgScan) SigAlgList {
	list := SigAlgList{Version: scan.Version.String(), Schemes: []string{}, Error: scan.Err, Probes: scan.Probes}
	for _, id := range scan.Accepted {
		list.Schemes = append(list.Schemes, registry.SchemeName(id))
	}
	return list
}

// sni probes the server with the host name, without SNI and with another
// name, at the versions the version scan accepted, so that a TLS 1.0-only
// server is judged at TLS 1.0.
func (s *scanner) sni(ctx context.Context, addr string, accepted []tlsprobe.Version) {
	host := s.serverName
	if host == "" {
		host = s.target.host
	}
	behaviour := certcheck.ProbeSNIAt(ctx, s.prober, addr, host, accepted, s.opts.Timeout)
	if len(accepted) == 0 {
		// ProbeSNIAt explains an empty version list as a caller's
		// mistake; here it means the version scan found none.
		behaviour.Summary = "not probed: the server accepted no protocol version in the version scan, so no ClientHello with or without SNI was sent"
		for i := range behaviour.Results {
			behaviour.Results[i].Outcome = "not probed"
		}
	}
	// ProbeSNI completes a crypto/tls handshake for each variant whose raw
	// hello the server accepted. Those variants end in a certificate or in
	// a handshake failure after acceptance, so they are counted here.
	// NOTE: a handshake whose dial failed is counted too, so the count
	// can be one high per such variant.
	for _, r := range behaviour.Results {
		if r.Completed() || strings.HasPrefix(r.Outcome, sniHandshakePrefix) {
			s.direct.Add(1)
		}
	}
	s.result.SNI = behaviour
}

// sniHandshakePrefix starts the SNIResult.Outcome of a variant whose
// crypto/tls handshake failed after the raw probe succeeded.
const sniHandshakePrefix = "handshake failed after"

func (s *scanner) clientAuth(ctx context.Context, addr string) {
	auth := certcheck.ProbeClientAuth(ctx, s.prober, addr, s.serverName, clientAuthPath, s.opts.Timeout)
	// ProbeClientAuth always tries a TLS 1.3 handshake, and a TLS 1.2
	// handshake when the raw TLS 1.2 probe was accepted.
	s.direct.Add(1)
	for _, v := range auth.Versions {
		if v.Version == tlsprobe.VersionTLS12 {
			s.direct.Add(1)
		}
	}
	s.result.ClientAuth = auth
}
