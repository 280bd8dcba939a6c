package certcheck

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Policy is the set of rules a client family applies to a server's chain
// after the handshake.
type Policy struct {
	// Roots is the trust store. Nil means the system store, as in
	// x509.VerifyOptions.
	Roots *x509.CertPool
	// FetchAIA reports whether the client downloads a missing issuer from
	// the Authority Information Access caIssuers URL of the certificate
	// (SChannel does, Java and OpenSSL do not). Verify fetches nothing. For
	// such a client it builds the path with the issuers of AIA, and when
	// AIA is nil it assumes that the URL serves an issuer that leads to a
	// trusted root and reports no problem.
	FetchAIA bool
	// AIA is the result of FetchIssuers for the chain, or nil when nothing
	// was fetched. A client with FetchAIA uses its issuers as
	// intermediates. For other clients it only adds to the detail of
	// incomplete_chain whether the URL would complete the chain.
	AIA *AIAResult
	// MinRSABits and MinECBits are the smallest accepted key sizes, for
	// every certificate sent. 0 accepts any size.
	MinRSABits, MinECBits int
	// RejectSHA1 reports whether the client rejects SHA-1 signatures on the
	// certificates it verifies (every sent certificate but a self-signed
	// root).
	RejectSHA1 bool
	// Now is the time of the check. The zero value means time.Now().
	Now time.Time
}

// ProblemClass names a kind of certificate problem.
type ProblemClass string

const (
	// ProblemUntrusted: no path from the chain to a root of the trust store.
	ProblemUntrusted ProblemClass = "untrusted"
	// ProblemIncompleteChain: the server did not send an intermediate
	// certificate that a client needs to reach a root.
	ProblemIncompleteChain ProblemClass = "incomplete_chain"
	// ProblemSelfSigned: the leaf is self-signed and not in the trust store.
	ProblemSelfSigned ProblemClass = "self_signed"
	// ProblemExpired: a certificate's notAfter is in the past.
	ProblemExpired ProblemClass = "expired"
	// ProblemNotYetValid: a certificate's notBefore is in the future.
	ProblemNotYetValid ProblemClass = "not_yet_valid"
	// ProblemHostnameMismatch: no subjectAltName of the leaf matches the
	// host.
	ProblemHostnameMismatch ProblemClass = "hostname_mismatch"
	// ProblemWeakKey: a key is smaller than the policy's minimum.
	ProblemWeakKey ProblemClass = "weak_key"
	// ProblemSHA1Signature: a certificate is signed with SHA-1 and the
	// policy rejects that.
	ProblemSHA1Signature ProblemClass = "sha1_signature"
)

// Problem is one reason a client would reject the chain.
type Problem struct {
	Class  ProblemClass `json:"class"`
	Detail string       `json:"detail"`
	// Certificate is the index in the chain as sent, or -1 for a problem of
	// the chain as a whole or of a trust store root.
	Certificate int `json:"certificate"`
	// MissingIssuer is, for ProblemIncompleteChain, the distinguished name
	// of the certificate the server did not send.
	MissingIssuer string `json:"missing_issuer,omitempty"`
	// IssuerURLs are, for ProblemIncompleteChain, the AIA caIssuers URLs
	// where the missing certificate is published.
	IssuerURLs []string `json:"issuer_urls,omitempty"`
}

// Verify lists the problems a client with policy would have with chain for
// host, in chain order: dates, keys and signature algorithms of each
// certificate, then the host name, then trust. host is a DNS name or an IP
// literal, matched against the subjectAltName extension only, as current
// clients do (RFC 9110, Section 4.3.4), and an empty host skips the check.
// An empty result means the client would accept the chain.
func Verify(chain *Chain, host string, policy Policy) []Problem {
	if chain == nil || len(chain.Certificates) == 0 {
		return []Problem{{Class: ProblemUntrusted, Detail: "the server sent no certificate", Certificate: -1}}
	}
	v := verifier{certs: chain.Certificates, policy: policy, now: policy.Now}
	if v.now.IsZero() {
		v.now = time.Now()
	}

	for i, cert := range v.certs {
		v.checkDates(i, cert)
		v.checkKey(i, cert)
		v.checkSignatureAlgorithm(i, cert)
	}
	if host != "" {
		v.checkHost(host)
	}
	v.checkTrust()
	return v.problems
}

