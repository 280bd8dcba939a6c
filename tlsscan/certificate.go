package tlsscan

import (
	"context"
	"errors"
	"fmt"
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
	CheckedName string              `json:"checked_name,omitempty"`
	Chain       []report.CertInfo   `json:"chain"`
	Problems    []certcheck.Problem `json:"problems,omitempty"`
	// Error is set when no chain could be obtained.
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
	chain, err := certcheck.Fetch(ctx, addr, s.serverName, s.opts.Timeout)
	if err != nil {
		fallback, fallbackErr := chainFromProbes(versions)
		if fallbackErr != nil {
			out.Error = fmt.Sprintf("%v; %v", err, fallbackErr)
			return
		}
		chain = fallback
	}
	s.fillCertificate(out, chain)
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
	out.Problems = certcheck.Verify(chain, out.CheckedName, certcheck.Policy{
		Roots:      s.roots,
		MinRSABits: 2048,
		MinECBits:  256,
		RejectSHA1: true,
	})
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
				Detail:   "Clients with the Mozilla root store reject this chain; Okta and Entra ID use public root stores.",
			})
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
