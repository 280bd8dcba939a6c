package clients

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/scimdoctor/scimdoctor/certcheck"
	"github.com/scimdoctor/scimdoctor/tlsprobe"
)

// handshake runs certcheck.Handshake with the profile's versions and the
// suites Go implements, and returns its result and the chain. When Go
// cannot complete a handshake the profile's hello completed (a DHE suite,
// which crypto/tls lacks), the chain comes from the first flight or from
// certcheck.Fetch.
func (s *simulation) handshake(r *tlsprobe.Result) (*certcheck.HandshakeResult, *certcheck.Chain) {
	p, pred := s.profile, s.pred
	opts := certcheck.HandshakeOptions{
		MinVersion:    uint16(slices.Min(p.versions)),
		MaxVersion:    uint16(slices.Max(p.versions)),
		CipherSuites:  goSuites(p.hello.CipherSuites),
		Path:          s.target.Path,
		Host:          s.target.Host,
		Authorization: s.target.Authorization,
		Timeout:       s.target.Timeout,
	}
	if opts.MinVersion < tls.VersionTLS10 {
		opts.MinVersion = tls.VersionTLS10
	}
	sni := ""
	if pred.SentSNI {
		sni = p.ClientHello(s.host).ServerName
	}
	// The handshake takes a connection slot of the prober, so it keeps to
	// the per-host limit and the interval of a polite scan.
	release, err := s.prober.Acquire(s.ctx, hostOnly(s.target.Addr))
	if err != nil {
		pred.Evidence = append(pred.Evidence, "the simulation was canceled before its full handshake: "+err.Error())
		return nil, nil
	}
	defer release()
	hs := certcheck.Handshake(s.ctx, s.target.Addr, sni, opts)
	if hs.Chain != nil {
		return hs, hs.Chain
	}
	pred.Evidence = append(pred.Evidence, fmt.Sprintf("a crypto/tls handshake limited to %s's versions and suites did not complete (%s: %s)",
		p.Name, hs.Handshake.Outcome, hs.Handshake.Error))

	if r.Flight != nil && len(r.Flight.Certificates) > 0 {
		chain, err := certcheck.ParseChain(r.Flight.Certificates)
		if err == nil {
			return hs, chain
		}
		pred.Evidence = append(pred.Evidence, "the certificates of the first flight do not parse: "+err.Error())
	}
	chain, err := certcheck.Fetch(s.ctx, s.target.Addr, sni, s.target.Timeout)
	if err != nil {
		pred.Evidence = append(pred.Evidence, err.Error())
		return hs, nil
	}
	return hs, chain
}

// checkCertificates applies the profile's policy to chain and reports
// whether a problem ended the simulation.
func (s *simulation) checkCertificates(chain *certcheck.Chain) bool {
	p, pred := s.profile, s.pred
	roots := s.target.Roots
	if roots == nil {
		store, source, err := storeRoots(p.Policy.TrustStore, s.target.JavaCACerts)
		if err != nil {
			pred.Class = ""
			pred.Evidence = append(pred.Evidence, "the trust store did not load: "+err.Error())
			return true
		}
		if source != "" {
			pred.Evidence = append(pred.Evidence, "trust store: "+source)
		}
		roots = store
		if len(s.target.ExtraRoots) > 0 {
			roots = store.Clone()
			for _, cert := range s.target.ExtraRoots {
				roots.AddCert(cert)
			}
		}
	}
	leaf := chain.Certificates[0]
	s.values.notBefore, s.values.notAfter = leaf.NotBefore, leaf.NotAfter
	s.values.subject = javaDN(leaf)
	s.values.certNames = certNames(leaf, s.host)

	problems := certcheck.Verify(chain, s.host, certcheck.Policy{
		Roots:      roots,
		FetchAIA:   p.Policy.FetchAIA,
		AIA:        s.target.AIA,
		RejectSHA1: p.Policy.RejectSHA1,
		MinRSABits: p.Policy.MinRSABits,
		MinECBits:  p.Policy.MinECBits,
		Now:        s.now,
	})
	problems = p.dropCNMatch(problems, leaf, s.host)
	pred.Problems = problems
	if p.Policy.FetchAIA && s.target.AIA == nil {
		s.noteUnfetchedIssuer(chain, roots)
	}
	if len(problems) == 0 {
		return false
	}

	first := s.firstProblem(problems)
	class, variant := problemClass(first.Class, s.host)
	if class == ClassHostnameMismatch && hasNoSubjectAltName(leaf) && leaf.Subject.CommonName != "" {
		variant = variantHostnameMismatchCNOnly
	}
	if first.Certificate >= 0 && first.Certificate < len(chain.Certificates) {
		info := certcheck.Describe(chain.Certificates[first.Certificate])
		s.values.keyType, s.values.keyBits = info.KeyType, info.KeyBits
		if first.Class == certcheck.ProblemWeakKey {
			s.values.subject = javaDN(chain.Certificates[first.Certificate])
		}
		if first.Class == certcheck.ProblemSHA1Signature {
			signed := chain.Certificates[first.Certificate]
			s.values.sha1Algorithm = signed.SignatureAlgorithm.String()
			s.values.sha1Issuer = signed.Issuer.CommonName
		}
	}
	for _, problem := range problems {
		pred.Evidence = append(pred.Evidence, "certificate check: "+problem.Detail)
	}
	s.fail(class, LayerCertificate, variant, "")
	return true
}