type verifier struct {
	certs    []*x509.Certificate
	policy   Policy
	now      time.Time
	problems []Problem
}

func (v *verifier) add(class ProblemClass, index int, format string, args ...any) *Problem {
	v.problems = append(v.problems, Problem{Class: class, Detail: fmt.Sprintf(format, args...), Certificate: index})
	return &v.problems[len(v.problems)-1]
}

func (v *verifier) checkDates(i int, cert *x509.Certificate) {
	switch {
	case v.now.After(cert.NotAfter):
		v.add(ProblemExpired, i, "certificate %d (%s) expired on %s, %s before the check",
			i, cert.Subject, cert.NotAfter.UTC().Format(time.RFC3339), roundDuration(v.now.Sub(cert.NotAfter)))
	case v.now.Before(cert.NotBefore):
		v.add(ProblemNotYetValid, i, "certificate %d (%s) is valid only from %s, %s after the check",
			i, cert.Subject, cert.NotBefore.UTC().Format(time.RFC3339), roundDuration(cert.NotBefore.Sub(v.now)))
	}
}

func (v *verifier) checkKey(i int, cert *x509.Certificate) {
	switch key := cert.PublicKey.(type) {
	case *rsa.PublicKey:
		if bits := key.N.BitLen(); v.policy.MinRSABits > 0 && bits < v.policy.MinRSABits {
			v.add(ProblemWeakKey, i, "certificate %d (%s) has a %d-bit RSA key, below the client's minimum of %d bits",
				i, cert.Subject, bits, v.policy.MinRSABits)
		}
	case *ecdsa.PublicKey:
		if bits := key.Curve.Params().BitSize; v.policy.MinECBits > 0 && bits < v.policy.MinECBits {
			v.add(ProblemWeakKey, i, "certificate %d (%s) has a %d-bit EC key (%s), below the client's minimum of %d bits",
				i, cert.Subject, bits, key.Curve.Params().Name, v.policy.MinECBits)
		}
	}
}

// sha1Algorithms are the SHA-1 based signature algorithms crypto/x509 names.
var sha1Algorithms = []x509.SignatureAlgorithm{x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1}

func isSHA1(alg x509.SignatureAlgorithm) bool {
	for _, a := range sha1Algorithms {
		if a == alg {
			return true
		}
	}
	return false
}

// checkSignatureAlgorithm skips self-signed certificates: a client takes a
// root from its store as it is and never checks the root's own signature.
func (v *verifier) checkSignatureAlgorithm(i int, cert *x509.Certificate) {
	if !v.policy.RejectSHA1 || !isSHA1(cert.SignatureAlgorithm) || isSelfSigned(cert) {
		return
	}
	v.add(ProblemSHA1Signature, i, "certificate %d (%s) is signed with %s, which the client rejects",
		i, cert.Subject, cert.SignatureAlgorithm)
}

func (v *verifier) checkHost(host string) {
	leaf := v.certs[0]
	// VerifyHostname matches subjectAltName entries only, and strips the
	// brackets of an IPv6 literal.
	err := leaf.VerifyHostname(host)
	if err == nil {
		return
	}
	var names []string
	names = append(names, leaf.DNSNames...)
	for _, ip := range leaf.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 {
		v.add(ProblemHostnameMismatch, 0, "the leaf certificate (%s) has no DNS or IP subjectAltName, so it matches no host, %q included; Go and browsers ignore the common name, while Java and curl fall back to it",
			leaf.Subject, host)
		return
	}
	v.add(ProblemHostnameMismatch, 0, "the leaf certificate is valid for %s, not %q",
		strings.Join(names, ", "), host)
}

