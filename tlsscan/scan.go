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
	// CACertFiles are PEM files of extra trusted roots, added to the
	// Mozilla roots.
	CACertFiles []string
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
	SignatureAlgorithms []SigAlgList            `json:"signature_algorithms"`
	Features            *tlsprobe.Features      `json:"features,omitempty"`
	Certificate         *Certificate            `json:"certificate,omitempty"`
	SNI                 *certcheck.SNIBehaviour `json:"sni,omitempty"`
	ClientAuth          *certcheck.ClientAuth   `json:"client_auth,omitempty"`
	Findings            []report.Finding        `json:"findings"`

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
}

// SuiteList is the outcome of the cipher suite scan of one version.
type SuiteList struct {
	Version string `json:"version"`
	// Suites are in the server's preference order when ServerOrder is
	// true, else in the order the scan found them.
	Suites      []Suite `json:"suites"`
	ServerOrder bool    `json:"server_order"`
	// Error is set when the scan stopped early; Suites then lists what was
	// found before.
	Error string `json:"error,omitempty"`
}

// Suite is one cipher suite.
type Suite struct {
	// ID is the IANA code point in hex, such as "0xc02f".
	ID string `json:"id"`
	// Name is the IANA name.
	Name string `json:"name"`
}

// GroupList is the outcome of the named group scan of one version.
type GroupList struct {
	Version string   `json:"version"`
	Groups  []string `json:"groups"`
	// Preferred is the group the server picks among all it accepts.
	Preferred   string `json:"preferred,omitempty"`
	ServerOrder bool   `json:"server_order"`
	Error       string `json:"error,omitempty"`
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
}

// Certificate is the chain the server sent and the problems a client with
// the Mozilla roots (plus Options.CACertFiles) would have with it.
type Certificate struct {
	// Source is certcheck.SourceHandshake or
	// certcheck.SourceCertificateMessage.
	Source string `json:"source,omitempty"`
	// CheckedName is the name the chain was checked against.
	CheckedName string              `json:"checked_name,omitempty"`
	Chain       []report.CertInfo   `json:"chain"`
	Problems    []certcheck.Problem `json:"problems,omitempty"`
	// Error is set when no chain could be obtained.
	Error string `json:"error,omitempty"`
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
	roots, err := certcheck.Roots(certcheck.StoreMozilla, opts.CACertFiles...)
	if err != nil {
		return nil, &UsageError{Err: fmt.Errorf("invalid --cacert: %w", err), Hint: "give a PEM file with one or more CERTIFICATE blocks"}
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
		result: &Result{
			Schema: Schema, Target: opts.Target, Host: t.host, Port: t.port, ServerName: serverName, FromURL: t.fromURL,
			Versions: []VersionState{}, Suites: []SuiteList{}, Groups: []GroupList{},
			SignatureAlgorithms: []SigAlgList{}, Findings: []report.Finding{},
		},
	}
	s.run(ctx)

	r := s.result
	r.Findings = append(r.Findings, findings(r, s.entraSuites)...)
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
	result     *Result

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

	// The certificate, SNI and client-certificate steps make crypto/tls
	// connections that the Prober's per-host limit does not see. They run
	// in one goroutine, one connection at a time, next to the raw probes,
	// which then get one slot fewer. With a limit of 1 they run last.
	probeLimit := s.opts.MaxConnsPerHost
	concurrentSide := probeLimit > 1
	if concurrentSide {
		probeLimit--
	}
	s.prober = &tlsprobe.Prober{Timeout: s.opts.Timeout, MaxConnsPerHost: probeLimit}

	versions := s.prober.Versions(ctx, addr, s.serverName)
	s.recordVersions(versions)
	accepted := versions.Accepted()

	var side sync.WaitGroup
	if concurrentSide {
		side.Add(1)
		go func() { defer side.Done(); s.sideSteps(ctx, addr, versions) }()
	}
	s.scanSuitesGroupsFeatures(ctx, addr, accepted)
	if concurrentSide {
		side.Wait()
	} else {
		s.sideSteps(ctx, addr, versions)
	}
}

// resolve looks the host up, IPv4 first as Java does by default.
func (s *scanner) resolve(ctx context.Context) ([]string, bool) {
	if s.target.isIP {
		s.result.Addresses = []string{s.target.host}
		return s.result.Addresses, true
	}
	lookupCtx, cancel := context.WithTimeout(ctx, s.opts.Timeout)
	defer cancel()
	ips, err := net.DefaultResolver.LookupIPAddr(lookupCtx, s.target.host)
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
		}
		s.result.Versions = append(s.result.Versions, state)
	}
}