// firstProblem returns the problem the client reports first, following the
// order in which its family checks a chain.
func (s *simulation) firstProblem(problems []certcheck.Problem) certcheck.Problem {
	order := checkOrder[s.profile.Family]
	best, bestRank := problems[0], len(order)
	for _, problem := range problems {
		if rank := slices.Index(order, problem.Class); rank >= 0 && rank < bestRank {
			best, bestRank = problem, rank
		}
	}
	return best
}

// checkOrder is the order in which each family reports certificate
// problems. JSSE builds the path (trust) first, checks key constraints and
// dates while it validates the path, and checks the host name last.
// crypto/x509 checks dates and the host name before it builds the path, and
// crypto/tls checks the key when it verifies the server's signature.
// OpenSSL's X509_verify_cert builds the chain, checks key strength and the
// host name, and checks dates while it verifies signatures. SChannel is
// given JSSE's order, because all its certificate failures share one text.
//
// NOTE: the orders are inferred from how each library validates; only
// chains with a single problem were measured.
var checkOrder = map[string][]certcheck.ProblemClass{
	"java":    {certcheck.ProblemSelfSigned, certcheck.ProblemUntrusted, certcheck.ProblemIncompleteChain, certcheck.ProblemSHA1Signature, certcheck.ProblemWeakKey, certcheck.ProblemExpired, certcheck.ProblemNotYetValid, certcheck.ProblemHostnameMismatch},
	"dotnet":  {certcheck.ProblemSelfSigned, certcheck.ProblemUntrusted, certcheck.ProblemIncompleteChain, certcheck.ProblemSHA1Signature, certcheck.ProblemWeakKey, certcheck.ProblemExpired, certcheck.ProblemNotYetValid, certcheck.ProblemHostnameMismatch},
	"go":      {certcheck.ProblemExpired, certcheck.ProblemNotYetValid, certcheck.ProblemHostnameMismatch, certcheck.ProblemSelfSigned, certcheck.ProblemUntrusted, certcheck.ProblemIncompleteChain, certcheck.ProblemSHA1Signature, certcheck.ProblemWeakKey},
	"openssl": {certcheck.ProblemSelfSigned, certcheck.ProblemUntrusted, certcheck.ProblemIncompleteChain, certcheck.ProblemWeakKey, certcheck.ProblemHostnameMismatch, certcheck.ProblemSHA1Signature, certcheck.ProblemExpired, certcheck.ProblemNotYetValid},
	"curl":    {certcheck.ProblemSelfSigned, certcheck.ProblemUntrusted, certcheck.ProblemIncompleteChain, certcheck.ProblemWeakKey, certcheck.ProblemHostnameMismatch, certcheck.ProblemSHA1Signature, certcheck.ProblemExpired, certcheck.ProblemNotYetValid},
}

// problemClass maps a certcheck problem to a failure class and text
// variant.
func problemClass(c certcheck.ProblemClass, host string) (class, variant string) {
	switch c {
	case certcheck.ProblemSelfSigned:
		return ClassUntrusted, variantUntrustedSelfSigned
	case certcheck.ProblemIncompleteChain:
		return ClassIncompleteChain, ""
	case certcheck.ProblemExpired:
		return ClassExpired, ""
	case certcheck.ProblemNotYetValid:
		return ClassNotYetValid, ""
	case certcheck.ProblemHostnameMismatch:
		if isIPLiteral(host) {
			return ClassHostnameMismatch, variantHostnameMismatchIP
		}
		return ClassHostnameMismatch, ""
	case certcheck.ProblemWeakKey:
		return ClassWeakKey, ""
	case certcheck.ProblemSHA1Signature:
		return ClassUntrusted, variantUntrustedSHA1
	}
	// ProblemUntrusted: no path the client accepts.
	return ClassUntrusted, ""
}