// checkTrust builds a path from the leaf to a root with crypto/x509 and, when
// there is none, finds out why from the chain as sent.
func (v *verifier) checkTrust() {
	err := v.verifyPath()
	if err == nil {
		return
	}

	var unknown x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknown):
		v.explainUnknownAuthority(err)
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired && v.isFetchedIssuer(invalid.Cert):
		v.add(ProblemExpired, -1, "the issuer %s that the client downloads from its AIA caIssuers URL is valid from %s to %s, not at the time of the check",
			invalid.Cert.Subject, invalid.Cert.NotBefore.UTC().Format(time.RFC3339), invalid.Cert.NotAfter.UTC().Format(time.RFC3339))
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		v.addStoreRootDates(invalid.Cert, err)
	default:
		v.add(ProblemUntrusted, -1, "no path to a trusted root: %v", err)
	}
}

// addStoreRootDates reports the certificate that crypto/x509 found outside
// its validity. crypto/x509 uses the reason Expired for a certificate that is
// not yet valid too. verifyPathWith retries a certificate that is valid at
// the time of the check. So cert is either a sent certificate, whose dates
// checkDates has reported, or a trust store root outside its validity at
// the time of the check.
func (v *verifier) addStoreRootDates(cert *x509.Certificate, err error) {
	switch {
	case v.isSent(cert):
		return
	case v.now.Before(cert.NotBefore):
		v.add(ProblemNotYetValid, -1, "the trust store root %s that the chain leads to is valid only from %s, %s after the check",
			cert.Subject, cert.NotBefore.UTC().Format(time.RFC3339), roundDuration(cert.NotBefore.Sub(v.now)))
	case v.now.After(cert.NotAfter):
		v.add(ProblemExpired, -1, "the trust store root %s that the chain leads to expired on %s",
			cert.Subject, cert.NotAfter.UTC().Format(time.RFC3339))
	default:
		// unreachable: verifyPathWith retries a certificate valid at the
		// time of the check
		v.add(ProblemUntrusted, -1, "no path to a trusted root: %v", err)
	}
}

// verifyPath runs x509.Verify for the leaf with the sent certificates as
// intermediates, and with the issuers fetched from AIA URLs for a client
// that fetches them. Dates are reported by checkDates, so verifyPathWith
// chooses the time of the path check such that an expired leaf does not
// also look untrusted.
func (v *verifier) verifyPath() error {
	var fetched []*x509.Certificate
	if v.policy.FetchAIA {
		fetched = v.policy.AIA.Issuers()
	}
	return v.verifyPathWith(fetched)
}

// maxDateRetries bounds how often verifyPathWith verifies again at another
// time, once per certificate outside the sent chain (a fetched issuer and a
// root, at most) plus a margin.
const maxDateRetries = 4

// verifyPathWith verifies the path from the leaf with the sent certificates
// and extra as intermediates, such as issuers fetched from AIA URLs. It
// ignores the dates of the sent certificates, which checkDates reports, but
// not those of the other certificates at the time of the check:
//
//   - The path is checked at a time when every sent certificate on it is
//     valid. The sent certificates may share no such time, for example a
//     leaf that expired before its sent root was made. Then the check
//     starts at the lowest certificate of the issuer path above which they
//     do, and issuerPath has checked the signatures below it.
//   - When crypto/x509 rejects a certificate outside the sent chain (a root
//     or a fetched issuer) for its dates although it is valid at the time
//     of the check, the path is checked again at a time inside both
//     periods. When there is none, the path is checked again from that
//     certificate at the time of the check, because crypto/x509 verifies a
//     signature before it checks the dates of the issuer.
func (v *verifier) verifyPathWith(extra []*x509.Certificate) error {
	intermediates := x509.NewCertPool()
	for _, cert := range v.certs[1:] {
		intermediates.AddCert(cert)
	}
	for _, cert := range extra {
		intermediates.AddCert(cert)
	}

	path := issuerPath(v.certs)
	for k, index := range path {
		from, until, ok := commonValidity(v.pathCerts(path[k:]))
		if !ok {
			continue
		}
		// NOTE: a check that starts above the leaf cannot apply the
		// leaf's extended key usage, so a wrong one goes unreported when
		// the sent certificates share no time of validity.
		usage := x509.ExtKeyUsageServerAuth
		if k > 0 {
			usage = x509.ExtKeyUsageAny
		}
		return v.verifyFrom(v.certs[index], intermediates, usage, from, until)
	}
	// Some sent certificate has its notBefore after its notAfter.
	return v.verifyFrom(v.certs[0], intermediates, x509.ExtKeyUsageServerAuth, v.now, v.now)
}

