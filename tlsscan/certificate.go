package tlsscan

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/scimdoctor/scimdoctor/certcheck"
	"github.com/scimdoctor/scimdoctor/report"
	"github.com/scimdoctor/scimdoctor/tlsprobe"
)

// Certificate is a chain the server sent and the problems a client with
// the Mozilla roots (plus Options.CACertFiles) would have with it.
type Certificate struct {
	// Source is certcheck.SourceHandshake or
	// certcheck.SourceCertificateMessage.
	Source string `json:"source,omitempty"`
	// Versions lists the protocol versions at which the server sent this
	// chain: the version of the crypto/tls handshake, and each accepted
	// TLS 1.2-or-older probe whose Certificate message had the same leaf.
	Versions []string `json:"versions,omitempty"`
	// CheckedName is the name the chain was checked against.
	CheckedName string            `json:"checked_name,omitempty"`
	Chain       []report.CertInfo `json:"chain"`
	// Order lists how the chain as sent departs from the order RFC 5246,
	// Section 7.4.2 requires (each certificate issued by the next), such as
	// a certificate that issued none of the others. Empty: in order.
	Order    []string            `json:"order,omitempty"`
	Problems []certcheck.Problem `json:"problems,omitempty"`
	// Trust is the verdict of each trust store on the chain: the Mozilla
	// roots, this machine's system store and the Java cacerts, each with
	// the --cacert files added.
	Trust []TrustCheck `json:"trust,omitempty"`
	// AIA lists what --fetch-aia fetched from the caIssuers URLs of the
	// chain, or nil when nothing was fetched.
	AIA *certcheck.AIAResult `json:"aia,omitempty"`
	// Error is set when no chain could be obtained.
	Error string `json:"error,omitempty"`
}

// TrustCheck is one trust store's verdict on a chain.
type TrustCheck struct {
	// Store is certcheck.StoreMozilla, StoreSystem or StoreJava.
	Store string `json:"store"`
	// Source names the roots used, such as the cacerts file.
	Source string `json:"source,omitempty"`
	// Trusted reports a path from the leaf to a root of the store.
	Trusted bool `json:"trusted"`
	// Problems are the trust problems: untrusted, incomplete chain,
	// self-signed, or an expired root.
	Problems []certcheck.Problem `json:"problems,omitempty"`
	// Error is set when the store could not be loaded.
	Error string `json:"error,omitempty"`
}

// checkedName is the name certificates are checked against: the SNI, or
// the target host when no SNI is sent.
func (s *scanner) checkedName() string {
	if s.serverName != "" {
		return s.serverName
	}
	return s.target.host
}

// certificate fetches the chain with a crypto/tls handshake, which
// negotiates TLS 1.3 when the server accepts it, so the certificate that
// TLS 1.3 encrypts is seen too. When the handshake fails (a suite or
// version crypto/tls lacks), the chain comes from the Certificate message
// of an accepted TLS 1.2-or-older probe. The Certificate messages of the
// other accepted versions cost no connection: a leaf that differs from the
// main one becomes an entry of Result.OtherCertificates, with its own
// problems.
func (s *scanner) certificate(ctx context.Context, addr string, versions *tlsprobe.VersionScan) {
	out := &Certificate{CheckedName: s.checkedName(), Chain: []report.CertInfo{}}
	s.result.Certificate = out

	s.direct.Add(1)
	chain, err := s.fetchChain(ctx, addr)
	if err != nil {
		fallback, fallbackErr := chainFromProbes(versions)
		if fallbackErr != nil {
			out.Error = fmt.Sprintf("%v; %v", err, fallbackErr)
			return
		}
		chain = fallback
	}
	if s.opts.FetchAIA {
		// The fetch stops below a Mozilla root, so a complete chain costs
		// no request. These requests go to the CA's URLs, not to the
		// scanned host, so they are not counted as connections.
		s.aia, _ = certcheck.FetchIssuers(ctx, chain, certcheck.AIAOptions{Timeout: s.opts.Timeout, Roots: s.roots})
		out.AIA = s.aia
	}
	s.fillCertificate(out, chain)
	s.chain = chain
	if chain.Version != 0 {
		out.Versions = append(out.Versions, tlsprobe.Version(chain.Version).String())
	}

	others := map[string]*Certificate{}
	for _, v := range versions.Versions {
		if !v.Accepted || v.Version > tlsprobe.VersionTLS12 || v.Result == nil || v.Result.Flight == nil || len(v.Result.Flight.Certificates) == 0 {
			continue
		}
		sent, err := certcheck.ParseChain(v.Result.Flight.Certificates)
		if err != nil {
			continue
		}
		leaf := sent.Describe()[0].SHA256Fingerprint
		if len(out.Chain) > 0 && leaf == out.Chain[0].SHA256 {
			out.Versions = appendUnique(out.Versions, v.Version.String())
			continue
		}
		other, ok := others[leaf]
		if !ok {
			other = &Certificate{CheckedName: out.CheckedName, Chain: []report.CertInfo{}}
			s.fillCertificate(other, sent)
			others[leaf] = other
			s.result.OtherCertificates = append(s.result.OtherCertificates, other)
		}
		other.Versions = appendUnique(other.Versions, v.Version.String())
	}
}