// dropCNMatch removes a host name mismatch that a client with the
// "san_then_cn" rule does not see: a leaf without DNS subjectAltNames whose
// subject CN matches the host.
func (p *Profile) dropCNMatch(problems []certcheck.Problem, leaf *x509.Certificate, host string) []certcheck.Problem {
	if p.Policy.Hostname != "san_then_cn" || len(leaf.DNSNames) > 0 || isIPLiteral(host) || !matchHostname(leaf.Subject.CommonName, host) {
		return problems
	}
	return slices.DeleteFunc(problems, func(problem certcheck.Problem) bool {
		return problem.Class == certcheck.ProblemHostnameMismatch
	})
}

// hasNoSubjectAltName reports a certificate without any subjectAltName
// entry.
func hasNoSubjectAltName(c *x509.Certificate) bool {
	return len(c.DNSNames) == 0 && len(c.IPAddresses) == 0 && len(c.EmailAddresses) == 0 && len(c.URIs) == 0
}

// matchHostname matches host against a name that may start with a "*."
// wildcard for one label, ignoring case and a trailing dot.
func matchHostname(pattern, host string) bool {
	pattern = strings.ToLower(strings.TrimSuffix(pattern, "."))
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if pattern == "" || host == "" {
		return false
	}
	if rest, ok := strings.CutPrefix(pattern, "*."); ok {
		label, suffix, found := strings.Cut(host, ".")
		return found && label != "" && suffix == rest
	}
	return pattern == host
}

// storeRootsCache holds each loaded trust store by name and key store
// path, so a store is read once per process.
var storeRootsCache sync.Map // storeKey -> func() storeRootsResult

type storeKey struct{ store, javaCACerts string }

type storeRootsResult struct {
	pool   *x509.CertPool
	source string
	err    error
}

// storeRoots returns the pool of a profile's trust store, shared between
// callers (clone it before adding to it), and for the "java" store a
// description of the file used. Without a JDK and without javaCACerts, the
// "java" store falls back to the Mozilla roots and source reports it.
func storeRoots(store, javaCACerts string) (*x509.CertPool, string, error) {
	if store != certcheck.StoreJava {
		javaCACerts = ""
	}
	load, _ := storeRootsCache.LoadOrStore(storeKey{store, javaCACerts}, sync.OnceValue(func() storeRootsResult {
		if store != certcheck.StoreJava {
			pool, err := certcheck.Roots(store)
			return storeRootsResult{pool: pool, err: err}
		}
		pool, source, err := certcheck.JavaRoots(javaCACerts)
		if errors.Is(err, certcheck.ErrNoJavaCACerts) && javaCACerts == "" {
			pool, err = certcheck.Roots(certcheck.StoreMozilla)
			source = "no JDK cacerts found on this machine, so the Mozilla roots replace it (name one with --java-cacerts)"
		}
		return storeRootsResult{pool: pool, source: source, err: err}
	}))
	r := load.(func() storeRootsResult)()
	return r.pool, r.source, r.err
}

// goSuites returns the suites of ids that crypto/tls implements for
// TLS 1.0-1.2, in the order of ids. TLS 1.3 suites are left out because a
// tls.Config cannot choose them.
func goSuites(ids []uint16) []uint16 {
	implemented := map[uint16]bool{}
	for _, id := range certcheck.GoSuites() {
		implemented[id] = true
	}
	var out []uint16
	for _, id := range ids {
		if implemented[id] {
			out = append(out, id)
		}
	}
	return out
}

// noteUnfetchedIssuer adds evidence when a client that downloads missing
// issuers passes only because of that download, which the simulation did
// not try: the verdict then assumes the AIA URL serves the issuer.
func (s *simulation) noteUnfetchedIssuer(chain *certcheck.Chain, roots *x509.CertPool) {
	for _, problem := range certcheck.Verify(chain, "", certcheck.Policy{Roots: roots, Now: s.now}) {
		if problem.Class != certcheck.ProblemIncompleteChain {
			continue
		}
		urls := strings.Join(problem.IssuerURLs, ", ")
		s.pred.Evidence = append(s.pred.Evidence, fmt.Sprintf(
			"the server did not send the issuer %s; %s downloads it from %s, which the simulation did not try, so this verdict assumes the download succeeds (scimdoctor tls --fetch-aia tries it)",
			problem.MissingIssuer, s.profile.Name, urls))
		return
	}
}