// verifyFrom runs x509.Verify for cert at the time in [from, until] closest
// to the time of the check. When crypto/x509 rejects the dates of a
// certificate that was not sent but is valid at the time of the check, it
// verifies again as verifyPathWith describes.
func (v *verifier) verifyFrom(cert *x509.Certificate, intermediates *x509.CertPool, usage x509.ExtKeyUsage, from, until time.Time) error {
	at := clampTime(v.now, from, until)
	var err error
	for range maxDateRetries {
		var chains [][]*x509.Certificate
		chains, err = cert.Verify(x509.VerifyOptions{
			Roots:         v.policy.Roots,
			Intermediates: intermediates,
			CurrentTime:   at,
			KeyUsages:     []x509.ExtKeyUsage{usage},
		})
		if err == nil {
			return v.checkUnsentDates(chains)
		}
		var invalid x509.CertificateInvalidError
		if !errors.As(err, &invalid) || invalid.Reason != x509.Expired {
			return err
		}
		outside := invalid.Cert
		if v.isSent(outside) || !validAt(outside, v.now) {
			return err
		}

		// The time chosen for the sent certificates lies outside the
		// period of this root or fetched issuer, which the client, checking
		// at v.now, accepts.
		if f, u, ok := intersect(from, until, outside.NotBefore, outside.NotAfter); ok {
			from, until = f, u
		} else {
			cert, usage = outside, x509.ExtKeyUsageAny
			from, until = outside.NotBefore, outside.NotAfter
		}
		at = clampTime(v.now, from, until)
	}
	return err
}

// checkUnsentDates returns nil when one of chains has every certificate that
// the server did not send valid at the time of the check. Otherwise it
// returns the date error of the first such certificate of the first chain,
// as crypto/x509 would at that time. A path checked at a time moved into the
// validity of the sent certificates can reach a root that has expired since.
func (v *verifier) checkUnsentDates(chains [][]*x509.Certificate) error {
	var first *x509.Certificate
	for _, chain := range chains {
		var outside *x509.Certificate
		for _, cert := range chain {
			if !v.isSent(cert) && !validAt(cert, v.now) {
				outside = cert
				break
			}
		}
		if outside == nil {
			return nil
		}
		if first == nil {
			first = outside
		}
	}
	if first == nil {
		// unreachable: x509.Verify returns at least one chain with a nil
		// error
		return nil
	}
	return x509.CertificateInvalidError{Cert: first, Reason: x509.Expired,
		Detail: fmt.Sprintf("the certificate is valid from %s to %s", first.NotBefore.UTC().Format(time.RFC3339), first.NotAfter.UTC().Format(time.RFC3339))}
}

// pathCerts returns the sent certificates at indices.
func (v *verifier) pathCerts(indices []int) []*x509.Certificate {
	certs := make([]*x509.Certificate, len(indices))
	for i, index := range indices {
		certs[i] = v.certs[index]
	}
	return certs
}

// isSent reports whether cert is one of the certificates the server sent.
func (v *verifier) isSent(cert *x509.Certificate) bool {
	for _, sent := range v.certs {
		if sent.Equal(cert) {
			return true
		}
	}
	return false
}

// validAt reports whether t lies in the validity period of cert, ends
// included, as crypto/x509 checks it.
func validAt(cert *x509.Certificate, t time.Time) bool {
	return !t.Before(cert.NotBefore) && !t.After(cert.NotAfter)
}