// fillCertificate describes chain in out and checks it with the policy of
// the findings: the Mozilla roots plus --cacert, Entra ID's key minimums
// (RSA 2048 bits, EC 256 bits) and no SHA-1, which current JDKs reject.
func (s *scanner) fillCertificate(out *Certificate, chain *certcheck.Chain) {
	out.Source = chain.Source
	for _, info := range chain.Describe() {
		out.Chain = append(out.Chain, certInfo(info))
	}
	out.Order = chainOrder(chain.Certificates)
	out.Problems = certcheck.Verify(chain, out.CheckedName, certcheck.Policy{
		Roots:      s.roots,
		AIA:        s.aia,
		MinRSABits: 2048,
		MinECBits:  256,
		RejectSHA1: true,
	})
}

// trust fills the trust verdicts of the main chain, after the certificate
// step, so that the simulations need not wait for the stores to load.
func (s *scanner) trust() {
	if s.chain == nil || s.result.Certificate == nil {
		return
	}
	s.result.Certificate.Trust = s.trustChecks(s.chain, s.result.Certificate.CheckedName)
}

// trustChecks verifies chain against each trust store, plus the --cacert
// files, as a client that does not fetch AIA issuers (Java, OpenSSL, Go).
func (s *scanner) trustChecks(chain *certcheck.Chain, name string) []TrustCheck {
	var out []TrustCheck
	for _, store := range []string{certcheck.StoreMozilla, certcheck.StoreSystem, certcheck.StoreJava} {
		check := TrustCheck{Store: store}
		var pool *x509.CertPool
		var err error
		switch store {
		case certcheck.StoreJava:
			pool, check.Source, err = certcheck.JavaRoots(s.opts.JavaCACerts)
		case certcheck.StoreSystem:
			pool, err = certcheck.Roots(store)
			check.Source = "this machine's store (crypto/x509 SystemCertPool)"
		default:
			pool, err = certcheck.Roots(store)
			check.Source = "Mozilla root program, as bundled in golang.org/x/crypto/x509roots/fallback"
		}
		if err != nil {
			check.Error = err.Error()
			out = append(out, check)
			continue
		}
		for _, cert := range s.extraRoots {
			pool.AddCert(cert)
		}
		for _, p := range certcheck.Verify(chain, name, certcheck.Policy{Roots: pool, AIA: s.aia}) {
			if isTrustProblem(p) {
				check.Problems = append(check.Problems, p)
			}
		}
		check.Trusted = len(check.Problems) == 0
		out = append(out, check)
	}
	return out
}