// scanSuitesGroupsFeatures runs the suite scan of each accepted version
// from SSL 3.0, the group scan of each accepted version from TLS 1.0, the
// signature algorithm scan of TLS 1.2 and TLS 1.3 when accepted, and the
// feature checks. All run at once within the Prober's per-host limit.
func (s *scanner) scanSuitesGroupsFeatures(ctx context.Context, addr string, accepted []tlsprobe.Version) {
	var suiteVersions, groupVersions, sigAlgVersions []tlsprobe.Version
	for _, v := range accepted {
		if v >= tlsprobe.VersionSSL30 {
			suiteVersions = append(suiteVersions, v)
		}
		if v >= tlsprobe.VersionTLS10 {
			groupVersions = append(groupVersions, v)
		}
		if v == tlsprobe.VersionTLS12 || v == tlsprobe.VersionTLS13 {
			sigAlgVersions = append(sigAlgVersions, v)
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
	list := SuiteList{Version: scan.Version.String(), Suites: []Suite{}, ServerOrder: scan.ServerOrder, Error: scan.Err}
	for _, id := range scan.Accepted {
		list.Suites = append(list.Suites, Suite{ID: fmt.Sprintf("0x%04x", id), Name: registry.SuiteName(id)})
	}
	return list
}

func groupList(scan *tlsprobe.GroupScan) GroupList {
	list := GroupList{Version: scan.Version.String(), Groups: []string{}, ServerOrder: scan.ServerOrder, Error: scan.Err}
	for _, id := range scan.Accepted {
		list.Groups = append(list.Groups, registry.GroupName(id))
	}
	if scan.Preferred != 0 {
		list.Preferred = registry.GroupName(scan.Preferred)
	}
	return list
}

func sigAlgList(scan *tlsprobe.SigAlgScan) SigAlgList {
	list := SigAlgList{Version: scan.Version.String(), Schemes: []string{}, Error: scan.Err}
	for _, id := range scan.Accepted {
		list.Schemes = append(list.Schemes, registry.SchemeName(id))
	}
	return list
}

// sideSteps runs the certificate, SNI and client-certificate steps one
// after another.
func (s *scanner) sideSteps(ctx context.Context, addr string, versions *tlsprobe.VersionScan) {
	s.certificate(ctx, addr, versions)
	s.sni(ctx, addr)
	s.clientAuth(ctx, addr)
}

// certificate fetches the chain with a crypto/tls handshake, or takes it
// from the Certificate message of an accepted TLS 1.2-or-older probe when
// the handshake fails (a suite or version crypto/tls lacks).
func (s *scanner) certificate(ctx context.Context, addr string, versions *tlsprobe.VersionScan) {
	checkedName := s.serverName
	if checkedName == "" {
		checkedName = s.target.host
	}
	out := &Certificate{CheckedName: checkedName, Chain: []report.CertInfo{}}
	s.result.Certificate = out

	s.direct.Add(1)
	chain, err := certcheck.Fetch(ctx, addr, s.serverName, s.opts.Timeout)
	if err != nil {
		fallback, fallbackErr := chainFromProbes(versions)
		if fallbackErr != nil {
			out.Error = fmt.Sprintf("%v; %v", err, fallbackErr)
			return
		}
		chain = fallback
	}
	out.Source = chain.Source
	for _, info := range chain.Describe() {
		out.Chain = append(out.Chain, certInfo(info))
	}
	out.Problems = certcheck.Verify(chain, checkedName, certcheck.Policy{
		Roots: s.roots,
		// Entra ID documents RSA keys of at least 2048 bits and EC keys of
		// at least 256 bits; current JDKs reject SHA-1 signatures.
		MinRSABits: 2048,
		MinECBits:  256,
		RejectSHA1: true,
	})
}

func chainFromProbes(versions *tlsprobe.VersionScan) (*certcheck.Chain, error) {
	for i := len(versions.Versions) - 1; i >= 0; i-- {
		v := versions.Versions[i]
		if !v.Accepted || v.Version > tlsprobe.VersionTLS12 || v.Version < tlsprobe.VersionSSL30 {
			continue
		}
		if v.Result == nil || v.Result.Flight == nil || len(v.Result.Flight.Certificates) == 0 {
			continue
		}
		return certcheck.ParseChain(v.Result.Flight.Certificates)
	}
	return nil, errors.New("no accepted TLS 1.2-or-older probe carried a Certificate message")
}

func certInfo(info certcheck.Info) report.CertInfo {
	key := fmt.Sprintf("%s %d", info.KeyType, info.KeyBits)
	if info.Curve != "" {
		key += " " + info.Curve
	}
	return report.CertInfo{
		Subject: info.Subject, Issuer: info.Issuer, DNSNames: info.DNSNames, IPAddresses: info.IPAddresses,
		NotBefore: info.NotBefore, NotAfter: info.NotAfter, Key: key,
		SignatureAlgorithm: info.SignatureAlgorithm, SelfSigned: info.SelfSigned, SHA256: info.SHA256Fingerprint,
	}
}

func (s *scanner) sni(ctx context.Context, addr string) {
	host := s.serverName
	if host == "" {
		host = s.target.host
	}
	behaviour := certcheck.ProbeSNI(ctx, s.prober, addr, host, s.opts.Timeout)
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