// commonValidity returns the period in which every cert is valid, and false
// when there is none.
func commonValidity(certs []*x509.Certificate) (from, until time.Time, ok bool) {
	from, until = certs[0].NotBefore, certs[0].NotAfter
	for _, cert := range certs[1:] {
		if from, until, ok = intersect(from, until, cert.NotBefore, cert.NotAfter); !ok {
			return from, until, false
		}
	}
	return from, until, !from.After(until)
}

// intersect returns the overlap of the periods [from1, until1] and
// [from2, until2], and false when they do not overlap.
func intersect(from1, until1, from2, until2 time.Time) (from, until time.Time, ok bool) {
	from, until = from1, until1
	if from2.After(from) {
		from = from2
	}
	if until2.Before(until) {
		until = until2
	}
	return from, until, !from.After(until)
}

// clampTime returns t moved into [from, until].
func clampTime(t, from, until time.Time) time.Time {
	switch {
	case t.Before(from):
		return from
	case t.After(until):
		return until
	}
	return t
}

// pathTime returns now moved into the period in which every sent
// certificate is valid, or now when the periods do not overlap.
func (v *verifier) pathTime() time.Time {
	from, until, ok := commonValidity(v.certs)
	if !ok {
		return v.now
	}
	return clampTime(v.now, from, until)
}

// explainUnknownAuthority follows the issuer links of the sent certificates
// from the leaf and reports where the path stops: at a self-signed leaf, at a
// root that the store lacks, or at a certificate whose issuer the server
// did not send. Issuers fetched from AIA URLs (Policy.AIA) decide between
// the last two and, for a client that fetches them, show where the longer
// path stops.
func (v *verifier) explainUnknownAuthority(err error) {
	path := issuerPath(v.certs)
	topIndex := path[len(path)-1]
	top := v.certs[topIndex]

	if rejectedSHA1Candidate(err) && v.acceptedDespiteSHA1(path) {
		return
	}

	if isSelfSigned(top) {
		if topIndex == 0 {
			v.add(ProblemSelfSigned, 0, "the leaf certificate (%s) is self-signed and the trust store does not contain it", top.Subject)
			return
		}
		v.add(ProblemUntrusted, topIndex, "the chain ends at the self-signed root %s (certificate %d), which the trust store does not contain", top.Subject, topIndex)
		return
	}

	found := v.fetchedIssuer(top)
	if v.policy.FetchAIA && found != nil {
		v.addUntrustedAfterFetch(topIndex, top, found)
		return
	}

	if top.IsCA && topIndex > 0 {
		if found != nil && v.verifyPathWith(v.policy.AIA.Issuers()) == nil {
			// A second intermediate, such as a cross-signed one, is
			// missing: the fetched issuers complete the path.
			v.addIncomplete(topIndex, top)
			return
		}
		// An intermediate whose issuer is missing: servers normally leave
		// out the root, so the likely cause is a root the store lacks.
		// NOTE: without fetched issuers (Policy.AIA), a second omitted
		// intermediate (a cross-signed chain) looks the same.
		detail := fmt.Sprintf("certificate %d (%s) is issued by %s, which is neither sent by the server nor a root of the trust store",
			topIndex, top.Subject, top.Issuer)
		if found != nil {
			detail += "; " + v.describeFetch(*found)
		}
		problem := v.add(ProblemUntrusted, topIndex, "%s", detail)
		problem.IssuerURLs = top.IssuingCertificateURL
		return
	}

	if v.policy.FetchAIA && len(top.IssuingCertificateURL) > 0 && !v.fetchFailed(top) {
		// NOTE: nothing was fetched (or only URLs of schemes FetchIssuers
		// skips), so the client is assumed to download an issuer that
		// leads to a trusted root.
		return
	}
	if len(top.IssuingCertificateURL) == 0 && len(v.certs) == 1 {
		// Public CAs name the issuer of every leaf in AIA, so a lone leaf
		// without that URL is most likely issued by a private CA's root
		// that this trust store lacks.
		v.add(ProblemUntrusted, topIndex, "certificate %d (%s) is issued by %s, which is neither sent by the server nor in the trust store; without an AIA caIssuers URL this is most likely a private CA",
			topIndex, top.Subject, top.Issuer)
		return
	}
	v.addIncomplete(topIndex, top)
}