// isTrustProblem reports the problems that depend on the trust store.
func isTrustProblem(p certcheck.Problem) bool {
	switch p.Class {
	case certcheck.ProblemUntrusted, certcheck.ProblemIncompleteChain, certcheck.ProblemSelfSigned:
		return true
	case certcheck.ProblemExpired:
		// Certificate -1 is a root of the store, not a sent certificate.
		return p.Certificate == -1
	}
	return false
}

func appendUnique(list []string, s string) []string {
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
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

// certificateFindings turns the problems of every chain into findings. A
// chain sent at some versions only names them, because clients limited to
// those versions (Entra ID: TLS 1.2) meet only that chain.
func certificateFindings(r *Result) []report.Finding {
	var out []report.Finding
	chains := []*Certificate{}
	if r.Certificate != nil {
		chains = append(chains, r.Certificate)
	}
	chains = append(chains, r.OtherCertificates...)
	for i, c := range chains {
		scope := ""
		if len(r.OtherCertificates) > 0 {
			scope = fmt.Sprintf(" (chain sent at %s)", joinOr(c.Versions, "an unknown version"))
		}
		for _, p := range c.Problems {
			out = append(out, report.Finding{
				ID:       "certificate." + string(p.Class),
				Severity: report.SeverityHigh,
				Layer:    "certificate",
				Title:    p.Detail + scope,
				Detail:   certificateFix(p.Class, c.CheckedName),
			})
		}
		if len(c.Order) > 0 {
			out = append(out, report.Finding{
				ID:       "certificate.chain_order",
				Severity: report.SeverityLow,
				Layer:    "certificate",
				Title:    "the server sends its certificate chain out of order" + scope,
				Detail:   "TLS 1.2 requires the leaf first and each certificate followed by its issuer. Current Java, Go and OpenSSL clients sort the chain themselves, but older clients may fail; list the certificates in the chain file from the leaf up.",
				Evidence: c.Order,
			})
		}
		if finding, ok := trustDiffers(c); ok {
			out = append(out, finding)
		}
		if i > 0 {
			out = append(out, report.Finding{
				ID:       "certificate.differs_by_version",
				Severity: report.SeverityMedium,
				Layer:    "certificate",
				Title:    fmt.Sprintf("the server sends another leaf certificate at %s than at %s", joinOr(c.Versions, "?"), joinOr(chains[0].Versions, "its highest version")),
				Detail:   "Clients see a different certificate depending on the version they negotiate, so a fix checked with one client may not hold for another. Serve one certificate, or check each chain.",
				Evidence: []string{"leaf SHA-256 " + c.Chain[0].SHA256, "main leaf SHA-256 " + chains[0].Chain[0].SHA256},
			})
		}
	}
	return out
}

func joinOr(list []string, empty string) string {
	if len(list) == 0 {
		return empty
	}
	return strings.Join(list, ", ")
}

// trustDiffers reports a chain that some trust stores accept and others
// reject, such as a root that the Mozilla program has and an older JDK's
// cacerts lacks.
func trustDiffers(c *Certificate) (report.Finding, bool) {
	var trusted, rejected, evidence []string
	for _, check := range c.Trust {
		switch {
		case check.Error != "":
			continue
		case check.Trusted:
			trusted = append(trusted, check.Store)
		default:
			rejected = append(rejected, check.Store)
			for _, p := range check.Problems {
				evidence = append(evidence, fmt.Sprintf("%s (%s): %s", check.Store, check.Source, p.Detail))
			}
		}
	}
	if len(trusted) == 0 || len(rejected) == 0 {
		return report.Finding{}, false
	}
	return report.Finding{
		ID:       "certificate.trust_differs",
		Severity: report.SeverityMedium,
		Layer:    "certificate",
		Title:    fmt.Sprintf("the chain is trusted by the %s store but not by %s", strings.Join(trusted, " and "), strings.Join(rejected, " and ")),
		Detail:   "Clients that use the rejecting store fail with an untrusted-certificate error. Send the full chain to a root that every store has, or add the root to the client's store (for Java: keytool -importcert into its cacerts).",
		Evidence: evidence,
	}, true
}

// chainOrder describes how certs, as sent, depart from a path in which
// each certificate is issued by the next. Clients that build the path from
// the sent certificates as a pool (JSSE, crypto/x509, OpenSSL 1.1 and
// later) accept any order; RFC 8446, Section 4.4.2 allows that in TLS 1.3
// too, but RFC 5246 does not in TLS 1.2.
func chainOrder(certs []*x509.Certificate) []string {
	var out []string
	seen := map[string]int{}
	for i, cert := range certs {
		key := string(cert.Raw)
		if j, ok := seen[key]; ok {
			out = append(out, fmt.Sprintf("certificate %d repeats certificate %d", i, j))
			continue
		}
		seen[key] = i
	}
	for i := 1; i < len(certs); i++ {
		child, parent := certs[i-1], certs[i]
		if child.CheckSignatureFrom(parent) == nil {
			continue
		}
		issuer := -1
		for j, other := range certs {
			if j != i-1 && child.CheckSignatureFrom(other) == nil {
				issuer = j
				break
			}
		}
		switch {
		case issuer >= 0:
			out = append(out, fmt.Sprintf("certificate %d (%s) is issued by certificate %d, not by the next one", i-1, child.Subject, issuer))
		case !isSelfIssued(child):
			out = append(out, fmt.Sprintf("certificate %d (%s) is not issued by the next certificate (%s)", i-1, child.Subject, parent.Subject))
		}
	}
	return out
}

func isSelfIssued(cert *x509.Certificate) bool {
	return bytes.Equal(cert.RawIssuer, cert.RawSubject)
}

// certificateFix returns the next step for a certificate problem of class,
// for the host name checked.
func certificateFix(class certcheck.ProblemClass, host string) string {
	switch class {
	case certcheck.ProblemExpired:
		return "Renew the certificate and install it with its chain. Every client rejects an expired certificate, whatever its trust store."
	case certcheck.ProblemNotYetValid:
		return "Check the server's clock and the certificate's notBefore date. Clients reject the certificate until that date."
	case certcheck.ProblemHostnameMismatch:
		return fmt.Sprintf("Issue a certificate whose subjectAltName lists %s, or give the IdP a URL with a name that the certificate lists. Current clients ignore the subject CN.", host)
	case certcheck.ProblemIncompleteChain:
		return "Install the full chain: the leaf followed by its intermediate certificates (for nginx the fullchain file in ssl_certificate, for Apache 2.4.8+ the chain appended to SSLCertificateFile). Java (Okta) and OpenSSL clients do not download a missing intermediate."
	case certcheck.ProblemSelfSigned, certcheck.ProblemUntrusted:
		return "Use a certificate from a public CA. Okta and Entra ID trust public roots only, so a private CA works only for clients whose store has its root (add it with --cacert to check those)."
	case certcheck.ProblemWeakKey:
		return "Issue a new certificate with an RSA key of at least 2048 bits or an EC key of at least 256 bits, the minimums Entra ID documents."
	case certcheck.ProblemSHA1Signature:
		return "Issue a new certificate signed with SHA-256. Go, curl, OpenSSL 3 and Entra ID reject SHA-1 signatures."
	}
	return "Fix the certificate so that clients with the Mozilla root store accept it; Okta and Entra ID use public root stores."
}

// fetchChain runs certcheck.Fetch. With one connection at a time it first
// takes the prober's slot, so a polite scan spaces this handshake too. With
// more, the certificate step runs beside the probes on a slot of its own.
func (s *scanner) fetchChain(ctx context.Context, addr string) (*certcheck.Chain, error) {
	if s.opts.MaxConnsPerHost == 1 {
		host, _, _ := net.SplitHostPort(addr)
		release, err := s.prober.Acquire(ctx, host)
		if err != nil {
			return nil, err
		}
		defer release()
	}
	return certcheck.Fetch(ctx, addr, s.serverName, s.opts.Timeout)
}