// fetchedIssuer returns the fetch of Policy.AIA that served the issuer of
// cert, or nil.
func (v *verifier) fetchedIssuer(cert *x509.Certificate) *AIAFetch {
	for _, f := range v.policy.AIA.fetchesFor(cert) {
		if f.Issuer != nil {
			return &f
		}
	}
	return nil
}

// fetchFailed reports whether Policy.AIA tried the URLs of cert and got no
// issuer from any of them. A URL skipped for its scheme makes it false,
// because the client may fetch that URL and get the issuer.
func (v *verifier) fetchFailed(cert *x509.Certificate) bool {
	failed := false
	for _, f := range v.policy.AIA.fetchesFor(cert) {
		switch f.Outcome {
		case AIAFailed, AIANotIssuer:
			failed = true
		case AIASkipped:
			return false
		}
	}
	return failed
}

// isFetchedIssuer reports whether cert is an issuer that a client with
// FetchAIA takes from Policy.AIA.
func (v *verifier) isFetchedIssuer(cert *x509.Certificate) bool {
	if !v.policy.FetchAIA {
		return false
	}
	for _, issuer := range v.policy.AIA.Issuers() {
		if issuer.Equal(cert) {
			return true
		}
	}
	return false
}

// addUntrustedAfterFetch reports a client that downloads the missing issuer
// of certs[index] and still finds no trusted root. It names where the path
// through the sent and the fetched certificates stops.
func (v *verifier) addUntrustedAfterFetch(index int, cert *x509.Certificate, found *AIAFetch) {
	all := append(append([]*x509.Certificate(nil), v.certs...), v.policy.AIA.Issuers()...)
	path := issuerPath(all)
	top := all[path[len(path)-1]]

	end := fmt.Sprintf("ends at %s, issued by %s, which the server did not send, no AIA URL served and the trust store does not contain", top.Subject, top.Issuer)
	if isSelfSigned(top) {
		end = fmt.Sprintf("ends at the self-signed root %s, which the trust store does not contain", top.Subject)
	}
	problem := v.add(ProblemUntrusted, index, "the client downloads %s, the issuer of certificate %d (%s), from %s (AIA caIssuers), but the path still does not reach a trusted root: it %s",
		found.Issuer.Subject, index, cert.Subject, found.URL, end)
	problem.IssuerURLs = cert.IssuingCertificateURL
}

// addIncomplete reports that the issuer of certs[index] is missing. A leaf is
// rarely issued by a root directly, so the missing certificate is most likely
// an intermediate that the server should send. With Policy.AIA, the detail
// also states whether the AIA URL would complete the chain.
func (v *verifier) addIncomplete(index int, cert *x509.Certificate) {
	detail := fmt.Sprintf("the server did not send the certificate of %s, which issued certificate %d (%s)", cert.Issuer, index, cert.Subject)
	if len(v.certs) > 1 && index == 0 {
		detail += fmt.Sprintf("; none of the %d other certificates it sent issued the leaf", len(v.certs)-1)
	}
	if len(cert.IssuingCertificateURL) > 0 {
		detail += "; the certificate names it at " + strings.Join(cert.IssuingCertificateURL, ", ") + " (AIA caIssuers)"
		if !v.policy.FetchAIA {
			detail += ", which this client does not fetch"
		}
	} else {
		detail += "; the certificate has no AIA caIssuers URL to fetch it from"
	}
	for _, f := range v.policy.AIA.fetchesFor(cert) {
		detail += "; " + v.describeFetch(f)
	}
	problem := v.add(ProblemIncompleteChain, index, "%s", detail)
	problem.MissingIssuer = cert.Issuer.String()
	problem.IssuerURLs = cert.IssuingCertificateURL
}

// describeFetch returns a sentence on what one AIA URL of a certificate
// served and whether its issuer would complete the chain.
func (v *verifier) describeFetch(f AIAFetch) string {
	switch f.Outcome {
	case AIAIssuerFound:
		if v.verifyPathWith(v.policy.AIA.Issuers()) == nil {
			return fmt.Sprintf("the AIA URL %s serves the missing issuer %s, which would complete the chain to a trusted root", f.URL, f.Issuer.Subject)
		}
		return fmt.Sprintf("the AIA URL %s serves the missing issuer %s, but the chain would still not reach a trusted root", f.URL, f.Issuer.Subject)
	case AIANotIssuer:
		return fmt.Sprintf("the AIA URL %s serves %s, which did not issue %s, so it does not complete the chain", f.URL, strings.Join(f.Subjects, "; "), f.ChildSubject)
	case AIASkipped:
		return fmt.Sprintf("the AIA URL %s was not fetched: %s", f.URL, f.Error)
	}
	return fmt.Sprintf("the AIA URL %s does not complete the chain, because fetching it from this machine failed: %s", f.URL, f.Error)
}

// acceptedDespiteSHA1 handles a path that crypto/x509 broke off at a SHA-1
// signature, which it never verifies. A client that rejects SHA-1 fails there
// too, and the sha1_signature problem already names the cause. For a client
// that accepts SHA-1, issuerPath has checked the SHA-1 links among the sent
// certificates, so the path is verified again from the issuer above the
// highest of them. It returns false when the trust problem still needs to be
// explained.
func (v *verifier) acceptedDespiteSHA1(path []int) bool {
	if v.policy.RejectSHA1 {
		return true
	}
	highest := -1
	for k, index := range path {
		if cert := v.certs[index]; isSHA1(cert.SignatureAlgorithm) && !isSelfSigned(cert) {
			highest = k
		}
	}
	if highest < 0 {
		return false
	}
	if highest == len(path)-1 {
		// NOTE: the trust store holds an issuer with the right name and key
		// identifier, but crypto/x509 cannot check its SHA-1 signature, so
		// a client that accepts SHA-1 is assumed to connect.
		return true
	}

	intermediates := x509.NewCertPool()
	for _, cert := range v.certs {
		intermediates.AddCert(cert)
	}
	_, err := v.certs[path[highest+1]].Verify(x509.VerifyOptions{
		Roots:         v.policy.Roots,
		Intermediates: intermediates,
		CurrentTime:   v.pathTime(),
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	return err == nil
}

// maxPathLength bounds issuerPath against a loop of certificates that name
// each other as issuers.
const maxPathLength = 16

// issuerPath returns the indices of a path through the sent certificates,
// from the leaf up through each certificate's issuer among the others, ending
// at a self-signed certificate or at one whose issuer was not sent. Issuers
// are matched by name and by signature, and SHA-1 signatures count.
func issuerPath(certs []*x509.Certificate) []int {
	path := []int{0}
	used := map[int]bool{0: true}
	for len(path) < maxPathLength {
		child := certs[path[len(path)-1]]
		if isSelfSigned(child) {
			break
		}
		next := -1
		for i, candidate := range certs {
			if used[i] || !bytes.Equal(candidate.RawSubject, child.RawIssuer) {
				continue
			}
			if candidate.CheckSignature(child.SignatureAlgorithm, child.RawTBSCertificate, child.Signature) == nil {
				next = i
				break
			}
		}
		if next < 0 {
			break
		}
		path = append(path, next)
		used[next] = true
	}
	return path
}

// rejectedSHA1Candidate reports whether crypto/x509 found a candidate issuer
// and rejected it only because the signature uses SHA-1. UnknownAuthorityError
// keeps that reason in unexported fields, so this matches its message
// against the text of x509.InsecureAlgorithmError.
func rejectedSHA1Candidate(err error) bool {
	message := err.Error()
	for _, alg := range sha1Algorithms {
		if strings.Contains(message, x509.InsecureAlgorithmError(alg).Error()) {
			return true
		}
	}
	return false
}

// roundDuration prints d in days when it is a day or more, else in hours,
// minutes or seconds, as a report reader counts it.
func roundDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", int(d/time.Hour))
	case d >= 2*time.Minute:
		return fmt.Sprintf("%d minutes", int(d/time.Minute))
	}
	return d.Round(time.Second).String()
}
